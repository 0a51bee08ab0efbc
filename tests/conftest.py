"""Helpers shared by the tests: lint a snippet, run the command line, make a project tree.

They use only ddblint's public entry points (`engine.check_source`, `config.settings_for`,
`registry`, `cli.main`, `python -m ddblint`), so that a test exercises what a user runs.

`python -m pytest -m "not slow"` is the inner loop (under a minute); the `slow` marker (see
pyproject.toml) is on every test that takes more than about ten seconds, and on the slowest of
the rest, which start processes, build wheels or fuzz.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple, Union

import pytest
import yaml

from ddblint import cli, config, engine, registry
from ddblint.diagnostics import Diagnostic

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"  # test data kept in the repository (see its README)
SARIF_SCHEMA = DATA / "sarif-schema-2.1.0.json"
# A module with one finding, DDB101 at 7:5 (an update with no version condition)
BLIND_UPDATE = textwrap.dedent('''\
    import boto3

    table = boto3.resource("dynamodb").Table("t")


    def change_address(pk, address):
        table.update_item(
            Key={"pk": pk},
            UpdateExpression="SET address = :a",
            ExpressionAttributeValues={":a": address},
        )
''')


# -- a project tree --------------------------------------------------------------------------------

def make_tree(root: Path, files: Mapping[str, Union[str, bytes]], dedent: bool = True) -> Path:
    """Write `files` (relative path -> text or bytes) under `root`, creating directories; text is
    dedented (and its leading newline dropped) unless `dedent` is False. Returns `root`."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n") if dedent else content, encoding="utf-8")
    return root


# -- lint a snippet --------------------------------------------------------------------------------

def lint_snippet(source: Union[str, bytes], directory: Path, *, toml: str = "", config_name: str = "pyproject.toml",
                 filename: str = "app.py", select: Iterable[str] = (), defaults: bool = True,
                 dedent: bool = True) -> List[Diagnostic]:
    """The findings on `source`, linted as `filename` in a project of its own (a new directory
    under `directory`) as `ddblint check` would: its configuration, `engine.check_source`.
    `toml` (dedented) is written to `config_name` when given; with no configuration file the
    project's root is the current directory, as for the command. The rules are those enabled by
    default (unless `defaults` is False) and those of `select`. Asserts that no rule crashed."""
    root = Path(tempfile.mkdtemp(dir=directory))
    if toml:
        make_tree(root, {config_name: toml})
    target = root / filename
    make_tree(root, {filename: source}, dedent=dedent)
    settings = config.settings_for(target, registry.defaults())
    wanted = set(select)
    rules = [rule for code, rule in registry.all_rules().items() if code in wanted or (defaults and rule.default)]
    result = engine.check_source(target.read_bytes(), target, filename, settings, rules)
    assert not result.errors, "\n".join(result.errors)
    return result.diagnostics


# -- the command line ------------------------------------------------------------------------------

