"""The recipes in docs/editors.md and docs/ci.md, extracted from the markdown and run.

Every fenced code block in those two pages is preceded by a marker `<!-- recipe: NAME -->`
(invisible once rendered); the tests below find the blocks by name, so what is tested is what
the page shows. A page with a block that has no marker, or a marker this file does not know,
fails `test_every_snippet_is_a_known_recipe`.

- The `ddblint` commands of the CI recipes run in a copy of `examples/`, with this
  environment's `ddblint` on PATH, and their reports are compared with the findings of
  `ddblint check --output-format json` on the same tree. `pip install` lines are not run.
- The workflows that use the action run its script (scripts/action.py, as action.yml's step
  does) in a copy of `examples/` with the inputs the workflow gives and `version: installed`:
  this environment's `ddblint` stands for the action's own checkout, which tests/test_action.py
  installs for real.
- The pre-commit configurations run in a scratch git repository, with `repo:` pointed at a
  clone of this repository's committed HEAD (the clone is the only way to get a `rev`;
  uncommitted changes are not in it). The hook environment is built once per module.
- The editor patterns (VS Code problem matcher, Vim errorformat, PyCharm output filter) are
  applied to real concise output, each the way its editor applies it.
- The language-server snippets must launch `ddblint server`, which must answer `initialize`.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from conftest import action_inputs, run_action

import ddblint

pytestmark = pytest.mark.slow  # every recipe runs the real command, git or pre-commit in child processes
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EDITORS = ROOT / "docs" / "editors.md"
CI = ROOT / "docs" / "ci.md"

RECIPE = re.compile(r"<!-- recipe: ([\w-]+) -->\n```([\w-]*)\n(.*?)\n```", re.S)
FENCE = re.compile(r"^```", re.M)

EDITOR_RECIPES = {"vscode-lsp", "vscode-task", "neovim-lsp-config", "neovim-lsp-start", "vim",
                  "emacs-eglot", "pycharm"}
CI_RECIPES = {"github-action", "github-action-sarif", "github-sarif", "github-annotations", "gitlab", "pre-commit",
              "pre-commit-fix", "baseline", "pre-commit-baseline"}

SCRIPTS = Path(sysconfig.get_path("scripts"))
TIMEOUT = 600

BLIND_UPDATE = textwrap.dedent('''\
    import boto3


    def change(a):
        boto3.resource("dynamodb").Table("t").update_item(Key={"pk": "1"}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})
''')

ANOTHER_BLIND_UPDATE = textwrap.dedent('''\


    def change_again(a):
        boto3.resource("dynamodb").Table("t").update_item(Key={"pk": "2"}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": a})
''')


# --- extraction ------------------------------------------------------------------------------

def recipes(page: Path):
    text = page.read_text()
    found = {}
    for name, lang, body in RECIPE.findall(text):
        assert name not in found, f"{page.name}: recipe `{name}` appears twice"
        found[name] = (lang, body + "\n")
    return found


def recipe(page: Path, name: str) -> str:
    return recipes(page)[name][1]


def ddblint_lines(commands):
    """The command lines that run ddblint; every other line must be a `pip install`."""
    run = []
    for line in commands:
        line = line.strip()
        if not line:
            continue
        if line.split()[0] == "ddblint":
            run.append(line)
        else:
            assert line.startswith("pip install "), f"a recipe command the tests do not run: {line}"
    assert run, "no ddblint command in the recipe"
    return run


def output_file(command: str) -> str:
    words = shlex.split(command)
    for flag in ("-o", "--output-file"):
        if flag in words:
            return words[words.index(flag) + 1]
    raise AssertionError(f"no -o in {command}")


# --- running ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def env():
    if not (SCRIPTS / "ddblint").exists() and not (SCRIPTS / "ddblint.exe").exists():
        pytest.skip(f"no ddblint executable in {SCRIPTS}")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "DDBLINT_")) and k not in ("SKIP", "PRE_COMMIT")}
    env["PATH"] = str(SCRIPTS) + os.pathsep + env.get("PATH", "")
    # This checkout first on the import path (as conftest.ddblint_process does): the `ddblint` on
    # PATH then runs the code under test even where this environment installed another checkout.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def sh(command, cwd, env):
    return subprocess.run(["bash", "-c", command], cwd=str(cwd), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)


def run(argv, cwd, env):
    return subprocess.run([str(a) for a in argv], cwd=str(cwd), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=TIMEOUT)


@pytest.fixture
def workspace(tmp_path):
    """A copy of examples/ (ddblint writes its cache next to the configuration)."""
    copy = tmp_path / "examples"
    shutil.copytree(str(EXAMPLES), str(copy), ignore=shutil.ignore_patterns(".ddblint_cache", "__pycache__"))
    return copy


def findings(cwd: Path, target: str, env) -> set:
    """(absolute file, line, column, code) of every finding, from the JSON output."""
    proc = sh(f"ddblint check --output-format json --no-cache {shlex.quote(target)}", cwd, env)
    assert proc.returncode == 1, proc.stderr
    found = {(os.path.realpath(os.path.join(str(cwd), d["filename"])), d["location"]["row"],
              d["location"]["column"], d["code"]) for d in json.loads(proc.stdout)}
    assert len(found) >= 5, "examples/ should have several findings"
    return found


def real(cwd, path) -> str:
    full = os.path.join(str(cwd), path)
    assert os.path.isfile(full), f"{path} (relative to {cwd}) is not a file"
    return os.path.realpath(full)


# --- the pages -------------------------------------------------------------------------------

@pytest.mark.parametrize("page, expected", [(EDITORS, EDITOR_RECIPES), (CI, CI_RECIPES)],
                         ids=["editors", "ci"])
def test_every_snippet_is_a_known_recipe(page, expected):
    found = recipes(page)
    assert set(found) == expected
    # Each fence opens and closes: twice as many fences as recipes means none is unmarked.
    assert len(FENCE.findall(page.read_text())) == 2 * len(found), f"{page.name} has a code block without a recipe marker"


def test_readme_links_both_pages():
    usage = (ROOT / "README.md").read_text().split("## Usage", 1)[1].split("\n## ", 1)[0]
    assert "(docs/editors.md)" in usage and "(docs/ci.md)" in usage


# --- GitHub Actions --------------------------------------------------------------------------

def workflow_steps(name):
    workflow = yaml.safe_load(recipe(CI, name))
    assert workflow["name"]
    assert "on" in workflow or True in workflow  # YAML 1.1 reads a bare `on` as true
    (job,) = workflow["jobs"].values()
    assert job["runs-on"]
    return job, job["steps"]


def run_steps(steps):
    return [step for step in steps if "run" in step]


def test_github_sarif_workflow(workspace, env):
    job, steps = workflow_steps("github-sarif")
    assert job["permissions"]["security-events"] == "write"
    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    sarif_file = upload["with"]["sarif_file"]
    assert steps.index(upload) == len(steps) - 1, "the upload comes after ddblint"

    expected = findings(workspace, ".", env)
    commands = ddblint_lines(line for step in run_steps(steps) for line in step["run"].splitlines())
    assert len(commands) == 1
    (command,) = commands
    assert output_file(command) == sarif_file
    assert "--exit-zero" in command or upload.get("if") == "always()", \
        "with findings, the upload must still run"
    proc = sh(command, workspace, env)
    assert proc.returncode == (0 if "--exit-zero" in command else 1), proc.stderr
    assert proc.stdout == ""

    log = json.loads((workspace / sarif_file).read_text())
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    reported = set()
    for result in sarif_run["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:")), "code scanning wants paths relative to the checkout"
        region = physical["region"]
        reported.add((real(workspace, uri), region["startLine"], region["startColumn"], result["ruleId"]))
        assert result["message"]["text"]
    assert reported == expected


def test_github_annotations_workflow(workspace, env):
    _, steps = workflow_steps("github-annotations")
    (command,) = ddblint_lines(line for step in run_steps(steps) for line in step["run"].splitlines())
    assert "--output-format github" in command
    expected = findings(workspace, ".", env)
    proc = sh(command, workspace, env)
    assert proc.returncode == 1, proc.stderr  # findings fail the job
    lines = proc.stdout.splitlines()
    assert lines and len(lines) == len(expected)
    annotated = set()
    for line in lines:
        match = re.match(r"^::(warning|error|notice) ([^:]+)::(.+)$", line)
        assert match, line
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        code = re.search(r"\((DDB\d{3})\)", props["title"]).group(1)
        annotated.add((real(workspace, props["file"]), int(props["line"]), code))
    assert annotated == {(f, line, code) for f, line, _col, code in expected}


def action_step(name):
    """The workflow's job, its steps and the step that uses the action (`OWNER/NAME@REF` of
    ddblint.PROJECT_URL), after actions/checkout; its inputs are action.yml's."""
    job, steps = workflow_steps(name)
    owner_name = "/".join(ddblint.PROJECT_URL.rstrip("/").split("/")[-2:])
    (step,) = [s for s in steps if str(s.get("uses", "")).startswith(owner_name + "@")]
    assert str(steps[0].get("uses", "")).startswith("actions/checkout@"), "the action checks the checkout"
    assert steps.index(step) > 0
    given = {k: str(v) for k, v in (step.get("with") or {}).items()}
    assert set(given) <= set(action_inputs()), f"not inputs of action.yml: {set(given) - set(action_inputs())}"
    assert "version" not in given, "the recipes show the default: the action's own checkout"
    return job, steps, given


