"""Write helpers (SPEC §3): a function whose DynamoDB write takes its condition, its whole request
or its PartiQL statement from a parameter is judged with what each of its callers passes.

    def put(item, condition=None):             def save(self, **request):
        request = {"Item": item}                   self.table.put_item(**request)
        if condition is not None:
            request["ConditionExpression"] = condition
        table.put_item(**request)

`writes_through` gives, for the calls of one module, the writes they make through such helpers
(of the same module, or of a project module it imports): each an `Operation` re-resolved with the
call's arguments bound to the helper's parameters, pointing at the call, `through` naming the
helper. `decided_by_callers` tells the write itself that its path finding (`when condition is
None`) belongs to those calls: the helper is called in the project, and the condition left out
comes from a parameter. A flag that leaves out a condition the function writes itself
(`if not overwrite: ...`) is a path of the write, reported there (SPEC §3 Paths).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst

from ddblint.dynamo import conditions, flow, scans
from ddblint.dynamo.glance import writing_defs
from ddblint.dynamo.calls import DynamoCall, Operation, find_calls
from ddblint.dynamo.operations import WRITE_METHOD_WORDS
from ddblint.dynamo.scope import CallSite, Scope
from ddblint.dynamo.values import UNKNOWN, At, ClassRef, Evaluator, FunctionRef, Instance, OnPath
from ddblint.positions import Positions
from ddblint.syntax import dotted_name

_SINGLE_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
# Decorators that keep a function's signature and its arguments as they are.
_TRANSPARENT = frozenset({"staticmethod", "classmethod"})
_RETRIES = re.compile(r"(^|\.)(retry|on_exception|on_predicate)$")


@dataclass(frozen=True)
class Through:
    """The helper a write is made through: `Repo.save`, where its write is."""

    helper: str
    line: int
    path: Optional[Path]  # the helper's module when it is another one


# -- the writes a function leaves to its callers ----------------------------------------------------

def open_writes(evaluator: Evaluator, scope: Scope,
                calls: Optional[List[DynamoCall]] = None) -> List[Tuple[DynamoCall, List[Operation]]]:
    """The DynamoDB write calls directly in the function `scope` (`calls`, when they are known
    already), each with those of its operations whose guard the function's parameters may decide:
    a condition, request or statement we cannot read here, or a condition set on a path a
    parameter selects."""
    found = []
    if calls is None:
        calls = find_calls(evaluator, [site for site in evaluator.index.calls if _function_of(site) is scope.node])
    for call in calls:
        ops = [op for op in call.operations if _open(op, scope)]
        if ops:
            found.append((call, ops))
    return found


# Operations whose parts (statements, transaction entries) a caller may pass: the parameter that holds them.
_PARTS = {"ExecuteStatement": "Statement", "BatchExecuteStatement": "Statements",
          "ExecuteTransaction": "TransactStatements", "TransactWriteItems": "TransactItems"}


def _open(op: Operation, scope: Scope) -> bool:
    if op.name in _PARTS and op.partiql is None:
        return op.param(_PARTS[op.name]) is UNKNOWN  # the statement or the parts come from somewhere else
    if op.name not in _SINGLE_WRITES or op.partiql is not None:
        return False
    alternative = op.without_path_condition()
    if alternative is not None:
        return _callers_choose(alternative[1], scope)
    condition = conditions.condition(op)
    return condition is UNKNOWN or (condition is None and not op.complete)


def _callers_choose(path: OnPath, scope: Scope) -> bool:
    """Whether the condition set on one path is the callers' (SPEC §3 Write helpers): it comes from
    a parameter (`if condition is not None: params["ConditionExpression"] = condition`), and a
    parameter selects the path. A condition the function writes itself, selected by a flag
    (`if not overwrite: params["ConditionExpression"] = "attribute_not_exists(pk)"`), leaves a
    path of its own, reported at the write with what selects it (SPEC §3 Paths)."""
    return path.value is UNKNOWN and _selected_by_parameter(path, scope)


def _selected_by_parameter(path: OnPath, scope: Scope) -> bool:
    """Whether the `if` that leaves the condition out tests one of the function's parameters."""
    parameters = {name for name, bindings in scope.bindings.items() if any(b.kind == "param" for b in bindings)}
    return bool(set(flow.names_in(path.test)) & parameters)  # `options.overwrite` tests `options`


def decided_by_callers(evaluator: Evaluator, op: Operation, path: OnPath) -> bool:
    """Whether the path finding on `op` belongs to the callers of its function: a parameter of the
    function selects the path, and the project calls the function (SPEC §3 Write helpers)."""
    function = _function_of(op.call.site)
    scope = evaluator.index.functions.get(id(function)) if function is not None else None
    if scope is None or not _callers_choose(path, scope) or not _plain(scope, evaluator):
        return False
    return any(True for _ in _local_callers(evaluator, scope)) or _named_elsewhere(evaluator, scope)


def _local_callers(evaluator: Evaluator, scope: Scope) -> Iterator[CallSite]:
    for site in evaluator.index.all_calls.values():
        func = site.node.func
        name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else None
        if name != scope.node.name.value or site.scope is scope:
            continue
        callee = evaluator.value(func, At(site.scope, site.order, site.chain))
        if isinstance(callee, FunctionRef) and callee.scope is scope:
            yield site


