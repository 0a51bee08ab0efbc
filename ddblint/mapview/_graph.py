"""The map as a graph, for the formats that draw one (`mermaid`, `dot`): the regions (known ones
first, then "region unknown") hold the modules that run in them; an edge goes from a module to
each table it touches and carries those calls. A module whose calls run in two regions (a client
made with `region_name=`) is a node in each."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

if TYPE_CHECKING:  # annotations only: a format module is imported to list it (`formats`)
    from ddblint.topology import Access, Table, Topology


UNGUARDED = "#c62828"  # red: an unguarded write on the edge
OFF_HOME = "#ef6c00"  # orange: a write outside the table's home region
READ = "#757575"


@dataclass
class Edge:
    module: str  # the module node's id
    table: str  # the table node's id
    accesses: List[Access] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return any(a.writes for a in self.accesses)

    @property
    def unguarded(self) -> bool:
        return any(a.unguarded for a in self.accesses)

    @property
    def off_home(self) -> bool:
        return any(a.writes and a.off_home for a in self.accesses)

    @property
    def colour(self) -> Optional[str]:
        if self.unguarded:
            return UNGUARDED
        if self.off_home:
            return OFF_HOME
        return None if self.writes else READ

    def label(self) -> Tuple[str, str]:
        """(the operations, counted; the finding codes)."""
        counts = Counter(a.operation for a in self.accesses)
        operations = ", ".join(name + (f" ×{n}" if n > 1 else "") for name, n in sorted(counts.items()))
        return operations, " ".join(sorted({code for a in self.accesses for code in a.codes}))


@dataclass
class Graph:
    regions: List[Tuple[str, List[Tuple[str, str]]]]  # (title, [(module id, path)])
    tables: List[Tuple[str, Table]]  # (table id, table)
    edges: List[Edge]


def graph(topology: Topology) -> Graph:
    table_ids = {id(table): f"t{i}" for i, table in enumerate(topology.tables)}
    places = sorted({(a.region, a.path) for t in topology.tables for a in t.accesses},
                    key=lambda place: (place[0] is None, place))
    modules = {place: f"m{i}" for i, place in enumerate(places)}
    by_region: Dict[Optional[str], List[Tuple[str, str]]] = {}
    for (region, path), module in modules.items():
        by_region.setdefault(region, []).append((module, path))
    edges: Dict[Tuple[str, str], Edge] = {}
    for table in topology.tables:
        for access in table.accesses:
            key = (modules[(access.region, access.path)], table_ids[id(table)])
            edges.setdefault(key, Edge(*key)).accesses.append(access)
    regions = [(region or "region unknown", found) for region, found in by_region.items()]
    return Graph(regions, [(table_ids[id(t)], t) for t in topology.tables], list(edges.values()))


def table_lines(table: Table) -> List[str]:
    """A table node's label: its name, its mode and home, and why it stands out."""
    ref = table.ref
    facts = [ref.mode + ("" if ref.registered else " (default)")]
    if ref.shape != "profile":
        facts.append(ref.shape)
    if ref.home_region:
        facts.append(f"home {ref.home_region}")
    return [ref.name or "table not known", ", ".join(facts)] + [f"⚠ {w}" for w in table.warnings()]


LEGEND = ("Red edges: unguarded writes. Orange: writes outside the table's home region. Dotted: reads. "
          "Red tables: written from more than one region, or contested and written outside their home region.")
