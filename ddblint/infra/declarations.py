"""What a table declaration in infrastructure code says (`DiscoveredTable`, each `Fact` with
the `file:line` it came from), and the helpers every reader shares: names built from parts,
placeholders, sources. The readers (cdk, cloudformation, terraform) and `ddblint.infra.discover`
import this module; it imports nothing of ddblint.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence


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


# --- where a fact comes from -----------------------------------------------------------------

def source(rel: str, line: Optional[int]) -> str:
    return f"{rel}:{line or 1}"


def relative(path: Path, root: Path) -> str:
    """`path` relative to `root`, with forward slashes, as sources name files."""
    try:
        return os.path.relpath(path, root).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return str(path)
