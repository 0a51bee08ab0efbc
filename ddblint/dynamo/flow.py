"""Data flow inside one function: does a written value come from an earlier read?

Used for read-modify-write detection (SPEC §5, DDB101 on single-region and MRSC tables) and,
later, by fixes that need the version the earlier read returned.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional, Set, Tuple

import libcst as cst

from ddblint.dynamo.calls import ABSENT, Operation
from ddblint.dynamo.operations import READ_OPERATIONS
from ddblint.dynamo.values import DictValue, EnvVar, Template, string_value

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


# --- the item a read-modify-write read (for fixes that need the version it holds) -------------

@dataclass(frozen=True)
class ReadItem:
    """Where a write's function holds the item it read: `expression` is the code that evaluates to
    that item at the write (`item`, `resp["Item"]`), `read` the operation that read it."""

    expression: str
    read: Operation
    name: str  # the variable the expression starts from


_SINGLE_READS = ("GetItem",)
_MANY_READS = ("Query", "Scan")


def read_item(op: Operation, operations: Iterable[Operation], function_scope,
              version: str) -> Optional[ReadItem]:
    """The item an earlier read in the same function returned, which the write `op` writes back,
    or None when there is not exactly one such item we can name.

    Recognised: a name bound once to `X.get_item(...)["Item"]` (or `.get("Item")`), `resp["Item"]`
    of `resp = X.get_item(...)`, and the loop variable of `for item in X.query(...)["Items"]`
    (also through a name bound once to the call or to its `["Items"]`). The read must be of the
    same table, earlier in the function, not projected, its variable bound before the write on
    every path and never rebound, and `version` not changed in it in between. The write must name
    the same item: its Key is written as the read's Key, or from the item's own key attributes."""
    if function_scope is None:
        return None
    reads = {id(r.call.node): r for r in reads_before(op, operations)
             if r.name in _SINGLE_READS + _MANY_READS and not r.in_transaction and r.partiql is None}
    if not reads:
        return None
    site = op.call.site
    bindings = function_scope.bindings

    def single(name: str):
        found = bindings.get(name, ())
        return found[0] if len(found) == 1 else None

    def call_of(node, kinds) -> Optional[Operation]:
        """The read a node is: the call itself, or a name bound once to it."""
        if isinstance(node, cst.Await):
            node = node.expression
        if isinstance(node, cst.Name):
            binding = single(node.value)
            if binding is None or binding.kind not in ("assign", "ann") or binding.value is None:
                return None
            node = binding.value
            if isinstance(node, cst.Await):
                node = node.expression
        read = reads.get(id(node)) if isinstance(node, cst.Call) else None
        return read if read is not None and read.name in kinds else None

    def member_of(node, key: str, kinds) -> Optional[Operation]:
        """`<read>["Item"]` / `<read>.get("Item")`."""
        base = None
        if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            if string_value(node.slice[0].slice.value) == key:
                base = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" \
                and len(node.args) == 1 and string_value(node.args[0].value) == key:
            base = node.func.value
        return call_of(base, kinds) if base is not None else None

    candidates: List[Tuple[ReadItem, object]] = []
    for name, found in bindings.items():
        if len(found) != 1:
            continue
        binding = found[0]
        if binding.kind in ("assign", "ann") and binding.value is not None:
            read = member_of(binding.value, "Item", _SINGLE_READS)
            if read is not None:
                candidates.append((ReadItem(name, read, name), binding))
                continue
            read = call_of(binding.value, _SINGLE_READS)
            if read is not None and not any(member_of(b[0].value, "Item", _SINGLE_READS) is read
                                            for b in bindings.values() if len(b) == 1 and b[0].value is not None):
                candidates.append((ReadItem(f'{name}["Item"]', read, name), binding))
        elif binding.kind == "for" and isinstance(binding.node, cst.For) and isinstance(binding.node.target, cst.Name):
            iterable = binding.node.iter
            read = member_of(iterable, "Items", _MANY_READS)
            if read is None and isinstance(iterable, cst.Name):
                inner = single(iterable.value)
                if inner is not None and inner.kind in ("assign", "ann") and inner.value is not None:
                    read = member_of(inner.value, "Items", _MANY_READS)
            if read is not None:
                candidates.append((ReadItem(name, read, name), binding))
    found_items = [item for item, binding in candidates
                   if _available(binding, site) and not _changed(function_scope, item.name, version, binding, site)
                   and not _projected(item.read) and _same_item(op, item, function_scope)]
    return found_items[0] if len(found_items) == 1 else None


def _available(binding, site) -> bool:
    """The variable holds the read's item wherever the write runs."""
    if binding.order >= site.order:
        return False
    if binding.kind == "for":
        return id(binding.node.body) in site.chain  # the write is in the loop's body
    return bool(binding.chain) and binding.chain[-1] in site.chain


def _changed(scope, name: str, version: str, binding, site) -> bool:
    """The version in the item may have changed between the read and the write."""
    for mutation in scope.mutations.get(name, ()):
        if not binding.order < mutation.order < site.order:
            continue
        if mutation.kind == "update":
            return True
        if mutation.kind == "setitem":
            key = string_value(mutation.key) if mutation.key is not None else None
            if key is None or key == version:
                return True
        elif isinstance(mutation.node, cst.Call) and isinstance(mutation.node.func, cst.Attribute) \
                and isinstance(mutation.node.func.value, cst.Name) and mutation.node.func.value.value == name:
            return True  # item.pop("version"), item.clear(), ...
        elif isinstance(mutation.node, (cst.Del, cst.Assign, cst.AugAssign)):
            return True  # del item[...], item["a"]["b"] = ..., an alias
    return False


def _projected(read: Operation) -> bool:
    """The read may not return every attribute (the version among them)."""
    return any(read.param(p) is not ABSENT for p in ("ProjectionExpression", "AttributesToGet", "Select"))


def _code(node) -> str:
    return "".join(cst.Module([]).code_for_node(node).split()).replace("'", '"')


def _same_item(op: Operation, item: ReadItem, scope) -> bool:
    """The write's Key names the item that was read: written as the read's Key, or built from the
    item's own key attributes (`item["pk"]`)."""
    key = op.param("Key") if op.name != "PutItem" else None
    if not isinstance(key, DictValue) or not key.complete or not key.entries:
        return False
    read_key = item.read.param("Key") if item.read.name in _SINGLE_READS else None
    if read_key is not None and (not isinstance(read_key, DictValue) or not read_key.complete
                                 or set(read_key.entries) != set(key.entries)):
        read_key = None
    holder = "".join(item.expression.split())
    for name, arg in key.entries.items():
        if arg.node is None:
            return False
        written = _code(arg.node)
        if written in (f'{holder}["{name}"]',):
            continue
        if read_key is not None and read_key.entries[name].node is not None \
                and _code(read_key.entries[name].node) == written \
                and not _rebound_between(scope, arg.node, item.read, op):
            continue
        return False
    return True


def _rebound_between(scope, node, read: Operation, write: Operation) -> bool:
    for name in names_in(node):
        for binding in scope.bindings.get(name, ()):
            if read.call.site.order < binding.order < write.call.site.order:
                return True
    return False
