"""What the GitHub Action (`action.yml`) runs: install ddblint, run `ddblint check` with GitHub
annotations, and, when asked, write a SARIF report for code scanning too.

Standard library only, Python 3.9 and newer: it runs before ddblint is installed, with the
runner's `python3` (or the one actions/setup-python put first on PATH).

Inputs come from the environment; action.yml maps each input of the action to one of these
(never into the script's text, so no input can inject a command):

    INPUT_ARGS              options for `ddblint check`, split as a POSIX shell would
    INPUT_SRC               the files and directories to check, split likewise (empty: `.`)
    INPUT_VERSION           which ddblint to run (see `requirement`)
    INPUT_SARIF_FILE        also write SARIF 2.1.0 to this path (empty: no SARIF)
    INPUT_ANNOTATION_LEVEL  warning | error | notice: the annotation of a rule's finding

and from the runner: GITHUB_ACTION_PATH (the action's checkout, at the ref `uses:` names),
RUNNER_TEMP (where the virtual environment goes), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.

What it does:

1. Resolves `ddblint`: the default installs the action's own checkout, so `uses: OWNER/ddblint@v1.2.3`
   runs ddblint 1.2.3 and the action and the linter it drives always match; `latest`, a version
   or a version specifier install that release from PyPI; `installed` runs the `ddblint` on PATH.
   Installs go into a virtual environment of their own under RUNNER_TEMP (ddblint never imports
   the checked code, so it needs none of the project's dependencies, and none of its own
   dependencies reach the project's environment); a second use in the same job reuses it.
2. With `sarif-file`: `ddblint check --output-format sarif --output-file FILE --exit-zero --quiet
   ARGS SRC`. `--exit-zero`: the findings are counted once, by the next run.
3. `ddblint check --output-format github --github-annotation-level LEVEL ARGS SRC`: the workflow
   commands go to standard output, where the runner turns them into annotations; the summary
   and any error to standard error. The second run reads the first's result cache.
4. Writes the outputs `findings`, `exit-code` and `sarif-file`, and a step summary with the count
   per rule (and a note when there are more annotations of a level than GitHub shows, 10 per step).

Exit status: the annotation run's (0 no findings, 1 findings, 2 usage, configuration or
internal error), or 2 when the inputs are wrong, the installation failed or the SARIF run
failed. Options that would change files or the output (`--fix`, `--diff`, `--output-format`,
`-o`, ...) are refused: the action reports; to fix, run `ddblint check --fix` yourself.
"""
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
LEVELS = ("warning", "error", "notice")
PER_STEP = 10  # GitHub shows at most this many annotations of each level per step
INSTALLED = "installed"
LATEST = "latest"

# PEP 440 versions (a leading `v`, as in a tag, is dropped) and specifiers such as `>=0.2,<0.3`.
_VERSION = r"\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?"
VERSION = re.compile(rf"v?({_VERSION})")
SPECIFIER = re.compile(rf"(?:~=|===?|!=|<=?|>=?)\s*{_VERSION}(?:\.\*)?"
                       rf"(?:\s*,\s*(?:~=|===?|!=|<=?|>=?)\s*{_VERSION}(?:\.\*)?)*")

# `ddblint check` options the action sets itself or that would change files: refused in `args`.
REFUSED = ("--output-format", "--output-file", "--github-annotation-level", "--statistics", "--fix", "--diff",
           "--fix-only", "--add-noqa", "--write-baseline", "--stdin-filename")
# short options that take no value (they may be grouped before `-o`, as in `-qo FILE`)
SHORT_FLAGS = "qv"
CHILD_ENV_DROPPED = ("DDBLINT_OUTPUT_FORMAT", "DDBLINT_OUTPUT_FILE")  # they would move or reshape the report
ANNOTATION = re.compile(r"^::(error|warning|notice) (?:[^:]*,)?title=ddblint \((\w+)\)")


class ActionError(Exception):
    """A problem with the inputs or the installation: exit 2 with an error annotation."""


# -- inputs --------------------------------------------------------------------------------------

