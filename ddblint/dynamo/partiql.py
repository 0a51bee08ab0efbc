"""Tokenizer and recursive-descent parser for the PartiQL subset DynamoDB accepts.

ExecuteStatement, BatchExecuteStatement and ExecuteTransaction take statements of these forms
(grammar from the DynamoDB developer guide's PartiQL reference; research notes
shared/research/dynamodb-facts.md §1.1 and §3 item 18):

    SELECT * | path, ... FROM table[.index] [WHERE condition] [ORDER BY path [ASC|DESC], ...]
    UPDATE table (SET path = value, ... | REMOVE path, ...)... WHERE condition [RETURNING ...]
    DELETE FROM table WHERE condition [RETURNING ALL OLD *]
    INSERT INTO table VALUE {'name': value, ...}
    EXISTS(SELECT ... FROM table WHERE condition)        -- a ConditionCheck, in transactions only

Identifiers are bare words or "double-quoted"; strings are 'single-quoted' ('' escapes a quote);
`?` is a positional parameter; values are numbers, strings, TRUE/FALSE, NULL, MISSING, maps
{'k': v}, lists [v, ...] and sets <<v, ...>>. Conditions use = <> != < <= > >=, AND/OR/NOT,
BETWEEN, IN [...], IS [NOT] MISSING, IS [NOT] NULL, and the functions begins_with, contains,
attribute_type, size (plus attribute_exists/attribute_not_exists, which code writes by analogy
with condition expressions). Keywords and function names are case-insensitive.

The WHERE condition comes out in the tree of `expressions.py` (paths, `?` as `ValueRef("?")`,
constants as `Literal`), so the version-guard decision reads it like a ConditionExpression.
`IS MISSING` becomes `attribute_not_exists(path)` and `IS NOT MISSING` `attribute_exists(path)`.

Statements built with f-strings or concatenation are parsed too: each unknown part stands in
for a sentinel word; an unknown part inside the table name makes the table a `Template` (or
UNKNOWN), inside an attribute name a `Placeholder` (an attribute we cannot name), inside a
string or as a compared value a `Literal(UNKNOWN)`. An unknown part anywhere else (a whole
clause) is a syntax error, and the caller stays silent.

Not a validator: it accepts some statements DynamoDB rejects (the number of `?` against
Parameters, key schema rules). It never raises anything but `PartiQLError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Dict, List, NoReturn, Optional, Sequence, Tuple

from ddblint.dynamo import expressions as ex
from ddblint.dynamo.lexer import Token, TokenParser, tokenize
from ddblint.dynamo.values import UNKNOWN, EnvVar, Template

__all__ = ["MISSING", "PartiQLError", "Statement", "parse", "parse_parts", "parse_value"]


class PartiQLError(Exception):
    def __init__(self, message: str, start: int = 0, end: int = 0) -> None:
        super().__init__(message)
        self.message, self.start, self.end = message, start, end

    def __str__(self) -> str:
        return self.message


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # the PartiQL value MISSING (`SET a = MISSING` removes nothing: it is a value)


@dataclass(frozen=True, eq=False)
class Statement:
    kind: str  # SELECT | UPDATE | DELETE | INSERT | EXISTS
    table: object  # str; Template or UNKNOWN when built from unknown parts
    index: object = None  # SELECT ... FROM "table"."index": str (Template/UNKNOWN when unknown)
    where: Optional[object] = None  # the WHERE condition, an expressions.py tree
    update: Optional[ex.UpdateExpression] = None  # UPDATE: its SET and REMOVE actions
    item: object = None  # INSERT: {name: value node}, or UNKNOWN (`VALUE ?`, an unknown name)
    projection: Optional[Tuple[object, ...]] = None  # SELECT: the paths, None for `*`
    returning: Optional[str] = None  # "ALL OLD *", "MODIFIED NEW *", ...
    parameters: int = 0  # the number of `?`
    text: str = field(default="", repr=False)

    @property
    def set_attributes(self):
        """Top-level attributes an UPDATE SETs (an INSERT: every attribute); UNKNOWN if one is unknown."""
        if self.kind == "INSERT":
            return self.inserted_attributes
        return self._attributes("SET")

    @property
    def removed_attributes(self):
        return self._attributes("REMOVE")

    @property
    def written_attributes(self):
        """Top-level attributes the statement writes (SET, REMOVE, or the INSERTed item)."""
        if self.kind == "INSERT":
            return self.inserted_attributes
        if self.kind != "UPDATE":
            return frozenset()
        changed, removed = self._attributes("SET"), self._attributes("REMOVE")
        if changed is UNKNOWN or removed is UNKNOWN:
            return UNKNOWN
        return changed | removed

    @property
    def inserted_attributes(self):
        if self.kind != "INSERT":
            return frozenset()
        if not isinstance(self.item, dict):
            return UNKNOWN
        return frozenset(self.item)

    def _attributes(self, clause: str):
        if self.update is None:
            return frozenset()
        names = set()
        for action in self.update.actions:
            if action.clause != clause:
                continue
            head = action.path.elements[0]
            if not isinstance(head, ex.Name):
                return UNKNOWN
            names.add(head.text)
        return frozenset(names)

    def condition(self, version_attributes: Sequence[str] = (), key_attributes: Optional[Sequence[str]] = None):
        """The statement's condition: the WHERE without the predicates that only name the item.

        DynamoDB's UPDATE/DELETE (and EXISTS) must pin the full primary key with equalities in
        the WHERE; every other predicate is a condition, checked like a ConditionExpression. With
        `key_attributes` (the registry's partition and sort key) those equalities are known.
        Without, a top-level equality `attr = value` counts as a key predicate unless `attr` is a
        version attribute or one the statement writes (a key cannot be written); when more than
        two such equalities remain they cannot all be key attributes (a key has at most two), so
        all are kept. An INSERT fails when the key exists: its implicit condition is a create.
        None when nothing but the key is left.
        """
        if self.kind == "INSERT":
            first = next(iter(self.item), None) if isinstance(self.item, dict) else None
            head = ex.Name(first) if first is not None else ex.Placeholder("?")
            return ex.Function("attribute_not_exists", (ex.Path((head,)),))
        if self.where is None:
            return None
        conjuncts = _conjuncts(self.where)
        written = self.written_attributes
        keys = []
        for term in conjuncts:
            name = _key_equality(term)
            if name is None or name in version_attributes:
                continue
            if key_attributes:
                if name in key_attributes:
                    keys.append(term)
            elif written is not UNKNOWN and name not in written:
                keys.append(term)
        if not key_attributes and len({_key_equality(t) for t in keys}) > 2:
            keys = []
        rest = [t for t in conjuncts if not any(t is k for k in keys)]
        if not rest:
            return None
        tree = rest[0]
        for term in rest[1:]:
            tree = ex.And(tree, term, (tree.span[0], term.span[1]))
        return tree


def _conjuncts(node) -> List[object]:
    if isinstance(node, ex.And):
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


def _key_equality(term) -> Optional[str]:
    """`attr = value` (either order) on a top-level attribute: the attribute's name."""
    if not isinstance(term, ex.Comparison) or term.op != "=":
        return None
    for path, value in ((term.left, term.right), (term.right, term.left)):
        if isinstance(path, ex.Path) and len(path.elements) == 1 and isinstance(path.elements[0], ex.Name) \
                and isinstance(value, (ex.ValueRef, ex.Literal)):
            return path.elements[0].text
    return None


# --- tokens -------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_PUNCT = ("<<", ">>", "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":",
          "*", "+", "-", "?")


