"""Which calls are DynamoDB operations, and the operations each one performs.

A call is one `x.method(...)` in the source; it performs one or more operations: a
`transact_write_items` call performs one per TransactItems entry (each with its own table and
condition), a `batch_write_item` one per table in RequestItems, a batch writer's `put_item`
one BatchWriteItem request. Rules look at operations; they point at `Operation.node`.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ddblint.dynamo import partiql
from ddblint.dynamo.operations import (
    BATCH_WRITER_METHODS, CLIENT_OPERATIONS, DYNAMODB_KEYWORDS, RESOURCE_OPERATIONS, TABLE_OPERATIONS,
)
from ddblint.dynamo.scope import CallSite
from ddblint.dynamo.values import (
    UNKNOWN, Arg, At, DictValue, Evaluator, Instance, ListValue, OnPath, QualName, Receiver, Template,
)


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT = _Absent()  # a parameter the call certainly does not pass

# Entry kinds of TransactItems and the single-item operation each one is.
_TRANSACT_WRITE_ENTRIES = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                           "ConditionCheck": "ConditionCheck"}
# The parameters that carry a write's condition.
_CONDITION_KEYS = ("ConditionExpression", "Expected", "ConditionalOperator")
# An unresolved receiver whose name says it is a batch writer (`batch`, `writer`, `bw`).
_BATCH_NAME = re.compile(r"(^|_)(batch|writer|bw)($|_)|batch_?writer", re.IGNORECASE)


@dataclass(eq=False)
class DynamoCall:
    node: cst.Call
    method: str
    via: str  # client | resource | table | batch_writer | unknown (recognised by its keywords alone)
    receiver: Optional[Receiver]
    keywords: Dict[str, Arg]
    complete: bool  # False when a `**splat` we could not resolve may add keywords
    site: CallSite
    region: Optional[str] = None  # the region the call runs in, when known
    operations: List["Operation"] = field(default_factory=list)

    @property
    def is_async(self) -> bool:
        return bool(self.receiver and self.receiver.is_async)


@dataclass(eq=False)
class Operation:
    name: str  # PutItem, UpdateItem, DeleteItem, ConditionCheck, GetItem, Query, Scan, BatchWriteItem, ...
    call: DynamoCall
    node: cst.CSTNode  # where a finding about this operation points
    params: Dict[str, Arg]
    complete: bool
    table: object  # the table name value: str, EnvVar, Template or UNKNOWN
    in_transaction: bool = False
    orm: Optional[str] = None  # "pynamodb" for an ORM model's operation (dynamo/pynamodb.py), None for boto3's
    partiql: Optional[object] = None  # a PartiQL statement's operation: its partiql.Statement
    through: Optional[object] = None  # a write made by a helper this call calls: its helpers.Through

    def param(self, name: str):
        """The value passed for `name`; ABSENT when certainly not passed; UNKNOWN when we cannot tell."""
        arg = self.params.get(name)
        if arg is not None:
            return arg.value
        return ABSENT if self.complete else UNKNOWN

    def param_node(self, name: str) -> Optional[cst.CSTNode]:
        arg = self.params.get(name)
        return arg.node if arg is not None else None

    def without_path_condition(self) -> Optional[Tuple["Operation", OnPath]]:
        """The operation on the path where its condition, set by one `if` of the code that built the
        request, is absent, and that `if` (SPEC §3 Paths); None when its condition is not set so."""
        on_path = [self.params[key].path for key in _CONDITION_KEYS
                   if key in self.params and self.params[key].path is not None]
        if not on_path:
            return None
        params = {key: arg for key, arg in self.params.items() if not (key in _CONDITION_KEYS and arg.path)}
        return replace(self, params=params), on_path[0]


def find_calls(evaluator: Evaluator, sites: List[CallSite]) -> List[DynamoCall]:
    calls = []
    for site in sites:
        call = _recognise(evaluator, site)
        if call is not None:
            call.operations = _operations(call, evaluator)
            calls.append(call)
    return calls


def _recognise(evaluator: Evaluator, site: CallSite) -> Optional[DynamoCall]:
    node = site.node
    method = node.func.attr.value
    if any(arg.keyword is None and arg.star != "**" for arg in node.args):
        return None  # boto3 operations take keywords only (checked first: resolving the receiver costs more)
    at = At(site.scope, site.order, site.chain)
    receiver = evaluator.value(node.func.value, at)
    if isinstance(receiver, Instance):
        # an instance of a project class: its own method is not DynamoDB's; a proxy is its target;
        # anything else falls through to what we cannot see (SPEC §3)
        receiver = evaluator.method_target(receiver, method)
        if isinstance(receiver, Instance):
            return None
    positional, keywords, complete = evaluator.arguments(node, at)
    if isinstance(receiver, Receiver):
        methods = {"client": CLIENT_OPERATIONS, "resource": RESOURCE_OPERATIONS, "table": TABLE_OPERATIONS,
                   "batch_writer": BATCH_WRITER_METHODS}.get(receiver.kind, {})
        if method not in methods:
            return None
        return DynamoCall(node, method, receiver.kind, receiver, keywords, complete, site)
    if isinstance(receiver, QualName):
        receiver = UNKNOWN  # imported from a module we cannot see: judge it by its keywords
    if receiver is not UNKNOWN:
        return None  # resolved to something that is not DynamoDB: a dict, another client, ...
    # Unresolved receiver: keyword-only and at least one keyword only DynamoDB takes (SPEC §3).
    if method not in CLIENT_OPERATIONS and method not in TABLE_OPERATIONS:
        return None
    if not node.args or not (DYNAMODB_KEYWORDS & set(keywords)):
        return None
    via = "unknown"
    if method in BATCH_WRITER_METHODS and set(keywords) <= {"Item", "Key"} \
            and _BATCH_NAME.search(_tail_name(node.func.value)):
        via = "batch_writer"
    return DynamoCall(node, method, via, None, keywords, complete, site)


def _tail_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return ""


def _operations(call: DynamoCall, evaluator: Optional[Evaluator] = None) -> List[Operation]:
    method, kw = call.method, call.keywords
    receiver_table = call.receiver.table if call.receiver is not None and call.via in ("table", "batch_writer") \
        else UNKNOWN
    if call.via == "batch_writer":
        return [Operation("BatchWriteItem", call, call.node, kw, call.complete, receiver_table)]
    name = CLIENT_OPERATIONS.get(method) or TABLE_OPERATIONS.get(method)
    table = receiver_table if call.via == "table" else _value(kw.get("TableName"))
    ops = [Operation(name, call, call.node, kw, call.complete, table)]
    if name == "TransactWriteItems":
        ops.extend(_transaction_entries(call, _TRANSACT_WRITE_ENTRIES, evaluator))
    elif name == "TransactGetItems":
        ops.extend(_transaction_entries(call, {"Get": "GetItem"}, evaluator))
    elif name in ("BatchWriteItem", "BatchGetItem"):
        ops = _per_table(call, name) or ops
    elif name in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
        ops.extend(_partiql_statements(call, evaluator))
    return ops


def _value(arg: Optional[Arg]):
    return arg.value if arg is not None else UNKNOWN


def _transaction_entries(call: DynamoCall, kinds: Dict[str, str], evaluator: Optional[Evaluator]) -> List[Operation]:
    """One operation per part of TransactItems whose shape is known, however the list was built (a
    literal, `append`/`extend`/`+`, a comprehension, a helper that returns a part or the list). A
    part built once and added many times (in a loop, by a comprehension) is one operation."""
    given = call.keywords.get("TransactItems")
    items = _value(given)
    if not isinstance(items, ListValue):
        return []
    ops, seen = [], set()
    for item in items.items:
        entry = item.value
        if not isinstance(entry, DictValue) or len(entry.entries) != 1 or id(entry) in seen:
            continue
        seen.add(id(entry))
        (kind, body), = entry.entries.items()
        if kind not in kinds or not isinstance(body.value, DictValue):
            continue
        params = body.value
        where = _part_location(call, (entry.node, item.node, given.node), evaluator)
        ops.append(Operation(kinds[kind], call, where, params.entries, params.complete,
                             _value(params.entries.get("TableName")), in_transaction=True))
    return ops


def _part_location(call: DynamoCall, candidates, evaluator: Optional[Evaluator]) -> cst.CSTNode:
    """Where a finding on a transaction part points: the part's dict literal, even when it was bound
    to a name first or returned by a helper; else the expression that added it to the list; else the
    TransactItems argument; else the call. Only nodes of this module: a part built by another
    module's helper is reported where this module uses it."""
    for node in candidates:
        if node is not None and (evaluator is None or evaluator.owns(node)):
            return node
    return call.node


