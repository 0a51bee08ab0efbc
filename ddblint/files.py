"""Which files to lint, found the way Ruff finds them.

* Directories are walked without following symlinked directories; ``.py`` and ``.pyi``
  files are collected. A symlinked file is followed only when its target lies inside the
  directory being walked (SECURITY.md); one pointing outside it, a broken link and a link loop
  are skipped with a notice. Paths given explicitly are followed wherever they point.
* An entry is skipped when it matches :data:`DEFAULT_EXCLUDE`, ``exclude`` or
  ``extend-exclude`` (gitignore-style globs relative to the settings' root; a bare name
  matches at any depth), or, with ``respect-gitignore``, the ``.gitignore`` / ``.ignore``
  files of its directory and its parents, or ``.git/info/exclude``. No git repository or git
  binary is needed.
* A path given explicitly is never itself checked against those patterns (a file is linted
  whatever its suffix, a directory is walked), so ``ddblint check build/`` lints inside an
  excluded ``build``. With ``force_exclude`` (pre-commit passes file names) the exclude
  patterns apply to explicit paths too; gitignore still does not, as in Ruff.
"""
from __future__ import annotations

import errno
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .config import Settings, compile_globs, relative_posix

DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".hypothesis", ".ipynb_checkpoints",
    ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn",
    ".tox", ".venv", ".vscode", ".ddblint_cache", "__pycache__", "__pypackages__", "_build",
    "buck-out", "build", "dist", "node_modules", "site-packages", "venv", "*.egg-info",
)
PYTHON_SUFFIXES = (".py", ".pyi")
# Read in this order, so later files win: git ranks a directory's .gitignore above
# .git/info/exclude, and ripgrep/Ruff rank .ignore above .gitignore.
IGNORE_FILES = (".git/info/exclude", ".gitignore", ".ignore")

_Patterns = Tuple[object, ...]  # pathspec Pattern objects of one ignore file
_IgnoreStack = Tuple[Tuple[str, _Patterns], ...]  # (base directory, patterns), outermost first


