"""Static values: what an expression in the checked code is known to hold, without running it.

The resolver is a small abstract interpreter over one module. It knows literals, names (through
the bindings `scope.py` recorded, choosing the assignment that dominates a use), dicts built and
changed before a `**` splat, f-strings and concatenations, `os.environ` lookups, helper functions
and methods that return such values, the boto3/aioboto3/aiobotocore factories that make
DynamoDB clients, resources, tables and batch writers, boto3-stubs annotations, and the
`boto3.dynamodb.conditions` builders. Anything else is UNKNOWN, and rules stay silent on it.

What a library builds on top of boto3 (PynamoDB's models: `dynamo/pynamodb.py`) is taught to the
resolver by a `Plugin`: its hooks are asked at fixed points and answer None to leave the
resolver's own rules in charge.
"""
from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import libcst as cst

from ddblint.dynamo import expressions as ex
from ddblint.dynamo.operations import STUB_TYPES
from ddblint.dynamo.scope import Binding, CallSite, ClassInfo, ModuleIndex, Scope
from ddblint.tree import walk


class _Unknown:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Template:
    """A string with known and unknown parts (an f-string or concatenation with a non-constant)."""

    parts: Tuple[object, ...]  # str or UNKNOWN

    def glob(self) -> str:
        return "".join(p if isinstance(p, str) else "*" for p in self.parts)


@dataclass(frozen=True)
class EnvVar:
    """`os.environ["NAME"]`, `os.getenv("NAME")`, `os.environ.get("NAME")`."""

    name: str


@dataclass(frozen=True)
class QualName:
    """A module, or a function or class reached through imports: `boto3.client`."""

    name: str


@dataclass(eq=False)
class Arg:
    value: object
    node: Optional[cst.CSTNode]  # the expression it came from (where a fix or a finding points)
    # for a dict entry set on some paths only (`if not overwrite: req["ConditionExpression"] = c`):
    # which, and what it holds there; `value` is then UNKNOWN, as no single value is certain
    path: Optional["OnPath"] = None


@dataclass(frozen=True)
class OnPath:
    """A dict entry that exists only when `test` has the truth value `truth` (SPEC §3 Paths), and
    holds `value` there; on the other paths the key is absent."""

    value: object
    test: cst.BaseExpression
    truth: bool


@dataclass(eq=False)
class DictValue:
    entries: Dict[str, Arg]
    complete: bool = True  # False when keys may exist that we do not know of
    node: Optional[cst.CSTNode] = None


@dataclass(eq=False)
class ListValue:
    items: List[Arg]
    complete: bool = True
    node: Optional[cst.CSTNode] = None


@dataclass(frozen=True)
class Receiver:
    """Something DynamoDB operations are called on."""

    kind: str  # session | client | resource | table | batch_writer
    region: object = None  # str, UNKNOWN (given but unresolvable), or None (not given in code)
    table: object = UNKNOWN  # for tables and batch writers: the table name value
    is_async: bool = False
    origin: Optional[cst.CSTNode] = None  # the expression that made it (its identity)
    service: str = "dynamodb"


@dataclass(frozen=True)
class OtherClient:
    """A boto3 client or resource for another service: never a DynamoDB receiver."""

    service: str


@dataclass(frozen=True)
class Meta:
    receiver: Receiver


@dataclass(frozen=True)
class ClientConfig:
    region: object


@dataclass(frozen=True)
class BuilderAttr:
    """`Attr("x")` / `Key("x")` before a comparison method is called on it."""

    path: ex.Path
    is_key: bool
    size: bool = False  # `Attr("x").size()`: comparisons then apply to size(x)


@dataclass(frozen=True)
class ConditionValue:
    """A condition built with `boto3.dynamodb.conditions`, in the expression parser's tree."""

    expr: object
    uses_key: bool = False  # built from Key(...)
    uses_attr: bool = False  # built from Attr(...)


# Functions, classes and instances remember the evaluator of their module: a factory imported
# from another module is evaluated there.
@dataclass(frozen=True)
class FunctionRef:
    scope: Scope
    owner: Optional["Evaluator"] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class ClassRef:
    info: ClassInfo
    owner: Optional["Evaluator"] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Instance:
    info: ClassInfo
    owner: Optional["Evaluator"] = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class ModuleRef:
    """A module of the checked project, imported by this one."""

    evaluator: "Evaluator" = field(compare=False, hash=False, repr=False)
    name: str = ""


class At(NamedTuple):
    """Where an expression is evaluated: its scope, order number and enclosing blocks."""

    scope: Scope
    order: int
    chain: Tuple[int, ...]


_SESSION_FACTORIES = {
    "boto3.Session": False, "boto3.session.Session": False, "boto3.session": False,
    "botocore.session.get_session": False, "botocore.session.Session": False,
    "aioboto3.Session": True, "aioboto3.session.Session": True,
    "aiobotocore.session.get_session": True, "aiobotocore.session.AioSession": True,
    "aiobotocore.get_session": True,
}
# Session classes, as annotations (`def repo(session: boto3.session.Session)`): value is async?
_SESSION_CLASSES = {
    "boto3.Session": False, "boto3.session.Session": False, "botocore.session.Session": False,
    "aioboto3.Session": True, "aioboto3.session.Session": True, "aiobotocore.session.AioSession": True,
}
# boto3-stubs TypedDicts of request parameters: `UpdateItemInputTableUpdateItemTypeDef(Key=...)`
_TYPE_DEF_MODULES = tuple(sorted({f"{name.split('.')[0]}.type_defs." for name in STUB_TYPES
                                   if name.split(".")[0].endswith("_dynamodb")}))
_CLIENT_FACTORIES = {"boto3.client": "client", "boto3.resource": "resource"}
_CACHE_DECORATORS = frozenset({
    "functools.cache", "functools.lru_cache", "functools.cached_property", "builtins.staticmethod",
    "builtins.classmethod", "builtins.property",
})
_BUILDER_COMPARISONS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_MAX_DEPTH = 40


def _same(a, b) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def join(values: List[object]) -> object:
    """The value of a name that one of several assignments may have set."""
    if not values:
        return UNKNOWN
    if any(isinstance(v, Receiver) for v in values):
        # `_table = None` then a lazy `global _table; _table = ...`: a method is called on it,
        # so at that point it is not None.
        values = [v for v in values if v is not None]
    first = values[0]
    if all(_same(first, v) for v in values[1:]):
        return first
    if all(isinstance(v, ListValue) for v in values):
        # one of several lists (`parts = []` then `parts += [...]` in a loop): what each may hold
        items: List[Arg] = []
        for value in values:
            items.extend(item for item in value.items if not any(item is seen for seen in items))
        return ListValue(items, False, first.node)
    if all(isinstance(v, Receiver) and v.kind == first.kind for v in values):
        region = first.region if all(_same(v.region, first.region) for v in values) else UNKNOWN
        table = first.table if all(_same(v.table, first.table) for v in values) else UNKNOWN
        return replace(first, region=region, table=table)
    return UNKNOWN


