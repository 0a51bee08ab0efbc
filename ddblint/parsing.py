"""Decoding and parsing Python source: the one path for every module ddblint reads (the checked
files, the project's modules they import, CDK apps, each round of fixes).

LibCST's native parser has no depth limit of its own: code nested deeply enough overflows the C
stack, a crash no `except` catches. `parse` refuses such code before LibCST sees it, and turns
every way a parse can fail (bytes that do not decode, nesting, a syntax error, the parser giving
up or panicking) into one `ParseProblem` whose message is what the DDB000 finding says.
A low module: it imports only the standard library, LibCST and `ddblint.text` (and `lazy`, which
defers LibCST's import to the first parse).
"""
from __future__ import annotations

import ast
import contextlib
import io
import keyword
import re
import tokenize
import warnings
from typing import Optional, Union

import libcst as cst

from ddblint import lazy
from ddblint.text import row_column

# CPython refuses brackets nested more than 200 deep ("too many nested parentheses"). LibCST's
# native parser has no limit of its own: it overflows the C stack, a segmentation fault that no
# `except` catches, at about 1,250 nested brackets (8 MiB stack), 3,400 nested `lambda`s or
# 8,000 `not`s or `elif`s. `_nesting_problem` refuses such files before LibCST sees them.
MAX_BRACKETS = 200
MAX_NESTING = 1000


def load_parser() -> None:
    """Import LibCST now (its import waits for the first parse: ddblint/lazy.py): a process about
    to fork workers that will all parse imports it once, before, and they share it."""
    lazy.load("libcst")


