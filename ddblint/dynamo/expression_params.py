"""The expression parameters an operation passes, parsed once, and the placeholder maps they use.

`expressions(op)` gathers, for one operation (a transaction entry and a BatchGetItem table are
operations of their own), the ConditionExpression, UpdateExpression, KeyConditionExpression,
FilterExpression and ProjectionExpression it passes, each parsed with the parser of its kind,
and its ExpressionAttributeNames / ExpressionAttributeValues when their keys are all known.
A finding about a place in an expression can point inside the string literal that wrote it
(`ExpressionParam.source_span`), when that literal has no escapes. The maps count as unknown when
a dict the request is built from may change in ways the value resolver does not follow
(`hidden_changes`): placeholder rules must see every key or stay silent.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from typing import Dict, FrozenSet, List, Optional, Set, Tuple, Union

import libcst as cst

from ddblint.dynamo import expressions as ex, operations
from ddblint.dynamo.calls import ABSENT, DynamoCall, Operation
from ddblint.dynamo.operations import DATA_METHODS, NAMES, VALUES
from ddblint.dynamo.scope import Mutation, Scope, read_names, subscript_root
from ddblint.tree import children
from ddblint.dynamo.values import Arg, ConditionValue, DictValue

# In the order DynamoDB's documentation lists them.
EXPRESSION_PARAMS = ("KeyConditionExpression", "ConditionExpression", "UpdateExpression",
                     "FilterExpression", "ProjectionExpression")
_PARSERS = {
    "ConditionExpression": ex.parse_condition,
    "FilterExpression": ex.parse_condition,
    "KeyConditionExpression": ex.parse_key_condition,
    "UpdateExpression": ex.parse_update,
    "ProjectionExpression": ex.parse_projection,
}
# Operations whose requests carry expressions. Batch writes, PartiQL and a transaction as a whole
# have none (an expression passed there is an invalid parameter: DDB405's business).
EXPRESSION_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "ConditionCheck", "GetItem",
                                   "BatchGetItem", "Query", "Scan"})
# The placeholders boto3's condition builders generate (`#n0`, `:v0`) and merge into the maps.
_BUILDER_PLACEHOLDER = re.compile(r"(#n|:v)\d+\Z")


@dataclass(eq=False)
class ExpressionParam:
    """One expression parameter of an operation."""

    kind: str  # ConditionExpression, UpdateExpression, KeyConditionExpression, FilterExpression, ProjectionExpression
    value: object  # str, ConditionValue (a boto3 conditions builder), Template, UNKNOWN, ...
    node: Optional[cst.CSTNode]  # the expression that passes it

    @property
    def is_string(self) -> bool:
        return isinstance(self.value, str)

    @property
    def is_builder(self) -> bool:
        """Built with `boto3.dynamodb.conditions`: boto3 writes the string and its placeholders."""
        return isinstance(self.value, ConditionValue)

    @cached_property
    def parsed(self) -> Union[object, ex.ExpressionError, None]:
        """The tree, the ExpressionError when the string does not parse, None when it is not a string."""
        if not isinstance(self.value, str):
            return None
        try:
            return _PARSERS[self.kind](self.value)
        except ex.ExpressionError as error:
            # kept without its traceback: the frames it holds would keep the module being
            # checked, its tree and model, alive until the cyclic garbage collector came by
            return error.with_traceback(None)

    @property
    def tree(self):
        parsed = self.parsed
        return None if parsed is None or isinstance(parsed, ex.ExpressionError) else parsed

    @property
    def error(self) -> Optional[ex.ExpressionError]:
        return self.parsed if isinstance(self.parsed, ex.ExpressionError) else None

    @cached_property
    def placeholders(self) -> Tuple[List[ex.Placeholder], List[ex.ValueRef]]:
        """Every `#name` and `:value` the parsed string uses, in text order (empty when unparsed)."""
        tree = self.tree
        return ex.placeholders(tree) if tree is not None else ([], [])

    @cached_property
    def _literal_start(self) -> Optional[int]:
        """Where the string's value starts in the node's source, when the node is one plain literal."""
        node = self.node
        if not isinstance(node, cst.SimpleString) or not isinstance(self.value, str):
            return None
        start = len(node.prefix) + len(node.quote)
        if node.value != node.value[:start] + self.value + node.quote:
            return None  # escapes (`\"`, `\n`): offsets in the value are not offsets in the source
        return start

    def source_offset(self, offset: int) -> Optional[int]:
        """The offset in the node's source text of `offset` in the expression string, or None."""
        start = self._literal_start
        if start is None or not 0 <= offset <= len(self.value):
            return None
        return start + offset

    def source_span(self, start: int, end: int) -> Optional[Tuple[int, int]]:
        """`Finding.span` for a span of the expression string; None when findings must point at
        the whole node. An empty span (the end of the string) covers the character after it, at
        the end the closing quote."""
        first, last = self.source_offset(start), self.source_offset(end)
        if first is None or last is None:
            return None
        return first, max(last, first + 1)


