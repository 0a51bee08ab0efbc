"""The text of ``ddblint tables``: every table, every fact, and the file:line it came from.

Input is already merged (configuration and discovery), as ``(table key, {fact name: Fact})``;
a fact from ``pyproject.toml`` is a Fact like any other, its source pointing at the TOML line.
"""
from __future__ import annotations

from typing import Iterable, List, Mapping, Tuple

from ddblint.infra.declarations import Fact

# The order facts are listed in; others follow alphabetically.
ORDER = ("resource", "name", "env", "mode", "home-region", "replicas", "witness", "shape",
         "partition-key", "sort-key", "version-attribute", "indexes", "indexes (code)", "ttl")


def render_tables(entries: Iterable[Tuple[str, Mapping[str, Fact]]]) -> str:
    entries = list(entries)
    if not entries:
        return "No tables: none configured in [tool.ddblint.tables], none found in infrastructure files.\n"
    blocks = []
    for key, facts in entries:
        names = sorted(facts, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
        rows = [(n, format_value(facts[n].value), facts[n].source, facts[n].note) for n in names]
        name_width = max((len(r[0]) for r in rows), default=0)
        value_width = max((len(r[1]) for r in rows), default=0)
        lines: List[str] = [key]
        for name, value, src, note in rows:
            lines.append(f"  {name:<{name_width}}  {value:<{value_width}}  {src}".rstrip())
            if note:
                lines.append(f"  {'':<{name_width}}  ({note})")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def format_value(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} ({v})" for k, v in value.items()) or "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value) or "none"
    return str(value)
