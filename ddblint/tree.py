"""Fast, read-only traversal of LibCST trees.

LibCST's visitors (and `node.children`) rebuild every node's child list through its
transformer machinery; for reading only, walking the dataclass fields directly is several times
faster. Whitespace, punctuation and operator tokens are skipped: nothing in ddblint reads them
through a traversal. So are the fields declared to hold no node (a name's text, an argument's
star), and a leaf (`is_leaf`: a name, a string, a number) has no fields left to read.
"""
from __future__ import annotations

import dataclasses
import typing
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
                      if f.name not in _SKIPPED and not f.name.startswith("whitespace") and not _holds_no_node(f.type))
        _FIELDS[kind] = names
    return names


# A field declared to hold only text, flags or nothing (`Name.value: str`, `Arg.star: Literal[...]`)
# is never read: a third of a module's nodes are names, strings and numbers, and a walk then asks
# them nothing. An annotation naming anything else (a node class, a forward reference, or a
# string, when annotations are not evaluated) is read as before.
_NO_NODE = (str, bool, type(None))


def _holds_no_node(annotation) -> bool:
    if typing.get_origin(annotation) is typing.Literal:
        return True
    if typing.get_origin(annotation) is typing.Union:
        return all(_holds_no_node(member) for member in typing.get_args(annotation))
    # (LibCST's MaybeSentinel is looked up here, on a walk, not at import: ddblint/lazy.py)
    return annotation in _NO_NODE or annotation is cst.MaybeSentinel


# LibCST's node classes are ABCs: `isinstance(x, cst.CSTNode)` takes ABCMeta's slow path, and
# a walk asks it millions of times. A dict keyed by the exact type answers the same question.
_IS_NODE: Dict[type, bool] = {}


def is_node(value) -> bool:
    kind = type(value)
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def is_leaf(kind: type) -> bool:
    """Whether nodes of this type have no children to walk (`Name`, `SimpleString`, `Pass`, ...)."""
    return not _fields(kind)


def children(node: cst.CSTNode) -> List[cst.CSTNode]:
    found = []
    names = _FIELDS.get(type(node))
    for name in names if names is not None else _fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is list or kind is tuple:
            for item in value:
                if is_node(item):
                    found.append(item)
        elif is_node(value):
            found.append(value)
    return found


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below `node` (itself included), parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        below = children(current)
        if below:  # a third of the nodes are leaves
            below.reverse()
            stack += below
