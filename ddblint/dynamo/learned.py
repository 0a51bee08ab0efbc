"""Table facts learned from code: `create_table` and `update_table` calls with literal schemas,
and PynamoDB models.

Tests, fixtures and setup scripts create the tables the code queries:
`create_table(TableName=..., KeySchema=[...], GlobalSecondaryIndexes=[...],
LocalSecondaryIndexes=[...])` (client or resource) and `update_table(GlobalSecondaryIndexUpdates=
[{"Create": {...}}])` say the table's key schema and which of its indexes are global or local.
Only what the call states literally is learned; a schema that cannot be resolved teaches nothing.
A PynamoDB model says the same of its `Meta.table_name`: its `hash_key`/`range_key` attributes,
and its `GlobalSecondaryIndex`/`LocalSecondaryIndex` attributes (the index classes may be
defined in another module of the project: the model's imports are followed).

Learning is lazy and cheap, because a rule needs it rarely (an index of unknown kind, a fix that
needs a partition key): the checked module's own calls and models, plus (under a configuration
file, as infrastructure discovery) the project's Python files that name `create_table`/
`update_table` or define models (a `Meta` with a `table_name`) and whose bytes, or for a models
file those of a project module it imports, name what is asked about (an index, a table, a key
attribute). The project's candidate files are found by one byte scan per process and parsed only
when a name they contain is asked about; `ddblint tables` lists everything learned
(`tables.listing`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from ddblint import parsing
from ddblint.positions import Positions
from ddblint.dynamo.project import project_for, python_files
from ddblint.dynamo.pynamodb import PynamoEvaluator, models_in, uses_pynamodb
from ddblint.dynamo.scope import ModuleIndex, build_index
from ddblint.dynamo.values import UNKNOWN, At, DictValue, EnvVar, Evaluator, ListValue, QualName, Receiver, Template
from ddblint.infra.declarations import Fact, relative

_METHODS = ("create_table", "update_table")
PYNAMODB_MODEL = "PynamoDB model"  # LearnedTable.method of indexes a PynamoDB model declares
_WORDS = (b"create_table", b"update_table")
_INDEX_LISTS = (("GlobalSecondaryIndexes", "global"), ("LocalSecondaryIndexes", "local"))
_MAX_BYTES = 1_000_000  # a setup script or fixture; a bigger file is generated or data


@dataclass(frozen=True)
class LearnedTable:
    """What one `create_table`/`update_table` call, or one PynamoDB model, says about a table."""

    method: str  # create_table | update_table | PYNAMODB_MODEL
    table: object  # the TableName value: str, EnvVar or Template
    partition_key: Optional[str]
    sort_key: Optional[str]
    indexes: Tuple[Tuple[str, str], ...]  # (index name, "global" | "local")
    where: "Where" = field(compare=False, repr=False)  # the call or the model's class, for `source`
    order: int = -1  # the call's place in its module (scope.CallSite.order): which creation a query follows
    function: Optional[str] = None  # the function the call is in
    model: Optional[str] = None  # the PynamoDB model's class name
    elsewhere: bool = False  # in another file than the checked module

    def describe(self) -> str:
        """How we know, for a message: where the call or the model is (path:line; in the checked
        module, where a line costs a code generation, the function it is in, or the model's name)."""
        if self.method == PYNAMODB_MODEL:
            model = f"declared by the PynamoDB model `{self.model}`"
            return f"{model} at {self.source}" if self.elsewhere else model
        if self.elsewhere:
            return f"created so at {self.source}"
        return f"created so by the {self.method} call in `{self.function}`" if self.function else \
            f"created so by the {self.method} call of this module"

    @property
    def source(self) -> str:
        """path:line of the call (its line costs a code generation of the module: asked only for
        a message or a listing)."""
        return self.where.source()

    def index_kind(self, name: str) -> Optional[str]:
        return dict(self.indexes).get(name)

    @property
    def label(self) -> str:
        if isinstance(self.table, EnvVar):
            return f"${self.table.name}"
        if isinstance(self.table, Template):
            return self.table.glob()
        return str(self.table)

    def facts(self) -> Dict[str, Fact]:
        """The facts under the configuration's key names, for `ddblint tables`."""
        found = {"resource": Fact(f"{self.method} {self.model}" if self.model else self.method, self.source)}
        found["name"] = Fact(self.label, self.source)
        if self.partition_key:
            found["partition-key"] = Fact(self.partition_key, self.source)
        if self.sort_key:
            found["sort-key"] = Fact(self.sort_key, self.source)
        if self.indexes:
            found["indexes"] = Fact(dict(self.indexes), self.source)
        return found


def same_table(a, b) -> bool:
    """Two TableName values name the same table: the same literal, variable or template."""
    if a is UNKNOWN or b is UNKNOWN or a is None or b is None:
        return False
    if isinstance(a, Template) and not any(isinstance(p, str) and p for p in a.parts):
        return False  # f"{name}": nothing literal to tell tables apart
    return type(a) is type(b) and a == b


# -- one module ------------------------------------------------------------------------------------
def from_module(index: ModuleIndex, evaluator: Evaluator, path: Path, root: Path) -> List[LearnedTable]:
    """The tables the module's `create_table`/`update_table` calls describe; sources are relative to `root`."""
    found = []
    for site in index.all_calls.values():
        func = site.node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _METHODS:
            continue
        if any(arg.keyword is None and arg.star != "**" for arg in site.node.args):
            continue  # boto3 takes keywords only
        at = At(site.scope, site.order, site.chain)
        if not _may_be_dynamodb(evaluator.value(func.value, at)):
            continue
        _, keywords, _ = evaluator.arguments(site.node, at)
        learned = _learn(func.attr.value, {k: a.value for k, a in keywords.items()})
        if learned is not None:
            found.append((site, func.attr.value, learned))
    if not found:
        return []
    shown = _shown(path, root)
    lines = _Lines(index.module)
    return [LearnedTable(method, *learned, where=Where(shown, site.node, lines), order=site.order,
                         function=_function_name(site.function))
            for site, method, learned in found]


def from_pynamodb_models(models, module: cst.Module, path: Path, root: Path) -> List[LearnedTable]:
    """What the module's PynamoDB models say about their tables, for boto3 calls on them: the key
    schema (the `hash_key=True`/`range_key=True` attributes) and the indexes (`GlobalSecondaryIndex`
    and `LocalSecondaryIndex` classes, wherever the project defines them, with `Meta.index_name`)."""
    lines = _Lines(module)
    found = []
    for model in models:
        indexes = tuple((name, kind) for name, kind in model.indexes.values() if isinstance(name, str))
        keys = model.key_schema or (None, None)
        if (indexes or keys[0]) and isinstance(model.table, (str, EnvVar, Template)):
            found.append(LearnedTable(PYNAMODB_MODEL, model.table, keys[0], keys[1], indexes,
                                      where=Where(_shown(path, root), model.info.node, lines), model=model.name))
    return found


def _function_name(function) -> Optional[str]:
    return function.name.value if isinstance(function, cst.FunctionDef) else None


def _shown(path: Path, root: Path) -> str:
    shown = relative(path, root)
    return path.name if shown.startswith("../") else shown  # outside the project (no configuration file)


class _Lines:
    """The line of a node in its module, located (one code generation) only when a source is shown."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._positions: Optional[Positions] = None

    def line(self, node: cst.CSTNode) -> int:
        if self._positions is None:
            self._positions = Positions(self.module, self.module.code)
        return self._positions[node][0][0]


@dataclass(eq=False)
class Where:
    shown: str  # the file, as sources name it
    node: cst.CSTNode
    lines: _Lines

    def source(self) -> str:
        return f"{self.shown}:{self.lines.line(self.node)}"


def _may_be_dynamodb(receiver) -> bool:
    """A client or resource, or a receiver we cannot see (a fixture): the keywords decide."""
    if isinstance(receiver, Receiver):
        return receiver.kind in ("client", "resource")
    return receiver is UNKNOWN or isinstance(receiver, QualName)


def _learn(method: str, kw: Dict[str, object]):
    table = kw.get("TableName")
    if not isinstance(table, (str, EnvVar, Template)):
        return None
    if method == "create_table":
        keys = _key_schema(kw.get("KeySchema"))
        if keys is None:
            return None  # not a DynamoDB table's creation we can read
        indexes = tuple((name, kind) for param, kind in _INDEX_LISTS for name in _index_names(kw.get(param)))
        return (table, keys[0], keys[1], indexes)
    created = tuple((name, "global") for name in _created_indexes(kw.get("GlobalSecondaryIndexUpdates")))
    return (table, None, None, created) if created else None


def _key_schema(value) -> Optional[Tuple[Optional[str], Optional[str]]]:
    """(partition key, sort key) of a literal KeySchema; None when it cannot be read."""
    if not isinstance(value, ListValue) or not value.complete:
        return None
    keys: Dict[str, str] = {}
    for item in value.items:
        entry = item.value
        if not isinstance(entry, DictValue):
            return None
        name, kind = (entry.entries.get(k) for k in ("AttributeName", "KeyType"))
        if name is None or kind is None or not isinstance(name.value, str) or kind.value not in ("HASH", "RANGE") \
                or kind.value in keys:
            return None
        keys[kind.value] = name.value
    if "HASH" not in keys:
        return None
    return keys["HASH"], keys.get("RANGE")


def _index_names(value) -> List[str]:
    """The names of the indexes a literal list declares (each one we can read is a certain fact)."""
    if not isinstance(value, ListValue):
        return []
    names = []
    for item in value.items:
        name = item.value.entries.get("IndexName") if isinstance(item.value, DictValue) else None
        if name is not None and isinstance(name.value, str):
            names.append(name.value)
    return names


def _created_indexes(value) -> List[str]:
    if not isinstance(value, ListValue):
        return []
    creates = [item.value.entries.get("Create") for item in value.items if isinstance(item.value, DictValue)]
    return _index_names(ListValue([c for c in creates if c is not None]))


# -- the project ----------------------------------------------------------------------------------
class ProjectFacts:
    """The project's Python files that may create tables or define PynamoDB models, found by one
    byte scan, parsed on demand."""

    def __init__(self, root: Path, exclude=None) -> None:
        self.root = root
        self._exclude = exclude
        self._candidates: Optional[Dict[Path, bytes]] = None
        self._learned: Dict[Path, Tuple[List[LearnedTable], FrozenSet[Path]]] = {}
        self._naming: Dict[str, List[Path]] = {}  # as the candidates, kept as long as this registry

    def candidates(self) -> Dict[Path, bytes]:
        if self._candidates is None:
            self._candidates = dict(_scan(self.root, self._exclude))
        return self._candidates

    def naming(self, word: str) -> List[Path]:
        """The candidate files whose bytes contain `word` (an index, table or key attribute name).
        A model's index class or table name may come from a module it imports: those count too."""
        if word not in self._naming:
            needle = word.encode("utf-8")
            project = project_for(self.root)
            self._naming[word] = [
                path for path, data in self.candidates().items()
                if needle in data or (_may_define_models(data) and project.imports_mentioning(data, path, (needle,)))]
        return self._naming[word]

    def everything(self) -> List[LearnedTable]:
        return [table for path in self.candidates() for table in self.learned(path)]

    def learned(self, path: Path) -> List[LearnedTable]:
        return self._learn(path)[0]

    def dependencies(self, path: Path) -> FrozenSet[Path]:
        """The project's modules what `path` teaches was read from (its models' index classes, base
        models): a cache dependency of a result that uses it, as `path` is."""
        return self._learn(path)[1]

    def _learn(self, path: Path) -> Tuple[List[LearnedTable], FrozenSet[Path]]:
        if path not in self._learned:
            project = project_for(self.root)
            # what the models' modules import is read through the project: note which modules
            touched, project.touched = project.touched, set()
            try:
                tables = _learn_file(path, self.candidates()[path], self.root)
            finally:
                read, project.touched = project.touched, touched
                touched.update(read)
            self._learned[path] = (tables, frozenset(read))
        return self._learned[path]


def _may_define_models(data: bytes) -> bool:
    """A PynamoDB model with a table has a `Meta` with a `table_name`."""
    return b"table_name" in data and b"Meta" in data


def _scan(root: Path, exclude):
    for path in python_files(root, exclude):
        try:
            if path.stat().st_size > _MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if any(word in data for word in _WORDS) or _may_define_models(data):
            yield path.resolve(), data


def _learn_file(path: Path, data: bytes, root: Path) -> List[LearnedTable]:
    try:
        module = parsing.parse(data)
    except Exception:  # a file that does not parse teaches nothing; the lint reports it elsewhere
        return []
    index = build_index(module)
    found = from_module(index, Evaluator(index, None, path), path, root)
    project = project_for(root)
    if _may_define_models(data) and uses_pynamodb(index, project, path):
        # the project follows the models' imports: an index class or base model defined elsewhere
        found += from_pynamodb_models(models_in(PynamoEvaluator(index, project, path)), module, path, root)
    # another module's call order says nothing about the checked module's
    return [replace(t, order=-1, function=None, elsewhere=True) for t in found]
