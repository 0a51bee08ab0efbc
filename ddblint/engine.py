"""Check one file: decode, prefilter, parse once, run every enabled rule, filter, locate.

The engine knows no rule: it asks the registry for them and the rules ask `Context.dynamo`
for DynamoDB facts. A file that cannot be decoded, is too large, is nested too deeply or does
not parse yields one DDB000 finding; a rule (or the DynamoDB model) that crashes yields an
internal error naming it and the file, and the run goes on (SECURITY.md).
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import io
import keyword
import os
import re
import tokenize
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Type

import libcst as cst

from ddblint import noqa, registry
from ddblint.diagnostics import Diagnostic, Edit, Location
from ddblint.positions import Positions
from ddblint.rule import Context, Rule

PARSE_ERROR = "DDB000"
# Files larger than this (that the prefilter keeps) are reported, not parsed: LibCST needs about
# 7 s and 700 MB of memory per MB of source. DDBLINT_MAX_FILE_SIZE (bytes, 0: no limit) changes it.
MAX_FILE_SIZE = 1024 * 1024
# CPython refuses brackets nested more than 200 deep ("too many nested parentheses"). LibCST's
# native parser has no limit of its own: it overflows the C stack, a segmentation fault that no
# `except` catches, at about 1,250 nested brackets (8 MiB stack), 3,400 nested `lambda`s or
# 8,000 `not`s or `elif`s. `_nesting_problem` refuses such files before LibCST sees them.
MAX_BRACKETS = 200
MAX_NESTING = 1000


@dataclass
class FileResult:
    diagnostics: List[Diagnostic] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # internal errors (a rule crashed): exit code 2
    skipped: bool = False  # the prefilter showed no rule could fire


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


def max_file_size() -> int:
    """The size limit in bytes (0: none): DDBLINT_MAX_FILE_SIZE, else MAX_FILE_SIZE."""
    value = os.environ.get("DDBLINT_MAX_FILE_SIZE", "").strip().replace("_", "")
    return int(value) if value.isdigit() else MAX_FILE_SIZE


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def _row_column(source: str, offset: int):
    """1-based (row, column) of a character offset, counting Python's line breaks."""
    breaks = list(_LINE_BREAK.finditer(source, 0, offset))
    return len(breaks) + 1, offset - (breaks[-1].end() if breaks else 0) + 1


