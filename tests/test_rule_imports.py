"""Rules see ddblint through two doors only: `ddblint.rule` (what a rule is, its findings and
fixes) and the public names of the `ddblint.dynamo` package (the model and the request edits),
plus the rules package's own private helpers (`ddblint.rules._messages`, ...). Anything else a
rule imported would be an interface nobody promised to keep."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ddblint import dynamo, registry

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted((ROOT / "rules").glob("*.py"))
SUBMODULES = {path.stem for path in (ROOT / "ddblint" / "dynamo").glob("*.py")} - {"__init__"}


def _forbidden(tree: ast.Module):
    """(line, what) for every import of ddblint the rule rules do not allow."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "ddblint" or alias.name.startswith("ddblint."):
                    yield node.lineno, f"import {alias.name}"  # a rule names what it uses
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            module = node.module
            if module == "ddblint.rule":
                continue
            if module == "ddblint.dynamo":
                for alias in node.names:
                    if alias.name in SUBMODULES or alias.name not in dynamo.__all__:
                        yield node.lineno, f"from ddblint.dynamo import {alias.name}"
                continue
            if module == "ddblint.rules":
                for alias in node.names:
                    if not alias.name.startswith("_"):
                        yield node.lineno, f"from ddblint.rules import {alias.name}"
                continue
            if module.startswith("ddblint.rules._"):
                continue
            if module == "ddblint" and all(alias.name == "dynamo" and alias.asname is None for alias in node.names):
                continue  # the package itself, its public names reached as `dynamo.X`
            if module == "ddblint" or module.startswith("ddblint."):
                yield node.lineno, f"from {module} import ..."
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            yield node.lineno, "a relative import"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_rules_import_only_the_rule_and_model_interfaces(path):
    found = list(_forbidden(ast.parse(path.read_text(), str(path))))
    assert not found, f"{path.name} imports past the rule interfaces: {found}"


def test_the_check_catches_a_submodule_import():
    bad = ast.parse("from ddblint.dynamo.edits import Patch\nfrom ddblint.dynamo import flow\n"
                    "from ddblint import noqa\nimport ddblint.registry\nfrom ddblint.dynamo import Patch\n")
    assert [line for line, _ in _forbidden(bad)] == [1, 2, 3, 4]


def test_dynamo_exports_no_submodule_name():
    """A name of `__all__` that is also a submodule would be replaced by the module on import."""
    assert not set(dynamo.__all__) & SUBMODULES
    assert all(hasattr(dynamo, name) for name in dynamo.__all__)


@pytest.mark.parametrize("code", list(registry.all_rules()))
def test_every_fixing_rule_says_why_its_fix_is_safe_or_not(code):
    rule = registry.all_rules()[code]
    if rule.fix_availability == "None":
        assert not rule.fix_safety, "a rule without a fix has no fix safety to state"
        return
    assert rule.fix_safety.strip(), f"{code} offers a fix: `fix_safety` says whether it is safe and why"
    assert "## Fix safety" in rule.documentation()
