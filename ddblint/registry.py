"""Finds the rules: every `Rule` subclass in the modules of the `ddblint.rules` package.

Adding a rule is adding one module there; nothing else needs to know about it.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Dict, Type

import ddblint.rules as rules_package
from ddblint.rule import Rule


@lru_cache(maxsize=None)
def all_rules() -> Dict[str, Type[Rule]]:
    found: Dict[str, Type[Rule]] = {}
    for info in sorted(pkgutil.iter_modules(rules_package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule \
                    and value.__module__ == module.__name__:
                if value.code in found:
                    raise RuntimeError(f"two rules claim {value.code}: {found[value.code]} and {value}")
                found[value.code] = value
    return dict(sorted(found.items()))


def defaults() -> Dict[str, bool]:
    """code -> on by default; what configuration selection works from."""
    return {code: rule.default for code, rule in all_rules().items()}
