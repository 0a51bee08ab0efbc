"""A Graphviz digraph (`dot -Tsvg`): regions as clusters, modules → tables, unguarded writes in
red, writes outside the home region in orange, reads dashed, tables that stand out in red."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ddblint.mapview._graph import READ, UNGUARDED, graph, table_lines

if TYPE_CHECKING:  # annotations only: a format module is imported to list it (`formats`)
    from ddblint.topology import Topology

ORDER = 2


def render(topology: Topology) -> str:
    drawn = graph(topology)
    lines = ["digraph ddblint_map {", "  rankdir=LR;", '  graph [fontname="Helvetica"];',
             '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];']
    for index, (title, modules) in enumerate(drawn.regions):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_quote(title)};")
        lines += [f"    {module} [label={_quote(path)}];" for module, path in modules]
        lines.append("  }")
    for table_id, table in drawn.tables:
        hot = f', color="{UNGUARDED}", penwidth=2' if table.stands_out else ""
        lines.append(f"  {table_id} [shape=cylinder, label={_quote(chr(10).join(table_lines(table)))}{hot}];")
    for edge in drawn.edges:
        operations, codes = edge.label()
        style = [f"label={_quote(operations + (chr(10) + codes if codes else ''))}"]
        if edge.colour:
            style.append(f'color="{edge.colour}"')
        style.append("style=dashed" if edge.colour == READ else "penwidth=2" if edge.colour else "penwidth=1")
        lines.append(f"  {edge.module} -> {edge.table} [{', '.join(style)}];")
    if not drawn.tables:
        lines.append('  empty [shape=plaintext, label="No DynamoDB table or call found"];')
    lines += [f"  // not mapped: {_quote(f'{p.path}:{p.line}: {p.message}')}" for p in topology.problems]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    """A DOT string: backslashes and quotes escaped, line breaks as `\\n`, no control character."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() or c == "\n" else "\ufffd" for c in escaped)
    return '"' + escaped.replace("\n", "\\n") + '"'
