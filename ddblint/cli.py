"""The command line: `ddblint check`, `ddblint rule`. Flags and exit codes follow Ruff.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error.
Findings go to standard output (or --output-file); the summary and errors to standard error.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ddblint import (
    __version__, baseline, config, engine, files, mapview, noqa, parsing, registry, report, runner, tablecheck,
)
from ddblint.dynamo import table_registry
from ddblint.diagnostics import Diagnostic, Fix, Location
from ddblint.report import github as github_report

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
UsageError = runner.UsageError


def _jobs(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {value!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ddblint", description=(
        "A linter for Python code that uses Amazon DynamoDB, above all Global Tables."))
    parser.add_argument("--version", action="version", version=f"ddblint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check files and directories (default: the current directory)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; `-` reads standard input")
    check.add_argument("--select", action="append", metavar="CODES", help="rules to enable (codes or prefixes, comma-separated); replaces the configured selection")
    check.add_argument("--extend-select", action="append", metavar="CODES", help="rules to enable on top of the selection")
    check.add_argument("--ignore", action="append", metavar="CODES", help="rules to disable")
    check.add_argument("--output-format", choices=report.formats(),
                       default=os.environ.get("DDBLINT_OUTPUT_FORMAT") or "full", help="how to print findings (env DDBLINT_OUTPUT_FORMAT)")
    check.add_argument("--github-annotation-level", choices=github_report.LEVELS,
                       default=github_report.DEFAULT_LEVEL,
                       help="with --output-format github: the workflow command of each finding (default: warning; "
                            "a file that was not checked, DDB000, is always an error)")
    check.add_argument("-o", "--output-file", metavar="FILE", default=os.environ.get("DDBLINT_OUTPUT_FILE"),
                       help="write findings to FILE instead of standard output")
    check.add_argument("--absolute-paths", action="store_true",
                       help="print each finding's file as an absolute path (for editors that link only those, e.g. PyCharm)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--fix", action="store_true", help="apply safe fixes (and unsafe ones with --unsafe-fixes)")
    check.add_argument("--unsafe-fixes", action="store_true", help="also offer and apply fixes that change behaviour")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff instead of writing them (exit 1 if any)")
    check.add_argument("--show-fixes", action="store_true", help="list the fixes applied, per file and rule")
    check.add_argument("--fix-only", action="store_true", help="apply fixes and do not report what remains (exit 0)")
    check.add_argument("--baseline", metavar="FILE", help="report only findings beyond the counts recorded in FILE")
    check.add_argument("--write-baseline", metavar="FILE", help="record the current findings' counts per file and rule in FILE")
    check.add_argument("--add-noqa", nargs="?", const="", default=None, metavar="REASON",
                       help="add `# noqa: CODE` to every line with a finding (optionally followed by REASON)")
    check.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when a fix was applied, even if nothing remains")
    check.add_argument("--statistics", action="store_true", help="print a count per rule instead of the findings")
    check.add_argument("--stdin-filename", metavar="PATH", help="the path of the source read from standard input (for configuration and messages)")
    check.add_argument("--config", action="append", metavar="FILE|KEY=VALUE",
                       help="a configuration file to use instead of discovery, or a TOML `KEY = VALUE` override (repeatable)")
    check.add_argument("--isolated", action="store_true",
                       help="ignore every configuration file (pyproject.toml, ddblint.toml): defaults and --config KEY=VALUE only")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", metavar="DIR", help="where the result cache lives (env DDBLINT_CACHE_DIR; default .ddblint_cache)")
    check.add_argument("--exclude", action="append", metavar="GLOB", help="paths to exclude, replacing the configured `exclude`")
    check.add_argument("--extend-exclude", action="append", metavar="GLOB", help="paths to exclude on top of `exclude`")
    check.add_argument("--force-exclude", action="store_true", help="apply exclusions to paths given explicitly too (for pre-commit)")
    check.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false", default=None,
                       help="check files .gitignore excludes")
    check.add_argument("-j", "--jobs", type=_jobs, default=0, metavar="N",
                       help="worker processes (default: one per core; small inputs use one process)")
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    check.add_argument("-v", "--verbose", action="store_true", help="show internal tracebacks")

    tables = commands.add_parser("tables", help="print the table registry: each table, each fact, where it came from")
    tables.add_argument("path", nargs="?", default=".", help="a file or directory whose configuration to use")
    tables.add_argument("--config", action="append", metavar="FILE|KEY=VALUE", help="as for `check`")
    add_map_parser(commands)
    commands.add_parser("server", help="run the language server over standard input and output")

    rule = commands.add_parser("rule", help="explain a rule")
    rule.add_argument("code", nargs="?", help="a rule code such as DDB101, or its name")
    rule.add_argument("--all", action="store_true", help="every rule")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "rule":
            return run_rule(args)
        if args.command == "tables":
            return run_tables(args)
        if args.command == "map":
            # deferred: the map's topology matches tables with the model's value types (dynamo/
            # tables.py, values.py), which `check` loads only when a file is modelled
            from ddblint import map_command

            return map_command.run_map(args)
        if args.command == "server":
            # deferred: the server imports pygls (an optional dependency) and asyncio: ~0.5 s
            from ddblint import server

            return server.main()
        parser.print_help()
        return EXIT_OK
    except (config.ConfigError, UsageError) as error:
        print(f"ddblint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - an internal error is exit 2 and one line, as in Ruff
        if getattr(args, "verbose", False):
            traceback.print_exc()
        print(f"ddblint: error: internal error: {type(error).__name__}: {error}; please report it"
              + ("" if getattr(args, "verbose", False) else " (run with -v for the traceback)"), file=sys.stderr)
        return EXIT_ERROR


def add_map_parser(commands) -> None:
    """`ddblint map` (ddblint/map_command.py): the flags it shares with `check` mean the same."""
    table = commands.add_parser("map", help="who reads and writes which table, from which region, guarded or not")
    table.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: the current directory)")
    table.add_argument("--output-format", choices=mapview.formats(), default="text",
                       help="text (default), mermaid (Markdown), dot (Graphviz), json (docs/map.md) or html")
    table.add_argument("-o", "--output-file", metavar="FILE", help="write the map to FILE instead of standard output")
    table.add_argument("--select", action="append", metavar="CODES", help="as for `check`: the findings shown on calls")
    table.add_argument("--extend-select", action="append", metavar="CODES", help="as for `check`")
    table.add_argument("--ignore", action="append", metavar="CODES", help="as for `check`")
    table.add_argument("--config", action="append", metavar="FILE|KEY=VALUE", help="as for `check`")
    table.add_argument("--isolated", action="store_true", help="as for `check`")
    table.add_argument("--exclude", action="append", metavar="GLOB", help="as for `check`")
    table.add_argument("--extend-exclude", action="append", metavar="GLOB", help="as for `check`")
    table.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false", default=None,
                       help="as for `check`")
    table.add_argument("-j", "--jobs", type=_jobs, default=0, metavar="N", help="as for `check`")
    table.add_argument("-q", "--quiet", action="store_true", help="print the map only, no summary")
    table.add_argument("-v", "--verbose", action="store_true", help="show internal tracebacks")


# -- ddblint rule ------------------------------------------------------------------------------
def run_rule(args) -> int:
    rules = registry.all_rules()
    if args.all:
        chosen = list(rules.values())
    elif args.code:
        wanted = args.code.strip()
        chosen = [r for r in rules.values() if wanted.upper() == r.code or wanted.lower() == r.name]
        if not chosen:
            raise UsageError(f"unknown rule `{wanted}`; `ddblint rule --all` lists them")
    else:
        raise UsageError("give a rule code (e.g. `ddblint rule DDB101`) or --all")
    if args.output_format == "json":
        data = [r.as_json() for r in chosen]
        print(json.dumps(data if args.all else data[0], indent=2))
    else:
        print("\n".join(r.documentation() for r in chosen), end="")
    return EXIT_OK


# -- ddblint check -----------------------------------------------------------------------------
def run_check(args) -> int:
    return CheckCommand(args).run()


class CheckCommand:
    """`ddblint check` as a pipeline: discover the files (or read standard input), lint them,
    post-process the findings (--add-noqa, --write-baseline, --baseline), render them, and
    decide the exit code. A fixing run (--fix, --diff, --fix-only) reports its fixes instead."""

    def __init__(self, args) -> None:
        if args.output_format not in report.formats():  # argparse does not check a default (DDBLINT_OUTPUT_FORMAT)
            raise UsageError(f"unknown output format `{args.output_format}` (from DDBLINT_OUTPUT_FORMAT); "
                             f"expected one of {', '.join(report.formats())}")
        self.args = args
        self.linter = runner.Linter(args)
        self.rules = self.linter.rules
        self.read_stdin = args.paths == ["-"] or (args.stdin_filename is not None and not args.paths)
        self.paths: List[Path] = []  # the paths named on the command line
        self.jobs: List[runner.Job] = []
        self.diagnostics: List[Diagnostic] = []
        self.errors: List[str] = []
        self.sources: Dict[str, str] = {}  # for the formats that need the files' text
        self.checked = 0
        self.looked_at: List[str] = []  # every file linted, for the baseline
        self.ran: set = set()  # the codes enabled for some file
        self.settings_seen: Dict[int, object] = {}
        self.fixed: List[tuple] = []  # (display, applied diagnostics, diff text or fixed bytes)
        self.stdin_data = b""

    def run(self) -> int:
        self.discover()
        self.lint()
        if self.linter.fixing:
            return self.report_fixes()
        self.diagnostics.sort(key=Diagnostic.sort_key)
        finished = self.post_process()
        if finished is not None:
            return finished
        self.render()
        return self.exit_code()

    # -- discover ----------------------------------------------------------------------------
    def discover(self) -> None:
        """The jobs: standard input, or the files found under the paths given (read here)."""
        if self.read_stdin:
            self.discover_stdin()
            return
        if "-" in self.args.paths:
            raise UsageError("`-` (standard input) cannot be mixed with paths")
        self.paths = [Path(p) for p in (self.args.paths or ["."])]
        notices: List = []
        found, missing = files.discover(self.paths, self.linter.settings_for, force_exclude=self.args.force_exclude,
                                        notices=notices)
        if not self.args.quiet:
            for path, message in notices:
                print(_printable(f"ddblint: warning: {files.display(path)}: {message}"), file=sys.stderr)
        for path, message in missing:
            self.diagnostics.append(engine.file_problem(files.display(path), message))
        for path in found:  # read by the runner: a warm run settles an unchanged file unread
            self.add_job(b"", path, files.display(path), unread=True)

    def discover_stdin(self) -> None:
        name = self.args.stdin_filename or "-"
        path = Path(name).resolve() if name != "-" else Path.cwd() / "-"
        self.stdin_data = sys.stdin.buffer.read()
        # As in Ruff: with --force-exclude an excluded --stdin-filename is not linted (editors pass it).
        if not (self.args.force_exclude and self.args.stdin_filename and self.linter.excluded(path)):
            self.add_job(self.stdin_data, path, name)

    def add_job(self, data: bytes, path: Path, display: str, unread: bool = False) -> None:
        settings, enabled = self.linter.enabled(path)
        self.ran.update(r.code for r in enabled)
        self.settings_seen[id(settings)] = settings
        self.jobs.append(runner.Job(data, path, display, unread))

    # -- lint --------------------------------------------------------------------------------
    def lint(self) -> None:
        """Every job's outcome, then the findings in infrastructure files (DDB5xx) and the
        table registries' warnings."""
        if self.read_stdin:
            for job in self.jobs:
                self.collect(self.linter.lint(job, read_stdin=True))
        else:
            workers = self.args.jobs or runner.default_jobs()
            progress = runner.Progress() if runner.Progress.wanted(self.args) else None
            for outcome in runner.run(self.linter, self.jobs, workers, progress):
                self.collect(outcome)
            for settings in self.settings_seen.values():
                self.diagnostics.extend(tablecheck.check_tables(settings, self.enabled_rules(), self.paths, files.display))
        for settings in self.settings_seen.values():
            if not self.args.quiet and getattr(settings, "config_path", None) is not None:
                for warning in table_registry.registry_for(settings).warnings:
                    print(_printable(f"ddblint: warning: {warning}"), file=sys.stderr)

    def collect(self, outcome: runner.Outcome) -> None:
        self.checked += 1
        self.looked_at.append(outcome.display)
        self.diagnostics.extend(outcome.diagnostics)
        if outcome.fixed is not None:
            self.fixed.append(outcome.fixed)
        if outcome.source is not None:
            self.sources[outcome.display] = outcome.source
        verbose = self.args.verbose
        for error in outcome.errors:
            first, _, trace = error.partition("\n")
            self.errors.append(f"{first}\n{trace.rstrip()}" if verbose and trace.strip() else
                               first + ("" if verbose or not trace.strip() else " (run with -v for the traceback)"))

    def enabled_rules(self) -> list:
        return [self.rules[c] for c in sorted(self.ran) if c in self.rules]

    # -- post-process ------------------------------------------------------------------------
    def post_process(self) -> Optional[int]:
        """--add-noqa and --write-baseline end the run (their exit code); --baseline drops the
        findings it records."""
        if self.args.add_noqa is not None and not self.read_stdin:
            return self.add_noqa()
        if self.args.write_baseline:
            findings, count = baseline.write(Path(self.args.write_baseline), self.diagnostics, self.looked_at)
            print(f"Wrote {self.args.write_baseline}: {findings} finding{'s' if findings != 1 else ''} "
                  f"in {count} file{'s' if count != 1 else ''}.", file=sys.stderr)
            return EXIT_ERROR if self.errors else EXIT_OK
        if self.args.baseline:
            try:
                self.diagnostics, notes = baseline.apply(Path(self.args.baseline), self.diagnostics, self.looked_at)
            except ValueError as error:
                raise UsageError(str(error)) from error
            if not self.args.quiet:
                for note in notes:
                    print(_printable(f"ddblint: baseline: {note}"), file=sys.stderr)
        return None

    def add_noqa(self) -> int:
        """Suppress every finding where it is reported, merging with `# noqa` comments already there."""
        # deferred: ddblint.fix costs ~4 ms to import (bench/README.md: one file <= 300 ms,
        # interpreter included); only --add-noqa and fixing runs need it
        from ddblint import fix

        by_file: Dict[str, List[Diagnostic]] = {}
        for d in self.diagnostics:
            if d.code != "DDB000" and d.noqa_row:
                by_file.setdefault(d.filename, []).append(d)
        added = 0
        for filename, found in sorted(by_file.items()):
            try:
                added += _add_noqa_to_file(Path(filename), found, self.args.add_noqa)
            except (OSError, fix.FileChangedError, UnicodeError) as error:
                self.errors.append(f"{filename}: noqa directives not added: {error}")
        print(f"Added {added} noqa directive{'s' if added != 1 else ''}.", file=sys.stderr)
        for error in self.errors:
            print(f"ddblint: error: {_printable(error.splitlines()[0])}", file=sys.stderr)
        return EXIT_ERROR if self.errors else EXIT_OK

    # -- render ------------------------------------------------------------------------------
    def render(self) -> None:
        """The findings (or --statistics) to standard output or --output-file; the errors and
        the summary to standard error."""
        self.write(self.output())
        for error in self.errors:
            first, newline, trace = error.partition("\n")
            print(f"ddblint: error: {_printable(first)}{newline}{trace}", file=sys.stderr)
        if not self.args.quiet:
            if self.diagnostics:
                print(f"Found {_count(len(self.diagnostics), 'finding')} in {_count(self.checked, 'checked file')}.",
                      file=sys.stderr)
            elif not self.errors:  # a rule that crashed has not passed
                print("All checks passed!", file=sys.stderr)

    def output(self) -> str:
        diagnostics, sources = self.shown_paths(self.diagnostics, self.sources)
        if report.plain_text(self.args.output_format):  # SECURITY.md: no control character reaches a terminal or log
            diagnostics = [dataclasses.replace(d, filename=_printable(d.filename), message=_printable(d.message))
                           for d in diagnostics]
            sources = {_printable(name): _UNPRINTABLE_IN_SOURCE.sub("\ufffd", text) for name, text in sources.items()}
        if self.args.statistics:
            return statistics(diagnostics)
        return report.render(self.args.output_format, diagnostics, sources, rules=self.enabled_rules(),
                             annotation_level=self.args.github_annotation_level)

    def shown_paths(self, diagnostics: List[Diagnostic], sources: Dict[str, str]):
        """The findings (and the sources, keyed alike) with the file names to print: as found
        (relative to the current directory when inside it), or absolute with --absolute-paths.
        The CI formats that need paths relative to the repository (sarif, gitlab, the github
        `file=`) compute those from either."""
        if not self.args.absolute_paths:
            return diagnostics, sources
        return ([dataclasses.replace(d, filename=_absolute(d.filename)) for d in diagnostics],
                {_absolute(name): text for name, text in sources.items()})

    def write(self, output: str) -> None:
        if self.args.output_file:
            try:  # Ruff creates the missing directories of -o
                Path(self.args.output_file).parent.mkdir(parents=True, exist_ok=True)
                Path(self.args.output_file).write_bytes(_encode(output, "utf-8"))
            except OSError as error:
                raise UsageError(f"cannot write {self.args.output_file}: {error.strerror or error}") from error
            return
        sys.stdout.flush()
        if hasattr(sys.stdout, "buffer"):
            sys.stdout.buffer.write(_encode(output, sys.stdout.encoding or "utf-8"))
        else:
            sys.stdout.write(output)
        sys.stdout.flush()

    # -- exit code ---------------------------------------------------------------------------
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if self.diagnostics and not self.args.exit_zero else EXIT_OK

    # -- a fixing run ------------------------------------------------------------------------
    def report_fixes(self) -> int:
        """What --fix, --diff and --fix-only print: the diff or (standard input) the fixed
        source, what remains, the fixes with --show-fixes, and a summary."""
        args = self.args
        self.diagnostics.sort(key=Diagnostic.sort_key)
        diagnostics, _ = self.shown_paths(self.diagnostics, {})
        count = sum(len(applied) for _, applied, _ in self.fixed)
        if args.diff:
            sys.stdout.write("".join(diff for _, _, diff in self.fixed))
        elif self.read_stdin:  # as Ruff: the fixed source on stdout, what remains on stderr
            sys.stdout.buffer.write(self.fixed[0][2] if self.fixed else self.stdin_data)
            sys.stdout.flush()
        if not args.diff and not args.fix_only and diagnostics:
            stream = sys.stderr if self.read_stdin else sys.stdout
            stream.write(report.render("concise" if self.read_stdin else args.output_format, diagnostics, {},
                                       annotation_level=args.github_annotation_level))
        if args.show_fixes and self.fixed:
            _show_fixes([(_absolute(display) if args.absolute_paths else display, applied, result)
                         for display, applied, result in self.fixed], count)
        hidden = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability == "unsafe" and d.fix.edits)
        for error in self.errors:
            print(f"ddblint: error: {_printable(error.splitlines()[0])}", file=sys.stderr)
        if not args.quiet:
            verb = "would fix" if args.diff else "fixed"
            print(f"Found {_count(count + len(diagnostics), 'finding')} ({count} {verb}, {len(diagnostics)} remaining).",
                  file=sys.stderr)
            if hidden and not args.unsafe_fixes:
                print(f"{hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the `--unsafe-fixes` option.",
                      file=sys.stderr)
        return self.fixing_exit_code(count)

    def fixing_exit_code(self, count: int) -> int:
        if self.errors:
            return EXIT_ERROR
        if self.args.diff:
            return EXIT_FINDINGS if count else EXIT_OK
        if self.args.exit_non_zero_on_fix and count:
            return EXIT_FINDINGS
        if self.args.fix_only or self.args.exit_zero:
            return EXIT_OK
        return EXIT_FINDINGS if self.diagnostics else EXIT_OK


