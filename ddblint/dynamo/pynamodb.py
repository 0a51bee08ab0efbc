"""PynamoDB models, read as text: their tables and regions, and the operations their methods perform.

A PynamoDB model is a class deriving, directly or through base models of the project, from
`pynamodb.models.Model` (SPEC §3). Its `Meta.table_name` and `Meta.region` say which table and
region its operations use; its attributes say what a `save()` writes, and a `VersionAttribute`
makes PynamoDB add a version condition to every `save`/`update`/`delete` by itself (unless
`add_version_condition=False`; research/dynamodb-facts.md §1.5).

`PynamoPlugin` teaches the value resolver, through its plug-in hooks (`values.Plugin`), what
PynamoDB code builds (`PynamoEvaluator` makes an `Evaluator` with it): model instances
(`Subscriber(...)`, `Subscriber.get(...)`, loop variables over `query`/`scan`/`batch_get`, values
annotated with the model, `self` in its methods), secondary index attributes, `batch_write()`
contexts, `TransactWrite`/`TransactGet` contexts, and the condition and update-action DSL
(`Subscriber.version == 3`, `.does_not_exist()`, `&`, `|`, `~`, `.set(...)`), which it turns into
the expression trees of `expressions.py` so the standard version-guard analysis reads them.
`find_calls` then makes `DynamoCall`s (`via = "pynamodb"`) whose operations (`orm = "pynamodb"`)
carry DynamoDB parameter names where other rules read them (and so do the calls' `keywords`:
PynamoDB's own keywords are no request parameters to check against botocore's model): `Item`/`Key` of batch writes,
`ConsistentRead` and `IndexName` of reads, `ConditionExpression` (the condition given *and*
PynamoDB's automatic version condition) and `UpdateExpression` of writes, the latter two as
trees, never as strings or `boto3.dynamodb.conditions` builders (no rule about expression
strings or builders applies to them). PynamoDB itself is never imported.
"""
from __future__ import annotations

import time
from pathlib import Path
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ddblint import parsing
from ddblint.dynamo import expressions as ex
from ddblint.dynamo import scans
from ddblint.dynamo.calls import DynamoCall, Operation
from ddblint.dynamo.operations import PYNAMODB_ORM
from ddblint.dynamo.scope import CallSite, ClassInfo, ModuleIndex, build_index
from ddblint.dynamo.values import (
    UNKNOWN, Arg, At, ClassRef, ConditionValue, DictValue, EnvVar, Evaluator, Instance, ListValue, Plugin,
    QualName, Receiver, Template,
)

ORM = PYNAMODB_ORM
_MODEL = "pynamodb.models.Model"
_VERSION = "pynamodb.attributes.VersionAttribute"
_INDEXES = {"pynamodb.indexes.GlobalSecondaryIndex": "global", "pynamodb.indexes.LocalSecondaryIndex": "local"}
_KINDS = {_MODEL: "model", _VERSION: "version", **{name: f"index-{kind}" for name, kind in _INDEXES.items()}}
_TRANSACTIONS = {"pynamodb.transactions.TransactWrite": "write", "pynamodb.transactions.TransactGet": "get"}
_CONNECTIONS = frozenset({"pynamodb.connection.Connection", "pynamodb.connection.base.Connection",
                          "pynamodb.connection.TableConnection", "pynamodb.connection.table.TableConnection"})
# Bases that add no attributes of their own.
_NEUTRAL_BASES = ("builtins.", "abc.", "typing.", "typing_extensions.", "pynamodb.")
# LibCST's comparison operators, by class name (LibCST is imported on first use: ddblint/lazy.py)
_COMPARISONS = {"Equal": "=", "NotEqual": "<>", "LessThan": "<", "LessThanEqual": "<=",
                "GreaterThan": ">", "GreaterThanEqual": ">="}
_FLIPPED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
# Update actions of the DSL and the clause of the UpdateExpression PynamoDB writes for each.
_ACTIONS = {"set": "SET", "append": "SET", "prepend": "SET", "add": "ADD", "remove": "REMOVE", "delete": "DELETE"}
_CONDITION_METHODS = frozenset({"does_not_exist", "exists", "between", "is_in", "startswith", "contains", "is_type"})
_MODEL_METHODS = frozenset({"get", "query", "scan", "batch_get", "batch_write"})
_INTERCEPTED = _CONDITION_METHODS | frozenset(_ACTIONS) | _MODEL_METHODS
# Methods whose calls are operations, on each kind of receiver.
_INSTANCE_WRITES = {"save": "PutItem", "update": "UpdateItem", "delete": "DeleteItem"}
_OPERATION_METHODS = frozenset(_INSTANCE_WRITES) | {"refresh", "get", "query", "scan", "batch_get", "count",
                                                     "condition_check"}
_MAX_DEPTH = 8


