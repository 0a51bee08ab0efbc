"""The wheel built from the repository is complete and works outside the checkout (SPEC §2).

`rules/` lives at the top level and ships as the import package `ddblint.rules` through
setuptools' `package-dir`, so a packaging mistake would pass every other test (they import
the editable checkout) and break only real installs. This test builds the wheel from a copy
of the source tree, checks its contents, installs it into a fresh virtual environment (no
system site-packages) and runs the installed `ddblint` from a directory outside the checkout.

Dependency wheels (libcst, pathspec, ...) are downloaded once into the pytest cache
(`.pytest_cache/d/wheels`); later runs install them with `--no-index`.
"""

import configparser
import os
import shutil
import subprocess
import sys
import textwrap
import venv
import warnings
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from conftest import BLIND_UPDATE, cache_directory

pytestmark = pytest.mark.slow  # builds the wheel and the sdist and installs them in a new environment
ROOT = Path(__file__).resolve().parent.parent

# What a copy of the source tree leaves out: VCS data, environments, caches, build output.
# (A stale build/ directory would otherwise leak deleted modules into the wheel.)
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "venv", ".tox", ".nox", "build", "dist", "*.egg-info", "__pycache__",
    ".pytest_cache", ".hypothesis", ".ddblint_cache", ".mypy_cache", ".ruff_cache",
)


def _run(cmd, **kwargs):
    proc = subprocess.run(
        [str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, **kwargs
    )
    return proc


def _check(cmd, **kwargs):
    proc = _run(cmd, **kwargs)
    assert proc.returncode == 0, "{} exited {}:\n{}".format(
        " ".join(str(c) for c in cmd), proc.returncode, proc.stdout
    )
    return proc


def _clean_env(**extra):
    """The environment minus anything that would let a subprocess see the checkout."""
    env = {
        k: v for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def _build_wheel(src, outdir):
    """Build with `python -m build`, without isolation when this environment can.

    Without isolation is faster and needs no index; it is possible when the backend's build
    requirements are installed here (with setuptools < 70.1 that includes `wheel`).
    Otherwise fall back to an isolated build, which fetches setuptools from the index.
    """
    build = pytest.importorskip("build")
    with warnings.catch_warnings():  # the backend's own chatter (e.g. "still *beta*")
        warnings.simplefilter("ignore")
        missing = build.ProjectBuilder(str(src)).check_dependencies("wheel")
    cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", outdir]
    if not missing:
        cmd.append("--no-isolation")
    _check(cmd + [src], env=_clean_env())
    wheels = sorted(Path(outdir).glob("ddblint-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _runtime_requirements(metadata_text):
    """`Requires-Dist` entries of the wheel that are not behind an extra."""
    msg = Parser().parsestr(metadata_text)
    return [r for r in msg.get_all("Requires-Dist") or [] if "extra ==" not in r]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    src = tmp_path_factory.mktemp("src") / "ddblint"
    shutil.copytree(str(ROOT), str(src), ignore=_NOT_SOURCE)
    return _build_wheel(src, tmp_path_factory.mktemp("dist"))


def test_wheel_contains_every_module_and_the_entry_point(wheel):
    with zipfile.ZipFile(str(wheel)) as zf:
        names = set(zf.namelist())
        dist_info = {n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")}
        assert len(dist_info) == 1, dist_info
        (dist_info,) = dist_info
        entry_points = zf.read(dist_info + "/entry_points.txt").decode("utf-8")
        metadata = zf.read(dist_info + "/METADATA").decode("utf-8")

    assert "ddblint/rules/__init__.py" in names
    rule_modules = sorted(p.name for p in (ROOT / "rules").glob("*.py"))
    assert rule_modules, "no rules/*.py found in the checkout"
    missing_rules = [m for m in rule_modules if "ddblint/rules/" + m not in names]
    assert not missing_rules, "rules modules missing from the wheel: {}".format(missing_rules)

    # Every engine module too: `packages` is an explicit list, so a new subpackage that is
    # not added to it would silently be left out.
    engine_modules = sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "ddblint").rglob("*.py")
        if "__pycache__" not in p.parts
    )
    missing_engine = [m for m in engine_modules if m not in names]
    assert not missing_engine, "ddblint modules missing from the wheel: {}".format(missing_engine)

    # The HTML map's page, script and style (package data, read with importlib.resources).
    assets = sorted("ddblint/mapview/assets/" + p.name for p in (ROOT / "ddblint" / "mapview" / "assets").iterdir())
    assert assets and not [a for a in assets if a not in names], "map assets missing from the wheel"

    # Nothing that is not ours at the top level (no `rules/` or `tests/` package).
    top_level = {n.split("/", 1)[0] for n in names} - {dist_info}
    assert top_level == {"ddblint"}, top_level

    parser = configparser.ConfigParser()
    parser.read_string(entry_points)
    assert parser.has_section("console_scripts"), entry_points
    assert parser.get("console_scripts", "ddblint").strip() == "ddblint.cli:main"

    requirements = " ".join(_runtime_requirements(metadata))
    assert "libcst" in requirements and "pathspec" in requirements, requirements


def test_installed_wheel_works_outside_the_checkout(wheel, tmp_path, request):
    # A fresh environment without system site-packages: only the wheel and its dependencies.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(str(env_dir))
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    ddblint = bindir / "ddblint"

    with zipfile.ZipFile(str(wheel)) as zf:
        (meta,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        requirements = _runtime_requirements(zf.read(meta).decode("utf-8"))

    cache = cache_directory(request.config, "wheels")
    install = [
        python, "-m", "pip", "install", "--no-index",
        "--find-links", cache, "--find-links", wheel.parent, wheel,
    ]
    if _run(install, env=_clean_env()).returncode != 0:
        # First run (or new dependencies): fetch the dependency wheels once, with the same
        # interpreter version and platform as the new environment.
        _check([sys.executable, "-m", "pip", "download", "--dest", cache] + requirements,
               env=_clean_env())
        _check(install, env=_clean_env())

    outside = tmp_path / "consumer"
    outside.mkdir()
    (outside / "app.py").write_text(BLIND_UPDATE)
    env = _clean_env()

    proc = _check([python, "-c", "import ddblint, ddblint.rules; print(ddblint.rules.__file__)"],
                  cwd=str(outside), env=env)
    installed_at = Path(proc.stdout.strip().splitlines()[-1]).resolve()
    assert env_dir.resolve() in installed_at.parents, installed_at
    assert ROOT not in installed_at.parents, installed_at

    proc = _check([ddblint, "rule", "DDB101"], cwd=str(outside), env=env)
    assert "update-without-version-guard" in proc.stdout

    proc = _run([ddblint, "check", "app.py"], cwd=str(outside), env=env)
    assert proc.returncode == 1, proc.stdout
    assert "DDB101" in proc.stdout

    proc = _check([ddblint, "map", "--output-format", "html", "app.py"], cwd=str(outside), env=env)
    assert "<svg" in proc.stdout and '"codes":["DDB101"]' in proc.stdout
