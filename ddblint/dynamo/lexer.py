"""The lexer and parser skeleton shared by the DynamoDB expression parser (expressions.py) and the
PartiQL parser (partiql.py).

Both grammars read a string as a list of tokens separated by blanks, ending in an `eof` token, and
are parsed by recursive descent over that list. What a token is (words, placeholders, quoted
strings, numbers, punctuation) and how an error is worded differ between them, so each grammar
gives its own `next_token` and its own `fail`; the loop, the token and the moves over the list are
here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List

SPACE = " \t\r\n"


@dataclass(frozen=True)
class Token:
    kind: str  # a kind of the grammar ('name', 'word', 'num', ...), 'eof', or the punctuation itself
    text: str
    start: int
    end: int


def tokenize(text: str, next_token: Callable[[str, int], Token], eof_text: str) -> List[Token]:
    """The tokens of `text`: blanks are skipped, `next_token(text, i)` reads the token starting at
    `i` (or raises the grammar's error), and an `eof` token (shown as `eof_text`) ends the list."""
    tokens: List[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in SPACE:
            i += 1
            continue
        token = next_token(text, i)
        tokens.append(token)
        i = token.end
    tokens.append(Token("eof", eof_text, n, n))
    return tokens


class TokenParser:
    """Moves over a token list for a recursive-descent parser. `WORD` is the grammar's kind of
    bare word (keywords are words, compared case-insensitively)."""

    WORD = "word"

    def __init__(self, text: str, tokens: List[Token]) -> None:
        self.text = text
        self.toks = tokens
        self.i = 0  # the next token

    def peek(self, ahead: int = 0) -> Token:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def at(self, *kinds: str) -> bool:
        return self.peek().kind in kinds

    def at_word(self, *words: str, ahead: int = 0) -> bool:
        """The token is one of these keywords (given in upper case)."""
        t = self.peek(ahead)
        return t.kind == self.WORD and t.text.upper() in words

    def take(self) -> Token:
        t = self.peek()
        self.i += 1
        return t

    def comma_list(self, item: Callable[[], object]) -> list:
        items = [item()]
        while self.at(","):
            self.take()
            items.append(item())
        return items
