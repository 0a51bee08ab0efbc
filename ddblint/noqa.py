"""Suppression comments: `# noqa[: CODES]` on a line, `# ddblint: noqa[: CODES]` for a file.

Codes match exactly and case-insensitively, as in Ruff; codes of other tools in the same
comment (`# noqa: E501, DDB101`) are ignored, so one comment can serve several linters.
"""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterator, Optional, Tuple

_CODE = r"[A-Za-z]+[0-9]+"
_LINE = re.compile(rf"#\s*noqa(?::\s*(?P<codes>{_CODE}(?:[\s,]+{_CODE})*))?", re.IGNORECASE)
_FILE = re.compile(rf"^#\s*ddblint\s*:\s*noqa(?::\s*(?P<codes>{_CODE}(?:[\s,]+{_CODE})*))?\s*$", re.IGNORECASE)

ALL = None  # a bare noqa: every code


@dataclass
class Suppressions:
    lines: Dict[int, Optional[FrozenSet[str]]] = field(default_factory=dict)  # row -> codes (None = all)
    file_all: bool = False
    file_codes: FrozenSet[str] = frozenset()

    def suppresses(self, code: str, row: Optional[int]) -> bool:
        if self.file_all or code in self.file_codes:
            return True
        if row is None or row not in self.lines:
            return False
        codes = self.lines[row]
        return codes is None or code in codes


def _codes(text: Optional[str]) -> Optional[FrozenSet[str]]:
    if text is None:
        return None
    return frozenset(c.upper() for c in re.split(r"[\s,]+", text.strip()) if c)


def _comments(source: str) -> Iterator[Tuple[int, str, bool]]:
    """(row, comment, whether the comment is alone on its line)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string, not token.line[:token.start[1]].strip()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # The tokenizer lags behind the grammar LibCST accepts; fall back to the text itself.
        for row, line in enumerate(source.splitlines(), start=1):
            if "#" in line:
                yield row, line[line.index("#"):], not line[:line.index("#")].strip()


def parse(source: str) -> Suppressions:
    found = Suppressions()
    if "noqa" not in source.lower():
        return found
    file_codes = set()
    for row, comment, own_line in _comments(source):
        file_match = _FILE.match(comment)
        if file_match and own_line:  # as in Ruff: a file-level directive stands on its own line
            codes = _codes(file_match.group("codes"))
            if codes is None:
                found.file_all = True
            else:
                file_codes |= codes
            continue
        line_match = _LINE.search(comment)
        if line_match:
            found.lines[row] = _codes(line_match.group("codes"))
    found.file_codes = frozenset(file_codes)
    return found