# -- what a model is -------------------------------------------------------------------------------
@dataclass(eq=False)
class PynamoModel:
    """One model class, with what its Meta and attributes say."""

    info: ClassInfo
    owner: Evaluator  # the evaluator of the module that defines it
    name: str
    table: object = UNKNOWN  # Meta.table_name: str, EnvVar, Template or UNKNOWN
    region: object = None  # Meta.region: str, UNKNOWN (not a literal), None (not given: the default region)
    has_table: bool = False  # a Meta with table_name: a concrete model, not an abstract base
    attributes: Dict[str, str] = field(default_factory=dict)  # Python name -> attribute name in DynamoDB
    complete: bool = True  # every attribute definition was read (no unresolved base or attribute class)
    version: Optional[str] = None  # the VersionAttribute's attribute name
    hash_key: Optional[str] = None  # the Python name of the attribute declared with hash_key=True
    range_key: Optional[str] = None  # the Python name of the attribute declared with range_key=True
    indexes: Dict[str, Tuple[object, str]] = field(default_factory=dict)  # Python name -> (index name, kind)

    @property
    def key_schema(self) -> Optional[Tuple[str, Optional[str]]]:
        """(partition key, sort key) as DynamoDB names them, when certain: the hash key is declared
        and so is the range key, or every attribute was read (a base we cannot see may declare it)."""
        if self.hash_key is None or (self.range_key is None and not self.complete):
            return None
        sort = self.attributes.get(self.range_key, self.range_key) if self.range_key else None
        return self.attributes.get(self.hash_key, self.hash_key), sort

    @property
    def version_known(self) -> bool:
        """Whether we know if it has a VersionAttribute (it has one, or all its attributes were read)."""
        return self.version is not None or self.complete

    def path(self, python_name: str) -> ex.Path:
        return ex.Path((ex.Name(self.attributes.get(python_name, python_name)),))


# -- values the evaluator makes of PynamoDB code -----------------------------------------------------
@dataclass(frozen=True)
class ModelAttr:
    """`Subscriber.email` (or a member of a MapAttribute): an operand of the condition/update DSL."""

    model: PynamoModel = field(compare=False, hash=False)
    path: ex.Path = None


@dataclass(frozen=True)
class IndexRef:
    """`Subscriber.email_index`: a secondary index of a model."""

    model: PynamoModel = field(compare=False, hash=False)
    name: object = UNKNOWN  # its index name: Meta.index_name, else the attribute name
    kind: str = "global"  # global | local


@dataclass(frozen=True)
class ModelItems:
    """What `Model.query/scan/batch_get(...)` return: an iterable of instances."""

    ref: ClassRef


@dataclass(frozen=True)
class BatchWriteRef:
    """`Model.batch_write()`, in `with ... as batch` or assigned."""

    ref: ClassRef


@dataclass(frozen=True)
class TransactRef:
    """`TransactWrite(...)` / `TransactGet(...)`."""

    kind: str  # write | get
    region: object = None  # of its `connection=`: str, UNKNOWN, or None (PynamoDB's default connection)


@dataclass(frozen=True)
class ConnectionRef:
    region: object = None


@dataclass(frozen=True)
class SuperRef:
    """`super()` in a method of a model: its instance, reaching PynamoDB's methods past any override."""

    instance: Instance


@dataclass(frozen=True)
class ActionValue:
    """`Subscriber.email.set(x)`: one action of an update."""

    action: ex.UpdateAction


def _literal(value) -> ex.Literal:
    return ex.Literal(value if isinstance(value, (str, int, float, bool)) or value is None else UNKNOWN)


def PynamoEvaluator(index: ModuleIndex, project=None, path=None) -> Evaluator:  # noqa: N802 - was a class
    """The value resolver, knowing PynamoDB models (used for modules that use PynamoDB)."""
    return Evaluator(index, project, path, plugin=PynamoPlugin)


def knows_pynamodb(evaluator: Evaluator) -> bool:
    """Whether the evaluator was made by `PynamoEvaluator`."""
    return isinstance(evaluator.plugin, PynamoPlugin)


