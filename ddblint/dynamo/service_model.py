"""botocore's DynamoDB service model, and resolved keyword arguments checked against it.

The model is loaded lazily, with botocore's own loader (so a model under `~/.aws/models`
overrides the bundled one, as it does for the code being checked), the first time a rule asks
for it, and kept for the rest of the process: importing botocore costs about 0.1 s, which a
run that finds no DynamoDB call never pays. ddblint does not depend on botocore: without it,
`available()` is False, `validate()` returns None, and the rules that need the model stay silent.

`validate()` walks a call's keywords, and the dicts and lists under them as far as they are
resolved, along the operation's input shape (`structure` members, `list.member`, `map.value`)
and returns the problems botocore would raise at run time (ParamValidationError) or that the
Python surface adds (a resource Table fills in `TableName` itself; a batch writer's
`put_item`/`delete_item` take only `Item`/`Key`).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Tuple, Union

from ddblint.dynamo.values import Arg, DictValue, ListValue

# The members of PutItem/DeleteItem that only make sense for a single conditional write: a batch
# writer passed one of them is asking for a condition a BatchWriteItem cannot carry.
CONDITION_PARAMETERS = frozenset({
    "ConditionExpression", "Expected", "ConditionalOperator", "ExpressionAttributeNames",
    "ExpressionAttributeValues", "ReturnValuesOnConditionCheckFailure",
})
# What a boto3 batch writer's methods accept (boto3/dynamodb/table.py BatchWriter).
BATCH_WRITER_PARAMETERS = {"put_item": ("PutItem", "Item"), "delete_item": ("DeleteItem", "Key")}
# Surfaces: how the call reaches DynamoDB (DynamoCall.via).
SURFACES = ("client", "resource", "table", "batch_writer", "unknown")
# An unresolved receiver may be a wrapper with keywords of its own; only names written the way
# DynamoDB's are (CamelCase) and very close to one of its parameters are reported there.
_DYNAMODB_STYLE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_UNKNOWN_RECEIVER_CUTOFF = 0.85
_SUGGESTION_CUTOFF = 0.6

PathPart = Union[str, int, None]  # a dict key, a list index (None when the position is not known)


@dataclass(frozen=True)
class Problem:
    """One thing botocore (or boto3's resource layer) would reject."""

    kind: str  # unknown | missing | table-name | batch-condition | batch-unsupported
    operation: str  # PutItem, TransactWriteItems, ...
    path: Tuple[PathPart, ...]  # from the keyword down to the dict the problem is in; () at the top level
    name: str  # the unknown key, or the missing member
    suggestion: Optional[str] = None  # the closest valid name, for an unknown key
    allowed: Tuple[str, ...] = ()  # the valid names there
    arg: Optional[Arg] = None  # the entry with the unknown key (its value node locates it)
    container: Optional[object] = None  # the DictValue the key is in or lacks (None: the call's keywords)
    in_attribute_value: bool = False  # the dict is a wire-format AttributeValue ({"S": ...})

    @property
    def where(self) -> str:
        """`TransactItems[0].Update.ConditionExpresion`, as botocore names a parameter."""
        return format_path(self.path + ((self.name,) if self.kind != "missing" else ()))


def format_path(path: Tuple[PathPart, ...]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int) or part is None:
            text += f"[{part if part is not None else '?'}]"
        else:
            text += f".{part}" if text else part
    return text


# -- the model ----------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _service_model():
    try:
        from botocore.loaders import create_loader
        from botocore.model import ServiceModel
    except ImportError:
        return None
    try:
        data = create_loader().load_service_model("dynamodb", "service-2")
        return ServiceModel(data, service_name="dynamodb")
    except Exception:  # noqa: BLE001 - a broken or missing model: behave as without botocore
        return None


def available() -> bool:
    return _service_model() is not None


@lru_cache(maxsize=None)
def botocore_version() -> Optional[str]:
    if not available():
        return None
    import botocore

    return getattr(botocore, "__version__", None)


@lru_cache(maxsize=None)
def input_shape(operation: str):
    """The operation's input StructureShape, None when botocore or the operation is not there."""
    model = _service_model()
    if model is None or operation not in model.operation_names:
        return None
    return model.operation_model(operation).input_shape


def members(operation: str) -> Optional[Tuple[str, ...]]:
    shape = input_shape(operation)
    return tuple(shape.members) if shape is not None else None


def required(operation: str) -> Optional[FrozenSet[str]]:
    shape = input_shape(operation)
    return frozenset(shape.required_members) if shape is not None else None


def suggest(name: str, candidates, cutoff: float = _SUGGESTION_CUTOFF) -> Optional[str]:
    """The closest candidate, case-insensitively (`conditionExpression` -> `ConditionExpression`)."""
    by_lower = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[match[0]] if match else None


# -- validation ---------------------------------------------------------------------------------

class _Walk:
    def __init__(self, operation: str, surface: str, wire_values: bool) -> None:
        self.operation = operation
        self.strict = surface != "unknown"  # an unresolved receiver: only near-misses of DynamoDB names
        self.wire_values = wire_values
        self.problems: List[Problem] = []

    def unknown(self, key: str, candidates, path, arg, container, in_attribute_value=False) -> None:
        if self.strict:
            self.problems.append(Problem("unknown", self.operation, path, key, suggest(key, candidates),
                                         tuple(candidates), arg, container, in_attribute_value))
            return
        suggestion = suggest(key, candidates, _UNKNOWN_RECEIVER_CUTOFF)
        if suggestion is not None and _DYNAMODB_STYLE.match(key):
            self.problems.append(Problem("unknown", self.operation, path, key, suggestion, tuple(candidates),
                                         arg, container))

    def value(self, shape, value, path) -> None:
        if shape is None:
            return
        if shape.name == "AttributeValue" and not self.wire_values:
            return  # boto3's resource layer serialises plain Python values: nothing to check
        kind = shape.type_name
        if kind == "structure" and isinstance(value, DictValue):
            self.structure(shape, value, path)
        elif kind == "list" and isinstance(value, ListValue):
            for index, item in enumerate(value.items):
                self.value(shape.member, item.value, path + (index if value.complete else None,))
        elif kind == "map" and isinstance(value, DictValue):
            for key, entry in value.entries.items():
                self.value(shape.value, entry.value, path + (key,))

    def structure(self, shape, value: DictValue, path) -> None:
        names = tuple(shape.members)
        attribute_value = shape.name == "AttributeValue"
        for key, entry in value.entries.items():
            if key not in shape.members:
                self.unknown(key, names, path, entry, value, attribute_value)
            else:
                self.value(shape.members[key], entry.value, path + (key,))
        if self.strict and value.complete and not attribute_value:
            for name in shape.required_members:
                if name not in value.entries:
                    self.problems.append(Problem("missing", self.operation, path, name, container=value))


def validate(operation: str, method: str, keywords: Dict[str, Arg], complete: bool, surface: str,
             *, wire_values: bool = False) -> Optional[List[Problem]]:
    """The problems of one call's keywords; None when the model (or this operation) is not available.

    `surface` is DynamoCall.via. `wire_values` says the receiver is known to be a low-level client
    that does not come from a resource, so AttributeValues must be in wire format ({"S": "x"}) and
    are checked too. Missing members are reported only where the dict is complete (no unresolved
    `**splat` may add them), and never for an unresolved receiver: a client needs `TableName`, a
    Table must not have it.
    """
    if surface == "batch_writer":
        return _batch_writer(method, keywords, complete)
    shape = input_shape(operation)
    if shape is None:
        return None
    walk = _Walk(operation, surface, wire_values and surface == "client")
    names = [n for n in shape.members if not (surface == "table" and n == "TableName")]
    for key, arg in keywords.items():
        if surface == "table" and key == "TableName":
            walk.problems.append(Problem("table-name", operation, (), key, arg=arg))
        elif key in shape.members:
            walk.value(shape.members[key], arg.value, (key,))
        else:
            walk.unknown(key, names, (), arg, None)
    if complete and surface in ("client", "resource", "table"):
        for name in shape.required_members:
            if name not in keywords and not (surface == "table" and name == "TableName"):
                walk.problems.append(Problem("missing", operation, (), name))
    return walk.problems


def _batch_writer(method: str, keywords: Dict[str, Arg], complete: bool) -> Optional[List[Problem]]:
    if method not in BATCH_WRITER_PARAMETERS:
        return []
    operation, only = BATCH_WRITER_PARAMETERS[method]
    full = members(operation)
    if full is None:
        return None
    problems = []
    for key, arg in keywords.items():
        if key == only:
            continue
        if key in CONDITION_PARAMETERS:
            kind = "batch-condition"
        elif key in full:
            kind = "batch-unsupported"
        else:
            kind = "unknown"
        problems.append(Problem(kind, "BatchWriteItem", (), key, suggest(key, (only,)) if kind == "unknown" else None,
                                (only,), arg))
    if complete and only not in keywords:
        problems.append(Problem("missing", "BatchWriteItem", (), only))
    return problems