def _next_token(text: str, i: int) -> Token:
    """Kinds: word | qident | string | num | ? | the punctuation itself; a qident's or string's
    text is its content, unescaped."""
    c = text[i]
    if c in "\"'":
        return _quoted(text, i)
    m = _WORD.match(text, i)
    if m:
        return Token("word", m.group(), i, m.end())
    m = _NUMBER.match(text, i)
    if m:
        if _WORD.match(text, m.end()):
            raise PartiQLError(f'unexpected "{text[i:_WORD.match(text, m.end()).end()]}"', i, m.end())
        return Token("num", m.group(), i, m.end())
    for punct in _PUNCT:
        if text.startswith(punct, i):
            return Token(punct, punct, i, i + len(punct))
    raise PartiQLError(f'unexpected character "{c}"', i, i + 1)


def _quoted(text: str, i: int) -> Token:
    c = text[i]
    j, content = i + 1, []
    while True:
        k = text.find(c, j)
        if k < 0:
            what = "quoted identifier" if c == '"' else "string"
            raise PartiQLError(f"unterminated {what}", i, len(text))
        content.append(text[j:k])
        if not text.startswith(c, k + 1):
            return Token("qident" if c == '"' else "string", "".join(content), i, k + 1)
        content.append(c)  # '' or "" escapes the quote
        j = k + 2


