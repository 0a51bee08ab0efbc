"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff.

    ::warning title=ddblint (DDB101),file=src/app.py,line=4,col=5,endLine=4,endColumn=60::src/app.py:4:5: DDB101 message

`::error` for DDB000 (the file was not checked); for every rule's finding, the level the caller
asks for (`--github-annotation-level`): `warning` by default, as in the SARIF format, or `error`
(what Ruff's github format prints for everything) or `notice`. The level changes how GitHub
shows the annotation, not the exit code, which is what fails the step. `file` is relative to the
repository root (the nearest `.git` above the current directory) with `/` separators: the runner
takes a relative path as relative to the repository, whatever directory ddblint ran in; a file
outside the repository keeps its absolute path.
Columns are dropped when a finding spans several lines (the runner would drop them anyway).
Escaping follows actions/toolkit's `command.ts`: in the message `%`, CR and LF; in property
values also `:` and `,`. Actions shows at most 10 annotations of each kind per step (50 per
job) and drops the rest silently: the log keeps every line, the annotations do not.
"""
from __future__ import annotations

from ddblint.report import _common

ORDER = 5
LEVELS = ("warning", "error", "notice")  # the workflow commands that annotate a file
DEFAULT_LEVEL = "warning"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(d, root, level: str = DEFAULT_LEVEL) -> str:
    kind = "error" if _common.is_error(d) else level
    path = _common.relative_path(d.filename, root) or _common.absolute(d.filename)
    start, end = d.location, d.end_location
    properties = [("title", f"ddblint ({d.code})"), ("file", path), ("line", str(start.row))]
    if end.row == start.row:
        properties += [("col", str(start.column)), ("endLine", str(end.row)), ("endColumn", str(end.column))]
    else:
        properties += [("endLine", str(end.row))]
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    message = f"{d.filename}:{start.row}:{start.column}: {d.code} {d.message}"
    return f"::{kind} {props}::{escape_data(message)}"


def render(diagnostics, sources, annotation_level: str = DEFAULT_LEVEL) -> str:
    """`annotation_level`: the workflow command of a rule's finding, one of LEVELS."""
    if annotation_level not in LEVELS:
        raise ValueError(f"unknown annotation level {annotation_level!r}; one of {', '.join(LEVELS)}")
    root = _common.repository_root()
    return "".join(command(d, root, annotation_level) + "\n" for d in diagnostics)
