"""The table registry: `[tool.ddblint.tables]` merged with what infrastructure code declares.

Configuration wins over discovery, fact by fact; discovery fills what configuration leaves out
(mode, replicas, keys, indexes), and a disagreement becomes a warning naming both places.
A configured table is linked to a declaration with the same name (exact, or the same glob) or
the same logical id, case and separators aside (`billing-counters` ~ `BillingCounters`).
Discovery runs only under a configuration file's directory, once per process.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from ddblint import infra
from ddblint.config import TableConfig, compile_globs, relative_posix
from ddblint.files import DEFAULT_EXCLUDE
from ddblint.infra import Fact

if TYPE_CHECKING:
    from ddblint.dynamo.learned import ProjectFacts


@dataclass
class Registry:
    tables: Tuple[TableConfig, ...]
    facts: List[Tuple[str, Dict[str, object]]] = field(default_factory=list)  # for `ddblint tables`
    warnings: List[str] = field(default_factory=list)
    discovered: List[object] = field(default_factory=list)  # infra.DiscoveredTable, for DDB5xx
    # where the project's table-creating code is (its root and exclusions; None without a config
    # file), and what dynamo/learned.py reads of it, made on first use (`project_facts`)
    code_at: Optional[tuple] = None
    code: Optional[ProjectFacts] = None


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _linked(entry: TableConfig, table) -> bool:
    declared = str(table.name.value) if table.name is not None else None
    if declared is not None:
        if entry.name == declared or fnmatch.fnmatchcase(entry.name, declared) \
                or fnmatch.fnmatchcase(declared, entry.name):
            return True
    return _normal(entry.key) == _normal(table.logical_id)


def _exclude(settings):
    patterns = tuple(DEFAULT_EXCLUDE) + tuple(settings.exclude) + tuple(settings.extend_exclude)
    spec = compile_globs(patterns)

    def excluded(path: Path) -> bool:
        rel = relative_posix(path, settings.root)
        return spec.match_file(rel) or spec.match_file(rel + "/")

    return excluded


@lru_cache(maxsize=32)
def registry_for(settings) -> Registry:
    configured = list(settings.tables)
    if settings.config_path is None:
        return Registry(tuple(configured), [(t.key, _config_facts(t, settings)) for t in configured])
    discovered, warnings = infra.discover(settings.root, settings.infrastructure, exclude=_exclude(settings))
    merged: Dict[str, TableConfig] = {t.key: t for t in configured}
    facts = {t.key: _config_facts(t, settings) for t in configured}
    for table in discovered:
        entry = next((t for t in configured if _linked(t, table)), None)
        if entry is None:
            key = table.key if table.key not in merged else f"{table.key} ({table.source})"
            merged[key] = _from_declaration(key, table)
            facts[key] = dict(table.facts())
            continue
        combined, problems = _merge(merged[entry.key], table)
        merged[entry.key] = combined
        warnings.extend(problems)
        for name, fact in table.facts().items():
            facts[entry.key].setdefault(name, fact)
    ordered = list(merged)
    return Registry(tuple(merged[k] for k in ordered), [(k, facts[k]) for k in ordered], warnings, discovered,
                    (settings.root, _exclude(settings)))


def project_facts(settings) -> Optional[ProjectFacts]:
    """The project's table-creating files (dynamo/learned.py), under a configuration file's
    directory only, as discovery: without one the root is the working directory, which may be
    anything. Kept with the registry, so that forgetting one forgets both (the language server)."""
    registry = registry_for(settings)
    if registry.code is None and registry.code_at is not None:
        # deferred: learned.py reads the code with the model's value resolver, whose modules a run
        # that models nothing (a warm one) never imports; the registry is built in every run
        from ddblint.dynamo.learned import ProjectFacts

        registry.code = ProjectFacts(*registry.code_at)
    return registry.code


def _from_declaration(key: str, table) -> TableConfig:
    value = lambda fact: fact.value if fact is not None else None  # noqa: E731
    return TableConfig(
        key=key, name=str(value(table.name) or table.logical_id), mode=value(table.mode),
        replicas=tuple(value(table.replicas) or ()), partition_key=value(table.partition_key),
        sort_key=value(table.sort_key), indexes=dict(value(table.indexes) or {}), source=table.source,
    )


def _merge(entry: TableConfig, table) -> Tuple[TableConfig, List[str]]:
    problems = []
    changes = {}
    declared = {"mode": table.mode, "replicas": table.replicas, "partition_key": table.partition_key,
                "sort_key": table.sort_key}
    for name, fact in declared.items():
        if fact is None or fact.value is None:
            continue
        ours = getattr(entry, name)
        value = tuple(fact.value) if name == "replicas" else fact.value
        if ours in (None, ()):
            changes[name] = value
        elif (set(ours) != set(value)) if name == "replicas" else ours != value:
            problems.append(f"table `{entry.key}`: {entry.source} says {name.replace('_', '-')} = {ours!r}, "
                            f"{fact.source} says {value!r}; using the configuration")
    if table.indexes is not None:
        indexes = dict(table.indexes.value)
        indexes.update(entry.indexes)
        changes["indexes"] = indexes
    if table.name is not None and str(table.name.value) != entry.name:
        changes["aliases"] = tuple(entry.aliases) + (str(table.name.value),)
    home = entry.home_region
    replicas = changes.get("replicas", entry.replicas)
    if home and replicas and home not in replicas:
        problems.append(f"table `{entry.key}`: home-region {home} is not among its replicas "
                        f"({', '.join(replicas)}; {table.source})")
    return dataclasses.replace(entry, **changes), problems


def _config_source(table: TableConfig, settings) -> str:
    """`pyproject.toml:14`: the configuration file, relative to the root, and the table's header line."""
    path = Path(table.source) if table.source else None
    if path is None or not path.is_file():
        return table.source or "configuration"
    shown = relative_posix(path, settings.root) if path.is_absolute() else str(path)
    header = re.compile(rf"^\s*\[\s*(tool\.ddblint\.)?tables\.[\"']?{re.escape(table.key)}[\"']?\s*\]", re.M)
    text = path.read_text(encoding="utf-8", errors="replace")
    found = header.search(text)
    return f"{shown}:{text.count(chr(10), 0, found.start()) + 1}" if found else shown


def _config_facts(table: TableConfig, settings) -> Dict[str, object]:
    source = _config_source(table, settings)
    facts = {"name": Fact(table.name, source)}
    for name, value in (("env", table.env), ("mode", table.mode), ("home-region", table.home_region),
                        ("replicas", table.replicas), ("shape", table.shape),
                        ("partition-key", table.partition_key), ("sort-key", table.sort_key),
                        ("version-attribute", settings.table_version_attributes(table)),
                        ("indexes", dict(table.indexes) or None)):
        if value not in (None, ()):
            facts[name] = Fact(value, source)
    return facts

