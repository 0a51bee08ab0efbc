"""Rules about the table registry itself: findings that point into infrastructure files.

They run once per configuration root, not per Python file, and are reported only when the
declaring file lies under one of the paths being checked (pre-commit passing three Python files
does not re-report a template it did not touch).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Sequence, Type

from ddblint.diagnostics import Diagnostic, Location
from ddblint.dynamo.table_registry import registry_for
from ddblint.rule import Rule


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    path = path.resolve()
    return any(path == root or root in path.parents for root in roots)


def check_tables(settings, rules: Iterable[Type[Rule]], paths: Sequence[Path], display) -> List[Diagnostic]:
    """Run the registry rules among `rules` for one configuration; `display(path)` names files."""
    table_rules = [r for r in rules if r.check_tables is not Rule.check_tables]
    if not table_rules or settings.config_path is None:
        return []
    registry = registry_for(settings)
    roots = [p.resolve() for p in paths]
    found = []
    for rule in table_rules:
        for finding in rule().check_tables(registry):
            rel, _, line = finding.source.rpartition(":")
            path = settings.root / rel
            if not line.isdigit() or not _inside(path, roots):
                continue
            if rule.code in settings.ignored_for(path, {rule.code: rule.default}):
                continue
            where = Location(int(line), 1)
            found.append(Diagnostic(rule.code, finding.message, display(path), where, where,
                                    name=rule.name, url=rule.url(), noqa_row=None))
    return found
