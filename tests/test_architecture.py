"""The import structure of ddblint: no import cycle among its modules, no module importing
another inside a function unless it says why (`# deferred: ...` on the line above), and no
layer importing a higher one (the layers of docs/architecture.md, `LAYERS` below).

A function-local import hides a cycle from Python (it runs after both modules are loaded) and
from the reader; the graph built here counts imports wherever they are, so a cycle shows even
when a function-local import papers over it. Both tests read the source (AST), never import it.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]

# docs/architecture.md's layers, lowest first: a module may import its own layer and the layers
# below it, never one above. A module belongs to the first entry that is it or its package.
LAYERS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("foundation", ("ddblint", "ddblint.lazy", "ddblint.text", "ddblint.syntax", "ddblint.diagnostics", "ddblint.config")),
    ("reading", ("ddblint.parsing", "ddblint.tree", "ddblint.positions", "ddblint.reparse", "ddblint.noqa", "ddblint.files")),
    ("infrastructure", ("ddblint.infra",)),
    ("model", ("ddblint.dynamo",)),
    ("rule interface", ("ddblint.rule",)),
    ("rules", ("ddblint.rules",)),
    ("engine", ("ddblint.registry", "ddblint.tablecheck", "ddblint.engine", "ddblint.fix", "ddblint.cache",
                "ddblint.manifest", "ddblint.baseline", "ddblint.report", "ddblint.topology", "ddblint.mapview")),
    ("lint path", ("ddblint.runner",)),
    ("commands", ("ddblint.server", "ddblint.map_command", "ddblint.cli", "ddblint.__main__")),
)


def layer_of(module: str) -> int:
    """The index in LAYERS of a ddblint module (the package `ddblint` itself only by exact name)."""
    best = None
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            if module == member or (member != "ddblint" and module.startswith(member + ".")):
                if best is None or len(member) > best[1]:
                    best = (index, len(member))
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/architecture.md")
    return best[0]


class Import(NamedTuple):
    file: str  # relative to the repository, with forward slashes
    line: int
    target: str  # the ddblint module imported
    local: bool  # inside a function
    deferred: bool  # a `# deferred:` comment says why it is inside a function


def _modules() -> Dict[str, Path]:
    """Module name -> file, for ddblint/ and rules/ (shipped as the package ddblint.rules)."""
    found = {}
    for path in sorted(ROOT.glob("ddblint/**/*.py")) + sorted(ROOT.glob("rules/*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[0] == "rules":
            parts[0:1] = ["ddblint", "rules"]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _deferred(lines: List[str], line: int) -> bool:
    """Whether the comment block right above `line` (1-based) has a line starting `# deferred:`."""
    row = line - 2
    while row >= 0 and lines[row].strip().startswith("#"):
        if lines[row].strip().startswith("# deferred:"):
            return True
        row -= 1
    return False


def _imports(name: str, path: Path, modules: Dict[str, Path]) -> Iterator[Import]:
    """The imports of ddblint modules in one module, wherever they are (`from pkg import x` is
    an import of pkg.x when that is a module, else of pkg)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    local_nodes = {id(sub) for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom))}
    file = path.relative_to(ROOT).as_posix()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        local = id(node) in local_nodes
        for target in dict.fromkeys(targets):
            while target and target not in modules:  # `import ddblint.x.y` of a name in ddblint.x
                target = target.rpartition(".")[0]
            if target:
                yield Import(file, node.lineno, target, local, local and _deferred(lines, node.lineno))


def _all_imports() -> List[Tuple[str, Import]]:
    modules = _modules()
    return [(name, found) for name, path in modules.items() for found in _imports(name, path, modules)]


