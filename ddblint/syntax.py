"""Small questions about LibCST expressions that several layers ask (the DynamoDB model, the
CDK reader). Imports nothing of ddblint.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """`a.b.c` for a name or a chain of attributes on a name; None for anything else
    (`f().b`, `x[0].b`)."""
    parts = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is not cst.Name:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def imported_name(base: str, name: str) -> str:
    """The qualified name `from BASE import NAME` binds: `a.b.c` for `from a.b import c`, and
    `.db` for `from . import db` (not `..db`)."""
    return f"{base}{name}" if base.endswith(".") else f"{base}.{name}"
