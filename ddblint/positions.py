"""Source positions of the nodes a finding points at, generated only around those nodes.

LibCST's PositionProvider generates the whole module's code and splits every token with a
regular expression to keep line and column counts. We count characters instead (`_OffsetState`),
and only for the statements that hold a node we are asked about: the standard library's parser,
several times cheaper than code generation, says on which line each statement starts, so a
statement deep in a 2,000-line module is generated alone, from its own first line, with the
indentation of its blocks. A module the standard library cannot align with LibCST's tree (syntax
newer than the running Python, or a disagreement we did not foresee: every generated statement is
checked against where the standard library puts it) is generated whole, as before. The ranges are
PositionProvider's (tests/test_positions.py compares them on every node).
"""
from __future__ import annotations

import ast
from contextlib import contextmanager
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ddblint.parsing import standard_tree
from ddblint.text import LineIndex
from ddblint.tree import children

Range = Tuple[int, int]
# The Positions of the last module located, for `code_in_place`: the engine makes a finding's fix
# right after locating it. One only: each holds a whole tree and a map of its nodes, and four of
# the largest modules kept so raised a worker's peak memory by 25 MB.
_LAST: List[Optional["Positions"]] = [None]


class _OffsetState:
    """What LibCST's code generation asks of its state (libcst._nodes.internal.CodegenState),
    counting characters instead of keeping them. It does not derive from CodegenState: this
    module is imported at start-up, LibCST only when a file is parsed (ddblint/lazy.py)."""

    def __init__(self, module: cst.Module, offset: int = 0, indents: Tuple[str, ...] = ()) -> None:
        self.default_indent = module.default_indent
        self.default_newline = module.default_newline
        self.provider = None
        self.tokens: List[str] = []  # Module's code generation looks at it (nothing generated yet)
        self.offset = offset
        self.indent_tokens = list(indents)
        self.stack: List[int] = []
        self.ranges: Dict[int, Range] = {}

    def increase_indent(self, value: str) -> None:
        self.indent_tokens.append(value)

    def decrease_indent(self) -> None:
        self.indent_tokens.pop()

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass  # PositionProvider keeps counting it too: the module's range ends after it

    def before_codegen(self, node) -> None:
        self.stack.append(self.offset)

    def after_codegen(self, node) -> None:
        start = self.stack.pop()
        self.ranges.setdefault(id(node), (start, self.offset))  # a syntactic range wins

    @contextmanager
    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.ranges[id(start_node)][0]
            if end_node is not None:
                end = self.ranges[id(end_node)][1]
            self.ranges[id(node)] = (start, end)


class _TextState(_OffsetState):
    """Generates the code too (`_OffsetState` only counts it)."""

    def __init__(self, module: cst.Module, indents: Tuple[str, ...]) -> None:
        super().__init__(module, 0, indents)
        self.tokens: List[str] = []

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)


def code_in_place(module: cst.Module, old: cst.CSTNode, new: cst.CSTNode) -> str:
    """The text `new` prints as in place of `old` in `module`, over the range PositionProvider
    gives it there: continuation lines get the indentation of the blocks around `old`, and
    parentheses around the node are outside its range. Generated for `new` alone, not for the
    module with `old` replaced. Raises KeyError when `old` is not in `module`."""
    state = _TextState(module, _indents_around(module, old))
    new._codegen(state)
    start, end = state.ranges[id(new)]
    return "".join(state.tokens)[start:end]


def _indents_around(module: cst.Module, target: cst.CSTNode) -> Tuple[str, ...]:
    """The indentation of the blocks that hold `target`, outermost first: from the places of the
    module's Positions when the engine made them (it locates a finding before its fix), else
    by a walk from the top."""
    recent = _LAST[0]
    if recent is not None and recent.module is module:
        holder = recent._owner.get(id(target))
        if holder is not None:
            return recent._places[id(holder)].indents
    stack: List[Tuple[cst.CSTNode, Tuple[str, ...]]] = [(module, ())]
    while stack:
        node, indents = stack.pop()
        if node is target:
            return indents
        if isinstance(node, cst.IndentedBlock):
            indents = indents + (module.default_indent if node.indent is None else node.indent,)
        stack.extend((child, indents) for child in children(node))
    raise KeyError(target)


