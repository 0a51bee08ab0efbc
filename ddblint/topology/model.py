"""The records of `ddblint map`: each DynamoDB call (`Access`) and each table it touches.

An `Access` is made where the file is analysed (a worker process, possibly) and is small and
picklable; `Table` and `Topology` are assembled from them in the process that prints the map.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

WRITE_KINDS = ("write", "batch-write", "transaction")
KINDS = WRITE_KINDS + ("read",)


@dataclass(frozen=True)
class TableRef:
    """The table of a call as the registry (or the code alone) describes it."""

    name: Optional[str]  # the registry's key, else the name the code gives; None when unknown
    project: str  # the configuration root the facts come from (an absolute path)
    registered: bool
    mode: str  # global | mrsc | single-region (the default mode when not registered)
    shape: str  # profile | contested | append-only
    home_region: Optional[str] = None
    replicas: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Access:
    """One DynamoDB operation of the code on one table."""

    table: TableRef
    path: str  # the file, as `ddblint check` names it
    line: int
    column: int
    function: Optional[str]  # the enclosing def, qualified (`Repository.save`); None at module level
    operation: str  # PutItem, UpdateItem, BatchWriteItem, GetItem, Query, ...
    kind: str  # one of KINDS
    region: Optional[str]  # the region the call runs in, None when unknown
    guarded: Optional[bool]  # writes: version-guarded or not, None when unknown; reads: None
    codes: Tuple[str, ...] = ()  # the findings on the call
    through: Optional[str] = None  # a write made by a project write helper: `Repo.save`
    through_path: Optional[str] = None  # where the helper's write is (absolute path), None: this file
    through_line: Optional[int] = None

    @property
    def writes(self) -> bool:
        return self.kind in WRITE_KINDS

    @property
    def off_home(self) -> Optional[bool]:
        """Whether the call runs outside its table's home region; None when either is unknown."""
        if self.region is None or self.table.home_region is None:
            return None
        return self.region != self.table.home_region

    @property
    def unguarded(self) -> bool:
        """A write that can silently lose (or cause the loss of) a concurrent change: no version
        guard, except a put to an append-only table, whose time-ordered keys never collide."""
        if not self.writes or self.guarded is not False:
            return False
        return not (self.table.shape == "append-only" and self.operation in ("PutItem", "BatchWriteItem"))


@dataclass(frozen=True)
class Source:
    """A fact of a table and where it comes from, as `ddblint tables` shows it."""

    fact: str
    value: object
    source: str  # `path:line`, relative to the current directory


@dataclass(frozen=True)
class Problem:
    """A file the map could not include (it does not parse, cannot be read, ...)."""

    path: str
    line: int
    column: int
    message: str


@dataclass
class Table:
    ref: TableRef
    project: str  # the configuration root, relative to the current directory
    sources: List[Source] = field(default_factory=list)
    accesses: List[Access] = field(default_factory=list)

    @property
    def name(self) -> Optional[str]:
        return self.ref.name

    def writes(self) -> List[Access]:
        return [a for a in self.accesses if a.writes]

    def reads(self) -> List[Access]:
        return [a for a in self.accesses if not a.writes]

    @property
    def write_regions(self) -> Tuple[str, ...]:
        """The known regions the table is written from."""
        return tuple(sorted({a.region for a in self.writes() if a.region is not None}))

    @property
    def multi_region_writes(self) -> bool:
        """Written from more than one known region (the calls whose table is unknown are not one
        table: they never stand out)."""
        return self.ref.name is not None and len(self.write_regions) > 1

    @property
    def contested_off_home(self) -> bool:
        """A contested table written from outside its home region (DDB203's concern)."""
        return self.ref.shape == "contested" and any(a.off_home for a in self.writes())

    @property
    def stands_out(self) -> bool:
        return self.multi_region_writes or self.contested_off_home

    def warnings(self) -> List[str]:
        """Why the table stands out, in words."""
        found = []
        if self.multi_region_writes:
            found.append(f"written from {len(self.write_regions)} regions: {', '.join(self.write_regions)}")
        if self.contested_off_home:
            found.append(f"contested, and written outside its home region {self.ref.home_region}")
        return found


@dataclass
class Topology:
    tables: List[Table]
    problems: List[Problem] = field(default_factory=list)
    files: int = 0  # the files looked at

    @property
    def projects(self) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(t.project for t in self.tables))
