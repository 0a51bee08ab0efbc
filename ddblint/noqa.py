"""Suppression comments: `# noqa[: CODES]` on a line, `# ddblint: noqa[: CODES]` for a file.

Codes match exactly and case-insensitively, as in Ruff; codes of other tools in the same
comment (`# noqa: E501, DDB101`) are ignored, so one comment can serve several linters.
"""
from __future__ import annotations

import functools
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterator, List, Optional, Tuple

from ddblint.diagnostics import Edit, Location
from ddblint.text import LINE_BREAK

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


# comments and strings; f-strings (3.12+) and t-strings (3.14+) as their start and end tokens
_KEPT = frozenset(kind for kind, name in tokenize.tok_name.items()
                  if name in ("COMMENT", "STRING") or name.endswith(("STRING_START", "STRING_END")))


@functools.lru_cache(maxsize=4)
def _tokens(source: str) -> Tuple[Tuple[tokenize.TokenInfo, ...], bool]:
    """The comment and string tokens of `source`, and whether the tokenizer gave up on it (those
    tokens are then the ones before the place it gave up). A linted file with a `# noqa` is
    read twice, by the rules that judge suppressions and by the filter that applies them, and
    `--add-noqa` reads it once per finding: Python's tokenizer is slow."""
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in _KEPT:
                found.append(token)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return tuple(found), True
    return tuple(found), False


def _comments(source: str) -> Iterator[Tuple[int, str, bool]]:
    """(row, comment, whether the comment is alone on its line)."""
    tokens, failed = _tokens(source)
    for token in tokens:
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string, not token.line[:token.start[1]].strip()
    if failed:
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


@dataclass(frozen=True)
class Directive:
    """A line's `# noqa[: CODES]`: where its comment starts (0-based column), the comment, the
    directive's span in it, and its codes as written (None for a bare `# noqa`)."""

    row: int
    column: int
    comment: str
    start: int
    end: int
    codes: Optional[Tuple[str, ...]]


def directives(source: str) -> List[Directive]:
    """The line-level `# noqa` directives of `source` (not the file-level `# ddblint: noqa`)."""
    found = []
    if "noqa" not in source.lower():
        return found
    comments, _ = _comments_and_strings(source)
    for row, (column, comment) in sorted(comments.items()):
        if _FILE.match(comment):
            continue
        match = _LINE.search(comment)
        if match is not None:
            codes = match.group("codes")
            found.append(Directive(row, column, comment, match.start(), match.end(),
                                   None if codes is None else tuple(c for c in re.split(r"[\s,]+", codes) if c)))
    return found


# -- adding suppressions (`--add-noqa`, the editor's "disable for this line") ----------------------

def _comments_and_strings(source: str):
    """(comments: row -> (column, text), rows that end inside a string literal) of `source`."""
    comments: Dict[int, Tuple[int, str]] = {}
    inside_string = set()
    tokens, failed = _tokens(source)
    if not failed:
        opened: List[int] = []
        for token in tokens:
            name = tokenize.tok_name.get(token.type, "")
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = (token.start[1], token.string)
            elif token.type == tokenize.STRING:
                inside_string.update(range(token.start[0], token.end[0]))
            elif name.endswith("STRING_START"):  # f-strings (3.12+), t-strings (3.14+)
                opened.append(token.start[0])
            elif name.endswith("STRING_END") and opened:
                inside_string.update(range(opened.pop(), token.end[0]))
    else:
        # the tokenizer lags behind the grammar LibCST accepts: judge by the text itself
        for row, line in enumerate(LINE_BREAK.split(source), start=1):
            if "#" in line:
                comments[row] = (line.index("#"), line[line.index("#"):])
    return comments, inside_string


def noqa_edit(source: str, row: int, code: str) -> Optional[Edit]:
    """The edit that makes line `row` (1-based) of `source` suppress `code`: `, CODE` added to the
    codes of the `# noqa` comment already there, else `  # noqa: CODE` at the end of the line.
    None when no comment can go there (the line ends inside a string literal or with a
    backslash continuation) or the line already suppresses `code`."""
    lines = LINE_BREAK.split(source)
    if not 1 <= row <= len(lines):
        return None
    line = lines[row - 1]
    comments, inside_string = _comments_and_strings(source)
    if row in inside_string:
        return None
    comment = comments.get(row)
    if comment is not None:
        column, text = comment
        match = _LINE.search(text)
        if match is not None:
            codes = match.group("codes")
            if codes is None or code.upper() in {c.upper() for c in re.split(r"[\s,]+", codes)}:
                return None  # a bare `# noqa` suppresses everything already
            at = Location(row, column + match.end("codes") + 1)
            return Edit(f", {code}", at, at)
    elif line.rstrip().endswith("\\"):
        return None
    content = line.rstrip()
    return Edit(f"  # noqa: {code}", Location(row, len(content) + 1), Location(row, len(line) + 1))
