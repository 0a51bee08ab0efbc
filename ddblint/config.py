"""Loading and validating ddblint's configuration (SPEC §4).

Where configuration comes from, like Ruff:

* ``.ddblint.toml`` or ``ddblint.toml`` (keys at the top level), or ``[tool.ddblint]`` in
  ``pyproject.toml``. A ``pyproject.toml`` without that table is not a ddblint config and is
  skipped. In one directory ``.ddblint.toml`` > ``ddblint.toml`` > ``pyproject.toml``.
* The nearest such file above a linted file wins; files are never merged.
* ``--config "KEY = VALUE"`` overrides (TOML, keys as in ``[tool.ddblint]``, dotted keys
  allowed) are applied on top: tables merge key by key, any other value replaces.

Every problem is a :class:`ConfigError` whose text names the file, the key and a hint,
because the user's only way to fix it is to find that line.

Globs (``exclude``, ``per-file-ignores``, ``deployments``, ``infrastructure``) are
gitignore-style and relative to :attr:`Settings.root`, the directory of the config file: a
pattern without a slash (``tests``, ``*_test.py``) matches at any depth, one with a slash
(``services/portal/**``) is anchored at the root, and a pattern matching a directory matches
everything below it.
"""
from __future__ import annotations

import difflib
import functools
import os
import re
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)


if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

CONFIG_FILES = (".ddblint.toml", "ddblint.toml", "pyproject.toml")  # precedence order
TABLE_MODES = ("global", "mrsc", "single-region")
TABLE_SHAPES = ("profile", "contested", "append-only")
INDEX_KINDS = ("global", "local")
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$")
OVERRIDE_SOURCE = "--config"


class ConfigError(Exception):
    """A configuration problem, rendered as one line: ``<file>: <key>: <problem>. <hint>``.

    ``path`` and ``key`` are left out of the text when they do not apply (a problem with an
    override has no file, invalid TOML has no key but a line and column instead).
    """

    def __init__(
        self,
        problem: str,
        *,
        path: Optional[str] = None,
        key: Optional[str] = None,
        hint: Optional[str] = None,
    ) -> None:
        self.problem = problem
        self.path = path
        self.key = key
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [p for p in (self.path, self.key) if p]
        text = ": ".join(parts + [self.problem])
        if self.hint:
            text += ". " + self.hint
        return text