def join_strings(left, right):
    """`left + right` for strings, f-string parts and templates."""
    parts = []
    for side in (left, right):
        if isinstance(side, str):
            parts.append(side)
        elif isinstance(side, Template):
            parts.extend(side.parts)
        else:
            parts.append(UNKNOWN)
    merged: List[object] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not (part is UNKNOWN and merged and merged[-1] is UNKNOWN):
            merged.append(part)
    if all(isinstance(p, str) for p in merged):
        return "".join(merged)
    return Template(tuple(merged))


def builder_path(name: str) -> ex.Path:
    """`Attr("a.b[1]")` names the path a.b[1], as boto3's expression builder splits it."""
    elements: List[object] = []
    for dotted in name.split("."):
        head, _, rest = dotted.partition("[")
        elements.append(ex.Name(head))
        while rest:
            number, _, rest = rest.partition("]")
            if number.isdigit():
                elements.append(ex.Index(int(number)))
            rest = rest.partition("[")[2]
    return ex.Path(tuple(elements))


class Plugin:
    """Extension points of the `Evaluator`, for what a library builds (PynamoDB: dynamo/pynamodb.py).

    One plugin object serves one evaluator (`self.evaluator`), so it may keep caches of its own.
    Every hook answers None when it has nothing to say, and the evaluator then goes on with its
    own rules; any other answer (UNKNOWN included) is the value. This base class says nothing.
    """

    def __init__(self, evaluator: "Evaluator") -> None:
        # a weak reference: the evaluator holds its plugin, and a cycle between them would keep
        # the module's tree alive until the cyclic garbage collector came by (an evaluator made to
        # follow a call into a function lives only as long as that call's evaluation)
        self._evaluator = weakref.ref(evaluator)

    @property
    def evaluator(self) -> "Evaluator":
        return self._evaluator()

    def expression(self, node: cst.CSTNode, at: At) -> object:
        """The value of an expression of a kind the evaluator has no rule for (a comparison)."""
        return None

    def call(self, node: cst.Call, at: At) -> object:
        """The value of a call, asked first, before the callee or its receiver is evaluated."""
        return None

    def method_call(self, base: object, method: str, node: cst.Call, at: At) -> object:
        """The value of `receiver.method(...)`, asked once the receiver's value (`base`) is known,
        before the evaluator's own methods of receivers, builders and dicts."""
        return None

    def attribute(self, base: object, attr: str) -> object:
        """The value of `base.attr`, asked before the evaluator's own attribute rules."""
        return None

    def binding(self, binding: Binding) -> object:
        """The value a binding gives its name, asked before the evaluator's own rules."""
        return None

    def annotated(self, value: object) -> object:
        """What a value annotated with `value` (a name that is no boto3 or stubs type) holds."""
        return None


def literal_value(node):
    """The value of a string or number literal (UNKNOWN for odd ones). LibCST's `evaluated_value`
    compiles every literal with `ast.literal_eval`; the plain ones, most of them, are read here."""
    text = node.value
    if isinstance(node, cst.SimpleString) and "\\" not in text and "\r" not in text:
        quote = text[-1]
        prefix = text.index(quote)
        if text[:prefix] in ("", "r", "R", "u", "U"):
            size = 3 if len(text) - prefix >= 6 and text.startswith(quote * 3, prefix) else 1
            return text[prefix + size:-size]
    elif isinstance(node, cst.Integer) and text.isdigit():
        return int(text)
    try:
        return node.evaluated_value
    except Exception:  # noqa: BLE001 - odd literals (bytes prefixes, ...) are just unknown
        return UNKNOWN


def string_value(node) -> Optional[str]:
    """The text of a plain string literal (not an f-string, not bytes); None for anything else."""
    value = literal_value(node) if isinstance(node, cst.SimpleString) else None
    return value if isinstance(value, str) else None


