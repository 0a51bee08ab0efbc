"""The records every part of ddblint passes around: a finding and the fix it may carry."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple


@dataclass(frozen=True)
class Location:
    """A 1-based row and 1-based column (in code points), as Ruff reports them."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between two locations (end exclusive) with ``content``."""

    content: str
    location: Location
    end_location: Location


@dataclass(frozen=True)
class Fix:
    message: str
    applicability: str  # "safe" | "unsafe" | "display-only"
    edits: Tuple[Edit, ...] = ()


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    filename: str  # the path as given on the command line (or --stdin-filename)
    location: Location
    end_location: Location
    fix: Optional[Fix] = None
    name: str = ""  # the rule's kebab-case name
    url: Optional[str] = None
    # the row a `# noqa` must sit on to suppress this finding (the start row)
    noqa_row: Optional[int] = field(default=None)

    def sort_key(self):
        return (self.filename, self.location.row, self.location.column, self.code)
