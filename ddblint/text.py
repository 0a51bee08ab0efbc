"""Lines of Python source as Python counts them: `\\r\\n`, `\\r` or `\\n` end a line (never a
form feed or U+2028, where `str.splitlines` would also break). Rows are 1-based everywhere in
ddblint; columns here are code points. The lowest layer: it imports nothing of ddblint.
"""
from __future__ import annotations

import bisect
import re
from typing import List, Tuple

LINE_BREAK = re.compile(r"\r\n?|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+$")


def split_lines(text: str) -> List[str]:
    """The lines of `text`, each with its line break (the last may have none)."""
    return [m.group() for m in _LINE.finditer(text)]


def line_starts(text: str) -> List[int]:
    """The offset where each line starts: [0, after the first break, ...]."""
    return [0] + [m.end() for m in LINE_BREAK.finditer(text)]


def row_column(text: str, offset: int) -> Tuple[int, int]:
    """1-based (row, column) of a character offset."""
    starts = line_starts(text[:offset])
    return len(starts), offset - starts[-1] + 1


class LineIndex:
    """Offsets to (row, 0-based column) and back, for many look-ups in one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)

    def point(self, offset: int) -> Tuple[int, int]:
        """(1-based row, 0-based column) of an offset."""
        row = bisect.bisect_right(self.starts, offset)
        return row, offset - self.starts[row - 1]

    def offset(self, row: int, column: int) -> int:
        """The offset of a 1-based row and 0-based column (no bounds check)."""
        return self.starts[row - 1] + column