def requirement(version: str, action_path: Optional[Path]) -> Optional[str]:
    """What to `pip install` for the `version` input, or None to use the `ddblint` on PATH.

    - "" (the default): the action's own checkout (GITHUB_ACTION_PATH), at the ref `uses:` names;
    - "latest": the newest release on PyPI;
    - a version, `0.2.0` or `v0.2.0`: that release;
    - a specifier, `>=0.2,<0.3`: the newest release it allows;
    - "installed": none, the `ddblint` already on PATH (installed by an earlier step).
    """
    version = version.strip()
    if not version:
        if action_path is None or not (action_path / "pyproject.toml").is_file():
            raise ActionError(f"`version` is empty, which installs the action's own checkout, but "
                              f"GITHUB_ACTION_PATH ({action_path}) holds no pyproject.toml")
        return str(action_path)
    if version == INSTALLED:
        return None
    if version == LATEST:
        return "ddblint"
    match = VERSION.fullmatch(version)
    if match:
        return f"ddblint=={match.group(1)}"
    if SPECIFIER.fullmatch(version):
        return "ddblint" + re.sub(r"\s+", "", version)
    raise ActionError(f"`version: {version}` is not a version (0.2.0), a specifier (>=0.2,<0.3), "
                      f"`latest`, `installed` or empty (the action's own checkout)")


def refused(args: Sequence[str]) -> List[str]:
    """The arguments in `args` that the action does not accept (long options also abbreviated,
    as argparse accepts them, and `-o` also grouped: `-qo FILE`, `-oFILE`)."""
    found = []
    for arg in args:
        if arg == "--":
            break
        if arg == "-":
            found.append(arg)  # standard input: there is none in a workflow step
        elif arg.startswith("--"):
            name = arg.split("=", 1)[0]
            if len(name) > 2 and any(option.startswith(name) for option in REFUSED):
                found.append(arg)
        elif arg.startswith("-") and len(arg) > 1:
            for letter in arg[1:]:
                if letter == "o":
                    found.append(arg)
                if letter not in SHORT_FLAGS:
                    break
    return found


def split(value: str, name: str) -> List[str]:
    try:
        return shlex.split(value)
    except ValueError as error:  # an unclosed quote
        raise ActionError(f"`{name}` cannot be split into arguments: {error}") from error


# -- installing ----------------------------------------------------------------------------------

def executable(bindir: Path, name: str) -> Path:
    return bindir / (name + ".exe" if os.name == "nt" else name)


def install(wanted: str, temp: Path) -> Path:
    """`ddblint` installed from `wanted` into a virtual environment of its own under `temp`
    (reused when this job already made it for the same requirement); its executable."""
    key = hashlib.sha256(wanted.encode()).hexdigest()[:12]
    env_dir = temp / f"ddblint-action-{key}"
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    ddblint = executable(bindir, "ddblint")
    if ddblint.exists():
        return ddblint
    print(f"::group::Install ddblint ({wanted})", flush=True)
    try:
        for command in ([sys.executable, "-m", "venv", str(env_dir)],
                        [str(executable(bindir, "python")), "-m", "pip", "install", "--disable-pip-version-check",
                         "--no-input", wanted]):
            proc = subprocess.run(command, stdout=sys.stderr.fileno(), stderr=sys.stderr.fileno())
            if proc.returncode != 0:
                shutil.rmtree(str(env_dir), ignore_errors=True)  # no half-made environment for a second use
                raise ActionError(f"installing ddblint ({wanted}) failed: `{' '.join(command)}` exited {proc.returncode}")
    finally:
        print("::endgroup::", flush=True)
    if not ddblint.exists():
        raise ActionError(f"installing ddblint ({wanted}) made no `{ddblint.name}` in {bindir}")
    return ddblint


def find_ddblint(version: str, environ: Dict[str, str]) -> str:
    action_path = environ.get("GITHUB_ACTION_PATH")
    wanted = requirement(version, Path(action_path) if action_path else None)
    if wanted is None:
        found = shutil.which("ddblint", path=environ.get("PATH"))
        if not found:
            raise ActionError("`version: installed`, but there is no `ddblint` on PATH: install it in an earlier step")
        return found
    temp = Path(environ.get("RUNNER_TEMP") or tempfile.gettempdir())
    return str(install(wanted, temp))


# -- running -------------------------------------------------------------------------------------

