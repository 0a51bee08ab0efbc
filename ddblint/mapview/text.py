"""One block per table: its facts, why it stands out, then its writers grouped by region, then
its readers; each call as `path:line  function  operation  guard  codes`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from ddblint.mapview import printable

if TYPE_CHECKING:  # annotations only: a format module is imported to list it (`formats`)
    from ddblint.topology import Access, Table, Topology

ORDER = 0


def render(topology: Topology) -> str:
    several = len(topology.projects) > 1
    blocks = [_block(table, several) for table in topology.tables]
    if not blocks:
        blocks.append(f"No DynamoDB table or call found ({_files(topology.files)} looked at).")
    if topology.problems:
        blocks.append(_problems(topology))
    return "\n\n".join(blocks) + "\n"


def _block(table: Table, several: bool) -> str:
    lines = [heading(table) + (f"  [{table.project}]" if several else "")]
    lines += [f"  ! {warning}" for warning in table.warnings()]
    if not table.accesses:
        lines.append("  no call found")
    groups = list(_groups(table))
    rows = [_row(access) for _, group in groups for access in group]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    for title, group in groups:
        lines.append(f"  {title}")
        for _ in group:
            lines.append("    " + "  ".join(cell.ljust(width) for cell, width in zip(rows.pop(0), widths)).rstrip())
    return "\n".join(printable(line) for line in lines)


def heading(table: Table) -> str:
    ref = table.ref
    if ref.name is None:
        return "(table not known)"
    facts = [f"{ref.mode}" + ("" if ref.registered else " by default, not registered")]
    if ref.shape != "profile":
        facts.append(ref.shape)
    if ref.home_region:
        facts.append(f"home {ref.home_region}")
    if ref.replicas:
        facts.append(f"replicas {', '.join(ref.replicas)}")
    return f"{ref.name}  ({'; '.join(facts)})"


def _groups(table: Table):
    """(title, accesses): the writes by region (known regions first), then the reads by region."""
    for verb, chosen in (("writes", table.writes()), ("reads", table.reads())):
        by_region: Dict[Optional[str], List[Access]] = {}
        for access in chosen:
            by_region.setdefault(access.region, []).append(access)
        for region in sorted(by_region, key=lambda r: (r is None, r or "")):
            yield f"{verb} from {_region(region, table.ref.home_region)}", by_region[region]


def _region(region: Optional[str], home: Optional[str]) -> str:
    if region is None:
        return "an unknown region"
    if home is None:
        return region
    return f"{region} (home)" if region == home else f"{region} (not home)"


def _row(a: Access) -> List[str]:
    return [f"{a.path}:{a.line}", a.function or "<module>", _operation(a), guard_word(a), " ".join(a.codes),
            _through(a)]


def _operation(access: Access) -> str:
    return f"{access.operation} (transaction)" if access.kind == "transaction" else access.operation


def guard_word(access: Access) -> str:
    """`guarded`, `unguarded`, `guard unknown`; a read has none."""
    if not access.writes:
        return ""
    if access.guarded is None:
        return "guard unknown"
    if access.guarded:
        return "guarded"
    return "unguarded" if access.unguarded else "no guard (append-only)"


def _through(access: Access) -> str:
    if access.through is None:
        return ""
    where = f"{access.through_path or access.path}:{access.through_line}" if access.through_line else ""
    return f"via {access.through}" + (f" ({where})" if where else "")


def _problems(topology: Topology) -> str:
    lines = ["Not mapped (ddblint check reports these as DDB000):"]
    lines += [f"  {p.path}:{p.line}:{p.column}: {p.message}" for p in topology.problems]
    return "\n".join(printable(line) for line in lines)


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"
