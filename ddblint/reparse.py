"""Parse an editor's document again after an edit by parsing only the top-level statement the
edit falls in, and keeping every other statement of the previous parse.

LibCST's parse of a 1,000-line module is most of what a lint costs in an editor, and an edit
touches one function. Python's statements parse without context, so the new statement parsed
alone is what a parse of the whole module would give there. The splice is used only when it is
certainly the same text: the edit lies between the first line of one top-level statement (not the
last) and the first line of the next one's code, the statement parses alone into one statement
with the module's indentation and line endings, and its code, generated in place, is exactly the
lines it replaces. Anything else (an edit across statements, a syntax error, the first parse of a
document) is an ordinary `parsing.parse`. The language server uses it (`runner.Linter.for_editor`);
a run over files parses each once and does not.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import List, Optional, Tuple

import libcst as cst

from ddblint import parsing
from ddblint.positions import statement_starts
from ddblint.text import split_lines

_KEPT = 16  # documents whose last parse is kept


@dataclass
class _Parse:
    text: str
    module: cst.Module
    lines: List[str]
    # per top-level statement: (the line its code starts on, its leading comments and blank
    # lines included; the line of its first token, its first decorator's for a decorated def)
    spans: List[Tuple[int, int]]


_DOCUMENTS: "OrderedDict[str, _Parse]" = OrderedDict()


def parse(source: str, key: str) -> cst.Module:
    """`parsing.parse(source)`, reusing what the previous parse of the document `key` (its path)
    still holds; raises `parsing.ParseProblem` as `parsing.parse` does."""
    previous = _DOCUMENTS.pop(key, None)
    found = _spliced(previous, source) if previous is not None else None
    if found is None:
        module = parsing.parse(source)
        lines = split_lines(source)
        spans = _spans(module, source)
        found = _Parse(source, module, lines, spans) if spans is not None else None
        if found is None:
            return module
    _DOCUMENTS[key] = found
    while len(_DOCUMENTS) > _KEPT:
        _DOCUMENTS.popitem(last=False)
    return found.module


def forget() -> None:
    _DOCUMENTS.clear()


def _spans(module: cst.Module, source: str) -> Optional[List[Tuple[int, int]]]:
    starts = statement_starts(module, source)
    if starts is None:
        return None
    return [(start, start + len(statement.leading_lines)) for start, statement in zip(starts, module.body)]


def _spliced(previous: _Parse, source: str) -> Optional[_Parse]:
    if source == previous.text:
        return previous
    old, new = previous.lines, split_lines(source)
    same = 0
    while same < min(len(old), len(new)) and old[same] == new[same]:
        same += 1
    tail = 0
    while tail < min(len(old), len(new)) - same and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    first_changed, last_changed = same + 1, len(old) - tail  # 1-based lines of the old text
    spans = previous.spans
    for index in range(len(spans) - 1):  # the last statement runs into the module's footer: not spliced
        start, first = spans[index]
        end = spans[index + 1][0] - 1
        if first <= first_changed and last_changed <= end:
            return _replace(previous, index, source, new, len(new) - len(old))
        if first > first_changed:
            return None
    return None


def _replace(previous: _Parse, index: int, source: str, new: List[str], delta: int) -> Optional[_Parse]:
    module = previous.module
    start, first = previous.spans[index]
    end = previous.spans[index + 1][0] - 1 + delta
    try:
        alone = parsing.parse("".join(new[first - 1:end]))
    except parsing.ParseProblem:
        return None  # the whole module's parse says where
    if len(alone.body) != 1 or alone.header or alone.footer or alone.default_indent != module.default_indent \
            or alone.default_newline != module.default_newline or alone.body[0].leading_lines:
        return None
    old = module.body[index]
    statement = alone.body[0].with_changes(leading_lines=old.leading_lines)
    if module.code_for_node(statement) != "".join(new[start - 1:end]):
        return None
    body = list(module.body)
    body[index] = statement
    spans = previous.spans[:index + 1] + [(s + delta, f + delta) for s, f in previous.spans[index + 1:]]
    return _Parse(source, module.with_changes(body=body), new, spans)
