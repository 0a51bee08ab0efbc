"""A Mermaid flowchart in a Markdown code block, which GitHub renders: regions as subgraphs,
modules → tables, unguarded writes as red edges, reads dotted, tables that stand out in red."""
from __future__ import annotations

from typing import TYPE_CHECKING, List

from ddblint.mapview._graph import LEGEND, OFF_HOME, READ, UNGUARDED, graph, table_lines

if TYPE_CHECKING:  # annotations only: a format module is imported to list it (`formats`)
    from ddblint.topology import Topology

ORDER = 1

# Characters that would end a label or start markup in it, shown as look-alikes; `#` and `&` are
# kept, with a zero-width space after them so that no `#quot;` or `&amp;` is read as an entity.
# (Mermaid's own entity codes are not decoded by every renderer: mermaid-js/mermaid#7015.)
_LOOK_ALIKES = str.maketrans({'"': "\u201d", "<": "\u2039", ">": "\u203a", "`": "\u02cb", "|": "\u2223",
                              "#": "#\u200b", "&": "&\u200b"})


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
    return "".join(c if c.isprintable() else "\ufffd" for c in value).translate(_LOOK_ALIKES)


def _code(text: str) -> str:
    """Text for a Markdown list item: printable, without backticks or markup."""
    return "".join(c if c.isprintable() and c not in "`<>" else "\ufffd" for c in text)
