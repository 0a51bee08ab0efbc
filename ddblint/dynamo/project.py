"""Imports of the checked project's own modules: `from app.db import table` finds app/db.py.

Modules are parsed on demand, only when a value the rules need flows through an import, and kept
per process (keyed by path, size and modification time), so a run pays for the modules its
DynamoDB calls actually depend on — nothing for the rest — and `--stdin-filename` works the same
way, from the file's own location.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from ddblint import parsing
from ddblint.syntax import imported_name
from ddblint.dynamo.operations import WRITE_METHOD_WORDS

# Modules followed through imports are at most this big: tables, clients and repositories are
# defined in small modules, and a generated or test giant costs a parse worth more than it gives
# (moto imports its 120 KB IAM models from DynamoDB tests). A value from a bigger one is unknown.
_MAX_BYTES = 64_000
# ... except a module that writes to DynamoDB through boto3 (a repository, a client wrapper with
# long docstrings): the writes its callers make through it are the point (SPEC §3 Write helpers).
_MAX_WRITER_BYTES = 256_000


def _writer_module(path: Path, data: bytes) -> bool:
    """A module that writes to DynamoDB through boto3 and is not a test module (a big test module
    is imported for a fixture now and then, and costs its parse in every file that does)."""
    name = path.name
    return not (name.startswith("test_") or name.endswith("_test.py")) and b"boto3" in data \
        and any(word in data for word in WRITE_METHOD_WORDS)
_MAX_SCANNED_BYTES = 2_000_000  # read, not parsed, by the prefilter (a models module with many models)
# Parsed modules kept per process. A LibCST tree costs ~10-20 times its source in memory; on a
# big project every imported module would otherwise stay for the whole run.
_MAX_MODULES = 32


_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"boto3", "botocore", "aioboto3", "aiobotocore",
                                                              "pynamodb", "libcst", "pytest"}
# A file's own imports, for the prefilter: `from M import a, b as c`, `from M import *`, `import a.b, c`.
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w., \t]+|\*)|import[ \t]+([\w., \t]+))",
                     re.MULTILINE)
# What a module may re-export: its `from M import ...` statements, a parenthesized list whole (a
# package's `__init__` often lists its modules' names so).
_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[\w., \t]+|\*)", re.MULTILINE)
_COMMENT = re.compile(r"#[^\n]*")
# How many times the prefilter follows a name re-exported through a module that does not mention
# the word (`from .subscriber import Subscriber` in app/models/__init__.py; app/__init__.py
# gathering app/models' names is the second), which is all a package's names are ever forwarded.
_MAX_REEXPORTS = 2


def _statements(pattern, text: str) -> Iterator:
    """The matches of `pattern`, an import statement at a line's start (MULTILINE), in `text`:
    each line holding the word `import` is matched from its start, ~5 times faster than letting
    the pattern try every line (the prefilter reads every module the project's files import)."""
    at = text.find("import")
    while at >= 0:
        match = pattern.match(text, text.rfind("\n", 0, at) + 1)
        if match is not None:
            yield match
        end = text.find("\n", match.end() if match is not None else at)
        if end < 0:
            return
        at = text.find("import", end)


def _imported_names(match) -> List[str]:
    """`from a.b import c, d` -> a.b.c, a.b.d (either may be the module, and the module is found
    from either); `from a.b import *` -> a.b; `import a, b` -> a, b."""
    if match.group(3) is not None:
        return [part.split()[0] for part in match.group(3).split(",") if part.strip()]
    if match.group(2) == "*":
        return [match.group(1)]
    return [imported_name(match.group(1), part.split()[0]) for part in match.group(2).split(",") if part.strip()]


def _reexports(data: bytes) -> Tuple[Tuple[str, str], ...]:
    """The module's `from` imports as (module, the names' text): what it may re-export. Their
    names are read only when a name is looked for (`_reexported`)."""
    return tuple(match.groups() for match in _statements(_FROM_IMPORT, data.decode("latin-1")))


def _reexported(reexports, name: Optional[str]) -> Iterator[str]:
    """The imports through which a module may re-export `name` (every name, when None)."""
    for base, text in reexports:
        if text == "*":
            yield base if name is None else imported_name(base, name)
        elif name is None or name in text:
            for original, bound in _listed(text):
                if name is None or bound == name:
                    yield imported_name(base, original)


def _listed(text: str) -> Iterator[Tuple[str, str]]:
    """(name in the module, name bound) of each name of `a, b as c` or `(a,  # why\n b)`."""
    for part in _COMMENT.sub("", text).strip("()").split(","):
        words = part.split()
        if words and words[0].isidentifier():
            yield words[0], words[2] if len(words) == 3 and words[1] == "as" else words[0]


# What a walk of the project skips: tools' and environments' directories (any directory whose name
# starts with a dot is skipped too), and where it stops: a tree that big is not a project (the
# root is a home directory, or a whole disk).
_SKIPPED_DIRECTORIES = frozenset({"node_modules", "venv", "__pycache__", "site-packages", "build", "dist", "cdk.out"})
_MAX_WALKED_ENTRIES = 50_000


def python_files(root: Path, excluded: Optional[Callable[[Path], bool]] = None) -> Iterator[Path]:
    """The project's `.py` files under `root`, in a stable order, for the questions that need the
    whole project (who writes this PynamoDB model, which code creates this index). `excluded`
    (the configuration's excludes) prunes directories and files."""
    entries = 0
    for directory, subdirectories, files in os.walk(root):
        here = Path(directory)
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith(".") and d not in _SKIPPED_DIRECTORIES
                                   and not (excluded and excluded(here / d)))
        entries += len(files) + len(subdirectories)
        if entries > _MAX_WALKED_ENTRIES:
            return
        for name in sorted(files):
            path = here / name
            if name.endswith(".py") and not (excluded and excluded(path)):
                yield path