def _tokenize(text: str) -> List[Token]:
    return tokenize(text, _next_token, "end of statement")


# Words that end a path or an operand: never a bare attribute name.
_RESERVED = frozenset("""SELECT FROM WHERE UPDATE SET REMOVE DELETE INSERT INTO VALUE AND OR NOT BETWEEN
                      IN IS RETURNING ORDER BY EXISTS""".split())
_COMPARATORS = ("=", "<>", "!=", "<", "<=", ">", ">=")
_CONSTANTS = {"TRUE": True, "FALSE": False, "NULL": None, "MISSING": MISSING}
# Functions that are a condition on their own (the others, size(), are operands).
_PREDICATES = frozenset({"begins_with", "contains", "attribute_type", "attribute_exists", "attribute_not_exists"})
_SENTINEL = "__ddblint_part_{}__"
_SENTINEL_RE = re.compile(r"__ddblint_part_(\d+)__")


class _Parser(TokenParser):
    def __init__(self, text: str, unknown_parts: bool = False) -> None:
        super().__init__(text, _tokenize(text))
        self.unknown_parts = unknown_parts  # the text holds sentinels for unknown parts
        self.parameters = 0

    # --- token helpers (the others: lexer.TokenParser) ---------------------------------------
    def expect(self, kind: str) -> Token:
        if not self.at(kind):
            self.fail(f'expected "{kind}"')
        return self.take()

    def expect_word(self, word: str) -> Token:
        if not self.at_word(word):
            self.fail(f"expected {word}")
        return self.take()

    def fail(self, message: str, tok: Optional[Token] = None) -> NoReturn:
        t = tok or self.peek()
        shown = t.text if t.kind not in ("qident", "string") else self.text[t.start:t.end]
        raise PartiQLError(f'{message}, found "{shown}"' if t.kind != "eof" else f"{message} at the end",
                           t.start, t.end)

    def has_unknown(self, text: str) -> bool:
        return self.unknown_parts and _SENTINEL_RE.search(text) is not None

    # --- statements ---------------------------------------------------------------------------
    def statement(self) -> Statement:
        if self.at_word("SELECT"):
            statement = self.select()
        elif self.at_word("UPDATE"):
            statement = self.update()
        elif self.at_word("DELETE"):
            statement = self.delete()
        elif self.at_word("INSERT"):
            statement = self.insert()
        elif self.at_word("EXISTS"):
            self.take()
            self.expect("(")
            inner = self.select()
            self.expect(")")
            statement = Statement("EXISTS", inner.table, inner.index, inner.where, projection=inner.projection)
        else:
            self.fail("expected SELECT, UPDATE, DELETE, INSERT or EXISTS")
        if not self.at("eof"):
            self.fail("unexpected text after the statement")
        return Statement(statement.kind, statement.table, statement.index, statement.where, statement.update,
                         statement.item, statement.projection, statement.returning, self.parameters, self.text)

    def select(self) -> Statement:
        self.expect_word("SELECT")
        projection = None
        if self.at("*"):
            self.take()
        else:
            projection = tuple(self.comma_list(self.operand))
        self.expect_word("FROM")
        table = self.identifier("a table name")
        index = None
        if self.at("."):
            self.take()
            index = self.identifier("an index name")
        where = None
        if self.at_word("WHERE"):
            self.take()
            where = self.condition()
        if self.at_word("ORDER"):
            self.take()
            self.expect_word("BY")
            self.comma_list(self.order_item)
        return Statement("SELECT", table, index, where, projection=projection)

    def order_item(self):
        path = self.path()
        if self.at_word("ASC", "DESC"):
            self.take()
        return path

    def update(self) -> Statement:
        self.expect_word("UPDATE")
        table = self.identifier("a table name")
        actions: List[ex.UpdateAction] = []
        while self.at_word("SET", "REMOVE"):
            clause = self.take().text.upper()
            actions += self.comma_list(lambda: self.update_action(clause))
        if not actions:
            self.fail("expected SET or REMOVE")
        self.expect_word("WHERE")
        where = self.condition()
        returning = self.returning()
        update = ex.UpdateExpression(tuple(actions), (actions[0].span[0], actions[-1].span[1]))
        return Statement("UPDATE", table, where=where, update=update, returning=returning)

    def update_action(self, clause: str) -> ex.UpdateAction:
        path = self.path()
        if clause == "REMOVE":
            return ex.UpdateAction("REMOVE", path, None, path.span)
        self.expect("=")
        value = self.additive()
        return ex.UpdateAction("SET", path, value, (path.span[0], value.span[1]))

    def delete(self) -> Statement:
        self.expect_word("DELETE")
        self.expect_word("FROM")
        table = self.identifier("a table name")
        self.expect_word("WHERE")
        where = self.condition()
        return Statement("DELETE", table, where=where, returning=self.returning())

    def insert(self) -> Statement:
        self.expect_word("INSERT")
        self.expect_word("INTO")
        table = self.identifier("a table name")
        self.expect_word("VALUE")
        if self.at("?"):
            self.parameter()
            item = UNKNOWN
        elif self.at("{"):
            item = self.map_entries()
            if any(self.has_unknown(name) for name in item):
                item = UNKNOWN
        else:
            self.fail("expected {...} or ? after VALUE")
        return Statement("INSERT", table, item=item)

    def returning(self) -> Optional[str]:
        if not self.at_word("RETURNING"):
            return None
        self.take()
        if not self.at_word("ALL", "MODIFIED") or not self.at_word("OLD", "NEW", ahead=1):
            self.fail("expected ALL OLD, MODIFIED OLD, ALL NEW or MODIFIED NEW")
        words = f"{self.take().text.upper()} {self.take().text.upper()}"
        self.expect("*")
        return f"{words} *"

    # --- names and paths ----------------------------------------------------------------------
    def identifier(self, what: str) -> str:
        t = self.peek()
        if t.kind == "qident" or (t.kind == "word" and t.text.upper() not in _RESERVED):
            self.take()
            return t.text
        self.fail(f"expected {what}")

    def path(self) -> ex.Path:
        start = self.peek().start
        elements = [self.path_element(self.identifier("an attribute name"), start)]
        while self.at(".", "["):
            t = self.take()
            if t.kind == ".":
                name_start = self.peek().start
                if self.at("word", "qident"):  # after a dot any word is a name: a.value, a."order"
                    elements.append(self.path_element(self.take().text, name_start))
                else:
                    self.fail("expected an attribute name")
            elif self.at("num"):
                number = self.take()
                if not number.text.isdigit():
                    self.fail("expected a list index", number)
                elements.append(ex.Index(int(number.text), (t.start, self.expect("]").end)))
            elif self.at("string"):  # a['b'] is a.b
                name = self.take()
                self.expect("]")
                elements.append(self.path_element(name.text, name.start))
            elif self.at("?"):  # a[?]: an element we cannot name
                self.parameter()
                elements.append(ex.Placeholder("?", (t.start, self.expect("]").end)))
            else:
                self.fail("expected a list index or a quoted name")
        return ex.Path(tuple(elements), (start, self.toks[self.i - 1].end))

    def path_element(self, text: str, start: int):
        end = self.toks[self.i - 1].end
        if self.has_unknown(text):
            return ex.Placeholder(text, (start, end))  # an attribute name the code computes
        return ex.Name(text, (start, end))

    # --- conditions -----------------------------------------------------------------------------
    def condition(self):
        left = self.conjunction()
        while self.at_word("OR"):
            self.take()
            right = self.conjunction()
            left = ex.Or(left, right, (left.span[0], right.span[1]))
        return left

    def conjunction(self):
        left = self.negation()
        while self.at_word("AND"):
            self.take()
            right = self.negation()
            left = ex.And(left, right, (left.span[0], right.span[1]))
        return left

    def negation(self):
        if not self.at_word("NOT"):
            return self.predicate()
        t = self.take()
        operand = self.negation()
        return ex.Not(operand, (t.start, operand.span[1]))

    def predicate(self):
        if self.at("("):  # a parenthesised condition, unless it is an operand: (a + ?) = b
            save, parameters = self.i, self.parameters
            try:
                self.take()
                inner = self.condition()
                self.expect(")")
                if not (self.at(*_COMPARATORS) or self.at_word("BETWEEN", "IN", "IS", "NOT")):
                    return inner
            except PartiQLError:
                pass
            self.i, self.parameters = save, parameters
        left = self.additive()
        t = self.peek()
        if t.kind in _COMPARATORS:
            self.take()
            right = self.additive()
            left, right = _compared(left, right)
            return ex.Comparison("<>" if t.kind == "!=" else t.kind, left, right, (left.span[0], right.span[1]))
        negated = None
        if self.at_word("NOT") and self.at_word("BETWEEN", "IN", ahead=1):
            negated = self.take()
        if self.at_word("BETWEEN"):
            self.take()
            low = self.additive()
            self.expect_word("AND")
            high = self.additive()
            _, low = _compared(left, low)
            _, high = _compared(left, high)
            node = ex.Between(left, low, high, (left.span[0], high.span[1]))
        elif self.at_word("IN"):
            self.take()
            close = {"[": "]", "(": ")"}.get(self.peek().kind)
            if close is None:
                self.fail('expected "[" after IN')
            self.take()
            choices = [_compared(left, c)[1] for c in self.comma_list(self.additive)]
            end = self.expect(close).end
            node = ex.In(left, tuple(choices), (left.span[0], end))
        elif self.at_word("IS"):
            self.take()
            negated = self.take() if self.at_word("NOT") else None
            if self.at_word("MISSING"):
                name = "attribute_exists" if negated else "attribute_not_exists"
                return ex.Function(name, (left,), (left.span[0], self.take().end))
            if self.at_word("NULL"):
                end = self.take().end
                node = ex.Function("attribute_type", (left, ex.Literal("NULL")), (left.span[0], end))
            else:
                self.fail("expected MISSING or NULL after IS")
        elif isinstance(left, ex.Function) and left.name in _PREDICATES:
            return left
        else:
            self.fail("expected a comparison")
        if negated is not None:
            return ex.Not(node, (negated.start, node.span[1]))
        return node

    def additive(self):
        left = self.operand()
        while self.at("+", "-"):
            op = self.take().kind
            right = self.operand()
            left = ex.Arithmetic(op, left, right, (left.span[0], right.span[1]))
        return left

    def operand(self):
        t = self.peek()
        if t.kind == "?":
            return self.parameter()
        if t.kind == "string":
            self.take()
            value = UNKNOWN if self.has_unknown(t.text) else t.text
            return ex.Literal(value, (t.start, t.end))
        if t.kind == "num" or (t.kind == "-" and self.peek(1).kind == "num"):
            sign = -1 if self.take().kind == "-" else 1
            number = self.take() if sign < 0 else t
            return ex.Literal(sign * _number(number.text), (t.start, number.end))
        if t.kind == "{":
            start = t.start
            entries = self.map_entries()
            return ex.Literal(entries, (start, self.toks[self.i - 1].end))
        if t.kind in ("[", "<<"):
            self.take()
            close = "]" if t.kind == "[" else ">>"
            items = [] if self.at(close) else self.comma_list(self.additive)
            end = self.expect(close).end
            return ex.Literal(items if close == "]" else tuple(items), (t.start, end))
        if t.kind == "(":
            self.take()
            inner = self.additive()
            self.expect(")")
            return inner
        if t.kind == "word" and t.text.upper() in _CONSTANTS and self.peek(1).kind != "(":
            self.take()
            return ex.Literal(_CONSTANTS[t.text.upper()], (t.start, t.end))
        if t.kind == "word" and self.peek(1).kind == "(" and t.text.upper() not in _RESERVED:
            return self.function()
        return self.path()

    def function(self) -> ex.Function:
        name = self.take()
        self.take()  # '('
        args = [] if self.at(")") else self.comma_list(self.additive)
        end = self.expect(")").end
        return ex.Function(name.text.lower(), tuple(args), (name.start, end))

    def parameter(self) -> ex.ValueRef:
        t = self.expect("?")
        self.parameters += 1
        return ex.ValueRef("?", (t.start, t.end))

    def map_entries(self) -> Dict[str, object]:
        self.expect("{")
        entries: Dict[str, object] = {}
        while not self.at("}"):
            if entries:
                self.expect(",")
            key = self.peek()
            if key.kind not in ("string", "qident"):
                self.fail("expected a quoted attribute name")
            self.take()
            self.expect(":")
            entries[key.text] = self.additive()
        self.expect("}")
        return entries