class PynamoPlugin(Plugin):
    """What PynamoDB code builds, taught to one module's `Evaluator` through its hooks."""

    def __init__(self, evaluator: Evaluator) -> None:
        super().__init__(evaluator)
        self._models: Dict[int, Tuple[ClassInfo, Optional[PynamoModel]]] = {}
        self._kinds: Dict[int, Tuple[ClassInfo, Optional[str]]] = {}

    # -- classes ---------------------------------------------------------------------------------
    def class_kind(self, ref: ClassRef, depth: int = 0) -> Optional[str]:
        """model | attribute | version | index-global | index-local, from the class's bases; None otherwise."""
        key = id(ref.info)
        if key in self._kinds:
            return self._kinds[key][1]
        self._kinds[key] = (ref.info, None)  # a cycle of bases is no PynamoDB class
        kind = None
        owner = ref.owner or self.evaluator
        for base in ref.info.node.bases:
            kind = self._qualified_kind(_base_value(base.value, ref.info, owner), depth)
            if kind is not None:
                break
        self._kinds[key] = (ref.info, kind)
        return kind

    def _qualified_kind(self, value, depth: int) -> Optional[str]:
        name = qualified_name(value)
        if name is not None:
            kind = _KINDS.get(name)
            if kind is None and name.startswith("pynamodb") and name.endswith("Attribute"):
                kind = "attribute"  # pynamodb.attributes.*, and pynamodb_attributes' extras
            if kind is not None or isinstance(value, QualName):
                return kind
        if isinstance(value, ClassRef) and depth < _MAX_DEPTH:
            return self.class_kind(value, depth + 1)
        return None

    def model_of(self, value) -> Optional[PynamoModel]:
        """The model a ClassRef or Instance is of, None when it is not a PynamoDB model."""
        if not isinstance(value, (ClassRef, Instance)):
            return None
        ref = value if isinstance(value, ClassRef) else ClassRef(value.info, value.owner)
        key = id(ref.info)
        if key not in self._models:
            self._models[key] = (ref.info, None)
            self._models[key] = (ref.info, self._read_model(ref) if self.class_kind(ref) == "model" else None)
        return self._models[key][1]

    def _read_model(self, ref: ClassRef) -> PynamoModel:
        owner = ref.owner or self.evaluator
        model = PynamoModel(ref.info, owner, ref.info.node.name.value)
        found, meta = _class_value(ref, "Meta")
        if found and isinstance(meta, ClassRef):
            has_table, table = _class_value(meta, "table_name")
            has_region, region = _class_value(meta, "region")
            model.has_table = has_table
            model.table = table if isinstance(table, (str, EnvVar, Template)) else UNKNOWN
            if has_region:
                model.region = region if isinstance(region, str) else UNKNOWN
        self._read_attributes(ref, model, set(), 0)
        return model

    def _read_attributes(self, ref: ClassRef, model: PynamoModel, seen: set, depth: int) -> None:
        """The class's own attribute definitions, then its bases' (the class's own win)."""
        owner = ref.owner or self.evaluator
        for name, bindings in ref.info.scope.bindings.items():
            if name in seen:
                continue
            seen.add(name)
            binding = bindings[-1]
            if binding.kind not in ("assign", "ann") or not isinstance(binding.value, cst.Call):
                continue
            call = binding.value
            at = At(binding.scope, binding.start, binding.chain)
            callee = owner.value(call.func, at)
            if isinstance(callee, QualName) and not callee.name.startswith("pynamodb"):
                if callee.name.endswith("Attribute"):
                    model.complete = False  # another library's attribute class: perhaps a VersionAttribute
                continue  # a logger, a constant, ...: not an attribute
            kind = self._qualified_kind(callee, 0)
            if kind is None:
                if callee is UNKNOWN:
                    model.complete = False  # an attribute class we cannot see (perhaps a VersionAttribute)
                continue
            if kind.startswith("index-"):
                model.indexes[name] = (self._index_name(callee, name), kind[len("index-"):])
                continue
            if kind not in ("attribute", "version"):
                continue
            attr_name = name
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "attr_name":
                    given = owner.value(arg.value, at)
                    attr_name = given if isinstance(given, str) else name
                elif arg.keyword is not None and arg.keyword.value in ("hash_key", "range_key") \
                        and getattr(model, arg.keyword.value) is None and owner.value(arg.value, at) is True:
                    setattr(model, arg.keyword.value, name)
            model.attributes[name] = attr_name
            if kind == "version" and model.version is None:
                model.version = attr_name
        if depth >= _MAX_DEPTH:
            model.complete = False
            return
        for base in ref.info.node.bases:
            value = _base_value(base.value, ref.info, owner)
            if isinstance(value, ClassRef):
                self._read_attributes(value, model, seen, depth + 1)
            elif not (isinstance(value, QualName) and value.name.startswith(_NEUTRAL_BASES)):
                model.complete = False  # a base we cannot see may define attributes

    @staticmethod
    def _index_name(index_class, attribute: str):
        if isinstance(index_class, ClassRef):
            found, meta = _class_value(index_class, "Meta")
            if found and isinstance(meta, ClassRef):
                has_name, name = _class_value(meta, "index_name")
                if has_name:
                    return name if isinstance(name, str) else UNKNOWN
        return attribute  # PynamoDB names an index after its attribute when Meta.index_name is absent

    # -- hooks of the evaluator ------------------------------------------------------------------
    def expression(self, node, at: At):
        if isinstance(node, cst.Comparison):
            return self._comparison(node, at)
        return None

    def _comparison(self, node: cst.Comparison, at: At):
        if len(node.comparisons) != 1 or type(node.comparisons[0].operator).__name__ not in _COMPARISONS:
            return UNKNOWN
        target = node.comparisons[0]
        op = _COMPARISONS[type(target.operator).__name__]
        left, right = self.evaluator.value(node.left, at), self.evaluator.value(target.comparator, at)
        if not isinstance(left, ModelAttr):
            if not isinstance(right, ModelAttr):
                return UNKNOWN
            left, right, op = right, left, _FLIPPED[op]
        other = right.path if isinstance(right, ModelAttr) else _literal(right)
        return ConditionValue(ex.Comparison(op, left.path, other))

    def attribute(self, base, attr: str):
        if isinstance(base, ClassRef):
            model = self.model_of(base)
            if model is not None:
                if attr in model.attributes:
                    return ModelAttr(model, model.path(attr))
                if attr in model.indexes:
                    name, kind = model.indexes[attr]
                    return IndexRef(model, name, kind)
        elif isinstance(base, ModelAttr):
            if attr.startswith("_"):
                return UNKNOWN
            return ModelAttr(base.model, ex.Path(base.path.elements + (ex.Name(attr),)))  # a MapAttribute member
        return None

    def method_call(self, base, method: str, node: cst.Call, at: At):
        return self._pynamo_method(base, method, node, at) if method in _INTERCEPTED else None

    def call(self, node: cst.Call, at: At):
        func = node.func
        if isinstance(func, cst.Name) and func.value == "super":
            instance = self._super(node, at)
            if instance is not None:
                return instance
        if isinstance(func, (cst.Name, cst.Attribute)):
            tail = func.value if isinstance(func, cst.Name) else func.attr.value
            if tail in ("TransactWrite", "TransactGet", "Connection", "TableConnection"):
                callee = qualified_name(self.evaluator.value(func, at))
                if callee in _TRANSACTIONS:
                    return TransactRef(_TRANSACTIONS[callee], self._connection_region(node, at))
                if callee in _CONNECTIONS:
                    _, keywords, _ = self.evaluator.arguments(node, at)
                    region = keywords.get("region")
                    return ConnectionRef(None if region is None else
                                         region.value if isinstance(region.value, str) else UNKNOWN)
        return None

    def _super(self, node: cst.Call, at: At):
        """`super()` / `super(Cls, self)` in a method of a model: the instance (or class) itself,
        whose PynamoDB methods the call reaches. None for other classes: their resolution is unchanged."""
        if self.evaluator.value(node.func, at) != QualName("builtins.super"):
            return None
        if len(node.args) == 2:
            value = self.evaluator.value(node.args[1].value, at)
            if self.model_of(value) is None:
                return None
            return SuperRef(value) if isinstance(value, Instance) else value
        scope = at.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        if node.args or scope is None or scope.class_info is None:
            return None
        ref = ClassRef(scope.class_info, self.evaluator)
        if self.model_of(ref) is None:
            return None
        return SuperRef(Instance(scope.class_info, self.evaluator)) if scope.self_kind == "instance" else ref

    def _connection_region(self, node: cst.Call, at: At):
        _, keywords, complete = self.evaluator.arguments(node, at)
        connection = keywords.get("connection")
        if connection is None:
            return None if complete else UNKNOWN
        if isinstance(connection.value, ConnectionRef):
            return connection.value.region
        return UNKNOWN

    def _pynamo_method(self, base, method: str, node: cst.Call, at: At):
        if isinstance(base, ModelAttr):
            return self._dsl(base, method, node, at)
        if isinstance(base, IndexRef) and method in ("query", "scan"):
            return ModelItems(ClassRef(base.model.info, base.model.owner))
        if isinstance(base, ClassRef) and method in _MODEL_METHODS and self.model_of(base) is not None:
            if method == "get":
                return Instance(base.info, base.owner)
            if method == "batch_write":
                return BatchWriteRef(base)
            return ModelItems(base)
        return None

    def _dsl(self, attr: ModelAttr, method: str, node: cst.Call, at: At):
        if any(a.keyword is not None or a.star for a in node.args):
            return UNKNOWN
        args = [_literal(self.evaluator.value(a.value, at)) for a in node.args]
        path = attr.path
        if method in _ACTIONS:
            return ActionValue(ex.UpdateAction(_ACTIONS[method], path, None))
        expr = None
        if method == "does_not_exist" and not args:
            expr = ex.Function("attribute_not_exists", (path,))
        elif method == "exists" and not args:
            expr = ex.Function("attribute_exists", (path,))
        elif method == "between" and len(args) == 2:
            expr = ex.Between(path, args[0], args[1])
        elif method == "is_in" and args:
            expr = ex.In(path, tuple(args))
        elif method == "startswith" and len(args) == 1:
            expr = ex.Function("begins_with", (path, args[0]))
        elif method == "contains" and len(args) == 1:
            expr = ex.Function("contains", (path, args[0]))
        elif method == "is_type" and not args:
            expr = ex.Function("attribute_type", (path, ex.Literal(UNKNOWN)))
        return ConditionValue(expr) if expr is not None else UNKNOWN

    def binding(self, b):
        if b.kind == "for" and isinstance(b.node, (cst.For, cst.CompFor)) and isinstance(b.node.target, cst.Name):
            items = self.evaluator.value(b.node.iter, At(b.scope, b.start, b.chain))
            return Instance(items.ref.info, items.ref.owner) if isinstance(items, ModelItems) else UNKNOWN
        if b.kind == "with" and b.value is not None:
            value = self.evaluator.value(b.value, At(b.scope, b.start, b.chain))
            return value if isinstance(value, (BatchWriteRef, TransactRef, Receiver)) else UNKNOWN
        return None

    def annotated(self, value):
        if isinstance(value, ClassRef) and self.model_of(value) is not None:
            return Instance(value.info, value.owner)
        return None