@dataclass(eq=False)
class PlaceholderMap:
    """ExpressionAttributeNames or ExpressionAttributeValues, with every key known."""

    param: str  # ExpressionAttributeNames | ExpressionAttributeValues
    entries: Dict[str, Arg]  # empty when the call does not pass the map
    node: Optional[cst.CSTNode]  # the map's expression; None when not passed
    literal: Optional[cst.Dict] = None  # the dict literal that wrote it, when it is one

    @property
    def passed(self) -> bool:
        return self.node is not None

    def keys(self) -> FrozenSet[str]:
        return frozenset(self.entries)

    def resolved(self) -> Optional[Dict[str, str]]:
        """key -> value when every value is a known string (attribute names), else None."""
        if not all(isinstance(arg.value, str) for arg in self.entries.values()):
            return None
        return {key: arg.value for key, arg in self.entries.items()}

    def key_node(self, key: str) -> Optional[cst.CSTNode]:
        """Where a finding about one key points: the key in the dict literal, else its value."""
        arg = self.entries[key]
        if self.literal is not None:
            for element in self.literal.elements:
                if isinstance(element, cst.DictElement) and element.value is arg.node:
                    return element.key
        return arg.node or self.node


@dataclass(eq=False)
class Expressions:
    """Everything about one operation's expressions."""

    op: Operation
    params: List[ExpressionParam] = field(default_factory=list)
    names: Optional[PlaceholderMap] = None  # None when its keys are not all known
    values: Optional[PlaceholderMap] = None
    # The request's dicts may be changed in ways the value resolver does not follow
    # (`params["ExpressionAttributeValues"][":v"] = v`, an alias, `del`): the maps' keys and the
    # set of expressions are then not known, whatever the resolved values say.
    hidden_changes: bool = False

    @property
    def has_builder(self) -> bool:
        return any(p.is_builder for p in self.params)

    @property
    def all_parsed(self) -> bool:
        """Every expression the request may carry is a string we parsed: nothing unseen can use a
        placeholder (no unresolved `**splat`, no builder, no unresolved or invalid expression)."""
        return self.op.complete and not self.hidden_changes and all(p.tree is not None for p in self.params)

    def may_be_generated(self, placeholder: str) -> bool:
        """Whether boto3 may define this placeholder itself: a builder (or an expression we cannot
        see, which may be one) generates `#n0`, `:v0`, ... and merges them into the maps."""
        return bool(_BUILDER_PLACEHOLDER.match(placeholder)) and (
            not self.op.complete or any(not p.is_string for p in self.params))

    def used(self) -> Tuple[Set[str], Set[str]]:
        """The `#name` and `:value` placeholders the parsed expressions use."""
        names: Set[str] = set()
        values: Set[str] = set()
        for param in self.params:
            found_names, found_values = param.placeholders
            names.update(p.text for p in found_names)
            values.update(v.text for v in found_values)
        return names, values

    def map_for(self, placeholder: str) -> Optional[PlaceholderMap]:
        return self.names if placeholder.startswith("#") else self.values


def expressions(op: Operation) -> Expressions:
    """The operation's expressions (cached per operation). Operations that take no expressions
    (batch writes, PartiQL, a transaction as a whole) have none."""
    # Kept on the operation itself, so it goes with it. (In a WeakKeyDictionary the value, which
    # refers to the operation, kept every operation, its call and its module's tree alive for
    # the rest of the process: ~35 MB more per 170 DynamoDB files.)
    found = vars(op).get("_expressions")
    if found is None:
        found = vars(op)["_expressions"] = _gather(op)
    return found


def forget(op: Operation) -> None:
    """Drop the operation's cached expressions: they refer back to it (`DynamoModel.close`)."""
    vars(op).pop("_expressions", None)


