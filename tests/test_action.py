"""The GitHub Action (issue 16, item 3): action.yml and scripts/action.py, the script its one
step runs.

The script runs for real, as the step would: in a copy of examples/ made a repository, with the
runner's variables faked (`conftest.run_action`: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP
are files and a directory of the test). Most tests use `version: installed` with a `ddblint` on
PATH that runs this checkout; `test_default_version_installs_the_actions_own_checkout` (slow)
lets the script build its own virtual environment from a copy of the repository, which is what
`uses: OWNER/ddblint@REF` does on GitHub.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import ACTION_SCRIPT, REPO, action_inputs, cache_directory, run_action

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXAMPLES = REPO / "examples"
ANNOTATION = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")
CLEAN = "import os\n\n\ndef unrelated():\n    return os.sep\n"

posix_only = pytest.mark.skipif(os.name == "nt", reason="the ddblint on PATH is a shell script")
# Each run starts the script and ddblint (twice with a SARIF file): the inner loop (-m "not slow")
# keeps the annotation run, the SARIF run and the refused inputs; the other runs are slow.
SLOW = pytest.mark.slow


def load_script():
    spec = importlib.util.spec_from_file_location("ddblint_action", ACTION_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = load_script()


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shim(tmp_path_factory):
    """A directory with a `ddblint` that runs this checkout: what `version: installed` finds."""
    bindir = tmp_path_factory.mktemp("bin")
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    (bindir / "ddblint").write_text(f'#!/bin/sh\nPYTHONPATH="{path}" exec "{sys.executable}" -m ddblint "$@"\n')
    (bindir / "ddblint").chmod(0o755)
    return bindir


@pytest.fixture
def workspace(tmp_path):
    """A copy of examples/ as the checked-out repository (it has `.git`)."""
    copy = tmp_path / "workspace"
    shutil.copytree(str(EXAMPLES), str(copy), ignore=shutil.ignore_patterns(".ddblint_cache", "__pycache__"))
    (copy / ".git").mkdir()
    return copy


@pytest.fixture
def action(workspace, tmp_path, shim):
    """`action(**inputs)`: the script in the workspace, with `version: installed` (this checkout)
    unless given, and `env` for extra variables."""
    def run(env=None, **inputs):
        inputs = {name.replace("_", "-"): value for name, value in inputs.items()}
        inputs.setdefault("version", "installed")
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("DDBLINT_", "GITHUB_", "RUNNER_", "INPUT_")) and k != "PYTHONPATH"}
        environment["PATH"] = str(shim) + os.pathsep + environment.get("PATH", "")
        environment.update(env or {})
        return run_action(workspace, tmp_path / "runner", inputs, environment)

    return run


@pytest.fixture(scope="module")
def expected(tmp_path_factory, shim):
    """(file relative to the examples, line, code) of every finding in examples/, from JSON."""
    copy = tmp_path_factory.mktemp("expected") / "examples"
    shutil.copytree(str(EXAMPLES), str(copy), ignore=shutil.ignore_patterns(".ddblint_cache", "__pycache__"))
    proc = subprocess.run([str(shim / "ddblint"), "check", "--output-format", "json", "--no-cache", "."], cwd=copy,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    found = {(Path(os.path.relpath(d["filename"], copy)).as_posix(), d["location"]["row"], d["code"])
             for d in json.loads(proc.stdout)}
    assert len(found) > script.PER_STEP, "examples/ have more findings than GitHub annotates per step"
    return found


def annotations(stdout: str):
    """(level, properties, message) of each annotation; every line printed is a workflow command."""
    found = []
    for line in stdout.splitlines():
        if line.startswith(("::group::", "::endgroup::")):
            continue
        m = ANNOTATION.match(line)
        assert m, f"not a workflow command: {line!r}"
        found.append((m.group(1), dict(p.split("=", 1) for p in m.group(2).split(",") if p), m.group(3)))
    return found


def located(found):
    return {(props["file"], int(props["line"]), re.search(r"\((DDB\d{3})\)", props["title"]).group(1))
            for _, props, _ in found}


# --- action.yml ------------------------------------------------------------------------------

def test_action_yml_is_a_composite_action_that_runs_the_script():
    assert ACTION["name"] == "ddblint" and ACTION["description"]
    assert ACTION["runs"]["using"] == "composite"
    (step,) = ACTION["runs"]["steps"]
    assert step["shell"] == "bash" and step["id"] == "ddblint"
    assert '"$GITHUB_ACTION_PATH/scripts/action.py"' in step["run"]
    assert "${{" not in step["run"], "inputs reach the script through its environment, never its text"
    assert set(ACTION["inputs"]) == {"args", "src", "version", "sarif-file", "annotation-level"}
    assert all(spec["description"] for spec in ACTION["inputs"].values())
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == "${{ steps.ddblint.outputs.%s }}" % name and spec["description"]


def test_every_input_is_read_by_the_script():
    text = ACTION_SCRIPT.read_text()
    for name, (variable, _) in action_inputs().items():
        assert variable == "INPUT_" + name.upper().replace("-", "_")
        assert f'"{variable}"' in text, f"scripts/action.py never reads {variable} ({name})"
    assert ACTION["inputs"]["annotation-level"]["default"] in script.LEVELS
    assert ACTION["inputs"]["src"]["default"] == "."
    assert ACTION["inputs"]["version"]["default"] == "", "the default is the action's own checkout"


def test_the_script_needs_only_the_standard_library():
    """It runs before ddblint (and any dependency) is installed, with Python 3.9 or newer."""
    tree = ast.parse(ACTION_SCRIPT.read_text(), feature_version=(3, 9))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "ddblint" not in imported
    if hasattr(sys, "stdlib_module_names"):  # Python 3.10 and newer
        assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


# --- which ddblint ---------------------------------------------------------------------------

@pytest.mark.parametrize("version, wanted", [
    ("", str(REPO)),
    ("  ", str(REPO)),
    ("installed", None),
    ("latest", "ddblint"),
    ("0.1.0", "ddblint==0.1.0"),
    ("v0.2.0rc1", "ddblint==0.2.0rc1"),
    ("1.2.3.post1", "ddblint==1.2.3.post1"),
    (">=0.1,<0.2", "ddblint>=0.1,<0.2"),
    ("~= 0.1", "ddblint~=0.1"),
    ("==0.1.*", "ddblint==0.1.*"),
])
def test_version_to_requirement(version, wanted):
    assert script.requirement(version, REPO) == wanted


@pytest.mark.parametrize("version", ["0.1.0; rm -rf /", "0.1.0 --index-url http://x", "ddblint", "../ddblint",
                                     "https://example.invalid/ddblint.whl", "-e .", "main", ">=", "0.1,<0.2"])
def test_a_version_that_is_no_version_is_refused(version):
    with pytest.raises(script.ActionError):
        script.requirement(version, REPO)


def test_the_default_version_needs_the_actions_checkout(tmp_path):
    with pytest.raises(script.ActionError, match="GITHUB_ACTION_PATH"):
        script.requirement("", tmp_path)  # no pyproject.toml there
    with pytest.raises(script.ActionError):
        script.requirement("", None)


@pytest.mark.parametrize("args, bad", [
    (["--select", "DDB1", "--exit-zero", "src"], []),
    (["--fix"], ["--fix"]),
    (["--fix-only"], ["--fix-only"]),
    (["--diff"], ["--diff"]),
    (["--output-format", "json"], ["--output-format"]),
    (["--output-format=json"], ["--output-format=json"]),
    (["--output-f", "json"], ["--output-f"]),  # argparse takes an abbreviation
    (["-o", "x.json"], ["-o"]),
    (["-ox.json"], ["-ox.json"]),
    (["-qo", "x.json"], ["-qo"]),
    (["-q", "-v", "-j2"], []),
    (["--github-annotation-level", "error"], ["--github-annotation-level"]),
    (["--write-baseline", "b.json"], ["--write-baseline"]),
    (["--baseline", "b.json", "--add-noqa"], ["--add-noqa"]),
    (["-"], ["-"]),
    (["--", "--fix"], []),  # a file named --fix
])
def test_refused_arguments(args, bad):
    assert script.refused(args) == bad


# --- running it ------------------------------------------------------------------------------

@posix_only
def test_annotations_exit_code_outputs_and_summary(action, expected, workspace):
    run = action()
    assert run.returncode == 1, run.stderr  # findings fail the step
    found = annotations(run.stdout)
    assert len(found) == len(expected)
    assert located(found) == expected
    assert {level for level, _, _ in found} == {"warning"}
    for _, props, message in found:  # the annotation points at a file of the repository
        assert (workspace / props["file"]).is_file() and message.startswith(props["file"] + ":" + props["line"] + ":")
    assert run.outputs == {"findings": str(len(expected)), "exit-code": "1", "sarif-file": ""}
    assert f"Found {len(expected)} findings in " in run.stderr
    assert run.summary.startswith("### ddblint\n")
    assert f"\n{len(expected)} findings.\n" in run.summary
    assert "| DDB101 | %d |" % sum(1 for *_, code in expected if code == "DDB101") in run.summary
    assert f"({len(expected)} warnings here)" in run.summary, "more warnings than GitHub shows: say so"
    assert not list(workspace.rglob("*.sarif"))


@SLOW
@posix_only
@pytest.mark.parametrize("level", ["error", "notice"])
def test_annotation_level(action, expected, level):
    run = action(annotation_level=level)
    assert run.returncode == 1
    found = annotations(run.stdout)
    assert located(found) == expected and {lv for lv, _, _ in found} == {level}
    assert f"({len(expected)} {level}s here)" in run.summary


@posix_only
def test_sarif_file(action, expected, workspace, validator):
    run = action(sarif_file="reports/ddblint.sarif")
    assert run.returncode == 1, run.stderr
    assert located(annotations(run.stdout)) == expected, "the annotations are there too"
    assert run.stderr.count("Found ") == 1, "one summary: the SARIF run is quiet"
    assert run.outputs == {"findings": str(len(expected)), "exit-code": "1", "sarif-file": "reports/ddblint.sarif"}
    log = json.loads((workspace / "reports" / "ddblint.sarif").read_text())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    (sarif_run,) = log["runs"]
    reported = set()
    for result in sarif_run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:")) and physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        reported.add((uri, physical["region"]["startLine"], result["ruleId"]))
    assert reported == expected
    assert "and `reports/ddblint.sarif` list them all" in run.summary


@SLOW
@posix_only
def test_sarif_file_with_no_findings(action, workspace, validator):
    (workspace / "clean.py").write_text(CLEAN)
    run = action(sarif_file="ddblint.sarif", src="clean.py")
    assert run.returncode == 0, run.stderr
    assert run.stdout == "" and "All checks passed!" in run.stderr
    log = json.loads((workspace / "ddblint.sarif").read_text())
    assert not list(validator.iter_errors(log)) and log["runs"][0]["results"] == []
    assert run.outputs["findings"] == "0" and run.outputs["exit-code"] == "0"
    assert "No findings." in run.summary


@SLOW
@posix_only
def test_args_and_src(action, expected):
    run = action(args="--select DDB2,DDB3", src="london_incident/jobs london_incident/support")
    assert run.returncode == 1
    wanted = {f for f in expected if f[2].startswith(("DDB2", "DDB3"))
              and f[0].startswith(("london_incident/jobs/", "london_incident/support/"))}
    assert wanted and located(annotations(run.stdout)) == wanted
    # paths at the end of `args` join those of `src`
    run = action(args="--select DDB101 quickstart/jobs", src="quickstart/subscribers")
    wanted = {f for f in expected if f[2] == "DDB101" and f[0].startswith("quickstart/")}
    assert len({f[0] for f in wanted}) == 2 and located(annotations(run.stdout)) == wanted


@SLOW
@posix_only
def test_exit_zero_keeps_the_annotations(action, expected):
    run = action(args="--exit-zero")
    assert run.returncode == 0 and run.outputs["exit-code"] == "0"
    assert located(annotations(run.stdout)) == expected


@SLOW
@posix_only
def test_a_baseline_in_args(action, workspace, shim):
    proc = subprocess.run([str(shim / "ddblint"), "check", "--write-baseline", "baseline.json"], cwd=workspace,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    run = action(args="--baseline baseline.json", sarif_file="ddblint.sarif")
    assert (run.returncode, run.stdout, run.outputs["findings"]) == (0, "", "0")
    assert json.loads((workspace / "ddblint.sarif").read_text())["runs"][0]["results"] == []


@SLOW
@posix_only
@pytest.mark.parametrize("sarif", ["", "ddblint.sarif"])
def test_a_configuration_error_exits_2(action, workspace, sarif):
    run = action(args="--select DDB999", sarif_file=sarif)
    assert run.returncode == 2 and run.outputs["exit-code"] == "2"
    assert "DDB999" in run.stderr and run.stdout == ""


@SLOW
@posix_only
def test_a_file_that_does_not_parse_is_an_error_annotation(action, workspace):
    # a syntax error in a file the prefilter lets through (it names a DynamoDB operation)
    (workspace / "broken.py").write_text('import boto3\ntable = boto3.resource("dynamodb").Table("t")\n'
                                         'def f(:\n    table.update_item()\n')
    run = action(src="broken.py", annotation_level="notice")
    assert run.returncode == 1
    ((level, props, message),) = annotations(run.stdout)
    assert (level, props["file"], props["title"]) == ("error", "broken.py", "ddblint (DDB000)")


@posix_only
@pytest.mark.parametrize("inputs, problem", [
    ({"args": "--fix"}, "remove --fix"),
    ({"args": "--select DDB1 --output-format json"}, "remove --output-format"),
    ({"args": "-o out.txt"}, "remove -o"),
    ({"src": "-"}, "remove -"),
    ({"args": "--select 'DDB1"}, "`args` cannot be split"),
    ({"version": "0.1.0; curl x"}, "is not a version"),
    ({"annotation-level": "fatal"}, "`annotation-level: fatal` is not one of warning, error, notice"),
])
def test_wrong_inputs_exit_2_before_running_ddblint(action, workspace, inputs, problem):
    run = action(**{k.replace("-", "_"): v for k, v in inputs.items()}, sarif_file="ddblint.sarif")
    assert run.returncode == 2
    (line,) = run.stdout.splitlines()
    assert line.startswith("::error title=ddblint action::") and problem in line
    assert run.outputs == {"findings": "0", "exit-code": "2"}
    assert not (workspace / "ddblint.sarif").exists() and "$ " not in run.stderr, "ddblint did not run"


@posix_only
def test_installed_needs_a_ddblint_on_path(workspace, tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DDBLINT_", "GITHUB_", "RUNNER_"))}
    environment["PATH"] = str(tmp_path / "nothing")
    run = run_action(workspace, tmp_path / "runner", {"version": "installed"}, environment)
    assert run.returncode == 2 and "no `ddblint` on PATH" in run.stdout


@posix_only
def test_a_ddblint_that_cannot_start_exits_2_not_1(workspace, tmp_path):
    """Exit 1 means findings: a command that cannot start must not look like that."""
    bindir = tmp_path / "broken-bin"
    bindir.mkdir()
    (bindir / "ddblint").write_text("#!/nonexistent/interpreter\n")
    (bindir / "ddblint").chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DDBLINT_", "GITHUB_", "RUNNER_"))}
    environment["PATH"] = str(bindir)
    run = run_action(workspace, tmp_path / "runner", {"version": "installed"}, environment)
    assert run.returncode == 2 and run.stdout.startswith("::error title=ddblint action::")
    assert run.outputs["exit-code"] == "2"


@SLOW
@posix_only
def test_ddblints_own_output_variables_do_not_move_the_annotations(action, expected, workspace):
    run = action(env={"DDBLINT_OUTPUT_FILE": str(workspace / "stolen.txt"), "DDBLINT_OUTPUT_FORMAT": "json"})
    assert run.returncode == 1
    assert located(annotations(run.stdout)) == expected
    assert not (workspace / "stolen.txt").exists()


# --- the default: the action's own checkout, installed for real ------------------------------

_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache", ".hypothesis", ".ddblint_cache", "tests")


@pytest.mark.slow  # builds and installs ddblint in a new virtual environment (pip, setuptools)
@posix_only
def test_default_version_installs_the_actions_own_checkout(workspace, tmp_path, expected, request):
    """`uses: OWNER/ddblint@REF` checks the repository out at REF into GITHUB_ACTION_PATH; with
    `version` empty the script installs that checkout into its own environment under RUNNER_TEMP
    and runs it. The ddblint on PATH (none here) and the test's import path play no part."""
    checkout = tmp_path / "action-checkout"
    shutil.copytree(str(REPO), str(checkout), ignore=_NOT_SOURCE)
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("DDBLINT_", "GITHUB_", "RUNNER_", "INPUT_", "PIP_"))
                   and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    environment["PATH"] = os.pathsep.join(p for p in environment.get("PATH", "").split(os.pathsep)
                                          if not (Path(p) / "ddblint").exists())
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # the dependency wheels tests/test_packaging.py keeps, when it has run: pip looks there first
    environment["PIP_FIND_LINKS"] = str(cache_directory(request.config, "wheels"))
    environment["GITHUB_ACTION_PATH"] = str(checkout)

    started = time.monotonic()
    first = run_action(workspace, tmp_path / "runner", {"sarif-file": "ddblint.sarif"}, environment, timeout=900)
    took = time.monotonic() - started
    assert first.returncode == 1, first.stdout + first.stderr
    assert "::group::Install ddblint (%s)" % checkout in first.stdout
    assert located(annotations(first.stdout)) == expected
    assert (workspace / "ddblint.sarif").is_file()

    (venv,) = (tmp_path / "runner" / "temp").glob("ddblint-action-*")
    python = venv / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import ddblint, ddblint.rules; print(ddblint.__file__)"],
                           capture_output=True, text=True, cwd=str(tmp_path), env=environment)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve().is_relative_to(venv.resolve()), where.stdout
    assert f"$ {venv / 'bin' / 'ddblint'} check " in first.stderr

    # A second use in the same job reuses the environment.
    started = time.monotonic()
    second = run_action(workspace, tmp_path / "runner", {}, environment, timeout=900)
    assert second.returncode == 1 and "::group::" not in second.stdout
    assert located(annotations(second.stdout)) == expected
    assert time.monotonic() - started < took
