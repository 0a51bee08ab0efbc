"""The table a call touches, matched against the table registry (configuration, later IaC)."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ddblint.dynamo.table_registry import project_facts, registry_for
from ddblint.infra.declarations import Fact


@dataclass(frozen=True)
class TableFacts:
    """What the linter knows about the table of one operation."""

    config: Optional[object]  # the registry entry (config.TableConfig), None when not registered
    mode: str  # global | mrsc | single-region (the default mode when not registered)
    shape: str  # profile | contested | append-only
    version_attributes: Tuple[str, ...]
    label: Optional[str]  # how to name it in a message, None when nothing is known
    code_indexes: Tuple[Tuple[str, str], ...] = ()  # (index, global|local) the code declares (PynamoDB Index classes)

    @property
    def home_region(self) -> Optional[str]:
        return getattr(self.config, "home_region", None)

    @property
    def replicas(self) -> Tuple[str, ...]:
        return tuple(getattr(self.config, "replicas", ()) or ())

    @property
    def registered(self) -> bool:
        return self.config is not None

    def index_kind(self, name) -> Optional[str]:
        """"global" | "local" for a registered index, None when not known."""
        indexes = getattr(self.config, "indexes", None) or {}
        if not isinstance(name, str):
            return None
        return indexes.get(name) or dict(self.code_indexes).get(name)


def describe(table) -> Optional[str]:
    # deferred: the value types are the model's (values.py); `ddblint map` and `ddblint tables`
    # import this module to list the registry, and a check run only when a file is modelled
    from ddblint.dynamo.values import EnvVar, Template

    if isinstance(table, str):
        return table
    if isinstance(table, EnvVar):
        return f"${table.name}"
    if isinstance(table, Template):
        return table.glob()
    return None


def match(table, tables) -> Optional[object]:
    """The registry entry a table value names: exact name, glob, environment variable or template."""
    # deferred: the value types are the model's (values.py); `ddblint map` and `ddblint tables`
    # import this module to list the registry, and a check run only when a file is modelled
    from ddblint.dynamo.values import UNKNOWN, EnvVar, Template

    if table is UNKNOWN or table is None:
        return None
    def names(entry):
        return (entry.name,) + tuple(getattr(entry, "aliases", ()))

    if isinstance(table, EnvVar):
        found = [t for t in tables if table.name in t.env]
    elif isinstance(table, str):
        found = [t for t in tables if table in names(t)] or \
            [t for t in tables if any(_is_glob(n) and fnmatch.fnmatchcase(table, n) for n in names(t))]
    elif isinstance(table, Template):
        # f"{stage}-subscribers" matches the entry named "*-subscribers" or "prod-subscribers"
        pattern = table.glob()
        found = [t for t in tables if pattern in names(t)] or \
            [t for t in tables if any(fnmatch.fnmatchcase(n, pattern) for n in names(t))]
    else:
        return None
    return found[0] if len(found) == 1 else None


def facts(table, settings) -> TableFacts:
    entry = match(table, registry_for(settings).tables)
    if entry is None:
        return TableFacts(None, settings.default_table_mode, "profile", settings.version_attributes,
                          describe(table))
    # name a registered table by its registry key: `subscribers`, not `$SUBSCRIBERS_TABLE`
    label = table if isinstance(table, str) else entry.key
    return TableFacts(entry, entry.mode or settings.default_table_mode, entry.shape,
                      settings.table_version_attributes(entry), label)


def _is_glob(name: str) -> bool:
    return any(c in name for c in "*?[")


# -- `ddblint tables` ------------------------------------------------------------------------------
def listing(settings) -> List[Tuple[str, Dict[str, Fact]]]:
    """Every table with its facts and their sources: the registry's, then what the project's
    `create_table`/`update_table` calls and PynamoDB models add (dynamo/learned.py). Configuration and infrastructure
    win: a learned fact fills only what they leave out, and an index they do not name."""
    found = registry_for(settings)
    entries: Dict[str, Dict[str, Fact]] = {key: dict(facts) for key, facts in found.facts}
    scanner = project_facts(settings)
    for table in scanner.everything() if scanner is not None else ():
        entry = match(table.table, found.tables)
        facts = entries.setdefault(entry.key if entry is not None else table.label, {})
        for name, fact in table.facts().items():
            if name == "indexes" and name in facts:
                _add_indexes(facts, fact)
            else:
                facts.setdefault(name, fact)
    return list(entries.items())


def _add_indexes(facts: Dict[str, Fact], learned: Fact) -> None:
    """Indexes the code creates that the known facts do not name, under a fact of their own."""
    known = set(facts["indexes"].value) | set(getattr(facts.get("indexes (code)"), "value", {}) or {})
    extra = {name: kind for name, kind in learned.value.items() if name not in known}
    if extra:
        previous = facts.get("indexes (code)")
        merged = dict(previous.value) if previous is not None else {}
        merged.update(extra)
        facts["indexes (code)"] = Fact(merged, previous.source if previous is not None else learned.source)
