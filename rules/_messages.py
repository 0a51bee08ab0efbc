"""Wording shared by the lost-write rules, so every message names the same facts the same way."""
from __future__ import annotations


_PARTIQL_APIS = {"execute_statement": "ExecuteStatement", "batch_execute_statement": "BatchExecuteStatement",
                 "execute_transaction": "ExecuteTransaction"}


def subject(op, facts) -> str:
    """`UpdateItem on `subscribers` from us-east-1` — what, on which table, from where."""
    kind = f"TransactWriteItems {op.name.replace('Item', '')} entry" if op.in_transaction else op.name
    if getattr(op, "partiql", None) is not None:  # `ExecuteStatement UPDATE on ...`
        kind = f"{_PARTIQL_APIS.get(op.call.method, 'PartiQL')} {op.partiql.kind}"
    text = kind + (f" on `{facts.label}`" if facts.label else "")
    if op.call.region:
        text += f" from {op.call.region}"
    return text


def unguarded_write(op, facts, guard, read_modify_write: bool) -> str:
    version = facts.version_attributes[0]
    what = subject(op, facts)
    if read_modify_write:
        problem = (f"{what} writes values read earlier in this function without a version condition: "
                   f"a write made between the read and this update is silently overwritten")
    elif guard.has_condition:
        problem = (f"{what} has a condition, but not one that checks `{version}` in every case: "
                   f"a concurrent write from another region can silently discard it")
    else:
        problem = f"{what} has no version condition: a concurrent write from another region can silently discard it"
    if op.name == "PutItem":
        key = getattr(facts.config, "partition_key", None) or "pk"
        advice = (f"Add `ConditionExpression=\"attribute_not_exists({key})\"` for a create, or "
                  f"`\"#v = :expected\"` with `{version}` incremented in the Item for a replace.")
    else:
        advice = (f"Add `ConditionExpression=\"#v = :expected\"` (with `#v` = `{version}`) "
                  f"and bump `{version}` in the same update.")
    return f"{problem}. {advice}"


def version_check_advice(op, version: str) -> str:
    """How to add the missing version check: to the ConditionExpression, or to a PartiQL WHERE."""
    if getattr(op, "partiql", None) is not None:
        return f"Add `AND \"{version}\" = ?` to the WHERE, with the version you read."
    return "Add `ConditionExpression=\"#v = :expected\"` with the version you read."
