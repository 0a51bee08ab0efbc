"""One pass over a module that records what the value resolver needs.

LibCST's ScopeProvider/QualifiedNameProvider cost more than the whole analysis they would
enable (see research/fixit-libcst.md §3.2), and they do not follow values. This visitor keeps
only what resolving a receiver or an argument needs: for every scope, the bindings of each name
with the statement that made them and *where* they are (an order number and the chain of
enclosing statement blocks), so a use can pick the assignment that dominates it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union

import libcst as cst

from ddblint.dynamo.operations import DATA_METHODS
from ddblint.tree import children, is_leaf
from ddblint.syntax import dotted_name, imported_name

# Methods of a dict that read it without changing it; any other call on a dict, or passing it to a
# function, may change it behind our back.
READ_ONLY_METHODS = frozenset({"get", "copy", "items", "keys", "values", "__getitem__", "__contains__"})


@dataclass(eq=False)
class Binding:
    name: str
    kind: str  # assign | ann | aug | param | import | for | with | def | class | except | walrus
    node: cst.CSTNode  # the statement (or Param / Import alias / def) that binds
    value: Optional[cst.BaseExpression] = None  # what is assigned, when there is one expression for it
    annotation: Optional[cst.BaseExpression] = None
    qualname: Optional[str] = None  # for imports: the dotted name bound
    start: int = 0  # order number when the statement began (its right-hand side is evaluated here)
    order: int = 0  # order number when the statement ended (the binding exists after this)
    chain: Tuple[int, ...] = ()  # ids of the enclosing statement blocks, outermost first
    scope: Optional["Scope"] = None


@dataclass(eq=False)
class Mutation:
    """Something a statement does to (or with) the value a name holds, recorded under that name.

    kind:
      setitem  `name[key] = value` (key, value), `name[key] += v` (value None)
      update   `name.update(...)`
      deep     a write below the name's own dict: `name[a][b] = v`, `name.x[k] = v`
      method   another method that may change it, on it or below it: `name.pop(k)`, `name["a"].clear()`
      passed   handed to a call: `f(name)`, `f(**name)` (star), `f(name["a"])`
      alias    `other = name`: changes through `other` change it
      del      `del name[key]` (and deeper)
      read     read by a `del` target or a loop's iterable: `del seen[name]`, `for k in name`
      annotated  `name[key]: T` with no value (which assigns nothing)
    depth: how many subscripts the written target, the method's receiver or the passed argument
    applies to the name (`name[k] = v` 1, `name[a][b] = v` 2, `name.pop(k)` and `f(name)` 0,
    `name["a"].clear()` and `f(name["a"])` 1); None when an attribute is on the way
    (`name.x[k] = v`, `name.items.append(v)`).
    """

    kind: str
    node: cst.CSTNode
    key: Optional[cst.BaseExpression] = None
    value: Optional[cst.BaseExpression] = None
    order: int = 0
    chain: Tuple[int, ...] = ()
    depth: Optional[int] = 0
    star: str = ""  # for `passed`: how it is passed ("", "*", "**")

    @property
    def seen_by_resolver(self) -> bool:
        """Whether the value resolver applies it to the dict the name holds (a key set or updated)
        or, for any other change, gives up on what the dict holds. Reads, `**name` and inner
        dicts handed to a call are not its business (hidden changes are: expression_params)."""
        if self.kind == "passed":
            return self.depth == 0 and self.star != "**"
        return self.kind not in ("read", "annotated")


@dataclass(eq=False)
class Scope:
    kind: str  # module | class | function | comprehension
    node: cst.CSTNode
    parent: Optional["Scope"]
    bindings: Dict[str, List[Binding]] = field(default_factory=dict)
    mutations: Dict[str, List[Mutation]] = field(default_factory=dict)
    global_names: set = field(default_factory=set)
    # for functions: the return statements, and whether it yields
    returns: List[Tuple[cst.Return, int, Tuple[int, ...]]] = field(default_factory=list)
    yields: bool = False
    class_info: Optional["ClassInfo"] = None  # the class a method belongs to
    self_kind: Optional[str] = None  # "instance" | "class" for the first parameter of a method
    children: List["Scope"] = field(default_factory=list)  # the scopes directly inside it
    # the statements that assign a computed value (Assign, AnnAssign, AugAssign, NamedExpr), in
    # source order: where a dict's value may flow into another name
    assignments: List[cst.CSTNode] = field(default_factory=list)

    def nested(self) -> List["Scope"]:
        """Every scope inside this one (functions, lambdas, classes and comprehensions), at any depth."""
        found, stack = [], list(self.children)
        while stack:
            scope = stack.pop()
            found.append(scope)
            stack.extend(scope.children)
        return found

    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


@dataclass(eq=False)
class ClassInfo:
    node: cst.ClassDef
    scope: Scope  # the class body
    outer: Scope  # where the class statement is
    # `self.x = ...` anywhere in the class's methods, by attribute name
    attributes: Dict[str, List[Binding]] = field(default_factory=dict)


@dataclass(eq=False)
class CallSite:
    node: cst.Call
    scope: Scope
    order: int
    chain: Tuple[int, ...]
    function: Optional[cst.CSTNode]  # the innermost enclosing def (None at module level)


@dataclass(eq=False)
class ModuleIndex:
    module: cst.Module
    scope: Scope
    classes: Dict[int, ClassInfo]  # id(ClassDef) -> info
    functions: Dict[int, Scope]  # id(FunctionDef or Lambda) -> its scope
    calls: List[CallSite]  # calls whose method name may be a DynamoDB data operation
    all_calls: Dict[int, CallSite]  # id(Call) -> site, every call (for data flow)
    # ids of statement blocks that end in `return`, with no `break`/`continue` inside and outside
    # any `try ... finally`: nothing done in one reaches code after it
    # (`if q: req[...] = ...; return query(**req)`). Not `raise`: a local `except` may catch it.
    exits: frozenset = frozenset()
    # id(ListComp, SetComp, DictComp or GeneratorExp) -> its scope: where its element is evaluated
    comprehensions: Dict[int, Scope] = field(default_factory=dict)
    # id(statement block) -> the `if` that selects it: the body of an `if` (not an `elif`) runs
    # when its test is true, its `else` body when it is false (SPEC §3 Paths)
    branches: Dict[int, "Branch"] = field(default_factory=dict)
    # the modules the module's top-level `from M import *` statements name, in order (`.models`
    # for a relative one): they bind no name here, the project resolves what they bring in
    star_imports: Tuple[str, ...] = ()
    # every comparison (`a == b`, ...) as (node, order, chain, id of the innermost enclosing
    # def, lambda, class or comprehension, or of the module): the condition builders' misuse
    comparisons: Tuple[Tuple[cst.Comparison, int, Tuple[int, ...], int], ...] = ()


@dataclass(frozen=True)
class Branch:
    # the block runs when each test has its truth value: one for an `if` body or its `else`, the
    # earlier tests (false) and its own (true) for an `elif`, every test (false) for the last `else`
    tests: Tuple[Tuple[cst.BaseExpression, bool], ...]
    order: int  # where the tests are evaluated
    chain: Tuple[int, ...]


def build_index(module: cst.Module) -> ModuleIndex:
    visitor = _Indexer(module)
    visitor.walk(module)
    return ModuleIndex(module, visitor.root, visitor.classes, visitor.functions, visitor.calls,
                       visitor.all_calls, frozenset(visitor.exits - visitor.jumps), visitor.comprehensions,
                       visitor.branches, tuple(visitor.star_imports), tuple(visitor.comparisons))


def release(index: ModuleIndex) -> None:
    """Break the index's reference cycles (a scope and the scopes inside it, a binding and its
    scope, a class and its body): the module's tree, which they hold, is then freed as soon as
    the last reference to it goes, without waiting for the cyclic garbage collector."""
    for scope in [index.scope] + index.scope.nested():
        scope.children = []
        scope.parent = scope.class_info = None
        for bindings in scope.bindings.values():
            for binding in bindings:
                binding.scope = None
    for info in index.classes.values():
        info.scope = info.outer = None


# LibCST's node classes by name (exact types: isinstance on LibCST's classes, ABCs, is slow; and
# LibCST is imported after this module, on first use: ddblint/lazy.py)
_SUITE_NAMES = frozenset(("Module", "IndentedBlock", "SimpleStatementSuite"))
_OWNER_NAMES = frozenset(("ClassDef", "FunctionDef", "Lambda", "ListComp", "SetComp", "DictComp", "GeneratorExp"))


class _Indexer:
    """Walks the tree once (parents first, children in source order) calling visit_X/leave_X."""

    # node type -> (visit_X or None, leave_X or None, whether it is a statement block, whether it
    # owns comparisons): looked up once per type, not per node
    _kinds: Dict[type, Tuple[object, object, bool, bool]] = {}
    # node types with none of these and no children (names, strings, numbers): a third of the
    # nodes, which the walk only counts
    _leaves: set = set()

    def __init__(self, module: cst.Module) -> None:
        self.order = 0
        self.root = Scope("module", module, None)
        self.scope = self.root
        self.chain: List[int] = []
        self.functions: Dict[int, Scope] = {}
        self.comprehensions: Dict[int, Scope] = {}
        self.classes: Dict[int, ClassInfo] = {}
        self.calls: List[CallSite] = []
        self.all_calls: Dict[int, CallSite] = {}
        self.function_stack: List[cst.CSTNode] = []
        self.stmt_start: List[int] = []
        self.exits: set = set()
        self.jumps: set = set()  # blocks holding a break/continue, which may leave them sideways
        self.finally_depth = 0  # inside a `try` with a `finally`, which runs after a return
        self.branches: Dict[int, Branch] = {}
        self.elifs: set = set()  # ids of the `If` nodes that are `elif`s: their blocks have compound tests
        self.star_imports: List[str] = []
        self.owners: List[int] = [id(module)]  # the innermost def, lambda, class or comprehension
        self.comparisons: list = []

    # -- bookkeeping ---------------------------------------------------------------------------
    def _kind(self, kind: type) -> Tuple[object, object, bool, bool]:
        known = self._kinds[kind] = (getattr(type(self), f"visit_{kind.__name__}", None),
                                     getattr(type(self), f"leave_{kind.__name__}", None),
                                     kind.__name__ in _SUITE_NAMES, kind.__name__ in _OWNER_NAMES)
        if not any(known) and is_leaf(kind):
            self._leaves.add(kind)
        return known

    def walk(self, node: cst.CSTNode) -> None:
        kind = type(node)
        self.order += 1
        visit, leave, suite, owner = self._kinds.get(kind) or self._kind(kind)
        if suite:
            self.chain.append(id(node))
        if owner:
            self.owners.append(id(node))
        if visit is not None:
            visit(self, node)
        leaves = self._leaves
        for child in children(node):
            if type(child) in leaves:
                self.order += 2  # what walking it would count
            else:
                self.walk(child)
        if leave is not None:
            leave(self, node)
        self.order += 1
        if suite:
            self.chain.pop()
        if owner:
            self.owners.pop()

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self.comparisons.append((node, self.order, tuple(self.chain), self.owners[-1]))

    def _bind(self, name: str, kind: str, node: cst.CSTNode, *, scope: Optional[Scope] = None,
              value=None, annotation=None, qualname=None, start=None) -> Binding:
        scope = scope or self.scope
        if name in scope.global_names:
            scope = self.root
        binding = Binding(name, kind, node, value, annotation, qualname,
                          start=self.order if start is None else start, order=self.order,
                          chain=tuple(self.chain), scope=scope)
        scope.bindings.setdefault(name, []).append(binding)
        return binding

    def _push(self, kind: str, node: cst.CSTNode) -> Scope:
        outer = self.scope
        self.scope = Scope(kind, node, outer)
        outer.children.append(self.scope)
        return self.scope

    def _pop(self) -> None:
        self.scope = self.scope.parent

    # -- scopes ----------------------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        outer = self.scope
        scope = self._push("class", node)
        self.classes[id(node)] = ClassInfo(node, scope, outer)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._pop()
        self._bind(node.name.value, "class", node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        scope = self._push("function", node)
        self.functions[id(node)] = scope
        self.function_stack.append(node)
        if outer.kind == "class":
            decorators = {dotted_name(d.decorator) for d in node.decorators}
            if "staticmethod" not in decorators:
                scope.class_info = self.classes[id(outer.node)]
                scope.self_kind = "class" if "classmethod" in decorators else "instance"
        params = node.params
        ordered = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                ordered.append(extra)
        for index, param in enumerate(ordered):
            binding = self._bind(param.name.value, "param", param,
                                 annotation=param.annotation.annotation if param.annotation else None)
            if index == 0 and scope.self_kind and param in (list(params.posonly_params) + list(params.params)):
                binding.kind = "self"

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._pop()
        self.function_stack.pop()
        self._bind(node.name.value, "def", node)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        # kept with the functions: a lambda is a factory too (`field(default_factory=lambda: ...)`)
        self.functions[id(node)] = self._push("function", node)
        for param in node.params.params:
            self._bind(param.name.value, "param", param)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._pop()

    def visit_ListComp(self, node) -> None:
        self.comprehensions[id(node)] = self._push("comprehension", node)

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def leave_ListComp(self, node) -> None:
        self._pop()

    leave_SetComp = leave_DictComp = leave_GeneratorExp = leave_ListComp

    def visit_CompFor(self, node: cst.CompFor) -> None:
        for name in _target_names(node.target):
            self._bind(name, "for", node)
        self._record_iterated(node)

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.global_names.update(item.name.value for item in node.names)

    def visit_Return(self, node: cst.Return) -> None:
        if self.scope.kind == "function":
            self.scope.returns.append((node, self.order, tuple(self.chain)))

    def visit_Yield(self, node: cst.Yield) -> None:
        if self.scope.kind == "function":
            self.scope.yields = True

    # -- blocks that exit ------------------------------------------------------------------------
    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        last = node.body[-1] if node.body else None
        if isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], cst.Return) \
                and not self.finally_depth:
            self.exits.add(id(node))

    def leave_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        if node.body and isinstance(node.body[-1], cst.Return) and not self.finally_depth:
            self.exits.add(id(node))

    def visit_If(self, node: cst.If) -> None:
        if id(node) in self.elifs:
            return  # recorded with the `if` it continues
        where = (self.order, tuple(self.chain))
        earlier: Tuple[Tuple[cst.BaseExpression, bool], ...] = ()
        branch: Union[cst.If, cst.Else, None] = node
        while isinstance(branch, cst.If):
            self.branches[id(branch.body)] = Branch(earlier + ((branch.test, True),), *where)
            earlier += ((branch.test, False),)
            if isinstance(branch.orelse, cst.If):
                self.elifs.add(id(branch.orelse))
            branch = branch.orelse
        if isinstance(branch, cst.Else):
            self.branches[id(branch.body)] = Branch(earlier, *where)

    def visit_Try(self, node) -> None:
        self.finally_depth += node.finalbody is not None

    def leave_Try(self, node) -> None:
        self.finally_depth -= node.finalbody is not None

    visit_TryStar, leave_TryStar = visit_Try, leave_Try

    def visit_Break(self, node) -> None:
        self.jumps.update(self.chain)

    visit_Continue = visit_Break

    # -- bindings ----------------------------------------------------------------------------------
    def visit_SimpleStatementLine(self, node) -> None:
        self.stmt_start.append(self.order)

    def leave_SimpleStatementLine(self, node) -> None:
        self.stmt_start.pop()

    def _start(self) -> int:
        return self.stmt_start[-1] if self.stmt_start else self.order

    def leave_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assign_target(target.target, node.value, node)
        self.scope.assignments.append(node)
        if isinstance(node.value, cst.Name):
            # an alias (`values2 = values`): changes through it are changes to the original
            self._record_mutation(node.value.value, Mutation("alias", node))

    def visit_Del(self, node: cst.Del) -> None:
        root = _root_name(node.target) if isinstance(node.target, cst.Subscript) else None
        if root is not None:
            self._record_mutation(root, Mutation("del", node, depth=subscript_root(node.target)[1]))
        for name in read_names(node.target):
            self._record_mutation(name, Mutation("read", node.target))

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is None and self.scope.kind != "class":
            root, depth = subscript_root(node.target)
            if root is not None:  # `d["k"]: int` alone changes nothing, but names a key of `d`
                self._record_mutation(root, Mutation("annotated", node, depth=depth))
            return  # `x: int` alone binds nothing in a function or module
        self._assign_target(node.target, node.value, node, annotation=node.annotation.annotation)
        if node.value is not None:
            self.scope.assignments.append(node)

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, "aug", node, value=node.value, start=self._start())
        elif isinstance(node.target, cst.Subscript):
            self._mutate_subscript(node.target, None, node)
        self.scope.assignments.append(node)

    def leave_NamedExpr(self, node: cst.NamedExpr) -> None:
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, "walrus", node, value=node.value)
        self.scope.assignments.append(node)

    def _assign_target(self, target, value, stmt, annotation=None) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, "ann" if annotation is not None else "assign", stmt,
                       value=value, annotation=annotation, start=self._start())
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [e.value for e in target.elements]
            values = None
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(elements) \
                    and not any(isinstance(e, cst.StarredElement) for e in value.elements):
                values = [e.value for e in value.elements]
            for index, element in enumerate(elements):
                self._assign_target(element, values[index] if values else None, stmt)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            self._assign_attribute(target, value, stmt, annotation)
        elif isinstance(target, cst.Subscript):
            self._mutate_subscript(target, value, stmt)

    def _assign_attribute(self, target: cst.Attribute, value, stmt, annotation) -> None:
        # `self.x = ...` inside a method: an attribute of the class's instances
        owner = self.scope
        while owner is not None and owner.kind not in ("function",):
            owner = owner.parent
        if owner is None or owner.class_info is None:
            return
        self_binding = next((b for b in owner.bindings.get(target.value.value, []) if b.kind == "self"), None)
        if self_binding is None:
            return
        binding = Binding(target.attr.value, "ann" if annotation is not None else "assign", stmt, value,
                          annotation, start=self._start(), order=self.order, chain=tuple(self.chain),
                          scope=owner)
        owner.class_info.attributes.setdefault(target.attr.value, []).append(binding)

    def _mutate_subscript(self, target: cst.Subscript, value, stmt) -> None:
        if not isinstance(target.value, cst.Name):
            # `params["ExpressionAttributeValues"][":b"] = b` changes what `params` holds, deep down
            root = _root_name(target)
            if root is not None:
                self._record_mutation(root, Mutation("deep", stmt, depth=subscript_root(target)[1]))
            return
        key = None
        if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
            key = target.slice[0].slice.value
        self._record_mutation(target.value.value, Mutation("setitem", stmt, key, value, depth=1))

    def _record_mutation(self, name: str, mutation: Mutation) -> None:
        mutation.order, mutation.chain = self.order, tuple(self.chain)
        self.scope.mutations.setdefault(name, []).append(mutation)

    def visit_For(self, node: cst.For) -> None:
        for name in _target_names(node.target):
            self._bind(name, "for", node)
        self._record_iterated(node)

    def _record_iterated(self, loop) -> None:
        # `for k in params: ...`: what the loop does with the dict's keys is not followed
        for name in read_names(loop.iter, skip_arguments=True):
            self._record_mutation(name, Mutation("read", loop))

    def leave_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            self._bind(node.asname.name.value, "with", node, value=node.item)
        elif node.asname is not None:
            for name in _target_names(node.asname.name):
                self._bind(name, "with", node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind(node.name.name.value, "except", node)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = dotted_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value, "import", node, qualname=dotted)
            elif dotted:
                # `import a.b` binds `a`
                head = dotted.split(".")[0]
                self._bind(head, "import", node, qualname=head)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = dotted_name(node.module) if node.module is not None else ""
        base = "." * len(node.relative) + (base or "")
        if isinstance(node.names, cst.ImportStar):
            if len(self.chain) == 1:  # a statement of the module's body, not under an if or a try
                self.star_imports.append(base)
            return
        for alias in node.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else dotted_name(alias.name)
            bound = alias.asname.name.value if alias.asname is not None else name
            self._bind(bound, "import", node, qualname=imported_name(base, name) if base else name)

    # -- calls -------------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        site = CallSite(node, self.scope, self.order, tuple(self.chain),
                        self.function_stack[-1] if self.function_stack else None)
        self.all_calls[id(node)] = site
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in DATA_METHODS:
            self.calls.append(site)
        # Anything a dict is handed to, or any method called on it, may change it.
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) \
                and func.attr.value not in READ_ONLY_METHODS:
            kind = "update" if func.attr.value == "update" else "method"
            self._record_mutation(func.value.value, Mutation(kind, node))
        elif isinstance(func, cst.Attribute) and isinstance(func.value, (cst.Subscript, cst.Attribute)) \
                and func.attr.value not in READ_ONLY_METHODS and _root_name(func.value) is not None:
            # `params["ExpressionAttributeValues"].update(...)`
            self._record_mutation(_root_name(func.value),
                                  Mutation("method", node, depth=subscript_root(func.value)[1]))
        for arg in node.args:
            root, depth = subscript_root(arg.value)
            if root is not None:
                self._record_mutation(root, Mutation("passed", node, depth=depth, star=arg.star))


def _target_names(target) -> List[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        names = []
        for element in target.elements:
            names.extend(_target_names(element.value))
        return names
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def subscript_root(node) -> Tuple[Optional[str], Optional[int]]:
    """(`a`, 2) for `a["x"]["y"]`, (`a`, 0) for `a`; (None, None) when an attribute or anything
    but a name is on the way (`a.b["c"]`, `f()["x"]`)."""
    depth = 0
    while type(node) is cst.Subscript:
        node, depth = node.value, depth + 1
    return (node.value, depth) if type(node) is cst.Name else (None, None)


def read_names(node: cst.CSTNode, *, skip_arguments: bool = False) -> List[str]:
    """Names an expression reads (not attribute names or keywords). With `skip_arguments`, not
    those passed directly as a call's argument (`f(d)`, `f(**d)`): the call's own record covers them."""
    found: Dict[str, None] = {}  # in the order first read
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found[current.value] = None
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        elif isinstance(current, cst.Arg):
            if not (skip_arguments and isinstance(current.value, cst.Name)):
                stack.append(current.value)
        else:
            stack.extend(children(current))
    return list(found)


def _root_name(node) -> Optional[str]:
    """The variable at the bottom of `a["x"]["y"]` / `a.b["c"]`."""
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None
