"""`boto3.dynamodb.conditions` builders where they do not work.

Only boto3's resource layer turns `Attr`/`Key` objects into expression strings: a resource
Table, and `resource.meta.client`, whose request parameters an event handler of the resource
rewrites (boto3/dynamodb/transform.py). A plain `boto3.client("dynamodb")` passes the object
to botocore, which rejects it (ParamValidationError); inside `transact_write_items` even the
resource's client puts the generated placeholders at the top level of the request, where
botocore rejects them too (boto/boto3#4053); `Attr` in a KeyConditionExpression raises
DynamoDBNeedsKeyConditionError; and `Attr("v") == x` is Python's own `==`, a bool.

This module answers, from the model: which Python comparisons have a builder as an operand
(`comparisons`), whether a client is known to come from a resource (`client_from_resource`),
and which condition parameters of an operation hold a builder (`builder_parameters`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ddblint.dynamo.calls import Operation
from ddblint.dynamo.operations import may_bring_builders
from ddblint.dynamo.scope import ModuleIndex, Scope
from ddblint.dynamo.values import At, BuilderAttr, ConditionValue, Evaluator, QualName, Receiver
from ddblint.syntax import dotted_name

# The parameters boto3's resource layer converts from builders (the ConditionExpression and
# KeyExpression shapes): everything else must be a string even on a Table.
CONDITION_PARAMETERS = ("ConditionExpression", "FilterExpression", "KeyConditionExpression")

# Python comparison -> (builder method, what it does at run time)
# (by LibCST's class names: LibCST is imported after this module, on first use, ddblint/lazy.py)
COMPARISON_METHODS = {
    "Equal": ("==", "eq", "False"),
    "NotEqual": ("!=", "ne", "True"),
    "LessThan": ("<", "lt", None),
    "LessThanEqual": ("<=", "lte", None),
    "GreaterThan": (">", "gt", None),
    "GreaterThanEqual": (">=", "gte", None),
}

_MAYBE_BUILDER = frozenset(("Name", "Attribute", "Call", "Subscript", "Await"))


@dataclass(frozen=True)
class BuilderComparison:
    """`Attr("v") == x`: a Python comparison with a builder attribute on one side."""

    node: cst.Comparison
    symbol: str  # ==, !=, <, ...
    method: str  # the builder method meant: eq, ne, lt, ...
    result: Optional[str]  # "False"/"True" for == / !=; None when Python raises TypeError
    builder: BuilderAttr
    builder_node: cst.BaseExpression
    other_node: cst.BaseExpression


def _exposed_scopes(index: ModuleIndex) -> Dict[int, Scope]:
    """id(def, lambda, class, comprehension or module) -> its scope, for those the index exposes:
    a lambda or comprehension that holds no call has none, and what is in it is skipped."""
    scopes: Dict[int, Scope] = {id(index.scope.node): index.scope}
    for site in index.all_calls.values():
        scope = site.scope
        while scope is not None and id(scope.node) not in scopes:
            scopes[id(scope.node)] = scope
            scope = scope.parent
    for info in index.classes.values():
        scopes[id(info.node)] = info.scope
    for key, scope in index.functions.items():
        scopes[key] = scope
    return scopes


def comparisons(index: ModuleIndex, evaluator: Evaluator) -> List[BuilderComparison]:
    """Comparisons (`==`, `!=`, `<`, ...) of a builder attribute with something that is not a builder.

    `Attr("a") == Attr("a")` compares two builders on purpose (boto3's own tests do) and is left
    alone, as are `is` and `in`.
    """
    found = []
    if not imports_builders(index) or not index.comparisons:
        return found  # the builders come from `boto3.dynamodb.conditions` or not at all
    scopes = _exposed_scopes(index)
    for node, order, chain, owner in index.comparisons:
        scope = scopes.get(owner)
        if scope is not None:
            match = _builder_pair(node, At(scope, order, chain), evaluator)
            if match is not None:
                found.append(match)
    return found


def imports_builders(index: ModuleIndex) -> bool:
    """The module imports `boto3.dynamodb.conditions` (or a name from it, or `boto3.dynamodb`),
    in any scope; any `import boto3.dynamodb...` statement counts (`import boto3.dynamodb.types`
    binds `boto3`, from which `boto3.dynamodb.conditions.Attr` is in reach)."""
    scopes = [index.scope] + list(index.functions.values()) + [info.scope for info in index.classes.values()]
    for scope in scopes:
        for bindings in scope.bindings.values():
            for binding in bindings:
                if binding.kind != "import":
                    continue
                if isinstance(binding.node, cst.Import):
                    if any((dotted_name(alias.name) or "").startswith("boto3.dynamodb") for alias in binding.node.names):
                        return True
                elif may_bring_builders(binding.qualname or ""):
                    return True
    return False


def _builder_pair(node: cst.Comparison, at: At, evaluator: Evaluator) -> Optional[BuilderComparison]:
    """The first pair of a (possibly chained) comparison that compares a builder with a non-builder."""
    left = node.left
    for target in node.comparisons:
        right = target.comparator
        spec = COMPARISON_METHODS.get(type(target.operator).__name__)
        if spec is not None and (type(left).__name__ in _MAYBE_BUILDER or type(right).__name__ in _MAYBE_BUILDER):
            lvalue, rvalue = evaluator.value(left, at), evaluator.value(right, at)
            for builder, builder_node, other, other_node in ((lvalue, left, rvalue, right),
                                                             (rvalue, right, lvalue, left)):
                if isinstance(builder, BuilderAttr) and not isinstance(other, (BuilderAttr, ConditionValue)):
                    return BuilderComparison(node, spec[0], spec[1], spec[2], builder, builder_node, other_node)
        left = right
    return None


def client_from_resource(receiver: Optional[Receiver], index: ModuleIndex, evaluator: Evaluator) -> Optional[bool]:
    """For a low-level client: True when it is `resource.meta.client` (builders work), False when
    it was made as a client (`boto3.client`, `session.client`, aiobotocore's `create_client`),
    None when the code does not show (an annotated parameter may be either)."""
    if receiver is None or receiver.kind != "client" or not isinstance(receiver.origin, cst.Call):
        return None
    func = receiver.origin.func
    if isinstance(func, cst.Attribute):
        name = func.attr.value
    elif isinstance(func, cst.Name):
        name = func.value
        site = index.all_calls.get(id(receiver.origin))
        if site is not None:
            value = evaluator.value(func, At(site.scope, site.order, site.chain))
            if isinstance(value, QualName):
                name = value.name.rsplit(".", 1)[-1]
    else:
        return None
    if name in ("client", "create_client"):
        return False
    if name in ("resource", "Table"):
        return True
    return None


def builder_parameters(op: Operation) -> List[Tuple[str, object, Optional[cst.CSTNode]]]:
    """(parameter, value, node) for each condition parameter of `op` that holds a builder."""
    found = []
    for name in CONDITION_PARAMETERS:
        arg = op.params.get(name)
        if arg is not None and isinstance(arg.value, (BuilderAttr, ConditionValue)):
            found.append((name, arg.value, arg.node))
    return found
