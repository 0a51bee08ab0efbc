"""Check one file: decode, prefilter, parse once, run every enabled rule, filter, locate.

The engine knows no rule: it asks the registry for them and the rules ask `Context.dynamo`
for DynamoDB facts. A file that cannot be decoded, is too large, is nested too deeply or does
not parse yields one DDB000 finding; a rule (or the DynamoDB model) that crashes yields an
internal error naming it and the file, and the run goes on (SECURITY.md).
"""
from __future__ import annotations

import ast
import dataclasses
import functools
import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Type

import libcst as cst

from ddblint import dynamo, noqa, parsing, registry, reparse
from ddblint.diagnostics import Diagnostic, Edit, Location
from ddblint.dynamo.glance import finds_nothing
from ddblint.dynamo.project import project_for
from ddblint.rule import Context, Rule
from ddblint.text import row_column

PARSE_ERROR = "DDB000"
# Files larger than this (that the prefilter keeps) are reported, not parsed: LibCST needs about
# 7 s and 700 MB of memory per MB of source. DDBLINT_MAX_FILE_SIZE (bytes, 0: no limit) changes it.
MAX_FILE_SIZE = 1024 * 1024


@dataclass
class FileResult:
    diagnostics: List[Diagnostic] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # internal errors (a rule crashed): exit code 2
    skipped: bool = False  # the prefilter showed no rule could fire