def display(path: Path) -> str:
    """A path as ddblint names it in its output: relative to the current directory when under it."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        normal = os.path.normpath(text)
        if normal != ".." and not normal.startswith(".." + os.sep):
            return normal  # what relpath gives, without its two look-ups of the current directory
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


def discover(
    paths: Sequence[Path],
    settings_for: Callable[[Path], Settings],
    *,
    force_exclude: bool = False,
    notices: Optional[List[Tuple[Path, str]]] = None,
) -> Tuple[List[Path], List[Tuple[Path, str]]]:
    """The files to lint under ``paths``, sorted and without duplicates, and the paths that
    could not be read as ``(path, message)``. ``settings_for`` gives the settings of a
    directory (nested config files can change the excludes below them). Entries skipped for
    a reason the user should hear of (symlinks, see above) are appended to ``notices``."""
    found: Dict[str, Path] = {}  # absolute path -> the path as built from the argument
    errors: List[Tuple[Path, str]] = []
    notices = notices if notices is not None else []

    def add(path: Path) -> None:
        found.setdefault(os.path.abspath(path), path)

    for given in map(Path, paths):
        if not os.path.exists(given):  # also a dangling symlink
            errors.append((given, _link_problem(given) or "No such file or directory"))
            continue
        is_dir = given.is_dir()  # an explicit symlink to a directory is followed
        if force_exclude and excluded_explicitly(given, is_dir, settings_for(given)):
            continue
        if is_dir:
            walker = _Walker(os.path.realpath(given), settings_for, add, errors, notices)
            walker.walk(given, _parent_ignores(given))
        else:
            add(given)
    return sorted(found.values()), errors


def _link_problem(path: Path) -> Optional[str]:
    """Why the symlink ``path`` leads to no file (None: it is not a symlink, or it does)."""
    if not os.path.islink(path):
        return None
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        return f"broken symbolic link (to {os.readlink(path)})"
    return None


class _Walker:
    def __init__(self, root: str, settings_for, add, errors, notices) -> None:
        self.root = root  # the walked argument, symlinks resolved
        self.settings_for, self.add, self.errors, self.notices = settings_for, add, errors, notices

    def walk(self, top: Path, ignores: _IgnoreStack) -> None:
        # A loop, not recursion: a tree thousands of directories deep must not exhaust the stack.
        pending = [(top, ignores)]
        while pending:
            pending.extend(reversed(self._directory(*pending.pop())))

    def _directory(self, directory: Path, ignores: _IgnoreStack) -> List[Tuple[Path, _IgnoreStack]]:
        """Add the files of one directory; return its subdirectories to walk."""
        subdirectories: List[Tuple[Path, _IgnoreStack]] = []
        settings = self.settings_for(directory)
        # Read even when this directory does not respect them: a nested config may.
        ignores = ignores + _ignore_files(directory)
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.errors.append((directory, exc.strerror or str(exc)))
            return subdirectories
        globs = DEFAULT_EXCLUDE + settings.exclude + settings.extend_exclude
        excludes = _exclude_patterns(globs)
        names = _plain_names(globs)
        for entry in entries:
            path = directory / entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
                if not is_dir and not is_link and not entry.is_file():  # socket, fifo, device…
                    continue
            except OSError:
                continue
            if is_link and not entry.name.endswith(PYTHON_SUFFIXES):
                continue  # symlinked directories are not followed
            if names is not None:  # every pattern a bare name: the entry's own name decides
                if _plainly_excluded(names, entry.name, is_dir):
                    continue
            elif _matches(excludes, relative_posix(path, settings.root), is_dir):
                continue
            if settings.respect_gitignore and _gitignored(path, is_dir, ignores):
                continue
            if is_dir:
                subdirectories.append((path, ignores))
            elif entry.name.endswith(PYTHON_SUFFIXES):
                if is_link and not self._follow(path):
                    continue
                self.add(path)
        return subdirectories

    def _follow(self, link: Path) -> bool:
        """Whether to lint the file a walked symlink points at; else a notice says why not."""
        problem = _link_problem(link)
        if problem is None and not os.path.isfile(link):
            return False  # a link to a directory (or a fifo...) named *.py: not followed
        if problem is None:
            target = os.path.realpath(link)
            try:
                if os.path.commonpath([target, self.root]) == self.root:
                    return True
            except ValueError:  # another drive (Windows)
                pass
            problem = f"symbolic link to {target}, outside {self.root} (pass it explicitly to check it)"
        self.notices.append((link, f"skipped: {problem}"))
        return False


@lru_cache(maxsize=256)
def _exclude_patterns(globs: Tuple[str, ...]) -> _Patterns:
    return tuple(compile_globs(globs).patterns)


_PLAIN_NAME = re.compile(r"\*?[^/*?\[\]!#\\\s]+/?")


@lru_cache(maxsize=256)
def _plain_names(globs: Tuple[str, ...]):
    """(names, directory-only names, suffixes) when every glob is a bare name (`build`, `dist/`)
    or a bare `*suffix` (`*.egg-info`): such a pattern matches an entry exactly when the entry's
    own name does, since the walk never enters an excluded directory. Else None (the general
    matcher decides). The defaults, and most configurations, are of this kind."""
    if not all(_PLAIN_NAME.fullmatch(glob) for glob in globs):
        return None
    names = frozenset(g for g in globs if not g.endswith("/") and not g.startswith("*"))
    directories = frozenset(g[:-1] for g in globs if g.endswith("/") and not g.startswith("*"))
    suffixes = tuple(g[1:] for g in globs if g.startswith("*"))
    if any(suffix.endswith("/") for suffix in suffixes):
        return None
    return names, directories, suffixes


def _plainly_excluded(names, name: str, is_dir: bool) -> bool:
    return name in names[0] or (is_dir and name in names[1]) or name.endswith(names[2])


def excluded_explicitly(path: Path, is_dir: bool, settings: Settings) -> bool:
    """--force-exclude: the path or any of its directories (below the root) is excluded."""
    rel = relative_posix(path, settings.root) + ("/" if is_dir else "")
    spec = compile_globs(DEFAULT_EXCLUDE + settings.exclude + settings.extend_exclude)
    return bool(rel.strip("/")) and bool(spec.match_file(rel))


def _matches(patterns: _Patterns, rel: str, is_dir: bool) -> Optional[bool]:
    """Gitignore decision for one walked entry: True excluded, False re-included by a ``!``
    pattern, None no pattern says. The last matching pattern wins.

    pathspec matches a directory's descendants too, so a pattern that matches only because
    it matches the parent is ignored here: the parent was either pruned already, or it is
    a directory the user passed explicitly, whose content must then be linted.
    """
    target = rel + "/" if is_dir else rel
    parent = rel.rsplit("/", 1)[0] + "/" if "/" in rel else None
    for pattern in reversed(patterns):
        include = getattr(pattern, "include", None)
        if include is None or not pattern.match_file(target):  # type: ignore[attr-defined]
            continue
        if parent is not None and pattern.match_file(parent):  # type: ignore[attr-defined]
            continue
        return include
    return None


def _gitignored(path: Path, is_dir: bool, ignores: _IgnoreStack) -> bool:
    # The deepest ignore file that has an opinion decides, as in git.
    for base, patterns in reversed(ignores):
        decision = _matches(patterns, relative_posix(path, Path(base)), is_dir)
        if decision is not None:
            return decision
    return False


def _ignore_files(directory: Path) -> _IgnoreStack:
    stack = []
    for name in IGNORE_FILES:
        if name.startswith(".git/") and not (directory / ".git").is_dir():
            continue  # .git/info/exclude only counts at a repository's top
        try:
            with open(directory / name, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        patterns = _ignore_patterns(tuple(lines))
        if patterns:
            stack.append((os.path.abspath(directory), patterns))
    return tuple(stack)


def _ignore_patterns(lines: Tuple[str, ...]) -> _Patterns:
    """The patterns of an ignore file; a line pathspec rejects is dropped (git ignores it
    too) rather than failing the run."""
    try:
        patterns = compile_globs(lines).patterns
    except Exception:
        patterns = []
        for line in lines:
            try:
                patterns.extend(compile_globs((line,)).patterns)
            except Exception:
                continue
    return tuple(p for p in patterns if p.include is not None)


def _parent_ignores(directory: Path) -> _IgnoreStack:
    """The ignore files of the directories above ``directory``, up to the repository's top
    (the nearest directory holding ``.git``) or, outside a repository, the filesystem root."""
    parents = []
    current = Path(os.path.abspath(directory))
    if (current / ".git").exists():
        return ()
    for parent in current.parents:
        parents.append(parent)
        if (parent / ".git").exists():
            break
    stack: _IgnoreStack = ()
    for parent in reversed(parents):
        stack += _ignore_files(parent)
    return stack
