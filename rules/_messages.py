"""Wording shared by the lost-write rules, so every message names the same facts the same way."""
from __future__ import annotations


_PARTIQL_APIS = {"execute_statement": "ExecuteStatement", "batch_execute_statement": "BatchExecuteStatement",
                 "execute_transaction": "ExecuteTransaction"}


def subject(op, facts) -> str:
    """`UpdateItem on `subscribers` from us-east-1` — what, on which table, from where."""
    kind = f"TransactWriteItems {op.name.replace('Item', '')} entry" if op.in_transaction else op.name
    if getattr(op, "partiql", None) is not None:  # `ExecuteStatement UPDATE on ...`
        kind = f"{_PARTIQL_APIS.get(op.call.method, 'PartiQL')} {op.partiql.kind}"
    if getattr(op, "orm", None) is not None:  # `PynamoDB `Subscriber.save()` (PutItem) on ...`
        kind = f"PynamoDB {pynamodb_call(op)} ({kind})"
    text = kind + (f" on `{facts.label}`" if facts.label else "")
    if op.call.region:
        text += f" from {op.call.region}"
    through = getattr(op, "through", None)
    if through is not None:  # `PutItem on `t` made by `Repo.save()` (repo.py:12) for this call`
        where = f"{through.path.name}:{through.line}" if through.path is not None else f"line {through.line}"
        text += f" made by `{through.helper}()` ({where}) for this call"
    return text


def unguarded_write(op, facts, guard, read_modify_write: bool, key=None, inferred=None) -> str:
    """The lost-write message; `key`: the table's partition key when known (for a put's advice),
    `inferred`: the table's name when only the shape of a Key said which table it is."""
    version = facts.version_attributes[0]
    what = subject(op, facts)
    if read_modify_write:
        problem = (f"{what} writes values read earlier in this function without a version condition: "
                   f"a write made between the read and this update is silently overwritten")
    elif guard.has_condition and getattr(op, "orm", None) is not None:
        problem = (f"{what} has a condition, but not one that guards it in every case (a version check, "
                   f"a create, a compare-and-set on what it writes): a concurrent write from another region "
                   f"can silently discard it")
    elif guard.has_condition:
        problem = (f"{what} has a condition, but not one that checks `{version}` in every case: "
                   f"a concurrent write from another region can silently discard it")
    else:
        problem = (f"{what} has no version condition{when(guard)}: a concurrent write from another region "
                   f"can silently discard it")
    if getattr(op, "orm", None) is not None:
        advice = pynamodb_advice(op)
    elif op.name == "PutItem":
        key = key or getattr(facts.config, "partition_key", None) or "pk"
        advice = (f"Add `ConditionExpression=\"attribute_not_exists({key})\"` for a create, or "
                  f"`\"#v = :expected\"` with `{version}` incremented in the Item for a replace.")
        if inferred:
            advice += f" (`{key}` is the partition key of `{inferred}`, the table inferred from its key schema.)"
    else:
        advice = (f"Add `ConditionExpression=\"#v = :expected\"` (with `#v` = `{version}`) "
                  f"and bump `{version}` in the same update.")
    return f"{problem}. {advice}"


def when(guard) -> str:
    """" when `overwrite` is true": what selects the path that leaves the condition out, if only one does."""
    selector = guard.selector
    return f" when {selector}" if selector else ""


def version_check_advice(op, version: str) -> str:
    """How to add the missing version check: to the ConditionExpression, or to a PartiQL WHERE."""
    if getattr(op, "partiql", None) is not None:
        return f"Add `AND \"{version}\" = ?` to the WHERE, with the version you read."
    return "Add `ConditionExpression=\"#v = :expected\"` with the version you read."


def pynamodb_call(op) -> str:
    """`Subscriber.save()`, or `TransactWrite.update(Subscriber)` for a transaction's entry."""
    model = getattr(op, "model", None)
    name = model.name if model is not None else "the model"
    if op.in_transaction:
        return f"`TransactWrite.{op.method}({name})`"
    return f"`{name}.{op.method}()`"


def pynamodb_advice(op) -> str:
    """How to guard a PynamoDB write: the model's VersionAttribute, or a condition of its own."""
    model = getattr(op, "model", None)
    name = model.name if model is not None else "Model"
    key = model.hash_key if model is not None and model.hash_key else "<hash key>"
    if model is not None and model.version is not None:
        return "Keep PynamoDB's version condition (do not pass `add_version_condition=False`)."
    version = (f"Add `version = VersionAttribute()` to `{name}` (PynamoDB then conditions every save, "
               f"update and delete on the version it read)")
    if op.name == "PutItem":
        return f"{version}, or pass `condition={name}.{key}.does_not_exist()` for a create."
    return f"{version}, or pass a `condition=` that compares the version you read."
