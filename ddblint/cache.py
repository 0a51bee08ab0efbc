"""A per-file result cache, laid out like Ruff's: ``<cache dir>/<ddblint version>/``.

The version directory is created lazily with a ``CACHEDIR.TAG`` (so backup tools skip it) and a
``.gitignore`` of ``*`` (so the cache ignores itself). Each entry is one JSON file,
``<first two hex digits>/<key>.json``, holding the diagnostics of one file and what they were
computed from besides it: the project modules it read (their size and modification time), and the
scans of the whole project it ran (who writes this PynamoDB model: ``dynamo/scans.py``), re-checked
on a look-up so that a file added or changed elsewhere is seen. Entries are written
to a temporary file in the same directory and moved into place with ``os.replace``, so a
concurrent run sees either no entry or a whole one. Nothing here raises: a corrupt entry is a
miss, and a cache directory that cannot be written simply disables caching.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from ddblint import __version__
from ddblint.diagnostics import Diagnostic, Edit, Fix, Location
from ddblint.dynamo import scans
from ddblint.dynamo.table_registry import registry_for

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by ddblint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
DEFAULT_DIRNAME = ".ddblint_cache"
ENV_VAR = "DDBLINT_CACHE_DIR"
_FORMAT = 2  # bump when the entry layout changes (2: scans)


def _loc(loc: Location) -> List[int]:
    return [loc.row, loc.column]


def _unloc(value) -> Location:
    row, column = value
    return Location(int(row), int(column))


def diagnostic_to_json(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        fix = {"message": d.fix.message, "applicability": d.fix.applicability,
               "edits": [{"content": e.content, "location": _loc(e.location),
                          "end_location": _loc(e.end_location)} for e in d.fix.edits]}
    return {"code": d.code, "message": d.message, "filename": d.filename,
            "location": _loc(d.location), "end_location": _loc(d.end_location), "fix": fix,
            "name": d.name, "url": d.url, "noqa_row": d.noqa_row}


def diagnostic_from_json(data: dict) -> Diagnostic:
    fix = None
    if data["fix"] is not None:
        f = data["fix"]
        fix = Fix(str(f["message"]), str(f["applicability"]),
                  tuple(Edit(str(e["content"]), _unloc(e["location"]), _unloc(e["end_location"]))
                        for e in f["edits"]))
    return Diagnostic(code=str(data["code"]), message=str(data["message"]),
                      filename=str(data["filename"]), location=_unloc(data["location"]),
                      end_location=_unloc(data["end_location"]), fix=fix, name=str(data["name"]),
                      url=data["url"], noqa_row=data["noqa_row"])


class ResultCache:
    """The cache of one run: the project walks its look-ups make are kept until it ends."""

    def __init__(self, directory: Path, version: str = __version__):
        self.version = version
        self.root = Path(directory) / version
        self.enabled = True
        self._prepared = False
        self._listings: dict = {}  # project root -> its files, walked by the first look-up that re-checks a scan

    @staticmethod
    def location(root: Path, explicit: Optional[str]) -> Path:
        """``--cache-dir`` > ``DDBLINT_CACHE_DIR`` > ``<root>/.ddblint_cache``."""
        if explicit:
            return Path(explicit)
        env = os.environ.get(ENV_VAR)
        if env:
            return Path(env)
        return Path(root) / DEFAULT_DIRNAME

    def key(self, data: bytes, path: Path, settings_fingerprint: str, rule_codes: Sequence[str],
            dependencies: Sequence[Tuple[str, float, int]] = ()) -> str:
        h = hashlib.sha256()

        def part(value: bytes) -> None:  # length-prefixed, so parts cannot run into each other
            h.update(len(value).to_bytes(8, "little"))
            h.update(value)

        part(f"ddblint {self.version} format {_FORMAT}".encode())
        part(data)
        part(str(path).encode("utf-8", "surrogateescape"))
        part(settings_fingerprint.encode())
        part("\0".join(sorted(rule_codes)).encode())
        for dep_path, mtime, size in sorted(dependencies):
            part(f"{dep_path}\0{mtime!r}\0{size}".encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def prepare(self) -> bool:
        if self._prepared:
            return True
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "*\n")):
                target = self.root / name
                if not target.exists():
                    self.write_atomic(target, text)
        except OSError:
            self.enabled = False
            return False
        self._prepared = True
        return True

    @staticmethod
    def write_atomic(target: Path, text: str) -> None:
        fd, tmp = tempfile.mkstemp(dir=str(target.parent), prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def get(self, key: str) -> Optional[List[Diagnostic]]:
        if not self.enabled:
            return None
        try:
            payload = json.loads(self._entry(key).read_text(encoding="utf-8"))
            if payload.get("key") != key or payload.get("version") != self.version:
                return None
            # modules of the project the result was computed from: any change is a miss
            for dep_path, mtime, size in payload.get("dependencies", ()):
                stat = os.stat(dep_path)
                if (stat.st_mtime_ns, stat.st_size) != (mtime, size):
                    return None
            # scans of the whole project it ran: a file added or changed since may match them now
            if not all(scans.holds(scan, self._listings) for scan in payload.get("scans", ())):
                return None
            return [diagnostic_from_json(d) for d in payload["diagnostics"]]
        except Exception:  # missing, unreadable, truncated, or not our layout: a miss
            return None

    def put(self, key: str, diagnostics: Sequence[Diagnostic], dependencies: Sequence[str] = (),
            scanned: Sequence[dict] = ()) -> None:
        """Store a result; `dependencies` are the files (imported project modules) it was computed
        from, `scanned` the `scans.record()`s of the project scans it ran."""
        if not self.enabled or not self.prepare():
            return
        try:
            entry = self._entry(key)
            entry.parent.mkdir(exist_ok=True)
            deps = []
            for dep in sorted(set(dependencies)):
                stat = os.stat(dep)
                deps.append([os.fspath(dep), stat.st_mtime_ns, stat.st_size])
            payload = {"version": self.version, "key": key, "dependencies": deps, "scans": list(scanned),
                       "diagnostics": [diagnostic_to_json(d) for d in diagnostics]}
            self.write_atomic(entry, json.dumps(payload, separators=(",", ":")))
        except (OSError, ValueError, TypeError):
            pass


def settings_fingerprint(settings) -> str:
    """A stable hash of what, besides the file itself, decides a file's results.

    It covers ``repr(settings)`` (a dataclass of tuples, so its repr is stable), the
    configuration file's mtime and size, the table registry's facts (configured and discovered
    from infrastructure code), and the mtime and size of every file those facts cite. A new
    infrastructure file that declares nothing yet known is not seen until a fact cites it.
    """
    h = hashlib.sha256(repr(settings).encode("utf-8", "surrogateescape"))
    files = set()
    if getattr(settings, "config_path", None) is not None:
        files.add(Path(settings.config_path))
    if getattr(settings, "config_path", None) is not None or getattr(settings, "infrastructure", ()):
        try:
            registry = registry_for(settings)
            h.update(repr(registry.facts).encode("utf-8", "surrogateescape"))
            for _, facts in registry.facts:
                for fact in facts.values():
                    source = getattr(fact, "source", None)
                    if isinstance(source, str) and source:
                        name = source.rsplit(":", 1)[0] if source.rsplit(":", 1)[-1].isdigit() else source
                        files.add(Path(settings.root) / name)
        except Exception as exc:  # discovery failing must not break linting; it just alters the key
            h.update(f"registry-error {type(exc).__name__}".encode())
    for path in sorted(files, key=str):
        try:
            st = path.stat()
            h.update(f"\0{path}\0{st.st_mtime_ns}\0{st.st_size}".encode("utf-8", "surrogateescape"))
        except OSError:
            h.update(f"\0{path}\0missing".encode("utf-8", "surrogateescape"))
    return h.hexdigest()
