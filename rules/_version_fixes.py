"""The version-guard fixes DDB101, DDB103 and DDB104 share: check the version the function read,
bump the version in the update. What they change is decided here; the edits themselves are the
request edits of `ddblint.dynamo` (`Patch`)."""
from __future__ import annotations

from typing import Optional

from ddblint import dynamo
from ddblint.dynamo import NAMES, VALUES

_CONDITIONS_ATTR = "boto3.dynamodb.conditions.Attr"


def version_name(patch: dynamo.Patch, version: str) -> str:
    """The `#name` placeholder for the version attribute: the one ExpressionAttributeNames already
    maps to it, or a new one added to it."""
    placeholder, new = patch.name_placeholder(version, ["#v", "#version", "#ddb_v"])
    if new:
        patch.merge_map(NAMES, [(placeholder, dynamo.string(version, patch.quote()))])
    return placeholder


def add_version_bump(model, patch: dynamo.Patch, version: str, v: str, exists: Optional[bool] = None) -> None:
    """SET the version (`v`, its name placeholder) to itself plus one in the UpdateExpression,
    from zero when the condition does not make sure the item has it."""
    written = model.written_attributes(patch.op)
    if not isinstance(written, frozenset) or version in written:
        raise dynamo.Unfixable("the update already writes the version, or cannot be read")
    one, new_one = patch.value_placeholder(dynamo.number(patch.op, 1), [":one", ":ddb_one"])
    values = [(one, dynamo.parse_expression(dynamo.number(patch.op, 1)))] if new_one else []
    if exists is None:
        exists = model.always_compared(patch.op, version)
    if exists:
        action = f"{v} = {v} + {one}"
    else:
        zero, new_zero = patch.value_placeholder(dynamo.number(patch.op, 0), [":zero", ":ddb_zero"])
        if new_zero:
            values.append((zero, dynamo.parse_expression(dynamo.number(patch.op, 0))))
        action = f"{v} = if_not_exists({v}, {zero}) + {one}"
    patch.add_update_action("SET", action)
    patch.merge_map(VALUES, values)


def add_version_check(model, patch: dynamo.Patch, version: str, expected: str) -> Optional[str]:
    """AND `#v = :expected` onto the condition (`Attr("version").eq(expected)` onto a builder),
    `expected` being the code of the version the function read. Returns the name placeholder it
    used (None with a builder, which names the attribute itself)."""
    if patch.condition_is_builder():
        attr = model.import_name(_CONDITIONS_ATTR)
        if attr is None:
            raise dynamo.Unfixable("the condition is a builder and Attr is not imported")
        quote = patch.quote()
        patch.and_condition("", dynamo.parse_expression(f"{attr}({dynamo.string(version, quote).value}).eq({expected})"))
        return None
    v, new_name = patch.name_placeholder(version, ["#v", "#version", "#ddb_v"])
    e, new_value = patch.value_placeholder(expected, [":expected", ":expected_version", ":ddb_expected"])
    patch.and_condition(f"{v} = {e}")
    if new_name:
        patch.merge_map(NAMES, [(v, dynamo.string(version, patch.quote()))])
    if new_value:
        patch.merge_map(VALUES, [(e, dynamo.parse_expression(expected))])
    return v


def read_modify_write_guard(module, model, op, version: str, *, check: bool, bump: bool):
    """The edits that guard a read-modify-write with the version the function read: AND
    `#v = :expected` (`:expected` = `item["version"]`) onto the condition when `check`, SET
    `#v = #v + :one` when `bump`. Returns (edits, the read item)."""
    item = model.read_item(op, version)
    if item is None:
        raise dynamo.Unfixable("no single item read earlier in the function holds the expected version")
    if dynamo.typed_values(op) != dynamo.typed_values(item.read):
        raise dynamo.Unfixable("the read and the write do not use the same kind of values")
    expected = f'{item.expression}["{version}"]'
    patch = dynamo.Patch(module, op)
    v = add_version_check(model, patch, version, expected) if check else None
    if bump:
        add_version_bump(model, patch, version, v or version_name(patch, version), exists=True)
    return patch.edits(), item
