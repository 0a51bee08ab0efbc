"""The DynamoDB calls of one analysed module, as `Access` records, with the findings on each.

Reads the module's `DynamoModel` (the one the rules built, so nothing is resolved twice): its
operations, the writes it makes through the project's write helpers, each operation's table
facts, region and guard. A finding belongs to the innermost operation whose node holds its
start, else to every operation of the innermost call that does (a transaction's own finding).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from ddblint.diagnostics import Diagnostic
from ddblint.dynamo import WRITE_OPERATIONS
from ddblint.positions import Positions
from ddblint.rule import Context
from ddblint.topology.model import Access, TableRef

if TYPE_CHECKING:  # annotations only: the model is imported when a module is modelled
    from ddblint.dynamo import DynamoModel, Operation

# Operations that contain others (a transaction's parts, a PartiQL call's statements): shown
# through their parts when those are known.
_CONTAINERS = frozenset({"TransactWriteItems", "TransactGetItems", "ExecuteStatement", "BatchExecuteStatement",
                         "ExecuteTransaction"})
_READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems", "ConditionCheck"})
_BATCHES = frozenset({"BatchWriteItem", "StartBulkPutItems"})

Span = Tuple[Tuple[int, int], Tuple[int, int]]


def accesses(ctx: Context, diagnostics: Sequence[Diagnostic], display: str) -> List[Access]:
    """Every DynamoDB operation of the module `ctx` holds, with the codes of `diagnostics` on it."""
    model = ctx.dynamo
    operations = _shown(model.operations) + list(model.helper_writes)
    if not operations:
        return []
    positions = ctx.positions  # made already when the module has findings
    # a helper's write points at the call of the helper (`op.node`); its `call` is in the helper's module
    spans = {id(op): (_span(positions, op.node, op.call.node), _span(positions, op.call.node, op.node))
             for op in operations}
    codes = _codes(operations, spans, diagnostics)
    root = str(ctx.settings.root)
    return [_access(model, op, spans[id(op)][0], codes.get(id(op), ()), display, root) for op in operations]


def _shown(operations: Sequence[Operation]) -> List[Operation]:
    """The operations to show: a container's parts instead of the container, when it has some."""
    with_parts = {id(op.call) for op in operations if op.name not in _CONTAINERS}
    return [op for op in operations if not (op.name in _CONTAINERS and id(op.call) in with_parts)]


def _span(positions: Positions, node, fallback) -> Span:
    """The range of `node`, else of `fallback` when `node` belongs to another module."""
    try:
        return positions[node]
    except KeyError:
        return positions[fallback]


def _codes(operations: Sequence[Operation], spans: Dict[int, Tuple[Span, Span]],
           diagnostics: Sequence[Diagnostic]) -> Dict[int, Tuple[str, ...]]:
    found: Dict[int, List[str]] = {}
    for d in diagnostics:
        point = (d.location.row, d.location.column - 1)
        for op in _owners(operations, spans, point):
            found.setdefault(id(op), []).append(d.code)
    return {key: tuple(sorted(set(codes))) for key, codes in found.items()}


def _owners(operations, spans, point) -> List[Operation]:
    """The operations a finding starting at `point` is about."""
    for which in (0, 1):  # the operation's own node, else its call
        holding = [op for op in operations if spans[id(op)][which][0] <= point < spans[id(op)][which][1]]
        if holding:
            smallest = min(_size(spans[id(op)][which]) for op in holding)
            return [op for op in holding if _size(spans[id(op)][which]) == smallest]
    return []


def _size(span: Span) -> Tuple[int, int]:
    (row, column), (end_row, end_column) = span
    return (end_row - row, end_column - column if end_row == row else end_column)


def _access(model: DynamoModel, op: Operation, span: Span, codes: Tuple[str, ...], display: str,
            root: str) -> Access:
    (line, column), _ = span
    kind = _kind(op)
    through = op.through
    return Access(
        table=_table(model, op, root), path=display, line=line, column=column + 1,
        function=model.enclosing_function(op), operation=op.name, kind=kind, region=op.call.region,
        guarded=None if kind == "read" else _guarded(model, op), codes=codes,
        through=through.helper if through is not None else None,
        through_path=str(through.path) if through is not None and through.path is not None else None,
        through_line=through.line if through is not None else None,
    )


def _kind(op: Operation) -> str:
    if op.name in _READS:
        return "read"
    if op.in_transaction or op.name in ("TransactWriteItems", "ExecuteTransaction"):
        return "transaction"
    if op.name in _BATCHES or op.call.via == "batch_writer" or op.call.method == "batch_execute_statement":
        return "batch-write"
    return "write" if op.name in WRITE_OPERATIONS else "read"


def _guarded(model: DynamoModel, op: Operation) -> Optional[bool]:
    if op.name in _BATCHES and op.partiql is None:
        return False  # BatchWriteItem cannot carry a condition
    if op.name in _CONTAINERS:
        return None  # its parts are not known
    status = model.guard(op).status
    return {"guarded": True, "unguarded": False}.get(status)


def _table(model: DynamoModel, op: Operation, root: str) -> TableRef:
    facts = model.facts(op)
    name = facts.config.key if facts.registered else facts.label
    return TableRef(name=name, project=root, registered=facts.registered, mode=facts.mode, shape=facts.shape,
                    home_region=facts.home_region, replicas=facts.replicas)
