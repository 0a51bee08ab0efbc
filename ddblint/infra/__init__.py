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
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

from ddblint.infra.declarations import DiscoveredTable, Fact, is_glob, name_pattern, relative  # noqa: F401 - __all__


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
        rel = relative(path, root)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{rel}: cannot read the file: {exc}")
            continue
        try:
            if suffix == ".py":
                if not _CDK_IMPORT.search(text):
                    continue
                # deferred: cdk.py reads the app with LibCST, whose import a run that parses
                # nothing never pays (ddblint/lazy.py); its visitor derives from LibCST's
                from ddblint.infra import cdk
                found, problems = cdk.tables(text, rel)
            else:
                # deferred: cloudformation.py loads PyYAML, about 15 ms of every run's start-up (more
                # on a busy machine), and only projects with templates need it
                from ddblint.infra import cloudformation
                found, problems = cloudformation.tables(text, rel, is_json=suffix == ".json")
        except Exception as exc:  # a bug here must cost one file, not the run
            found, problems = [], [f"{rel}: internal error while reading tables: {exc!r}"]
        tables.extend(found)
        warnings.extend(problems)

    if tf_files:
        try:
            # deferred: Terraform files are rare and the reader's parser (python-hcl2, lark) costs
            # start-up time; tests/test_infra.py checks it is imported only for .tf files
            from ddblint.infra import terraform
            found, problems = terraform.tables(tf_files, root)
        except Exception as exc:
            found, problems = [], [f"internal error while reading Terraform files: {exc!r}"]
        tables.extend(found)
        warnings.extend(problems)

    tables.sort(key=lambda t: _source_key(t.source))
    return tables, warnings


def _files(root: Path, globs: Tuple[str, ...], exclude, warnings: List[str]) -> Iterator[Path]:
    import pathspec  # here: every run imports this package (the table registry), few discover (~13 ms)

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
            rel = relative(path, root)
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


def _source_key(src: str) -> Tuple[str, int]:
    path, _, line = src.rpartition(":")
    return path, int(line) if line.isdigit() else 0


__all__ = ["DEFAULT_GLOBS", "SKIP_DIRS", "DiscoveredTable", "Fact", "discover", "is_glob", "name_pattern"]
