"""DynamoDB's legacy conditional parameters, and the expression parameters that replaced them.

The developer guide's "Legacy conditional parameters" page: `Expected`, `ConditionalOperator`,
`AttributeUpdates`, `KeyConditions`, `QueryFilter`, `ScanFilter` and `AttributesToGet` still work,
but cannot be combined with expression parameters in one request; DynamoDB then answers
ValidationException ("Can not use both expression and non-expression parameters in the same
request").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import libcst as cst

from ddblint.dynamo.calls import Operation
from ddblint.dynamo.edits import Patch, Unfixable, dict_literal, string, string_key, typed_values
from ddblint.dynamo.expression_params import NAMES, VALUES, expressions
from ddblint.dynamo.tree import children


class Rejected(Unfixable):
    """The legacy parameters, as written, make a request DynamoDB rejects (ValidationException)."""

# legacy parameter -> the expression parameter that replaces it
LEGACY_PARAMETERS = {
    "Expected": "ConditionExpression",
    "ConditionalOperator": "ConditionExpression",  # FilterExpression on Query and Scan (LegacyUse.replacement)
    "AttributeUpdates": "UpdateExpression",
    "KeyConditions": "KeyConditionExpression",
    "QueryFilter": "FilterExpression",
    "ScanFilter": "FilterExpression",
    "AttributesToGet": "ProjectionExpression",
}
EXPRESSION_PARAMETERS = ("ConditionExpression", "UpdateExpression", "KeyConditionExpression",
                         "FilterExpression", "ProjectionExpression")


@dataclass(frozen=True)
class LegacyUse:
    operation: Operation
    legacy: Tuple[str, ...]  # the legacy parameters passed, in the order the call has them
    expressions: Tuple[str, ...]  # expression parameters passed alongside them (empty: not mixed)

    @property
    def mixed(self) -> bool:
        return bool(self.expressions)

    def replacement(self, name: str) -> str:
        """The expression parameter that replaces a legacy one in this operation."""
        if name == "ConditionalOperator" and self.operation.name in ("Query", "Scan"):
            return "FilterExpression"
        return LEGACY_PARAMETERS[name]


def legacy_use(op: Operation):
    """The legacy parameters an operation passes (None when it passes none).

    A parameter counts when the call has the key, even with a value we cannot resolve; per-table
    entries of BatchGetItem are operations of their own, so their `AttributesToGet` counts too.
    """
    legacy = tuple(name for name in op.params if name in LEGACY_PARAMETERS)
    if not legacy:
        return None
    expressions = tuple(name for name in op.params if name in EXPRESSION_PARAMETERS)
    return LegacyUse(op, legacy, expressions)


# --- the fix: simple `Expected` / `AttributeUpdates` rewritten as expressions ------------------
# Which legacy parameters the fix rewrites, per operation. KeyConditions, QueryFilter, ScanFilter
# and AttributesToGet are not rewritten (reads: out of scope).
_REWRITTEN = {
    "PutItem": frozenset({"Expected", "ConditionalOperator"}),
    "DeleteItem": frozenset({"Expected", "ConditionalOperator"}),
    "UpdateItem": frozenset({"Expected", "ConditionalOperator", "AttributeUpdates"}),
}
_COMPARISONS = {"EQ": "=", "NE": "<>", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
# How many values each ComparisonOperator takes (None: one or more); DynamoDB rejects any other
# count, so the original never ran and there is nothing to preserve.
_ARITY = {**{name: 1 for name in _COMPARISONS}, "NULL": 0, "NOT_NULL": 0, "BEGINS_WITH": 1, "CONTAINS": 1,
          "NOT_CONTAINS": 1, "BETWEEN": 2, "IN": None}
_MAX_IN = 100  # an expression's IN takes at most 100 operands
# Calls that do nothing but build a value: moving them changes no evaluation order that matters.
_PURE_CALLS = frozenset({"Decimal", "decimal.Decimal", "set", "frozenset", "str", "int", "float", "bool", "bytes",
                         "Binary", "boto3.dynamodb.types.Binary", "list", "tuple", "dict", "len"})


def expression_fix(module, op: Operation):
    """(title, applicability, edits) of the fix that rewrites the operation's legacy `Expected`,
    `ConditionalOperator` and `AttributeUpdates` as ConditionExpression / UpdateExpression with
    `#name` and `:value` placeholders; raises edits.Unfixable when the rewrite cannot be shown to
    mean exactly the same request.

    Semantics kept (developer guide, "Legacy conditional parameters"):
    AttributeUpdates `PUT` (the default) -> `SET #a = :a`; `ADD` -> `ADD #a :a` (only for a value
    known to be a number or a set: legacy ADD also appends to a list, an expression's ADD does not);
    `DELETE` without Value -> `REMOVE #a`; `DELETE` with a value known to be a set -> `DELETE #a :a`.
    Expected `{"Value": v}` / `{"Exists": True, "Value": v}` -> `#a = :v`; `{"Exists": False}` ->
    `attribute_not_exists(#a)`; ComparisonOperator EQ NE LT LE GT GE -> `= <> < <= > >=`, NULL ->
    `attribute_not_exists`, NOT_NULL -> `attribute_exists`, BEGINS_WITH -> `begins_with`, CONTAINS ->
    `contains`, NOT_CONTAINS -> `attribute_exists(#a) AND NOT contains(#a, :v)` (a legacy NOT_CONTAINS
    is false on a missing attribute, `NOT contains(...)` would be true), BETWEEN, IN; the entries joined
    by ConditionalOperator (AND by default).
    """
    use = legacy_use(op)
    if use is None or use.mixed:
        raise Unfixable("no legacy parameter, or mixed with expression parameters")
    allowed = _REWRITTEN.get(op.name)
    if allowed is None or op.orm is not None or op.partiql is not None or op.in_transaction:
        raise Unfixable("not a PutItem, UpdateItem or DeleteItem call")
    if not set(use.legacy) <= allowed:
        raise Unfixable("a legacy parameter the fix does not rewrite")
    if "ConditionalOperator" in use.legacy and "Expected" not in use.legacy:
        raise Unfixable("ConditionalOperator without Expected")
    if NAMES in op.params or VALUES in op.params or not op.complete or expressions(op).hidden_changes:
        raise Unfixable("the request may carry more than we see")
    patch = Patch(module, op)
    call = patch.container
    if not isinstance(call, cst.Call) or any(a.star for a in call.args):
        raise Unfixable("not a call with keyword arguments only")
    args = {}
    for name in use.legacy:
        found = [a for a in call.args if a.keyword is not None and a.keyword.value == name]
        if len(found) != 1 or found[0].value is not op.param_node(name):
            raise Unfixable(f"{name} is not written in the call")
        args[name] = found[0]

    builder = _Builder(patch, op)
    quote = '"'
    ordered = [a for a in call.args if a.keyword is not None and a.keyword.value in ("AttributeUpdates", "Expected")]
    for arg in ordered:  # in the call's order, so that the values keep their order of evaluation
        entries = _entries(arg.value)
        if not entries:
            raise Unfixable(f"{arg.keyword.value} is empty")
        quote = _quote(arg.value, quote)
        if arg.keyword.value == "AttributeUpdates":
            builder.updates(entries)
        else:
            joiner = "AND"
            if "ConditionalOperator" in args:
                joiner = string_key(args["ConditionalOperator"].value)
                if joiner not in ("AND", "OR"):
                    raise Unfixable("ConditionalOperator is not AND or OR")
            builder.conditions(entries, joiner)
    builder.check_order(call, {id(a) for a in args.values()})

    if "AttributeUpdates" in args:
        patch.replace(args["AttributeUpdates"], args["AttributeUpdates"].with_changes(
            keyword=cst.Name("UpdateExpression"), value=string(builder.update_expression(), quote)))
    if "Expected" in args:
        patch.replace(args["Expected"], args["Expected"].with_changes(
            keyword=cst.Name("ConditionExpression"), value=string(builder.condition_expression(), quote)))
    if "ConditionalOperator" in args:
        patch.remove_param("ConditionalOperator")
    # neither map is passed (checked above): each is a new dict literal, in the quotes of the legacy dicts
    patch.add_param(NAMES, dict_literal([(placeholder, string(attribute, quote))
                                         for attribute, placeholder in builder.names.items()], quote))
    if builder.values:  # DynamoDB rejects an empty ExpressionAttributeValues
        patch.add_param(VALUES, dict_literal(builder.values, quote))
    rewritten = [name for name in ("AttributeUpdates", "Expected") if name in args]
    replacements = [replacement for name, replacement in (("AttributeUpdates", "UpdateExpression"),
                                                          ("Expected", "ConditionExpression")) if name in args]
    title = f"Rewrite {' and '.join(f'`{n}`' for n in rewritten)} as {' and '.join(f'`{n}`' for n in replacements)}"
    # Comments inside the rewritten dicts (or the ConditionalOperator removed) are not kept: then
    # the fix is offered as unsafe, as Ruff does with fixes that delete comments.
    dropped = [arg.value for arg in args.values()]
    if "ConditionalOperator" in args:
        dropped.append(args["ConditionalOperator"])  # with the comment at the end of its line
    applicability = "unsafe" if any(_has_comment(node) for node in dropped) else "safe"
    return title, applicability, patch.edits()


class _Comments(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Comment(self, node) -> None:
        self.found = True


def _has_comment(node) -> bool:
    visitor = _Comments()
    node.visit(visitor)
    return visitor.found


def _entries(node):
    """[(key, value node)] of a dict literal whose keys are all distinct string literals."""
    if not isinstance(node, cst.Dict):
        raise Unfixable("not a dict literal")
    entries, seen = [], set()
    for element in node.elements:
        key = string_key(element.key) if isinstance(element, cst.DictElement) else None
        if not key or key in seen:
            raise Unfixable("a key that is not a distinct string literal")
        seen.add(key)
        entries.append((key, element.value))
    return entries


def _quote(node, default: str) -> str:
    for element in getattr(node, "elements", ()):
        key = getattr(element, "key", None)
        if isinstance(key, cst.SimpleString) and key.quote in ('"', "'"):
            return key.quote
    return default


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


def _has_effects(node) -> bool:
    """Whether evaluating the expression may do more than compute a value (a call of something
    not known to be a plain constructor, await, yield, an assignment expression)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Await, cst.Yield, cst.NamedExpr)):
            return True
        if isinstance(current, cst.Call) and _dotted(current.func) not in _PURE_CALLS:
            return True
        if isinstance(current, cst.Lambda):
            continue  # its body runs later, if ever
        stack.extend(children(current))
    return False


