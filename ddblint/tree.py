"""Fast, read-only traversal of LibCST trees.

LibCST's visitors (and `node.children`) rebuild every node's child list through its
transformer machinery; for reading only, walking the dataclass fields directly is several times
faster. Whitespace, punctuation and operator tokens are skipped: nothing in ddblint reads them
through a traversal.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, Iterator, List, Tuple

import libcst as cst

_SKIPPED = frozenset({
    "lpar", "rpar", "comma", "leading_lines", "lines_after_decorators", "header", "footer",
    "semicolon", "trailing_whitespace", "newline", "equal", "colon", "dot", "operator",
    "asynchronous", "whitespace", "default_indent", "default_newline", "encoding",
})
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _fields(kind: type) -> Tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(kind)
                      if f.name not in _SKIPPED and not f.name.startswith("whitespace"))
        _FIELDS[kind] = names
    return names


# LibCST's node classes are ABCs: `isinstance(x, cst.CSTNode)` takes ABCMeta's slow path, and
# a walk asks it millions of times. A dict keyed by the exact type answers the same question.
_IS_NODE: Dict[type, bool] = {}


def is_node(value) -> bool:
    kind = type(value)
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> List[cst.CSTNode]:
    found = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is list or kind is tuple:
            found.extend(v for v in value if is_node(v))
        elif is_node(value):
            found.append(value)
    return found


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below `node` (itself included), parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
