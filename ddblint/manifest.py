"""What the last cached run decided for each file, keyed by the file's stat: a warm run settles
an unchanged file without reading it, as Ruff's cache does (its key is the modification time).

One JSON file per cache location, beside the result cache's entries (``<cache dir>/<ddblint
version>/files.json``):

- ``files``: absolute path -> ``[mtime_ns, size, inode, context, verdict, mentions]``, where
  ``verdict`` is ``""`` (the prefilter showed that no enabled rule can fire) or the result cache's
  key of the file's diagnostics, ``context`` what besides the bytes decided it (the settings'
  fingerprint and the rules), and ``mentions`` whether the bytes hold a word the prefilter looks
  for in imported modules (which decides whether a run follows imports at all);
- ``follow``: whether that run followed imports;
- ``projects``: for each project root, what its import-following answers rested on
  (`Project.prefilter_record`: the directories it listed and what each module it read mentions).

A verdict stands only while the file's stat and context are the same and every project's record
still holds; otherwise the file is read and decided again, as on a cold run. A file modified less
than RACY_NS before it was recorded is not recorded, and a table whose project records name a
directory or module that recent is not written: a second edit within the same tick of the file
system's clock would leave its stat unchanged (git's "racily clean" entries). Nothing here
raises: a missing or corrupt table is an empty one, and one that cannot be written is not kept.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ddblint import __version__

FILE_NAME = "files.json"
_FORMAT = 1  # bump when the layout changes
RACY_NS = 2_000_000_000


class Entry:
    """One file's record: the stat it was decided at, and what was decided."""

    __slots__ = ("stat", "context", "verdict", "mentions")

    def __init__(self, stat: List[int], context: str, verdict: str, mentions: bool) -> None:
        self.stat, self.context, self.verdict, self.mentions = stat, context, verdict, mentions

    def as_json(self) -> list:
        return [*self.stat, self.context, self.verdict, self.mentions]


def stat_of(path: Path) -> Optional[List[int]]:
    """[mtime_ns, size, inode] of a file, None when it cannot be stat'ed."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_mtime_ns, found.st_size, found.st_ino]


@functools.lru_cache(maxsize=256)
def _context(fingerprint: str, codes: Tuple[str, ...]) -> str:
    return hashlib.sha256("\0".join((fingerprint, *codes)).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def context(fingerprint: str, codes) -> str:
    """What besides a file's bytes decides its verdict, short: the settings' fingerprint and the rules."""
    return _context(fingerprint, tuple(codes))


class Manifest:
    """The table of one cache location (`cache.ResultCache.root`)."""

    def __init__(self, directory: Path, version: str = __version__) -> None:
        self.path = Path(directory) / FILE_NAME
        self.version = version
        self.entries: Dict[str, Entry] = {}
        self.follow: Optional[bool] = None
        self.projects: Dict[str, dict] = {}
        self.recorded: Dict[str, Entry] = {}  # this run's decisions

    @classmethod
    def load(cls, directory: Path, version: str = __version__) -> "Manifest":
        manifest = cls(directory, version)
        try:
            payload = json.loads(manifest.path.read_text(encoding="utf-8"))
            if payload["format"] != _FORMAT or payload["version"] != version:
                return manifest
            manifest.follow = bool(payload["follow"])
            manifest.projects = {str(root): record for root, record in payload["projects"].items()}
            for path, (mtime, size, inode, context, verdict, mentions) in payload["files"].items():
                manifest.entries[path] = Entry([mtime, size, inode], str(context), str(verdict), bool(mentions))
        except Exception:  # noqa: BLE001 - missing, unreadable, truncated or not ours: an empty table
            manifest.entries, manifest.projects, manifest.follow = {}, {}, None
        return manifest

    def entry(self, path: str, stat: Optional[List[int]], context: str) -> Optional[Entry]:
        """The record of the file at `path` (absolute) when its stat and context are the ones it
        was decided at."""
        found = self.entries.get(path)
        if found is None or stat is None or found.stat != stat or found.context != context:
            return None
        return found

    def record(self, path: str, stat: Optional[List[int]], context: str, verdict: str, mentions: bool) -> None:
        """This run's decision for the file at `path` (absolute), when its stat can be trusted to
        change with its content."""
        if stat is not None and time.time_ns() - stat[0] >= RACY_NS:
            self.recorded[path] = Entry(stat, context, verdict, mentions)

    def holds(self, follow: bool, projects) -> bool:
        """Whether the recorded verdicts still stand: the same import following, and every
        project's record still true (`projects`: root -> its `Project`)."""
        if self.follow is None or self.follow != follow:
            return False
        return all(projects(root).prefilter_holds(record) for root, record in self.projects.items())

    def save(self, cache, follow: bool, records: Dict[str, dict], kept: bool) -> None:
        """Write this run's decisions; `kept`: the earlier ones still held, so they are kept
        for the files this run did not check (pre-commit passes a few), and the project records
        they rest on with them."""
        if _newest(records) > time.time_ns() - RACY_NS:
            return  # a directory or module changed just now: a second change may not show in its stat
        entries = dict(self.entries) if kept else {}
        entries.update(self.recorded)
        projects = {root: _merged(self.projects.get(root), record) if kept else record
                    for root, record in records.items()}
        if kept:
            projects = {**self.projects, **projects}
        if follow == self.follow and projects == self.projects and entries.keys() == self.entries.keys() \
                and all(entry.as_json() == self.entries[path].as_json() for path, entry in entries.items()):
            return  # nothing new: a warm run of an unchanged project writes nothing
        payload = {"format": _FORMAT, "version": self.version, "follow": follow, "projects": projects,
                   "files": {path: entry.as_json() for path, entry in entries.items()}}
        if cache.prepare():
            try:
                cache.write_atomic(self.path, json.dumps(payload, separators=(",", ":")))
            except OSError:
                pass  # not kept: the next run decides every file again


def _newest(records: Dict[str, dict]) -> int:
    """The latest modification time in the projects' records (0 when they are empty)."""
    times = [0]
    for record in records.values():
        times += [mtime for mtime in record["directories"].values() if mtime is not None]
        times += [stamp[1] for stamp, _ in record["modules"].values()]
    return max(times)


def _merged(old: Optional[dict], new: dict) -> dict:
    if not old:
        return new
    return {part: {**old.get(part, {}), **new.get(part, {})} for part in set(old) | set(new)}

