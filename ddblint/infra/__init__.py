"""Tables declared in infrastructure code: CloudFormation/SAM, Serverless, Terraform, AWS CDK (Python).

``discover(root, globs)`` reads the files named by ``globs`` (gitignore-style, relative to
``root``, as the ``infrastructure`` setting) or, without globs, the usual places, and returns
what each table declaration says, every fact with the ``file:line`` it came from. It never
raises: a file it cannot read or parse becomes a warning and the others are still read.

Facts are only what the file states literally. Anything computed at deploy time (a ``!Ref``'d
parameter, a Terraform variable, a CDK value built at synth time) is unknown, and unknown is
``None``, never a guess: the rules stay silent on unknowns, so a wrong fact would cost precision.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import pathspec


@dataclass(frozen=True)
class Fact:
    """One fact and where it came from."""

    value: object
    source: str  # "path/relative/to/root:LINE"
    note: Optional[str] = None  # what the value leaves out, e.g. "plus the stack's region (!Ref AWS::Region)"


@dataclass(frozen=True)
class DiscoveredTable:
    logical_id: str  # CFN logical id / Terraform resource name / CDK construct id
    name: Optional[Fact]  # exact name, or a glob when built from parts ("${Stage}-orders" -> "*-orders")
    mode: Optional[Fact]  # "global" | "mrsc" | "single-region"; None when the file does not settle it
    replicas: Optional[Fact]  # tuple of the regions named literally (see the note for the others)
    witness: Optional[Fact]  # witness region (MRSC)
    partition_key: Optional[Fact]
    sort_key: Optional[Fact]
    indexes: Optional[Fact]  # {index name: "global" | "local"}
    ttl: Optional[Fact]  # bool: TTL enabled
    kind: str  # "AWS::DynamoDB::GlobalTable", "aws_dynamodb_table", "TableV2", ...
    source: str  # where the resource is declared (path:line)
    # where each index is declared: an MRSC-with-LSI check wants the LSI's own line
    index_sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    # How many regions the declaration spans, written literally or not: replicas, the implicit
    # primary (the provider's / stack's region for Terraform and CDK) and the witness. An MRSC
    # table needs exactly 3. None when the count is not static (a dynamic block, !If, ...).
    region_count: Optional[int] = None

    @property
    def key(self) -> str:
        """The registry key: the exact table name when known, else the logical id."""
        if self.name is not None and not is_glob(str(self.name.value)):
            return str(self.name.value)
        return self.logical_id

    def facts(self) -> Dict[str, Fact]:
        """The known facts under the configuration's key names, for merging and ``render_tables``."""
        named = {"resource": Fact(f"{self.kind} {self.logical_id}", self.source)}
        for key, value in (("name", self.name), ("mode", self.mode), ("replicas", self.replicas),
                           ("witness", self.witness), ("partition-key", self.partition_key),
                           ("sort-key", self.sort_key), ("indexes", self.indexes), ("ttl", self.ttl)):
            if value is not None:
                named[key] = value
        return named


# --- names built from parts ---------------------------------------------------------------

def is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def name_pattern(parts: Sequence[Optional[str]]) -> Optional[str]:
    """A table name from literal parts and unknown ones (None): the exact name, a glob with
    ``*`` for each unknown run, or None when nothing literal is left (``*`` names every table)."""
    pattern = re.sub(r"\*+", "*", "".join("*" if p is None else p for p in parts))
    return pattern if pattern.strip("*") else None


def replace_placeholders(text: str, opener: str = "${", resolve=None) -> List[Optional[str]]:
    """Split ``text`` at ``${...}`` placeholders (nested braces allowed, as in Serverless'
    ``${opt:stage, ${self:custom.stage}}``) into literal parts and None for each placeholder.
    ``resolve(inner)`` may turn a placeholder into a literal (CloudFormation's ``${!Literal}``)."""
    parts: List[Optional[str]] = []
    i = 0
    while True:
        start = text.find(opener, i)
        if start < 0:
            parts.append(text[i:])
            return parts
        depth, j = 0, start + len(opener) - 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        parts.append(text[i:start])
        parts.append(resolve(text[start + len(opener):j]) if resolve else None)
        i = j + 1
        if j >= len(text):  # unclosed: the rest is part of the placeholder
            return parts


# --- finding the files --------------------------------------------------------------------