# While a run of `ddblint check` is open (`begin_run`, by the runner), a file's size and
# modification time are read once and trusted for the rest of the run, and what a file's imports
# mention is remembered: thousands of files import the same few modules. Outside a run (the
# language server, a caller of the engine) every look-up checks them: the files may have changed.
_RUN = {"number": 0, "open": False}


def begin_run() -> None:
    _RUN["number"] += 1
    _RUN["open"] = True


def end_run() -> None:
    _RUN["open"] = False


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._modules: "OrderedDict[Path, Tuple[Optional[Tuple[int, int]], object]]" = OrderedDict()
        self._depth = 0
        self._located: Dict[tuple, Optional[Tuple[Path, Tuple[str, ...], Path]]] = {}  # `_import_target`, resolved
        self._words: Dict[Tuple[Path, tuple], tuple] = {}  # (module, words) -> (stamp, `_read`)
        self._defined: Dict[Path, tuple] = {}
        self._root_cache: Dict[str, Tuple[List[Path], Tuple[str, ...]]] = {}  # importer's directory -> roots
        self._entries: Dict[str, Tuple[int, frozenset]] = {}  # directory -> (mtime, its entries)
        self._resolved_paths: Dict[str, Path] = {}
        self._real_paths: Dict[str, str] = {}  # `_real`
        self._tops: Dict[str, Path] = {}  # directory -> `_package_top`
        self._tops_roots: Dict[str, Tuple[List[Path], Tuple[str, ...]]] = {}  # -> `_roots_above`
        self._through: Dict[tuple, tuple] = {}  # (module, name, words, depth) -> (its re-exports, mentioned)
        self._stamps: Dict[str, Tuple[int, Optional[Tuple[int, int]]]] = {}  # path -> (run, (size, mtime))
        self._mentioned: Dict[tuple, Tuple[int, Optional[Path], bool]] = {}  # -> (run, module, answer)
        self._places: Dict[str, tuple] = {}  # importer -> (run, `_place`)
        self.touched: set = set()  # modules read since the caller last cleared it (cache dependencies)
        self.scanned: list = []  # scans.record()s of the scans run since then (cache dependencies too)
        self.consulted: set = set()  # directories whose entries an import's answer rested on (`prefilter_record`)

    # -- finding the module file ----------------------------------------------------------------
    def _roots_of(self, importer: Optional[Path]) -> Tuple[List[Path], Tuple[str, ...]]:
        """Where the importer's absolute imports start, and the same as strings (a cache key)."""
        key = os.path.dirname(os.fspath(importer)) if importer is not None else ""
        if key not in self._root_cache:
            self.consulted.add(os.fspath(self.root))  # whether root/src is there
            top = self._package_top(self._resolved(importer).parent) if importer is not None else None
            self._root_cache[key] = self._roots_above(top)
        return self._root_cache[key]

    def _package_top(self, directory: Path) -> Path:
        """The directory above `directory`'s top-level package (itself when it is no package):
        where `import pkg` starts. Once per directory: a package's files share their answer."""
        key = os.fspath(directory)
        found = self._tops.get(key)
        if found is None:
            self.consulted.add(key)
            if (directory / "__init__.py").exists() and directory.parent != directory:
                found = self._package_top(directory.parent)
            else:
                found = directory
            self._tops[key] = found
        return found

    def _roots_above(self, top: Optional[Path]) -> Tuple[List[Path], Tuple[str, ...]]:
        """The roots of an importer whose top-level package is in `top`: `top`, then the
        directories above it within the project, nearest first (an application run from its own
        folder, `services/`, with `data/impl/` not a package, imports `model.dynamo.ticket` from
        there), then the project's root and its `src`. Once per `top`."""
        key = os.fspath(top) if top is not None else ""
        found = self._tops_roots.get(key)
        if found is None:
            roots = [self.root, self.root / "src"]
            if top is not None:
                above = [d for d in top.parents if d == self.root or self.root in d.parents]
                roots[:0] = [top, *above]
            existing = list(dict.fromkeys(r for r in roots if r.is_dir()))
            found = self._tops_roots[key] = (existing, tuple(map(os.fspath, existing)))
        return found

    def _resolved(self, path: Path) -> Path:
        key = os.fspath(path)
        found = self._resolved_paths.get(key)
        if found is None:
            found = self._resolved_paths[key] = Path(self._real(key))
        return found

    def _real(self, key: str) -> str:
        """`key` resolved, as text: a file's directory is resolved once for all its files (a
        resolve costs a stat per component), the file itself only when it is a link."""
        found = self._real_paths.get(key)
        if found is None:
            parent, name = os.path.split(key)
            if name not in ("", ".", "..") and parent and parent != key and not os.path.islink(key):
                found = os.path.join(self._real(parent), name)
            else:
                found = os.fspath(Path(key).resolve())
            self._real_paths[key] = found
        return found

    def _stamp(self, path) -> Optional[Tuple[int, int]]:
        """(size, modification time) of `path`, None when it cannot be read; once per run while
        a run is open."""
        key = os.fspath(path)
        if _RUN["open"]:
            cached = self._stamps.get(key)
            if cached is not None and cached[0] == _RUN["number"]:
                return cached[1]
        try:
            stat = os.stat(key)
            stamp = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            stamp = None
        if _RUN["open"]:
            self._stamps[key] = (_RUN["number"], stamp)
        return stamp

    def _listing(self, directory) -> frozenset:
        """The names in `directory` (empty when it is none): one listing per directory and
        modification time, instead of a stat per candidate file (most imports are of packages
        that are not the project's: `import json`, `from django.db import models`)."""
        self.consulted.add(os.fspath(directory))
        found = self._stamp(directory)
        if found is None:
            return frozenset()
        stamp = found[1]
        cached = self._entries.get(directory)
        if cached is None or cached[0] != stamp:
            try:
                cached = self._entries[directory] = (stamp, frozenset(os.listdir(directory)))
            except OSError:
                return frozenset()
        return cached[1]

    def _file(self, parts: List[str], base: Path) -> Optional[Path]:
        """`parts` as a module file under `base` (`a/b.py` or `a/b/__init__.py`), by directory listings."""
        directory = os.path.join(base, *parts[:-1]) if parts else os.fspath(base)
        if parts and f"{parts[-1]}.py" in self._listing(directory):
            return Path(directory, f"{parts[-1]}.py")
        package = os.path.join(directory, parts[-1]) if parts else directory
        if (not parts or parts[-1] in self._listing(directory)) and "__init__.py" in self._listing(package):
            return Path(package, "__init__.py")
        return None

    def locate(self, qualname: str, importer: Optional[Path]) -> Optional[Tuple[Path, str, List[str]]]:
        """(file, module name, remaining attribute names) for the longest importable prefix."""
        level = len(qualname) - len(qualname.lstrip("."))
        parts = [p for p in qualname.lstrip(".").split(".") if p]
        itself = self._real(os.fspath(importer)) if importer is not None else None  # paths as text: cheaper
        if level:
            if itself is None:
                return None
            base = os.path.dirname(itself)
            for _ in range(level - 1):
                base = os.path.dirname(base)
            bases = [base]
        else:
            bases = self._roots_of(importer)[1]
        for size in range(len(parts), -1 if level else 0, -1):
            for base in bases:
                found = self._file(parts[:size], base)
                if found is not None and self._real(os.fspath(found)) != itself:
                    return found, ".".join(parts[:size]) or ".", parts[size:]
        return None

    # -- the prefilter: what the modules a file imports mention ---------------------------------
    def imports_mentioning(self, data: bytes, importer: Path, words) -> bool:
        """Whether a module of the project that `data` (the source of `importer`) imports at its
        top level contains one of `words`. Read as bytes, never parsed; cached per process."""
        text = data.decode("latin-1")  # only ASCII names matter here
        names = [name for match in _statements(_IMPORT, text) for name in _imported_names(match)
                 if name.lstrip(".").split(".")[0] not in _STDLIB]
        if not names:
            return False
        if not _RUN["open"]:
            return any(self._mentions_through(name, importer, words, 0) for name in names)
        place = self._place(importer)
        return any(self._remembered(name, importer, words, place) for name in names)

    def module_mentions(self, qualname: str, importer: Optional[Path], words) -> bool:
        """Whether the project's module that `qualname` imports (from `importer`) contains one
        of `words` (bytes), or re-exports the imported name (every name, for a module imported
        whole or with `*`) from a module that does: `from app.models import Subscriber`, where
        app/models/__init__.py holds `from .subscriber import Subscriber` (or `*`). False for the
        standard library, other packages and unknown names."""
        if not _RUN["open"]:
            return self._mentions_through(qualname, importer, words, 0)
        return self._remembered(qualname, importer, words, self._place(importer))

    def _place(self, importer: Optional[Path]) -> Tuple[str, Tuple[str, ...], Optional[Path]]:
        """(the importer's directory, the roots its absolute imports start from, the importer
        itself resolved): what an import's answer depends on, worked out once per file and run."""
        key = os.fspath(importer) if importer is not None else ""
        if _RUN["open"]:
            cached = self._places.get(key)
            if cached is not None and cached[0] == _RUN["number"]:
                return cached[1]
        place = (os.path.dirname(key), self._roots_of(importer)[1],
                 self._resolved(importer) if importer is not None else None)
        if _RUN["open"]:
            self._places[key] = (_RUN["number"], place)
        return place

    def _remembered(self, qualname: str, importer: Optional[Path], words, place) -> bool:
        """`_mentions_through`, remembered for the run per name and the importer's directory (a
        relative import) or roots (an absolute one), unless the name leads to the importer itself."""
        directory, roots, itself = place
        key = (qualname, directory if qualname.startswith(".") else roots, words)
        cached = self._mentioned.get(key)
        if cached is not None and cached[0] == _RUN["number"] and (cached[1] is None or cached[1] != itself):
            return cached[2]
        found = self._import_target(qualname, importer, place)
        answer = self._target_mentions(found, words, 0)
        module = self._resolved(found[0]) if found is not None else None
        if module is None or module != itself:  # the same name from the module itself looks further
            self._mentioned[key] = (_RUN["number"], module, answer)
        return answer

    def _mentions_through(self, qualname: str, importer: Optional[Path], words, depth: int) -> bool:
        return self._target_mentions(self._import_target(qualname, importer), words, depth)

    def _target_mentions(self, found: Optional[Tuple[Path, Tuple[str, ...]]], words, depth: int) -> bool:
        if found is None:
            return False
        module, rest = found
        mentioned, reexports = self._read(module, words)
        if mentioned or depth >= _MAX_REEXPORTS:
            return mentioned
        # the same module and name are imported by many files: followed once while the module
        # is unchanged (`_read` gives the same re-exports object then)
        key = (module, rest[0] if rest else None, words, depth)
        cached = self._through.get(key)
        if cached is None or cached[0] is not reexports:
            cached = self._through[key] = (reexports, any(self._mentions_through(source, module, words, depth + 1)
                                                           for source in _reexported(reexports, key[1])))
        return cached[1]

    def defined_names(self, qualname: str, importer: Optional[Path], words, extract) -> frozenset:
        """`extract(source)` for the project's module that `qualname` imports, when that module
        contains one of `words`; cached per process while the module is unchanged."""
        module = self._module_file(qualname, importer)
        if module is None or not self._mentions(module, words):
            return frozenset()
        found = self._stamp(module)
        if found is None:
            return frozenset()
        stamp = (found, extract)
        cached = self._defined.get((module, extract))
        if cached is None or cached[0] != stamp:
            try:
                cached = self._defined[(module, extract)] = (stamp, frozenset(extract(module.read_bytes())))
            except OSError:
                return frozenset()
        return cached[1]

    def _module_file(self, qualname: str, importer: Optional[Path]) -> Optional[Path]:
        found = self._import_target(qualname, importer)
        return found[0] if found is not None else None

    def _import_target(self, qualname: str, importer: Optional[Path],
                       place=None) -> Optional[Tuple[Path, Tuple[str, ...]]]:
        """(the project's module file `qualname` imports from `importer`, the names after the
        module's: `Subscriber` of `app.models.Subscriber`); None when it is no project module.
        `place`: the importer's `_place`, when the caller has it."""
        if qualname.lstrip(".").split(".")[0] in _STDLIB:
            return None
        directory, roots, itself = place or self._place(importer)
        # an absolute import means the same from every directory with the same roots (most of a
        # package's files share them): one look-up per name, not one per directory
        key = (qualname, directory if qualname.startswith(".") else roots)
        located = self._located.get(key, False)
        if located is False:
            found = self.locate(qualname, importer)
            located = self._located[key] = (found[0], tuple(found[2]), self._resolved(found[0])) \
                if found is not None else None
        if located is None:
            return None
        if itself is not None and located[2] == itself:
            found = self.locate(qualname, importer)  # a module never imports itself: look further
            return (found[0], tuple(found[2])) if found is not None else None
        return located[0], located[1]

    def imports_module(self, importer: Path, module: Path) -> bool:
        """Whether `importer`'s top-level imports (read as text) name the project's `module` file."""
        try:
            text = importer.read_bytes().decode("latin-1")
        except OSError:
            return False
        for match in _statements(_IMPORT, text):
            for name in _imported_names(match):
                found = self._module_file(name, importer)
                if found is not None and self._resolved(found) == module:
                    return True
        return False

    def _mentions(self, path: Path, words) -> bool:
        return self._read(path, words)[0]

    def _read(self, path: Path, words) -> Tuple[bool, tuple]:
        """Whether the module holds one of `words`, and when it does not, what it may re-export
        (`_reexports`); cached per process while the module is unchanged, for each set of words
        (the prefilter's, PynamoDB's and the write helpers' alternate from one file to the next)."""
        stamp = self._stamp(path)
        if stamp is None:
            return False, ()
        cached = self._words.get((path, words))
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            data = path.read_bytes() if stamp[0] <= _MAX_SCANNED_BYTES else b""
        except OSError:
            return False, ()
        found = any(word in data for word in words)
        answer = (found, () if found else _reexports(data))
        self._words[(path, words)] = (stamp, answer)
        return answer

    # -- what the prefilter's answers rest on (ddblint.manifest) ------------------------------
    def prefilter_record(self) -> dict:
        """The directories whose entries the import look-ups read (their modification times) and
        what each module read for words mentions: while these hold, every answer of
        `imports_mentioning` holds. (A symbolic link that changes target is not seen.)"""
        directories = {}
        for directory in self.consulted:
            stamp = self._stamp(directory)
            directories[directory] = stamp[1] if stamp is not None else None
        modules = {}
        for (path, words), (stamp, answer) in self._words.items():
            modules[_module_key(path, words)] = [list(stamp), _plain(answer)]
        return {"directories": directories, "modules": modules}

    def prefilter_holds(self, record: dict) -> bool:
        """Whether a `prefilter_record` of an earlier run still describes the project: the same
        directory entries, and each module read then mentions the same words and re-exports the
        same names now (an edit elsewhere in it changes nothing)."""
        try:
            for directory, mtime in record["directories"].items():
                stamp = self._stamp(directory)
                if (stamp[1] if stamp is not None else None) != mtime:
                    return False
            for key, (stamp, answer) in record["modules"].items():
                path, words = _from_module_key(key)
                now = self._stamp(path)
                if now is None or list(now) != stamp and _plain(self._read(path, words)) != answer:
                    return False
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        return True

    # -- evaluating there ------------------------------------------------------------------------
    def evaluator(self, path: Path):
        # deferred: the value resolver (values, scope) is the model's; the prefilter and the manifest,
        # which import this module at start-up, never evaluate (a run that models nothing skips it)
        from ddblint.dynamo.scope import build_index
        # deferred: the same reason
        from ddblint.dynamo.values import Evaluator

        self.touched.add(path)
        try:
            key = self._stamp(path)
            if key is None:
                raise OSError(path)
            cached = self._modules.get(path)
            if cached is not None and cached[0] == key:
                self._modules.move_to_end(path)
                return cached[1]
            if key[0] > _MAX_WRITER_BYTES:
                return None
            data = path.read_bytes()
            if key[0] > _MAX_BYTES and not _writer_module(path, data):
                return None
            module = parsing.parse(data)
            evaluator = Evaluator(build_index(module), self, path)
        except (OSError, parsing.ParseProblem, RecursionError):  # RecursionError: from build_index
            evaluator = None
            key = None
        self._modules[path] = (key, evaluator)
        if len(self._modules) > _MAX_MODULES:
            self._modules.popitem(last=False)  # the least recently used
        return evaluator

    def resolve(self, qualname: str, importer: Optional[Path]):
        """The value an import names when it is one of the project's modules, else None."""
        # deferred: the value resolver (values, scope) is the model's; the prefilter and the manifest,
        # which import this module at start-up, never evaluate (a run that models nothing skips it)
        from ddblint.dynamo.values import UNKNOWN, ModuleRef

        if self._depth > 8:
            return UNKNOWN  # a long chain of re-exports: give up rather than recurse
        found = self.locate(qualname, importer)
        if found is None:
            return None
        path, name, rest = found
        evaluator = self.evaluator(path)
        if evaluator is None:
            return UNKNOWN
        self._depth += 1
        try:
            value = ModuleRef(evaluator, name)
            for attr in rest:
                value = self._member(evaluator, value, attr) if attr else value
            return value
        finally:
            self._depth -= 1

    def _member(self, evaluator, value, attr: str):
        """`module.attr`: a name the module binds, one it re-exports with `from M import *` (a
        package's `__init__` gathering its models), or a submodule."""
        # deferred: the value resolver (values, scope) is the model's; the prefilter and the manifest,
        # which import this module at start-up, never evaluate (a run that models nothing skips it)
        from ddblint.dynamo.values import ModuleRef

        if isinstance(value, ModuleRef) and attr not in value.evaluator.index.scope.bindings:
            found = self._star_exported(value.evaluator, attr, 0)
            if found is not None:
                return found
        return evaluator.attribute(value, attr)

    def star_imported(self, evaluator, name: str):
        """The value of a name the module of `evaluator` reads but never binds, when one of its
        top-level `from M import *` of a project module brings it in; else None (a builtin, or
        a name from a package that is not the project's)."""
        # deferred: the value resolver (values, scope) is the model's; the prefilter and the manifest,
        # which import this module at start-up, never evaluate (a run that models nothing skips it)
        from ddblint.dynamo.values import UNKNOWN

        if self._depth > 8:
            return UNKNOWN  # a long chain of imports: give up rather than recurse
        self._depth += 1
        try:
            return self._star_exported(evaluator, name, 0)
        finally:
            self._depth -= 1

    def _star_exported(self, evaluator, attr: str, depth: int):
        """The value `attr` has in the module when one of its `from M import *` brings it in (the
        last such import that does, as at run time), else None."""
        if depth > 4:
            return None  # star imports of star imports, or a cycle of them: give up
        for source in reversed(evaluator.index.star_imports):
            found = self.locate(source, evaluator.path)
            target = self.evaluator(found[0]) if found is not None and not found[2] else None
            if target is None or not _exports(target, attr):
                continue
            if attr in target.index.scope.bindings:
                return target.module_attribute(attr)
            deeper = self._star_exported(target, attr, depth + 1)
            if deeper is not None:
                return deeper
        return None


