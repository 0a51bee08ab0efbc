"""A first look at a module with the standard library's parser: whether the DynamoDB model could
find anything in it at all.

LibCST's parse is most of what ddblint costs, and most files the byte prefilter keeps hold a
DynamoDB word only as a `def` of a method, an attribute read, a string or a call with positional
arguments (moto's backends, services named like DynamoDB's operations). `ast.parse` is about eight
times cheaper, and its tree is enough to show that `DynamoModel` would find nothing:

* no call can be an operation: no `x.<method>(...)` whose method is a DynamoDB data method
  (`operations.DATA_METHODS`, what `scope` collects as candidates) and that passes keywords only
  (`calls._recognise` refuses any positional or `*` argument: boto3's operations take none);
* no PynamoDB: no import that names `pynamodb`, and no module-scope import of a project module
  that mentions it (`pynamodb.uses_pynamodb`, asked of the same `Project`);
* no condition builders: no import that may bring `boto3.dynamodb.conditions` in reach
  (`builders.imports_builders`; `from boto3.dynamodb.types import TypeSerializer` does not);
* no write helper of the project called: no call whose name is a `def` holding a keyword-only
  write call in a project module imported at module scope (`writing_defs`, through the same
  `Project` query as `helpers._helper_names`).

Each condition is a superset of what the model looks at, so "nothing" is safe to act on
(tests/test_glance.py checks it against the model on every rule example). A module the standard
library's parser cannot read (newer syntax than the running Python, a syntax error, nesting it
refuses) is analysed as before: the engine asks only with a tree.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Iterator, Optional, Set, Tuple

from ddblint import parsing
from ddblint.dynamo.operations import DATA_METHODS, WRITE_METHOD_WORDS, may_bring_builders
from ddblint.syntax import imported_name

_PYNAMODB = (b"pynamodb",)
_DEFINED = re.compile(rb"^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)


def finds_nothing(tree: ast.Module, source: str, path: Optional[Path], project) -> bool:
    """True when the DynamoDB model of `source` (the module at `path` of `project`, whose standard
    library tree is `tree`: `parsing.standard_tree`) would hold no call, write through a helper,
    builder comparison or PynamoDB model; False when it may."""
    if "pynamodb" in source:
        return False
    calls, module_imports = [], []
    for node in _walk(tree, module_imports):
        if isinstance(node, ast.Call):
            if _keyword_method(node) in DATA_METHODS:
                return False  # a possible operation
            calls.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and _may_import_builders(node):
            return False
    if project is None:
        return True
    qualnames = [name for node in module_imports for name in _qualnames(node)]
    if any(project.module_mentions(name, path, _PYNAMODB) for name in qualnames):
        return False
    helpers = _helper_names(project, path, qualnames)
    return not any(_called_name(call) in helpers for call in calls if not _starred(call))


def writing_defs(source: bytes) -> frozenset:
    """The names of the functions of a module that may be write helpers: the `def`s that hold a
    call `x.<write method>(...)` with no positional argument. A helper's write is a DynamoDB call
    directly in it (`helpers.open_writes`), and `calls._recognise` refuses any positional argument:
    moto's `def put_item(self, ...)`, which calls `table.put_item(item)`, is not one. Read with the
    standard library's parser; by text (`_defs_naming_writes`) when it cannot read the module."""
    try:
        tree = parsing.standard_tree(parsing.decode(source))
    except (SyntaxError, LookupError, UnicodeError, ValueError):
        tree = None
    if tree is None:
        return _defs_naming_writes(source)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(map(_keyword_write, ast.walk(node))):
            names.add(node.name)
    return frozenset(names)


_WRITE_WORDS = tuple(word.decode("ascii") for word in WRITE_METHOD_WORDS)


def _keyword_write(node: ast.AST) -> bool:
    """A call `x.<method>(...)` that may be an operation, the method named like a write
    (`batch_execute_statement` too)."""
    method = _keyword_method(node) if isinstance(node, ast.Call) else None
    return method is not None and any(word in method for word in _WRITE_WORDS)


def _keyword_method(call: ast.Call) -> Optional[str]:
    """The method of a call `x.<method>(...)` with no positional argument (`*args` is one,
    `**request` is not), the shape of every call `calls._recognise` takes for an operation;
    None for any other call."""
    return call.func.attr if isinstance(call.func, ast.Attribute) and not call.args else None


def _defs_naming_writes(source: bytes) -> frozenset:
    """The names of the `def`s whose text (up to the next `def` as little indented) holds a write
    word, read as bytes."""
    defs = list(_DEFINED.finditer(source))
    names = set()
    for index, match in enumerate(defs):
        indent = len(match.group(1))
        end = next((later.start() for later in defs[index + 1:] if len(later.group(1)) <= indent), len(source))
        if any(word in source[match.end():end] for word in WRITE_METHOD_WORDS):
            names.add(match.group(2).decode("ascii", "replace"))
    return frozenset(names)


def _walk(tree: ast.Module, module_imports: list) -> Iterator[ast.AST]:
    """Every node; the imports bound at module scope (outside any def, lambda or class) are also
    put in `module_imports`, as `scope` binds them."""
    stack = [(tree, True)]
    while stack:
        node, module_scope = stack.pop()
        yield node
        if module_scope and isinstance(node, (ast.Import, ast.ImportFrom)):
            module_imports.append(node)
        inner = module_scope and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                                       ast.ClassDef))
        for name in _fields(type(node)):  # ast.iter_child_nodes, in its order, without its two generators
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        stack.append((item, inner))
            elif isinstance(value, ast.AST):
                stack.append((value, inner))


# Fields never read: a load/store context, an operator (leaves that are neither calls nor imports).
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _fields(kind: type) -> Tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(name for name in kind._fields if name not in _SKIPPED_FIELDS)
    return names


def _may_import_builders(node) -> bool:
    """An import that may put the condition builders in reach, as `builders.imports_builders`
    reads it: any `import boto3.dynamodb...`, a `from` import that `may_bring_builders`."""
    if isinstance(node, ast.Import):
        return any(alias.name.startswith("boto3.dynamodb") for alias in node.names)
    return any(may_bring_builders(name) for name in _qualnames(node))


def _qualnames(node) -> Iterator[str]:
    """The qualified names `scope` gives the bindings (and star imports) of an import statement."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name if alias.asname else alias.name.split(".")[0]
        return
    base = "." * node.level + (node.module or "")
    for alias in node.names:
        if alias.name == "*":
            yield base
        else:
            yield imported_name(base, alias.name) if base else alias.name


def _helper_names(project, path: Optional[Path], qualnames) -> Set[str]:
    names: Set[str] = set()
    for qualname in qualnames:
        names.update(project.defined_names(qualname, path, WRITE_METHOD_WORDS, writing_defs))
    return names


def _called_name(call: ast.Call) -> Optional[str]:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _starred(call: ast.Call) -> bool:
    return any(isinstance(arg, ast.Starred) for arg in call.args)