def _number(text: str):
    return int(text) if text.isdigit() else Decimal(text)


def _compared(left, right):
    """In `attr = {x}`, an unknown part standing alone as an operand is a value, not an attribute."""
    def unknown_word(node) -> bool:
        return isinstance(node, ex.Path) and len(node.elements) == 1 and \
            isinstance(node.elements[0], ex.Placeholder) and _SENTINEL_RE.fullmatch(node.elements[0].text) is not None

    if isinstance(left, ex.Path) and not unknown_word(left) and unknown_word(right):
        right = ex.Literal(UNKNOWN, right.span)
    elif isinstance(right, ex.Path) and not unknown_word(right) and unknown_word(left):
        left = ex.Literal(UNKNOWN, left.span)
    return left, right


def _parse(text: str, unknown_parts: bool) -> Statement:
    try:
        return _Parser(text, unknown_parts).statement()
    except RecursionError:  # `NOT NOT NOT ...` a thousand deep: a linter must not crash
        raise PartiQLError("the statement is nested too deeply", 0, len(text)) from None


def parse(text: str) -> Statement:
    """Parse one statement; PartiQLError when it is not DynamoDB PartiQL we understand."""
    if not isinstance(text, str):
        raise PartiQLError("the statement is not a string")
    return _parse(text, False)