@dataclass(frozen=True)
class TableConfig:
    """One ``[tool.ddblint.tables.<key>]`` entry: what the registry knows of a table."""

    key: str
    name: str
    env: Tuple[str, ...] = ()
    mode: Optional[str] = None  # None: not said, the caller applies default-table-mode
    home_region: Optional[str] = None
    replicas: Tuple[str, ...] = ()
    shape: str = "profile"
    partition_key: Optional[str] = None
    sort_key: Optional[str] = None
    version_attributes: Optional[Tuple[str, ...]] = None  # None: inherit the global one
    # A dict keeps the dataclass picklable; hash=False keeps Settings hashable.
    indexes: Mapping[str, str] = field(default_factory=dict, hash=False)
    source: str = ""  # the config file (or "--config") that declared it
    # other names the same table goes by (a glob from an infrastructure file that declares it)
    aliases: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """The resolved configuration that applies to a set of files."""

    config_path: Optional[Path]
    root: Path
    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    exclude: Tuple[str, ...] = ()
    extend_exclude: Tuple[str, ...] = ()
    version_attributes: Tuple[str, ...] = ("version",)
    default_table_mode: str = "global"
    region: Optional[str] = None
    infrastructure: Tuple[str, ...] = ()
    deployments: Tuple[Tuple[str, str], ...] = ()
    tables: Tuple[TableConfig, ...] = ()
    respect_gitignore: bool = True

    def enabled_codes(self, rules: Mapping[str, bool]) -> FrozenSet[str]:
        """The codes that run, given every rule as ``code -> enabled by default``.

        Ruff's precedence: the base is ``select`` (or, when it is not set, the rules marked
        default; ``ALL`` means every rule), ``extend-select`` adds to it and ``ignore``
        removes from it. When a rule is matched by both a select-side selector and an
        ignore selector, the more specific (longer) one decides and ``ignore`` wins ties:
        ``select=["DDB1"], ignore=["DDB101"]`` drops DDB101, ``select=["DDB101"],
        ignore=["DDB1"]`` keeps it. A prefix selects default-off rules too (as in Ruff);
        only an absent ``select`` looks at the default flag.
        """
        enabled = set()
        for code, default_on in rules.items():
            if self.select is None:
                chosen = 0 if default_on else None  # the default set ranks like ALL
            else:
                chosen = best_match(code, self.select)
            extra = best_match(code, self.extend_select)
            if extra is not None and (chosen is None or extra > chosen):
                chosen = extra
            dropped = best_match(code, self.ignore)
            if chosen is not None and (dropped is None or chosen > dropped):
                enabled.add(code)
        return frozenset(enabled)

    def ignored_for(self, path: Path, rules: Mapping[str, bool]) -> FrozenSet[str]:
        """The codes ``per-file-ignores`` switch off for ``path``.

        Every matching glob contributes (they are not first-match). A glob starting with
        ``!`` applies to the files it does *not* match, as in Ruff.
        """
        if not self.per_file_ignores:
            return frozenset()
        rel = relative_posix(path, self.root)
        codes = set()
        for glob, selectors in self.per_file_ignores:
            if glob_matches(glob, rel):
                codes.update(c for c in rules if best_match(c, selectors) is not None)
        return frozenset(codes)

    def region_for(self, path: Path) -> Optional[str]:
        """The region code in ``path`` runs in: the first ``deployments`` glob that matches
        it (in file order), else ``region``, else None (unknown)."""
        rel = relative_posix(path, self.root)
        for glob, region in self.deployments:
            if glob_matches(glob, rel):
                return region
        return self.region

    def table_version_attributes(self, table: TableConfig) -> Tuple[str, ...]:
        """The version attribute names of ``table``: its own, else the global ones."""
        if table.version_attributes is not None:
            return table.version_attributes
        return self.version_attributes


def best_match(code: str, selectors: Iterable[str]) -> Optional[int]:
    """Specificity of the most specific selector matching ``code`` (None: no match).
    ``ALL`` ranks 0, a prefix or code its length."""
    best = None
    for sel in selectors:
        rank = 0 if sel == "ALL" else (len(sel) if code.startswith(sel) else None)
        if rank is not None and (best is None or rank > best):
            best = rank
    return best


# --- globs -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _absolute(path: str) -> str:
    return os.path.abspath(path)


def _plain_absolute(path: str) -> bool:
    """Absolute and already normal (no `.`/`..` parts, no doubled separators): abspath would
    return it unchanged."""
    sep = os.sep
    return (os.path.isabs(path) and f"{sep}." not in path and sep + sep not in path and not path.endswith(sep)
            and (os.altsep is None or os.altsep not in path))


