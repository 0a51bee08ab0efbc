"""What cross-module resolution (the project index, ddblint/dynamo/project.py) costs a full run.

    python bench/project_index.py PATH [PATH ...] [--reps 5]

Runs `ddblint check --no-cache --jobs 1` in-process on each PATH, alternating two variants,
and prints the median wall times: with imports of the project's own modules followed (as
shipped) and with them switched off (every project import unresolved). The ratio is what the
index adds. Each variant runs in a fresh subprocess so neither warms the other's caches.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

_RUN = """
import sys
from ddblint import cli
if sys.argv[1] == "off":
    from ddblint.dynamo import project
    project.Project.resolve = lambda self, qualname, importer: None
sys.exit(cli.main(["check", "--no-cache", "--jobs", "1", "-q", "--exit-zero", "--output-format", "concise", sys.argv[2]]))
"""


def lines(path: Path) -> int:
    total = 0
    for file in path.rglob("*.py"):
        try:
            total += file.read_bytes().count(b"\n")
        except OSError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    print("| tree | lines | index on (s) | index off (s) | added | findings on / off |")
    print("|---|---:|---:|---:|---:|---:|")
    for path in args.paths:
        times = {"on": [], "off": []}
        findings = {}
        for _ in range(args.reps):
            for variant in ("on", "off"):
                start = time.perf_counter()
                done = subprocess.run([sys.executable, "-c", _RUN, variant, str(path)],
                                      capture_output=True, text=True, check=False)
                times[variant].append(time.perf_counter() - start)
                findings[variant] = len(done.stdout.splitlines())
        on, off = statistics.median(times["on"]), statistics.median(times["off"])
        print(f"| {path.name} | {lines(path):,} | {on:.2f} | {off:.2f} | {100 * (on - off) / off:+.1f} % "
              f"| {findings['on']} / {findings['off']} |", flush=True)


if __name__ == "__main__":
    main()