class _Place:
    """Where a statement of a block's body starts: its first line (its leading comments and blank
    lines included), the indentation of its enclosing blocks, and where the standard library
    puts its first token (row, code-point column), to check the alignment."""

    __slots__ = ("line", "indents", "token")

    def __init__(self, line: int, indents: Tuple[str, ...], token: Tuple[int, int]) -> None:
        self.line, self.indents, self.token = line, indents, token


class Positions:
    """`positions[node]` -> ((row, column), (row, column)), rows 1-based, columns 0-based, end exclusive."""

    def __init__(self, module: cst.Module, source: str, standard_tree: Optional[ast.Module] = None) -> None:
        self.module = module
        self._tree = standard_tree
        # codegen ends the last line with a newline even where the file has none
        self._text = source if source.endswith(("\n", "\r")) or not source else source + module.default_newline
        self._lines = LineIndex(self._text)
        self._ranges: Dict[int, Range] = {id(module): (0, len(self._text))}
        self._places: Optional[Dict[int, _Place]] = None  # id(statement) -> its place; {} when unaligned
        self._owner: Dict[int, cst.CSTNode] = {}  # id(node) -> the innermost placed statement holding it
        self._whole = False

    def __getitem__(self, node) -> Tuple[Tuple[int, int], Tuple[int, int]]:
        found = self._ranges.get(id(node))
        if found is None:
            self._generate_around(node)
            found = self._ranges[id(node)]
        return self._lines.point(found[0]), self._lines.point(found[1])

    def _generate_around(self, node) -> None:
        if self._whole:
            return
        if self._places is None:
            tree = self._tree if self._tree is not None else standard_tree(self._text)
            self._places = _places(self.module, tree, self._text, self._lines) if tree is not None else {}
            self._tree = None
            if self._places:
                self._owner = _owners(self.module, self._places)
                _LAST[0] = self
        statement = self._owner.get(id(node))
        if statement is None or not self._generate(statement):
            self._generate_whole()

    def _generate(self, statement) -> bool:
        """Generate `statement` alone; False when it does not land where the standard library put it."""
        place = self._places[id(statement)]
        state = _OffsetState(self.module, self._lines.offset(place.line, 0), place.indents)
        statement._codegen(state)
        start = state.ranges[id(statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else statement)][0]
        if self._lines.point(start) != place.token:
            return False
        self._ranges.update(state.ranges)
        return True

    def _generate_whole(self) -> None:
        state = _OffsetState(self.module)
        self.module._codegen(state)
        state.ranges[id(self.module)] = (0, len(self._text))  # (codegen adds, then pops, one more newline)
        self._ranges = state.ranges
        self._whole = True


def statement_starts(module: cst.Module, source: str) -> Optional[List[int]]:
    """The line each top-level statement's code starts on (its leading comments and blank lines
    included), from the standard library's tree; None when it cannot parse `source` or its
    statements do not pair with LibCST's."""
    tree = standard_tree(source)
    places = _places(module, tree, source, LineIndex(source)) if tree is not None else {}
    if not places and module.body:
        return None
    return [places[id(statement)].line for statement in module.body]


def _places(module: cst.Module, tree: ast.Module, text: str, lines: LineIndex) -> Dict[int, _Place]:
    """The place of every statement in a block's body, from the standard library's tree; {} when
    its statements do not pair with LibCST's."""
    places: Dict[int, _Place] = {}
    try:
        _pair(module.body, tree.body, (), places, text, lines, module.default_indent)
    except Exception:  # noqa: BLE001 - _Unpaired, or a form we did not foresee: generate the whole module
        return {}
    return places


class _Unpaired(Exception):
    pass