def _gather(op: Operation) -> Expressions:
    if op.name not in EXPRESSION_OPERATIONS or getattr(op, "partiql", None) is not None:
        return Expressions(op)  # a PartiQL statement has no expression parameters
    params = [ExpressionParam(kind, op.params[kind].value, op.params[kind].node)
              for kind in EXPRESSION_PARAMS if kind in op.params]
    if hidden_changes(op):
        return Expressions(op, params, None, None, hidden_changes=True)
    return Expressions(op, params, placeholder_map(op, NAMES), placeholder_map(op, VALUES))


def placeholder_map(op: Operation, param: str) -> Optional[PlaceholderMap]:
    """The map when every key of it is known: an absent map (of a call without unresolved
    `**splat`) is empty; None when keys may exist that we cannot see."""
    value = op.param(param)
    if value is ABSENT:
        return PlaceholderMap(param, {}, None)
    if not isinstance(value, DictValue) or not value.complete:
        return None
    node = value.node or op.param_node(param)
    return PlaceholderMap(param, dict(value.entries), node,
                          value.node if isinstance(value.node, cst.Dict) else None)


# --- changes the value resolver does not see ----------------------------------------------------
# The resolver follows `d[key] = value` and `d.update(key=value)` in the scope that binds `d`; after
# `f(d)` or another method call it takes `d` to have unknown keys more, but keeps what it knew of
# the dicts inside it. A request dict is also changed through a nested subscript
# (`params["ExpressionAttributeValues"][":v"] = v`), `del d[key]`, a method of an inner dict
# (`params["ExpressionAttributeValues"].update(...)`), an alias (`values = eav; values[":v"] = v`),
# a loop over it, or from a nested function. Placeholder rules need every key, so when a dict the
# call reads may change one of those ways, they treat its maps as unknown.
# scope.py records every such change as a `Mutation` of the name, in the scope whose code makes it;
# here they are read.

# Growing a list (of TransactItems) adds entries the resolver does not see, and changes none it does.
_LIST_GROWTH = frozenset({"append", "extend", "insert"})
_VALUE_BINDINGS = frozenset({"assign", "ann", "aug", "walrus", "param", "for", "with"})


@dataclass
class _ScopeChanges:
    untracked: Set[str] = field(default_factory=set)  # changed in a way the resolver never follows
    nested: Set[str] = field(default_factory=set)  # d[k] = v / d.update(k=v) inside a nested def, lambda, ...
    top: Set[str] = field(default_factory=set)  # the same in the scope's own code
    aliases: List[Tuple[FrozenSet[str], FrozenSet[str]]] = field(default_factory=list)  # (targets, sources)


_SCOPE_CACHE: "weakref.WeakKeyDictionary[Scope, _ScopeChanges]" = weakref.WeakKeyDictionary()


_CALL_CACHE: "weakref.WeakKeyDictionary[DynamoCall, bool]" = weakref.WeakKeyDictionary()


def hidden_changes(op: Operation) -> bool:
    """Whether a dict the call's arguments are built from may change unseen before the call."""
    found = _CALL_CACHE.get(op.call)
    if found is None:
        found = _CALL_CACHE[op.call] = _hidden_changes(op.call)
    return found


def _hidden_changes(call: DynamoCall) -> bool:
    site = call.site
    roots = _roots(call.node, site.scope)
    for name, owner in roots.items():
        changes = _SCOPE_CACHE.get(owner)
        if changes is None:
            changes = _SCOPE_CACHE[owner] = _changes(owner)
        if name in changes.untracked or name in changes.nested:
            return True
        if owner is not site.scope and name in changes.top:
            return True  # read from an enclosing scope: the resolver applies no changes at all
        if any(name in sources and not targets <= set(roots) for targets, sources in changes.aliases):
            return True
    return False


def _changes(scope: Scope) -> _ScopeChanges:
    """What the code of a scope, and of the scopes inside it, does to names, from scope.py's records."""
    changes = _ScopeChanges()
    for inner in [scope] + scope.nested():
        tracked = changes.top if inner is scope else changes.nested
        for name, mutations in inner.mutations.items():
            for mutation in mutations:
                effect = _effect(mutation)
                if effect == "tracked":
                    tracked.add(name)
                elif effect == "untracked":
                    changes.untracked.add(name)
        changes.aliases.extend(_alias(statement) for statement in inner.assignments)
    return changes