class _Compound(str):
    """A condition term made of two joined by AND: parenthesised when the terms are joined by OR."""


class _Builder:
    """The expressions, placeholders and values of one rewrite."""

    def __init__(self, patch, op: Operation) -> None:
        self.patch = patch
        self.op = op
        self.names = {}  # attribute -> #placeholder
        self.values = []  # [(:placeholder, value node)] in evaluation order
        self.clauses = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
        self.terms = []
        self.joiner = "AND"

    # -- placeholders
    def name(self, attribute: str) -> str:
        if attribute not in self.names:
            self.names[attribute] = self.patch.fresh(["#" + attribute])
        return self.names[attribute]

    def value(self, node, candidate: str) -> str:
        placeholder = self.patch.fresh([":" + candidate])
        self.values.append((placeholder, node))
        return placeholder

    def kind(self, node) -> str:
        """number | set | list | other | unknown: the DynamoDB type the value will have."""
        try:
            typed = typed_values(self.op)
        except Unfixable:
            return "unknown"
        if typed:
            if isinstance(node, cst.Dict) and len(node.elements) == 1 and isinstance(node.elements[0], cst.DictElement):
                tag = string_key(node.elements[0].key)
                return {"N": "number", "NS": "set", "SS": "set", "BS": "set", "L": "list"}.get(tag, "other")
            return "unknown"
        inner = node.expression if isinstance(node, cst.UnaryOperation) and \
            isinstance(node.operator, (cst.Minus, cst.Plus)) else node
        if isinstance(inner, (cst.Integer, cst.Float)) or (
                isinstance(node, cst.Call) and _dotted(node.func) in ("Decimal", "decimal.Decimal")):
            return "number"
        if isinstance(node, (cst.Set, cst.SetComp)) or \
                (isinstance(node, cst.Call) and _dotted(node.func) in ("set", "frozenset")):
            return "set"
        if isinstance(node, (cst.List, cst.ListComp)):
            return "list"
        return "unknown"

    # -- AttributeUpdates
    def updates(self, entries) -> None:
        for attribute, spec in entries:
            fields = dict(_entries(spec))
            if not set(fields) <= {"Action", "Value"}:
                raise Unfixable("an AttributeUpdates entry with other keys")
            action = string_key(fields["Action"]) if "Action" in fields else "PUT"
            value = fields.get("Value")
            name = self.name(attribute)
            if action == "PUT" and value is not None:
                self.clauses["SET"].append(f"{name} = {self.value(value, attribute)}")
            elif action == "ADD" and value is not None and self.kind(value) in ("number", "set"):
                self.clauses["ADD"].append(f"{name} {self.value(value, attribute)}")
            elif action == "DELETE" and value is None:
                self.clauses["REMOVE"].append(name)
            elif action == "DELETE" and self.kind(value) == "set":
                self.clauses["DELETE"].append(f"{name} {self.value(value, attribute)}")
            else:
                raise Unfixable(f"AttributeUpdates action {action!r} on {attribute!r} has no exact expression")

    def update_expression(self) -> str:
        return " ".join(f"{clause} {', '.join(actions)}" for clause, actions in self.clauses.items() if actions)

    # -- Expected
    def conditions(self, entries, joiner: str) -> None:
        self.joiner = joiner
        for attribute, spec in entries:
            fields = dict(_entries(spec))
            if not set(fields) <= {"Value", "Exists", "ComparisonOperator", "AttributeValueList"}:
                raise Unfixable("an Expected entry with other keys")
            name = self.name(attribute)
            if "ComparisonOperator" in fields:
                if "Value" in fields or "Exists" in fields:
                    raise Rejected(f"`{attribute}` has both `ComparisonOperator` and `{'Value' if 'Value' in fields else 'Exists'}`")
                self.terms.append(self._comparison(attribute, name, string_key(fields["ComparisonOperator"]),
                                                   fields.get("AttributeValueList")))
                continue
            if "AttributeValueList" in fields:
                raise Unfixable("AttributeValueList without ComparisonOperator")
            exists = fields.get("Exists")
            if exists is not None and not (isinstance(exists, cst.Name) and exists.value in ("True", "False")):
                raise Unfixable("Exists is not a literal")
            if exists is not None and exists.value == "False":
                if "Value" in fields:
                    raise Rejected(f"`{attribute}` has `Exists: False` and a `Value`")
                self.terms.append(f"attribute_not_exists({name})")
            elif "Value" in fields:
                self.terms.append(f"{name} = {self.value(fields['Value'], 'expected_' + attribute)}")
            else:
                raise Rejected(f"`{attribute}` has `Exists: True` without a `Value`")

    def _comparison(self, attribute: str, name: str, operator, values) -> str:
        if operator not in _ARITY:
            raise Unfixable("an unknown ComparisonOperator")
        if values is None:
            items = []
        elif isinstance(values, (cst.List, cst.Tuple)) and all(isinstance(e, cst.Element) for e in values.elements):
            items = [e.value for e in values.elements]
        else:
            raise Unfixable("AttributeValueList is not a list literal")
        arity = _ARITY[operator]
        if (arity is None and not 1 <= len(items) <= _MAX_IN) or (arity is not None and len(items) != arity):
            raise Rejected(f"`{attribute}` has `{operator}` with {len(items)} value{'s' if len(items) != 1 else ''} in `AttributeValueList`")
        if operator == "NULL":
            return f"attribute_not_exists({name})"
        if operator == "NOT_NULL":
            return f"attribute_exists({name})"
        if operator in _COMPARISONS:
            return f"{name} {_COMPARISONS[operator]} {self.value(items[0], 'expected_' + attribute)}"
        if operator == "BETWEEN":
            low = self.value(items[0], attribute + "_low")
            high = self.value(items[1], attribute + "_high")
            return f"{name} BETWEEN {low} AND {high}"
        if operator == "IN":
            return f"{name} IN ({', '.join(self.value(item, f'{attribute}_{n}') for n, item in enumerate(items, 1))})"
        operand = self.value(items[0], "expected_" + attribute)
        if operator == "BEGINS_WITH":
            return f"begins_with({name}, {operand})"
        if operator == "CONTAINS":
            return f"contains({name}, {operand})"
        # NOT_CONTAINS: false on a missing attribute, unlike `NOT contains(...)`
        return _Compound(f"attribute_exists({name}) AND NOT contains({name}, {operand})")

    def condition_expression(self) -> str:
        terms = self.terms
        if self.joiner == "OR" and len(terms) > 1:
            terms = [f"({t})" if isinstance(t, _Compound) else t for t in terms]
        return f" {self.joiner} ".join(terms)

    def check_order(self, call: cst.Call, moved_args) -> None:
        """The values move from the legacy parameters to ExpressionAttributeValues, after every other
        argument: refuse when that may change what the call computes (a value with side effects
        while another argument has some too)."""
        if not any(_has_effects(node) for _, node in self.values):
            return
        others = [a.value for a in call.args if id(a) not in moved_args]
        if any(_has_effects(node) for node in others):
            raise Unfixable("values with side effects would be evaluated in another order")
