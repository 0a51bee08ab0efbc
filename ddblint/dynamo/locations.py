"""Where a parameter is written: the key of `Key=...`, `"Key": ...` or `params["Key"] = ...`.

Resolved values (`values.Arg`) remember the expression they came from; a finding about the
parameter's *name* (a typo, a legacy parameter) should point at the name instead. One walk of
the module maps each value expression to the key written next to it; build it only when a rule
has something to report.
"""
from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from ddblint.tree import walk


class KeyLocator:
    def __init__(self, module: cst.Module) -> None:
        self._keys: Dict[int, cst.CSTNode] = {}
        for node in walk(module):
            kind = type(node)  # not isinstance: LibCST's classes are ABCs, slow to ask of every node
            if kind is cst.Arg and node.keyword is not None:
                self._keys[id(node.value)] = node.keyword
            elif kind is cst.DictElement:
                self._keys[id(node.value)] = node.key
            elif kind is cst.Assign:
                for target in node.targets:
                    subscript = target.target
                    if isinstance(subscript, cst.Subscript) and len(subscript.slice) == 1 \
                            and isinstance(subscript.slice[0].slice, cst.Index):
                        self._keys[id(node.value)] = subscript.slice[0].slice.value

    def key(self, value_node: Optional[cst.CSTNode]) -> Optional[cst.CSTNode]:
        """The key written for this value, or None when it is not written next to it."""
        if value_node is None:
            return None
        return self._keys.get(id(value_node))

    def locate(self, value_node: Optional[cst.CSTNode], fallback: cst.CSTNode) -> cst.CSTNode:
        """The key if there is one, else the value, else `fallback` (the call)."""
        return self.key(value_node) or value_node or fallback
