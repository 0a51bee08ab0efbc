"""The map of a run: every table of the projects seen (registered, learned from code, or only
named by a call), each with its facts, their sources and the calls that touch it."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ddblint.dynamo.table_registry import registry_for
from ddblint.dynamo.tables import listing
from ddblint.infra.render import ORDER as FACT_ORDER
from ddblint.topology.model import Access, Problem, Source, Table, TableRef, Topology

Display = Callable[[Path], str]


def assemble(accesses: Iterable[Access], settings: Sequence, display: Display,
             problems: Sequence[Problem] = (), files: int = 0) -> Topology:
    """`settings`: the configurations of the files looked at, in order; their tables come first,
    in the registry's order, then the tables only calls name, then the calls whose table is unknown."""
    tables: Dict[Tuple[str, Optional[str]], Table] = {}
    for each in settings:
        for table in _declared(each, display):
            tables.setdefault((table.ref.project, table.name), table)
    named: Dict[Tuple[str, Optional[str]], Table] = {}
    for access in accesses:
        key = (access.table.project, access.table.name)
        table = tables.get(key) or named.setdefault(key, Table(access.table, _project(access.table.project, display)))
        table.accesses.append(_displayed(access, display))
    ordered = list(tables.values()) + sorted(named.values(), key=lambda t: (t.name is None, t.name or "", t.project))
    for table in ordered:
        table.accesses.sort(key=lambda a: (a.path, a.line, a.column, a.operation))
    return Topology(ordered, list(problems), files)


def _declared(settings, display: Display) -> List[Table]:
    """The tables the configuration, its infrastructure files and its code declare, as
    `ddblint tables` lists them."""
    root = str(settings.root)
    entries = {entry.key: entry for entry in registry_for(settings).tables}
    found = []
    for key, facts in listing(settings):
        entry = entries.get(key)
        ref = TableRef(name=key, project=root, registered=entry is not None,
                       mode=getattr(entry, "mode", None) or settings.default_table_mode,
                       shape=getattr(entry, "shape", None) or "profile",
                       home_region=getattr(entry, "home_region", None),
                       replicas=tuple(getattr(entry, "replicas", ()) or ()))
        sources = [Source(name, facts[name].value, _source(settings.root, facts[name].source, display))
                   for name in sorted(facts, key=_fact_order)]
        found.append(Table(ref, _project(root, display), sources))
    return found


def _fact_order(name: str) -> Tuple[int, str]:
    """The order `ddblint tables` lists facts in."""
    return (FACT_ORDER.index(name) if name in FACT_ORDER else len(FACT_ORDER), name)


def _source(root: Path, source: str, display: Display) -> str:
    """`template.yaml:8` (relative to the root) as a path relative to the current directory."""
    path, colon, line = source.rpartition(":")
    if not colon or not line.isdigit() or not path:
        return source
    return f"{display(Path(root) / path)}:{line}"


def _project(root: str, display: Display) -> str:
    return display(Path(root))


def _displayed(access: Access, display: Display) -> Access:
    """The access with the helper's path relative to the current directory."""
    if access.through_path is None:
        return access
    return dataclasses.replace(access, through_path=display(Path(access.through_path)))
