from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, List

import pytest

from ddblint import config, files
from ddblint.files import DEFAULT_EXCLUDE, discover

CODES = ("DDB101", "DDB102", "DDB105", "DDB201", "DDB301")


@pytest.fixture(autouse=True)
def _fresh_cache():
    config.clear_cache()
    yield
    config.clear_cache()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root with its own (empty) config, so nothing above tmp_path leaks in."""
    (tmp_path / "ddblint.toml").write_text("")
    return tmp_path


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def run(paths: Iterable[Path], root: Path, **kw) -> List[str]:
    files, errors = discover(list(paths), lambda p: config.settings_for(p, CODES), **kw)
    assert errors == []
    return [Path(os.path.relpath(f, root)).as_posix() for f in files]


def test_walk_collects_python_files_sorted(project):
    touch(project, "b.py", "a.pyi", "README.md", "pkg/__init__.py", "pkg/z.py", "pkg/data.json", "noext")
    assert run([project], project) == ["a.pyi", "b.py", "pkg/__init__.py", "pkg/z.py"]


def test_default_excludes(project):
    touch(project, "ok.py", ".venv/lib/x.py", "venv/x.py", "build/x.py", "dist/x.py", "pkg/__pycache__/x.py",
          "node_modules/x.py", "foo.egg-info/x.py", "deep/nested/.tox/x.py", ".git/hooks/x.py",
          "lib/site-packages/x.py", ".ddblint_cache/x.py", "buildings/ok2.py")
    assert run([project], project) == ["buildings/ok2.py", "ok.py"]
    assert {".git", ".venv", "build", "*.egg-info"} <= set(DEFAULT_EXCLUDE)


def test_exclude_and_extend_exclude_are_relative_to_config_root(project):
    (project / "ddblint.toml").write_text(
        'exclude = ["fixtures"]\nextend-exclude = ["src/legacy/*.py", "*_pb2.py"]\n')
    touch(project, "fixtures/a.py", "tests/fixtures/b.py", "src/legacy/old.py", "src/legacy/keep/new.py",
          "src/api_pb2.py", "src/app.py", "other/src/legacy/old.py")
    assert run([project], project) == ["other/src/legacy/old.py", "src/app.py", "src/legacy/keep/new.py"]


def test_nested_config_excludes_apply_below_it(project):
    touch(project, "a/gen.py", "b/gen.py", "b/x.py")
    (project / "b" / "ddblint.toml").write_text('exclude = ["/gen.py"]\n')
    assert run([project], project) == ["a/gen.py", "b/x.py"]


def test_nested_gitignore(project):
    (project / ".gitignore").write_text("# generated code\ngenerated/\n*.gen.py\n/top_only.py\n")
    touch(project, "generated/a.py", "src/generated/b.py", "src/x.gen.py", "src/keep.gen.py",
          "top_only.py", "src/top_only.py", "src/local_cfg.py", "src/app.py", "other/local_cfg.py")
    (project / "src" / ".gitignore").write_text("local_*.py\n!keep.gen.py\n")
    assert run([project], project) == ["other/local_cfg.py", "src/app.py", "src/keep.gen.py", "src/top_only.py"]


def test_gitignore_directory_pattern_does_not_hide_files_of_that_name(project):
    (project / ".gitignore").write_text("cache/\n")
    touch(project, "cache/a.py", "cache.py")
    assert run([project], project) == ["cache.py"]


def test_git_info_exclude_and_dot_ignore(project):
    (project / ".git" / "info").mkdir(parents=True)
    (project / ".git" / "info" / "exclude").write_text("secret.py\n")
    (project / ".ignore").write_text("scratch/\n")
    touch(project, "secret.py", "pkg/secret.py", "scratch/s.py", "app.py")
    assert run([project], project) == ["app.py"]


def test_respect_gitignore_false(project):
    (project / "ddblint.toml").write_text("respect-gitignore = false\n")
    (project / ".gitignore").write_text("ignored.py\n")
    touch(project, "ignored.py", "build/x.py")
    assert run([project], project) == ["ignored.py"]  # excludes still apply


def test_parent_gitignore_applies_when_walking_a_subdirectory(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("src/gen/\n")
    touch(project, "src/gen/a.py", "src/app.py")
    assert run([project / "src"], project) == ["src/app.py"]


def test_parent_gitignore_stops_at_repository_top(tmp_path):
    (tmp_path / ".gitignore").write_text("*.py\n")  # outside the repository: not ours
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "ddblint.toml").write_text("")
    touch(repo, "sub/a.py")
    assert run([repo / "sub"], repo) == ["sub/a.py"]
    assert run([repo], repo) == ["sub/a.py"]


def test_explicit_files_are_always_linted(project):
    (project / "ddblint.toml").write_text('exclude = ["legacy.py"]\n')
    (project / ".gitignore").write_text("ignored.py\n")
    touch(project, "legacy.py", "ignored.py", "build/gen.py", "script")
    given = [project / n for n in ("legacy.py", "ignored.py", "build/gen.py", "script")]
    assert run(given, project) == ["build/gen.py", "ignored.py", "legacy.py", "script"]


def test_force_exclude_applies_excludes_but_not_gitignore(project):
    (project / "ddblint.toml").write_text('exclude = ["legacy.py"]\nextend-exclude = ["migrations"]\n')
    (project / ".gitignore").write_text("ignored.py\n")
    touch(project, "legacy.py", "ignored.py", "build/gen.py", "app/migrations/0001.py", "app.py")
    given = [project / n for n in ("legacy.py", "ignored.py", "build/gen.py", "app/migrations/0001.py", "app.py")]
    assert run(given, project, force_exclude=True) == ["app.py", "ignored.py"]


def test_explicit_excluded_directory_is_walked_unless_forced(project):
    touch(project, "build/a.py", "build/__pycache__/b.py")
    assert run([project / "build"], project) == ["build/a.py"]
    assert run([project / "build"], project, force_exclude=True) == []


def test_explicit_gitignored_directory_is_walked(project):
    (project / ".gitignore").write_text("generated/\n")
    touch(project, "generated/a.py", "generated/sub/b.py")
    assert run([project / "generated"], project) == ["generated/a.py", "generated/sub/b.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinked_directories_are_not_followed(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    touch(outside, "elsewhere.py")
    touch(project, "real/a.py")
    try:
        os.symlink(outside, project / "linked", target_is_directory=True)
        os.symlink(project / "real", project / "loop", target_is_directory=True)
        os.symlink(project / "real" / "a.py", project / "alias.py")
        os.symlink(project / "missing.py", project / "dangling.py")
    except OSError:
        pytest.skip("cannot create symlinks here")
    assert run([project], project) == ["alias.py", "real/a.py"]


def test_nonexistent_paths_are_errors(project):
    touch(project, "a.py")
    files, errors = discover([project / "nope.py", project], lambda p: config.settings_for(p, CODES))
    assert files == [project / "a.py"]
    assert errors == [(project / "nope.py", "No such file or directory")]


def test_overlapping_paths_give_no_duplicates(project, monkeypatch):
    touch(project, "src/a.py", "src/b.py")
    monkeypatch.chdir(project)
    files, errors = discover([Path("src"), project, Path("src/a.py"), Path("./src/b.py")],
                             lambda p: config.settings_for(p, CODES))
    assert errors == []
    assert [os.path.abspath(f) for f in files] == [str(project / "src" / "a.py"), str(project / "src" / "b.py")]
    assert files == [Path("src/a.py"), Path("src/b.py")]  # the form of the first argument that found them


def test_bad_gitignore_line_does_not_fail_the_run(project):
    (project / ".gitignore").write_text("ok_ignored.py\nbad\\\n")
    touch(project, "ok_ignored.py", "app.py")
    assert run([project], project) == ["app.py"]


def test_without_config_root_is_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "app.py", "build/x.py")
    settings = lambda p: config.load_settings(None, CODES, overrides=['extend-exclude = ["/app.py"]'])
    files, errors = discover([Path(".")], settings)
    assert files == [] and errors == []


def test_bare_name_excludes_take_a_shortcut_that_decides_as_the_matcher_does(project, monkeypatch):
    """Bare-name and `*suffix` excludes (the defaults, `dist/`) are decided by the entry's own
    name; everything else by the gitignore matcher. Both must find the same files."""
    from ddblint import files

    touch(project, "a.py", "build/b.py", "src/build/c.py", "src/build.py", "pkg.egg-info/d.py",
          "x/y.egg-info/e.py", "dist/f.py", "src/dist", "keep/dist.py", "venv/g.py", ".venv/h.py",
          "deep/node_modules/i.py", "deep/ok/j.py")
    (project / "ddblint.toml").write_text('extend-exclude = ["dist/", "*_gen.py"]\n')
    touch(project, "k_gen.py", "l.py")
    config.clear_cache()
    shortcut = run([project], project)
    monkeypatch.setattr(files, "_plain_names", lambda globs: None)
    config.clear_cache()
    general = run([project], project)
    assert shortcut == general
    assert "a.py" in shortcut and "deep/ok/j.py" in shortcut and "keep/dist.py" in shortcut and "l.py" in shortcut
    assert "k_gen.py" not in shortcut
    assert not any(p.startswith(("build/", "pkg.egg-info/", "venv/", ".venv/", "dist/")) for p in shortcut)


@pytest.mark.parametrize("name", ["a.py", "pkg/a.py", "./pkg/a.py", "pkg/../a.py", ".", "..", "../x.py",
                                  "..foo/a.py", "pkg/../../x.py", "pkg//a.py"])
def test_display_is_the_path_relative_to_the_current_directory(tmp_path, monkeypatch, name):
    """What `files.display` names a path by, as os.path.relpath would, or as given when outside."""
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    relative = os.path.relpath(name)
    assert files.display(Path(name)) == (str(Path(name)) if relative.startswith("..") else relative)
    assert files.display(tmp_path / "here" / "b.py") == "b.py"
    assert files.display(tmp_path / "b.py") == str(tmp_path / "b.py")