def _named_elsewhere(evaluator: Evaluator, scope: Scope) -> bool:
    """Whether another module of the project imports the function's module and names the function:
    a caller, as far as its imports tell. Finding the call itself is that module's work
    (`writes_through`); a call we cannot follow there is lost rather than reported twice. The scan
    is recorded for the result cache: a caller added later changes where the finding goes."""
    project, path = evaluator.project, evaluator.path
    if project is None or path is None:
        return False
    here = Path(path).resolve()
    name = scope.node.name.value.encode()
    module = (here.stem if here.stem != "__init__" else here.parent.name).encode()
    query = scans.Query((name,), ((name,), (module,)))
    started = time.time_ns()
    files = scans.listing(project.root)
    matched = [other for other, data in scans.sources(project.root, query.keep, files).items()
               if other != here and query.matches(data)]
    project.scanned.append(scans.record(project.root, query, started, files, matched, here))
    return any(project.imports_module(other, here) for other in matched)


# -- the writes a module's calls make through helpers -------------------------------------------------

def writes_through(evaluator: Evaluator, operations: List[DynamoCall]) -> List[Operation]:
    """The writes the module's calls make through write helpers, judged with each call's arguments
    (`operations`: the module's DynamoDB calls, which are not calls of a helper)."""
    opened: Dict[int, list] = {}  # id(helper's scope) -> its open writes, found once per module
    names = _helper_names(evaluator, opened, operations)
    if not names:
        return []
    dynamodb = {id(call.node) for call in operations}
    found: List[Operation] = []
    for site in evaluator.index.all_calls.values():
        func = site.node.func
        name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else None
        if name in names and id(site.node) not in dynamodb and not any(arg.star == "*" for arg in site.node.args):
            found.extend(_through(evaluator, site, opened))
    return found


def _helper_names(evaluator: Evaluator, opened: Dict[int, list], operations: List[DynamoCall]) -> set:
    """The names a call must have to reach a write helper: this module's functions that leave a
    write to their callers, and the functions of the project's modules it imports that make
    DynamoDB writes (read as bytes: which of those leave one open is known only once parsed)."""
    index = evaluator.index
    names = set()
    by_function: Dict[int, List[DynamoCall]] = {}
    for call in operations:
        by_function.setdefault(id(_function_of(call.site)), []).append(call)
    for scope in index.functions.values():
        if isinstance(scope.node, cst.FunctionDef) and id(scope.node) in by_function:
            opened[id(scope)] = open_writes(evaluator, scope, by_function[id(scope.node)])
            if opened[id(scope)]:
                names.add(scope.node.name.value)
    project = evaluator.project
    if project is None:
        return names
    for bindings in index.scope.bindings.values():
        for binding in bindings:
            if binding.kind == "import" and binding.qualname:
                names.update(project.defined_names(binding.qualname, evaluator.path, WRITE_METHOD_WORDS, writing_defs))
    return names


def _through(evaluator: Evaluator, site: CallSite, opened: Dict[int, list]) -> List[Operation]:
    at = At(site.scope, site.order, site.chain)
    func = site.node.func
    callee = evaluator.value(func, at)
    if not isinstance(callee, FunctionRef) or not isinstance(callee.scope.node, cst.FunctionDef) \
            or callee.scope is site.scope:
        return []
    scope, owner = callee.scope, callee.owner or evaluator
    bound = _bound_method(evaluator, func, scope, at)
    if bound is None or not _plain(scope, owner):
        return []
    if id(scope) not in opened:
        opened[id(scope)] = open_writes(owner, scope)
    if not opened[id(scope)]:
        return []
    positional, keywords, complete = evaluator.arguments(site.node, at)
    seen = owner.called_with(scope, positional, keywords, complete, bound)
    if seen is None:
        return []
    found = []
    for call, ops in opened[id(scope)]:
        decided = {id(op.node) for op in call.operations if op not in ops}
        through = Through(_helper_name(scope), _line(owner, call.node), None if owner is evaluator else owner.path)
        for redone in find_calls(seen, [call.site]):
            for op in redone.operations:
                if id(op.node) in decided or not (op.name in _SINGLE_WRITES or op.partiql is not None):
                    continue  # judged at the helper itself
                found.append(replace(op, node=site.node, through=through))
    return found


def _function_of(site: CallSite):
    """The function a call is made in, a lambda in it counting as the function itself: the
    lambda a retry helper is handed runs at once, with the function's arguments
    (`self._retry(lambda: self.client.put_item(**params))`)."""
    scope = site.scope
    while scope is not None and isinstance(scope.node, cst.Lambda):
        scope = scope.parent
    return scope.node if scope is not None and scope.kind == "function" else site.function


def _bound_method(evaluator: Evaluator, func, scope: Scope, at: At) -> Optional[bool]:
    """Whether the call passes `self`/`cls` implicitly (`repo.save(x)`); None for a form we do not
    follow (an instance method called on its class)."""
    if scope.self_kind is None:
        return False
    if not isinstance(func, cst.Attribute):
        return None
    base = evaluator.value(func.value, at)
    if isinstance(base, Instance):
        return True
    if isinstance(base, ClassRef):
        return True if scope.self_kind == "class" else None
    return None


def _plain(scope: Scope, evaluator: Evaluator) -> bool:
    """No decorator that could change how the function is called, except retries."""
    for decorator in scope.node.decorators:
        target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        name = dotted_name(target) or ""
        if name not in _TRANSPARENT and not _RETRIES.search(name):
            return False
    return True


def _helper_name(scope: Scope) -> str:
    name = scope.node.name.value
    return f"{scope.class_info.node.name.value}.{name}" if scope.class_info is not None else name


def _line(evaluator: Evaluator, node: cst.CSTNode) -> int:
    """The line of a node of the evaluator's module (positions computed once per module and run)."""
    module = evaluator.index.module
    positions = _POSITIONS.get(id(module))
    if positions is None or positions[0] is not module:
        _POSITIONS.clear()  # one module's at a time: the helpers of one caller are mostly in one
        positions = _POSITIONS[id(module)] = (module, Positions(module, module.code))
    return positions[1][node][0][0]


_POSITIONS: Dict[int, Tuple[cst.Module, Positions]] = {}