def action_findings(workspace, given, env):
    """(file, line, column, code) of what ddblint finds with the inputs' `args` and `src`."""
    inputs = {name: given.get(name, default) for name, (_, default) in action_inputs().items()}
    command = f"ddblint check --output-format json --no-cache {inputs['args']} {inputs['src']}"
    proc = sh(command, workspace, env)
    assert proc.returncode == 1, proc.stderr
    return {(os.path.realpath(d["filename"]), d["location"]["row"], d["location"]["column"], d["code"])
            for d in json.loads(proc.stdout)}


def annotated(workspace, stdout):
    found = set()
    for line in stdout.splitlines():
        match = re.match(r"^::(warning|error|notice) ([^:]+)::(.+)$", line)
        assert match, line
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        code = re.search(r"\((DDB\d{3})\)", props["title"]).group(1)
        found.add((real(workspace, props["file"]), int(props["line"]), code))
    return found


def test_github_action_recipe(workspace, env, tmp_path):
    _, _, given = action_step("github-action")
    expected = action_findings(workspace, given, env)
    run = run_action(workspace, tmp_path / "runner", dict(given, version="installed"), env)
    assert run.returncode == 1, run.stdout + run.stderr  # findings fail the job
    assert annotated(workspace, run.stdout) == {(f, line, code) for f, line, _col, code in expected}
    assert run.outputs["findings"] == str(len(expected))


