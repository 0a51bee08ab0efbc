"""Whether the index a Query or Scan names is global or local, and how we know (SPEC §3).

An index is known to be global or local when the registry (configuration, infrastructure) or
the code's PynamoDB Index classes declare it so, or a `create_table`/`update_table` call of the
project creates it so (dynamo/learned.py); it is known to be global when a query on it uses a
partition-key attribute other than the table's known partition key (a local index shares the
table's partition key). Otherwise its kind is unknown, and DDB301 stays silent: precision first.

When the call's table is unknown, the index name may still single out a table (table by
shape): exactly one registered table declares it, else exactly one table the code creates
does. The answer then says the table was inferred.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, FrozenSet, List, Optional, Tuple

from ddblint.dynamo import expressions as ex
from ddblint.dynamo.calls import ABSENT, Operation
from ddblint.dynamo.conditions import attribute_name, attribute_names
from ddblint.dynamo.learned import LearnedTable, same_table
from ddblint.dynamo.table_registry import registry_for
from ddblint.dynamo.tables import TableFacts, match
from ddblint.dynamo.values import UNKNOWN, ConditionValue, DictValue


@dataclass(frozen=True)
class IndexKind:
    kind: Optional[str]  # "global" | "local" | None when not known
    table: Optional[str]  # how to name the index's table in a message
    reason: str = ""  # how we know: "declared", "created so at tests/conftest.py:12", ...
    inferred: bool = False  # the table was inferred from the index name (table by shape)


UNKNOWN_KIND = IndexKind(None, None)


def index_kind(op: Operation, facts: TableFacts, settings, learned: Callable[[str], List[LearnedTable]],
               schema: Callable[[], Optional["KeySchema"]]) -> IndexKind:
    """The kind of the index `op` names. `learned(index)` gives the tables the code creates that
    may declare it (the checked module's and the project's); `schema()` the table's key schema,
    asked only when nothing else says."""
    index = op.param("IndexName")
    if not isinstance(index, str):
        return UNKNOWN_KIND
    declared = facts.index_kind(index)
    if declared is not None:
        return IndexKind(declared, facts.label, "declared")
    created = learned(index)
    ours = [t for t in created if _is_ours(t, op, facts, settings)]
    kinds = {t.index_kind(index) for t in ours} - {None}
    if len(kinds) == 1:
        kind = kinds.pop()
        creation = _nearest(op, [t for t in ours if t.index_kind(index)])
        return IndexKind(kind, facts.label or ours[0].label, _where(creation))
    if kinds:
        return UNKNOWN_KIND  # created both ways: not ours to guess
    by_key = _by_partition_key(op, schema()) if op.name == "Query" else None
    if by_key is not None:
        return by_key
    if op.table is UNKNOWN and not facts.registered:
        return _by_shape(index, settings, created)
    return UNKNOWN_KIND


def _where(creation: LearnedTable) -> str:
    return creation.describe()


def _nearest(op: Operation, creations: List[LearnedTable]) -> LearnedTable:
    """The creation the query follows most closely in its module (a test's own fixture), else the first."""
    before = [t for t in creations if 0 <= t.order < op.call.site.order]
    return max(before, key=lambda t: t.order) if before else creations[0]


def _is_ours(table: LearnedTable, op: Operation, facts: TableFacts, settings) -> bool:
    if same_table(table.table, op.table):
        return True
    return facts.registered and match(table.table, registry_for(settings).tables) is facts.config


# -- the partition key of a query -----------------------------------------------------------------
def _by_partition_key(op: Operation, schema: Optional["KeySchema"]) -> Optional[IndexKind]:
    """A query on the index whose key condition leaves out the table's partition key: the index
    has a partition key of its own, so it is global."""
    if schema is None or schema.inferred:
        return None
    used = key_condition_attributes(op)
    if not used or schema.partition_key in used:
        return None
    names = ", ".join(f"`{name}`" for name in sorted(used))
    return IndexKind("global", schema.table,
                     f"queried on {names}, not the table's partition key `{schema.partition_key}`")


def key_condition_attributes(op: Operation) -> Optional[FrozenSet[str]]:
    """The attributes a Query's key condition names; None when it cannot be read whole."""
    value = op.param("KeyConditionExpression")
    if isinstance(value, ConditionValue):
        tree = value.expr
    elif isinstance(value, str):
        try:
            tree = ex.parse_key_condition(value)
        except ex.ExpressionError:
            return None
    elif value is ABSENT:
        return _legacy_key_conditions(op.param("KeyConditions"))
    else:
        return None
    names = attribute_names(op) if isinstance(value, str) else {}
    found = set()
    for node in ex.walk(tree):
        if isinstance(node, ex.Path):
            name = attribute_name(node, names)
            if not isinstance(name, str):
                return None
            found.add(name)
    return frozenset(found)


def _legacy_key_conditions(value) -> Optional[FrozenSet[str]]:
    if not isinstance(value, DictValue) or not value.complete or not value.entries:
        return None
    return frozenset(value.entries)


# -- table by shape -------------------------------------------------------------------------------
def _by_shape(index: str, settings, created: List[LearnedTable]) -> IndexKind:
    """The table a call with an unknown table must be: the only one that declares the index."""
    declaring = [t for t in registry_for(settings).tables if index in (t.indexes or {})]
    if len(declaring) == 1:
        entry = declaring[0]
        return IndexKind(entry.indexes[index], entry.key, "declared", inferred=True)
    if declaring:
        return UNKNOWN_KIND
    with_index = [t for t in created if t.index_kind(index)]
    if not with_index or not all(same_table(t.table, with_index[0].table) for t in with_index[1:]):
        return UNKNOWN_KIND
    kinds = {t.index_kind(index) for t in with_index}
    if len(kinds) != 1:
        return UNKNOWN_KIND
    kind = kinds.pop()
    return IndexKind(kind, with_index[0].label, _where(with_index[0]), inferred=True)


# -- key schemas ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeySchema:
    partition_key: str
    sort_key: Optional[str]
    table: Optional[str]  # how to name the table in a message
    reason: str  # "declared", "created so by the create_table call in `setup`", ...
    inferred: bool = False  # the table was inferred from the call's Key (table by shape)

    @property
    def attributes(self) -> Tuple[str, ...]:
        return (self.partition_key, self.sort_key) if self.sort_key else (self.partition_key,)


def key_schema(op: Operation, facts: TableFacts, settings,
               learned: Callable[[Optional[str]], List[LearnedTable]]) -> Optional[KeySchema]:
    """The key schema of the operation's table: declared, created by the code, or, when the
    call's table is unknown, the only known table whose key schema is exactly the call's `Key`
    attribute names (inferred). `learned(word)` gives the tables the code creates or models whose
    file names `word` (None: the checked module's only). None when nothing says."""
    partition_key = getattr(facts.config, "partition_key", None)
    if partition_key:
        return KeySchema(partition_key, getattr(facts.config, "sort_key", None), facts.label, "declared")
    word = op.table if isinstance(op.table, str) else None
    ours = [t for t in learned(word) if t.partition_key and _is_ours(t, op, facts, settings)]
    schemas = {(t.partition_key, t.sort_key) for t in ours}
    if len(schemas) == 1:
        creation = _nearest(op, ours)
        return KeySchema(creation.partition_key, creation.sort_key, facts.label or creation.label,
                         _where(creation))
    if schemas or op.table is not UNKNOWN or facts.registered:
        return None
    return _key_by_shape(op, settings, learned)


def _key_by_shape(op: Operation, settings, learned: Callable[[Optional[str]], List[LearnedTable]]) \
        -> Optional[KeySchema]:
    key = op.param("Key")
    if not isinstance(key, DictValue) or not key.complete or not key.entries:
        return None
    names = frozenset(key.entries)
    if not all(isinstance(name, str) for name in names):
        return None
    registered = [t for t in registry_for(settings).tables if t.partition_key
                  and frozenset(filter(None, (t.partition_key, t.sort_key))) == names]
    if len(registered) == 1:
        entry = registered[0]
        return KeySchema(entry.partition_key, entry.sort_key, entry.key, "declared", inferred=True)
    if registered:
        return None
    # a file that creates or models a table with this key schema names each of its attributes
    matching = [t for t in learned(min(names))
                if t.partition_key and frozenset(filter(None, (t.partition_key, t.sort_key))) == names]
    if not matching or not all(same_table(t.table, matching[0].table) for t in matching[1:]):
        return None
    first = matching[0]
    if len({(t.partition_key, t.sort_key) for t in matching}) != 1:
        return None
    return KeySchema(first.partition_key, first.sort_key, first.label, _where(first), inferred=True)
