"""Lint a list of files: prefilter and cache look-ups here, the analysis in this process for
small inputs and in a pool of worker processes for large ones (`--jobs`). `Linter.lint` is the
one lint path: `ddblint check` and the language server (`Linter.for_editor`) both go through it.

Each worker rebuilds its state (settings, rules, the project index) from the parsed command
line, so the pool works with every start method; outcomes come back in input order, so what is
printed does not depend on the number of workers. A worker that dies (a crash in native code)
costs the file it was checking one internal error, not the run.
"""
from __future__ import annotations

import dataclasses
import gc
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ddblint import config, engine, files, manifest, parsing, registry, report
from ddblint.diagnostics import Diagnostic
from ddblint.dynamo.project import begin_run, end_run, project_for

# Below this many files that need an analysis, one process is faster than starting a pool:
# pre-commit passes a handful of files, and a DynamoDB file takes 20-300 ms to analyse.
MIN_PARALLEL_FILES = 8
# ... except in a run of this many files or more, where more files than one surely follow: the pool
# starts with the first, and the workers analyse while this process is still filtering the rest.
MANY_FILES = 64
# A trigger word marked `import:` (a PynamoDB model imported from the project's models.py) is
# looked for in the modules a file imports: needed when the module is not among the files
# checked (pre-commit passes a few), and costly on a large tree (every import located and
# read), where it is looked for only if some checked file contains the word at all.
FOLLOW_IMPORTS_ALWAYS = 64
# From this many files on, and when no cache answers for most of them, the workers run the
# prefilter as well: scanning thousands of files is worth sharing, and this process then only
# finds them.
PARALLEL_FILTER_FILES = 512
# A run of many files keeps Python's cyclic garbage collector off and collects itself, once this
# many objects have accumulated since the last collection (`_collect_when_due`), or a fifth of
# that once the process holds more than COLLECT_ABOVE_BYTES (Linux: /proc/self/statm). A million
# alone left the 12-copies scaling run at 310 MB (the bar is 250 MB); 200,000 alone cost 10 % more
# time on the DynamoDB files.
COLLECT_AFTER_OBJECTS = 1_000_000
FULL_COLLECTION_EVERY = 4
COLLECT_ABOVE_BYTES = 180 * 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class UsageError(Exception):
    pass


def codes(values: Optional[List[str]]) -> List[str]:
    return [c.strip().upper() for v in values or () for c in v.split(",") if c.strip()]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # the cores this process may use (containers, taskset)
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class SettingsResolver:
    """Resolves the settings of a path: the nearest configuration's, with the command line's
    overrides on top. Called with a path; answers the same object for paths that share them."""

    def __init__(self, args, known: Dict[str, bool]) -> None:
        self.known = known
        self.known_codes = frozenset(known)  # hashed once: settings are looked up once per file
        self.explicit: Optional[Path] = None
        self.overrides: List[str] = []
        for value in args.config or ():
            if os.path.isfile(value):
                if self.explicit is not None:
                    raise UsageError("--config names more than one file")
                self.explicit = Path(value)
            elif "=" in value:
                self.overrides.append(value)
            else:
                raise UsageError(f"--config {value!r} is neither a file nor a `KEY = VALUE` override")
        self.isolated = bool(getattr(args, "isolated", False))
        if self.isolated and self.explicit is not None:
            raise UsageError("--isolated ignores configuration files: it cannot be used with --config FILE")
        self.select = codes(args.select) or None
        self.extend_select = codes(args.extend_select)
        self.ignore = codes(args.ignore)
        for code in (self.select or []) + self.extend_select + self.ignore:
            config.validate_selector(code, known, origin="command line")
        self.exclude = tuple(args.exclude) if args.exclude else None
        self.extend_exclude = tuple(args.extend_exclude or ())
        self.respect_gitignore = args.respect_gitignore
        self._cache: Dict[int, object] = {}
        self._paths: Dict[str, object] = {}  # a run asks for a file's settings 2-3 times
        self._generation = config.generation

    def __call__(self, path: Path):
        if self._generation != config.generation:  # configuration files may have changed (an editor)
            self._paths.clear()
            self._generation = config.generation
        key = os.fspath(path)
        found = self._paths.get(key)
        if found is None:
            found = self._paths[key] = self._resolve(path)
        return found

    def _resolve(self, path: Path):
        base = config.settings_for(path, self.known_codes, explicit=self.explicit, overrides=tuple(self.overrides),
                                   isolated=self.isolated)
        if id(base) not in self._cache:
            changes = {"extend_exclude": base.extend_exclude + self.extend_exclude}
            if self.select is not None or self.extend_select or self.ignore:
                # Ruff's layering: the file's selection is resolved first, then the command line
                # is applied on top of it as a layer of its own (a --select there replaces it).
                # Merging the lists instead would let the file's `ignore = ["DDB101"]` beat
                # `--select DDB101`, and the file's `select = ["DDB101"]` beat `--ignore DDB1`.
                enabled = apply_layer(base.enabled_codes(self.known), self.known,
                                      self.select, self.extend_select, self.ignore)
                changes.update(select=tuple(sorted(enabled)), extend_select=(), ignore=())
            if self.exclude is not None:
                changes["exclude"] = self.exclude
            if self.respect_gitignore is not None:
                changes["respect_gitignore"] = self.respect_gitignore
            self._cache[id(base)] = (base, dataclasses.replace(base, **changes))
        return self._cache[id(base)][1]


