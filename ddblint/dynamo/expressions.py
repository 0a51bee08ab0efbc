"""Tokenizer and recursive-descent parser for DynamoDB expressions.

Covers ConditionExpression / FilterExpression, KeyConditionExpression, UpdateExpression and
ProjectionExpression (grammar: shared/research/dynamodb-facts.md §4). Error messages copy
DynamoDB's wording without the "Invalid XxxExpression: " prefix, because the same condition
parser serves several parameters; the caller knows which one it parsed.

Where DynamoDB's documented grammar is silent, we follow what dynalite (whose grammar was
written against the real service) and moto agree on: ADD/DELETE take a value placeholder only,
a SET value may be wrapped in one pair of parentheses, `NOT NOT x` and `((cond))` are rejected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Dict, Iterator, List, NoReturn, Optional, Tuple, Union

from ddblint.dynamo.lexer import Token, TokenParser, tokenize

Span = Tuple[int, int]


class ExpressionError(Exception):
    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message, self.start, self.end = message, start, end

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Name:
    text: str
    span: Span = (0, 0)

@dataclass(frozen=True)
class Placeholder:
    text: str
    span: Span = (0, 0)

@dataclass(frozen=True)
class Index:
    value: int
    span: Span = (0, 0)

PathElement = Union[Name, Placeholder, Index]

@dataclass(frozen=True)
class Path:
    elements: Tuple[PathElement, ...]
    span: Span = (0, 0)

@dataclass(frozen=True)
class ValueRef:
    text: str
    span: Span = (0, 0)

@dataclass(frozen=True)
class Literal:
    value: object
    span: Span = (0, 0)

@dataclass(frozen=True)
class Function:
    name: str
    args: Tuple["Node", ...]
    span: Span = (0, 0)

@dataclass(frozen=True)
class Arithmetic:
    op: str
    left: "Node"
    right: "Node"
    span: Span = (0, 0)

@dataclass(frozen=True)
class Comparison:
    op: str
    left: "Node"
    right: "Node"
    span: Span = (0, 0)

@dataclass(frozen=True)
class Between:
    operand: "Node"
    low: "Node"
    high: "Node"
    span: Span = (0, 0)

@dataclass(frozen=True)
class In:
    operand: "Node"
    choices: Tuple["Node", ...]
    span: Span = (0, 0)

@dataclass(frozen=True)
class And:
    left: "Node"
    right: "Node"
    span: Span = (0, 0)

@dataclass(frozen=True)
class Or:
    left: "Node"
    right: "Node"
    span: Span = (0, 0)

@dataclass(frozen=True)
class Not:
    operand: "Node"
    span: Span = (0, 0)

@dataclass(frozen=True)
class UpdateAction:
    clause: str
    path: Path
    value: Optional["Node"]
    span: Span = (0, 0)

@dataclass(frozen=True)
class UpdateExpression:
    actions: Tuple[UpdateAction, ...]
    span: Span = (0, 0)

@dataclass(frozen=True)
class Projection:
    paths: Tuple[Path, ...]
    span: Span = (0, 0)


Node = Union[Name, Placeholder, Index, Path, ValueRef, Literal, Function, Arithmetic, Comparison,
             Between, In, And, Or, Not, UpdateAction, UpdateExpression, Projection]
_NODE_TYPES = (Name, Placeholder, Index, Path, ValueRef, Literal, Function, Arithmetic, Comparison,
               Between, In, And, Or, Not, UpdateAction, UpdateExpression, Projection)

# Argument kinds per function: "path", "value" (':v') or "operand" (either).
_CONDITION_FUNCS = {
    "attribute_exists": ("path",), "attribute_not_exists": ("path",),
    "attribute_type": ("operand", "value"), "begins_with": ("operand", "operand"),
    "contains": ("operand", "operand"), "size": ("path",),
}
_UPDATE_FUNCS = {"if_not_exists": ("path", "operand"), "list_append": ("operand", "operand")}
_COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
_CONDITION_KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
_KEY_FUNCS = frozenset({"begins_with"})
_MAX_IN = 100


_WORD = re.compile(r"[A-Za-z0-9_]+")
_PUNCT = "()[].,=<>+-"


def _next_token(text: str, i: int) -> Token:
    c = text[i]
    m = _WORD.match(text, i + 1 if c in "#:" else i)
    if c in "#:":
        if not m:  # a bare '#' or ':' (or one followed by '-', '.', ...) is not a placeholder
            raise _char_error(text, i, i + 1)
        return Token(c, text[i:m.end()], i, m.end())
    if m:
        word = m.group()
        if word.isdigit():
            return Token("num", word, i, m.end())
        if word[0].isdigit():  # such names need a '#' placeholder
            raise _char_error(text, i, m.end())
        return Token("name", word, i, m.end())
    if text[i:i + 2] in ("<>", "<=", ">="):
        return Token(text[i:i + 2], text[i:i + 2], i, i + 2)
    if c in _PUNCT:
        return Token(c, c, i, i + 1)
    raise _char_error(text, i, i + 1)


def _tokenize(text: str) -> List[Token]:
    return tokenize(text, _next_token, "<EOF>")


def _char_error(text: str, start: int, end: int) -> ExpressionError:
    near = text[max(0, start - 8):end + 8].strip()
    return ExpressionError(f'Syntax error; token: "{text[start:end]}", near: "{near}"', start, end)


def _key(node: object) -> object:
    """Structural identity ignoring spans (to compare paths)."""
    if isinstance(node, Path):
        return tuple(_key(e) for e in node.elements)
    return (type(node).__name__, getattr(node, "text", getattr(node, "value", None)))


def _path_str(path: Path) -> str:
    return "[" + ", ".join(f"[{e.value}]" if isinstance(e, Index) else e.text
                           for e in path.elements) + "]"


class _Parser(TokenParser):
    WORD = "name"

    def __init__(self, text: str, mode: str) -> None:
        self.mode = mode  # condition | key | update | projection
        if not text.strip():
            raise ExpressionError("The expression can not be empty;", 0, len(text))
        super().__init__(text, _tokenize(text))
        self.groups: Dict[int, int] = {}  # token index of '(' -> index of its ')'
        self.keywords = (frozenset(_CLAUSES) if mode == "update" else
                         frozenset() if mode == "projection" else _CONDITION_KEYWORDS)

    # --- token helpers (the others: lexer.TokenParser) ------------------------
    def expect(self, kind: str) -> Token:
        if not self.at(kind):
            self.fail()
        return self.take()

    def fail(self, message: Optional[str] = None, span: Optional[Span] = None) -> NoReturn:
        t = self.peek()
        if message is None:
            lo, hi = self.toks[max(self.i - 1, 0)], self.toks[min(self.i + 1, len(self.toks) - 2)]
            near = self.text[min(lo.start, t.start):max(hi.end, t.end)]
            message = f'Syntax error; token: "{t.text}", near: "{near}"'
        raise ExpressionError(message, *(span or (t.start, t.end)))

    def leaf(self, cls):
        t = self.take()
        return cls(t.text, (t.start, t.end))

    def finish(self, node):
        if not self.at("eof"):
            self.fail()
        return node

    def key_forbid(self, what: str, span: Span) -> None:
        if self.mode == "key":
            self.fail(f"Invalid operator used in KeyConditionExpression: {what}", span)

    # --- paths -------------------------------------------------------------------
    def path(self) -> Path:
        elems = [self.path_element()]
        while self.at(".", "["):
            if self.take().kind == ".":
                elems.append(self.path_element())
            else:
                start = self.toks[self.i - 1].start
                num = self.expect("num")
                elems.append(Index(int(num.text), (start, self.expect("]").end)))
        return Path(tuple(elems), (elems[0].span[0], elems[-1].span[1]))

    def path_element(self) -> Union[Name, Placeholder]:
        if self.at("#"):
            return self.leaf(Placeholder)
        if self.at("name") and self.peek().text.upper() not in self.keywords:
            return self.leaf(Name)
        self.fail()

    def at_call(self) -> bool:
        return (self.at("name") and self.peek(1).kind == "("
                and self.peek().text.upper() not in self.keywords)

    def call(self, table: Dict[str, Tuple[str, ...]], arg_parser) -> Function:
        name = self.take()
        if name.text not in table:  # names are case-sensitive: SIZE(a) is unknown
            self.fail(f"Invalid function name; function: {name.text}", (name.start, name.end))
        if name.text not in _KEY_FUNCS:
            self.key_forbid(name.text, (name.start, name.end))
        self.take()  # '('
        args = self.comma_list(arg_parser)
        fn = Function(name.text, tuple(args), (name.start, self.expect(")").end))
        kinds = table[fn.name]
        if len(args) != len(kinds):
            self.fail("Incorrect number of operands for operator or function; operator or "
                      f"function: {fn.name}, number of operands: {len(args)}", fn.span)
        for kind, arg in zip(kinds, args):
            if kind == "path" and not isinstance(arg, Path):
                self.fail("Operator or function requires a document path; operator or "
                          f"function: {fn.name}", arg.span)
            if kind == "value" and not isinstance(arg, ValueRef):
                self.fail("Incorrect operand type for operator or function; operator or "
                          f"function: {fn.name}, operand type: path", arg.span)
        if len(args) == 2:
            self.check_distinct(fn.name, args[0], args[1], fn.span)
        return fn

    def check_distinct(self, op: str, first, other, span: Span) -> None:
        # DynamoDB rejects `a = a`, `begins_with(a, a)`: the result would be constant.
        if isinstance(first, Path) and _key(first) == _key(other):
            self.fail("The first operand must be distinct from the remaining operands for this "
                      f"operator or function; operator: {op}, first operand: {_path_str(first)}",
                      span)

    # --- conditions ----------------------------------------------------------------
    def condition(self):
        left = self.conjunction()
        while self.at_word("OR"):
            self.key_forbid("OR", (self.peek().start, self.peek().end))
            self.take()
            right = self.conjunction()
            left = Or(left, right, (left.span[0], right.span[1]))
        return left

    def conjunction(self):
        left = self.negation()
        while self.at_word("AND"):
            self.take()
            right = self.negation()
            left = And(left, right, (left.span[0], right.span[1]))
        return left

    def negation(self):
        if not self.at_word("NOT"):
            return self.primary()
        t = self.take()
        self.key_forbid("NOT", (t.start, t.end))
        operand = self.primary()  # NOT binds to one primary; `NOT NOT x` is a syntax error
        return Not(operand, (t.start, operand.span[1]))

    def primary(self):
        if self.at("("):
            open_i = self.i
            self.take()
            inner = self.condition()
            self.expect(")")
            self.groups[open_i] = self.i - 1
            if self.groups.get(open_i + 1) == self.i - 2:  # '((' ... '))'
                self.fail("The expression has redundant parentheses;",
                          (self.toks[open_i].start, self.toks[self.i - 1].end))
            return inner
        if self.at_call():
            fn = self.call(_CONDITION_FUNCS, self.function_arg)
            if fn.name != "size":
                if self.at(*_COMPARATORS) or self.at_word("BETWEEN") or self.at_word("IN"):
                    self.misused(fn)
                return fn
            left = fn
        else:
            left = self.operand()
        t = self.peek()
        if t.kind in _COMPARATORS:
            self.take()
            if t.kind == "<>":
                self.key_forbid("<>", (t.start, t.end))
            right = self.operand()
            self.check_distinct(t.kind, left, right, (left.span[0], right.span[1]))
            return Comparison(t.kind, left, right, (left.span[0], right.span[1]))
        if self.at_word("BETWEEN"):
            self.take()
            low = self.operand()
            if not self.at_word("AND"):
                self.fail()
            self.take()
            high = self.operand()
            return Between(left, low, high, (left.span[0], high.span[1]))
        if self.at_word("IN"):
            self.key_forbid("IN", (t.start, t.end))
            self.take()
            self.expect("(")
            choices = self.comma_list(self.operand)
            end = self.expect(")").end
            if len(choices) > _MAX_IN:
                self.fail("The IN operator is provided with too many operands; number of "
                          f"operands: {len(choices)}", (t.start, end))
            return In(left, tuple(choices), (left.span[0], end))
        if isinstance(left, Function):  # size(a) alone is a number, not a condition
            self.misused(left)
        self.fail()

    def misused(self, fn: Function) -> NoReturn:
        self.fail("The function is not allowed to be used this way in an expression; "
                  f"function: {fn.name}", fn.span)

    def operand(self):
        """A comparison operand: path, ':v' or size(path)."""
        if self.at(":"):
            return self.leaf(ValueRef)
        if self.at_call():
            fn = self.call(_CONDITION_FUNCS, self.function_arg)
            if fn.name != "size":
                self.misused(fn)
            return fn
        return self.path()

    def function_arg(self):
        if self.at_call():  # functions do not nest in conditions
            self.misused(self.call(_CONDITION_FUNCS, self.function_arg))
        return self.operand()

    # --- updates ---------------------------------------------------------------------
    def update(self) -> UpdateExpression:
        actions: List[UpdateAction] = []
        seen, start = set(), self.peek().start
        while not self.at("eof"):
            t = self.peek()
            clause = t.text.upper()
            if t.kind != "name" or clause not in _CLAUSES:
                self.fail()
            if clause in seen:
                self.fail(f'The "{clause}" section can only be used once in an update '
                          "expression;", (t.start, t.end))
            seen.add(clause)
            self.take()
            actions += self.comma_list(lambda: self.update_action(clause))
        self.check_overlaps(actions)
        return UpdateExpression(tuple(actions), (start, actions[-1].span[1]))

    def update_action(self, clause: str) -> UpdateAction:
        path = self.path()
        value = None
        if clause == "SET":
            self.expect("=")
            value = self.set_value()
        elif clause in ("ADD", "DELETE"):
            if not self.at(":"):  # moto and dynalite both require a value placeholder here
                self.fail()
            value = self.leaf(ValueRef)
        end = value.span[1] if value is not None else path.span[1]
        return UpdateAction(clause, path, value, (path.span[0], end))

    def set_value(self):
        # One pair of parentheses may wrap the whole value: `SET a = (a - :one)`.
        if self.at("("):
            save = self.i
            try:
                self.take()
                value = self.arithmetic()
                self.expect(")")
            except ExpressionError:
                value = None
            # `(a - :b) + :c` fails at the '+' after we return; `(a) + :b` is an operand in parentheses.
            if value is not None and (isinstance(value, Arithmetic) or not self.at("+", "-")):
                return value
            self.i = save
        return self.arithmetic()

    def arithmetic(self):
        left = self.set_operand()
        if not self.at("+", "-"):
            return left
        op = self.take().kind
        right = self.set_operand()  # no chaining: `a + b + c` is a syntax error in DynamoDB
        return Arithmetic(op, left, right, (left.span[0], right.span[1]))

    def set_operand(self):
        if self.at("("):  # one pair of parentheses around an operand: `(a) + :b`
            self.take()
            inner = self.set_atom()
            self.expect(")")
            return inner
        return self.set_atom()

    def set_atom(self):
        if self.at(":"):
            return self.leaf(ValueRef)
        if self.at_call():
            return self.call(_UPDATE_FUNCS, self.set_operand)
        return self.path()

    def check_overlaps(self, actions: List[UpdateAction]) -> None:
        # Placeholders compare by their own text: '#a' and 'a' may or may not be the same
        # attribute, which only ExpressionAttributeNames can tell.
        for i, first in enumerate(actions):
            for second in actions[i + 1:]:
                a, b = _key(first.path), _key(second.path)
                for x, y in zip(a, b):
                    if (x[0] == "Index") != (y[0] == "Index"):
                        self.fail("Two document paths conflict with each other; must remove or "
                                  f"rewrite one of these paths; path one: {_path_str(first.path)}, "
                                  f"path two: {_path_str(second.path)}", second.path.span)
                    if x != y:
                        break
                else:
                    self.fail("Two document paths overlap with each other; must remove or "
                              f"rewrite one of these paths; path one: {_path_str(first.path)}, "
                              f"path two: {_path_str(second.path)}", second.path.span)

    # --- projections ---------------------------------------------------------------------
    def projection(self) -> Projection:
        paths = self.comma_list(self.path)
        return Projection(tuple(paths), (paths[0].span[0], paths[-1].span[1]))


def _parse(text: str, mode: str, rule: str):
    parser = _Parser(text, mode)
    try:
        return parser.finish(getattr(parser, rule)())
    except RecursionError:  # `NOT (NOT (NOT (...` a thousand deep: a linter must not crash
        raise ExpressionError("The expression is nested too deeply", 0, len(text)) from None


def parse_condition(text: str):
    """Parse a ConditionExpression or FilterExpression."""
    return _parse(text, "condition", "condition")


def parse_key_condition(text: str):
    """Parse a KeyConditionExpression: the condition grammar without OR, NOT, IN, <> and
    functions other than begins_with. The number of key conditions is not checked."""
    return _parse(text, "key", "condition")


def parse_update(text: str) -> UpdateExpression:
    return _parse(text, "update", "update")


def parse_projection(text: str) -> Projection:
    return _parse(text, "projection", "projection")


def walk(node) -> Iterator[Node]:
    """Every node of a tree, pre-order, children in field (= text) order."""
    yield node
    if isinstance(node, Literal):
        return
    for f in fields(node):
        value = getattr(node, f.name)
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, _NODE_TYPES):
                yield from walk(child)


def placeholders(node) -> Tuple[List[Placeholder], List[ValueRef]]:
    """Every '#name' and ':value' occurrence in a tree, in text order."""
    nodes = sorted((n for n in walk(node) if isinstance(n, (Placeholder, ValueRef))),
                   key=lambda n: n.span[0])  # stable: spanless (0, 0) trees keep walk order
    return ([n for n in nodes if isinstance(n, Placeholder)],
            [n for n in nodes if isinstance(n, ValueRef)])