def _absolute(filename: str) -> str:
    """`filename` as an absolute path; `-` (standard input without --stdin-filename) stays `-`."""
    return filename if filename == "-" else os.path.abspath(filename)


def _count(n: int, noun: str) -> str:
    """`1 finding`, `2 findings`. The summary counts findings, whatever the format calls them:
    a rule's finding is a warning in SARIF and (by default) in GitHub annotations, and the exit
    code, not a word, is what fails a build."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _show_fixes(fixed: List[tuple], count: int) -> None:
    print(f"Fixed {_count(count, 'finding')}:", file=sys.stderr)
    for display, applied, _ in fixed:
        print(f"- {display}:", file=sys.stderr)
        for (code, name), n in sorted(Counter((d.code, d.name) for d in applied).items()):
            print(f"    {n} × {code} ({name})", file=sys.stderr)


def _add_noqa_to_file(path: Path, found: List[Diagnostic], reason: str) -> int:
    """Add `# noqa: CODE` (and `reason`) for each finding of one file; the number added."""
    # deferred: ddblint.fix costs ~4 ms to import (bench/README.md: one file <= 300 ms,
    # interpreter included); only --add-noqa and fixing runs need it
    from ddblint import fix

    original = path.read_bytes()
    text = parsing.decode(original)
    added = 0
    for d in sorted(found, key=lambda d: (d.noqa_row, d.code)):
        edit = noqa.noqa_edit(text, d.noqa_row, d.code)
        if edit is None:
            continue
        content = edit.content + (f" {reason}" if reason and edit.content.startswith("  # noqa") else "")
        text, _ = fix.apply_edits(text, [dataclasses.replace(
            d, fix=Fix("add noqa", "safe", (dataclasses.replace(edit, content=content),)))], unsafe=False)
        added += 1
    fix.write_atomically(path, original, text)
    return added


# C0 and C1 controls but tab, Unicode line and paragraph separators, bidirectional overrides
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNPRINTABLE_IN_SOURCE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    """`text` with control characters written as Python escapes (`\\n`, `\\x1b`, `\\u202e`)."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1] if m.group() in "\n\r" else
                            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def _encode(text: str, encoding: str) -> bytes:
    """File names that are not valid UTF-8 come back as the bytes they are (surrogateescape);
    what the encoding cannot represent becomes an escape instead of an error."""
    try:
        return text.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:
        return text.encode(encoding, "backslashreplace")


