"""The DynamoDB model of one module, shared by every rule.

`DynamoModel(module, path, settings)` answers the questions rules ask: which calls are
DynamoDB operations (`operations`), the table and its registry facts (`facts`), the region a
call runs in (`region`), whether a write is version-guarded (`guard`), and whether a write's
values come from an earlier read of the same table (`is_read_modify_write`).
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import List, Optional

import libcst as cst

from ddblint.dynamo import conditions, flow, guard as guards, pynamodb, tables
from ddblint.dynamo.calls import ABSENT, DynamoCall, Operation, find_calls
from ddblint.dynamo.project import project_for
from ddblint.dynamo.scope import build_index
from ddblint.dynamo.values import UNKNOWN, Evaluator

__all__ = ["ABSENT", "UNKNOWN", "DynamoCall", "DynamoModel", "Operation", "conditions"]


class DynamoModel:
    conditions = conditions  # rules reach the condition/update helpers through the model
    def __init__(self, module: cst.Module, path: Path, settings) -> None:
        self.module = module
        self.path = path
        self.settings = settings
        self.index = build_index(module)
        project = project_for(settings.root)
        orm = pynamodb.uses_pynamodb(self.index, project, path)
        self.evaluator = (pynamodb.PynamoEvaluator if orm else Evaluator)(self.index, project, path)
        self.calls: List[DynamoCall] = find_calls(self.evaluator, self.index.calls)
        if orm:
            self.calls.extend(pynamodb.find_calls(self.evaluator, self.index))
            self.calls.sort(key=lambda call: call.site.order)
        for call in self.calls:
            call.region = self._region(call)

    @cached_property
    def operations(self) -> List[Operation]:
        return [op for call in self.calls for op in call.operations]

    def _region(self, call: DynamoCall) -> Optional[str]:
        region = call.receiver.region if call.receiver is not None else None
        if isinstance(region, str):
            return region
        if region is UNKNOWN:
            return None  # the code picks a region we cannot see
        return self.settings.region_for(self.path)

    def facts(self, op: Operation) -> tables.TableFacts:
        found = tables.facts(op.table, self.settings)
        return pynamodb.facts(op, found) if op.orm == pynamodb.ORM else found

    def guard(self, op: Operation) -> guards.Guard:
        facts = self.facts(op)
        return guards.version_guard(op, facts.version_attributes, guards.key_attributes(facts))

    def bumped_versions(self, op: Operation) -> frozenset:
        """The version attributes a write SETs or ADDs (empty when none, or when unreadable)."""
        written = conditions.set_attributes(op)
        if written is UNKNOWN:
            return frozenset()
        return frozenset(written) & frozenset(self.facts(op).version_attributes)

    def is_read_modify_write(self, op: Operation) -> bool:
        function = op.call.site.function
        scope = self.index.functions.get(id(function)) if function is not None else None
        return flow.is_read_modify_write(op, self.operations, scope)
