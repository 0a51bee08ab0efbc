"""Check one file: decode, prefilter, parse once, run every enabled rule, filter, locate.

The engine knows no rule: it asks the registry for them and the rules ask `Context.dynamo`
for DynamoDB facts. A file that cannot be decoded or parsed yields one DDB000 finding; a rule
that crashes yields an internal error for that file and the run goes on.
"""
from __future__ import annotations

import ast
import io
import tokenize
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Type

import libcst as cst

from ddblint import noqa, registry
from ddblint.diagnostics import Diagnostic, Location
from ddblint.positions import Positions
from ddblint.rule import Context, Rule

PARSE_ERROR = "DDB000"


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


def _parse_error(display: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
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


def check_source(data: bytes, path: Path, display: str, settings, rules: Sequence[Type[Rule]]) -> FileResult:
    """Lint one file's bytes. `rules` are the rule classes enabled for this file."""
    result = FileResult()
    triggers = {t.encode() for rule in rules for t in rule.triggers}
    if rules and triggers and not any(t in data for t in triggers):
        result.skipped = True
        return result
    if not rules:
        result.skipped = True
        return result
    try:
        source = decode(data)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        result.diagnostics.append(_parse_error(display, f"cannot decode the file: {error}"))
        return result
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        message, row, column = _syntax_error(source, display, error)
        result.diagnostics.append(_parse_error(display, f"syntax error: {message}", row, column))
        return result
    except RecursionError:
        result.diagnostics.append(_parse_error(display, "cannot parse the file: it is nested too deeply"))
        return result
    ctx = Context(path, source, module, settings)
    found = []
    # A rule that supersedes an enabled one runs even when not selected: "DDB204 replaces DDB101"
    # holds whether or not DDB204 is reported.
    known = registry.all_rules()
    enabled = {rule.code for rule in rules}
    extra = [known[code] for rule in rules for code in rule.superseded_by if code in known and code not in enabled]
    for rule in list(rules) + list(dict.fromkeys(extra)):
        try:
            found.extend((rule, finding) for finding in rule().check(ctx))
        except RecursionError:
            result.errors.append(f"{display}: {rule.code} gave up: the code is nested too deeply")
        except Exception:  # noqa: BLE001 - one rule's bug must not stop the run
            result.errors.append(f"{display}: internal error in {rule.code} ({rule.name}); please report it:\n"
                                 + traceback.format_exc())
    if not found:
        return result
    positions = Positions(module, source)
    suppressions = noqa.parse(source)
    diagnostics: Dict[tuple, Diagnostic] = {}
    for rule, finding in found:
        (row, column), (end_row, end_column) = positions[finding.node]
        if finding.span is not None and row == end_row:
            column, end_column = column + finding.span[0], column + finding.span[1]
        start, end = Location(row, column + 1), Location(end_row, end_column + 1)
        diagnostic = Diagnostic(rule.code, finding.message, display, start, end, finding.fix,
                                name=rule.name, url=rule.url(), noqa_row=start.row)
        diagnostics[(rule.code, start, end)] = diagnostic
    kept = _drop_superseded(list(diagnostics.values()), known, enabled)
    result.diagnostics = [d for d in kept if not suppressions.suppresses(d.code, d.noqa_row)]
    return result


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
