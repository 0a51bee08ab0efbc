"""botocore's DynamoDB service model, and resolved keyword arguments checked against it.

The model is read lazily, the first time a rule asks for it, from botocore's data files, searched
as botocore's own loader does (so a model under `~/.aws/models` overrides the bundled one, as it
does for the code being checked), without importing botocore (about 0.1 s). ddblint does not depend on botocore: without it,
`available()` is False, `validate()` returns None, and the rules that need the model stay silent.

`validate()` walks a call's keywords, and the dicts and lists under them as far as they are
resolved, along the operation's input shape (`structure` members, `list.member`, `map.value`)
and returns the problems botocore would raise at run time (ParamValidationError) or that the
Python surface adds (a resource Table fills in `TableName` itself; a batch writer's
`put_item`/`delete_item` take only `Item`/`Key`).
"""
from __future__ import annotations

import difflib
import gzip
import importlib.util
import json
import os
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

# botocore's loader is not imported: `botocore.loaders` pulls in urllib3 and http.client, about
# 0.1 s of a one-file run. Its search is small enough to repeat: $AWS_DATA_PATH, ~/.aws/models,
# then the bundled data; the newest API version found in any of them; the first path holding it.
def _search_paths(package_dir: str) -> List[str]:
    extra = [os.path.expanduser(p) for p in os.environ.get("AWS_DATA_PATH", "").split(os.pathsep) if p]
    return extra + [os.path.expanduser(os.path.join("~", ".aws", "models")), os.path.join(package_dir, "data")]


def _load_json(base: str):
    for name, opener in ((base + ".json", open), (base + ".json.gz", gzip.open)):
        if os.path.isfile(name):
            with opener(name, "rb") as handle:
                return json.loads(handle.read())
    return None


@lru_cache(maxsize=None)
def _botocore_dir() -> Optional[str]:
    try:
        spec = importlib.util.find_spec("botocore")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


@lru_cache(maxsize=None)
def _service_model() -> Optional[dict]:
    package_dir = _botocore_dir()
    if package_dir is None:
        return None
    try:
        paths = [os.path.join(p, "dynamodb") for p in _search_paths(package_dir)]
        versions = {v for p in paths if os.path.isdir(p) for v in os.listdir(p)
                    if any(os.path.isfile(os.path.join(p, v, "service-2" + ext)) for ext in (".json", ".json.gz"))}
        if not versions:
            return None
        latest = max(versions)
        for path in paths:
            data = _load_json(os.path.join(path, latest, "service-2"))
            if data is not None:
                return data
    except Exception:  # noqa: BLE001 - a broken or missing model: behave as without botocore
        return None
    return None


class Shape:
    """The part of botocore.model.Shape the validation reads, over the model's JSON."""

    __slots__ = ("name", "_spec", "_shapes", "_members")

    def __init__(self, name: str, shapes: dict) -> None:
        self.name, self._spec, self._shapes = name, shapes[name], shapes
        self._members: Optional[Dict[str, "Shape"]] = None

    @property
    def type_name(self) -> str:
        return self._spec.get("type", "")

    @property
    def members(self) -> Dict[str, "Shape"]:
        """Built once per shape (an operation's input shape is cached, and so, through this, every
        shape below it): validation asks it for each key of each request, twice."""
        if self._members is None:
            shapes = self._shapes
            self._members = {key: Shape(ref["shape"], shapes) for key, ref in self._spec.get("members", {}).items()}
        return self._members

    @property
    def required_members(self) -> List[str]:
        return list(self._spec.get("required", ()))

    @property
    def member(self) -> "Shape":
        return Shape(self._spec["member"]["shape"], self._shapes)

    @property
    def value(self) -> "Shape":
        return Shape(self._spec["value"]["shape"], self._shapes)


def available() -> bool:
    return _service_model() is not None


@lru_cache(maxsize=None)
def botocore_version() -> Optional[str]:
    """botocore's version, read from its source rather than imported (see above)."""
    package_dir = _botocore_dir()
    if package_dir is None or not available():
        return None
    try:
        with open(os.path.join(package_dir, "__init__.py"), encoding="utf-8") as handle:
            match = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", handle.read(), re.MULTILINE)
    except OSError:
        return None
    return match.group(1) if match else None


@lru_cache(maxsize=None)
def input_shape(operation: str) -> Optional[Shape]:
    """The operation's input structure, None when botocore or the operation is not there."""
    model = _service_model()
    if model is None:
        return None
    spec = model.get("operations", {}).get(operation)
    if spec is None or "input" not in spec:
        return None
    return Shape(spec["input"]["shape"], model["shapes"])


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
