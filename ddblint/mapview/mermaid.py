"""A Mermaid flowchart in a Markdown code block, which GitHub renders: regions as subgraphs,
modules → tables, unguarded writes as red edges, reads dotted, tables that stand out in red."""
from __future__ import annotations

from typing import List

from ddblint.mapview._graph import LEGEND, OFF_HOME, READ, UNGUARDED, graph, table_lines
from ddblint.topology import Topology

ORDER = 1

# Mermaid reads `#name;` as an entity; these characters would end a label or start markup.
_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "|": "#124;"}


def render(topology: Topology) -> str:
    drawn = graph(topology)
    lines = ["```mermaid", "flowchart LR"]
    for index, (title, modules) in enumerate(drawn.regions):
        lines.append(f'  subgraph r{index}["{_text(title)}"]')
        lines += [f'    {module}["{_text(path)}"]' for module, path in modules]
        lines.append("  end")
    for table_id, table in drawn.tables:
        lines.append(f'  {table_id}[("{"<br/>".join(_text(line) for line in table_lines(table))}")]')
    for edge in drawn.edges:
        operations, codes = edge.label()
        label = _text(operations) + (f"<br/>{_text(codes)}" if codes else "")
        arrow = "-->" if edge.writes else "-.->"
        lines.append(f'  {edge.module} {arrow}|"{label}"| {edge.table}')
    if not drawn.tables:
        lines.append('  empty["No DynamoDB table or call found"]')
    lines += _styles(drawn)
    lines.append("```")
    if drawn.tables:
        lines += ["", LEGEND]
    if topology.problems:
        lines += ["", "Not mapped (`ddblint check` reports these as DDB000):", ""]
        lines += [f"- `{_code(p.path)}:{p.line}`: {_code(p.message)}" for p in topology.problems]
    return "\n".join(lines) + "\n"


def _styles(drawn) -> List[str]:
    lines = []
    hot = [table_id for table_id, table in drawn.tables if table.stands_out]
    if hot:
        lines += [f"  classDef hot fill:#fdecea,stroke:{UNGUARDED},stroke-width:2px", f"  class {','.join(hot)} hot"]
    for colour in (UNGUARDED, OFF_HOME, READ):
        indexes = [str(i) for i, edge in enumerate(drawn.edges) if edge.colour == colour]
        if indexes:
            width = "1px" if colour == READ else "2px"
            lines.append(f"  linkStyle {','.join(indexes)} stroke:{colour},stroke-width:{width}")
    return lines


def _text(value: str) -> str:
    return "".join(_ENTITIES.get(c, c) if c.isprintable() else "#65533;" for c in value)


def _code(text: str) -> str:
    """Text for a Markdown list item: printable, without backticks or markup."""
    return "".join(c if c.isprintable() and c not in "`<>" else "\ufffd" for c in text)