def _per_table(call: DynamoCall, name: str) -> List[Operation]:
    """RequestItems of batch_write_item / batch_get_item: one operation per table."""
    request_items = _value(call.keywords.get("RequestItems"))
    if not isinstance(request_items, DictValue):
        return []
    ops = []
    for table, arg in request_items.entries.items():
        params = arg.value.entries if isinstance(arg.value, DictValue) else {"Requests": arg}
        complete = arg.value.complete if isinstance(arg.value, DictValue) else True
        ops.append(Operation(name, call, call.node, params, complete, table))
    return ops


# --- PartiQL ------------------------------------------------------------------------------------
# ExecuteStatement, BatchExecuteStatement and ExecuteTransaction perform one operation per
# statement, named after what the statement does, with `partiql` holding the parsed statement
# and `table` its table. A SELECT is a Query when it has a WHERE (DynamoDB makes it a GetItem,
# a Query or a filtered Scan depending on the key schema, which no rule needs to tell apart), a
# Scan when not, and a GetItem inside a transaction (transactional reads name one item).
# Statements that cannot be resolved or parsed perform nothing we can see.
_PARTIQL_OPERATIONS = {"UPDATE": "UpdateItem", "DELETE": "DeleteItem", "INSERT": "PutItem",
                       "EXISTS": "ConditionCheck"}
