"""Every rule's examples are tests: must-fire examples fire (on the marked lines), must-not-fire ones stay silent."""
from __future__ import annotations

import collections
import dataclasses
import tempfile
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from conftest import lint_snippet, make_tree

from ddblint import config, engine, fix, registry, tablecheck
from ddblint.rule import Context, Rule

RULES = registry.all_rules()
ROOT = Path(__file__).resolve().parent.parent


def _cases(kind):
    for code, rule in RULES.items():
        for index, example in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, example, id=f"{code}-{kind}-{index}")


def lint_example(example, tmp_path: Path, rule):
    """The rule's findings on the example, in a project of its own with the example's configuration."""
    if rule.check_tables is not Rule.check_tables:  # a rule about infrastructure files
        root = Path(tempfile.mkdtemp(dir=tmp_path))
        make_tree(root, {"pyproject.toml": example.config} if example.config else {})
        make_tree(root, {example.filename: example.source}, dedent=False)
        settings = config.settings_for(root / example.filename, registry.defaults())
        found = tablecheck.check_tables(settings, _enabled(rule), [root], lambda p: str(p.relative_to(root)))
        return [d for d in found if d.code == rule.code]
    found = lint_snippet(example.source, tmp_path, toml=example.config, filename=example.filename,
                         select=[rule.code], dedent=False)
    return [d for d in found if d.code == rule.code]


def _enabled(rule):
    # Every rule runs, so that precedence between rules (superseded_by) is part of what is tested.
    return [r for code, r in RULES.items() if code == rule.code or r.default]


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


# --- fixes: every example with `fixed` turns into it, and the result is a fixed point ------------

def _lint_findings(text: str, example, tmp_path: Path, rule):
    """The rule's findings (with their edits) on `text`, as the rule itself reports them."""
    root = tmp_path / "fixing"
    root.mkdir(exist_ok=True)
    if example.config:
        (root / "pyproject.toml").write_text(textwrap.dedent(example.config))
    target = root / example.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    settings = config.settings_for(target, registry.defaults())
    module = cst.parse_module(text)
    return module, list(rule().check(Context(target, text, module, settings)))


def apply_rule_fixes(text: str, example, tmp_path: Path, rule, rounds: int = 10):
    """Apply the rule's fixes (safe and unsafe) with the engine's own fixer, `fix.fix_bytes`, which
    `ddblint check --fix --unsafe-fixes` runs on each file: lint, apply the fixes that do not
    overlap, parse, and again until none is left. The default rules run too (precedence between
    rules is part of what is tested); only this rule's fixes are applied. Returns (text, number
    of fixes applied)."""
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    make_tree(root, {"pyproject.toml": example.config} if example.config else {})
    target = make_tree(root, {example.filename: text}, dedent=False) / example.filename
    settings = config.settings_for(target, registry.defaults())
    enabled = _enabled(rule)

    def lint(data: bytes):
        result = engine.check_source(data, target, example.filename, settings, enabled)
        assert not result.errors, result.errors
        found = [d for d in result.diagnostics if d.code == rule.code]
        for d in found:
            assert d.fix is None or not d.fix.edits or d.fix.applicability in ("safe", "unsafe"), d.fix
        return found

    outcome = fix.fix_bytes(text.encode("utf-8"), lint, unsafe=True, max_rounds=rounds)
    assert outcome.error is None, f"{rule.code}: {outcome.error}"
    assert outcome.converged, f"{rule.code}: fixes did not converge in {rounds} rounds:\n{outcome.source}"
    return outcome.source, len(outcome.applied)


def _fixed_cases():
    for code, rule in RULES.items():
        for index, example in enumerate(rule.fires):
            if example.fixed:
                yield pytest.param(rule, example, id=f"{code}-fires-{index}")


def _codes(example, text, tmp_path, rule):
    return lint_example(dataclasses.replace(example, code=text), tmp_path, rule)


@pytest.mark.parametrize("rule, example", list(_fixed_cases()))
def test_fix_gives_the_expected_source(rule, example, tmp_path):
    fixed, applied = apply_rule_fixes(example.source, example, tmp_path, rule)
    assert applied, f"{rule.code} offered no fix on:\n{example.source}"
    assert fixed == example.fixed_source, fixed
    compile(fixed, example.filename, "exec")
    # a fixed point: the rule no longer fires, and fixing again changes nothing
    assert not _codes(example, fixed, tmp_path, rule), fixed
    assert apply_rule_fixes(fixed, example, tmp_path, rule) == (fixed, 0)
    # and the fix broke no expression: no new DDB4xx finding
    before = collections.Counter(d.code for d in _all_codes(example, example.source, tmp_path))
    after = collections.Counter(d.code for d in _all_codes(example, fixed, tmp_path))
    for code, count in after.items():
        if code.startswith("DDB4"):
            assert count <= before[code], (code, fixed)


def _all_codes(example, text, tmp_path):
    """Every rule's findings (those off by default too) on `text`."""
    return lint_snippet(text, tmp_path, toml=example.config, filename=example.filename, select=RULES, dedent=False)


@pytest.mark.parametrize("rule, example", [p for p in _cases("fires") if p.values[0].fix_availability != "None"])
def test_fixes_of_every_must_fire_example_parse_and_are_fixed_points(rule, example, tmp_path):
    fixed, _ = apply_rule_fixes(example.source, example, tmp_path, rule)
    compile(fixed, example.filename, "exec")
    assert apply_rule_fixes(fixed, example, tmp_path, rule) == (fixed, 0)


@pytest.mark.parametrize("code", list(RULES))
def test_fix_availability_matches_the_examples(code):
    rule = RULES[code]
    assert rule.fix_availability in ("None", "Sometimes", "Always")
    has_fixed = any(example.fixed for example in rule.fires)
    assert has_fixed == (rule.fix_availability != "None"), "a rule with a fix shows it in an example"


@pytest.mark.parametrize("rule, example", list(_cases("fires")))
def test_the_prefilter_keeps_every_must_fire_example_for_its_own_rule(rule, example):
    """A rule's triggers alone let its examples through: the union with other rules' triggers
    must not be what keeps a file the rule fires on (`--select` one rule, and it must still fire)."""
    if example.language != "python":
        return
    assert engine.might_fire(example.source.encode(), [rule]), rule.triggers


def test_the_anchored_prefilter_decides_as_a_plain_word_search():
    """engine._anchored groups trigger words under shared substrings; the decision must be the
    same as looking for every word, on every file of the corpora and every example."""
    rules = tuple(r for r in RULES.values() if r.default)
    words, _ = engine._trigger_words(rules)
    sources = [p.read_bytes() for p in (ROOT / "tests").glob("*/**/*.py")]
    sources += [e.source.encode() for r in RULES.values() for e in list(r.fires) + list(r.passes)]
    sources += [w for w in words] + [b"nothing here", b""]
    assert len(sources) > 250
    for data in sources:
        assert engine.might_fire(data, rules) == any(w in data for w in words)
