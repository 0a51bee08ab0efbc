"""`ddblint map`'s data: who reads and writes which table, from which region, guarded or not.

`collect.accesses(ctx, diagnostics, display)` turns one analysed module into `Access` records
(run where the file is linted, so in the worker processes of a large run); `assemble` joins
them with the tables the projects declare into a `Topology`, which `ddblint.mapview` renders.
"""
from ddblint.topology.assemble import assemble
from ddblint.topology.collect import accesses
from ddblint.topology.model import KINDS, WRITE_KINDS, Access, Problem, Source, Table, TableRef, Topology

__all__ = ["assemble", "accesses", "Access", "Problem", "Source", "Table", "TableRef", "Topology", "KINDS",
           "WRITE_KINDS"]