def apply_layer(previous, known, select, extend_select, ignore) -> frozenset:
    """One layer of rule selection over the rules `previous` enabled: a `select` replaces them,
    `extend_select` adds, `ignore` removes; the most specific selector decides, `ignore` wins ties."""
    enabled = set(previous) if select is None else set()
    for code in known:
        on = config.best_match(code, list(select or ()) + list(extend_select))
        off = config.best_match(code, ignore)
        if off is not None and (on is None or off >= on):
            enabled.discard(code)
        elif on is not None:
            enabled.add(code)
    return frozenset(enabled)


@dataclass
class Job:
    data: bytes
    path: Path
    display: str
    unread: bool = False  # `data` is still to be read from `path` (in a worker: bytes are not sent)
    verdict: Optional[str] = None  # what `Linter.quick` decided, for the manifest: "" quiet, else the cache key


@dataclass
class Outcome:
    """What linting one file (or one editor document) gave: the CLI's and the server's."""

    display: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # "first line\ntraceback"
    source: Optional[str] = None  # the decoded text, for the formats that show snippets
    fixed: Optional[Tuple[str, list, object]] = None  # (display, applied, diff text or fixed bytes)
    analysed: bool = False  # parsed and checked (not settled by the prefilter or the cache)
    config_error: Optional[str] = None  # the configuration cannot be used: no diagnostics (the server)
    accesses: Optional[list] = None  # `ddblint map`: the file's DynamoDB calls (topology.Access)


# What an editor's lint asks for: the configuration files alone (no command-line layer), no
# result cache (the text is the editor's, not the file's), never fixing while linting.
EDITOR_OPTIONS = dict(config=None, isolated=False, select=None, extend_select=None, ignore=None, exclude=None,
                      extend_exclude=None, respect_gitignore=None, fix=False, diff=False, fix_only=False,
                      unsafe_fixes=False, output_format=None, no_cache=True, cache_dir=None, verbose=False,
                      quiet=True)