def test_github_action_sarif_recipe(workspace, env, tmp_path):
    job, steps, given = action_step("github-action-sarif")
    assert job["permissions"]["security-events"] == "write"
    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert steps.index(upload) == len(steps) - 1, "the upload comes after ddblint"
    assert upload.get("if") == "always()", "the ddblint step fails on findings: the upload must still run"
    sarif_file = upload["with"]["sarif_file"]
    assert given["sarif-file"] == sarif_file

    expected = action_findings(workspace, given, env)
    run = run_action(workspace, tmp_path / "runner", dict(given, version="installed"), env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert annotated(workspace, run.stdout) == {(f, line, code) for f, line, _col, code in expected}
    log = json.loads((workspace / sarif_file).read_text())
    assert log["version"] == "2.1.0"
    reported = set()
    for result in log["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:")), "code scanning wants paths relative to the checkout"
        reported.add((real(workspace, uri), physical["region"]["startLine"], physical["region"]["startColumn"],
                      result["ruleId"]))
    assert reported == expected


# --- GitLab CI -------------------------------------------------------------------------------

def test_gitlab_job(workspace, env):
    config = yaml.safe_load(recipe(CI, "gitlab"))
    (job,) = config.values()
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always", "reports must be uploaded when the job fails"
    reports = artifacts["reports"]
    expected = findings(workspace, ".", env)

    produced = {}
    for command in ddblint_lines(job["script"]):
        proc = sh(command, workspace, env)
        assert proc.returncode == (0 if "--exit-zero" in command else 1), proc.stderr
        produced[shlex.split(command)[shlex.split(command).index("--output-format") + 1]] = output_file(command)
    assert produced == {"gitlab": reports["codequality"], "junit": reports["junit"]}

    quality = json.loads((workspace / reports["codequality"]).read_text())
    assert isinstance(quality, list) and len(quality) == len(expected)
    assert len({issue["fingerprint"] for issue in quality}) == len(quality), "fingerprints are unique"
    located = set()
    for issue in quality:
        assert issue["description"] and issue["check_name"] and issue["severity"]
        location = issue["location"]
        line = location["lines"]["begin"] if "lines" in location else location["positions"]["begin"]["line"]
        located.add((real(workspace, location["path"]), line, issue["check_name"]))
    assert located == {(f, line, code) for f, line, _col, code in expected}

    suites = ET.parse(str(workspace / reports["junit"])).getroot()
    assert suites.tag == "testsuites"
    failures = suites.findall(".//testcase/failure")
    assert len(failures) == len(expected)
    assert {f.get("type") for f in failures} == {code for *_, code in expected}


