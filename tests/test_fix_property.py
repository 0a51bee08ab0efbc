"""A property of the whole fixer, kept as a test (SPEC §7): `ddblint check --fix --unsafe-fixes`,
run as a user runs it (the CLI, every rule, fixes of all rules together, in rounds), over

(a) every rule's must-fire example, each in a project directory of its own (with its configuration);
    tests/test_rule_examples.py checks each rule's fixes alone, this checks them all at once;
(b) a tree of real code: copies of tests/corpus, tests/holdout, examples/ and of the DynamoDB modules
    of the installed moto and boto3 packages (found through importlib; site-packages is only read),

and asserts that
  - the run ends without an error (no fix refused for breaking the file, no rule crashing),
  - every Python file that parsed before still parses, with LibCST and with `ast`,
  - only files that had a fix offered (in `--output-format json` before the run) changed, and no
    file appeared or disappeared,
  - afterwards no finding offers a fix any more (each fixed finding re-lints clean),
  - a second `--fix --unsafe-fixes` changes nothing (a fixed point),
  - and the run is not vacuous: files did change (in (a): every example that documents a `fixed` form).

The trees are small enough to run whole (about 10 s together); nothing is sampled.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Dict, Set

import libcst as cst
import pytest
from conftest import ddblint_process

from ddblint import registry

pytestmark = pytest.mark.slow  # fixes every file of the corpora and the examples, in child processes
REPO = Path(__file__).resolve().parents[1]
RULES = registry.all_rules()
SELECT = ("--extend-select", "DDB")  # every rule, those off by default too


def ddblint(root: Path, *args: str) -> subprocess.CompletedProcess:
    return ddblint_process("check", "--no-cache", "--exit-zero", *SELECT, *args, ".", cwd=root)


def snapshot(root: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def parses(data: bytes) -> bool:
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    return True


def fixable_files(root: Path) -> Set[str]:
    """The files with a finding that offers a fix (safe or unsafe) before any is applied."""
    done = ddblint(root, "--unsafe-fixes", "--output-format", "json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    files = set()
    for finding in found:
        fix = finding.get("fix")
        if fix and fix.get("edits") and fix.get("applicability") in ("safe", "unsafe"):
            path = Path(finding["filename"])
            files.add(str((path if path.is_absolute() else root / path).resolve().relative_to(root.resolve())))
    return files


def check_fix_property(root: Path) -> Set[str]:
    """Run the fixer twice over `root` and assert the property; returns the files it changed."""
    before = snapshot(root)
    fixable = fixable_files(root)
    assert snapshot(root) == before, "a plain check changed files"

    first = ddblint(root, "--fix", "--unsafe-fixes")
    assert first.returncode == 0, first.stderr
    assert "ddblint: error" not in first.stderr, first.stderr
    after = snapshot(root)
    assert set(after) == set(before), "files appeared or disappeared"
    changed = {name for name in before if after[name] != before[name]}
    assert changed <= fixable, f"changed without a fix offered: {sorted(changed - fixable)}"
    for name, data in after.items():
        if name.endswith(".py") and parses(before[name]):
            assert parses(data), f"{name} no longer parses:\n{data.decode(errors='replace')}"
            cst.parse_module(data)  # and LibCST, which fixes are built with, reads it too

    # re-lints clean for the fixed rules: no finding offers an applicable fix any more (one whose
    # edits could not be applied would still be listed, with its fix, here)
    left = ddblint(root, "--unsafe-fixes", "--output-format", "json")
    still = [(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(left.stdout)
             if (f.get("fix") or {}).get("edits") and f["fix"]["applicability"] in ("safe", "unsafe")]
    assert not still, f"fixes left after --fix: {still}"

    second = ddblint(root, "--fix", "--unsafe-fixes")
    assert second.returncode == 0, second.stderr
    assert "ddblint: error" not in second.stderr, second.stderr
    again = snapshot(root)
    assert again == after, f"not a fixed point: {sorted(n for n in after if again.get(n) != after[n])}"
    return changed


# --- (a) every rule's must-fire examples --------------------------------------------------------

def test_every_must_fire_example(tmp_path):
    documented = set()
    for code, rule in RULES.items():
        for index, example in enumerate(rule.fires):
            project = tmp_path / f"{code}-fires-{index}"
            target = project / example.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(example.source)
            if example.config:
                (project / "pyproject.toml").write_text(textwrap.dedent(example.config))
            if example.fixed:
                documented.add(str(target.relative_to(tmp_path)))
    changed = check_fix_property(tmp_path)
    assert documented and documented <= changed, f"no fix applied to: {sorted(documented - changed)}"


# --- (b) real code ----------------------------------------------------------------------------------

def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _copy(source: Path, destination: Path) -> None:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ddblint_cache"))


def test_real_code(tmp_path):
    for name in ("corpus", "holdout"):
        _copy(REPO / "tests" / name, tmp_path / name)
    _copy(REPO / "examples", tmp_path / "examples")
    moto = _package_dir("moto")
    modules = sorted(p for p in moto.iterdir() if p.is_dir() and p.name.startswith("dynamodb"))
    assert modules, "moto has no dynamodb package"
    for module in modules:
        _copy(module, tmp_path / "site" / "moto" / module.name)
    _copy(_package_dir("boto3") / "dynamodb", tmp_path / "site" / "boto3" / "dynamodb")
    assert len(list((tmp_path / "site").rglob("*.py"))) > 20

    changed = check_fix_property(tmp_path)
    assert any(name.startswith(("corpus", "holdout", "examples")) for name in changed), changed