def _cycles(edges: Dict[str, Set[str]]) -> List[List[str]]:
    """One cycle through each strongly connected component that has one (Tarjan), as a path
    that returns to its start."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    components: List[List[str]] = []

    def visit(node: str) -> None:  # recursion depth: the number of modules, about 150
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_path_through(component, edges) for component in components]


def _path_through(component: List[str], edges: Dict[str, Set[str]]) -> List[str]:
    """A cycle from the component's first module back to it (breadth-first, so a shortest one)."""
    start, members = component[0], set(component)
    came_from = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return list(reversed(path)) + [start]
            if nxt in members and nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return component


def test_the_import_graph_has_no_cycle():
    edges: Dict[str, Set[str]] = {}
    where: Dict[Tuple[str, str], List[str]] = {}
    for name, found in _all_imports():
        if found.target == name:  # a package importing its own names
            continue
        edges.setdefault(name, set()).add(found.target)
        where.setdefault((name, found.target), []).append(f"{found.file}:{found.line}")
    cycles = _cycles(edges)
    report = []
    for cycle in cycles:
        steps = [f"    {a} -> {b}  ({', '.join(where[(a, b)])})" for a, b in zip(cycle, cycle[1:])]
        report.append(" -> ".join(cycle) + "\n" + "\n".join(steps))
    assert not cycles, "import cycles among ddblint modules:\n" + "\n".join(report)


def test_no_function_local_import_of_a_ddblint_module_without_a_reason():
    offenders = sorted(f"{found.file}:{found.line} imports {found.target}" for _, found in _all_imports()
                       if found.local and not found.deferred)
    assert not offenders, ("function-local imports of ddblint modules (move them to module level, or put "
                           "`# deferred: <why>` on the line above when they defer an optional heavy "
                           "dependency):\n  " + "\n  ".join(offenders))


def test_the_graph_sees_function_local_imports_and_submodules():
    """The reading the two tests rely on: a function-local import is an edge, `from pkg import
    module` is an edge to the module, `from pkg import name` an edge to the package."""
    found = {(name, imp.target, imp.local) for name, imp in _all_imports()}
    assert ("ddblint.infra", "ddblint.infra.terraform", True) in found  # deferred, still an edge
    assert ("ddblint.infra", "ddblint.infra.cdk", True) in found  # deferred: from ddblint.infra import cdk
    assert ("ddblint.parsing", "ddblint.lazy", False) in found  # from ddblint import lazy
    assert ("ddblint.infra.cdk", "ddblint.parsing", False) in found  # from ddblint import parsing
    assert ("ddblint.dynamo.table_registry", "ddblint.infra", False) in found  # from ddblint.infra import Fact
    assert ("ddblint.registry", "ddblint.rules", False) in found  # import ddblint.rules as ...
    cycle = _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert cycle == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"a"}}) == [["a", "a"]]


def test_no_layer_imports_a_higher_one():
    upward = []
    for name, found in _all_imports():
        source, target = layer_of(name), layer_of(found.target)
        if target > source:
            upward.append(f"{found.file}:{found.line} ({LAYERS[source][0]}) imports {found.target} "
                          f"({LAYERS[target][0]})")
    assert not upward, "imports from a higher layer (docs/architecture.md):\n  " + "\n  ".join(sorted(upward))


def test_the_layers_are_the_ones_the_architecture_page_names():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for title, members in LAYERS:
        assert f"**{title}**" in page, f"docs/architecture.md does not name the layer {title!r}"
        for member in members:
            shown = member.replace("ddblint.", "").replace(".", "/") if member != "ddblint" else "__init__"
            assert f"`{shown}" in page, f"docs/architecture.md does not place {member} ({title})"


def test_a_module_outside_every_layer_is_caught():
    assert layer_of("ddblint.dynamo.values") == layer_of("ddblint.dynamo")
    assert layer_of("ddblint.rules.ddb101_update_without_version_guard") == layer_of("ddblint.rules")
    assert layer_of("ddblint.rule") != layer_of("ddblint.rules")
    try:
        layer_of("ddblint.somewhere_new")
    except AssertionError as error:
        assert "LAYERS" in str(error)
    else:
        raise AssertionError("an unplaced module must fail")