class Linter:
    """What one process needs to lint files: the rules, the settings, the result cache."""

    def __init__(self, args, wants_edits: Optional[bool] = None) -> None:
        self.args = args
        self.rules = registry.all_rules()
        self.settings_for = SettingsResolver(args, registry.defaults())
        self.fixing = bool(args.fix or args.diff or args.fix_only)
        if wants_edits is None:
            wants_edits = self.fixing or report.needs(args.output_format, "edits")
        self.wants_edits = wants_edits
        self.wants_sources = report.needs(args.output_format, "sources")
        # location -> ResultCache; id(settings) -> (it, fingerprint); (id(settings), id(rules)) -> codes
        self._caches: Dict[object, object] = {}
        self.follow_imports = True
        # `ddblint map`: every file with a DynamoDB call is analysed (the prefilter of every rule,
        # not only the enabled ones), and its outcome carries its calls (`Outcome.accesses`)
        self.mapping = bool(getattr(args, "map", False))
        self._enabled: Dict[tuple, list] = {}  # (settings, path) -> rules: asked 3 times per file
        self.documents = False  # an editor's documents, linted after each edit: parsed again in part (reparse)
        self._codes: Dict[int, frozenset] = {}

    @classmethod
    def for_editor(cls) -> "Linter":
        """The linter of the language server: configuration files only, edits for quick fixes, and
        documents parsed again only where an edit changed them."""
        linter = cls(SimpleNamespace(**EDITOR_OPTIONS), wants_edits=True)
        linter.documents = True
        return linter

    def excluded(self, path: Path) -> bool:
        """Whether the configuration excludes `path` even when it is named explicitly (what
        `--force-exclude` applies to standard input, and an editor to every document)."""
        return files.excluded_explicitly(path, False, self.settings_for(path))

    def enabled(self, path: Path):
        # a file's settings are its directory's (the nearest configuration above it): looked up
        # once per directory, not per file. A configuration error stops the run (exit 2), as in Ruff
        settings = self.settings_for(os.path.dirname(os.fspath(path)) or ".")
        key = (id(settings), path if settings.per_file_ignores else None)  # one list for all, when it can be
        rules = self._enabled.get(key)
        if rules is None:
            codes = self._codes.get(id(settings))
            if codes is None:
                codes = self._codes[id(settings)] = settings.enabled_codes(registry.defaults())
            rules = self._enabled[key] = engine.rules_for(path, settings, self.rules, codes)
        return settings, rules

    def quick(self, job: Job) -> Optional[Outcome]:
        """The outcome when it needs no analysis (no enabled rule can fire, or a cache hit), else None."""
        settings, enabled = self.enabled(job.path)
        wanted = list(self.rules.values()) if self.mapping else enabled
        if not engine.might_fire(job.data, wanted, job.path if self.follow_imports else None, settings.root):
            job.verdict = ""
            return Outcome(job.display)
        if not self.remembers:
            return None
        cache, key = self._cache_key(job, settings, enabled)
        job.verdict = key
        return self.cached(job, cache, key)

    def cached(self, job: Job, cache, key: str) -> Optional[Outcome]:
        """The outcome the result cache holds for `key`, None on a miss (or when the file, needed
        for the snippets of its findings, cannot be read any more)."""
        hit = cache.get(key)
        if hit is None or (hit and self.wants_sources and job.unread and read(job) is not None):
            return None
        return self._outcome(job, engine.FileResult(diagnostics=hit))

    def lint_document(self, job: Job) -> Outcome:
        """An editor's document: a configuration error is the outcome's `config_error` (not an
        exception), and a document the configuration excludes gets no diagnostics."""
        try:
            excluded = self.excluded(job.path)
        except Exception as error:  # noqa: BLE001 - a ConfigError, or a file that cannot be read
            return Outcome(job.display, config_error=f"ddblint: configuration error: {error}")
        return Outcome(job.display) if excluded else self.lint(job)

    def lint(self, job: Job, read_stdin: bool = False) -> Outcome:
        """The one lint path, the CLI's and the server's: the file's settings and rules, the
        result cache, and the fixes when fixing."""
        settings, enabled = self.enabled(job.path)
        try:
            if self.mapping:
                return self._map(job, settings, enabled)
            result = self._check(job, settings, enabled)
            fixed = None
            if self.fixing and result.diagnostics and not result.errors:
                fixed = self._fix(job, settings, enabled, result, read_stdin)
        except Exception as error:  # noqa: BLE001 - a bug of ours on one file must not stop the run
            return Outcome(job.display, errors=[f"{job.display}: internal error: {type(error).__name__}: {error}; "
                                                f"please report it\n" + traceback.format_exc()])
        outcome = self._outcome(job, result, fixed[1] if fixed else job.data)
        outcome.fixed = fixed[0] if fixed else None
        outcome.analysed = not result.skipped
        return outcome

    def _outcome(self, job: Job, result, data: Optional[bytes] = None) -> Outcome:
        outcome = Outcome(job.display, result.diagnostics, result.errors)
        if result.diagnostics and self.wants_sources:
            data = job.data if data is None else data
            try:
                outcome.source = parsing.decode(data)
            except Exception:  # noqa: BLE001 - undecodable: the snippet shows replacement characters
                outcome.source = data.decode("utf-8", "replace")
        return outcome

    def _map(self, job: Job, settings, enabled) -> Outcome:
        """`ddblint map`'s lint of a file the prefilter kept: its findings, and its DynamoDB calls
        with the codes of those findings, read from the model the rules built."""
        result, ctx = engine.analyse(job.data, job.path, job.display, settings, enabled, fixes=False)
        outcome = self._outcome(job, result)
        outcome.analysed = True
        if ctx is None or any(d.code == engine.PARSE_ERROR for d in result.diagnostics):
            return outcome  # not mapped: the DDB000 finding says why
        try:
            # deferred: the map's topology (tables matched with the model's value types) is for
            # `ddblint map` only; a check run never imports it
            from ddblint import topology

            outcome.accesses = topology.accesses(ctx, result.diagnostics, job.display)
        except Exception as error:  # noqa: BLE001 - one file's bug must not stop the run
            if engine.caused_by(error, RecursionError):
                problem = "cannot map the file: it is nested too deeply"
                outcome.diagnostics.append(engine.file_problem(job.display, problem))
            elif not result.errors:  # else the model's failure is reported already
                outcome.errors.append(f"{job.display}: internal error while mapping its calls: "
                                      f"{type(error).__name__}: {error}; please report it\n" + traceback.format_exc())
        return outcome

    # -- the result cache -------------------------------------------------------------------------
    @property
    def remembers(self) -> bool:
        """Whether results are cached (and each file's verdict kept in the manifest): not with
        --no-cache, when fixing, for `ddblint map`, nor for an editor's documents."""
        return not (self.args.no_cache or self.fixing or self.mapping or self.documents)

    def cache_for(self, settings, enabled):
        """(the result cache of a file with these settings and rules, what its results depend on
        besides the file: the settings' fingerprint and the rules)."""
        # deferred: ddblint.cache (hashlib, tempfile: ~8 ms) is not needed with --no-cache, the
        # one-file shape of the start-up budget (bench/README.md: one file <= 300 ms)
        from ddblint.cache import ResultCache, settings_fingerprint

        found = self._caches.get(id(settings))
        if found is None:
            location = ResultCache.location(settings.root, self.args.cache_dir)
            cache = self._caches.get(str(location)) or self._caches.setdefault(str(location), ResultCache(location))
            found = self._caches[id(settings)] = (cache, settings_fingerprint(settings))
        cache, fingerprint = found
        codes = self._caches.get((id(settings), id(enabled)))  # `enabled` lists live as long as this Linter
        if codes is None:
            codes = self._caches[(id(settings), id(enabled))] = sorted(r.code for r in enabled) \
                + ["+edits"] * self.wants_edits + [f"size-limit={os.environ.get('DDBLINT_MAX_FILE_SIZE', '')}"]
        return cache, (fingerprint, codes)

    def _cache_key(self, job: Job, settings, enabled):
        cache, (fingerprint, codes) = self.cache_for(settings, enabled)
        return cache, cache.key(job.data, Path(job.display), fingerprint, codes)

    def _check(self, job: Job, settings, enabled):
        """engine.check_source, through the result cache when the linter keeps results (`remembers`)."""
        if not self.remembers:
            return engine.check_source(job.data, job.path, job.display, settings, enabled, self.wants_edits,
                                       document=self.documents)
        cache, key = self._cache_key(job, settings, enabled)
        hit = cache.get(key)
        if hit is not None:
            return engine.FileResult(diagnostics=hit)
        project = project_for(settings.root)
        project.touched.clear()
        project.scanned.clear()
        result = engine.check_source(job.data, job.path, job.display, settings, enabled, self.wants_edits,
                                     document=self.documents)
        if not result.errors:
            cache.put(key, result.diagnostics, dependencies=[os.fspath(p) for p in project.touched],
                      scanned=project.scanned)
        return result

    # -- fixes ------------------------------------------------------------------------------------
    def _fix(self, job: Job, settings, enabled, result, read_stdin: bool):
        """Apply the fixes of one file (rounds until none is left); write it, or keep its diff.
        Returns ((display, applied, diff or new bytes), the file's bytes now), or None."""
        # deferred: ddblint.fix (~4 ms to import) is needed only when fixing; the
        # one-file start-up budget is 300 ms (bench/README.md)
        from ddblint import fix

        def lint(candidate: bytes):
            return engine.check_source(candidate, job.path, job.display, settings, enabled).diagnostics

        outcome = fix.fix_bytes(job.data, lint, self.args.unsafe_fixes)
        if outcome.error:
            result.errors.append(f"{job.display}: fixes not applied: {outcome.error}")
            return None
        if not outcome.applied:
            return None
        if self.args.diff:
            result.diagnostics = outcome.remaining
            old = parsing.decode(job.data)
            return (job.display, outcome.applied, fix.unified_diff(old, outcome.source, job.display)), job.data
        new_bytes = fix.encode_like(job.data, outcome.source)
        if not read_stdin:
            try:
                fix.write_atomically(job.path, job.data, outcome.source)
            except (fix.FileChangedError, OSError, UnicodeEncodeError) as error:
                result.errors.append(f"{job.display}: fixes not written: {error}")
                return None
        result.diagnostics = outcome.remaining
        return (job.display, outcome.applied, new_bytes), new_bytes


