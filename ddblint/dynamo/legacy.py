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

from ddblint.dynamo.calls import Operation

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
