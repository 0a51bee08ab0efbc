"""Apply fixes to source text and write the result back safely. No CLI here.

A fix is a set of text edits (`ddblint.diagnostics.Edit`) on the decoded source: everything
outside the edits is kept byte for byte, so line endings, comments and formatting survive by
construction. Fixes whose edits overlap wait for a later round, as in Ruff; every round's
result must parse, or the rounds stop and the last good text is kept.
"""
from __future__ import annotations

import difflib
import errno
import io
import os
import stat
import tempfile
import tokenize
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

from ddblint import parsing
from ddblint.diagnostics import Diagnostic, Edit, Location
from ddblint.text import line_starts, split_lines


@dataclass
class FixResult:
    source: str  # the fixed text (decoded); with `error`, the last text that parsed
    applied: List[Diagnostic] = field(default_factory=list)  # across all rounds
    remaining: List[Diagnostic] = field(default_factory=list)  # the findings in `source`
    error: Optional[str] = None  # e.g. "the fixed code does not parse: ..."
    converged: bool = True  # False: max_rounds ran out with applicable fixes left


class FileChangedError(Exception):
    """The file's bytes on disk are not those that were read and fixed: someone else wrote it."""


def applicable(d: Diagnostic, unsafe: bool) -> bool:
    """Whether `--fix` (with `--unsafe-fixes` when `unsafe`) applies `d`'s fix."""
    if d.fix is None or not d.fix.edits:
        return False
    return d.fix.applicability == "safe" or (unsafe and d.fix.applicability == "unsafe")


class _Lines:
    """Rows and 1-based code-point columns to offsets into `text`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)  # Python's line breaks, as positions.py counts them

    def offset(self, at: Location) -> int:
        rows = len(self.starts)
        # positions.py ends a file without a final newline with a virtual one, so the module's
        # range may end on the row after the last: that is the end of the text
        if at.row == rows + 1 and at.column == 1 and not self.text.endswith(("\n", "\r")):
            return len(self.text)
        if not 1 <= at.row <= rows or at.column < 1:
            raise ValueError(f"no such position {at.row}:{at.column}")
        offset = self.starts[at.row - 1] + at.column - 1
        if offset > (self.starts[at.row] if at.row < rows else len(self.text)):
            raise ValueError(f"no such position {at.row}:{at.column}")
        return offset


def _spans(lines: _Lines, edits: Sequence[Edit]) -> Optional[List[Tuple[int, int, str]]]:
    """The fix's edits as sorted (start, end, content), or None if they are broken (a rule's bug):
    out of range, backwards, or overlapping one another."""
    try:
        spans = sorted((lines.offset(e.location), lines.offset(e.end_location), e.content) for e in edits)
    except ValueError:
        return None
    if any(start > end for start, end, _ in spans) or any(_overlap(a, b) for a, b in zip(spans, spans[1:])):
        return None
    return spans


def _overlap(a: Tuple[int, int, str], b: Tuple[int, int, str]) -> bool:
    # Adjacent replacements are independent; an insertion at another edit's boundary is not, as
    # the order of the two would decide the text.
    low, high = max(a[0], b[0]), min(a[1], b[1])
    return low < high or (low == high and (a[0] == a[1] or b[0] == b[1]))


def apply_edits(source: str, diagnostics: Sequence[Diagnostic], unsafe: bool) -> Tuple[str, List[Diagnostic]]:
    """One round: apply the applicable fixes in source order. A fix overlapping one accepted
    before it waits for the next round; a fix is applied whole or not at all. Returns the new
    text and the diagnostics whose fixes were applied."""
    lines = _Lines(source)
    candidates = []
    for d in diagnostics:
        spans = _spans(lines, d.fix.edits) if applicable(d, unsafe) else None
        if spans:
            candidates.append((spans[0][0], spans[-1][1], d.code, d.location.row, d.location.column, spans, d))
    candidates.sort(key=lambda c: c[:5])
    accepted: List[Tuple[int, int, str]] = []
    applied: List[Diagnostic] = []
    for *_, spans, d in candidates:
        if any(_overlap(s, a) for s in spans for a in accepted):
            continue
        accepted += spans
        applied.append(d)
    out, end = [], 0
    for start, stop, content in sorted(accepted, key=lambda s: s[:2]):
        out += [source[end:start], content]
        end = stop
    out.append(source[end:])
    return "".join(out), applied


def _syntax_problem(text: str, must_compile: bool) -> Optional[str]:
    """Why `text` does not parse, or None. `must_compile`: CPython must compile it too, which
    also catches what LibCST accepts, such as a keyword argument given twice."""
    try:
        parsing.parse(text)
        if must_compile:
            _compile(text)
    except parsing.ParseProblem as problem:
        return _named(problem.__cause__)  # what failed underneath: "ParserSyntaxError: Syntax Error @ 2:1."
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - compile's SyntaxError, ValueError (null bytes), ...
        return _named(error)
    return None


def _named(error: BaseException) -> str:
    """`Type: first line of the message`."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def _compile(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings such as invalid escapes are not ours
        compile(text, "<fixed>", "exec", dont_inherit=True)


