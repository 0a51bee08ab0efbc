"""Every rule's examples are tests: must-fire examples fire (on the marked lines), must-not-fire ones stay silent."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ddblint import config, engine, registry, tablecheck
from ddblint.rule import Rule

RULES = registry.all_rules()


def _cases(kind):
    for code, rule in RULES.items():
        for index, example in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, example, id=f"{code}-{kind}-{index}")


def lint_example(example, tmp_path: Path, rule):
    root = tmp_path / "project"
    root.mkdir()
    if example.config:
        (root / "pyproject.toml").write_text(textwrap.dedent(example.config))
    target = root / example.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(example.source)
    settings = config.settings_for(target, registry.defaults())
    # Every rule runs, so that precedence between rules (superseded_by) is part of what is tested.
    enabled = [r for code, r in RULES.items() if code == rule.code or r.default]
    if rule.check_tables is not Rule.check_tables:  # a rule about infrastructure files
        found = tablecheck.check_tables(settings, enabled, [root], lambda p: str(p.relative_to(root)))
        return [d for d in found if d.code == rule.code]
    result = engine.check_source(target.read_bytes(), target, example.filename, settings, enabled)
    assert not result.errors, result.errors
    return [d for d in result.diagnostics if d.code == rule.code]


@pytest.mark.parametrize("rule, example", list(_cases("fires")))
def test_fires(rule, example, tmp_path):
    found = lint_example(example, tmp_path, rule)
    assert found, f"{rule.code} did not fire on:\n{example.source}"
    expected = sorted(row for row, code in example.expected() if code == rule.code)
    if expected:
        assert sorted(d.location.row for d in found) == expected


@pytest.mark.parametrize("rule, example", list(_cases("passes")))
def test_passes(rule, example, tmp_path):
    found = lint_example(example, tmp_path, rule)
    assert not found, [f"{d.location.row}: {d.message}" for d in found]


@pytest.mark.parametrize("code", list(RULES))
def test_rule_is_documented(code):
    rule = RULES[code]
    assert rule.name and rule.name == rule.name.lower() and " " not in rule.name
    assert rule.fires and rule.passes, "every rule has examples that must and must not fire"
    text = rule.documentation()
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in text
    assert "# expect:" not in text