class Evaluator:
    """The value resolver of one module. `plugin` makes the `Plugin` that extends it (given the
    evaluator); without one, the resolver knows boto3 alone."""

    def __init__(self, index: ModuleIndex, project=None, path=None,
                 plugin: Optional[Callable[["Evaluator"], Plugin]] = None) -> None:
        self.index = index
        self.project = project  # resolves imports of the project's own modules (project.py)
        self.path = path
        self.plugin = (plugin or Plugin)(self)
        self._binding_cache: Dict[int, object] = {}
        self._active: set = set()
        self._calls_by_name: Optional[Dict[str, List[CallSite]]] = None
        self._own_nodes: Optional[set] = None
        self._subclasses: Optional[Dict[int, List[ClassInfo]]] = None
        self._forwarding: Dict[int, object] = {}  # id(ClassInfo) -> what its `__getattr__` forwards to
        self._depth = 0
        self._bound: Dict[int, object] = {}  # id(param Binding) -> what a caller passes (`called_with`)
        self._returned: Dict[int, object] = {}  # id(function Scope) -> what it returns
        self._unbound_names: Dict[str, object] = {}  # names no scope binds -> their value (`_unbound`)

    def close(self) -> None:
        """Done with the module (`DynamoModel.close`): the plugin and the values in the caches
        (functions, classes, instances) refer back to this evaluator."""
        self.plugin = None
        for cache in (self._binding_cache, self._forwarding, self._bound, self._returned, self._unbound_names):
            cache.clear()
        self._calls_by_name = self._own_nodes = self._subclasses = None

    # -- entry points ---------------------------------------------------------------------------
    def value(self, node: cst.CSTNode, at: At) -> object:
        if self._depth > _MAX_DEPTH:
            return UNKNOWN
        self._depth += 1
        try:
            return self._eval(node, at)
        finally:
            self._depth -= 1

    def arguments(self, call: cst.Call, at: At) -> Tuple[List[Arg], Dict[str, Arg], bool]:
        """Positional args, keyword args (with `**dict` splats merged) and whether the keywords are complete."""
        positional: List[Arg] = []
        keywords: Dict[str, Arg] = {}
        complete = True
        for arg in call.args:
            if arg.keyword is not None:
                keywords[arg.keyword.value] = Arg(self.value(arg.value, at), arg.value)
            elif arg.star == "**":
                splat = self.value(arg.value, at)
                if isinstance(splat, DictValue):
                    keywords.update(splat.entries)
                    complete = complete and splat.complete
                else:
                    complete = False
            else:
                positional.append(Arg(self.value(arg.value, at) if not arg.star else UNKNOWN, arg.value))
        return positional, keywords, complete

    def owns(self, node: cst.CSTNode) -> bool:
        """Whether `node` is part of this module's tree. A value from a helper or constant of another
        module keeps that module's nodes, and a finding cannot point there."""
        if self._own_nodes is None:
            self._own_nodes = {id(found) for found in walk(self.index.module)}
        return id(node) in self._own_nodes

    # -- expressions ----------------------------------------------------------------------------
    def _eval(self, node, at: At):
        if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
            return literal_value(node)
        if isinstance(node, cst.ConcatenatedString):
            return join_strings(self.value(node.left, at), self.value(node.right, at))
        if isinstance(node, cst.FormattedString):
            return self._fstring(node, at)
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.value]
            return self.lookup(node.value, at)
        if isinstance(node, cst.Attribute):
            return self.attribute(self.value(node.value, at), node.attr.value)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, at)
        if isinstance(node, cst.Call):
            return self._call(node, at)
        if isinstance(node, cst.Dict):
            return self._dict(node, at)
        if isinstance(node, (cst.List, cst.Tuple)):
            return self._list(node, at)
        if isinstance(node, cst.ListComp):
            return self._comprehension(node, at)
        if isinstance(node, cst.Await):
            return self.value(node.expression, at)
        if isinstance(node, cst.Lambda) and id(node) in self.index.functions:
            return FunctionRef(self.index.functions[id(node)], self)
        if isinstance(node, cst.IfExp):
            return join([self.value(node.body, at), self.value(node.orelse, at)])
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node, at)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.BitInvert):
            inner = self.value(node.expression, at)
            if isinstance(inner, ConditionValue):
                return replace(inner, expr=ex.Not(inner.expr))
            return UNKNOWN
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            left = self.value(node.left, at)  # `os.getenv("T") or "default"` still names $T
            return left if isinstance(left, EnvVar) else UNKNOWN
        found = self.plugin.expression(node, at)
        return UNKNOWN if found is None else found

    def _fstring(self, node: cst.FormattedString, at: At):
        result: object = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text = _fstring_text(node, part.value)
                result = join_strings(result, text if text is not None else UNKNOWN)
            else:
                value = self.value(part.expression, at)
                plain = part.conversion is None and part.format_spec is None
                result = join_strings(result, value if plain and isinstance(value, (str, Template)) else
                                      str(value) if plain and isinstance(value, int) and not isinstance(value, bool)
                                      else UNKNOWN)
        return result

    def _binary(self, node: cst.BinaryOperation, at: At):
        left, right = self.value(node.left, at), self.value(node.right, at)
        op = node.operator
        if isinstance(op, cst.Add) and (isinstance(left, (str, Template)) or isinstance(right, (str, Template))):
            return join_strings(left, right)
        if isinstance(op, cst.Add) and isinstance(left, ListValue) and isinstance(right, ListValue):
            return ListValue(left.items + right.items, left.complete and right.complete, node)
        if isinstance(op, (cst.BitAnd, cst.BitOr)) and isinstance(left, ConditionValue) \
                and isinstance(right, ConditionValue):
            combine = ex.And if isinstance(op, cst.BitAnd) else ex.Or
            return ConditionValue(combine(left.expr, right.expr), left.uses_key or right.uses_key,
                                  left.uses_attr or right.uses_attr)
        if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool) \
                and not isinstance(right, bool) and isinstance(op, (cst.Add, cst.Subtract)):
            return left + right if isinstance(op, cst.Add) else left - right
        return UNKNOWN

    def _dict(self, node: cst.Dict, at: At) -> DictValue:
        entries: Dict[str, Arg] = {}
        complete = True
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                splat = self.value(element.value, at)
                if isinstance(splat, DictValue):
                    entries.update(splat.entries)
                    complete = complete and splat.complete
                else:
                    complete = False
                continue
            key = self.value(element.key, at)
            if isinstance(key, str):
                entries[key] = Arg(self.value(element.value, at), element.value)
            else:
                complete = False
        return DictValue(entries, complete, node)

    def _list(self, node, at: At) -> ListValue:
        items: List[Arg] = []
        complete = True
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                inner = self.value(element.value, at)
                if isinstance(inner, ListValue):
                    items.extend(inner.items)
                    complete = complete and inner.complete
                else:
                    complete = False
            else:
                items.append(Arg(self.value(element.value, at), element.value))
        return ListValue(items, complete, node)

    def _comprehension(self, node, at: At) -> ListValue:
        """`[{"Put": {...}} for item in items]`: a list of any length whose items all have the element's
        value, evaluated in the comprehension's own scope where it stands (its loop names are unknown
        there; the names around it hold what they hold at that point)."""
        scope = self.index.comprehensions.get(id(node))
        if scope is None:
            return ListValue([], False, node)
        element = self.value(node.elt, At(scope, at.order, at.chain))
        return ListValue([Arg(element, node.elt)], False, node)

    def _iterable(self, node: cst.BaseExpression, at: At):
        """What `list(x)` or `parts.extend(x)` takes from `x`: a list, or a generator expression's items."""
        if isinstance(node, cst.GeneratorExp):
            return self._comprehension(node, at)
        return self.value(node, at)

    def _subscript(self, node: cst.Subscript, at: At):
        base = self.value(node.value, at)
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNKNOWN
        key = self.value(node.slice[0].slice.value, at)
        if isinstance(base, QualName) and base.name == "os.environ" and isinstance(key, str):
            return EnvVar(key)
        if isinstance(base, DictValue) and isinstance(key, str):
            entry = base.entries.get(key)
            return entry.value if entry is not None else UNKNOWN
        if isinstance(base, ListValue) and isinstance(key, int) and base.complete \
                and -len(base.items) <= key < len(base.items):
            return base.items[key].value
        return UNKNOWN

    def attribute(self, base, attr: str):
        """The value of `base.attr`, for a value `base` the resolver computed."""
        found = self.plugin.attribute(base, attr)
        if found is not None:
            return found
        if isinstance(base, QualName):
            return QualName(f"{base.name}.{attr}")
        if isinstance(base, Receiver) and attr == "meta":
            return Meta(base)
        if isinstance(base, OtherClient):
            return base  # `boto3.resource("s3").meta.client` is S3's
        if isinstance(base, Meta) and attr == "client":
            return replace(base.receiver, kind="client", table=UNKNOWN)
        if isinstance(base, Instance):
            target = self.proxy_target(base, attr)
            if target is not None:
                return self.attribute(target, attr)  # a proxy's `proxy.meta.client`
        if isinstance(base, (Instance, ClassRef)):
            return (base.owner or self).class_attribute(base.info, attr, instance=isinstance(base, Instance))
        if isinstance(base, ModuleRef):
            if attr in base.evaluator.index.scope.bindings:
                return base.evaluator.module_attribute(attr)
            return self._import(f"{base.name}.{attr}")  # a submodule: `import app; app.db.table`
        return UNKNOWN


    def module_attribute(self, name: str):
        """The value a module-level name ends up with (what `from this import name` sees)."""
        at = At(self.index.scope, 1 << 62, (id(self.index.module),))
        return self.lookup(name, at)

    def _import(self, qualname: str):
        """An imported name: a value from the project's own module when it is one, else its QualName."""
        if self.project is not None:
            value = self.project.resolve(qualname, self.path)
            if value is not None:
                return value
        return QualName(qualname)

    # -- calls ------------------------------------------------------------------------------------
    def _call(self, node: cst.Call, at: At):
        found = self.plugin.call(node, at)
        if found is not None:
            return found
        func = node.func
        if isinstance(func, cst.Attribute):
            base = self.value(func.value, at)
            method = func.attr.value
            found = self.plugin.method_call(base, method, node, at)
            if found is not None:
                return found
            if isinstance(base, Instance):
                base = self.proxy_target(base, method) or base  # `proxy.batch_writer()`
            if isinstance(base, Receiver):
                return self._receiver_method(base, method, node, at)
            if isinstance(base, BuilderAttr):
                return self._builder_method(base, method, node, at)
            if isinstance(base, OtherClient):
                return base  # what an S3 resource makes (`.Bucket(...)`) belongs to S3 too
            if isinstance(base, DictValue) and method == "get" and node.args:
                key = self.value(node.args[0].value, at)
                entry = base.entries.get(key) if isinstance(key, str) else None
                return entry.value if entry is not None else UNKNOWN
            callee = self.attribute(base, method)
        else:
            callee = self.value(func, at)
        if isinstance(callee, QualName):
            return self._qualified_call(callee.name, node, at)
        if isinstance(callee, FunctionRef):
            return (callee.owner or self).returned_value(callee.scope)
        if isinstance(callee, ClassRef):
            return Instance(callee.info, callee.owner)
        return UNKNOWN

    def _region(self, keywords: Dict[str, Arg], default=None):
        if "region_name" in keywords:
            region = keywords["region_name"].value
            return region if isinstance(region, str) else UNKNOWN
        config = keywords.get("config")
        if config is not None:
            if isinstance(config.value, ClientConfig):
                if config.value.region is not None:
                    return config.value.region
            else:
                return UNKNOWN  # a Config we cannot see may set the region
        return default

    def _service(self, positional: List[Arg], keywords: Dict[str, Arg]):
        service = positional[0].value if positional else keywords.get("service_name", Arg(UNKNOWN, None)).value
        return service

    def _make_client(self, kind: str, node, at: At, region_default=None, is_async=False):
        positional, keywords, _ = self.arguments(node, at)
        service = self._service(positional, keywords)
        if service == "dynamodb":
            return Receiver(kind, self._region(keywords, region_default), UNKNOWN if kind != "client" else None,
                            is_async, node)
        if isinstance(service, str):
            return OtherClient(service)
        return UNKNOWN

    def _qualified_call(self, name: str, node: cst.Call, at: At):
        if name in _CLIENT_FACTORIES:
            return self._make_client(_CLIENT_FACTORIES[name], node, at)
        if name in _SESSION_FACTORIES:
            _, keywords, _ = self.arguments(node, at)
            return Receiver("session", self._region(keywords), None, _SESSION_FACTORIES[name], node)
        if name in ("os.getenv", "os.environ.get"):
            if node.args:
                key = self.value(node.args[0].value, at)
                return EnvVar(key) if isinstance(key, str) else UNKNOWN
            return UNKNOWN
        if name in ("boto3.dynamodb.conditions.Attr", "boto3.dynamodb.conditions.Key"):
            if len(node.args) == 1:
                attr_name = self.value(node.args[0].value, at)
                if isinstance(attr_name, str):
                    return BuilderAttr(builder_path(attr_name), name.endswith("Key"))
            return UNKNOWN
        if name == "builtins.dict" or (name.startswith(_TYPE_DEF_MODULES) and name.endswith("TypeDef")):
            # a stubs TypedDict is called like dict(): at run time it is one
            positional, keywords, complete = self.arguments(node, at)
            if positional:
                base = positional[0].value
                if len(positional) == 1 and isinstance(base, DictValue):
                    return DictValue({**base.entries, **keywords}, complete and base.complete, node)
                return UNKNOWN
            return DictValue(keywords, complete, node)
        if name == "builtins.list" and not node.args:
            return ListValue([], True, node)  # `parts = list()`, then appended to
        if name == "builtins.list" and len(node.args) == 1 and not node.args[0].keyword and not node.args[0].star:
            items = self._iterable(node.args[0].value, at)  # `list(part(i) for i in items)`
            return ListValue(list(items.items), items.complete, node) if isinstance(items, ListValue) else UNKNOWN
        if name in ("botocore.config.Config", "botocore.client.Config"):
            _, keywords, _ = self.arguments(node, at)
            return ClientConfig(self._region(keywords))
        if name in ("dataclasses.field", "attr.ib", "attr.field", "attrs.field"):
            return self._field_default(node, at)
        if name in ("typing.cast", "typing_extensions.cast") and node.args:
            return self.annotation(node.args[0].value, at)
        if name == "builtins.str" and len(node.args) == 1:
            inner = self.value(node.args[0].value, at)
            return inner if isinstance(inner, (str, Template)) else UNKNOWN
        return UNKNOWN

    def _field_default(self, node: cst.Call, at: At):
        """What a dataclass/attrs field starts as: `field(default_factory=lambda: ...Table("t"))`.

        Only receivers and instances: a dict or list a field starts as is changed by methods we do
        not follow.
        """
        _, keywords, _ = self.arguments(node, at)
        value = keywords["default"].value if "default" in keywords else UNKNOWN
        factory = keywords.get("default_factory") or keywords.get("factory")
        if factory is not None and isinstance(factory.value, FunctionRef):
            value = (factory.value.owner or self).returned_value(factory.value.scope)
        elif factory is not None and isinstance(factory.value, ClassRef):
            value = Instance(factory.value.info, factory.value.owner)
        return value if isinstance(value, (Receiver, OtherClient, Instance)) else UNKNOWN

    def _receiver_method(self, receiver: Receiver, method: str, node: cst.Call, at: At):
        if receiver.kind == "session":
            if method in ("client", "create_client"):
                return self._make_client("client", node, at, receiver.region, receiver.is_async)
            if method == "resource":
                return self._make_client("resource", node, at, receiver.region, receiver.is_async)
        if receiver.kind == "resource" and method == "Table":
            positional, keywords, _ = self.arguments(node, at)
            name = positional[0].value if positional else keywords.get("name", Arg(UNKNOWN, None)).value
            return replace(receiver, kind="table", table=name, origin=node)
        if receiver.kind == "table" and method == "batch_writer":
            return replace(receiver, kind="batch_writer", origin=node)
        return UNKNOWN

    def _builder_method(self, attr: BuilderAttr, method: str, node: cst.Call, at: At):
        args = [ex.Literal(self.value(a.value, at)) for a in node.args]
        path = attr.path
        operand = ex.Function("size", (path,)) if attr.size else path
        expr = None
        if method in _BUILDER_COMPARISONS and len(args) == 1:
            expr = ex.Comparison(_BUILDER_COMPARISONS[method], operand, args[0])
        elif method == "between" and len(args) == 2:
            expr = ex.Between(operand, args[0], args[1])
        elif method == "is_in" and len(args) == 1:
            expr = ex.In(operand, (args[0],))
        elif attr.size:
            return UNKNOWN
        elif method == "exists" and not args:
            expr = ex.Function("attribute_exists", (path,))
        elif method == "not_exists" and not args:
            expr = ex.Function("attribute_not_exists", (path,))
        elif method in ("begins_with", "contains", "attribute_type") and len(args) == 1:
            expr = ex.Function(method, (path, args[0]))
        elif method == "size" and not args:
            return replace(attr, size=True)
        if expr is None:
            return UNKNOWN
        return ConditionValue(expr, uses_key=attr.is_key, uses_attr=not attr.is_key)

    # -- names -------------------------------------------------------------------------------------
    def lookup(self, name: str, at: Optional[At]):
        scope = at.scope
        own = True
        while scope is not None:
            if not own and scope.kind == "class":
                scope = scope.parent  # a class body is not an enclosing scope for its methods
                continue
            if name in scope.global_names:
                scope, own = scope.module(), False
            bindings = scope.bindings.get(name)
            if bindings and not own and scope.kind == "function":
                return self._enclosing(name, scope, bindings, at)
            if bindings:
                return self._from_bindings(name, scope, bindings, at if own else None)
            # a comprehension runs where it stands: the names around it are read at that point
            # (but a class body's names are not visible from one)
            own = own and scope.kind == "comprehension" and scope.parent is not None and scope.parent.kind != "class"
            scope = scope.parent
        return self._unbound(name)

    def _enclosing(self, name: str, scope: Scope, bindings: List[Binding], at: At):
        """A name a lambda or nested function reads from the function around it: its value where
        the use stands, with the changes made to it before (a lambda handed to a retry helper runs
        at once: `retry(lambda: table.put_item(**params))`); when the function rebinds or changes
        it afterwards, the closure may run later and see more: what we saw may be incomplete."""
        later = any(b.order > at.order for b in bindings) or \
            any(m.order > at.order and m.seen_by_resolver for m in scope.mutations.get(name, ()))
        if later:
            return _incomplete(self._from_bindings(name, scope, bindings, None))
        return self._from_bindings(name, scope, bindings, At(scope, at.order, at.chain))

    def _unbound(self, name: str):
        """A name no scope binds: what a top-level `from M import *` of a project module brings
        in (the last one that does), else a builtin. Names from other packages' star imports
        stay builtins: what they export is not read."""
        if self.project is None or not self.index.star_imports:
            return QualName(f"builtins.{name}")
        if name not in self._unbound_names:
            found = self.project.star_imported(self, name)
            self._unbound_names[name] = QualName(f"builtins.{name}") if found is None else found
        return self._unbound_names[name]

    def _from_bindings(self, name: str, scope: Scope, bindings: List[Binding], at: Optional[At]):
        if at is not None:
            candidates = [b for b in bindings if b.order < at.order]
            if not candidates:
                return UNKNOWN
            # The last assignment whose block encloses the use always runs before it.
            for index in range(len(candidates) - 1, -1, -1):
                if candidates[index].chain and candidates[index].chain[-1] in at.chain:
                    candidates = candidates[index:]
                    break
        else:
            candidates = bindings
        value = join([self.binding_value(b) for b in candidates])
        if isinstance(value, DictValue) and at is not None:
            value = self._apply_mutations(value, scope.mutations.get(name, ()), candidates[0].order, at)
        elif isinstance(value, ListValue) and at is not None and name in scope.mutations:
            value = self._apply_list_mutations(value, scope.mutations[name], candidates[0].order, at)
        return value

    def _apply_mutations(self, value: DictValue, mutations, after: int, at: At) -> DictValue:
        reaching = self._reaching(mutations, after, at, lambda m: m.seen_by_resolver)
        if not reaching:
            return value
        entries, complete = dict(value.entries), value.complete
        for mutation in reaching:
            branch, runs = self._runs(mutation, at)
            if runs is False:
                continue  # its `if` cannot select it here (`if not overwrite:` with `overwrite=True`)
            where = At(at.scope, mutation.order, mutation.chain)
            updates: Dict[object, Arg] = {}
            if mutation.kind == "setitem" and mutation.key is not None:
                updates[self.value(mutation.key, where)] = \
                    Arg(self.value(mutation.value, where) if mutation.value is not None else UNKNOWN, mutation.value)
            elif mutation.kind == "update" and all(a.keyword is not None for a in mutation.node.args):
                for arg in mutation.node.args:
                    updates[arg.keyword.value] = Arg(self.value(arg.value, at), arg.value)
            else:
                # handed to a function, changed deep down or through an alias: nothing inside
                # can be trusted to be complete any more
                entries = {k: Arg(_incomplete(a.value), a.node) for k, a in entries.items()}
                complete = False
                continue
            for key, arg in updates.items():
                if not isinstance(key, str):
                    complete = False
                elif runs:
                    entries[key] = arg
                elif branch is not None and len(branch.tests) == 1 and key not in entries and complete:
                    # set by one `if` on an entry nothing else sets: absent on the other path
                    (test, truth), = branch.tests
                    entries[key] = Arg(UNKNOWN, arg.node, OnPath(arg.value, test, truth))
                else:
                    entries[key] = Arg(UNKNOWN, arg.node)  # set only on some paths
        return DictValue(entries, complete, value.node)

    def _runs(self, mutation, at: At):
        """(branch, runs) for a change made before `at`: runs is True when it certainly happens
        on the way to `at` (its block encloses `at`, or the `if` between them is decided), False
        when it cannot, None when it may; branch is that `if`'s block when one stands between."""
        if mutation.chain and mutation.chain[-1] in at.chain:
            return None, True
        apart = [block for block in mutation.chain if block not in at.chain]
        branch = self.index.branches.get(apart[0]) if len(apart) == 1 else None
        if branch is None:
            return None, None
        where = At(at.scope, branch.order, branch.chain)
        truths = [self.truth(test, where) for test, _ in branch.tests]
        if any(truth is not None and truth != wanted for truth, (_, wanted) in zip(truths, branch.tests)):
            return branch, False
        return branch, True if None not in truths else None

    def truth(self, test: cst.BaseExpression, at: At) -> Optional[bool]:
        """Whether an `if` test is true, when its value is known statically (None otherwise)."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self.truth(test.expression, at)
            return None if inner is None else not inner
        if isinstance(test, cst.BooleanOperation):
            left, right = self.truth(test.left, at), self.truth(test.right, at)
            if isinstance(test.operator, cst.And):
                return False if False in (left, right) else None if None in (left, right) else True
            return True if True in (left, right) else None if None in (left, right) else False
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            return self._compared(test, at)
        return _truth_of(self.value(test, at))

    def _compared(self, test: cst.Comparison, at: At) -> Optional[bool]:
        """`x is None`, `x is not None`, `x == "literal"`, `x != 3`, with both sides known."""
        target = test.comparisons[0]
        operator = type(target.operator)
        if operator not in (cst.Is, cst.IsNot, cst.Equal, cst.NotEqual):
            return None
        left, right = self.value(test.left, at), self.value(target.comparator, at)
        if operator in (cst.Is, cst.IsNot):  # only `is None` is an identity we can see
            other = left if right is None else right if left is None else UNKNOWN
            if other is not None and (other is UNKNOWN or _truth_of(other) is None):
                return None
            return (other is None) == (operator is cst.Is)
        if not all(isinstance(side, (str, int, float, bool)) for side in (left, right)):
            return None
        return (left == right) == (operator is cst.Equal)

    def _reaching(self, mutations, after: int, at: At, wanted) -> List:
        """The `wanted` mutations made after `after` and before `at` that can reach `at`: not
        those made in a block that returns or raises without enclosing the use."""
        return [m for m in mutations if after < m.order < at.order and wanted(m)
                and not any(block in self.index.exits and block not in at.chain for block in m.chain)]

    def _apply_list_mutations(self, value: ListValue, mutations, after: int, at: At) -> ListValue:
        """The list after the `append`/`extend`/`insert` calls made on it before `at`.

        An item added in a block that does not enclose the use (a loop, a branch) may be there or
        not, any number of times: it is listed, and the list is no longer complete. Any other change
        (`pop`, `parts[0] = ...`, handing the list to a function, an alias) leaves nothing certain:
        the items are dropped, or marked incomplete when the change may only have added to them or
        changed them (`for part in parts: part["Put"]["ConditionExpression"] = ...`)."""
        reaching = self._reaching(mutations, after, at, lambda m: m.seen_by_resolver or _loops_over(m))
        if not reaching:
            return value
        items, complete = list(value.items), value.complete
        for mutation in reaching:
            added = self._list_addition(mutation, at)
            if added is None:
                if mutation.kind in ("passed", "alias", "deep", "read") or \
                        (mutation.kind == "method" and mutation.depth != 0):
                    # changed inside or added to where we cannot see: what we saw may be incomplete
                    items = [Arg(_incomplete(item.value), item.node) for item in items]
                elif not _reorders(mutation):
                    items = []  # removed or replaced: which items remain is unknown
                complete = False
                continue
            extra, extra_complete, certain = added
            items.extend(extra)
            complete = complete and extra_complete and certain
        return ListValue(items, complete, value.node)

    def _list_addition(self, mutation, at: At):
        """(items, complete, certain) that `name.append(x)`, `name.extend(xs)` or `name.insert(i, x)`
        adds; None for any other change."""
        node = mutation.node
        if mutation.kind != "method" or mutation.depth != 0 or not isinstance(node, cst.Call) \
                or not isinstance(node.func, cst.Attribute) or any(arg.keyword or arg.star for arg in node.args):
            return None
        method, args = node.func.attr.value, node.args
        where = At(at.scope, mutation.order, mutation.chain)
        certain = bool(mutation.chain) and mutation.chain[-1] in at.chain
        if method == "append" and len(args) == 1:
            return [Arg(self._appended(args[0].value, where), args[0].value)], True, certain
        if method == "insert" and len(args) == 2:
            return [Arg(self._appended(args[1].value, where), args[1].value)], False, certain
        if method == "extend" and len(args) == 1:
            added = self._iterable(args[0].value, where)
            if isinstance(added, ListValue):
                return list(added.items), added.complete, certain
            return [], False, certain
        return None

    def _appended(self, node: cst.BaseExpression, where: At):
        """The value `parts.append(part)` adds; a dict that `part` names and that is changed after the
        append (`part["Put"]["ConditionExpression"] = ...`) is the same object in the list: what we
        saw of it may be incomplete."""
        value = self.value(node, where)
        if isinstance(node, cst.Name) and isinstance(value, (DictValue, ListValue)):
            scope = where.scope
            later = [m for m in scope.mutations.get(node.value, ()) if m.order > where.order and m.seen_by_resolver]
            if later:
                return _incomplete(value)
        return value

    def binding_value(self, binding: Binding):
        key = id(binding)
        if key in self._binding_cache:
            return self._binding_cache[key]
        if key in self._active:
            return UNKNOWN  # a cycle (x = f(x) through helpers)
        self._active.add(key)
        try:
            value = self._binding_value(binding)
        finally:
            self._active.discard(key)
        self._binding_cache[key] = value
        return value

    def _binding_value(self, b: Binding):
        if id(b) in self._bound:
            return self._bound[id(b)]
        found = self.plugin.binding(b)
        if found is not None:
            return found
        at = At(b.scope, b.start, b.chain)
        kind = b.kind
        if kind in ("assign", "ann", "walrus"):
            value = self.value(b.value, at) if b.value is not None else UNKNOWN
            if value is UNKNOWN and b.annotation is not None:
                value = self.annotation(b.annotation, self._outer(b.scope))
            return value
        if kind == "aug":
            if isinstance(b.node.operator, cst.AddAssign):
                before = self.lookup(b.name, at)
                if isinstance(before, (str, Template)):
                    return join_strings(before, self.value(b.value, at))
                added = self.value(b.value, at) if isinstance(before, ListValue) else UNKNOWN
                if isinstance(added, ListValue):  # `parts += [...]`
                    return ListValue(before.items + added.items, before.complete and added.complete, before.node)
            return UNKNOWN
        if kind == "param":
            passed = self._passed_receiver(b)
            if passed is not UNKNOWN:
                return passed
            return self.annotation(b.annotation, self._outer(b.scope)) if b.annotation is not None else UNKNOWN
        if kind == "self":
            info = b.scope.class_info
            return Instance(info, self) if b.scope.self_kind == "instance" else ClassRef(info, self)
        if kind == "import":
            return self._import(b.qualname) if b.qualname else UNKNOWN
        if kind == "def":
            return FunctionRef(self.index.functions[id(b.node)], self)
        if kind == "class":
            return ClassRef(self.index.classes[id(b.node)], self)
        if kind == "with":
            value = self.value(b.value, at) if b.value is not None else UNKNOWN
            return value if isinstance(value, Receiver) else UNKNOWN
        return UNKNOWN

    def _passed_receiver(self, b: Binding):
        """The receiver every call in this module passes for a parameter, when they all agree.

        `def save(session): ...` called only as `save(boto3.Session(region_name="eu-west-1"))`, or
        `Repo(session)` for `__init__`. Only receivers, and instances of the project's classes
        (`run_scenario(wrapper)`: what a write helper is called on), are taken: other values a
        function is given elsewhere (other modules, callbacks) could differ, but a receiver only
        ever names DynamoDB, and a method of the project's class is judged by what it does.
        """
        function = b.scope.node
        if not isinstance(function, cst.FunctionDef) or function.decorators or not isinstance(b.node, cst.Param) \
                or b.node is function.params.star_arg or b.node is function.params.star_kwarg:
            return UNKNOWN  # a decorator may call it with anything; `*args` gather what they are given
        outer = b.scope.parent
        name, shift = function.name.value, 0
        if outer is not None and outer.kind == "class":
            if function.name.value != "__init__":
                return UNKNOWN  # methods are called through instances we do not follow
            name, shift = outer.node.name.value, 1  # `Repo(session)`: `self` is not passed
        positional = list(function.params.posonly_params) + list(function.params.params)
        index = next((i - shift for i, p in enumerate(positional) if p is b.node), None)
        keyword = b.name if not any(p is b.node for p in function.params.posonly_params) else None
        values = []
        for site in self._calls_named().get(name, ()):
            at = At(site.scope, site.order, site.chain)
            callee = self.value(site.node.func, at)
            if not ((isinstance(callee, FunctionRef) and callee.scope is b.scope) or
                    (shift and isinstance(callee, ClassRef) and callee.info.node is outer.node)):
                continue
            if any(arg.star for arg in site.node.args):
                return UNKNOWN
            given = [a for a in site.node.args if a.keyword is not None and a.keyword.value == keyword]
            plain = [a for a in site.node.args if a.keyword is None]
            if not given and index is not None and 0 <= index < len(plain):
                given = [plain[index]]
            if not given:
                return UNKNOWN  # the default: not worth following
            values.append(self.value(given[0].value, at))
        value = join(values)
        return value if isinstance(value, (Receiver, Instance)) else UNKNOWN

    def _calls_named(self) -> Dict[str, List[CallSite]]:
        """The module's calls by the name called (`f(...)`, `x.f(...)`), built once."""
        if self._calls_by_name is None:
            self._calls_by_name = {}
            for site in self.index.all_calls.values():
                func = site.node.func
                name = func.value if isinstance(func, cst.Name) else \
                    func.attr.value if isinstance(func, cst.Attribute) else None
                if name is not None:
                    self._calls_by_name.setdefault(name, []).append(site)
        return self._calls_by_name

    def _outer(self, scope: Scope) -> At:
        """Annotations and decorators are evaluated where the def statement is: see all its bindings."""
        outer = scope.parent or scope
        return At(outer, 1 << 62, ())

    # -- a function as one call sees it (write helpers, SPEC §3) ----------------------------------
    def called_with(self, scope: Scope, positional: List[Arg], keywords: Dict[str, Arg], complete: bool,
                    bound_method: bool) -> Optional["Evaluator"]:
        """An evaluator of this module that sees the function `scope` called with these arguments
        (resolved where the call stands, maybe in another module): each parameter holds what the call
        passes, else its default (UNKNOWN when an unresolved `**splat` may pass it); `**kwargs` the
        keywords no parameter takes. None when the arguments do not fit the parameters."""
        params = scope.node.params
        ordered = list(params.posonly_params) + list(params.params)
        if bound_method:
            ordered = ordered[1:]  # `self` or `cls`: the instance or class the call was made through
        extra = dict(keywords)
        if len(positional) > len(ordered) and not isinstance(params.star_arg, cst.Param):
            return None
        values: Dict[str, object] = {}
        for index, param in enumerate(ordered + list(params.kwonly_params)):
            name = param.name.value
            if index < len(positional) and param not in params.kwonly_params:
                values[name] = positional[index].value
            elif name in extra and param not in params.posonly_params:
                values[name] = extra.pop(name).value
            elif not complete:
                values[name] = UNKNOWN
            elif param.default is not None:
                values[name] = self.value(param.default, self._outer(scope))
            else:
                return None  # a required parameter the call does not pass: not a call of this function
        if isinstance(params.star_kwarg, cst.Param):
            values[params.star_kwarg.name.value] = DictValue(extra, complete)
        elif extra:
            return None
        child = Evaluator(self.index, self.project, self.path, type(self.plugin))
        child._calls_by_name, child._own_nodes, child._subclasses = \
            self._calls_by_name, self._own_nodes, self._subclasses  # facts of the module: the same for both
        child._bound = {id(b): values[name] for name in values for b in scope.bindings.get(name, ())
                        if b.kind == "param"}
        return child

    # -- functions, classes, annotations ----------------------------------------------------------
    def returned_value(self, scope: Scope):
        """What calling the function returns (the same for every call: parameters are unknown here,
        and `called_with` makes another evaluator), computed once: helpers calling helpers would
        otherwise cost exponential time."""
        key = id(scope)
        if key not in self._returned:
            self._returned[key] = UNKNOWN  # a recursive call sees UNKNOWN
            self._returned[key] = self._returned_value(scope)
        return self._returned[key]

    def _returned_value(self, scope: Scope):
        node = scope.node
        if isinstance(node, cst.Lambda):
            return self.value(node.body, At(scope, 1 << 62, ()))
        if scope.yields or not isinstance(node, cst.FunctionDef):
            return UNKNOWN
        for decorator in node.decorators:
            target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            name = self.value(target, self._outer(scope))
            if not (isinstance(name, QualName) and name.name in _CACHE_DECORATORS):
                return UNKNOWN  # a decorator may return anything
        values = []
        for ret, order, chain in scope.returns:
            values.append(self.value(ret.value, At(scope, order, chain)) if ret.value is not None else None)
        return join(values)

    def class_attribute(self, info: ClassInfo, attr: str, *, instance: bool, depth: int = 0):
        values = []
        if instance:
            for b in info.attributes.get(attr, ()):
                value = self.binding_value(b)
                if value is UNKNOWN and b.annotation is not None:
                    value = self.annotation(b.annotation, self._outer(b.scope))
                values.append(value)
        for b in info.scope.bindings.get(attr, ()):
            value = self.binding_value(b)
            if isinstance(value, FunctionRef) and _is_property(value.scope.node):
                value = (value.owner or self).returned_value(value.scope)
            values.append(value)
        if not values and depth < 5:
            for base in info.node.bases:
                base_value = self.value(base.value, At(info.outer, 1 << 62, ()))
                if isinstance(base_value, ClassRef):  # a base class, maybe from another module
                    return (base_value.owner or self).class_attribute(base_value.info, attr, instance=instance,
                                                                      depth=depth + 1)
        return join(values)

    # -- instances of the project's classes: their own methods, proxies ---------------------------
    def method_target(self, instance: "Instance", name: str):
        """What a call `instance.name(...)` goes to (SPEC §3, receivers): the instance itself when its
        class (or a base class of the project, or a subclass in this module: `self` may be one)
        defines `name`; else the DynamoDB receiver the class's `__getattr__` forwards to (`return
        getattr(self._table, name)`: the class *is* that receiver; a proxy of another service's
        client is that client); else UNKNOWN, as the lookup falls through to something we cannot see."""
        owner = instance.owner or self
        if owner.defines(instance.info, name):
            return instance
        target = owner.forwarded(instance.info)
        if target is UNKNOWN and any(name in sub.scope.bindings for sub in owner.subclasses(instance.info)):
            return instance
        return target

    def proxy_target(self, instance: "Instance", name: str):
        """The receiver (or other client) `instance.name` is taken from when the instance is a proxy
        whose class does not define `name`; None otherwise."""
        owner = instance.owner or self
        target = owner.forwarded(instance.info)
        if target is UNKNOWN or owner.defines(instance.info, name):
            return None
        return target

    def subclasses(self, info: ClassInfo) -> List[ClassInfo]:
        """The classes of this module that derive from `info` directly."""
        if self._subclasses is None:
            self._subclasses = {}
            for candidate in self.index.classes.values():
                for base in candidate.node.bases:
                    value = self.value(base.value, At(candidate.outer, 1 << 62, ()))
                    if isinstance(value, ClassRef) and (value.owner or self) is self:
                        self._subclasses.setdefault(id(value.info), []).append(candidate)
        return self._subclasses.get(id(info), [])

    def defines(self, info: ClassInfo, name: str, depth: int = 0) -> bool:
        """Whether the class, or a base class of the project, defines `name` (in its body, or as
        `self.name = ...` in a method). A base we cannot see does not count."""
        if name in info.scope.bindings or name in info.attributes:
            return True
        if depth >= 5:
            return False
        for base in info.node.bases:
            value = self.value(base.value, At(info.outer, 1 << 62, ()))
            if isinstance(value, ClassRef) and (value.owner or self).defines(value.info, name, depth + 1):
                return True
        return False

    def forwarded(self, info: ClassInfo):
        """The receiver (or another service's client) every return of the class's `__getattr__`
        forwards to, or UNKNOWN."""
        key = id(info)
        if key not in self._forwarding:
            self._forwarding[key] = UNKNOWN  # while it is worked out: `self._table` may come back here
            self._forwarding[key] = self._forwarding_target(info)
        return self._forwarding[key]

    def _forwarding_target(self, info: ClassInfo):
        if not self.defines(info, "__getattr__"):
            return UNKNOWN
        getter = self.class_attribute(info, "__getattr__", instance=False)
        if not isinstance(getter, FunctionRef) or not isinstance(getter.scope.node, cst.FunctionDef):
            return UNKNOWN
        return (getter.owner or self).forwarded_by(getter.scope, Instance(info, self))

    def forwarded_by(self, scope: Scope, instance: "Instance"):
        """`def __getattr__(self, name): return getattr(self._table, name)`: the receiver it forwards to
        when every return does so (UNKNOWN otherwise). `self.x` is looked up on `instance`, whose class
        may be a subclass of the one that defines `__getattr__`."""
        params = scope.node.params.params
        if len(params) != 2 or not scope.returns or scope.yields or scope.node.decorators:
            return UNKNOWN
        name = params[1].name.value
        targets = []
        for ret, order, chain in scope.returns:
            at = At(scope, order, chain)
            call = ret.value
            if not (isinstance(call, cst.Call) and len(call.args) == 2
                    and not any(arg.keyword or arg.star for arg in call.args)
                    and isinstance(call.args[1].value, cst.Name) and call.args[1].value.value == name
                    and _same(self.value(call.func, at), QualName("builtins.getattr"))):
                return UNKNOWN
            forwarded = call.args[0].value
            if isinstance(forwarded, cst.Attribute) and isinstance(forwarded.value, cst.Name) \
                    and forwarded.value.value == params[0].name.value:
                targets.append(self.attribute(instance, forwarded.attr.value))
            else:
                targets.append(self.value(forwarded, at))
        target = join(targets)
        return target if isinstance(target, (Receiver, OtherClient)) else UNKNOWN

    def annotation(self, node, at: At):
        if isinstance(node, cst.SimpleString):
            try:
                parsed = cst.parse_expression(node.evaluated_value)
            except Exception:  # noqa: BLE001 - a string annotation that is not an expression
                return UNKNOWN
            return self.annotation(parsed, At(at.scope.module(), 1 << 62, ()))
        if isinstance(node, cst.Subscript):
            head = self.value(node.value, at)
            if isinstance(head, QualName) and head.name.rsplit(".", 1)[-1] in ("Optional", "Union", "Annotated"):
                for element in node.slice:
                    if isinstance(element.slice, cst.Index):
                        value = self.annotation(element.slice.value, at)
                        if value is not UNKNOWN:
                            return value
            return UNKNOWN
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            left = self.annotation(node.left, at)
            return left if left is not UNKNOWN else self.annotation(node.right, at)
        value = self.value(node, at)
        if not isinstance(value, QualName):
            found = self.plugin.annotated(value) if isinstance(node, (cst.Name, cst.Attribute)) else None
            if found is None and isinstance(value, ClassRef):
                return Instance(value.info, value.owner)  # `repo: Subscribers`: an instance of the project's class
            return UNKNOWN if found is None else found
        name = value.name
        if name.startswith("builtins."):
            # a fully qualified name nothing imports, as people write in strings:
            # `cast("mypy_boto3_dynamodb.service_resource.Table", x)`
            name = name[len("builtins."):]
        if name in STUB_TYPES:
            kind = STUB_TYPES[name]
            return Receiver(kind, None, None if kind == "client" else UNKNOWN, "aio" in name, node)
        if name in _SESSION_CLASSES:
            # a session handed in: its region is set where it was made, which we do not see
            return Receiver("session", None, None, _SESSION_CLASSES[name], node)
        return UNKNOWN