# -- many files ------------------------------------------------------------------------------------
def run(linter: Linter, jobs: Sequence[Job], workers: int, progress=None) -> Iterator[Outcome]:
    """The outcome of every job, in the order of `jobs`. The prefilter and cache look-ups run
    here; once MIN_PARALLEL_FILES files need an analysis, a pool starts and takes each as it is
    found, so the workers analyse while this process is still filtering the rest."""
    paused = _pause_collector()
    begin_run()  # the project's files are read once for the run (project.begin_run)
    try:
        yield from _run(linter, jobs, workers, progress)
    finally:
        end_run()
        if paused:  # a caller that goes on (the tests, an editor) gets its collector back
            gc.unfreeze()
            gc.enable()


def _run(linter: Linter, jobs: Sequence[Job], workers: int, progress=None) -> Iterator[Outcome]:
    done: Dict[int, Outcome] = {}
    pending: List[int] = []
    known = _Known(linter) if linter.remembers else None
    imported = {t[len("import:"):].encode() for rule in linter.rules.values() for t in rule.triggers
                if t.startswith("import:")}
    mentions: Dict[int, bool] = {}
    for i, job in enumerate(jobs):  # a file the manifest knows unchanged is not read
        entry = known.match(i, job) if known is not None else None
        problem = read(job) if entry is None else None
        if problem is not None:
            done[i] = problem
        else:
            mentions[i] = entry.mentions if entry is not None else any(w in job.data for w in imported)
    linter.follow_imports = len(jobs) <= FOLLOW_IMPORTS_ALWAYS or any(mentions.values())
    if known is not None:
        known.decide(linter.follow_imports)
    # With the cache, this process settles most files by a look-up, cheaper than sending them
    # to a worker; without it (--no-cache, fixing) the workers share the prefilter too, unless it
    # follows imports: then one process's look-ups of the project's modules serve every file,
    # where each worker would repeat them.
    if workers > 1 and len(jobs) >= PARALLEL_FILTER_FILES and (linter.args.no_cache or linter.fixing) \
            and not linter.follow_imports:
        yield from _filter_in_pool(linter, jobs, workers, progress)
        return
    pool, futures = None, {}
    # the largest files first: the workers start on the longest analyses, and the run does not end
    # waiting for one big file begun last (the outcomes still come in the order of `jobs`)
    largest_first = sorted(range(len(jobs)), key=lambda k: -len(jobs[k].data))
    try:
        for i in largest_first:
            job = jobs[i]
            if i in done:
                continue
            quick = known.settle(i, job) if known is not None else None
            if quick is None:
                problem = read(job)
                quick = problem if problem is not None else linter.quick(job)
            if known is not None:
                known.record(i, job, mentions.get(i, False))
            if quick is not None:
                done[i] = quick
                continue
            pending.append(i)
            if pool is None and workers > 1 and len(pending) >= (1 if len(jobs) >= MANY_FILES else MIN_PARALLEL_FILES):
                pool = _pool(linter.args, workers)
                futures.update((k, pool.submit(_work, jobs[k])) for k in pending)
            elif pool is not None:
                futures[i] = pool.submit(_work, job)
        if progress is not None:
            progress.start(len(jobs), len(done))
        if linter.args.verbose:
            processes = workers if pool is not None else 1
            print(f"ddblint: {len(jobs)} files, {len(pending)} to analyse, "
                  f"{processes} process{'es' if processes != 1 else ''}", file=sys.stderr)
        broken = []
        for i in pending:
            if pool is None:
                done[i] = linter.lint(jobs[i])
                _collect_when_due()
            else:
                try:
                    done[i] = futures[i].result()
                except _broken_pool():
                    broken.append(i)
                    continue
            if progress is not None:
                progress.advance()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    # a worker died: what it left unfinished is checked again, one worker at a time
    for i, outcome in zip(broken, _one_by_one(linter.args, [jobs[i] for i in broken])):
        done[i] = outcome
        if progress is not None:
            progress.advance()
    if progress is not None:
        progress.finish()
    if known is not None:
        known.save(linter.follow_imports)
    for i in range(len(jobs)):
        yield done[i]