def _pair(statements, nodes, indents, places, text, lines, default_indent) -> None:
    """Pair a LibCST body with the standard library's, statement by statement."""
    at = 0
    for statement in statements:
        if at >= len(nodes):
            raise _Unpaired
        first = nodes[at]
        if isinstance(statement, cst.SimpleStatementLine):
            at += len(statement.body)
            token = first
        else:
            at += 1
            token = first
            _pair_blocks(statement, first, indents, places, text, lines, default_indent)
        row = token.lineno
        decorators = getattr(token, "decorator_list", None)
        first = decorators[0].lineno if decorators else row  # the statement's code starts at `@`
        places[id(statement)] = _Place(first - len(statement.leading_lines), indents,
                                       (row, _column(text, lines, row, token.col_offset)))
    if at != len(nodes):
        raise _Unpaired


# LibCST's compound statements (by class name: LibCST is not imported yet when this module is)
# and the standard library's nodes they may pair with
_BLOCKS = {
    "FunctionDef": (ast.FunctionDef, ast.AsyncFunctionDef), "ClassDef": (ast.ClassDef,),
    "If": (ast.If,), "For": (ast.For, ast.AsyncFor), "While": (ast.While,),
    "With": (ast.With, ast.AsyncWith), "Try": (ast.Try,),
}
if hasattr(ast, "TryStar"):
    _BLOCKS["TryStar"] = (ast.TryStar,)
if hasattr(ast, "Match"):
    _BLOCKS["Match"] = (ast.Match,)


def _pair_blocks(statement, node, indents, places, text, lines, default_indent) -> None:
    """Pair the bodies of a compound statement (its `elif`s, `else`, handlers, cases)."""
    kinds = _BLOCKS.get(type(statement).__name__)
    if kinds is None or not isinstance(node, kinds):
        raise _Unpaired
    pairs = [] if isinstance(node, getattr(ast, "Match", ())) else [(statement.body, node.body)]
    if isinstance(statement, cst.If):
        orelse = statement.orelse
        while isinstance(orelse, cst.If):  # elif: the standard library nests it in orelse
            if len(node.orelse) != 1 or not isinstance(node.orelse[0], ast.If):
                raise _Unpaired
            node = node.orelse[0]
            pairs.append((orelse.body, node.body))
            orelse = orelse.orelse
        if orelse is not None:
            pairs.append((orelse.body, node.orelse))
    elif isinstance(statement, (cst.For, cst.While)) and statement.orelse is not None:
        pairs.append((statement.orelse.body, node.orelse))
    elif isinstance(statement, cst.Try) or type(statement).__name__ == "TryStar":
        if len(statement.handlers) != len(node.handlers):
            raise _Unpaired
        pairs += [(h.body, a.body) for h, a in zip(statement.handlers, node.handlers)]
        if statement.orelse is not None:
            pairs.append((statement.orelse.body, node.orelse))
        if statement.finalbody is not None:
            pairs.append((statement.finalbody.body, node.finalbody))
    elif type(statement).__name__ == "Match":
        if len(statement.cases) != len(node.cases):
            raise _Unpaired
        pairs += [(c.body, a.body) for c, a in zip(statement.cases, node.cases)]
    for block, body in pairs:
        if isinstance(block, cst.IndentedBlock):
            indent = block.indent if block.indent is not None else default_indent
            _pair(block.body, body, indents + (indent,), places, text, lines, default_indent)


def _column(text: str, lines: LineIndex, row: int, byte_offset: int) -> int:
    """The code-point column of the standard library's UTF-8 byte offset on `row`."""
    start = lines.starts[row - 1]
    line = text[start:start + byte_offset]
    if line.isascii():
        return byte_offset
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))


def _owners(module: cst.Module, places: Dict[int, _Place]) -> Dict[int, cst.CSTNode]:
    """id(node) -> the innermost placed statement that holds it."""
    owner: Dict[int, cst.CSTNode] = {}
    stack = [(statement, statement) for statement in module.body]  # every statement of a body is placed
    while stack:
        node, holder = stack.pop()
        owner[id(node)] = holder
        for child in children(node):
            stack.append((child, child if id(child) in places else holder))
    return owner