def _base_value(expr: cst.BaseExpression, info: ClassInfo, owner: Evaluator):
    """A base class of a class statement, evaluated where the class statement is."""
    if isinstance(expr, cst.Subscript):  # GlobalSecondaryIndex["Subscriber"]
        expr = expr.value
    return owner.value(expr, At(info.outer, 1 << 62, ()))


def _override(ref: ClassRef, method: str, depth: int = 0) -> Optional[Tuple[ClassRef, cst.FunctionDef]]:
    """The project's own definition of `method` that an instance of the model reaches (the model's,
    or a base class's of the project), with the class that holds it; None when PynamoDB's is reached."""
    name = qualified_name(ref)
    if ref.owner is None or (name is not None and name.startswith("pynamodb.")):
        return None  # PynamoDB's own classes (when the checked project is PynamoDB itself)
    for binding in ref.info.scope.bindings.get(method, ()):
        if binding.kind == "def" and isinstance(binding.node, cst.FunctionDef):
            return ref, binding.node
    if depth < _MAX_DEPTH:
        for base in ref.info.node.bases:
            value = _base_value(base.value, ref.info, ref.owner)
            if isinstance(value, ClassRef):
                found = _override(value, method, depth + 1)
                if found is not None:
                    return found
    return None


def _hands_on_condition(holder: ClassRef, function: cst.FunctionDef, method: str) -> bool:
    """The override passes its caller's condition, untouched, to every `super().method(...)` it
    makes: through `*args`/`**kwargs` or its own `condition` parameter (SPEC §3: one that does not
    is a write of its own, judged at its `super()` call). The caller's call is then the write."""
    signature = _SIGNATURES.get(("instance", method), ())
    scope = holder.owner.index.functions.get(id(function))
    if scope is None or "condition" not in signature:
        return False  # refresh(), or a definition we cannot see
    params = function.params
    forwarded = {"condition"} & {p.name.value for p in params.params + params.kwonly_params}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            forwarded.add(star.name.value)
    untouched = {name for name in forwarded
                 if [b.kind for b in scope.bindings.get(name, ())] == ["param"]
                 and all(m.kind in ("passed", "read") for m in scope.mutations.get(name, ()))}
    calls = [node for node in _calls_in(function.body) if _is_super_call(node, method)]
    position = signature.index("condition")
    return bool(calls) and all(_passes_condition(call, untouched, position) for call in calls)