# --- the baseline recipe (on examples/) ------------------------------------------------------

def test_baseline_recipe(workspace, env):
    write, check = ddblint_lines(line for line in recipe(CI, "baseline").splitlines()
                                 if not line.startswith("git "))
    assert "--write-baseline" in write and "--baseline" in check
    proc = sh(write, workspace, env)
    assert proc.returncode == 0, proc.stderr
    proc = sh(check, workspace, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # One more unguarded update in a file that already has one: the run is red again.
    repository = workspace / "quickstart" / "subscribers" / "repository.py"
    repository.write_text(repository.read_text() + ANOTHER_BLIND_UPDATE)
    proc = sh(check, workspace, env)
    assert proc.returncode == 1, proc.stderr
    assert "quickstart/subscribers/repository.py" in proc.stdout and "DDB101" in proc.stdout


# --- pre-commit ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory, env):
    """A clone of this repository's HEAD and a pre-commit store shared by the module's tests:
    every configuration names the same repo and rev, so pre-commit builds one environment."""
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("the checkout is not a git repository")
    base = tmp_path_factory.mktemp("pre-commit")
    clone = base / "ddblint"
    proc = run(["git", "clone", "-q", ROOT, clone], base, env)
    assert proc.returncode == 0, proc.stdout
    if not (clone / ".pre-commit-hooks.yaml").exists():
        pytest.skip("HEAD has no .pre-commit-hooks.yaml")
    sha = run(["git", "rev-parse", "HEAD"], clone, env).stdout.strip()
    hook_env = dict(env, PRE_COMMIT_HOME=str(base / "home"))
    hook_env.pop("VIRTUAL_ENV", None)
    hook_env.pop("PYTHONPATH", None)  # the hooks run the clone pre-commit installs, not this checkout
    return str(clone), sha, hook_env


@pytest.fixture
def consumer(tmp_path, hook_repo):
    _, _, env = hook_repo
    repo = tmp_path / "consumer"
    repo.mkdir()

    def git(*args):
        proc = run(["git"] + list(args), repo, env)
        assert proc.returncode == 0, proc.stdout

    git("init", "-q")
    for key, value in (("user.name", "ddblint tests"), ("user.email", "tests@ddblint.invalid"),
                       ("commit.gpgsign", "false")):
        git("config", key, value)

    def commit(files):
        for name, text in files.items():
            (repo / name).write_text(text)
        git("add", *files)
        git("commit", "-q", "-m", "change")
        return repo

    return commit


def pre_commit_config(name, hook_repo):
    """The documented configuration, with `repo`/`rev` pointed at the local clone."""
    clone, sha, _ = hook_repo
    config = yaml.safe_load(recipe(CI, name))
    (entry,) = config["repos"]
    assert entry["repo"].startswith("https://") and entry["rev"], "the documented form is the remote one"
    entry["repo"], entry["rev"] = clone, sha
    return yaml.safe_dump(config, sort_keys=False)


def pre_commit_run(repo, hook_repo):
    _, _, env = hook_repo
    return run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color=never"], repo, env)


@pytest.mark.parametrize("name, hook", [("pre-commit", "ddblint"), ("pre-commit-fix", "ddblint-fix")])
def test_pre_commit_recipe(name, hook, consumer, hook_repo):
    repo = consumer({"app.py": BLIND_UPDATE, ".pre-commit-config.yaml": pre_commit_config(name, hook_repo)})
    proc = pre_commit_run(repo, hook_repo)
    assert proc.returncode == 1, proc.stdout
    assert f"- hook id: {hook}\n" in proc.stdout, proc.stdout
    assert "DDB101" in proc.stdout and "app.py" in proc.stdout, proc.stdout
    assert (repo / "app.py").read_text() == BLIND_UPDATE, "DDB101's fix is unsafe: the hook must not apply it"


def test_pre_commit_baseline_recipe(consumer, hook_repo):
    _, _, env = hook_repo
    repo = consumer({"app.py": BLIND_UPDATE})
    write, check = ddblint_lines(line for line in recipe(CI, "baseline").splitlines()
                                 if not line.startswith("git "))
    proc = sh(write, repo, env)
    assert proc.returncode == 0, proc.stderr
    proc = sh(check, repo, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # Today's finding is in the baseline: the hook passes.
    config = pre_commit_config("pre-commit-baseline", hook_repo)
    repo = consumer({"ddblint-baseline.json": (repo / "ddblint-baseline.json").read_text(),
                     ".pre-commit-config.yaml": config})
    proc = pre_commit_run(repo, hook_repo)
    assert proc.returncode == 0, proc.stdout

    # A new one is not.
    repo = consumer({"app.py": BLIND_UPDATE + ANOTHER_BLIND_UPDATE})
    proc = pre_commit_run(repo, hook_repo)
    assert proc.returncode == 1, proc.stdout
    assert "DDB101" in proc.stdout and "app.py" in proc.stdout, proc.stdout


# --- editors: patterns over concise output ---------------------------------------------------

def test_vscode_task_problem_matcher(workspace, env):
    tasks = json.loads(recipe(EDITORS, "vscode-task"))
    (task,) = tasks["tasks"]
    assert task["type"] == "shell"
    matcher = task["problemMatcher"]
    assert matcher["fileLocation"] == ["relative", "${workspaceFolder}"]
    pattern = matcher["pattern"]
    regexp = pattern["regexp"]
    assert not re.search(r"\(\?P|\(\?<|\\[AZz]|\(\?[aiLmsux]", regexp), "use only syntax JavaScript reads the same way"

    expected = findings(workspace, ".", env)
    proc = sh(task["command"], workspace, env)  # the workspace folder is the task's directory
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr  # --quiet: no summary
    lines = proc.stdout.splitlines()
    assert len(lines) == len(expected)
    matched = set()
    for line in lines:
        m = re.match(regexp, line)  # VS Code: new RegExp(regexp).exec(line)
        assert m, line
        g = m.groups()
        assert g[pattern["message"] - 1]
        matched.add((real(workspace, g[pattern["file"] - 1]), int(g[pattern["line"] - 1]),
                     int(g[pattern["column"] - 1]), g[pattern["code"] - 1]))
    assert matched == expected

    node = shutil.which("node")
    if node:  # the same regexp, read by JavaScript
        script = ("const [re, lines] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
                  "console.log(JSON.stringify(lines.map(l => { const m = new RegExp(re).exec(l);"
                  " return m && m.slice(1); })));")
        js = subprocess.run([node, "-e", script], input=json.dumps([regexp, lines]), stdout=subprocess.PIPE,
                            universal_newlines=True, timeout=60, check=True)
        assert json.loads(js.stdout) == [list(re.match(regexp, line).groups()) for line in lines]


def vim_option(text, name):
    (value,) = re.findall(r"^setlocal %s=(.*)$" % name, text, re.M)
    return re.sub(r"\\(.)", r"\1", value)  # `\ ` is a space in :set


def errorformat_regex(efm):
    """Vim's errorformat items used in the recipe, as a Python regex (anchored to the line)."""
    items = {"%f": r"(?P<file>.+?)", "%l": r"(?P<line>\d+)", "%c": r"(?P<col>\d+)", "%m": r"(?P<msg>.+)"}
    parts = re.split(r"(%.)", efm)
    for part in parts:
        assert not part.startswith("%") or part in items, f"no translation for {part}"
    return re.compile("".join(items.get(p, re.escape(p)) for p in parts))


def test_vim_makeprg_errorformat(workspace, env):
    text = recipe(EDITORS, "vim")
    makeprg, efm = vim_option(text, "makeprg"), vim_option(text, "errorformat")
    assert efm == "%f:%l:%c: %m"
    pattern = errorformat_regex(efm)
    cwd = workspace.parent
    expected = findings(cwd, "examples/", env)
    proc = sh(makeprg + " examples/", cwd, env)  # `:make examples/`
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(expected)
    matched = set()
    for line in lines:
        m = pattern.fullmatch(line)
        assert m, line
        code = m.group("msg").split()[0]
        matched.add((real(cwd, m.group("file")), int(m.group("line")), int(m.group("col")), code))
    assert matched == expected


# JetBrains' RegexpFilter (com.intellij.execution.filters): the macros' expansions, then
# Matcher.find() per line; the file is looked up by its path as printed, which must be absolute.
JETBRAINS_MACROS = {"$FILE_PATH$": r"((?:[A-Za-z]:)?[0-9 a-z_A-Z\-\\./]+)", "$LINE$": r"([0-9]+)",
                    "$COLUMN$": r"([0-9]+)"}


def test_pycharm_external_tool(workspace, env):
    fields = dict(re.findall(r"^([A-Za-z ]+):\s+(.*)$", recipe(EDITORS, "pycharm"), re.M))
    interpreter_dir = str(SCRIPTS)  # the venv's bin: where PyCharm's interpreter and ddblint live

    def expand(value, file=""):
        return (value.replace("$PyInterpreterDirectory$", interpreter_dir).replace("$FilePath$", file)
                .replace("$ProjectFileDir$", str(workspace)))

    output_filter = fields["Output filters"]
    assert output_filter == "$FILE_PATH$:$LINE$:$COLUMN$"
    parts = re.split(r"(\$[A-Z_]+\$)", output_filter)
    pattern = re.compile("".join(JETBRAINS_MACROS.get(p, re.escape(p)) for p in parts))

    expected = findings(workspace, ".", env)
    files = sorted({f for f, *_ in expected})
    matched = set()
    for path in files:
        argv = [expand(fields["Program"])] + [expand(a, path) for a in shlex.split(fields["Arguments"])]
        cwd = expand(fields["Working directory"])
        assert path.startswith(os.path.realpath(cwd) + os.sep), "the file is inside the working directory"
        proc = run(argv, cwd, env)
        assert proc.returncode == 1, proc.stdout
        for line in proc.stdout.splitlines():
            m = pattern.search(line)
            assert m, line
            printed = m.group(1)
            assert os.path.isabs(printed), f"PyCharm links only absolute paths: {line}"
            assert os.path.realpath(printed) == path
            matched.add((path, int(m.group(2)), int(m.group(3)), line[m.end():].lstrip(": ").split()[0]))
    assert matched == expected


# --- editors: language servers ---------------------------------------------------------------

def lua_list(text, key):
    (items,) = re.findall(r"\b%s\s*=\s*\{([^}]*)\}" % key, text)
    return re.findall(r'"([^"]*)"', items)


def test_vscode_lsp_settings():
    settings = json.loads(recipe(EDITORS, "vscode-lsp"))
    assert [settings["glspc.serverCommand"]] + settings["glspc.serverCommandArguments"] == ["ddblint", "server"]
    assert settings["glspc.languageId"] == "python"


def test_neovim_lsp_config():
    text = recipe(EDITORS, "neovim-lsp-config")
    assert lua_list(text, "cmd") == ["ddblint", "server"]
    assert lua_list(text, "filetypes") == ["python"]
    assert {"pyproject.toml", ".git"} <= set(lua_list(text, "root_markers"))
    assert 'vim.lsp.config("ddblint"' in text and 'vim.lsp.enable("ddblint")' in text


def test_neovim_lsp_start():
    text = recipe(EDITORS, "neovim-lsp-start")
    assert lua_list(text, "cmd") == ["ddblint", "server"]
    assert re.search(r'pattern\s*=\s*"python"', text)
    (markers,) = re.findall(r"vim\.fs\.root\(args\.buf, \{([^}]*)\}\)", text)
    assert {"pyproject.toml", ".git"} <= set(re.findall(r'"([^"]*)"', markers))
    assert "vim.lsp.start(" in text


def test_emacs_eglot():
    text = recipe(EDITORS, "emacs-eglot")
    assert text.count("(") == text.count(")")
    (modes, command) = re.findall(r"'\(\(([\w\s-]+)\)\s*\.\s*\(([^()]*)\)\)", text)[0]
    assert "python-mode" in modes.split() and "python-ts-mode" in modes.split()
    assert re.findall(r'"([^"]*)"', command) == ["ddblint", "server"]
    assert "eglot-server-programs" in text


def lsp_message(payload):
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def lsp_messages(data: bytes):
    messages = []
    while data:
        header, _, rest = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", header).group(1))
        messages.append(json.loads(rest[:length]))
        data = rest[length:]
    return messages


def test_ddblint_server_starts(env):
    """The command every LSP snippet launches: `--help` works, and it answers `initialize`."""
    pytest.importorskip("pygls")
    proc = sh("ddblint server --help", ROOT, env)
    assert proc.returncode == 0, proc.stderr
    requests = b"".join(lsp_message(m) for m in (
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": None, "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ))
    server = subprocess.run(["ddblint", "server"], input=requests, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=str(ROOT), timeout=60)
    replies = {m["id"]: m for m in lsp_messages(server.stdout) if "id" in m}
    assert "capabilities" in replies[1]["result"], replies
    assert replies[2]["result"] is None