def _effect(mutation: Mutation) -> Optional[str]:
    """"tracked" for a change the resolver follows in the scope that binds the name (`d[k] = v`,
    `d.update(k=v)`), "untracked" for one it never follows, None for none it could miss."""
    kind = mutation.kind
    if kind == "setitem" or (kind == "annotated" and mutation.depth == 1):
        return "tracked"
    if kind == "update":
        # any other update marks only `d` itself unknown, not the dicts inside it, which may be replaced too
        return "tracked" if all(a.keyword is not None for a in mutation.node.args) else "untracked"
    if kind == "alias" or mutation.depth is None:
        return None  # aliases are read from the assignments; a change below an attribute is another object's
    if mutation.depth == 0 and kind == "method" and mutation.node.func.attr.value in _LIST_GROWTH:
        return None
    if mutation.depth == 0 and kind == "passed" and isinstance(mutation.node.func, cst.Attribute) \
            and mutation.node.func.attr.value in DATA_METHODS:
        return None  # DynamoDB calls only read
    return "untracked"  # deep, method, passed, del, read (del targets, loops over it)


def _alias(statement) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(the names an assignment sets or changes, the names its value reads)."""
    targets = [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else [statement.target]
    names: Set[str] = set()
    for target in targets:
        _target_names(target, names)
    return frozenset(names), frozenset(read_names(statement.value, skip_arguments=True))


def _target_names(target, names: Set[str]) -> None:
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _target_names(element.value, names)
    elif isinstance(target, cst.StarredElement):
        _target_names(target.value, names)
    elif isinstance(target, cst.Name):
        names.add(target.value)
    elif isinstance(target, cst.Subscript):
        root = subscript_root(target)[0]
        if root is not None:
            names.add(root)
    elif isinstance(target, cst.Attribute):
        names.update(read_names(target))


# Request members that never hold an expression or a placeholder map.
_OTHER_MEMBERS = frozenset({
    "Key", "Keys", "Item", "TableName", "IndexName", "ReturnValues", "ReturnValuesOnConditionCheckFailure",
    "ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "Limit", "ExclusiveStartKey",
    "ConsistentRead", "Select", "ScanIndexForward", "Segment", "TotalSegments", "ClientRequestToken",
})


def _roots(call: cst.Call, scope: Scope) -> Dict[str, Scope]:
    """The variables the call's expressions and placeholder maps may come from, with their scopes."""
    roots: Dict[str, Scope] = {}
    frontier = [(name, scope) for arg in call.args
                if arg.keyword is None or arg.keyword.value not in _OTHER_MEMBERS
                for name in _flow_names(arg.value)]
    while frontier and len(roots) < 64:
        name, where = frontier.pop()
        owner = _owner(where, name)
        if owner is None or roots.get(name) is owner:
            continue
        bindings = owner.bindings[name]
        if not any(b.kind in _VALUE_BINDINGS for b in bindings):
            continue  # imports, functions, classes
        roots[name] = owner
        for binding in bindings:
            if binding.value is not None:
                frontier.extend((n, owner) for n in _flow_names(binding.value))
        for mutation in owner.mutations.get(name, ()):
            if mutation.value is not None:
                frontier.extend((n, owner) for n in _flow_names(mutation.value))
    return roots


def _flow_names(node: cst.CSTNode) -> Set[str]:
    """Names whose values may end up in this expression's value as the resolver computes it: not
    those only passed to a function (other than `dict`), nor those under a request member that
    holds no expression (`"Key": {"pk": pk}`)."""
    found: Set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        elif isinstance(current, cst.Dict):
            for element in current.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) \
                        and element.key.raw_value in _OTHER_MEMBERS:
                    continue
                stack.append(element.value)
        elif isinstance(current, cst.Call):
            if isinstance(current.func, cst.Name) and current.func.value == "dict":
                stack.extend(a.value for a in current.args
                             if a.keyword is None or a.keyword.value not in _OTHER_MEMBERS)
        elif not isinstance(current, cst.Lambda):
            stack.extend(children(current))
    return found


def _owner(scope: Optional[Scope], name: str) -> Optional[Scope]:
    own = True
    while scope is not None:
        if not own and scope.kind == "class":
            scope = scope.parent
            continue
        if name in scope.global_names:
            scope, own = scope.module(), False
        if name in scope.bindings:
            return scope
        scope, own = scope.parent, False
    return None


TRIGGERS = operations.EXPRESSION_TRIGGERS