def _calls_in(body: cst.CSTNode) -> List[cst.Call]:
    found, stack = [], list(body.children)
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue  # their own scopes
        if isinstance(node, cst.Call):
            found.append(node)
        stack.extend(node.children)
    return found


def _is_super_call(node: cst.Call, method: str) -> bool:
    func = node.func
    return isinstance(func, cst.Attribute) and func.attr.value == method and isinstance(func.value, cst.Call) \
        and isinstance(func.value.func, cst.Name) and func.value.func.value == "super"


def _passes_condition(call: cst.Call, names: set, position: int) -> bool:
    positional = 0
    for arg in call.args:
        given = arg.value.value if isinstance(arg.value, cst.Name) else None
        if arg.star or (arg.keyword is not None and arg.keyword.value == "condition") \
                or (arg.keyword is None and positional == position):
            if given in names:
                return True
        if arg.keyword is None and not arg.star:
            positional += 1
    return False


def qualified_name(value) -> Optional[str]:
    """`pynamodb.models.Model` for a QualName, and for a class of PynamoDB's own source when the
    checked project is PynamoDB itself (its imports then resolve to its own modules)."""
    if isinstance(value, QualName):
        return value.name
    if isinstance(value, ClassRef) and value.owner is not None and value.owner.path is not None:
        parts = list(Path(value.owner.path).with_suffix("").parts)
        if "pynamodb" in parts:
            module = parts[len(parts) - 1 - parts[::-1].index("pynamodb"):]
            if module[-1] == "__init__":
                module = module[:-1]
            return ".".join(module + [value.info.node.name.value])
    return None


def _class_value(ref: ClassRef, name: str, depth: int = 0):
    """(found, value) of a class attribute, through the class's bases."""
    owner = ref.owner
    if owner is None:
        return False, UNKNOWN
    if name in ref.info.scope.bindings:
        return True, owner.class_attribute(ref.info, name, instance=False)
    if depth < _MAX_DEPTH:
        for base in ref.info.node.bases:
            value = _base_value(base.value, ref.info, owner)
            if isinstance(value, ClassRef):
                found, result = _class_value(value, name, depth + 1)
                if found:
                    return found, result
    return False, UNKNOWN


# -- is this module about PynamoDB? -----------------------------------------------------------------
def uses_pynamodb(index: ModuleIndex, project=None, path=None) -> bool:
    """The module imports from pynamodb, or imports a name (or `*`) from one of the project's
    modules that does, or that re-exports it from one that does (project.module_mentions)."""
    scopes = [index.scope] + list(index.functions.values())
    imports = [b for scope in scopes for bindings in scope.bindings.values() for b in bindings
               if b.kind == "import" and b.qualname]
    if any(b.qualname.split(".")[0] == "pynamodb" or b.qualname.startswith("pynamodb_") for b in imports):
        return True
    if project is None:
        return False
    names = [b.qualname for b in imports if b.scope is index.scope] + list(index.star_imports)
    return any(project.module_mentions(name, path, (b"pynamodb",)) for name in names)


