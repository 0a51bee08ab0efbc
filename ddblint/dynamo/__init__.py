"""The DynamoDB model of one module, shared by every rule, and the only part of ddblint rules use.

`DynamoModel(module, path, settings)` answers the questions rules ask, as methods: which calls
are DynamoDB operations (`calls`, `operations`), the table and its registry facts (`facts`), the
region a call runs in (`DynamoCall.region`), whether a write is version-guarded (`guard`), what
its condition and update say (`condition`, `written_attributes`, `checked_version`, ...), its
expressions and placeholder maps (`expressions`), whether a write's values come from an earlier
read of the same table (`is_read_modify_write`, `read_item`), whether a failed condition is
handled (`handled`), and what the module's PynamoDB models and condition builders are.

The package also exports (`__all__`) the values and facts rules compare against (`ABSENT`,
`UNKNOWN`, the operation-name sets, `triggers`), the service-model queries, and the
request-editing helpers fixes are built from (`Patch`, `Unfixable`, ...). A rule imports
these names from `ddblint.dynamo`, never from its submodules (tests/test_rule_imports.py).

Each name is imported from its submodule on first use (PEP 562's module `__getattr__`): the
model's modules take about a tenth of a second to import, which a run that models nothing (a
warm run, a pre-commit run on files without DynamoDB calls) need not pay. So a rule imports by
name only what its class body needs (`triggers`, the operation-name sets, the parameter names)
and reaches the rest as `dynamo.X` (`from ddblint import dynamo`) where it uses it.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# name -> (submodule, its name there)
_EXPORTS = {
    # the model and what it hands out
    "DynamoModel": ("model", "DynamoModel"), "DynamoCall": ("calls", "DynamoCall"),
    "Operation": ("calls", "Operation"), "ABSENT": ("calls", "ABSENT"), "UNKNOWN": ("values", "UNKNOWN"),
    "DictValue": ("values", "DictValue"), "BuilderAttr": ("values", "BuilderAttr"),
    "PYNAMODB_ORM": ("operations", "PYNAMODB_ORM"),  # `Operation.orm` of an operation a PynamoDB method performs
    # facts about operations and requests
    "CLIENT_OPERATIONS": ("operations", "CLIENT_OPERATIONS"), "DATA_OPERATIONS": ("operations", "DATA_OPERATIONS"),
    "RESOURCE_OPERATIONS": ("operations", "RESOURCE_OPERATIONS"),
    "TABLE_OPERATIONS": ("operations", "TABLE_OPERATIONS"), "WRITE_OPERATIONS": ("operations", "WRITE_OPERATIONS"),
    "triggers": ("operations", "triggers"), "EXPRESSION_TRIGGERS": ("operations", "EXPRESSION_TRIGGERS"),
    "NAMES": ("operations", "NAMES"), "VALUES": ("operations", "VALUES"),
    "CONDITIONAL_CHECK_FAILED": ("operations", "CONDITIONAL_CHECK_FAILED"),
    "TRANSACTION_CANCELED": ("operations", "TRANSACTION_CANCELED"),
    "REPLICATED_WRITE_CONFLICT": ("operations", "REPLICATED_WRITE_CONFLICT"),
    "is_reserved": ("reserved", "is_reserved"), "bare_names": ("reserved", "bare_names"),
    "KeyLocator": ("locations", "KeyLocator"),
    # botocore's service model
    "service_model_available": ("service_model", "available"),
    "botocore_version": ("service_model", "botocore_version"), "format_path": ("service_model", "format_path"),
    "validate_request": ("service_model", "validate"),
    # request edits (fixes)
    "Patch": ("edits", "Patch"), "Unfixable": ("operations", "Unfixable"), "string": ("edits", "string"),
    "string_key": ("edits", "string_key"), "splice": ("edits", "splice"), "dict_literal": ("edits", "dict_literal"),
    "without_element": ("edits", "without_element"), "literal_entries": ("edits", "literal_entries"),
    "typed_values": ("edits", "typed_values"), "number": ("edits", "number"),
    "parse_expression": ("edits", "parse_expression"), "has_comment": ("edits", "has_comment"),
    "may_have_effects": ("edits", "may_have_effects"),
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{where[0]}"), where[1])
    globals()[name] = value  # once: the next look-up finds it without this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from ddblint.dynamo.calls import ABSENT, DynamoCall, Operation
    from ddblint.dynamo.edits import (
        Patch, dict_literal, has_comment, literal_entries, may_have_effects, number, parse_expression,
        splice, string, string_key, typed_values, without_element,
    )
    from ddblint.dynamo.locations import KeyLocator
    from ddblint.dynamo.model import DynamoModel
    from ddblint.dynamo.operations import (
        CLIENT_OPERATIONS, CONDITIONAL_CHECK_FAILED, DATA_OPERATIONS, EXPRESSION_TRIGGERS, NAMES, PYNAMODB_ORM,
        REPLICATED_WRITE_CONFLICT, RESOURCE_OPERATIONS, TABLE_OPERATIONS, TRANSACTION_CANCELED, VALUES,
        WRITE_OPERATIONS, Unfixable, triggers,
    )
    from ddblint.dynamo.reserved import bare_names, is_reserved
    from ddblint.dynamo.service_model import (
        available as service_model_available, botocore_version, format_path, validate as validate_request,
    )
    from ddblint.dynamo.values import UNKNOWN, BuilderAttr, DictValue
