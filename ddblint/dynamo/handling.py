"""Is a failed write handled? The try/except analysis behind DDB106 and DDB305.

A conditional write that fails raises `ConditionalCheckFailedException` (a transaction:
`TransactionCanceledException`); a write to an MRSC table that another region modifies at the
same time raises `ReplicatedWriteConflictException` once botocore's retries are spent. Each is a
`botocore.exceptions.ClientError` subclass. One counts as handled when, for the call:

1. a `try` around it in the same function has a handler that names the exception
   (`client.exceptions.ConditionalCheckFailedException`, `table.meta.client.exceptions....`, a
   name bound to one, in a tuple or not); or catches `ClientError` and reads the error code
   (`e.response["Error"]["Code"]`, `.get("Code")`, the exception's name as a string, or a helper
   of the module that does); or is broad (`except:`, `except Exception`, `except BaseException`)
   and does not simply re-raise (an unconditional bare `raise` at the top of the handler lets the
   failure through unchanged, so that handler does not count);
2. the enclosing function has a decorator that names the exception, `ClientError`, `Exception`
   or `BaseException` (tenacity's `retry_if_exception_type(...)`, `backoff.on_exception(...)`),
   or is a retry decorator of the module whose code does, or is `tenacity.retry`/`retrying.retry`
   with no `retry=` filter (those retry every exception);
3. the call is in a lambda or nested function passed to a call that names the exception (a
   retry helper such as `retry_call(fn, exceptions=(...))`), or to a function of the module
   whose code names it;
4. a caller in the same module handles it: the enclosing function is called (by its name, as a
   function or a method) inside a `try`, a decorated function or a retry helper that qualifies,
   up to two calls up.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Set

import libcst as cst

from ddblint.dynamo.operations import CONDITIONAL_CHECK_FAILED, REPLICATED_WRITE_CONFLICT, TRANSACTION_CANCELED
from ddblint.dynamo.scope import CallSite, ModuleIndex
from ddblint.tree import children, walk
from ddblint.dynamo.values import At, Evaluator, QualName

_BROAD = frozenset({"Exception", "BaseException"})
# strings that show a handler tells this failure apart from other errors
_CODES = {
    CONDITIONAL_CHECK_FAILED: ("ConditionalCheckFailed",),  # also `"ConditionalCheckFailed" in str(e)`
    TRANSACTION_CANCELED: (TRANSACTION_CANCELED, "ConditionalCheckFailed", "CancellationReasons"),
    REPLICATED_WRITE_CONFLICT: ("ReplicatedWriteConflict",),
}
_RETRY_ALL = frozenset({"tenacity.retry", "retrying.retry"})
_MAX_CALLERS = 2


def _tail(node) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Call):
        return _tail(node.func)
    return None


class Handling:
    """Answers `handled(site, exception)` for the call sites of one module."""

    def __init__(self, index: ModuleIndex, evaluator: Evaluator) -> None:
        self.index = index
        self.evaluator = evaluator
        self._tries: Dict[int, Dict[int, List[cst.CSTNode]]] = {}  # function id -> call id -> enclosing trys
        self._binding_mentions: Dict[tuple, bool] = {}

    # -- the question ------------------------------------------------------------------------------
    def handled(self, site: CallSite, exception: str, depth: int = 0) -> bool:
        function = site.function
        for try_node in self._enclosing_tries(function, site.node):
            if any(self._handler_handles(h, exception, site) for h in try_node.handlers):
                return True
        if function is not None and self._decorators_handle(function, exception, site):
            return True
        if self._passed_to_retry_helper(site, exception):
            return True
        if function is not None and depth < _MAX_CALLERS:
            for caller in self._callers(function):
                if self.handled(caller, exception, depth + 1):
                    return True
        return False

    # -- 1. try/except -----------------------------------------------------------------------------
    def _enclosing_tries(self, function, call: cst.Call) -> List[cst.CSTNode]:
        root = function if function is not None else self.index.module
        table = self._tries.get(id(root))
        if table is None:
            table = self._tries[id(root)] = {}
            self._index_tries(root, [], table, top=True)
        return table.get(id(call), [])

    def _index_tries(self, node, enclosing: List[cst.CSTNode], table, top=False) -> None:
        stack = [(node, enclosing, top)]
        while stack:
            current, trys, is_top = stack.pop()
            if isinstance(current, cst.FunctionDef) and not is_top:
                # another function's body: a try here does not run around it
                for child in children(current):
                    if not isinstance(child, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                        stack.append((child, trys, False))
                continue
            if isinstance(current, cst.Call):
                table[id(current)] = list(reversed(trys))  # innermost first
            if isinstance(current, (cst.Try, cst.TryStar)):
                stack.append((current.body, trys + [current], False))
                for rest in list(current.handlers) + [current.orelse, current.finalbody]:
                    if rest is not None:
                        stack.append((rest, trys, False))
                continue
            stack.extend((child, trys, False) for child in children(current))

    def _handler_handles(self, handler, exception: str, site: CallSite) -> bool:
        if handler.type is None:
            return not self._reraises(handler)
        names = self._exception_names(handler.type, site)
        if exception in names:
            return True
        if "ClientError" in names and self._checks_code(handler.body, exception):
            return True
        if names & _BROAD:
            return not self._reraises(handler)
        return False

    def _exception_names(self, node, site: CallSite, depth: int = 0) -> Set[str]:
        if depth > 3:
            return set()
        if isinstance(node, cst.Tuple):
            found: Set[str] = set()
            for element in node.elements:
                found |= self._exception_names(element.value, site, depth + 1)
            return found
        names = set()
        tail = _tail(node)
        if tail:
            names.add(tail)
        if isinstance(node, cst.Name):
            # `CCF = client.exceptions.ConditionalCheckFailedException`, `from botocore.exceptions import ClientError as E`
            value = self.evaluator.value(node, At(site.scope, site.order, site.chain))
            if isinstance(value, QualName):
                names.add(value.name.rsplit(".", 1)[-1])
            for bound in self._bound_expressions(node.value, site):
                if isinstance(bound, cst.Tuple):
                    names |= self._exception_names(bound, site, depth + 1)
                elif _tail(bound):
                    names.add(_tail(bound))
        return names

    def _bound_expressions(self, name: str, site: CallSite) -> List[cst.CSTNode]:
        scope = site.scope
        while scope is not None:
            bindings = scope.bindings.get(name)
            if bindings:
                return [b.value for b in bindings if b.value is not None]
            scope = scope.parent
        return []

    def _checks_code(self, body, exception: str) -> bool:
        for node in walk(body):
            if isinstance(node, cst.SimpleString) and _string_mentions(node, _CODES[exception]):
                return True
            if isinstance(node, cst.Subscript) and len(node.slice) == 1 \
                    and isinstance(node.slice[0].slice, cst.Index) \
                    and _is_code_string(node.slice[0].slice.value):
                return True
            if isinstance(node, cst.Call) and _tail(node.func) == "get" and node.args \
                    and _is_code_string(node.args[0].value):
                return True
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) \
                    and self._module_function_mentions(node.func.value, exception):
                return True
        return False

    @staticmethod
    def _reraises(handler) -> bool:
        """The handler only re-raises what it caught: simple statements (logging, metrics), then a
        bare `raise` (or `raise e`), with no branch, loop or return before it."""
        bound = handler.name.name.value if handler.name is not None and isinstance(handler.name.name, cst.Name) \
            else None
        body = handler.body
        statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
        for statement in statements:
            if not isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                return False  # an if/try/with/...: it may deal with this failure before re-raising
            for small in statement.body:
                if isinstance(small, cst.Return):
                    return False
                if isinstance(small, cst.Raise):
                    exc = small.exc
                    return exc is None or (isinstance(exc, cst.Name) and exc.value == bound and small.cause is None)
        return False

    # -- 2. decorators -----------------------------------------------------------------------------
    def _decorators_handle(self, function, exception: str, site: CallSite) -> bool:
        if not isinstance(function, cst.FunctionDef):
            return False
        wanted = {exception, "ClientError"} | _BROAD
        scope = self.index.functions.get(id(function))
        outer = scope.parent if scope is not None and scope.parent is not None else self.index.scope
        for decorator in function.decorators:
            expression = decorator.decorator
            if self._mentions(expression, wanted, exception):
                return True
            target = expression.func if isinstance(expression, cst.Call) else expression
            value = self.evaluator.value(target, At(outer, 1 << 62, ()))
            if isinstance(value, QualName) and value.name in _RETRY_ALL:
                keywords = {a.keyword.value for a in expression.args if a.keyword is not None} \
                    if isinstance(expression, cst.Call) else set()
                if not keywords & {"retry", "retry_on_exception", "retry_on_result"}:
                    return True
        return False

    # -- 3. retry helpers --------------------------------------------------------------------------
    def _passed_to_retry_helper(self, site: CallSite, exception: str) -> bool:
        """The call is inside a lambda/def handed to a helper that names the exception."""
        scope = site.scope
        wanted = {exception, "ClientError"} | _BROAD
        while scope is not None and scope.kind == "function":
            node = scope.node
            for call_site in self._calls_passing(node):
                call = call_site.node
                parts = [call.func] + [a.value for a in call.args if a.value is not node]
                if any(self._mentions(part, wanted, exception) for part in parts):
                    return True
            scope = scope.parent
        return False

    def _calls_passing(self, function_node) -> Iterable[CallSite]:
        """Calls that get this lambda (as an argument) or this def (by its name) as an argument."""
        name = function_node.name.value if isinstance(function_node, cst.FunctionDef) else None
        for call_site in self.index.all_calls.values():
            for arg in call_site.node.args:
                value = arg.value
                if value is function_node:
                    yield call_site
                    break
                if name is not None and _tail(value) == name and not isinstance(value, cst.Call):
                    yield call_site
                    break

    # -- 4. callers --------------------------------------------------------------------------------
    def _callers(self, function) -> Iterable[CallSite]:
        if not isinstance(function, cst.FunctionDef):
            return
        name = function.name.value
        for call_site in self.index.all_calls.values():
            func = call_site.node.func
            if (isinstance(func, cst.Name) and func.value == name) or \
                    (isinstance(func, cst.Attribute) and func.attr.value == name):
                if call_site.function is not function:
                    yield call_site

    # -- mentions ----------------------------------------------------------------------------------
    def _mentions(self, node, names: Set[str], exception: str, depth: int = 0) -> bool:
        """`node` names one of `names`, spells the exception in a string, or refers to a module-level
        function or value whose code does (one level deep)."""
        for inner in walk(node):
            if isinstance(inner, (cst.Name, cst.Attribute)) and _tail(inner) in names:
                return True
            if isinstance(inner, cst.SimpleString) and _string_mentions(inner, _CODES[exception]):
                return True
            if depth == 0 and isinstance(inner, cst.Name) and self._module_binding_mentions(inner.value, names,
                                                                                             exception):
                return True
        return False

    def _module_binding_mentions(self, name: str, names: Set[str], exception: str) -> bool:
        key = (name, frozenset(names), exception)
        if key in self._binding_mentions:
            return self._binding_mentions[key]
        self._binding_mentions[key] = False  # cycles
        found = False
        for binding in self.index.scope.bindings.get(name, ()):
            target = binding.node if binding.kind == "def" else binding.value
            if target is not None and binding.kind in ("def", "assign", "ann") \
                    and self._mentions(target, names, exception, depth=1):
                found = True
                break
        self._binding_mentions[key] = found
        return found

    def _module_function_mentions(self, name: str, exception: str) -> bool:
        return any(b.kind == "def" for b in self.index.scope.bindings.get(name, ())) \
            and self._module_binding_mentions(name, {exception}, exception)


def _string_mentions(node: cst.SimpleString, words) -> bool:
    try:
        text = node.evaluated_value
    except Exception:  # noqa: BLE001 - odd literals
        return False
    return isinstance(text, str) and any(word in text for word in words)


def _is_code_string(node) -> bool:
    if not isinstance(node, cst.SimpleString):
        return False
    try:
        return node.evaluated_value in ("Code", "code")
    except Exception:  # noqa: BLE001
        return False
