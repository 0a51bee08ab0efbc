"""GitLab Code Quality (a subset of Code Climate's JSON): findings in merge request widgets.

    [{"description": "DDB101 ...", "check_name": "DDB101", "fingerprint": "...", "severity": "major",
      "location": {"path": "src/app.py", "positions": {"begin": {"line": 4, "column": 5},
                                                        "end": {"line": 4, "column": 60}}}}]

`path` is relative to `CI_PROJECT_DIR` when it is set (in a GitLab job), else to the repository
root (the nearest `.git` above the current directory), with `/` separators; a file outside that
keeps its absolute path. `fingerprint` hashes the path, the code, the stripped text of the
finding's first line and its occurrence index among the file's findings with the same three: no
line number, so inserting unrelated lines above keeps an issue the same issue (GitLab compares
fingerprints between the source and target branch). Severity: `critical` for DDB000 (the file
was not checked), `major` for every rule's finding.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ddblint.report import _common

ORDER = 6
NEEDS_SOURCES = True  # the line hashes of the fingerprints


def base_directory() -> Path:
    project = os.environ.get("CI_PROJECT_DIR")
    return Path(os.path.abspath(project)) if project else _common.repository_root()


def render(diagnostics, sources) -> str:
    base = base_directory()
    diagnostics = _common.ordered(diagnostics)
    paths = [_common.relative_path(d.filename, base) or Path(_common.absolute(d.filename)).as_posix()
             for d in diagnostics]
    keys = _common.line_keys(diagnostics, _common.Sources(sources), paths)
    issues = []
    for d, path, (line_hash, occurrence) in zip(diagnostics, paths, keys):
        issues.append({
            "description": f"{d.code} {d.message}",
            "check_name": d.code,
            "fingerprint": _common.digest(line_hash, str(occurrence))[:32],
            "severity": "critical" if _common.is_error(d) else "major",
            "location": {"path": path, "positions": {
                "begin": {"line": d.location.row, "column": d.location.column},
                "end": {"line": d.end_location.row, "column": d.end_location.column}}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