# -- operations ------------------------------------------------------------------------------------
@dataclass(eq=False)
class PynamoOperation(Operation):
    """An operation a PynamoDB method performs."""

    model: Optional[PynamoModel] = None  # None when the receiver's model is not known
    method: str = ""  # save, update, delete, get, query, ... (of a model, an index, a batch or a transaction)
    add_version_condition: Optional[Arg] = None  # the keyword as passed, None when not passed


def models_in(evaluator: Evaluator) -> List[PynamoModel]:
    """The PynamoDB models the module itself defines."""
    plugin = evaluator.plugin
    if not isinstance(plugin, PynamoPlugin):
        return []
    found = []
    for info in evaluator.index.classes.values():
        model = plugin.model_of(ClassRef(info, evaluator))
        if model is not None:
            found.append(model)
    return found


def find_calls(evaluator: Evaluator, index: ModuleIndex) -> List[DynamoCall]:
    plugin = evaluator.plugin
    if not isinstance(plugin, PynamoPlugin):
        return []
    calls = []
    for site in index.all_calls.values():
        func = site.node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _OPERATION_METHODS:
            continue
        call = _recognise(plugin, site)
        if call is not None:
            calls.append(call)
    return calls


class _Args:
    """A PynamoDB method's arguments by name, positional ones placed by its signature."""

    def __init__(self, positional: List[Arg], keywords: Dict[str, Arg], signature: Tuple[str, ...]) -> None:
        self.values = dict(keywords)
        for name, arg in zip(signature, positional):
            self.values.setdefault(name, arg)

    def get(self, name: str) -> Optional[Arg]:
        return self.values.get(name)


_SIGNATURES = {
    # instance methods
    ("instance", "save"): ("condition",),
    ("instance", "update"): ("actions", "condition"),
    ("instance", "delete"): ("condition",),
    ("instance", "refresh"): ("consistent_read",),
    # class methods (and an index's)
    ("class", "get"): ("hash_key", "range_key", "consistent_read"),
    ("class", "query"): ("hash_key", "range_key_condition", "filter_condition", "consistent_read", "index_name"),
    ("class", "count"): ("hash_key", "range_key_condition", "filter_condition", "consistent_read", "index_name"),
    ("class", "scan"): (),
    ("class", "batch_get"): ("items", "consistent_read"),
    # a batch_write() context
    ("batch", "save"): ("item",),
    ("batch", "delete"): ("item",),
    # a TransactWrite / TransactGet context
    ("transaction", "save"): ("model", "condition"),
    ("transaction", "update"): ("model", "actions", "condition"),
    ("transaction", "delete"): ("model", "condition"),
    ("transaction", "condition_check"): ("model", "hash_key", "range_key", "condition"),
    ("transaction", "get"): ("model", "hash_key", "range_key"),
}
_READS = {"get": "GetItem", "refresh": "GetItem", "query": "Query", "count": "Query", "scan": "Scan",
          "batch_get": "BatchGetItem"}


def _recognise(plugin: PynamoPlugin, site: CallSite) -> Optional[DynamoCall]:
    evaluator = plugin.evaluator
    node = site.node
    method = node.func.attr.value
    at = At(site.scope, site.order, site.chain)
    receiver = evaluator.value(node.func.value, at)
    positional, keywords, complete = evaluator.arguments(node, at)
    complete = complete and not any(a.star == "*" for a in node.args)
    model: Optional[PynamoModel] = None
    index: Optional[IndexRef] = None
    region = None
    overridden = False  # through an override that hands the caller's condition on (and may add actions)
    if isinstance(receiver, SuperRef):
        kind, model = "instance", plugin.model_of(receiver.instance)
    elif isinstance(receiver, Instance):
        kind, model = "instance", plugin.model_of(receiver)
        override = _override(ClassRef(receiver.info, receiver.owner), method) if model is not None else None
        if model is None or (override is not None and not _hands_on_condition(*override, method)):
            return None  # an override of the project's own decides what is sent (its `super().save()` is seen)
        overridden = override is not None
    elif isinstance(receiver, ClassRef):
        kind, model = "class", plugin.model_of(receiver)
        if model is None:
            return None
    elif isinstance(receiver, IndexRef):
        kind, model, index = "class", receiver.model, receiver
    elif isinstance(receiver, BatchWriteRef):
        kind, model = "batch", plugin.model_of(receiver.ref)
    elif isinstance(receiver, TransactRef):
        kind, region = "transaction", receiver.region
    elif receiver is UNKNOWN and method in _INSTANCE_WRITES and "add_version_condition" in keywords:
        kind = "instance"  # only PynamoDB's writes take this keyword: an instance we cannot resolve
    else:
        return None
    signature = _SIGNATURES.get((kind, method))
    if signature is None or (kind == "transaction" and (receiver.kind == "get") != (method == "get")):
        return None
    args = _Args(positional, keywords, signature)
    if kind == "transaction":
        target = args.get("model")
        model = plugin.model_of(target.value) if target is not None else None
    if kind != "transaction":
        # a transaction runs through its own connection's region, whatever the models' Meta.region
        region = model.region if model is not None else UNKNOWN
    table = model.table if model is not None else UNKNOWN
    origin = model.info.node if model is not None else node
    call = DynamoCall(node, method, "pynamodb", Receiver("pynamodb", region, table, origin=origin), {},
                      complete, site)
    call.operations = _operations(plugin, call, kind, method, model, index, args, site)
    if overridden:
        for op in call.operations:
            if op.name == "UpdateItem":  # what the override adds to the caller's actions is not read
                op.params["UpdateExpression"] = Arg(UNKNOWN, op.params["UpdateExpression"].node)
    if not call.operations:
        return None
    call.keywords = dict(call.operations[0].params)  # the request's parameters, in DynamoDB's names
    return call


