"""DynamoDB's reserved words: attribute names an expression cannot use bare.

The list ships as package data (`ddblint/data/reserved_words.txt`, 573 words from the DynamoDB
Developer Guide's ReservedWords page, the same list moto uses) and is read once. DynamoDB
compares without regard to case: `Status`, `status` and `STATUS` are all rejected.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import FrozenSet, List

from ddblint.dynamo import expressions as ex


@lru_cache(maxsize=None)
def reserved_words() -> FrozenSet[str]:
    """Every reserved word, upper case."""
    text = resources.files("ddblint").joinpath("data/reserved_words.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().upper() for line in text.splitlines()
                     if line.strip() and not line.lstrip().startswith("#"))


def is_reserved(name: str) -> bool:
    return name.upper() in reserved_words()


def bare_names(tree) -> List[ex.Name]:
    """The attribute names an expression tree writes bare (not as a `#placeholder`), in the order
    they stand; each has `text` and `span` (offsets into the expression)."""
    return [node for node in ex.walk(tree) if isinstance(node, ex.Name)]