def _exports(evaluator, name: str) -> bool:
    """Whether `from module import *` brings `name` in: listed in the module's `__all__` when that
    is a literal list of strings, else when it is public. (An `__all__` we cannot read cannot
    leave out a name a re-export then imports: that import would fail at run time.)"""
    # deferred: the value resolver (values, scope) is the model's; the prefilter and the manifest,
    # which import this module at start-up, never evaluate (a run that models nothing skips it)
    from ddblint.dynamo.values import ListValue

    if "__all__" in evaluator.index.scope.bindings:
        listed = evaluator.module_attribute("__all__")
        if isinstance(listed, ListValue) and listed.complete and all(isinstance(i.value, str) for i in listed.items):
            return name in {item.value for item in listed.items}
    return not name.startswith("_")


def _module_key(path: Path, words) -> str:
    return "\0".join([os.fspath(path), *(word.decode("latin-1") for word in words)])


def _from_module_key(key: str) -> Tuple[Path, tuple]:
    path, *words = key.split("\0")
    return Path(path), tuple(word.encode("latin-1") for word in words)


def _plain(answer) -> list:
    """A `_read` answer as JSON gives it back: lists, not tuples."""
    return json.loads(json.dumps(answer))


_PROJECTS: Dict[str, Project] = {}


def project_for(root: Path) -> Project:
    key = os.fspath(root)
    if key not in _PROJECTS:
        _PROJECTS[key] = Project(root)
    return _PROJECTS[key]
