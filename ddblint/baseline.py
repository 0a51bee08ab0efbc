"""Baselines for adopting ddblint on existing code: counts per file and rule, ESLint-style.

A baseline records how many findings of each rule each file has, not where: inserting or moving
code keeps it valid, and one more finding of a counted rule in that file turns the run red again.
When a count goes up we cannot know which finding is the new one, so all of that rule's findings
in that file are reported, and the run says so.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ddblint.diagnostics import Diagnostic

VERSION = 1


def _key(diagnostic: Diagnostic, root: Path) -> str:
    return file_key(diagnostic.filename, root)


def file_key(filename: str, root: Path) -> str:
    return Path(os.path.relpath(Path(filename).resolve(), root)).as_posix()


def counts(diagnostics: Sequence[Diagnostic], root: Path) -> Dict[str, Dict[str, int]]:
    found: Dict[str, Counter] = {}
    for d in diagnostics:
        if d.code != "DDB000":  # a file that does not parse is never "accepted"
            found.setdefault(_key(d, root), Counter())[d.code] += 1
    return {path: dict(sorted(c.items())) for path, c in sorted(found.items())}


def write(path: Path, diagnostics: Sequence[Diagnostic], checked: Optional[Iterable[str]] = None) -> Tuple[int, int]:
    """Write the baseline; (findings, files) recorded. With `checked` (the file names this run
    looked at: pre-commit passes only the staged files) the entries of the other files are kept."""
    root = path.resolve().parent
    data = counts(diagnostics, root)
    if checked is not None and path.exists():
        looked_at = {file_key(name, root) for name in checked}
        for key, codes in load(path).items():
            if key not in looked_at:
                data[key] = codes
        data = dict(sorted(data.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": VERSION, "files": data}, indent=2, sort_keys=True) + "\n")
    return sum(sum(c.values()) for c in data.values()), len(data)


def load(path: Path) -> Dict[str, Dict[str, int]]:
    try:
        data = json.loads(path.read_text())
        files = data["files"]
        assert isinstance(files, dict) and all(
            isinstance(c, dict) and all(isinstance(n, int) for n in c.values()) for c in files.values())
        return files
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as error:
        raise ValueError(f"{path}: not a ddblint baseline ({type(error).__name__}: {error}); "
                         f"write one with --write-baseline") from error


def apply(path: Path, diagnostics: Sequence[Diagnostic],
          checked: Optional[Iterable[str]] = None) -> Tuple[List[Diagnostic], List[str]]:
    """(findings to report, notes): what exceeds the baseline, and counts that can be lowered
    (only for the files in `checked`, when given: a file not looked at has not improved)."""
    recorded = load(path)
    root = path.resolve().parent
    looked_at = None if checked is None else {file_key(name, root) for name in checked}
    now = counts(diagnostics, root)
    kept, notes = [], []
    for d in diagnostics:
        key = _key(d, root)
        allowed = recorded.get(key, {}).get(d.code, 0)
        if d.code == "DDB000" or now.get(key, {}).get(d.code, 0) > allowed:
            kept.append(d)
    for key, codes in now.items():
        for code, n in codes.items():
            allowed = recorded.get(key, {}).get(code, 0)
            if n > allowed > 0:
                notes.append(f"{key}: {n} {code} findings where the baseline allows {allowed}: all are reported, "
                             f"since which one is new cannot be told")
    for key, codes in recorded.items():
        if looked_at is not None and key not in looked_at:
            continue
        for code, allowed in codes.items():
            n = now.get(key, {}).get(code, 0)
            if n < allowed:
                notes.append(f"{key}: {code} is down to {n} from {allowed}: run --write-baseline to lower the baseline")
    return kept, notes
