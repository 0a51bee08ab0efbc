"""The map as data: the shape docs/map.md documents (and `html` embeds)."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # annotations only: a format module is imported to list it (`formats`)
    from ddblint.topology import Access, Table, Topology


ORDER = 3
VERSION = 1  # docs/map.md: raised when a field changes meaning or goes away


def as_dict(topology: Topology) -> dict:
    return {
        "version": VERSION,
        "files": topology.files,
        "tables": [_table(table) for table in topology.tables],
        "problems": [{"path": p.path, "line": p.line, "column": p.column, "message": p.message}
                     for p in topology.problems],
    }


def _table(table: Table) -> dict:
    ref = table.ref
    return {
        "name": ref.name, "project": table.project, "registered": ref.registered, "mode": ref.mode,
        "home_region": ref.home_region, "replicas": list(ref.replicas), "shape": ref.shape,
        "sources": [{"fact": s.fact, "value": _plain(s.value), "source": s.source} for s in table.sources],
        "write_regions": list(table.write_regions), "multi_region_writes": table.multi_region_writes,
        "contested_off_home": table.contested_off_home, "warnings": table.warnings(),
        "accesses": [_access(access) for access in table.accesses],
    }


def _access(access: Access) -> dict:
    return {
        "path": access.path, "line": access.line, "column": access.column, "function": access.function,
        "operation": access.operation, "kind": access.kind, "region": access.region, "guarded": access.guarded,
        "unguarded": access.unguarded, "off_home": access.off_home, "codes": list(access.codes),
        "through": _through(access),
    }


def _through(access: Access) -> Optional[dict]:
    if access.through is None:
        return None
    return {"helper": access.through, "path": access.through_path or access.path, "line": access.through_line}


def _plain(value):
    """A fact's value as JSON has it (tuples as lists, mappings as objects)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def render(topology: Topology) -> str:
    return json.dumps(as_dict(topology), indent=2) + "\n"
