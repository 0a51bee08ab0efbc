"""An operation's condition and update, as expression trees, whatever way the code wrote them.

Conditions come as expression strings, `boto3.dynamodb.conditions` builders, or the legacy
`Expected` map; updates as UpdateExpression strings, the legacy `AttributeUpdates` map, or an
Item that a PutItem writes whole. All end up in the tree of `expressions.py`, with attribute
names resolved through ExpressionAttributeNames where those are known.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Union

from ddblint.dynamo import expressions as ex
from ddblint.dynamo.calls import ABSENT, Operation
from ddblint.dynamo.expression_params import NAMES, placeholder_map
from ddblint.dynamo.values import UNKNOWN, ConditionValue, DictValue, builder_path

# Legacy Expected ComparisonOperator -> expression comparator
_LEGACY_COMPARATORS = {"EQ": "=", "NE": "<>", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
_CONDITION_TREES = (ex.Comparison, ex.Between, ex.In, ex.Function, ex.And, ex.Or, ex.Not)


def condition(op: Operation, version_attributes=(), key_attributes=None):
    """None when the operation has no condition; UNKNOWN when it has one we cannot read; else a tree.

    A PartiQL statement's condition is its WHERE without the predicates that name the item: the
    version and key attributes tell those apart (see partiql.Statement.condition).
    """
    if op.partiql is not None:
        return op.partiql.condition(version_attributes, key_attributes)
    expression = op.param("ConditionExpression")
    expected = op.param("Expected")
    if expression is ABSENT and expected is ABSENT:
        return None
    if expression is not ABSENT and expected is not ABSENT:
        return UNKNOWN  # mixing both is a ValidationException (DDB107 reports it)
    if expression is not ABSENT:
        if isinstance(expression, str):
            try:
                return ex.parse_condition(expression)
            except ex.ExpressionError:
                return UNKNOWN  # DDB401 reports the syntax error
        if isinstance(expression, ConditionValue):
            return expression.expr
        if isinstance(expression, _CONDITION_TREES):
            return expression  # already a tree: an ORM's condition (dynamo/pynamodb.py)
        return UNKNOWN
    return _legacy_expected(expected, op.param("ConditionalOperator"))


def _legacy_expected(expected, operator):
    if not isinstance(expected, DictValue) or not expected.complete or not expected.entries:
        return UNKNOWN
    terms = []
    for name, arg in expected.entries.items():
        spec = arg.value
        if not isinstance(spec, DictValue):
            return UNKNOWN
        path = builder_path(name)
        exists = spec.entries.get("Exists")
        comparison = spec.entries.get("ComparisonOperator")
        if exists is not None and exists.value is False:
            terms.append(ex.Function("attribute_not_exists", (path,)))
        elif comparison is not None:
            code = comparison.value
            if code in _LEGACY_COMPARATORS:
                terms.append(ex.Comparison(_LEGACY_COMPARATORS[code], path, ex.Literal(UNKNOWN)))
            elif code == "NULL":
                terms.append(ex.Function("attribute_not_exists", (path,)))
            elif code == "NOT_NULL":
                terms.append(ex.Function("attribute_exists", (path,)))
            elif code == "BETWEEN":
                terms.append(ex.Between(path, ex.Literal(UNKNOWN), ex.Literal(UNKNOWN)))
            elif isinstance(code, str):
                terms.append(ex.Function(code.lower(), (path, ex.Literal(UNKNOWN))))
            else:
                return UNKNOWN
        elif "Value" in spec.entries:
            terms.append(ex.Comparison("=", path, ex.Literal(spec.entries["Value"].value)))
        else:
            return UNKNOWN
    combine = ex.Or if operator == "OR" else ex.And
    tree = terms[0]
    for term in terms[1:]:
        tree = combine(tree, term)
    return tree


def attribute_names(op: Operation) -> Optional[Dict[str, str]]:
    """ExpressionAttributeNames as a dict, {} when absent, None when not fully known."""
    names = placeholder_map(op, NAMES)
    return names.resolved() if names is not None else None


def attribute_name(path, names: Optional[Dict[str, str]]) -> Union[str, object]:
    """The top-level attribute a path names, or UNKNOWN (a placeholder we cannot resolve)."""
    if not isinstance(path, ex.Path):
        return UNKNOWN
    head = path.elements[0]
    if isinstance(head, ex.Name):
        return head.text
    if names is not None and head.text in names:
        return names[head.text]
    return UNKNOWN


def update(op: Operation):
    """The UpdateExpression tree; None when there is none; UNKNOWN when it cannot be read."""
    if op.partiql is not None:
        return op.partiql.update  # the SET and REMOVE actions of an UPDATE statement
    expression = op.param("UpdateExpression")
    if expression is ABSENT:
        return None
    if isinstance(expression, str):
        try:
            return ex.parse_update(expression)
        except ex.ExpressionError:
            return UNKNOWN
    if isinstance(expression, ex.UpdateExpression):
        return expression  # already a tree: an ORM's update actions (dynamo/pynamodb.py)
    return UNKNOWN


def written_attributes(op: Operation) -> Union[FrozenSet[str], object]:
    """The top-level attributes a write sets or removes; UNKNOWN when that cannot be told."""
    if op.partiql is not None:
        return op.partiql.written_attributes
    if op.name == "PutItem":
        item = op.param("Item")
        if isinstance(item, DictValue) and item.complete:
            return frozenset(item.entries)
        return UNKNOWN
    if op.name != "UpdateItem":
        return frozenset()
    written = set()
    legacy = op.param("AttributeUpdates")
    if isinstance(legacy, DictValue) and legacy.complete:
        written.update(legacy.entries)
    elif legacy is not ABSENT:
        return UNKNOWN
    tree = update(op)
    if tree is UNKNOWN:
        return UNKNOWN
    if tree is not None:
        names = attribute_names(op)
        for action in tree.actions:
            name = attribute_name(action.path, names)
            if name is UNKNOWN:
                return UNKNOWN
            written.add(name)
    return frozenset(written)


def set_attributes(op: Operation):
    """Attributes the update SETs or ADDs (a version bump is one of those), UNKNOWN when unreadable."""
    if op.partiql is not None:
        return op.partiql.set_attributes
    if op.name == "PutItem":
        return written_attributes(op)
    tree = update(op)
    if tree is UNKNOWN:
        return UNKNOWN
    found = set()
    legacy = op.param("AttributeUpdates")
    if isinstance(legacy, DictValue):
        for key, arg in legacy.entries.items():
            action = arg.value.entries.get("Action") if isinstance(arg.value, DictValue) else None
            if action is None or action.value in ("PUT", "ADD"):
                found.add(key)
    if tree is not None:
        names = attribute_names(op)
        for action in tree.actions:
            if action.clause in ("SET", "ADD"):
                name = attribute_name(action.path, names)
                if name is UNKNOWN:
                    return UNKNOWN
                found.add(name)
    return frozenset(found)