_KEYWORDS = frozenset(keyword.kwlist)
_LINE_BREAK = re.compile(r"\r\n?|\n")
_TOKEN = re.compile(r"""
    (?P<nl>\r\n?|\n)
  | [ \t\f]+ | \\(?:\r\n?|\n) | \#[^\r\n]*                 # blanks, line joins, comments
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
        if kind == "nl":
            line_start = match.end()
            if len(stack) == 1:
                segment_end(match.start())
                first = True
            continue
        if kind is None and match.group()[:1] in (" ", "\t", "\f", "\\", "#"):
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
            if kind == "str" and set(match.group("prefix").lower()) & {"f", "t"}:
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
        return (str(problem), *_row_column(source, problem.offset))
    return None


def file_problem(display: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    """A DDB000 finding: the file (or a part of it) could not be read, decoded or parsed."""
    return Diagnostic(PARSE_ERROR, message, display, Location(row, column), Location(row, column),
                      name="syntax-error", noqa_row=None)


def _syntax_error(source: str, display: str, error: cst.ParserSyntaxError):
    """(message, row, column) of a syntax error. LibCST's own text starts "Syntax Error @ 2:1."
    and its position is often the start of a later line, so Python's parser, whose message
    and position are exact ("'(' was never closed" at 1:5), speaks when it fails too."""
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence" (SyntaxWarning on 3.12+)
            warnings.simplefilter("ignore")
            compile(source, display, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        if python_error.lineno:
            return python_error.msg, python_error.lineno, max(python_error.offset or 1, 1)
    except Exception:  # noqa: BLE001 - null bytes (ValueError before 3.12), too deeply nested, ...
        pass
    message = (error.message or "").strip().splitlines()
    return (message[0] if message else "invalid syntax"), error.raw_line, error.raw_column + 1


def might_fire(data: bytes, rules: Sequence[Type[Rule]], path: Optional[Path] = None, root: Optional[Path] = None) -> bool:
    """The prefilter: False when no rule in `rules` can fire on `data`, because none of the
    words it needs (an operation's method name, a parameter, an ORM's name) occurs in the bytes,
    nor, for the words a rule marks `import:` (a PynamoDB model defined in the project's
    models.py), in a module of the project that `data` imports. A byte scan is ~1,000 times
    cheaper than LibCST's parse; most files of a project stop here."""
    if not rules:
        return False
    groups, imported = _triggers(tuple(rules))
    for anchor, words in groups:
        if anchor in data and (len(words) == 1 or any(word in data for word in words)):
            return True
    if imported and path is not None and root is not None and b"import" in data:
        from ddblint.dynamo.project import project_for

        return project_for(root).imports_mentioning(data, path, imported)
    return False


@functools.lru_cache(maxsize=64)
def _triggers(rules):
    """((anchor, words), ...) to look for, and the words to look for in imported modules."""
    words, imported = _trigger_words(rules)
    return _anchored(words), imported


def _anchored(words: Tuple[bytes, ...]) -> Tuple[Tuple[bytes, Tuple[bytes, ...]], ...]:
    """The words grouped under substrings several of them share (`_item` for get_item, put_item,
    update_item, ...): a file without the anchor is ruled out in one scan instead of one per
    word, and most files have none of them."""
    groups, left = [], set(words)
    while True:
        parts = {word[i:i + size] for word in left for size in range(4, 9) for i in range(len(word) - size + 1)}
        best, covered = None, ()
        for part in sorted(parts):
            members = tuple(sorted(w for w in left if part in w))
            if len(members) >= 3 and (len(members), len(part)) > (len(covered), len(best or b"")):
                best, covered = part, members
        if best is None:
            break
        groups.append((best, covered))
        left -= set(covered)
    groups.extend((word, (word,)) for word in sorted(left))
    return tuple(groups)


def _trigger_words(rules) -> Tuple[Tuple[bytes, ...], Tuple[bytes, ...]]:
    words, imported = set(), set()
    for rule in rules:
        if rule.check is Rule.check and rule.check_suppressions is Rule.check_suppressions:
            continue  # a rule about infrastructure files only (DDB5xx)
        if not rule.triggers:
            return (b"",), ()  # a rule that may fire on any file
        for trigger in rule.triggers:
            if trigger.startswith("import:"):
                imported.add(trigger[len("import:"):].encode())
            else:
                words.add(trigger.encode())
    # a word that contains another is found whenever that one is: looking for both is wasted
    minimal = {w for w in words if not any(other != w and other in w for other in words)}
    return tuple(sorted(minimal)), tuple(sorted(imported))


def check_source(data: bytes, path: Path, display: str, settings, rules: Sequence[Type[Rule]],
                 fixes: bool = True) -> FileResult:
    """Lint one file's bytes. `rules` are the rule classes enabled for this file.

    Never raises for anything in `data`: a file that cannot be analysed is one DDB000 finding,
    and a rule, or the DynamoDB model, that crashes is an internal error in `errors`."""
    result = FileResult()
    if not might_fire(data, rules, path, getattr(settings, "root", None)):
        result.skipped = True
        return result
    limit = max_file_size()
    if limit and len(data) > limit:
        result.diagnostics.append(file_problem(display, f"file too large to analyse: {_size(len(data))}, above the "
                                                        f"limit of {_size(limit)} (DDBLINT_MAX_FILE_SIZE)"))
        return result
    try:
        source = decode_checked(data)
    except DecodeError as error:
        # at 1:1 as Ruff's E902: the whole file is unreadable; the message says where the bad byte is
        result.diagnostics.append(file_problem(display, f"cannot decode the file: {error}"))
        return result
    if "\0" in source:  # as CPython: LibCST's message and position are less helpful
        row, column = _row_column(source, source.index("\0"))
        result.diagnostics.append(file_problem(display, "syntax error: source code cannot contain null bytes", row, column))
        return result
    module = _parse(source, display, result)
    if module is None:
        return result
    ctx = Context(path, source, module, settings, known_codes=registry.all_rules())
    found = []
    # A rule that supersedes an enabled one runs even when not selected: "DDB204 replaces DDB101"
    # holds whether or not DDB204 is reported.
    known = registry.all_rules()
    enabled = {rule.code for rule in rules}
    extra = [known[code] for rule in rules for code in rule.superseded_by if code in known and code not in enabled]
    too_deep: List[str] = []  # the rules that gave up on the file's nesting
    for rule in list(rules) + list(dict.fromkeys(extra)):
        try:
            for finding in rule().check(ctx):
                found.append((rule, finding))
        except _ModelUnavailable:
            continue  # the model failed for an earlier rule, and that was reported
        except Exception as error:  # noqa: BLE001 - one rule's bug must not stop the run
            in_model = "dynamo" not in vars(ctx) and _raised_in(error, _MODEL_CODE)
            if in_model:
                vars(ctx)["dynamo"] = _BrokenModel()  # once per file, not once per rule
            if _caused_by(error, RecursionError):
                too_deep.append(rule.code)
            elif in_model:
                result.errors.append(f"{display}: internal error in the DynamoDB model (ddblint.dynamo, "
                                     f"needed by {rule.code}); please report it\n" + traceback.format_exc())
            else:
                result.errors.append(f"{display}: internal error in {rule.code} ({rule.name}); please report it\n"
                                     + traceback.format_exc())
    if too_deep:
        result.diagnostics.append(file_problem(
            display, f"cannot analyse the file: it is nested too deeply ({', '.join(too_deep)} gave up)"))
    judges = [rule for rule in rules if rule.check_suppressions is not Rule.check_suppressions]
    if not found and not judges:
        return result
    diagnostics = _locate(found, module, source, display, fixes, result) if found else {}
    if diagnostics is None:
        return result
    suppressions = noqa.parse(source)
    kept = _drop_superseded(list(diagnostics.values()), known, enabled)
    if judges and not result.errors and not too_deep:
        # Rules about the suppression comments themselves judge what every other rule raised.
        raised = frozenset((d.code, d.noqa_row) for d in kept)
        for rule in judges:
            kept += _judge_suppressions(rule, ctx, raised, frozenset(enabled), display, result)
    result.diagnostics += [d for d in kept if not suppressions.suppresses(d.code, d.noqa_row)]
    return result


def _locate(found, module, source: str, display: str, fixes: bool, result: FileResult):
    """The findings as Diagnostics with rows and columns, by (code, start, end); None when the
    module cannot be located (the problem is in `result`)."""
    try:
        positions = Positions(module, source)
    except Exception as error:  # noqa: BLE001
        # LibCST's codegen recurses; the RecursionError can surface as a KeyError raised while
        # positions.py's `finally` unwinds it, so look along the chain of exceptions.
        if _caused_by(error, RecursionError):
            result.diagnostics.append(file_problem(display, "cannot analyse the file: it is nested too deeply"))
        else:
            result.errors.append(f"{display}: internal error while locating the findings; please report it\n"
                                 + traceback.format_exc())
        return None
    diagnostics: Dict[tuple, Diagnostic] = {}
    for rule, finding in found:
        try:
            (row, column), (end_row, end_column) = positions[finding.node]
        except Exception:  # noqa: BLE001 - a finding on a node that is not in this module
            result.errors.append(f"{display}: internal error in {rule.code} ({rule.name}): a finding points at no "
                                 f"node of the file; please report it\n" + traceback.format_exc())
            continue
        if finding.span is not None and row == end_row:
            column, end_column = column + finding.span[0], column + finding.span[1]
        start, end = Location(row, column + 1), Location(end_row, end_column + 1)
        diagnostic = Diagnostic(rule.code, finding.message, display, start, end,
                                _fix(finding, module, positions, fixes), name=rule.name, url=rule.url(),
                                noqa_row=start.row)
        diagnostics[(rule.code, start, end)] = diagnostic
    return diagnostics


def _judge_suppressions(rule, ctx, raised, enabled, display: str, result: FileResult) -> List[Diagnostic]:
    found = []
    try:
        for finding in rule().check_suppressions(ctx, raised, enabled):
            found.append(Diagnostic(rule.code, finding.message, display, Location(finding.row, finding.column),
                                    Location(finding.row, finding.end_column), finding.fix, name=rule.name,
                                    url=rule.url(), noqa_row=finding.row))
    except Exception:  # noqa: BLE001 - one rule's bug must not stop the run
        result.errors.append(f"{display}: internal error in {rule.code} ({rule.name}); please report it\n"
                             + traceback.format_exc())
    return found


def parse_module(source) -> cst.Module:
    """`libcst.parse_module`, except that code nested too deeply for LibCST's native parser (which
    would crash the process) raises `RecursionError`, and bytes that cannot be decoded (a bad byte,
    an unknown or non-text coding cookie such as rot13) raise `SyntaxError`, as CPython does. For
    every module ddblint parses, the checked files and the modules they import."""
    try:
        text = source if isinstance(source, str) else decode_checked(source)
    except DecodeError as error:
        raise SyntaxError(f"cannot decode the file: {error}") from error
    problem = _nesting_problem(text)
    if problem is not None:
        raise RecursionError(f"{problem[0]} at {problem[1]}:{problem[2]}")
    with _unvalidated():
        return cst.parse_module(source)


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


def _parse(source: str, display: str, result: FileResult) -> Optional[cst.Module]:
    """The module, or None with a DDB000 finding in `result`."""
    problem = _nesting_problem(source)
    if problem is not None:
        result.diagnostics.append(file_problem(display, *problem))
        return None
    try:
        with _unvalidated():
            return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        message, row, column = _syntax_error(source, display, error)
        result.diagnostics.append(file_problem(display, f"syntax error: {message}", row, column))
    except RecursionError:
        result.diagnostics.append(file_problem(display, "cannot parse the file: it is nested too deeply"))
    except MemoryError:
        result.diagnostics.append(file_problem(display, "cannot parse the file: not enough memory"))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - pyo3's PanicException (a parser bug) is a BaseException
        result.diagnostics.append(file_problem(
            display, f"cannot parse the file: the parser failed ({type(error).__name__}: {_first_line(error)})"))
    return None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else "no message"


class _ModelUnavailable(Exception):
    """`ctx.dynamo` of a file whose DynamoDB model failed to build (already reported)."""


class _BrokenModel:
    def __getattr__(self, name):
        raise _ModelUnavailable(name)


_MODEL_CODE = vars(Context)["dynamo"].func.__code__


def _caused_by(error: Optional[BaseException], kind: type) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _raised_in(error: BaseException, code) -> bool:
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is code:
            return True
        tb = tb.tb_next
    return False


def _drop_superseded(diagnostics: List[Diagnostic], rules: Dict[str, Type[Rule]], enabled) -> List[Diagnostic]:
    """Drop findings of rules not enabled, and those a more precise rule reports at the same place
    (one finding's range contains the other's start: DDB302 on `ConsistentRead=True` gives way to
    DDB303 on the whole read call)."""
    def key(location):
        return (location.row, location.column)

    def same_place(a: Diagnostic, b: Diagnostic) -> bool:
        return key(a.location) <= key(b.location) <= key(a.end_location) \
            or key(b.location) <= key(a.location) <= key(b.end_location)

    kept = []
    for d in diagnostics:
        if d.code not in enabled:
            continue
        stronger = rules[d.code].superseded_by if d.code in rules else ()
        if any(o.code in stronger and same_place(d, o) for o in diagnostics):
            continue
        kept.append(d)
    return kept


def rules_for(path: Path, settings, all_rules: Dict[str, Type[Rule]], enabled: Optional[frozenset] = None):
    """The rule classes enabled for one file: selection minus its per-file ignores."""
    enabled = enabled if enabled is not None else settings.enabled_codes({c: r.default for c, r in all_rules.items()})
    ignored = settings.ignored_for(path, {c: r.default for c, r in all_rules.items()})
    return [rule for code, rule in all_rules.items() if code in enabled and code not in ignored]


def _fix(finding, module: cst.Module, positions, wanted: bool = True):
    """The finding's fix with its LibCST edits turned into text edits over each node's range
    (only the title when the caller shows fixes but will not apply them: edits cost a codegen)."""
    if finding.fix is None or not finding.edits or not wanted:
        return finding.fix
    edits = []
    try:
        for node, replacement in finding.edits:
            replacement = replacement() if callable(replacement) else replacement
            (row, column), (end_row, end_column) = positions[node]
            content = replacement if isinstance(replacement, str) else module.code_for_node(replacement)
            edits.append(Edit(content, Location(row, column + 1), Location(end_row, end_column + 1)))
    except KeyError:
        return None  # an edit on a node of another module: no fix rather than a wrong one
    return dataclasses.replace(finding.fix, edits=tuple(edits))