_PARTIQL_ENTRIES = {"batch_execute_statement": "Statements", "execute_transaction": "TransactStatements"}
_BUILT_STRINGS = frozenset(("FormattedString", "BinaryOperation", "ConcatenatedString"))  # LibCST's classes


def _partiql_statements(call: DynamoCall, evaluator: Optional[Evaluator]) -> List[Operation]:
    in_transaction = call.method == "execute_transaction"
    if call.method in _PARTIQL_ENTRIES:
        items = _value(call.keywords.get(_PARTIQL_ENTRIES[call.method]))
        if not isinstance(items, ListValue):
            return []
        given = call.keywords[_PARTIQL_ENTRIES[call.method]]
        entries = [(item.value.entries, item.value.complete,
                    _part_location(call, (item.value.node, item.node, given.node), evaluator))
                   for item in items.items if isinstance(item.value, DictValue)]
    else:
        entries = [(call.keywords, call.complete, call.node)]
    ops = []
    for params, complete, where in entries:
        arg = params.get("Statement")
        try:
            if arg is not None and type(arg.node).__name__ in _BUILT_STRINGS and evaluator is not None:
                at = At(call.site.scope, call.site.order, call.site.chain)
                statement = partiql.parse_parts(_statement_parts(arg.node, evaluator, at))
            else:
                statement = partiql.parse_value(_value(arg))
        except partiql.PartiQLError:
            continue
        name = _PARTIQL_OPERATIONS.get(statement.kind) or \
            ("GetItem" if in_transaction else "Query" if statement.where is not None else "Scan")
        ops.append(Operation(name, call, where, params, complete, statement.table,
                             in_transaction=in_transaction, partiql=statement))
    return ops


def _statement_parts(node, evaluator: Evaluator, at: At) -> List[object]:
    """An f-string or concatenation in parts: its text, unescaped, and the values it interpolates.

    The evaluator's Template keeps only str and UNKNOWN parts and the f-string's text as written;
    here `f'UPDATE "{TABLE}" ...'` keeps TABLE's EnvVar (the registry matches it) and
    `f"VALUE {{'pk': ?}}"` its braces.
    """
    if isinstance(node, cst.FormattedString):
        raw = "r" in node.prefix.lower()
        parts: List[object] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value.replace("{{", "{").replace("}}", "}")
                parts.append(text if raw else _unescape(text))
            elif part.conversion is None and part.format_spec is None:
                value = evaluator.value(part.expression, at)
                parts.append(str(value) if isinstance(value, int) and not isinstance(value, bool) else value)
            else:
                parts.append(UNKNOWN)
        return parts
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _statement_parts(node.left, evaluator, at) + _statement_parts(node.right, evaluator, at)
    if isinstance(node, cst.ConcatenatedString):
        return _statement_parts(node.left, evaluator, at) + _statement_parts(node.right, evaluator, at)
    if node is None:
        return [UNKNOWN]
    value = evaluator.value(node, at)
    return list(value.parts) if isinstance(value, Template) else [value]


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    try:
        return codecs.escape_decode(text.encode("utf-8"))[0].decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return text
