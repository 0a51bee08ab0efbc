"""Data flow inside one function: does a written value come from an earlier read?

Used for read-modify-write detection (SPEC §5, DDB101 on single-region and MRSC tables) and,
later, by fixes that need the version the earlier read returned.
"""
from __future__ import annotations

from typing import Iterable, Iterator, List, Set

import libcst as cst

from ddblint.dynamo.calls import Operation
from ddblint.dynamo.operations import READ_OPERATIONS
from ddblint.dynamo.values import EnvVar, Template

# The parameters whose values a write stores.
_WRITTEN_VALUES = ("Item", "ExpressionAttributeValues", "AttributeUpdates")


def table_identity(op: Operation):
    """A key equal for two operations on the same table, or None when we cannot tell."""
    if isinstance(op.table, (str, EnvVar, Template)):
        return ("name", op.table)
    receiver = op.call.receiver
    if receiver is not None and receiver.kind in ("table", "batch_writer") and receiver.origin is not None:
        return ("receiver", id(receiver.origin))
    node = op.param_node("TableName")
    if node is not None:
        return ("code", cst.Module([]).code_for_node(node))
    return None


def names_in(node: cst.CSTNode) -> Iterator[str]:
    """Names an expression reads (not attribute names after a dot, not keyword names)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current.value
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        elif isinstance(current, cst.Arg):
            stack.append(current.value)
        else:
            stack.extend(current.children)


def _contains(node: cst.CSTNode, targets: Set[int]) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in targets:
            return True
        stack.extend(current.children)
    return False


def reads_before(op: Operation, operations: Iterable[Operation]) -> List[Operation]:
    """Reads of the same table earlier in the same function."""
    function = op.call.site.function
    identity = table_identity(op)
    if function is None or identity is None:
        return []
    return [r for r in operations
            if r.name in READ_OPERATIONS and r.call.site.function is function
            and r.call.site.order < op.call.site.order and table_identity(r) == identity]


def is_read_modify_write(op: Operation, operations: Iterable[Operation], function_scope) -> bool:
    reads = reads_before(op, operations)
    if not reads or function_scope is None:
        return False
    read_calls = {id(r.call.node) for r in reads}
    sources = []  # (name, expression it is bound from)
    for name, bindings in function_scope.bindings.items():
        for b in bindings:
            if b.kind == "for":
                sources.append((name, getattr(b.node, "iter", b.node)))  # For / CompFor
            elif b.kind in ("assign", "ann", "aug", "walrus", "with") and b.value is not None:
                sources.append((name, b.value))
    sources.extend(_mutations(function_scope.node))
    tainted: Set[str] = set()
    changed = True
    while changed:  # names bound from a read, or from names bound from a read
        changed = False
        for name, expr in sources:
            if name not in tainted and (_contains(expr, read_calls) or tainted & set(names_in(expr))):
                tainted.add(name)
                changed = True
    for key in _WRITTEN_VALUES:
        node = op.param_node(key)
        if node is not None and (_contains(node, read_calls) or tainted & set(names_in(node))):
            return True
    return False


def _mutations(function: cst.CSTNode) -> List[tuple]:
    """`x.append(v)`, `x.extend(v)`, `x.update(v)`, `x[k] = v`: x then holds what v holds."""
    found = []
    stack = list(function.children)
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue  # their own scopes
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                and isinstance(node.func.value, cst.Name) and node.args:
            found.extend((node.func.value.value, arg.value) for arg in node.args)
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Subscript) and isinstance(target.target.value, cst.Name):
                    found.append((target.target.value.value, node.value))
        stack.extend(node.children)
    return found


def same_table(a: Operation, b: Operation, facts_a, facts_b) -> bool:
    """Two operations certainly touch the same table: one registry entry, or one known name."""
    if facts_a.config is not None or facts_b.config is not None:
        return facts_a.config is facts_b.config
    return isinstance(a.table, (str, EnvVar, Template)) and a.table == b.table


def reads_after(op: Operation, operations: Iterable[Operation]) -> List[Operation]:
    """Reads later in the same function as `op` (a write)."""
    function = op.call.site.function
    if function is None:
        return []
    return [r for r in operations if r.name in READ_OPERATIONS and r.call.site.function is function
            and r.call.site.order > op.call.site.order]
