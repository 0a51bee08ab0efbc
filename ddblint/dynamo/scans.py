"""Word scans of the project's files, and the re-check of a cached result that depended on one.

Some questions need the whole project: which modules write this PynamoDB model (DDB108). They are
answered by a scan: the project's Python files whose bytes hold one word of every clause of a
`Query`, and then a parse of those files alone. A result computed from a scan depends on every file
the scan could have matched, files that did not exist yet included, so the result cache cannot
list them: it keeps the scan instead (`record`: the query, when it ran, and the files it matched)
and re-checks it on a look-up (`holds`). The files it matched must be unchanged, and none of the
files changed since it ran (by their status-change time, which every write, creation and rename
sets, and which no tool can set back) may match it now. A look-up so costs one walk of the project,
with a `stat` per file, per run, and a read of the files changed since the scan; nothing else.
This is mypy's and Ruff's stamp check (size and modification time), applied to the files a
question could be about rather than to the files it read.
"""
from __future__ import annotations

import bisect
import hashlib
import itertools
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ddblint.dynamo.project import python_files

# A scan reads at most this many files, each at most this big: a huge tree costs no run, and a
# module this big is generated (a writer of a model is a service module).
MAX_FILES = 5000
MAX_BYTES = 64_000
# File times are as coarse as the file system's clock (a tick on Linux, 1 s on ext3, 2 s on FAT):
# a file changed this little before a scan began is read again on a look-up rather than trusted.
_CLOCK_MARGIN_NS = 2_000_000_000


@dataclass(frozen=True)
class Entry:
    path: Path
    stamp: Tuple[int, int]  # (size, modification time in ns): the same file while it holds
    changed: int  # the latest of its status-change and modification times (ns)


@dataclass(frozen=True)
class Listing:
    """The project's Python files (at most MAX_FILES of them, in the walk's stable order)."""

    entries: Tuple[Entry, ...]
    truncated: bool  # more files than MAX_FILES: which ones are in depends on the others

    @property
    def digest(self) -> str:
        return hashlib.sha256("\0".join(self.by_path).encode("utf-8", "surrogateescape")).hexdigest()

    @cached_property
    def by_path(self) -> Dict[str, Entry]:
        return {os.fspath(entry.path): entry for entry in self.entries}

    @cached_property
    def _by_change(self) -> Tuple[List[int], List[Entry]]:
        ordered = sorted(self.entries, key=lambda entry: entry.changed)
        return [entry.changed for entry in ordered], ordered

    def changed_since(self, moment: int) -> List[Entry]:
        """The files changed at or after `moment` (ns): on a look-up, the few edited since a scan."""
        times, ordered = self._by_change
        return ordered[bisect.bisect_left(times, moment):]


def listing(root: Path) -> Listing:
    entries = []
    for path in itertools.islice(python_files(root), MAX_FILES + 1):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        entries.append(Entry(path, (stat.st_size, stat.st_mtime_ns), max(stat.st_ctime_ns, stat.st_mtime_ns)))
    return Listing(tuple(entries[:MAX_FILES]), len(entries) > MAX_FILES)


@dataclass(frozen=True)
class Query:
    """Files that hold one of `keep` (the sources a scan keeps in memory) and one word of every clause."""

    keep: Tuple[bytes, ...]
    clauses: Tuple[Tuple[bytes, ...], ...]

    def matches(self, source: bytes) -> bool:
        return bool(source) and all(any(word in source for word in clause) for clause in self.clauses)


# root, keep -> path -> (stamp, source or b""): each file read once per stamp and process; only the
# sources that hold a `keep` word are kept (the others are b"").
_sources: Dict[Tuple[Path, Tuple[bytes, ...]], Dict[Path, Tuple[Tuple[int, int], bytes]]] = {}


def sources(root: Path, keep: Tuple[bytes, ...], files: Listing) -> Dict[Path, bytes]:
    """The listed files' sources by path, empty when a file holds none of `keep` (or is too big).
    What an earlier call read is kept while its stamp holds; files gone since are dropped."""
    earlier = _sources.get((root, keep), {})
    known = {}
    for entry in files.entries:
        source = _source(entry, keep, earlier)
        if source is not None:
            known[entry.path] = (entry.stamp, source)
    _sources[(root, keep)] = known
    return {path: source for path, (_, source) in known.items()}


def _source(entry: Entry, keep: Tuple[bytes, ...], known: dict) -> Optional[bytes]:
    if entry.path in known and known[entry.path][0] == entry.stamp:
        return known[entry.path][1]
    try:
        data = entry.path.read_bytes() if entry.stamp[0] <= MAX_BYTES else b""
    except OSError:
        return None
    source = data if any(word in data for word in keep) else b""
    known[entry.path] = (entry.stamp, source)
    return source


# -- the result cache's side ------------------------------------------------------------------------
def record(root: Path, query: Query, started: int, files: Listing, matched: Sequence[Path],
           skip: Optional[Path] = None) -> dict:
    """What a cache entry keeps of a scan that began at `started` (ns, before its walk) over `files`
    and matched `matched` (`skip`, the module checked, aside: the entry's key covers it)."""
    stamps = {entry.path: entry.stamp for entry in files.entries}
    return {"root": os.fspath(root), "keep": [w.decode("latin-1") for w in query.keep],
            "clauses": [[w.decode("latin-1") for w in clause] for clause in query.clauses],
            "skip": os.fspath(skip) if skip is not None else None, "started": started,
            "matched": [[os.fspath(path), *stamps[path]] for path in matched if path in stamps],
            "truncated": files.truncated, "digest": files.digest if files.truncated else None}


def holds(scan: dict, listings: Dict[str, Listing]) -> bool:
    """Whether the scan a cache entry recorded would match the same files now. `listings` holds
    the project walks of the current run (one per root), so that many entries cost one walk."""
    root = scan["root"]
    if root not in listings:
        listings[root] = listing(Path(root))
    files = listings[root]
    if (scan["truncated"] or files.truncated) and files.digest != scan["digest"]:
        return False  # past MAX_FILES, which files are scanned depends on the others
    query = Query(tuple(w.encode("latin-1") for w in scan["keep"]),
                  tuple(tuple(w.encode("latin-1") for w in clause) for clause in scan["clauses"]))
    matched = {path: (size, mtime) for path, size, mtime in scan["matched"]}
    if any(path not in files.by_path or files.by_path[path].stamp != stamp for path, stamp in matched.items()):
        return False  # a file it matched changed, or is gone
    store = _sources.setdefault((Path(root), query.keep), {})
    for entry in files.changed_since(int(scan["started"]) - _CLOCK_MARGIN_NS):
        path = os.fspath(entry.path)
        if path not in matched and path != scan["skip"] and query.matches(_source(entry, query.keep, store) or b""):
            return False  # a file that did not match, or did not exist, matches now
    return True