def _operations(plugin, call, kind, method, model, index, args: _Args, site) -> List[Operation]:
    complete = call.complete
    table = model.table if model is not None else UNKNOWN
    in_transaction = kind == "transaction"

    def operation(name, params, **extra):
        return PynamoOperation(name, call, call.node, params, complete, table, in_transaction=in_transaction,
                               orm=ORM, model=model, method=method, **extra)

    if kind == "batch":
        item = args.get("item")
        if method == "save":
            item_model = plugin.model_of(item.value) if item is not None else None
            return [operation("BatchWriteItem", {"Item": Arg(_item(item_model or model), item.node if item else None)})]
        return [operation("BatchWriteItem", {"Key": Arg(UNKNOWN, item.node if item else None)})]
    if method in _READS and not (kind == "instance" and method != "refresh"):
        params: Dict[str, Arg] = {}
        consistent = args.get("consistent_read")
        if consistent is not None:
            params["ConsistentRead"] = consistent
        index_name = args.get("index_name")
        if index is not None:
            params["IndexName"] = Arg(index.name, None)
        elif index_name is not None:
            params["IndexName"] = index_name
        name = _READS[method]
        if method == "count" and args.get("hash_key") is None:
            return []  # without a hash key, count() reads the table's description, not its items
        return [operation(name, params)]
    if method == "condition_check":
        params = {}
        condition = _condition(args.get("condition"), None, None, "ConditionCheck")
        if condition is not None:
            params["ConditionExpression"] = condition
        return [operation("ConditionCheck", params)]
    name = _INSTANCE_WRITES.get(method)
    if name is None:
        return []
    flag = args.get("add_version_condition")
    # TransactWrite.save has no add_version_condition: it always adds the version condition
    add_version = flag.value if flag is not None and not (in_transaction and method == "save") else True
    params = {}
    condition = _condition(args.get("condition"), model, add_version, name)
    if condition is not None:
        params["ConditionExpression"] = condition
    if name == "PutItem":
        # what a save writes is the instance itself: its expression is where a read's values flow in
        written = args.get("model") if in_transaction else None
        instance = written.node if written is not None else call.node.func.value if kind == "instance" else None
        params["Item"] = Arg(_item(model), instance)
    elif name == "UpdateItem":
        params["UpdateExpression"] = _update(args.get("actions"), model, site)
    return [operation(name, params, add_version_condition=flag)]


def _item(model: Optional[PynamoModel]):
    """What a save writes: every attribute of the model (values unknown)."""
    if model is None:
        return UNKNOWN
    return DictValue({name: Arg(UNKNOWN, None) for name in model.attributes.values()}, model.complete)


def _version_condition(model: PynamoModel):
    """PynamoDB's own: `attribute_not_exists(v)` for an item never saved, else `v = <the version read>`."""
    path = ex.Path((ex.Name(model.version),))
    return ex.Or(ex.Function("attribute_not_exists", (path,)), ex.Comparison("=", path, ex.Literal(UNKNOWN)))


def _condition(given: Optional[Arg], model: Optional[PynamoModel], add_version, name: str) -> Optional[Arg]:
    """The ConditionExpression the request carries, as a tree; None when it carries none."""
    node = given.node if given is not None else None
    parts = []
    if given is not None and given.value is not None:
        if not isinstance(given.value, ConditionValue):
            return Arg(UNKNOWN, node)
        parts.append(given.value.expr)
    if name != "ConditionCheck" and add_version is not False:
        if model is None or (model.version is None and not (model.complete and model.has_table)):
            # the model may have a VersionAttribute: one we cannot see, or (an abstract base
            # model, no table of its own) one its concrete subclasses add
            return Arg(UNKNOWN, node)
        if model.version is not None:
            parts.append(_version_condition(model))
    if not parts:
        return None
    tree = parts[0]
    for part in parts[1:]:
        tree = ex.And(tree, part)
    return Arg(tree, node)


def _update(given: Optional[Arg], model: Optional[PynamoModel], site: CallSite) -> Arg:
    """The update's actions as an UpdateExpression tree, with PynamoDB's own version bump."""
    node = given.node if given is not None else None
    actions = given.value if given is not None else UNKNOWN
    if not isinstance(actions, ListValue) or not actions.complete or _changed_later(node, site) \
            or not all(isinstance(item.value, ActionValue) for item in actions.items):
        return Arg(UNKNOWN, node)
    tree = [item.value.action for item in actions.items]
    if model is not None and model.version is not None:
        # ADD v 1 (SET v = 1 the first time), even with add_version_condition=False
        tree.append(ex.UpdateAction("ADD", ex.Path((ex.Name(model.version),)), None))
    return Arg(ex.UpdateExpression(tuple(tree)), node)