def child_environment(environ: Dict[str, str]) -> Dict[str, str]:
    env = {k: v for k, v in environ.items() if k not in CHILD_ENV_DROPPED}
    env.setdefault("PYTHONIOENCODING", "utf-8")  # a Windows runner's pipes are not UTF-8 otherwise
    return env


def commands(ddblint: str, args: List[str], src: List[str], sarif_file: str, level: str) -> List[Tuple[str, List[str]]]:
    """(what, argv) of each run, in order: SARIF (when asked), then the annotations. The action's
    options come first, then `args`, then `src`: paths at the end of `args` and those of `src`
    stay together (argparse takes one run of positional arguments)."""
    runs = []
    if sarif_file:
        runs.append(("sarif", [ddblint, "check", "--output-format", "sarif", "--output-file", sarif_file,
                               "--exit-zero", "--quiet", *args, *src]))
    runs.append(("github", [ddblint, "check", "--output-format", "github", "--github-annotation-level", level,
                            *args, *src]))
    return runs


def summary(annotations: bytes, sarif_file: str) -> Tuple[int, str]:
    """The number of findings the annotation run printed, and the step summary's markdown."""
    levels: Counter = Counter()
    codes: Counter = Counter()
    for line in annotations.decode("utf-8", "replace").splitlines():
        match = ANNOTATION.match(line)
        if match:
            levels[match.group(1)] += 1
            codes[match.group(2)] += 1
    total = sum(codes.values())
    lines = ["### ddblint", ""]
    if not total:
        lines.append("No findings.")
    else:
        lines += [f"{total} finding{'s' if total != 1 else ''}.", "", "| Code | Findings |", "|---|---|"]
        lines += [f"| {code} | {count} |" for code, count in sorted(codes.items())]
        over = sorted(level for level, count in levels.items() if count > PER_STEP)
        if over:
            where = "the step's log" + (f" and `{sarif_file}`" if sarif_file else "")
            lines += ["", f"GitHub shows at most {PER_STEP} annotations of each level per step "
                          f"({', '.join(f'{levels[level]} {level}s' for level in over)} here): "
                          f"{where} {'list' if sarif_file else 'lists'} them all."]
    return total, "\n".join(lines) + "\n"


def append(path: Optional[str], text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(text)


def run(environ: Dict[str, str]) -> int:
    level = environ.get("INPUT_ANNOTATION_LEVEL", "").strip() or "warning"
    if level not in LEVELS:
        raise ActionError(f"`annotation-level: {level}` is not one of {', '.join(LEVELS)}")
    args = split(environ.get("INPUT_ARGS", ""), "args")
    src = split(environ.get("INPUT_SRC", ""), "src")
    bad = refused(args) + refused(src)
    if bad:
        raise ActionError(f"the action sets the output itself and does not change files: remove "
                          f"{', '.join(bad)} from its inputs (to fix, run `ddblint check --fix` in a step of your own)")
    sarif_file = environ.get("INPUT_SARIF_FILE", "").strip()

    ddblint = find_ddblint(environ.get("INPUT_VERSION", ""), environ)
    env = child_environment(environ)
    status = EXIT_OK
    annotations = b""
    for what, argv in commands(ddblint, args, src, sarif_file, level):
        print(f"$ {shlex.join(argv)}", file=sys.stderr, flush=True)
        if what == "sarif":
            proc = subprocess.run(argv, env=env)
            if proc.returncode != EXIT_OK:
                status = EXIT_ERROR
        else:
            proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE)
            annotations = proc.stdout
            sys.stdout.flush()
            sys.stdout.buffer.write(annotations)
            sys.stdout.buffer.flush()
            status = max(status, proc.returncode)

    findings, markdown = summary(annotations, sarif_file)
    append(environ.get("GITHUB_STEP_SUMMARY"), markdown)
    outputs = {"findings": str(findings), "exit-code": str(status), "sarif-file": sarif_file}
    append(environ.get("GITHUB_OUTPUT"), "".join(f"{k}={v}\n" for k, v in outputs.items()))
    return status


def main() -> int:
    try:
        return run(dict(os.environ))
    except (ActionError, OSError) as error:  # OSError: a command that cannot start; never exit 1 (findings)
        message = str(error).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error title=ddblint action::{message}", flush=True)
        append(os.environ.get("GITHUB_OUTPUT"), f"findings=0\nexit-code={EXIT_ERROR}\n")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
