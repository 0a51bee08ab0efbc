"""Every rule's examples are tests: must-fire examples fire (on the marked lines), must-not-fire ones stay silent."""
from __future__ import annotations

import collections
import dataclasses
import re
import tempfile
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from ddblint import config, engine, registry, tablecheck
from ddblint.positions import Positions
from ddblint.rule import Context, Rule

RULES = registry.all_rules()
ROOT = Path(__file__).resolve().parent.parent


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


def _offsets(text: str):
    starts = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)]
    return lambda row, column: starts[row - 1] + column


def apply_rule_fixes(text: str, example, tmp_path: Path, rule, rounds: int = 10):
    """Apply the rule's fixes (safe and unsafe) as the engine will: each edit replaces its node's
    source range with the replacement's text; a fix whose edits overlap one already taken waits
    for the next round. Returns (text, number of fixes applied)."""
    if rule.check_suppressions is not Rule.check_suppressions:
        return _apply_engine_fixes(text, example, tmp_path, rule, rounds)
    applied = 0
    for _ in range(rounds):
        module, findings = _lint_findings(text, example, tmp_path, rule)
        positions = Positions(module, text)
        offset = _offsets(text)
        taken, chosen = [], []
        for finding in findings:
            if not finding.edits:
                continue
            assert finding.fix is not None and finding.fix.applicability in ("safe", "unsafe")
            spans = []
            for node, replacement in finding.edits:
                (row, column), (end_row, end_column) = positions[node]
                replacement = replacement() if callable(replacement) else replacement  # computed lazily
                content = replacement if isinstance(replacement, str) else module.code_for_node(replacement)
                spans.append((offset(row, column), offset(end_row, end_column), content))
            if any(_overlap(a, b) for a in spans for b in taken):
                continue
            taken.extend(spans)
            chosen.append(finding)
        if not chosen:
            return text, applied
        for start, end, content in sorted(taken, reverse=True):
            text = text[:start] + content + text[end:]
        cst.parse_module(text)  # every round parses
        applied += len(chosen)
    raise AssertionError(f"{rule.code}: fixes did not converge in {rounds} rounds:\n{text}")


def _apply_engine_fixes(text: str, example, tmp_path: Path, rule, rounds: int):
    """For rules about comments (no LibCST node to edit): the text edits of the engine's findings."""
    from ddblint import fix

    applied = 0
    for index in range(rounds):
        sub = Path(tempfile.mkdtemp(dir=tmp_path))
        found = [d for d in lint_example(dataclasses.replace(example, code=text), sub, rule) if d.fix is not None]
        if not found:
            return text, applied
        text, done = fix.apply_edits(text, found, unsafe=True)
        if not done:
            return text, applied
        cst.parse_module(text)
        applied += len(done)
    raise AssertionError(f"{rule.code}: fixes did not converge in {rounds} rounds:\n{text}")


def _overlap(a, b) -> bool:
    return max(a[0], b[0]) < min(a[1], b[1]) or (a[0] == b[0] and (a[0] == a[1] or b[0] == b[1]))


def _fixed_cases():
    for code, rule in RULES.items():
        for index, example in enumerate(rule.fires):
            if example.fixed:
                yield pytest.param(rule, example, id=f"{code}-fires-{index}")


def _codes(example, text, tmp_path, rule, name):
    copy = dataclasses.replace(example, code=text)
    sub = tmp_path / name
    sub.mkdir()
    return lint_example(copy, sub, rule)


@pytest.mark.parametrize("rule, example", list(_fixed_cases()))
def test_fix_gives_the_expected_source(rule, example, tmp_path):
    fixed, applied = apply_rule_fixes(example.source, example, tmp_path, rule)
    assert applied, f"{rule.code} offered no fix on:\n{example.source}"
    assert fixed == example.fixed_source, fixed
    compile(fixed, example.filename, "exec")
    # a fixed point: the rule no longer fires, and fixing again changes nothing
    assert not _codes(example, fixed, tmp_path, rule, "after"), fixed
    assert apply_rule_fixes(fixed, example, tmp_path, rule) == (fixed, 0)
    # and the fix broke no expression: no new DDB4xx finding
    before = collections.Counter(d.code for d in _all_codes(example, example.source, tmp_path, "all-before"))
    after = collections.Counter(d.code for d in _all_codes(example, fixed, tmp_path, "all-after"))
    for code, count in after.items():
        if code.startswith("DDB4"):
            assert count <= before[code], (code, fixed)


def _all_codes(example, text, tmp_path, name):
    root = tmp_path / name
    root.mkdir()
    if example.config:
        (root / "pyproject.toml").write_text(textwrap.dedent(example.config))
    target = root / example.filename
    target.write_text(text)
    settings = config.settings_for(target, registry.defaults())
    result = engine.check_source(text.encode(), target, example.filename, settings, list(RULES.values()))
    assert not result.errors, result.errors
    return result.diagnostics


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