def max_file_size() -> int:
    """The size limit in bytes (0: none): DDBLINT_MAX_FILE_SIZE, else MAX_FILE_SIZE."""
    value = os.environ.get("DDBLINT_MAX_FILE_SIZE", "").strip().replace("_", "")
    return int(value) if value.isdigit() else MAX_FILE_SIZE


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def file_problem(display: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    """A DDB000 finding: the file (or a part of it) could not be read, decoded or parsed."""
    return Diagnostic(PARSE_ERROR, message, display, Location(row, column), Location(row, column),
                      name="syntax-error", noqa_row=None)


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


def preload() -> None:
    """Import what analysing a file needs, LibCST and the DynamoDB model, which wait for the first
    file analysed (ddblint/lazy.py, ddblint/dynamo/__init__.py): a process about to fork workers
    that will all analyse imports them once, before, and the workers share them."""
    parsing.load_parser()
    dynamo.DynamoModel  # noqa: B018 - the look-up imports the model's modules


def check_source(data: bytes, path: Path, display: str, settings, rules: Sequence[Type[Rule]],
                 fixes: bool = True, document: bool = False) -> FileResult:
    """Lint one file's bytes. `rules` are the rule classes enabled for this file.

    Never raises for anything in `data`: a file that cannot be analysed is one DDB000 finding,
    and a rule, or the DynamoDB model, that crashes is an internal error in `errors`."""
    result = FileResult()
    root = getattr(settings, "root", None)
    if not might_fire(data, rules, path, root):
        result.skipped = True
        return result
    tree = _standard_tree(data)
    if tree is not None and _nothing_to_model(data, tree, path, root, rules):
        result.skipped = True
        return result
    result, ctx = analyse(data, path, display, settings, rules, fixes, tree, document)
    if ctx is not None:
        ctx.close()
    return result


def _standard_tree(data: bytes) -> Optional[Tuple[str, "ast.Module"]]:
    """(source, the standard library's tree) of a file the engine would analyse; None for a file
    it would refuse (too large, undecodable: `analyse` reports why) or that the running Python
    cannot parse."""
    limit = max_file_size()
    if limit and len(data) > limit:
        return None
    try:
        source = parsing.decode(data)
    except Exception:  # noqa: BLE001 - analyse reports why it cannot be read
        return None
    tree = parsing.standard_tree(source)
    return (source, tree) if tree is not None else None


def _nothing_to_model(data: bytes, tree, path: Path, root, rules: Sequence[Type[Rule]]) -> bool:
    """The second prefilter: every rule that could fire on the bytes reports only what the
    module's DynamoDB model finds (`Rule.from_model`), and the standard library's tree shows
    that the model would find nothing (`dynamo.glance`), so LibCST need not parse the file."""
    if any(_may_fire_by_text(data, rule) for rule in rules if not rule.from_model):
        return False
    source, syntax = tree
    return finds_nothing(syntax, source, path, project_for(root) if root is not None else None)


def _may_fire_by_text(data: bytes, rule: Type[Rule]) -> bool:
    """Whether a rule that does not report what the model finds may fire on these bytes: its
    triggers, and its `text_pattern` when it has one."""
    return might_fire(data, [rule]) and (rule.text_pattern is None or re.search(rule.text_pattern, data) is not None)


def analyse(data: bytes, path: Path, display: str, settings, rules: Sequence[Type[Rule]],
            fixes: bool = True, tree=None, document: bool = False) -> Tuple[FileResult, Optional[Context]]:
    """`check_source` after the prefilter, and the module's `Context` (None when the file could
    not be parsed): its `dynamo` model is the one the rules asked, for a caller that asks it more
    (`ddblint map`). `tree`: (source, the standard library's tree) when the prefilter made it.
    `document`: an editor's document, linted again after each edit (`reparse`). Never raises for
    anything in `data`, as `check_source`."""
    result = FileResult()
    try:
        _check_size(data, display)
        source = _decode(data, display)
        _check_null_bytes(source, display)
        module = _parse(source, display, os.fspath(path) if document else None)
    except _NotAnalysed as stop:
        result.diagnostics.append(stop.finding)
        return result, None
    known, enabled = registry.all_rules(), {rule.code for rule in rules}
    ctx = Context(path, source, module, settings, known_codes=known,
                  standard_tree=tree[1] if tree is not None and tree[0] == source else None)
    found, too_deep = _run_rules(ctx, _with_superseding(rules, known, enabled), display, result)
    if too_deep:
        result.diagnostics.append(file_problem(
            display, f"cannot analyse the file: it is nested too deeply ({', '.join(too_deep)} gave up)"))
    judges = [rule for rule in rules if rule.check_suppressions is not Rule.check_suppressions]
    if not found and not judges:
        return result, ctx
    diagnostics = _locate(found, ctx, display, fixes, result) if found else {}
    if diagnostics is None:
        return result, ctx
    kept = _drop_superseded(list(diagnostics.values()), known, enabled)
    if judges and not result.errors and not too_deep:
        kept += _judge_all_suppressions(judges, ctx, kept, enabled, display, result)
    result.diagnostics += _unsuppressed(kept, source)
    return result, ctx


class _NotAnalysed(Exception):
    """The file cannot be analysed: `finding` (DDB000) says why."""

    def __init__(self, finding: Diagnostic) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _check_size(data: bytes, display: str) -> None:
    limit = max_file_size()
    if limit and len(data) > limit:
        raise _NotAnalysed(file_problem(display, f"file too large to analyse: {_size(len(data))}, above the "
                                                 f"limit of {_size(limit)} (DDBLINT_MAX_FILE_SIZE)"))


def _decode(data: bytes, display: str) -> str:
    try:
        return parsing.source_text(data)
    except parsing.ParseProblem as problem:
        raise _NotAnalysed(file_problem(display, problem.message, problem.row, problem.column)) from None


def _check_null_bytes(source: str, display: str) -> None:
    if "\0" in source:  # as CPython: LibCST's message and position are less helpful
        row, column = row_column(source, source.index("\0"))
        raise _NotAnalysed(file_problem(display, "syntax error: source code cannot contain null bytes", row, column))


def _parse(source: str, display: str, document: Optional[str] = None) -> cst.Module:
    try:
        return reparse.parse(source, document) if document is not None else parsing.parse(source)
    except parsing.ParseProblem as problem:
        raise _NotAnalysed(file_problem(display, problem.message, problem.row, problem.column)) from None


def _with_superseding(rules: Sequence[Type[Rule]], known: Dict[str, Type[Rule]], enabled) -> List[Type[Rule]]:
    """`rules` and the rules that supersede one of them: those run even when not selected, as
    "DDB204 replaces DDB101" holds whether or not DDB204 is reported."""
    extra = [known[code] for rule in rules for code in rule.superseded_by if code in known and code not in enabled]
    return list(rules) + list(dict.fromkeys(extra))


def _run_rules(ctx: Context, rules: Sequence[Type[Rule]], display: str, result: FileResult):
    """([(rule, finding)], [codes of the rules that gave up on the file's nesting]); a rule that
    crashes is an internal error in `result` and the others still run."""
    found, too_deep = [], []
    for rule in rules:
        try:
            for finding in rule().check(ctx):
                found.append((rule, finding))
        except _ModelUnavailable:
            continue  # the model failed for an earlier rule, and that was reported
        except Exception as error:  # noqa: BLE001 - one rule's bug must not stop the run
            _classify_crash(error, rule, ctx, display, result, too_deep)
    return found, too_deep


def _classify_crash(error: Exception, rule: Type[Rule], ctx: Context, display: str, result: FileResult,
                    too_deep: List[str]) -> None:
    """Account for a rule that raised: nesting it could not follow (a DDB000 finding later),
    a crash of the DynamoDB model it asked for (reported once per file: the model is then
    broken for every later rule), or its own bug. Call from the `except` block: the report
    carries the traceback being handled."""
    in_model = "dynamo" not in vars(ctx) and _raised_in(error, _MODEL_CODE)
    if in_model:
        vars(ctx)["dynamo"] = _BrokenModel()  # once per file, not once per rule
    if caused_by(error, RecursionError):
        too_deep.append(rule.code)
    elif in_model:
        result.errors.append(f"{display}: internal error in the DynamoDB model (ddblint.dynamo, "
                             f"needed by {rule.code}); please report it\n" + traceback.format_exc())
    else:
        result.errors.append(f"{display}: internal error in {rule.code} ({rule.name}); please report it\n"
                             + traceback.format_exc())


def _judge_all_suppressions(judges, ctx: Context, kept: List[Diagnostic], enabled, display: str,
                            result: FileResult) -> List[Diagnostic]:
    """What the rules about suppression comments themselves (DDB001) find, judging what every
    other rule raised."""
    raised = frozenset((d.code, d.noqa_row) for d in kept)
    judged: List[Diagnostic] = []
    for rule in judges:
        judged += _judge_suppressions(rule, ctx, raised, frozenset(enabled), display, result)
    return judged


def _unsuppressed(diagnostics: List[Diagnostic], source: str) -> List[Diagnostic]:
    """The findings no `# noqa` comment of `source` suppresses."""
    suppressions = noqa.parse(source)
    return [d for d in diagnostics if not suppressions.suppresses(d.code, d.noqa_row)]


def _locate(found, ctx: Context, display: str, fixes: bool, result: FileResult):
    """The findings as Diagnostics with rows and columns, by (code, start, end); None when the
    module cannot be located (the problem is in `result`)."""
    module = ctx.module
    try:
        positions = ctx.positions
    except Exception as error:  # noqa: BLE001
        # LibCST's codegen recurses; the RecursionError can surface as a KeyError raised while
        # positions.py's `finally` unwinds it, so look along the chain of exceptions.
        if caused_by(error, RecursionError):
            result.diagnostics.append(file_problem(display, "cannot analyse the file: it is nested too deeply"))
        else:
            result.errors.append(f"{display}: internal error while locating the findings; please report it\n"
                                 + traceback.format_exc())
        return None
    diagnostics: Dict[tuple, Diagnostic] = {}
    for rule, finding in found:
        try:
            (row, column), (end_row, end_column) = positions[finding.node]
        except Exception as error:  # noqa: BLE001 - a finding on a node that is not in this module
            if caused_by(error, RecursionError):  # the statement around it is generated on demand
                result.diagnostics.append(file_problem(display, "cannot analyse the file: it is nested too deeply"))
                return None
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


class _ModelUnavailable(Exception):
    """`ctx.dynamo` of a file whose DynamoDB model failed to build (already reported)."""


class _BrokenModel:
    def __getattr__(self, name):
        raise _ModelUnavailable(name)

    def close(self) -> None:
        """Nothing to free: the model was never built."""


_MODEL_CODE = vars(Context)["dynamo"].func.__code__


def caused_by(error: Optional[BaseException], kind: type) -> bool:
    """Whether `error`, or an exception along its chain of causes and contexts, is a `kind`."""
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
    if enabled is None:
        enabled = settings.enabled_codes({c: r.default for c, r in all_rules.items()})
    ignored = settings.ignored_for(path, {c: r.default for c, r in all_rules.items()}) \
        if settings.per_file_ignores else frozenset()
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
    except (KeyError, RecursionError):
        return None  # an edit on a node of another module, or nested too deeply: no fix rather than a wrong one
    return dataclasses.replace(finding.fix, edits=tuple(edits))