def _changed_later(node, site: CallSite) -> bool:
    """`actions = [...]` then `actions.append(...)`: the list we resolved may miss actions."""
    if not isinstance(node, cst.Name):
        return False
    scope = site.scope
    while scope is not None:
        if node.value in scope.bindings:
            return any(m.seen_by_resolver for m in scope.mutations.get(node.value, ()))
        scope = scope.parent
    return False


# -- writes of a model's instances elsewhere in the project ------------------------------------------
# The project's files that may write a model (they hold one of these words) are read once per
# process and stamp (scans.sources), and parsed only when they also name the model and its module.
_WRITE_WORDS = (b".save(", b".update(", b"TransactWrite")


def project_writes(models: List[PynamoModel]) -> Dict[int, List[Tuple[Path, Operation]]]:
    """For each model (by id), the saves and updates of its instances, with their module's path, in
    the project's other modules (those that name the model and its module, or a package that
    re-exports it, and that the project can read): what makes a model defined in `models.py`,
    which never writes, the cause of lost writes elsewhere (DDB108). One walk of the project for
    all the models of a module; each model's scan is recorded for the result cache (`project.scanned`):
    a writer added later must be seen by a warm run too."""
    found: Dict[int, List[Tuple[Path, Operation]]] = {id(model): [] for model in models}
    homed = [(model, Path(model.owner.path).resolve()) for model in models
             if model.owner.project is not None and model.owner.path is not None]
    if not homed:
        return found
    project = homed[0][0].owner.project
    started = time.time_ns()
    files = scans.listing(project.root)
    queries = [(model, home, _writers_query(project, model.name, home)) for model, home in homed]
    matched: Dict[int, List[Path]] = {id(model): [] for model, _ in homed}
    for path, data in scans.sources(project.root, _WRITE_WORDS, files).items():
        wanted = [(model, home) for model, home, query in queries if path != home and query.matches(data)]
        for model, _ in wanted:
            matched[id(model)].append(path)
        if not wanted:
            continue
        for op in _operations_of(project, path, data):
            other = op.model
            if op.name not in ("PutItem", "UpdateItem") or other is None or other.owner.path is None:
                continue
            for model, home in wanted:
                if other.name == model.name and Path(other.owner.path).resolve() == home:
                    found[id(model)].append((path, op))
    for model, home, query in queries:
        project.scanned.append(scans.record(project.root, query, started, files, matched[id(model)], home))
    return found


def _writers_query(project, name: str, home: Path) -> scans.Query:
    """The files that may write the model `name` defined in `home`: they hold a write word, its
    name, and the name of its module or of a package that re-exports it (`from app.models import
    Subscriber` names neither `subscriber` nor its file); any such file for a model defined in a
    package's `__init__`."""
    clauses = [(name.encode(),)]
    if home.stem != "__init__":
        clauses.append((home.stem.encode(),) + _reexporting_packages(project, name.encode(), home))
    return scans.Query(_WRITE_WORDS, tuple(clauses))


def _reexporting_packages(project, name: bytes, home: Path) -> Tuple[bytes, ...]:
    """The names of the packages above `home` (up to the project's root) whose `__init__` may
    re-export the model: it names it, or imports `*`. Read as bytes; the resolution of the
    writer's import (project.py) decides."""
    found = []
    directory = home.parent
    while directory == project.root or project.root in directory.parents:
        init = directory / "__init__.py"
        try:
            source = init.read_bytes()
        except OSError:
            break  # not a package (or a namespace package): nothing above re-exports through it
        project.touched.add(init)  # a cache dependency: a re-export added there changes who may write
        if name in source or b"import *" in source:
            found.append(directory.name.encode())
        directory = directory.parent
    return tuple(found)


def _operations_of(project, path: Path, data: bytes) -> List[Operation]:
    """The module's PynamoDB operations. Not kept between calls: they hold the models of the
    modules they import, which may have changed since (the language server lints for hours)."""
    project.touched.add(path)  # the result of the module checked depends on this one (the cache)
    try:
        index = build_index(parsing.parse(data))
    except (parsing.ParseProblem, RecursionError):
        return []
    evaluator = PynamoEvaluator(index, project, path)
    return [op for call in find_calls(evaluator, index) for op in call.operations]


# -- what the rules ask ------------------------------------------------------------------------------
def facts(op: Operation, found):
    """Table facts for an ORM operation: the model's VersionAttribute is a version attribute, its
    Index classes say which indexes are global and local, and an unresolved table is named by the model."""
    model = getattr(op, "model", None)
    if model is None:
        return found
    changes = {}
    if model.version is not None and model.version not in found.version_attributes:
        changes["version_attributes"] = tuple(found.version_attributes) + (model.version,)
    indexes = tuple((name, kind) for name, kind in model.indexes.values() if isinstance(name, str))
    if indexes:
        changes["code_indexes"] = indexes
    if found.label is None:
        changes["label"] = f"{model.name}.Meta.table_name"
    return replace(found, **changes) if changes else found