def _is_property(node) -> bool:
    return any(
        (isinstance(d.decorator, cst.Name) and d.decorator.value in ("property", "cached_property"))
        or (isinstance(d.decorator, cst.Attribute) and d.decorator.attr.value == "cached_property")
        for d in getattr(node, "decorators", ())
    )


def _loops_over(mutation) -> bool:
    """`for part in parts:`: the loop may change each item."""
    return mutation.kind == "read" and isinstance(mutation.node, cst.For)


def _reorders(mutation) -> bool:
    """`parts.sort()` / `parts.reverse()`: the same items in another order."""
    node = mutation.node
    return mutation.kind == "method" and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
        and node.func.attr.value in ("sort", "reverse")


def _fstring_text(node: cst.FormattedString, raw: str) -> Optional[str]:
    """The characters a literal part of an f-string stands for: `{{` is `{`, escapes apply."""
    text = raw.replace("{{", "{").replace("}}", "}")
    prefix = node.start[:-len(node.end)] if node.start.endswith(node.end) else node.start
    if "r" in prefix.lower() or "\\" not in text:
        return text
    try:
        return ast.literal_eval(node.end + text + node.end)
    except (SyntaxError, ValueError):
        return None


def _truth_of(value) -> Optional[bool]:
    """The truth value of a statically known value (None when it is not known)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return bool(value)
    if isinstance(value, (DictValue, ListValue)) and value.complete:
        return bool(value.entries if isinstance(value, DictValue) else value.items)
    if isinstance(value, (Receiver, ConditionValue)):
        return True
    return None


def _incomplete(value):
    """The same dict or list, marked as possibly holding more than we saw, all the way down."""
    if isinstance(value, DictValue):
        return DictValue({k: Arg(_incomplete(a.value), a.node) for k, a in value.entries.items()}, False, value.node)
    if isinstance(value, ListValue):
        return ListValue([Arg(_incomplete(a.value), a.node) for a in value.items], False, value.node)
    return value