def read(job: Job) -> Optional[Outcome]:
    """Read the bytes of a job found unread (`Job.unread`); the outcome of a file that cannot be
    read, else None."""
    if job.unread:
        try:
            job.data = job.path.read_bytes()
        except OSError as error:
            return Outcome(job.display, [engine.file_problem(job.display, "cannot read the file: "
                                                            f"{error.strerror or error}")])
        job.unread = False
    return None


@dataclass
class _Table:
    """One cache location's manifest in a run, and whether its verdicts still stand."""

    cache: object  # cache.ResultCache
    manifest: manifest.Manifest
    usable: bool = False


class _Known:
    """A cached run's use of the manifest (ddblint.manifest): a file whose stat and context are
    those of its record is settled by the recorded verdict, unread, while the records of the
    projects that verdict rests on hold; every file's verdict is recorded for the next run."""

    def __init__(self, linter: Linter) -> None:
        self.linter = linter
        self.tables: Dict[str, _Table] = {}  # by cache root
        self.entries: Dict[int, object] = {}  # job index -> its unchanged manifest.Entry
        self.stats: Dict[int, Optional[list]] = {}
        self.roots: Dict[str, Path] = {}  # the settings' roots: their projects' records are saved
        self.places: Dict[int, tuple] = {}  # job index -> `_where`

    def _where(self, i: int, job: Job):
        """(the job's cache, its manifest, its context (what besides its bytes decides its
        verdict), its absolute path)."""
        found = self.places.get(i)
        if found is None:
            settings, enabled = self.linter.enabled(job.path)
            self.roots.setdefault(os.fspath(settings.root), settings.root)
            cache, (fingerprint, codes) = self.linter.cache_for(settings, enabled)
            table = self.tables.get(str(cache.root))
            if table is None:
                table = self.tables[str(cache.root)] = _Table(cache, manifest.Manifest.load(cache.root))
            found = self.places[i] = (cache, table, manifest.context(fingerprint, codes), os.path.abspath(job.path))
        return found

    def match(self, i: int, job: Job):
        """The job's manifest entry when the file is unchanged since it was recorded, else None."""
        _, table, context, path = self._where(i, job)
        stat = self.stats[i] = manifest.stat_of(path)
        entry = table.manifest.entry(path, stat, context)
        if entry is not None:
            self.entries[i] = entry
        return entry

    def decide(self, follow: bool) -> None:
        """Whether each manifest's verdicts stand, now that this run's import following is known."""
        for table in self.tables.values():
            table.usable = table.manifest.holds(follow, lambda root: project_for(Path(root)))

    def settle(self, i: int, job: Job) -> Optional[Outcome]:
        entry = self.entries.get(i)
        cache, table, _, _ = self._where(i, job)
        if entry is None or not table.usable:
            return None
        job.verdict = entry.verdict
        return Outcome(job.display) if entry.verdict == "" else self.linter.cached(job, cache, entry.verdict)

    def record(self, i: int, job: Job, mentions: bool) -> None:
        if job.verdict is not None:
            _, table, context, path = self._where(i, job)
            table.manifest.record(path, self.stats.get(i), context, job.verdict, mentions)

    def save(self, follow: bool) -> None:
        records = {key: project_for(root).prefilter_record() for key, root in self.roots.items()}
        for table in self.tables.values():
            table.manifest.save(table.cache, follow, records, kept=table.usable)