class ParseProblem(ValueError):
    """Why a module cannot be parsed: `message` (the DDB000 finding's text) at the 1-based `row`
    and `column`. Its `__cause__` is the exception behind it: the `DecodeError`, LibCST's
    `ParserSyntaxError`, the `RecursionError`, `MemoryError` or parser panic; for code the nesting
    guard refused, a `RecursionError` naming the place ("... at 3:12")."""

    def __init__(self, message: str, row: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


def parse(source: Union[str, bytes]) -> cst.Module:
    """The LibCST module of `source` (text, or a file's bytes, decoded as Python does), built
    without per-node validation; raises `ParseProblem` for anything that stops it, never crashes
    the process on deep nesting."""
    text = source if isinstance(source, str) else source_text(source)
    problem = _nesting_problem(text)
    if problem is not None:  # caused by what LibCST would have run into (the fixer names it)
        message, row, column = problem
        raise ParseProblem(message, row, column) from RecursionError(f"{message} at {row}:{column}")
    try:
        with _unvalidated():
            return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        message, row, column = _syntax_error(text, error)
        raise ParseProblem(f"syntax error: {message}", row, column) from error
    except RecursionError as error:
        raise ParseProblem("cannot parse the file: it is nested too deeply") from error
    except MemoryError as error:
        raise ParseProblem("cannot parse the file: not enough memory") from error
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - pyo3's PanicException (a parser bug) is a BaseException
        raise ParseProblem(f"cannot parse the file: the parser failed "
                           f"({type(error).__name__}: {_first_line(error)})") from error


def standard_tree(source: str) -> Optional[ast.Module]:
    """The standard library's tree of `source` (about eight times cheaper than LibCST's), or None
    when the running Python cannot parse it: a syntax error, syntax newer than it, nesting it
    refuses (its own limits stop it before the C stack runs out)."""
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" and the like
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


def source_text(data: bytes) -> str:
    """`decode_checked`, raising `ParseProblem` (at 1:1, as Ruff's E902: the whole file is
    unreadable; the message says where the bad byte is)."""
    try:
        return decode_checked(data)
    except DecodeError as error:
        raise ParseProblem(f"cannot decode the file: {error}") from error


# -- decoding ------------------------------------------------------------------------------------

def decode(data: bytes) -> str:
    """Decode as Python does: a BOM or a coding cookie, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


class DecodeError(ValueError):
    """Why `data` cannot be decoded, with the 1-based row and column of the first bad byte."""

    def __init__(self, message: str, row: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.row, self.column = row, column


def decode_checked(data: bytes) -> str:
    """`decode`, raising `DecodeError` with a one-line message and position on failure."""
    try:
        return decode(data)
    except UnicodeDecodeError as error:
        encoding = error.encoding
    except (SyntaxError, LookupError, UnicodeError, ValueError) as error:
        text = str(getattr(error, "msg", None) or error)
        if not text.startswith("invalid or missing encoding declaration"):
            raise DecodeError(" ".join(text.split())) from error  # unknown encoding, BOM and cookie disagree
        encoding = "utf-8"  # invalid UTF-8 in the first two lines, where a cookie would be
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        row = data.count(b"\n", 0, error.start) + 1
        column = len(data[start:error.start].decode(encoding, "replace")) + 1
        hint = "; declare the file's encoding with a `# -*- coding: ... -*-` line" if encoding == "utf-8" else ""
        raise DecodeError(f"not valid {error.encoding.upper() if encoding == 'utf-8' else encoding}: byte "
                          f"0x{data[error.start]:02x} at {row}:{column} ({error.reason}){hint}", row, column) from error
    except Exception as error:  # noqa: BLE001 - a codec that fails its own way
        raise DecodeError(f"{type(error).__name__}: {error}") from error
    raise DecodeError(f"cannot decode as {encoding}")


# -- the nesting guard ---------------------------------------------------------------------------

_KEYWORDS = frozenset(keyword.kwlist)
_FORMATTED = re.compile("[fFtT]")  # in a string's prefix: an f-string (or a t-string)
_TOKEN = re.compile(r"""
    (?P<nl>\r\n?|\n)
  | (?P<blank>[ \t\f]+ | \\(?:\r\n?|\n)? | \#[^\r\n]*)        # blanks, line joins (a stray \ too), comments
  | (?P<str>(?P<prefix>[A-Za-z]{0,2})(?:                  # quotes as \x27 ' and \x22 "
        \x27{3}(?:[^\x27\\]|\\.|\x27(?!\x27\x27))*(?:\x27{3}|\Z) | \x22{3}(?:[^\x22\\]|\\.|\x22(?!\x22\x22))*(?:\x22{3}|\Z)
      | \x27(?:[^\x27\\\r\n]|\\(?:\r\n|.))*(?:\x27|(?=[\r\n])|\Z) | \x22(?:[^\x22\\\r\n]|\\(?:\r\n|.))*(?:\x22|(?=[\r\n])|\Z)))
  | (?P<word>(?:\d|\.\d)(?:[eE][-+]?|[\w.])* | \w+)
  | (?P<open>[(\[{]) | (?P<close>[)\]}])
  | (?P<sep>[,;] | (?:\*\*|//|>>|<<|[-+*/%@&|^])?=(?!=))
  | \*\* | // | >> | << | -> | := | [<>!=]= | \.\.\. | .
""", re.VERBOSE | re.DOTALL)


class _Nesting(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _scan(text: str, brackets: int, base: int) -> int:
    """An upper bound of how deep the syntax tree of `text` (code `brackets` brackets deep, `base`
    offset into the file) nests; raises `_Nesting` past the limits. Every level of a syntax tree
    costs at least one operator, keyword, string or bracket (names and numbers are leaves), so
    the bound is the count of those in a comma-separated segment plus its deepest bracketed
    group, the enclosing blocks and `elif` chains (each `elif` nests in the one before)."""
    # per open bracket: [tokens of the current segment, deepest group in it, deepest closed segment]
    stack = [[0, 0, 0]]
    indents: list = []
    elifs: dict = {}
    statement, statement_at, line_start, first = 0, 0, 0, True

    def segment_end(at: int) -> None:
        frame = stack[-1]
        depth = frame[0] + frame[1]
        frame[2] = max(frame[2], depth)
        frame[0] = frame[1] = 0
        if len(stack) == 1 and statement + depth > MAX_NESTING:
            raise _Nesting("cannot parse the file: it is nested too deeply", statement_at)

    def close() -> None:
        tokens, inner, best = stack.pop()
        stack[-1][1] = max(stack[-1][1], 1 + max(best, tokens + inner))

    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "blank":
            continue
        if kind == "nl":
            line_start = match.end()
            if len(stack) == 1:
                segment_end(match.start())
                first = True
            continue
        if not first and (kind is None or kind == "word"):  # the most common tokens: an operator,
            if kind is None or match.group() in _KEYWORDS:  # or a keyword, counts; a name does not
                stack[-1][0] += 1
            continue
        if first:  # the first token of a logical line: its block and elif chain
            first = False
            column = match.start() - line_start
            while indents and indents[-1] > column:
                indents.pop()
            if not indents or column > indents[-1]:
                indents.append(column)
            for deeper in [c for c in elifs if c > column]:
                del elifs[deeper]
            word = match.group()
            if word == "elif":
                elifs[column] = elifs.get(column, 0) + 1
            elif word != "else":
                elifs[column] = 0
            statement, statement_at = len(indents) + sum(elifs.values()), base + match.start()
        frame = stack[-1]
        if kind == "open":
            if brackets + len(stack) > MAX_BRACKETS:
                raise _Nesting("syntax error: too many nested parentheses", base + match.start())
            frame[0] += 1
            stack.append([0, 0, 0])
        elif kind == "close":
            if len(stack) > 1:
                close()
        elif kind == "sep":
            segment_end(match.start())
        elif kind != "word" or match.group() in _KEYWORDS:  # a name or number nests nothing
            frame[0] += 1
            if kind == "str" and _FORMATTED.search(match.group("prefix")):
                frame[1] = max(frame[1], _scan_fstring(match, brackets + len(stack) - 1, base))
    while len(stack) > 1:  # brackets never closed
        close()
    segment_end(len(text))
    return stack[0][2]


def _scan_fstring(match, brackets: int, base: int) -> int:
    """The nesting of an f-string's replacement fields (`{...}` outside `{{`/`}}`)."""
    text, deepest, level, start, i = match.group(), 0, 0, 0, len(match.group("prefix"))
    while i < len(text):
        char = text[i]
        if level == 0 and char in "{}" and text[i + 1:i + 2] == char:
            i += 2
            continue
        if char == "{":
            level += 1
            if level == 1:
                start = i + 1
        elif char == "}" and level:
            level -= 1
            if level == 0:
                deepest = max(deepest, 1 + _scan(text[start:i], brackets + 1, base + match.start() + start))
        i += 1
    if level:  # unterminated field: what there is of it
        deepest = max(deepest, 1 + _scan(text[start:], brackets + 1, base + match.start() + start))
    return deepest


def _nesting_problem(source: str):
    """(message, row, column) when `source` nests deeper than LibCST can safely parse, else None."""
    try:
        _scan(source, 0, 0)
    except _Nesting as problem:
        return (str(problem), *row_column(source, problem.offset))
    return None


# -- syntax errors and the parse itself ----------------------------------------------------------

def _syntax_error(source: str, error: cst.ParserSyntaxError):
    """(message, row, column) of a syntax error. LibCST's own text starts "Syntax Error @ 2:1."
    and its position is often the start of a later line, so Python's parser, whose message
    and position are exact ("'(' was never closed" at 1:5), speaks when it fails too."""
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence" (SyntaxWarning on 3.12+)
            warnings.simplefilter("ignore")
            compile(source, "<unknown>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        if python_error.lineno:
            return python_error.msg, python_error.lineno, max(python_error.offset or 1, 1)
    except Exception:  # noqa: BLE001 - null bytes (ValueError before 3.12), too deeply nested, ...
        pass
    message = (error.message or "").strip().splitlines()
    return (message[0] if message else "invalid syntax"), error.raw_line, error.raw_column + 1


def _skip_validation(node) -> None:
    pass


@contextlib.contextmanager
def _unvalidated():
    """Parse without LibCST's per-node validation. Every node LibCST constructs checks its own
    invariants in `__post_init__` (about a fifth of a parse); a node the parser builds from
    source that parses is valid by construction (LibCST's own comment there says as much).
    Nodes made later, by fixes, are validated as usual."""
    original = cst.CSTNode.__dict__["__post_init__"]
    cst.CSTNode.__post_init__ = _skip_validation
    try:
        yield
    finally:
        cst.CSTNode.__post_init__ = original


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else "no message"
