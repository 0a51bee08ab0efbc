"""Output options users asked for (issue 16, item 4): the words of the summary, the level of
GitHub annotations (`--github-annotation-level`), and absolute paths (`--absolute-paths`).

The summary says *findings* in every format: a rule's finding is a warning in SARIF and, by
default, in GitHub annotations, so "Found N errors" contradicted the annotations above it; the
exit code, not a word, is what fails a build.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import ddblint_process, make_tree
from ddblint import report

HEADER = 'import boto3\ntable = boto3.resource("dynamodb").Table("t")\n'
CALL = 'table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})'
BLIND = HEADER + f"def f(k):\n    {CALL}\n"  # DDB101 on row 4, column 5
BROKEN = HEADER + "def f(:\n    table.update_item()\n"  # DDB000 on row 3
# DDB404 (`status` is a reserved word: a safe fix) and DDB101, both on row 4
RESERVED = HEADER + ('def f(k):\n    table.update_item(Key={"pk": k}, UpdateExpression="SET status = :a", '
                     'ExpressionAttributeValues={":a": 1})\n')
ANNOTATION = re.compile(r"^::(\w+) ([^:]*)::(.*)$")


@pytest.fixture
def project(tmp_path):
    """A repository (it has `.git`) with a finding in pkg/app.py and a file that does not parse."""
    make_tree(tmp_path, {"pkg/app.py": BLIND, "pkg/broken.py": BROKEN}, dedent=False)
    (tmp_path / ".git").mkdir()
    return tmp_path


def annotations(out: str):
    """(level, properties, message) of each workflow command printed."""
    found = []
    for line in out.splitlines():
        m = ANNOTATION.match(line)
        assert m, line
        found.append((m.group(1), dict(p.split("=", 1) for p in m.group(2).split(",")), m.group(3)))
    return found


# --- the summary -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", report.formats())
def test_the_summary_says_findings_in_every_format(fmt, project, ddblint_main):
    result = ddblint_main("check", "--output-format", fmt, "pkg", cwd=project)
    assert result.returncode == 1
    assert result.stderr == "Found 2 findings in 2 checked files.\n"
    single = ddblint_main("check", "--output-format", fmt, "pkg/app.py", cwd=project)
    assert single.stderr == "Found 1 finding in 1 checked file.\n"


def test_the_fix_summary_says_findings(tmp_path, ddblint_main):
    make_tree(tmp_path, {"app.py": RESERVED}, dedent=False)
    result = ddblint_main("check", "--fix", "--show-fixes", "--output-format", "concise", "app.py", cwd=tmp_path)
    assert result.returncode == 1  # DDB101 remains
    assert "#status" in (tmp_path / "app.py").read_text(), "DDB404's safe fix was applied"
    assert result.stdout.startswith("app.py:4:5: DDB101 ")
    assert result.stderr.splitlines()[:3] == ["Fixed 1 finding:", "- app.py:", "    1 × DDB404 (reserved-word-in-expression)"]
    assert "Found 2 findings (1 fixed, 1 remaining)." in result.stderr.splitlines()


# --- GitHub annotation level -----------------------------------------------------------------

@pytest.mark.parametrize("level", [None, "warning", "error", "notice"])
def test_annotation_level(level, project, ddblint_main):
    args = ["check", "--output-format", "github", "pkg"]
    if level:
        args[1:1] = ["--github-annotation-level", level]
    result = ddblint_main(*args, cwd=project)
    assert result.returncode == 1, "the level never changes the exit code"
    found = annotations(result.stdout)
    assert [(kind, props["file"], props["title"]) for kind, props, _ in found] == [
        (level or "warning", "pkg/app.py", "ddblint (DDB101)"),
        ("error", "pkg/broken.py", "ddblint (DDB000)"),  # a file that was not checked: an error at every level
    ]
    assert result.stderr == "Found 2 findings in 2 checked files.\n"


def test_annotation_level_applies_to_what_a_fixing_run_leaves(tmp_path, ddblint_main):
    make_tree(tmp_path, {"app.py": RESERVED}, dedent=False)
    result = ddblint_main("check", "--fix", "--output-format", "github", "--github-annotation-level", "error",
                          "app.py", cwd=tmp_path)
    assert [(kind, props["title"]) for kind, props, _ in annotations(result.stdout)] == [("error", "ddblint (DDB101)")]


def test_an_unknown_annotation_level_is_a_usage_error(project):
    proc = ddblint_process("check", "--output-format", "github", "--github-annotation-level", "fatal", "pkg", cwd=project)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "invalid choice: 'fatal'" in proc.stderr
    with pytest.raises(ValueError):
        report.render("github", [], {}, annotation_level="fatal")


# --- absolute paths --------------------------------------------------------------------------

def first_path(fmt: str, out: str) -> str:
    """The path a format prints first for its first finding."""
    if fmt == "json":
        return json.loads(out)[0]["filename"]
    if fmt == "github":
        return annotations(out)[0][2].split(":", 1)[0]
    return out.split(":", 1)[0]


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "github", "pylint"])
def test_absolute_paths(fmt, project, ddblint_main):
    target = str(project / "pkg" / "app.py")
    plain = ddblint_main("check", "--output-format", fmt, "pkg/app.py", cwd=project)
    absolute = ddblint_main("check", "--output-format", fmt, "--absolute-paths", "pkg/app.py", cwd=project)
    assert plain.returncode == absolute.returncode == 1
    # JSON names files absolutely either way (Ruff's field); the others print what was found
    assert first_path(fmt, plain.stdout) == (target if fmt == "json" else os.path.join("pkg", "app.py"))
    assert first_path(fmt, absolute.stdout) == target and os.path.isabs(target)
    if fmt == "github":  # the message names the file absolutely; the runner's `file` stays relative to the repository
        (_, props, message), = annotations(absolute.stdout)
        assert props["file"] == "pkg/app.py" and message == annotations(plain.stdout)[0][2].replace("pkg/app.py", target)
    else:
        assert absolute.stdout == plain.stdout.replace(first_path(fmt, plain.stdout), target)
    if fmt == "full":  # the snippet under the finding is still there
        assert f"4 |     {CALL}" in absolute.stdout


def test_absolute_paths_leave_code_scanning_paths_relative(project, ddblint_main):
    plain = ddblint_main("check", "--output-format", "sarif", "pkg", cwd=project)
    absolute = ddblint_main("check", "--output-format", "sarif", "--absolute-paths", "pkg", cwd=project)
    assert absolute.stdout == plain.stdout
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(absolute.stdout)["runs"][0]["results"]]
    assert uris == ["pkg/app.py", "pkg/broken.py"]


def test_absolute_paths_from_standard_input(project):
    source = BLIND.encode()
    named = ddblint_process("check", "--output-format", "concise", "--absolute-paths", "--stdin-filename",
                            "pkg/app.py", "-", cwd=project, stdin=source)
    assert named.returncode == 1
    assert named.stdout.decode().startswith(f"{project / 'pkg' / 'app.py'}:4:5: DDB101 ")
    unnamed = ddblint_process("check", "--output-format", "concise", "--absolute-paths", "-", cwd=project, stdin=source)
    assert unnamed.stdout.decode().startswith("-:4:5: DDB101 ")


def test_absolute_paths_in_a_fixing_run(tmp_path, ddblint_main):
    make_tree(tmp_path, {"app.py": RESERVED}, dedent=False)
    result = ddblint_main("check", "--fix", "--show-fixes", "--output-format", "concise", "--absolute-paths", "app.py",
                          cwd=tmp_path)
    assert result.stdout.startswith(f"{tmp_path / 'app.py'}:4:5: DDB101 ")
    assert f"- {tmp_path / 'app.py'}:" in result.stderr.splitlines()
