"""Score ddblint on a frozen, labelled held-back set (docs/validation_*.csv).

    python docs/score_validation.py docs/validation_reach.csv --mirrors /work/.mirror [--workdir /tmp/val]

For every repository in the CSV it exports the labelled commit's Python files from a local git copy
(`<mirrors>/<owner>+<name>/repo`, or `<mirrors>/<name>`), runs `python -m ddblint check
--no-cache --isolated --output-format json .` there (default configuration, as the labels
assume), and scores each labelled site:

* a finding counts for a site when its row falls inside the call's lines (for a model-level
  DDB108 label, the class statement's lines), the rule used since the first held-back set;
* a must-flag site (expected codes) is found when a finding of one of its codes counts for it;
  codes of rules that are off by default (DDB105, DDB106, DDB305, DDB502) are scored apart;
* a must-not-flag site (`none`) is a false positive when a lost-write or region finding
  (DDB1xx, DDB2xx) counts for it; other codes there (an expression mistake on a guarded write)
  are listed, not counted.

It prints recall and false-positive rate overall and per `cause` column (when the CSV has
one), and every miss and false positive. Run it once, after the labels are committed.
"""
from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

OFF_BY_DEFAULT = {"DDB105", "DDB106", "DDB305", "DDB502"}
COUNTED_ON_CLEAN_SITES = ("DDB1", "DDB2")


def expected_codes(cell: str) -> Tuple[str, ...]:
    cell = cell.strip()
    if cell.lower() in ("", "none"):
        return ()
    return tuple(code for code in cell.replace(";", " ").replace("|", " ").split() if code)


def site_span(source: str, line: int) -> Tuple[int, int]:
    """The rows of the call (or class statement) that starts on `line`; the line alone when the
    file does not parse or nothing starts there."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return line, line
    best: Optional[Tuple[int, int]] = None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.lineno == line:
            return line, line
        if isinstance(node, ast.Call) and node.lineno == line:
            span = (node.lineno, node.end_lineno or node.lineno)
            if best is None or span[1] > best[1]:  # the outermost call starting there
                best = span
    return best or (line, line)


def score(sites: Iterable[dict], findings: Dict[str, List[dict]], spans: Dict[Tuple[str, int], Tuple[int, int]]):
    """Per-site verdicts: (site, verdict, codes seen on the span), verdict one of found, missed,
    off-by-default-found, off-by-default-missed, clean, false-positive, other-codes."""
    verdicts = []
    for site in sites:
        start, end = spans[(site["path"], int(site["line"]))]
        seen = sorted({f["code"] for f in findings.get(site["path"], ()) if start <= f["location"]["row"] <= end})
        expected = expected_codes(site["expected_codes_or_none"])
        if expected:
            hit = any(code in seen for code in expected)
            prefix = "off-by-default-" if all(code in OFF_BY_DEFAULT for code in expected) else ""
            verdicts.append((site, prefix + ("found" if hit else "missed"), seen))
        elif any(code.startswith(COUNTED_ON_CLEAN_SITES) for code in seen):
            verdicts.append((site, "false-positive", seen))
        else:
            verdicts.append((site, "other-codes" if seen else "clean", seen))
    return verdicts


def summary(verdicts) -> str:
    groups: Dict[str, Dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for site, verdict, _ in verdicts:
        for group in ("all", f"cause={site.get('cause') or '-'}"):
            groups[group][verdict] += 1
    lines = ["| group | recall (must flag) | FP rate (must not flag) | off by default found |", "|---|---|---|---|"]
    for name in sorted(groups, key=lambda g: (g != "all", g)):
        counts = groups[name]
        flag = counts["found"] + counts["missed"]
        clean = counts["clean"] + counts["other-codes"] + counts["false-positive"]
        off = counts["off-by-default-found"] + counts["off-by-default-missed"]
        lines.append(f"| {name} | {_ratio(counts['found'], flag)} | {_ratio(counts['false-positive'], clean)} | "
                     f"{_ratio(counts['off-by-default-found'], off)} |")
    for site, verdict, seen in verdicts:
        if verdict in ("missed", "false-positive", "other-codes"):
            lines.append(f"{verdict}: {site['repo']} {site['path']}:{site['line']} expected "
                         f"{site['expected_codes_or_none']} saw {','.join(seen) or '-'} ({site.get('note', '')})")
    return "\n".join(lines)


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.1%}" if whole else "-"


def _mirror(mirrors: Path, repo: str) -> Path:
    owner, name = repo.split("/")
    for candidate in (mirrors / f"{owner}+{name}" / "repo", mirrors / f"{owner}+{name}", mirrors / name):
        if candidate.exists():
            return candidate
    raise SystemExit(f"no local git copy of {repo} under {mirrors}")


def _export(mirror: Path, commit: str, into: Path) -> None:
    """The commit's Python files (snapshots may lack other blobs, such as large images)."""
    if into.exists():
        return
    listing = subprocess.run(["git", "-C", str(mirror), "ls-tree", "-r", "-z", "--name-only", commit],
                             check=True, capture_output=True).stdout.decode().split("\0")
    for name in (n for n in listing if n.endswith(".py")):
        blob = subprocess.run(["git", "-C", str(mirror), "show", f"{commit}:{name}"], capture_output=True)
        if blob.returncode == 0:
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.stdout)
    into.mkdir(parents=True, exist_ok=True)


def _run_ddblint(tree: Path) -> Dict[str, List[dict]]:
    done = subprocess.run([sys.executable, "-m", "ddblint", "check", "--no-cache", "--isolated", "--exit-zero",
                           "--output-format", "json", "."], cwd=tree, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if not k.startswith("DDBLINT_")})
    by_file: Dict[str, List[dict]] = defaultdict(list)
    for finding in json.loads(done.stdout or "[]"):
        by_file[Path(finding["filename"]).resolve().relative_to(tree.resolve()).as_posix()].append(finding)
    return by_file


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ddblint-validation"))
    args = parser.parse_args(argv)
    with args.csv.open(newline="", encoding="utf-8") as handle:
        sites = list(csv.DictReader(handle))
    verdicts = []
    for (repo, commit), group in _by_repository(sites).items():
        tree = args.workdir / repo.replace("/", "+") / commit[:12]
        _export(_mirror(args.mirrors, repo), commit, tree)
        findings = _run_ddblint(tree)
        spans = {(s["path"], int(s["line"])): site_span(_read(tree / s["path"]), int(s["line"])) for s in group}
        verdicts += score(group, findings, spans)
    print(summary(verdicts))
    return 0


def _by_repository(sites: List[dict]) -> Dict[Tuple[str, str], List[dict]]:
    groups: Dict[Tuple[str, str], List[dict]] = defaultdict(list)
    for site in sites:
        groups[(site["repo"], site["commit"])].append(site)
    return groups


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