def parse_parts(parts: Sequence[object]) -> Statement:
    """Parse a statement known in parts: strings, and values the code computes (anything else).

    A table (or index) name made only of one computed part is that part when it is a name value
    (a str, an `EnvVar`, a `Template`); otherwise it is a `Template` of the known text around
    UNKNOWN, or UNKNOWN when no text of it is known.
    """
    text, unknown = [], []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
        else:
            text.append(_SENTINEL.format(len(unknown)))
            unknown.append(part)
    statement = _parse("".join(text), bool(unknown))
    if not unknown:
        return statement
    table = _name(statement.table, unknown)
    index = _name(statement.index, unknown) if statement.index is not None else None
    return Statement(statement.kind, table, index, statement.where, statement.update, statement.item,
                     statement.projection, statement.returning, statement.parameters, statement.text)


def parse_value(value) -> Statement:
    """Parse the value of a `Statement` argument: a str, or a Template (an f-string, a concatenation)."""
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, Template):
        return parse_parts(value.parts)
    raise PartiQLError("the statement is not known statically")


def _name(text: str, unknown: List[object]):
    pieces: List[object] = []
    position = 0
    for match in _SENTINEL_RE.finditer(text):
        if match.start() > position:
            pieces.append(text[position:match.start()])
        pieces.append(unknown[int(match.group(1))])
        position = match.end()
    if position < len(text):
        pieces.append(text[position:])
    if len(pieces) == 1 and not isinstance(pieces[0], str):
        value = pieces[0]  # a name value of its own (`"{TABLE}"`): keep it whole
        return value if isinstance(value, (EnvVar, Template)) else UNKNOWN
    if all(isinstance(p, str) for p in pieces):
        return "".join(pieces)
    merged: List[object] = []
    for piece in pieces:
        piece = piece if isinstance(piece, str) else UNKNOWN
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif not (piece is UNKNOWN and merged and merged[-1] is UNKNOWN):
            merged.append(piece)
    return Template(tuple(merged))
