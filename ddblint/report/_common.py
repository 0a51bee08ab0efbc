"""What the CI formats share: the repository root, paths relative to it, source lines and
fingerprints that survive lines moving.

The CI formats (sarif, github, gitlab) name files relative to the repository so that a report
made in a subdirectory, or in a checkout at another place, points at the same files; and they
identify a finding by its rule, the text of its line and how many such findings come before it
in the file, not by its line number, so inserting unrelated lines above does not turn a known
finding into a new one.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from ddblint.parsing import decode
from ddblint.text import LINE_BREAK

PARSE_ERROR = "DDB000"  # engine.PARSE_ERROR; the file was not analysed


def is_error(d) -> bool:
    """A finding that means the file was not checked at all (it does not parse): an error;
    every rule's finding is a warning."""
    return d.code == PARSE_ERROR


def repository_root(start: Optional[Path] = None) -> Path:
    """The nearest directory at or above `start` (default: the current directory) that holds
    `.git` (a directory, or the file a worktree or submodule has); else `start` itself."""
    start = Path(os.path.abspath(start if start is not None else os.getcwd()))
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def absolute(filename: str) -> str:
    return os.path.abspath(filename)


def relative_path(filename: str, base: Path) -> Optional[str]:
    """`filename` (as reported: relative to the current directory, or absolute) relative to
    `base`, with `/` separators; None when it lies outside `base`."""
    path = absolute(filename)
    for candidate, root in ((path, str(base)), (os.path.realpath(path), os.path.realpath(base))):
        try:
            relative = os.path.relpath(candidate, root)
        except ValueError:  # another drive on Windows
            continue
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep) and not os.path.isabs(relative):
            return PurePath(relative).as_posix()
    return None


def uri_path(relative: str) -> str:
    """A relative POSIX path as a URI reference: each segment percent-encoded (RFC 3986)."""
    return quote(relative, safe="/")


def file_uri(path: str) -> str:
    """An absolute path as a `file://` URI."""
    return Path(path).as_uri()


def directory_uri(path: Path) -> str:
    uri = Path(os.path.abspath(path)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


class Sources:
    """The lines of the reported files: from `sources` when the caller has them, else read from
    disk (decoded as Python does); a file that cannot be read has no lines."""

    def __init__(self, sources: Optional[Mapping[str, str]]) -> None:
        self.given = sources or {}
        self.cache: Dict[str, List[str]] = {}

    def lines(self, filename: str) -> List[str]:
        if filename not in self.cache:
            text = self.given.get(filename)
            if text is None and filename != "-":
                try:
                    text = decode(Path(filename).read_bytes())
                except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
                    text = None
            self.cache[filename] = LINE_BREAK.split(text) if text else []
        return self.cache[filename]

    def line(self, filename: str, row: int) -> str:
        lines = self.lines(filename)
        return lines[row - 1] if 0 < row <= len(lines) else ""


def occurrences(diagnostics: Sequence, key) -> List[int]:
    """For each diagnostic, how many earlier ones (in report order) share its `key(d)`:
    0 for the first, 1 for the second, ... so identical findings on identical lines differ."""
    seen: Dict[object, int] = {}
    result = []
    for d in diagnostics:
        k = key(d)
        result.append(seen.get(k, 0))
        seen[k] = seen.get(k, 0) + 1
    return result


def digest(*parts: str) -> str:
    """A hex SHA-256 of the parts, separated so that ("ab", "c") and ("a", "bc") differ."""
    import hashlib  # only the formats with fingerprints need it

    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(str(len(data)).encode() + b":" + data)
    return h.hexdigest()


def line_keys(diagnostics: Sequence, sources: Sources, paths: Optional[Sequence[str]] = None) -> List[Tuple[str, int]]:
    """Per diagnostic: a hash of (the path, if given; the code; the stripped text of its first
    line) and its occurrence index among the file's findings with the same hash (0, 1, ...).
    Neither depends on the line number, and stripping makes re-indenting not count either."""
    paths = list(paths) if paths is not None else [""] * len(diagnostics)
    hashes = [digest(p, d.code, sources.line(d.filename, d.location.row).strip())
              for d, p in zip(diagnostics, paths)]
    indexes = occurrences(list(zip((d.filename for d in diagnostics), hashes)), key=lambda k: k)
    return list(zip(hashes, indexes))


def ordered(diagnostics: Iterable) -> List:
    """Report order: by file, position and code (what the CLI sorts by), so occurrence
    indexes do not depend on the order rules ran in."""
    return sorted(diagnostics, key=lambda d: d.sort_key())


def region(start, end) -> Dict[str, int]:
    """A 1-based region with the end column one past the last character (what Diagnostic's
    exclusive end already is)."""
    return {"startLine": start.row, "startColumn": start.column, "endLine": end.row, "endColumn": end.column}


def category(code: str) -> Tuple[str, ...]:
    """Tags for a code, from its hundreds digit (the rule groups of the README)."""
    groups = {"0": "syntax", "1": "lost-writes", "2": "home-region", "3": "read-consistency", "4": "expressions"}
    digit = code[3:4] if code.startswith("DDB") else ""
    return ("dynamodb", groups[digit]) if digit in groups else ("dynamodb",)