def _pause_collector() -> bool:
    """Keep the cyclic garbage collector off for the run. LibCST's trees and the model are millions
    of small objects that live until their file is done; the collector's automatic passes over
    that growing heap were a third of a run's time (gc.freeze first: what is loaded at start-up
    is never garbage). The process collects by itself instead (`_collect_when_due`)."""
    if not gc.isenabled():
        return False
    gc.freeze()
    gc.disable()
    return True


def _collect_when_due() -> None:
    """Collect once enough objects accumulated since the last collection. A checked file's model
    breaks its own reference cycles when the file is done (`DynamoModel.close`), so its tree is
    freed then and counts no more; what is left for a collection is the project's imported
    modules that its caches dropped, and whatever cycles a rule or the model still makes."""
    if gc.isenabled():
        return
    count = gc.get_count()[0]
    if count > COLLECT_AFTER_OBJECTS or (count > COLLECT_AFTER_OBJECTS // 5 and _resident() > COLLECT_ABOVE_BYTES):
        # the youngest generation only: every object made since the last collection, which is
        # where the files' garbage is (a full pass also walks what lives on, the project's
        # cached modules, each time); a full one every FULL_COLLECTION_EVERY-th, for the
        # cached modules dropped since
        _COLLECTIONS[0] += 1
        gc.collect(0 if _COLLECTIONS[0] % FULL_COLLECTION_EVERY else 2)


_COLLECTIONS = [0]


def _resident() -> int:
    """The process's resident memory in bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _filter_in_pool(linter: Linter, jobs: Sequence[Job], workers: int, progress) -> Iterator[Outcome]:
    """Many files: the workers run the prefilter and the cache look-ups too, in small chunks,
    and this process only finds and reads the files."""
    outcomes: List[Outcome] = []
    if progress is not None:
        progress.start(len(jobs), 0)
    pool = _pool(linter.args, workers, linter.follow_imports)
    # the workers read the files again: cheaper than sending their bytes through a pipe
    unread = [dataclasses.replace(job, data=b"", unread=True) for job in jobs]
    try:
        for outcome in pool.map(_filter_and_work, unread, chunksize=8):
            outcomes.append(outcome)
            if progress is not None:
                progress.advance()
    except _broken_pool():
        pass  # a worker died: what is not back yet is checked again, one worker at a time
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for outcome in _one_by_one(linter.args, list(jobs[len(outcomes):])):
        outcomes.append(outcome)
        if progress is not None:
            progress.advance()
    if progress is not None:
        progress.finish()
    if linter.args.verbose:
        print(f"ddblint: {len(jobs)} files, {sum(o.analysed for o in outcomes)} to analyse, {workers} processes",
              file=sys.stderr)
    yield from outcomes


_worker: Optional[Linter] = None


def _start_worker(args, follow_imports: bool = True) -> None:
    global _worker
    _pause_collector()  # forked from a process that paused it already, or spawned
    begin_run()
    _worker = Linter(args)
    _worker.follow_imports = follow_imports


def _work(job: Job) -> Outcome:
    assert _worker is not None
    try:
        return _worker.lint(job)
    finally:
        _collect_when_due()


def _filter_and_work(job: Job) -> Outcome:
    assert _worker is not None
    problem = read(job)
    if problem is not None:
        return problem
    try:
        return _worker.quick(job) or _worker.lint(job)
    finally:
        _collect_when_due()


def _context():
    import multiprocessing  # here: a run that needs no pool does not pay for the import

    # fork shares the parent's imported modules (LibCST, the rules): a worker is ready in
    # milliseconds instead of re-importing for ~0.3 s. Not on macOS, where fork is unsafe.
    if sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _broken_pool():
    from concurrent.futures.process import BrokenProcessPool

    return BrokenProcessPool


def _pool(args, workers: int, follow_imports: bool = True):
    from concurrent.futures import ProcessPoolExecutor

    engine.preload()  # once here, not once per worker: forked workers share it

    return ProcessPoolExecutor(workers, mp_context=_context(), initializer=_start_worker,
                               initargs=(args, follow_imports))


def _one_by_one(args, jobs: List[Job]) -> Iterator[Outcome]:
    """`jobs` analysed in order by one worker process at a time: when it dies, the file it was
    on is the one that killed it; that file is reported and a new worker takes the rest."""
    BrokenProcessPool = _broken_pool()
    start = 0
    while start < len(jobs):
        pool = _pool(args, 1)
        try:
            for outcome in pool.map(_work, jobs[start:]):
                start += 1
                yield outcome
        except BrokenProcessPool:
            job = jobs[start]
            yield Outcome(job.display, errors=[f"{job.display}: internal error: the process checking it died; "
                                               f"please report it"])
            start += 1
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


# -- progress --------------------------------------------------------------------------------------
class Progress:
    """A one-line progress bar on standard error, for runs that take a while on a terminal."""

    DELAY = 0.5  # seconds before the bar appears: short runs never show it
    WIDTH = 30

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.total = self.count = 0
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    @staticmethod
    def wanted(args, stream=None) -> bool:
        stream = stream or sys.stderr
        return (not args.quiet and not os.environ.get("PRE_COMMIT") and hasattr(stream, "isatty")
                and stream.isatty() and os.environ.get("TERM") != "dumb")

    def start(self, total: int, done: int) -> None:
        self.total, self.count = total, done
        self.started = time.monotonic()

    def advance(self) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.started >= self.DELAY and (now - self.last >= 0.1 or self.count == self.total):
            self.last = now
            filled = self.WIDTH * self.count // max(self.total, 1)
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.count}/{self.total} files")
            self.stream.flush()
            self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\033[2K")  # erase the bar: the summary follows on a clean line
            self.stream.flush()
