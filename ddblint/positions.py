"""Source positions of the nodes a finding points at, for a tenth of PositionProvider's cost.

LibCST's PositionProvider splits every generated token with a regular expression to keep line
and column counts; on DynamoDB-heavy files that costs twice the parse. Code generation itself is
cheap, and it reproduces the source exactly, so we only count characters while generating and
turn the few offsets we need into rows and columns afterwards. The ranges are the same as
PositionProvider's (tests/test_positions.py compares them).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, List, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

from ddblint.text import LineIndex


class _OffsetState(CodegenState):
    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.stack: List[int] = []
        self.ranges: Dict[int, Tuple[int, int]] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass  # PositionProvider keeps counting it too: the module's range ends after it

    def before_codegen(self, node) -> None:
        self.stack.append(self.offset)

    def after_codegen(self, node) -> None:
        start = self.stack.pop()
        self.ranges.setdefault(id(node), (start, self.offset))  # a syntactic range wins

    @contextmanager
    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.ranges[id(start_node)][0]
            if end_node is not None:
                end = self.ranges[id(end_node)][1]
            self.ranges[id(node)] = (start, end)


class Positions:
    """`positions[node]` -> ((row, column), (row, column)), rows 1-based, columns 0-based, end exclusive."""

    def __init__(self, module: cst.Module, source: str) -> None:
        state = _OffsetState(module)
        module._codegen(state)
        self._ranges = state.ranges
        # codegen ends the last line with a newline even where the file has none
        text = source if source.endswith(("\n", "\r")) or not source else source + module.default_newline
        self._ranges[id(module)] = (0, len(text))  # (codegen adds, then pops, one more newline)
        self._lines = LineIndex(text)

    def __getitem__(self, node) -> Tuple[Tuple[int, int], Tuple[int, int]]:
        start, end = self._ranges[id(node)]
        return self._lines.point(start), self._lines.point(end)