def _compiles(text: str) -> bool:
    try:
        _compile(text)
    except Exception:  # noqa: BLE001 - newer syntax than this Python's, null bytes, ...
        return False
    return True


def fix_source(source: str, lint: Callable[[str], List[Diagnostic]], unsafe: bool,
               max_rounds: int = 10) -> FixResult:
    """Lint and fix in rounds until no applicable fix is left or `max_rounds` rounds ran.

    Every round's text must parse (and compile, when the original compiles); if one does not,
    the rounds stop and `source` is the last text that did, with `error` set."""
    must_compile = _compiles(source)
    text, applied = source, []
    diagnostics = lint(text)
    for _ in range(max_rounds):
        new, done = apply_edits(text, diagnostics, unsafe)
        if not done:
            return FixResult(text, applied, diagnostics)
        problem = _syntax_problem(new, must_compile)
        if problem is not None:
            rules = ", ".join(sorted({d.code for d in done}))
            return FixResult(text, applied, diagnostics,
                             f"the fixed code does not parse ({rules}): {problem}")
        text, applied = new, applied + done
        diagnostics = lint(text)
    left = any(applicable(d, unsafe) for d in diagnostics)
    return FixResult(text, applied, diagnostics, converged=not left)


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff with git's `a/` `b/` headers; "" when nothing changed."""
    if old == new:
        return ""
    path = str(path).replace(os.sep, "/")
    out = []
    for line in difflib.unified_diff(split_lines(old), split_lines(new), f"a/{path}", f"b/{path}"):
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomically(path: Path, original_bytes: bytes, new_text: str) -> None:
    """Replace the file at `path` (read as `original_bytes`) with `new_text`, encoded as the
    original was (its coding cookie, else UTF-8; a UTF-8 BOM is kept) and with its permissions.

    The text goes to a temporary file beside the original, is synced, and renamed over it, so the
    file is always either the old one or the new one. Raises FileChangedError if the file's bytes
    are no longer `original_bytes`, PermissionError for a read-only file or directory,
    UnicodeEncodeError if the fix brought in a character the file's encoding cannot hold."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(original_bytes).readline)
    if encoding == "utf-8-sig" and new_text.startswith("\ufeff"):
        new_text = new_text[1:]  # the codec writes the BOM itself
    data = new_text.encode(encoding)  # before touching the disk: may raise UnicodeEncodeError
    if data == original_bytes:
        return
    target = os.path.realpath(path)  # write through a symlink, do not replace it by a file
    try:
        mode = os.stat(target)
    except FileNotFoundError:
        raise FileChangedError(f"{path}: the file was removed while it was being fixed; not written") from None
    if not (mode.st_mode & 0o222) or not os.access(target, os.W_OK):  # (os.access says yes to root)
        raise PermissionError(errno.EACCES, "the file is read-only; not fixed", str(path))
    directory = os.path.dirname(target)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".ddblint.tmp", dir=directory)
    except PermissionError:
        raise PermissionError(errno.EACCES, f"cannot create a file in {directory or '.'} (read-only "
                                            f"directory); not fixed", str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if hasattr(os, "chown") and (mode.st_uid, mode.st_gid) != _owner(temporary):
            try:
                os.chown(temporary, mode.st_uid, mode.st_gid)
            except OSError:
                pass  # only root may give a file away; the group is kept where we are a member
        os.chmod(temporary, stat.S_IMODE(mode.st_mode))  # after chown, which may clear set-id bits
        # As late as possible, to narrow the window in which another writer's change is lost
        if Path(target).read_bytes() != original_bytes:
            raise FileChangedError(f"{path}: the file changed on disk while it was being fixed; not written")
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _sync_directory(directory)


def _owner(path: str) -> Tuple[int, int]:
    st = os.stat(path)
    return st.st_uid, st.st_gid


def _sync_directory(directory: str) -> None:
    """Make the rename durable (POSIX); best effort, the file is already in place."""
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def encode_like(original_bytes: bytes, text: str) -> bytes:
    """`text` encoded as the original file was: its coding cookie or UTF-8, its BOM kept."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(original_bytes).readline)
    return text.encode(encoding)  # "utf-8-sig" writes the BOM back


def fix_bytes(data: bytes, lint: Callable[[bytes], List[Diagnostic]], unsafe: bool,
              max_rounds: int = 10) -> FixResult:
    """`fix_source` for a file's bytes: every round is linted as the bytes it would be written as,
    so a latin-1 file stays latin-1 from round to round."""
    def lint_text(text: str) -> List[Diagnostic]:
        return lint(encode_like(data, text))

    return fix_source(parsing.decode(data), lint_text, unsafe, max_rounds)