# Never walked into when searching the usual places: tool caches, dependencies, and build
# outputs that copy a template (.aws-sam/build/template.yaml would declare every table twice).
# cdk.out is walked: its synthesized *.template.json are the CDK app's tables as CloudFormation.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "node_modules", ".venv", "venv", ".tox", ".nox", ".direnv",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".ddblint_cache",
    ".eggs", "site-packages", ".terraform", ".aws-sam", ".serverless",
})
DEFAULT_GLOBS = (
    "template.yaml", "template.yml", "template.json",
    "*.template.json", "*.template.yaml", "*.template.yml",
    "serverless.yml", "serverless.yaml",
    "*.tf",
)
_CDK_IMPORT = re.compile(r"^[ \t]*(?:from|import)[ \t]+aws_cdk\b", re.M)


def discover(
    root: Path,
    globs: Sequence[str] = (),
    *,
    exclude: Optional[Callable[[Path], bool]] = None,
) -> Tuple[List[DiscoveredTable], List[str]]:
    """The tables declared under ``root`` and the warnings met on the way (never raises).

    With ``globs`` only the files they match are read (``.tf`` → Terraform, ``.py`` → CDK,
    ``.json``/``.yaml``/``.yml`` → CloudFormation or Serverless; anything else is ignored);
    without, the usual places (:data:`DEFAULT_GLOBS` and Python files importing ``aws_cdk``).
    ``exclude(path)`` returning True skips a file or a whole directory."""
    root = Path(root)
    tables: List[DiscoveredTable] = []
    warnings: List[str] = []
    try:
        files = list(_files(root, tuple(globs), exclude, warnings))
    except Exception as exc:  # a walk that fails (permissions, a bad glob) must not stop the lint
        return [], [f"{root}: cannot search for infrastructure files: {exc}"]

    tf_files: List[Path] = []
    for path in files:
        suffix = path.suffix.lower()
        if suffix == ".tf":
            tf_files.append(path)  # read per directory below: a provider block may sit beside them
            continue
        if suffix not in (".py", ".json", ".yaml", ".yml"):
            continue
        rel = _rel(path, root)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{rel}: cannot read the file: {exc}")
            continue
        try:
            if suffix == ".py":
                if not _CDK_IMPORT.search(text):
                    continue
                from ddblint.infra import cdk
                found, problems = cdk.tables(text, rel)
            else:
                from ddblint.infra import cloudformation
                found, problems = cloudformation.tables(text, rel, is_json=suffix == ".json")
        except Exception as exc:  # a bug here must cost one file, not the run
            found, problems = [], [f"{rel}: internal error while reading tables: {exc!r}"]
        tables.extend(found)
        warnings.extend(problems)

    if tf_files:
        try:
            from ddblint.infra import terraform
            found, problems = terraform.tables(tf_files, root)
        except Exception as exc:
            found, problems = [], [f"internal error while reading Terraform files: {exc!r}"]
        tables.extend(found)
        warnings.extend(problems)

    tables.sort(key=lambda t: _source_key(t.source))
    return tables, warnings


def _files(root: Path, globs: Tuple[str, ...], exclude, warnings: List[str]) -> Iterator[Path]:
    spec = pathspec.GitIgnoreSpec.from_lines(globs or DEFAULT_GLOBS)
    # An explicit glob may point into a directory the search usually skips
    # (`cdk.out/**`, `.aws-sam/build/template.yaml`): enter those it names.
    named = {seg for g in globs for seg in g.strip("!").split("/")}
    # to warn about a glob that matches nothing (a typo would otherwise go unnoticed)
    unmatched = {g: pathspec.GitIgnoreSpec.from_lines([g]) for g in globs if not g.startswith("!")}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames
            if (d not in SKIP_DIRS or d in named) and not (exclude and exclude(here / d))
        )
        for name in sorted(filenames):
            path = here / name
            rel = _rel(path, root)
            if exclude and exclude(path):
                continue
            if globs:
                if not spec.match_file(rel):
                    continue
                for g in [g for g, one in unmatched.items() if one.match_file(rel)]:
                    del unmatched[g]
                yield path
            elif spec.match_file(rel) or name.endswith(".py"):
                yield path
    for g in unmatched:
        warnings.append(f"infrastructure glob `{g}` matches no file under {root}")


def _rel(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return str(path)


def source(rel: str, line: Optional[int]) -> str:
    return f"{rel}:{line or 1}"


def _source_key(src: str) -> Tuple[str, int]:
    path, _, line = src.rpartition(":")
    return path, int(line) if line.isdigit() else 0


__all__ = ["DEFAULT_GLOBS", "SKIP_DIRS", "DiscoveredTable", "Fact", "discover", "is_glob", "name_pattern"]
