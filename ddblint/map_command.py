"""`ddblint map`: who reads and writes which table, from which region, guarded or not.

The files are found as `ddblint check` finds them and linted through the same `runner.Linter`
(settings, rules, worker pool), in its map mode: each file's outcome also carries its DynamoDB
calls with the codes of the findings on them. The calls and the tables the projects declare are
assembled into a `topology.Topology`, which a `mapview` format renders. Exit code 0, or 2 for a
usage, configuration or internal error; a file that cannot be read or parsed is named in the map
and on standard error, and does not change the exit code (the map is a report, not a gate).
"""
from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, List

from ddblint import engine, files, mapview, runner, topology
from ddblint.topology import Access, Problem

EXIT_OK, EXIT_ERROR = 0, 2

# What the linter of a map run does not do: fix, cache (the cache keeps findings, not calls),
# compute fixes' edits, or read standard input.
_LINT_OPTIONS = dict(fix=False, diff=False, fix_only=False, unsafe_fixes=False, no_cache=True, cache_dir=None,
                     output_format=None, stdin_filename=None, map=True)


def run_map(args) -> int:
    return MapCommand(args).run()


class MapCommand:
    """discover → lint (map mode) → assemble → render."""

    def __init__(self, args) -> None:
        self.args = args
        self.linter = runner.Linter(SimpleNamespace(**{**vars(args), **_LINT_OPTIONS}))
        self.jobs: List[runner.Job] = []
        self.problems: List[Problem] = []
        self.accesses: List[Access] = []
        self.errors: List[str] = []
        self.settings: Dict[int, object] = {}  # id -> the settings of the files seen, in order

    def run(self) -> int:
        paths = [Path(p) for p in (self.args.paths or ["."])]
        if any(str(p) == "-" for p in paths):
            raise runner.UsageError("`ddblint map` reads files, not standard input")
        self.discover(paths)
        looked_at = len(self.jobs) + len(self.problems)
        self.lint()
        found = topology.assemble(self.accesses, list(self.settings.values()), files.display, self.problems,
                                  files=looked_at)
        self.write(mapview.render(self.args.output_format, found))
        self.report(found)
        return EXIT_ERROR if self.errors else EXIT_OK

    def discover(self, paths: List[Path]) -> None:
        found, missing = files.discover(paths, self.linter.settings_for, notices=[])
        for path, message in missing:
            self.problems.append(Problem(files.display(path), 1, 1, message))
        for path in found:
            try:
                data = path.read_bytes()
            except OSError as error:
                self.problems.append(Problem(files.display(path), 1, 1, f"cannot read the file: {error.strerror or error}"))
                continue
            settings = self.linter.settings_for(path)
            self.settings.setdefault(id(settings), settings)
            self.jobs.append(runner.Job(data, path, files.display(path)))

    def lint(self) -> None:
        workers = self.args.jobs or runner.default_jobs()
        progress = runner.Progress() if runner.Progress.wanted(self.args) else None
        for outcome in runner.run(self.linter, self.jobs, workers, progress):
            self.accesses.extend(outcome.accesses or ())
            self.problems.extend(Problem(d.filename, d.location.row, d.location.column, d.message)
                                 for d in outcome.diagnostics if d.code == engine.PARSE_ERROR)
            self.errors.extend(error.partition("\n")[0] if not self.args.verbose else error
                               for error in outcome.errors)

    def write(self, output: str) -> None:
        if self.args.output_file:
            try:
                Path(self.args.output_file).parent.mkdir(parents=True, exist_ok=True)
                Path(self.args.output_file).write_text(output, encoding="utf-8", errors="surrogateescape")
            except OSError as error:
                raise runner.UsageError(f"cannot write {self.args.output_file}: {error.strerror or error}") from error
            return
        sys.stdout.flush()
        if hasattr(sys.stdout, "buffer"):
            sys.stdout.buffer.write(output.encode(sys.stdout.encoding or "utf-8", "backslashreplace"))
        else:
            sys.stdout.write(output)
        sys.stdout.flush()

    def report(self, found: topology.Topology) -> None:
        """Errors, unmapped files and a one-line summary on standard error."""
        for error in self.errors:
            print(f"ddblint: error: {mapview.printable(error)}", file=sys.stderr)
        if self.args.quiet:
            return
        for problem in self.problems:
            warning = f"ddblint: warning: {problem.path}: not mapped: {problem.message}"
            print(mapview.printable(warning), file=sys.stderr)
        calls = sum(len(t.accesses) for t in found.tables)
        print(f"Mapped {len(found.tables)} table{'s' if len(found.tables) != 1 else ''} and {calls} "
              f"call{'s' if calls != 1 else ''} in {found.files} file{'s' if found.files != 1 else ''}.",
              file=sys.stderr)