def relative_posix(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators ("" for the root itself).
    No symlinks are resolved: users write globs for the paths they see."""
    abs_path = os.fspath(path)
    if not _plain_absolute(abs_path):
        abs_path = os.path.abspath(abs_path)
    abs_root = _absolute(os.fspath(root))
    # the common case, a path under the root, without relpath's two abspath calls (file discovery
    # asks this for every file and directory, twice)
    if abs_path == abs_root:
        return ""
    if abs_path.startswith(abs_root) and abs_path[len(abs_root):len(abs_root) + 1] == os.sep:
        return abs_path[len(abs_root) + 1:].replace(os.sep, "/")
    try:
        rel = os.path.relpath(abs_path, os.path.abspath(root))
    except ValueError:  # another drive on Windows: only unanchored globs can match
        rel = abs_path
    rel = rel.replace(os.sep, "/")
    return "" if rel == "." else rel


@lru_cache(maxsize=4096)
def compile_globs(globs: Tuple[str, ...]):
    """A gitignore-style ``pathspec.PathSpec`` (``GitIgnoreSpec`` avoids the ``gitwildmatch`` name that
    pathspec 1.x deprecates, and exists since 0.10)."""
    import pathspec  # here: a run on one file with no globs to match never needs it (~10 ms)

    return pathspec.GitIgnoreSpec.from_lines(globs)


def glob_matches(glob: str, rel: str) -> bool:
    """Whether one glob matches a root-relative path (a leading ``!`` negates)."""
    if glob.startswith("!"):
        return not compile_globs((glob[1:],)).match_file(rel)
    return bool(compile_globs((glob,)).match_file(rel))


def _glob_problem(glob: str) -> Optional[str]:
    """Why ``glob`` is unusable, or None. pathspec silently treats an unclosed ``[`` as a
    pattern that matches nothing, so that is checked here."""
    if not glob.strip("!"):
        return "empty glob"
    i = 0
    while i < len(glob):
        if glob[i] == "\\":
            i += 2
            continue
        if glob[i] == "[":
            j = i + 1
            if j < len(glob) and glob[j] in "!^":
                j += 1
            if j < len(glob) and glob[j] == "]":  # `[]]` and `[!]]`: a literal `]`
                j += 1
            while j < len(glob) and glob[j] != "]":
                j += 2 if glob[j] == "\\" else 1
            if j >= len(glob):
                return f"invalid glob `{glob}`: unbalanced `[`"
            i = j
        i += 1
    try:
        compile_globs((glob[1:] if glob.startswith("!") else glob,))
    except Exception as exc:  # pathspec's error types differ between versions
        return f"invalid glob `{glob}`: {exc}"
    return None


# --- reading files ---------------------------------------------------------------------


def _read_toml(path: Path) -> Dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("not valid UTF-8", path=str(path), hint="TOML files must be UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, str(path)) from exc


def _toml_error(exc: Exception, where: str) -> ConfigError:
    """tomllib puts the position in the message text ("... (at line 3, column 9)");
    3.14 also has attributes. Either way it moves to the front, compiler-style."""
    text = str(exc)
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)", text)
    if m:
        line, col = m.group(1), m.group(2)
        text = text[: m.start()] + text[m.end():]
        return ConfigError(
            f"invalid TOML: {text}",
            path=f"{where}:{line}:{col}",
            hint=f"Fix the TOML syntax at line {line}, column {col}",
        )
    text = re.sub(r"\s*\(at end of document\)", "", text)
    return ConfigError(f"invalid TOML: {text} at the end of the file", path=where,
                       hint="Fix the TOML syntax")


def _ddblint_table(path: Path) -> Optional[Dict[str, Any]]:
    """The ddblint keys of a config file; None for a pyproject.toml without them."""
    if path.name != "pyproject.toml":
        return _read_toml(path)
    try:
        # Do not parse (and fail on) unrelated pyproject files of parent directories.
        if b"ddblint" not in path.read_bytes():
            return None
    except OSError:
        pass  # _read_toml reports it
    tool = _read_toml(path).get("tool", {})
    if not isinstance(tool, dict) or "ddblint" not in tool:
        return None
    return tool["ddblint"]


def _key_prefix(path: Optional[Path]) -> str:
    return "tool.ddblint" if path is not None and path.name == "pyproject.toml" else ""


def find_config(start: Path) -> Optional[Path]:
    """The nearest config file at or above ``start`` (a directory, or a file's directory),
    looked up afresh (runs use the cached `_config_for_dir`).

    A ``pyproject.toml`` counts only when it has a ``[tool.ddblint]`` table. Raises
    :class:`ConfigError` when a candidate that mentions ddblint is not valid TOML.
    """
    directory = Path(os.path.abspath(start))
    if not directory.is_dir():
        directory = directory.parent
    for folder in (directory, *directory.parents):
        found = _config_here(os.fspath(folder))
        if found is not None:
            return found
    return None


# --- validation ------------------------------------------------------------------------

_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
               list: "a list", dict: "a table"}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), "a date/time")


def _fmt_key(part: str) -> str:
    return part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else '"' + part.replace('"', '\\"') + '"'


def _did_you_mean(word: str, choices: Sequence[str], cutoff: float = 0.6) -> Optional[str]:
    # snake_case for kebab-case is the commonest slip; get_close_matches may rank it low
    for candidate in (word.replace("_", "-"), word.lower()):
        if candidate in choices:
            return candidate
    close = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return close[0] if close else None


class _Validator:
    """Checks one raw config dict and turns it into :class:`Settings` fields.
    ``source`` names the file (or "--config") in errors, ``prefix`` is the key path of the
    ddblint table in it ("tool.ddblint" in a pyproject.toml)."""

    def __init__(self, source: str, prefix: str, known_codes: Iterable[str]) -> None:
        self.source = source
        self.prefix = prefix
        self.codes = sorted(set(known_codes))
        # every valid prefix of a known code, from the family letters ("DDB") on
        self.selectors = {"ALL"}
        for code in self.codes:
            letters = len(code) - len(code.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            self.selectors.update(code[:n] for n in range(max(letters, 1), len(code) + 1))

    def error(self, keys: Sequence[str], problem: str, hint: Optional[str] = None) -> ConfigError:
        key = ".".join([self.prefix] * bool(self.prefix) + [_fmt_key(k) for k in keys])
        return ConfigError(problem, path=self.source, key=key or None, hint=hint)

    # value checkers: each takes the key path and value and returns the converted value

    def table(self, keys: Sequence[str], value: Any, allowed: Optional[Sequence[str]] = None) -> Dict[str, Any]:
        if not isinstance(value, dict):
            where = ".".join([self.prefix] * bool(self.prefix) + [_fmt_key(k) for k in keys])
            raise self.error(keys, f"expected a table, got {_type_name(value)} ({value!r})",
                             f"Write it as a `[{where}]` section or an inline table `{{ ... }}`")
        if allowed is None:
            return value
        for k in value:
            if k in allowed:
                continue
            hint = None
            if not keys and k == "lint":
                hint = "ddblint has no `lint` section: put `select` and the other keys directly in the ddblint table"
            elif not keys and k == "tool" and not self.prefix:
                hint = "This file takes the keys directly, without the `tool.ddblint` prefix"
            else:
                suggestion = _did_you_mean(k, allowed)
                hint = (f"Did you mean `{suggestion}`?" if suggestion
                        else "Valid keys: " + ", ".join(f"`{a}`" for a in allowed))
            raise self.error(list(keys) + [k], f"unknown key `{k}`", hint)
        return value

    def string(self, keys: Sequence[str], value: Any) -> str:
        if not isinstance(value, str):
            raise self.error(keys, f"expected a string, got {_type_name(value)} ({value!r})",
                             'Quote it, e.g. `"value"`')
        if not value:
            raise self.error(keys, "must not be empty", "Remove the key or give it a value")
        return value

    def strings(self, keys: Sequence[str], value: Any) -> Tuple[str, ...]:
        if not isinstance(value, list):
            example = f'["{value}"]' if isinstance(value, str) else '["..."]'
            raise self.error(keys, f"expected a list of strings, got {_type_name(value)} ({value!r})",
                             f"Write a list, e.g. `{example}`")
        for item in value:
            if not isinstance(item, str):
                raise self.error(keys, f"expected a list of strings, but it contains {_type_name(item)} ({item!r})",
                                 "Quote every item")
            if not item:
                raise self.error(keys, "contains an empty string", "Remove it")
        return tuple(value)

    def choice(self, keys: Sequence[str], value: Any, options: Sequence[str]) -> str:
        value = self.string(keys, value)
        if value not in options:
            hint = "Expected one of " + ", ".join(f"`{o}`" for o in options)
            if value.lower() in ("mrec", "multi-region"):
                hint += " (multi-region eventual consistency is `global`)"
            else:
                suggestion = _did_you_mean(value, options)
                if suggestion:
                    hint += f"; did you mean `{suggestion}`?"
            raise self.error(keys, f"invalid value `{value}`", hint)
        return value

    def region(self, keys: Sequence[str], value: Any) -> str:
        value = self.string(keys, value)
        if not REGION_RE.match(value):
            raise self.error(keys, f"`{value}` is not an AWS region name",
                             "Regions look like `eu-west-1` or `us-gov-west-1`")
        return value

    def globs(self, keys: Sequence[str], value: Any) -> Tuple[str, ...]:
        value = self.strings(keys, value)
        for glob in value:
            self.glob(keys, glob)
        return value

    def glob(self, keys: Sequence[str], glob: str) -> str:
        problem = _glob_problem(glob)
        if problem:
            raise self.error(keys, problem, "Globs are gitignore-style, relative to the config file's directory; "
                                            "write a literal `[` as `\\[` in a 'single-quoted' TOML string")
        return glob

    def selectors_(self, keys: Sequence[str], value: Any) -> Tuple[str, ...]:
        value = self.strings(keys, value)
        for sel in value:
            if sel not in self.selectors:
                # suggest only full codes: "DDB999" is not a typo of the prefix "DDB"
                suggestion = sel.upper() if sel.upper() in self.selectors else _did_you_mean(sel, self.codes, 0.75)
                hint = (f"Did you mean `{suggestion}`?" if suggestion else
                        "A selector is `ALL`, a rule code such as `DDB101` or a prefix such as `DDB1`")
                raise self.error(keys, f"unknown rule selector `{sel}`", hint)
        return value

    def version_attribute(self, keys: Sequence[str], value: Any) -> Tuple[str, ...]:
        if isinstance(value, str):
            return (self.string(keys, value),)
        if isinstance(value, list) and not value:
            raise self.error(keys, "the list is empty", 'Give at least one attribute name, e.g. `"version"`')
        if not isinstance(value, list):
            raise self.error(keys, f"expected a string or a list of strings, got {_type_name(value)} ({value!r})",
                             'Write e.g. `version-attribute = "version"`')
        return self.strings(keys, value)

    def boolean(self, keys: Sequence[str], value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(keys, f"expected true or false, got {_type_name(value)} ({value!r})",
                             "Write `true` or `false` without quotes")
        return value

    # the schema

    def settings(self, raw: Mapping[str, Any]) -> Dict[str, Any]:
        """Validate the whole ddblint table and return :class:`Settings` keyword arguments
        for the keys present."""
        raw = self.table([], raw, list(_TOP_LEVEL))
        out: Dict[str, Any] = {}
        for key, value in raw.items():
            attr, check = _TOP_LEVEL[key]
            out[attr] = check(self, [key], value)
        return out

    def per_file_ignores(self, keys: Sequence[str], value: Any) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
        value = self.table(keys, value)
        return tuple((self.glob(list(keys) + [g], g), self.selectors_(list(keys) + [g], codes))
                     for g, codes in value.items())

    def deployments(self, keys: Sequence[str], value: Any) -> Tuple[Tuple[str, str], ...]:
        value = self.table(keys, value)
        return tuple((self.glob(list(keys) + [g], g), self.region(list(keys) + [g], r))
                     for g, r in value.items())

    def tables(self, keys: Sequence[str], value: Any) -> Tuple[TableConfig, ...]:
        value = self.table(keys, value)
        return tuple(self.table_entry(list(keys) + [k], k, v) for k, v in value.items())

    def table_entry(self, keys: List[str], table_key: str, value: Any) -> TableConfig:
        value = self.table(keys, value, list(_TABLE_KEYS))
        fields: Dict[str, Any] = {"key": table_key, "name": table_key, "source": self.source}
        for key, raw in value.items():
            attr, check = _TABLE_KEYS[key]
            fields[attr] = check(self, keys + [key], raw)
        name_problem = _glob_problem(fields["name"])
        if name_problem:
            raise self.error(keys + ["name"], name_problem, "Give the exact table name or an fnmatch-style glob")
        home, replicas = fields.get("home_region"), fields.get("replicas")
        if home and replicas and home not in replicas:
            raise self.error(keys + ["home-region"], f"`{home}` is not one of the table's replicas ({', '.join(replicas)})",
                             f"Add `{home}` to `replicas` or correct `home-region`")
        return TableConfig(**fields)

    def indexes(self, keys: Sequence[str], value: Any) -> Dict[str, str]:
        value = self.table(keys, value)
        return {name: self.choice(list(keys) + [name], kind, INDEX_KINDS) for name, kind in value.items()}


_Check = Callable[[_Validator, Sequence[str], Any], Any]

# TOML key -> (Settings attribute, checker)
_TOP_LEVEL: Dict[str, Tuple[str, _Check]] = {
    "select": ("select", _Validator.selectors_),
    "ignore": ("ignore", _Validator.selectors_),
    "extend-select": ("extend_select", _Validator.selectors_),
    "per-file-ignores": ("per_file_ignores", _Validator.per_file_ignores),
    "exclude": ("exclude", _Validator.globs),
    "extend-exclude": ("extend_exclude", _Validator.globs),
    "version-attribute": ("version_attributes", _Validator.version_attribute),
    "default-table-mode": ("default_table_mode", lambda v, k, x: v.choice(k, x, TABLE_MODES)),
    "region": ("region", _Validator.region),
    "infrastructure": ("infrastructure", _Validator.globs),
    "deployments": ("deployments", _Validator.deployments),
    "tables": ("tables", _Validator.tables),
    "respect-gitignore": ("respect_gitignore", _Validator.boolean),
}

_TABLE_KEYS: Dict[str, Tuple[str, _Check]] = {
    "name": ("name", _Validator.string),
    "env": ("env", _Validator.strings),
    "mode": ("mode", lambda v, k, x: v.choice(k, x, TABLE_MODES)),
    "home-region": ("home_region", _Validator.region),
    "replicas": ("replicas", lambda v, k, x: tuple(v.region(k, r) for r in v.strings(k, x))),
    "shape": ("shape", lambda v, k, x: v.choice(k, x, TABLE_SHAPES)),
    "partition-key": ("partition_key", _Validator.string),
    "sort-key": ("sort_key", _Validator.string),
    "version-attribute": ("version_attributes", _Validator.version_attribute),
    "indexes": ("indexes", _Validator.indexes),
}


# --- loading ---------------------------------------------------------------------------


def _parse_override(text: str) -> Dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise ConfigError(f"`{text}` is not a valid `KEY = VALUE` override ({problem})", path=OVERRIDE_SOURCE,
                          hint='Write TOML with keys as in [tool.ddblint], e.g. `region = "eu-west-1"`') from exc


def _merge(base: Dict[str, Any], override: Mapping[str, Any], key: str = "") -> Dict[str, Any]:
    """Deep-merge: tables merge key by key, other values replace. New ``deployments``
    entries go first, because the first matching deployment wins and an override is meant
    to take effect."""
    merged = dict(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(merged.get(k), dict):
            merged[k] = _merge(merged[k], v, k)
        else:
            merged[k] = v
    if key == "deployments":
        merged = {**{k: merged[k] for k in override}, **merged}
    return merged


def load_settings(path: Optional[Path], known_codes: Iterable[str], *, overrides: Sequence[str] = ()) -> Settings:
    """Read and validate the config file at ``path`` (None: no file, defaults with the
    current directory as root), then apply ``--config "KEY = VALUE"`` overrides.

    ``known_codes`` are the rule codes selectors are checked against. Raises
    :class:`ConfigError` on any problem.
    """
    known_codes = tuple(known_codes)
    raw: Dict[str, Any] = {}
    if path is not None:
        path = Path(os.path.abspath(path))
        raw = _ddblint_table(path) or {}
    prefix = _key_prefix(path)
    source = str(path) if path is not None else OVERRIDE_SOURCE

    merged = raw
    for text in overrides:
        parsed = _parse_override(text)
        # Check the override alone first so its mistakes are blamed on --config, not the file.
        _Validator(OVERRIDE_SOURCE, "", known_codes).settings(parsed)
        merged = _merge(merged, parsed)

    fields = _Validator(source, prefix, known_codes).settings(merged)
    if "tables" in fields and path is not None:  # a table only an override declares comes from --config
        file_tables = raw.get("tables", {}) if isinstance(raw.get("tables"), dict) else {}
        fields["tables"] = tuple(t if t.key in file_tables else _replace_source(t) for t in fields["tables"])
    root = path.parent if path is not None else Path(os.path.abspath(os.getcwd()))
    return Settings(config_path=path, root=root, **fields)


def _replace_source(table: TableConfig) -> TableConfig:
    return replace(table, source=OVERRIDE_SOURCE)


def validate_selector(selector: str, known_codes: Iterable[str], *, origin: Optional[str] = None) -> str:
    """Check one rule selector from elsewhere (``--select`` on the command line): ``ALL``, a
    known code or a prefix of one. Raises :class:`ConfigError` naming ``origin``."""
    return _Validator(origin or "", "", known_codes).selectors_([], [selector])[0]


_CONFIG_FOR_DIR: Dict[str, Optional[Path]] = {}


def _config_for_dir(directory: str) -> Optional[Path]:
    """find_config for an absolute directory, reusing the answers for its ancestors: each
    directory of a tree costs its own few stats, not those of every ancestor again. A loop, not
    recursion: trees thousands of directories deep exist."""
    unknown = []
    folder = directory
    while folder not in _CONFIG_FOR_DIR:
        found = _config_here(folder)
        if found is not None:
            _CONFIG_FOR_DIR[folder] = found
            break
        unknown.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            _CONFIG_FOR_DIR[folder] = None
            break
        folder = parent
    answer = _CONFIG_FOR_DIR[folder]
    for below in unknown:
        _CONFIG_FOR_DIR[below] = answer
    return answer


def _config_here(folder: str) -> Optional[Path]:
    for name in CONFIG_FILES:
        candidate = Path(folder, name)
        if candidate.is_file() and (name != "pyproject.toml" or _ddblint_table(candidate) is not None):
            return candidate
    return None


@lru_cache(maxsize=None)
def _cached_settings(path: Optional[Path], known_codes: FrozenSet[str], overrides: Tuple[str, ...], cwd: str) -> Settings:
    return load_settings(path, known_codes, overrides=overrides)


def settings_for(
    path: Path,
    known_codes: Iterable[str],
    *,
    explicit: Optional[Path] = None,
    overrides: Sequence[str] = (),
    isolated: bool = False,
) -> Settings:
    """The settings for a file or directory: ``explicit`` (``--config FILE``) when given,
    else the nearest config file; with ``isolated`` (``--isolated``) none, only the defaults
    and ``overrides``. Called once per file, so lookups and loads are cached per directory;
    call :func:`clear_cache` when config files may have changed (editors)."""
    if isolated:
        config = None
    elif explicit is not None:
        config = Path(os.path.abspath(explicit))
    else:
        directory = os.path.abspath(path)
        if not os.path.isdir(directory):
            directory = os.path.dirname(directory)
        config = _config_for_dir(directory)
    cwd = os.getcwd() if config is None else ""  # with no config the root is the cwd
    return _cached_settings(config, frozenset(known_codes), tuple(overrides), cwd)


def clear_cache() -> None:
    """Forget cached config lookups and loaded settings."""
    global generation
    _CONFIG_FOR_DIR.clear()
    _cached_settings.cache_clear()
    generation += 1


# How many times the caches were cleared: a caller that remembers settings per path
# (runner.SettingsResolver) forgets them when this changes.
generation = 0