def _environment(env: Optional[Mapping[str, str]]) -> dict:
    """The test process's environment without ddblint's own variables (a developer's
    DDBLINT_OUTPUT_FORMAT must not change what a test sees) or pre-commit's, with this checkout
    first on the import path (the command runs this code from any directory), and `env`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DDBLINT_", "PRE_COMMIT"))}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    environment.update(env or {})
    return environment


def ddblint_process(*args: str, cwd: Path, stdin: Union[str, bytes, None] = None,
                    env: Optional[Mapping[str, str]] = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """`python -m ddblint ARGS` in a child process, in `cwd`: for what needs a real process (exit
    status, signals, workers, stdin). Text in and out (bytes in, bytes out when `stdin` is bytes)."""
    text = not isinstance(stdin, bytes)
    return subprocess.run([sys.executable, "-m", "ddblint", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=text, env=_environment(env), timeout=timeout)


@pytest.fixture
def ddblint_main(tmp_path, monkeypatch, capsys):
    """`ddblint_main(*args, cwd=tmp_path)`: `ddblint.cli.main(args)` in this process, in `cwd`,
    without ddblint's environment variables; returns a CompletedProcess (returncode, stdout,
    stderr) as `ddblint_process` does."""
    for name in list(os.environ):
        if name.startswith("DDBLINT_"):
            monkeypatch.delenv(name)

    def run(*args: str, cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd or tmp_path)
        config.clear_cache()  # as a new process: configuration files may have changed since the last run
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["ddblint", *args], code, out, err)

    return run


def json_findings(run: subprocess.CompletedProcess) -> list:
    """The findings of a `--output-format json` run (its exit status says findings or none)."""
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout)


# -- a cache that outlives the run -----------------------------------------------------------------

def cache_directory(pytest_config: pytest.Config, name: str) -> Path:
    """`config.cache.mkdir(name)`, the same directory when the cache plugin is off (`-p
    no:cacheprovider`): downloaded wheels and pre-commit environments are kept between runs."""
    cache = getattr(pytest_config, "cache", None)
    if cache is not None:
        return Path(str(cache.mkdir(name)))
    path = Path(str(pytest_config.rootpath)) / ".pytest_cache" / "d" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


# -- SARIF ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def validator():
    """A validator for the OASIS SARIF 2.1.0 schema, kept in tests/data/."""
    import jsonschema  # a test dependency (pyproject.toml), needed by the SARIF tests alone

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


# -- the GitHub Action ----------------------------------------------------------------------------

ACTION_SCRIPT = REPO / "scripts" / "action.py"


class ActionRun(NamedTuple):
    returncode: int
    stdout: str  # the workflow commands (annotations)
    stderr: str  # the commands run, ddblint's summary and errors
    outputs: Dict[str, str]  # what the step wrote to GITHUB_OUTPUT
    summary: str  # what it wrote to GITHUB_STEP_SUMMARY


def action_inputs() -> Dict[str, Tuple[str, str]]:
    """Each input of action.yml: (the variable its step maps it to, its default)."""
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    (step,) = action["runs"]["steps"]
    variables = {}
    for variable, value in step["env"].items():
        m = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", str(value))
        assert m, f"{variable}: {value}"
        variables[m.group(1)] = variable
    assert set(variables) == set(action["inputs"]), "every input reaches the script, once"
    return {name: (variables[name], str(spec.get("default", ""))) for name, spec in action["inputs"].items()}


def run_action(cwd: Path, runner: Path, inputs: Optional[Mapping[str, str]] = None,
               env: Optional[Mapping[str, str]] = None, timeout: float = 600) -> ActionRun:
    """scripts/action.py run as action.yml's step runs it: in `cwd` (the workspace), each input
    in its variable (action.yml's default unless `inputs` gives it), and a fake runner: the
    GITHUB_*/RUNNER_* variables, with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP under
    `runner`. `env` is the rest of the environment (default: this one, less ddblint's, the
    runner's and the inputs' variables)."""
    runner.mkdir(parents=True, exist_ok=True)
    base = env if env is not None else {k: v for k, v in os.environ.items()
                                        if not k.startswith(("DDBLINT_", "GITHUB_", "RUNNER_", "INPUT_"))}
    environment = dict(base)
    environment.update({
        "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": str(cwd), "GITHUB_ACTION_PATH": str(REPO),
        "RUNNER_OS": "Windows" if os.name == "nt" else "Linux", "RUNNER_TEMP": str(runner / "temp"),
        "GITHUB_OUTPUT": str(runner / "output"), "GITHUB_STEP_SUMMARY": str(runner / "summary"),
    })
    (runner / "temp").mkdir(exist_ok=True)
    for name in ("output", "summary"):
        (runner / name).write_text("")
    given = dict(inputs or {})
    for name, (variable, default) in action_inputs().items():
        environment[variable] = given.pop(name, default)
    assert not given, f"not inputs of action.yml: {sorted(given)}"
    environment.update({k: v for k, v in (env or {}).items() if k.startswith(("GITHUB_", "RUNNER_"))})
    proc = subprocess.run([sys.executable, str(ACTION_SCRIPT)], cwd=cwd, env=environment, capture_output=True,
                          text=True, timeout=timeout)
    outputs = dict(line.split("=", 1) for line in (runner / "output").read_text().splitlines())
    return ActionRun(proc.returncode, proc.stdout, proc.stderr, outputs, (runner / "summary").read_text())
