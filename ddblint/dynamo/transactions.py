"""Which transaction an operation is a part of.

A boto3 `transact_write_items`/`transact_get_items`/`execute_transaction` call is one transaction:
its parts are the call's operations. A PynamoDB `TransactWrite`/`TransactGet` context is one
transaction made of several calls (`t.save(a)`, `t.update(b)`): they belong together when their
receiver is the same binding of the same name (`with TransactWrite(...) as t:`).
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from ddblint.dynamo.calls import Operation
from ddblint.dynamo.scope import Binding, CallSite


def transaction_of(op: Operation) -> Optional[object]:
    """An object identifying the transaction `op` is a part of (compare with `is`/`==`), or None
    when the operation is not part of a transaction."""
    if not op.in_transaction:
        return None
    if op.orm is None:
        return op.call
    receiver = op.call.node.func.value
    if isinstance(receiver, cst.Name):
        binding = _binding_at(op.call.site, receiver.value)
        if binding is not None:
            return binding
    return op.call  # a receiver we cannot name: the call stands alone


def _binding_at(site: CallSite, name: str) -> Optional[Binding]:
    """The last binding of `name` made before the call, in the innermost scope that binds it."""
    scope, own = site.scope, True
    while scope is not None:
        if not own and scope.kind == "class":
            scope = scope.parent  # a class body is not an enclosing scope for its methods
            continue
        bindings = scope.bindings.get(name)
        if bindings:
            if not own:  # bound in an enclosing scope: which binding the call sees is not ours to tell
                return bindings[0] if len(bindings) == 1 else None
            earlier = [b for b in bindings if b.order < site.order]
            return earlier[-1] if earlier else None
        scope, own = scope.parent, False
    return None