def statistics(diagnostics: List[Diagnostic]) -> str:
    """--statistics: a line per rule, `count<TAB>code<TAB>[*] name`, most frequent first
    (`[*]`: some finding of the rule has a safe fix)."""
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.fix is not None and d.fix.applicability == "safe")
    lines = []
    for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mark = "[*]" if fixable[code] else "[ ]"
        lines.append(f"{count}\t{code}\t{mark} {name}")
    return "".join(line + "\n" for line in lines)


__all__ = ["main", "Location"]


# -- ddblint tables --------------------------------------------------------------------------------
def run_tables(args) -> int:
    # deferred: only `ddblint tables` renders the registry
    from ddblint.infra.render import render_tables

    # deferred: matching tables (dynamo/tables.py) uses the model's value types, which `check`
    # loads only when a file is modelled
    from ddblint.dynamo import tables

    known = registry.defaults()
    explicit = next((Path(v) for v in args.config or () if os.path.isfile(v)), None)
    overrides = tuple(v for v in args.config or () if not os.path.isfile(v))
    target = Path(args.path)
    settings = config.settings_for(target if target.exists() else Path.cwd(), known, explicit=explicit,
                                   overrides=overrides)
    found = table_registry.registry_for(settings)
    sys.stdout.write(render_tables(tables.listing(settings)))
    for warning in found.warnings:
        print(f"ddblint: warning: {warning}", file=sys.stderr)
    return EXIT_OK
