"""`DynamoModel`, the DynamoDB model of one module: the questions rules ask of it (the package's
docstring lists them). Rules reach it as `ctx.dynamo`; `ddblint.dynamo` imports this module on
first use."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ddblint.dynamo import (
    batches, builders, conditions, expression_params, flow, guard as guards, helpers, index_kinds, learned, legacy,
    pynamodb, tables, transactions,
)
from ddblint.dynamo.calls import DynamoCall, Operation, find_calls
from ddblint.dynamo.handling import Handling
from ddblint.dynamo.project import project_for
from ddblint.dynamo.scope import build_index, release
from ddblint.dynamo.table_registry import project_facts
from ddblint.dynamo.values import UNKNOWN, DictValue, Evaluator


class DynamoModel:
    def __init__(self, module: cst.Module, path: Path, settings) -> None:
        self.module = module
        self.path = path
        self.settings = settings
        self._index = build_index(module)
        project = project_for(settings.root)
        orm = pynamodb.uses_pynamodb(self._index, project, path)
        self._evaluator = (pynamodb.PynamoEvaluator if orm else Evaluator)(self._index, project, path)
        self.calls: List[DynamoCall] = find_calls(self._evaluator, self._index.calls)
        if orm:
            self.calls.extend(pynamodb.find_calls(self._evaluator, self._index))
            self.calls.sort(key=lambda call: call.site.order)
        for call in self.calls:
            call.region = self._region(call)
        self._handling: Optional[Handling] = None
        self._identities: Dict[int, Tuple[Operation, object]] = {}  # id(op) -> (op, its table_identity)

    def close(self) -> None:
        """Done with the module: break the reference cycles of what it built (its index, its
        evaluator's caches, each operation and its expressions), so that its tree is freed when
        the caller lets go of it, not at the cyclic garbage collector's next pass (the runner's
        collections then find little to walk). Nothing may be asked of the model afterwards."""
        for call in self.calls:
            for op in call.operations:
                expression_params.forget(op)
            call.operations = []
        for op in self.__dict__.get("helper_writes", ()):
            expression_params.forget(op)
        self._evaluator.close()
        release(self._index)

    @cached_property
    def operations(self) -> List[Operation]:
        return [op for call in self.calls for op in call.operations]

    @cached_property
    def helper_writes(self) -> List[Operation]:
        """The writes the module's calls make through the project's write helpers (SPEC §3): each
        judged with the arguments its call passes, pointing at that call; `op.through` names the
        helper and where its write is. Only the writes the helper leaves to its callers."""
        found = helpers.writes_through(self._evaluator, self.calls)
        for op in found:
            op.call.region = self._region(op.call)
        return found

    def writes(self) -> List[Operation]:
        """What the lost-write rules judge: the module's operations and its `helper_writes`."""
        return self.operations + self.helper_writes

    def _region(self, call: DynamoCall) -> Optional[str]:
        region = call.receiver.region if call.receiver is not None else None
        if isinstance(region, str):
            return region
        if region is UNKNOWN:
            return None  # the code picks a region we cannot see
        return self.settings.region_for(self.path)

    # -- tables ------------------------------------------------------------------------------------
    def facts(self, op: Operation) -> tables.TableFacts:
        found = tables.facts(op.table, self.settings)
        return pynamodb.facts(op, found) if op.orm == pynamodb.ORM else found

    def same_table(self, a: Operation, b: Operation) -> bool:
        return flow.same_table(a, b, self.facts(a), self.facts(b))

    def table_identity(self, op: Operation):
        """What names the operation's table in the code (comparable between operations), or None.
        Once per operation: `partition_key` compares each keyed call with every other, and a
        `TableName` expression is named by generating its code."""
        known = self._identities.get(id(op))
        if known is None or known[0] is not op:
            known = self._identities[id(op)] = (op, flow.table_identity(op))
        return known[1]

    # -- conditions, updates and version guards ----------------------------------------------------
    def guard(self, op: Operation) -> guards.Guard:
        """Whether the write is version-guarded. A condition left out on a path that a parameter of
        a helper the project calls selects is its callers' to answer (`helper_writes`): unknown here;
        and a call of the helper that leaves the path open (it passes a value we cannot see, or its
        own parameter on) does not answer it either."""
        facts = self.facts(op)
        guard = guards.version_guard(op, facts.version_attributes, guards.key_attributes(facts))
        if guard.when is not None and op.through is not None:
            return guards.Guard("unknown", False, False)  # the call hands the choice on: its own callers decide
        if guard.when is not None and helpers.decided_by_callers(self._evaluator, op, guard.when):
            return guards.Guard("unknown", False, False)
        return guard

    def condition(self, op: Operation):
        """The operation's condition as an expression tree; None without one, UNKNOWN when unreadable."""
        return conditions.condition(op)

    def written_attributes(self, op: Operation):
        """The attributes a write writes (a frozenset), or UNKNOWN."""
        return conditions.written_attributes(op)

    def set_attributes(self, op: Operation):
        """The attributes a write SETs or ADDs (a frozenset), or UNKNOWN."""
        return conditions.set_attributes(op)

    def bumped_versions(self, op: Operation) -> frozenset:
        """The version attributes a write SETs or ADDs (empty when none, or when unreadable)."""
        written = conditions.set_attributes(op)
        if written is UNKNOWN:
            return frozenset()
        return frozenset(written) & frozenset(self.facts(op).version_attributes)

    def checked_version(self, op: Operation) -> Optional[str]:
        """The version attribute of the table the operation's condition compares, if any."""
        return guards.checked_version(op, self.facts(op).version_attributes)

    def always_compared(self, op: Operation, version: str) -> bool:
        """Every alternative of the condition requires `version = value`: the item has the attribute."""
        return guards.always_compared(op, version)

    def expressions(self, op: Operation) -> expression_params.Expressions:
        """The operation's expression parameters and placeholder maps."""
        return expression_params.expressions(op)

    def builder_parameters(self, op: Operation):
        """(parameter, value, node) for each condition parameter of `op` that holds a builder."""
        return builders.builder_parameters(op)

    def legacy_use(self, op: Operation) -> Optional[legacy.LegacyUse]:
        """The legacy conditional parameters the operation passes (None when it passes none)."""
        return legacy.legacy_use(op)

    def put_items(self, op: Operation):
        """The resolved items a BatchWriteItem operation puts; None when they cannot all be seen."""
        return batches.put_items(op)

    # -- data flow ---------------------------------------------------------------------------------
    def is_read_modify_write(self, op: Operation) -> bool:
        return flow.is_read_modify_write(op, self.operations, self._function_scope(op))

    def read_item(self, op: Operation, version: str) -> Optional[flow.ReadItem]:
        """The item an earlier read in the same function returned, which the write `op` writes back
        (None when there is not exactly one such item we can name)."""
        return flow.read_item(op, self.operations, self._function_scope(op), version)

    def reads_after(self, op: Operation) -> List[Operation]:
        """The reads that follow the operation in its function."""
        return flow.reads_after(op, self.operations)

    def _function_scope(self, op: Operation):
        function = op.call.site.function
        return self._index.functions.get(id(function)) if function is not None else None

    # -- the module --------------------------------------------------------------------------------
    def handled(self, call: DynamoCall, exception: str) -> bool:
        """Whether the code around the call handles `exception` when the call raises it."""
        if self._handling is None:
            self._handling = Handling(self._index, self._evaluator)
        return self._handling.handled(call.site, exception)

    def comparisons(self) -> List[builders.BuilderComparison]:
        """Python comparisons of a condition builder attribute with something that is not a builder."""
        return builders.comparisons(self._index, self._evaluator)

    def client_from_resource(self, call: DynamoCall) -> Optional[bool]:
        """For a low-level client's call: True when the client is `resource.meta.client`, False
        when it was made as a client, None when the code does not show."""
        return builders.client_from_resource(call.receiver, self._index, self._evaluator)

    def pynamo_models(self) -> List[pynamodb.PynamoModel]:
        """The PynamoDB models the module itself defines."""
        return pynamodb.models_in(self._evaluator)

    def enclosing_function(self, op: Operation) -> Optional[str]:
        """The qualified name of the def the operation is made in (`Repository.save`,
        `outer.inner`; a lambda is `<lambda>`), None at module or class level. For a write made
        through a write helper (`helper_writes`), the def that calls the helper."""
        site = self._index.all_calls.get(id(op.node)) if op.through is not None else None
        names, scope = [], (site or op.call.site).scope
        while scope is not None:
            if scope.kind == "function":
                node = scope.node
                names.append(node.name.value if isinstance(node, cst.FunctionDef) else "<lambda>")
            elif scope.kind == "class" and names:
                names.append(scope.node.name.value)
            scope = scope.parent
        return ".".join(reversed(names)) or None

    def import_name(self, qualname: str) -> Optional[str]:
        """The name a module-level import binds to `qualname` (`Attr` for boto3.dynamodb.conditions.Attr)."""
        for name, bindings in self._index.scope.bindings.items():
            if len(bindings) == 1 and bindings[0].kind == "import" and bindings[0].qualname == qualname:
                return name
        return None

    # -- transactions and versioned tables (issue 14) ---------------------------------------------
    def transaction(self, op: Operation):
        """What identifies the transaction `op` is a part of (comparable between operations: the
        parts of one transaction give equal answers), None outside a transaction."""
        return transactions.transaction_of(op)

    def versioned(self, op: Operation) -> bool:
        """Whether the items of the operation's table carry a version attribute: its PynamoDB model
        has a VersionAttribute, the registry declares the table (shape `profile` or `contested`,
        as DDB202 reads it), or another write of this module to the same table checks or sets a
        version attribute. An append-only table is not versioned (DDB204 is its rule)."""
        facts = self.facts(op)
        if facts.shape == "append-only":
            return False
        model = getattr(op, "model", None)
        if facts.registered or getattr(model, "version", None) is not None:
            return True
        return any(self._writes_version(other) for other in self.operations
                   if other is not op and self.same_table(op, other))

    def _writes_version(self, op: Operation) -> bool:
        return op.name in ("PutItem", "UpdateItem") and bool(self.bumped_versions(op) or self.checked_version(op))

    # -- PynamoDB models across the project (issue 14) ---------------------------------------------
    def pynamo_project_writes(self, models) -> dict:
        """For each of the module's PynamoDB models (by `id`), the `(path, operation)` of every
        save and update of its instances in the project's other modules that name it."""
        return pynamodb.project_writes(list(models))

    # -- index kinds: declared, learned from code, or inferred (SPEC §3) -------------------------------
    def index_kind(self, op: Operation) -> index_kinds.IndexKind:
        """Whether the index a Query or Scan names is global or local, how we know, and whether its
        table was inferred from the index name; `kind` is None when nothing says."""
        return index_kinds.index_kind(op, self.facts(op), self.settings, self._tables_creating,
                                      lambda: self.key_schema(op))

    def key_schema(self, op: Operation) -> Optional[index_kinds.KeySchema]:
        """The key schema of the operation's table (declared, or created or modelled by the
        project's code: `create_table`, a PynamoDB model), or, when its table is unknown, of the
        only known table whose key schema is exactly the call's `Key` attribute names (`inferred`:
        say so in a message or a fix's title). None when nothing says. For fixes and messages;
        never for the region rules."""
        return index_kinds.key_schema(op, self.facts(op), self.settings, self._tables_naming)

    def partition_key(self, op: Operation) -> Tuple[Optional[str], Optional[str]]:
        """(the partition key of the operation's table, the table's name when it was inferred from
        the shape of a Key, else None); (None, None) when nothing says. In this order: the table's
        key schema (declared, or created or modelled by the project's code), else the Keys the
        module's other calls on the same table pass, which must all name the same attributes: one
        attribute is the partition key; a composite Key needs the key schema of the table it is
        passed to, or that its attribute names single out (table by shape)."""
        schema = self.key_schema(op)
        if schema is not None and not schema.inferred:
            return schema.partition_key, None
        keyed = list(self._keyed_on_same_table(op))
        shapes = {names for _, names in keyed}
        if len(shapes) != 1:
            return None, None  # none, or calls that disagree: which is the table's key?
        (names,) = shapes
        if len(names) == 1:
            return next(iter(names)), None
        schemas = [self.key_schema(other) for other, _ in keyed]
        if None in schemas or len({(s.partition_key, s.table, s.inferred) for s in schemas}) != 1:
            return None, None  # unknown, or not one table (two calls may only learn it from different places)
        return schemas[0].partition_key, (schemas[0].table if schemas[0].inferred else None)

    def _keyed_on_same_table(self, op: Operation):
        """(operation, its Key's attribute names) for the module's other keyed calls on the table
        of `op` whose Key can be read whole."""
        facts, identity = self.facts(op), self.table_identity(op)
        for other in self.operations:
            if other is op or other.name not in ("GetItem", "UpdateItem", "DeleteItem", "ConditionCheck"):
                continue
            same = self.facts(other).config is facts.config if facts.config is not None \
                else identity is not None and self.table_identity(other) == identity
            if not same:
                continue
            key = other.param("Key")
            if isinstance(key, DictValue) and key.complete and key.entries:
                yield other, frozenset(key.entries)

    def _tables_naming(self, word: Optional[str]) -> List[learned.LearnedTable]:
        """The tables this module creates or models, and those of the project's files whose bytes
        name `word` (a table or key attribute name)."""
        return list(self._created_tables) + (self._project_tables(word) if word else [])

    def _tables_creating(self, index: str) -> List[learned.LearnedTable]:
        """The tables this module and the project's other files create or model that may have `index`."""
        found = [t for t in self._created_tables if t.index_kind(index)]
        return found + self._project_tables(index)

    def _project_tables(self, word: str) -> List[learned.LearnedTable]:
        found: List[learned.LearnedTable] = []
        scanner = project_facts(self.settings)
        if scanner is None:
            return found
        here = Path(self.path).resolve()
        project = project_for(self.settings.root)
        for path in scanner.naming(word):
            if path != here:
                # cache dependencies: its create_table or model (and what that imports) decides the finding
                project.touched.add(path)
                project.touched.update(scanner.dependencies(path))
                found.extend(scanner.learned(path))
        return found

    @cached_property
    def _created_tables(self) -> List[learned.LearnedTable]:
        here, root = Path(self.path), self.settings.root
        return learned.from_module(self._index, self._evaluator, here, root) + \
            learned.from_pynamodb_models(self.pynamo_models(), self.module, here, root)
