"""The renderings of `ddblint map`: one module per format, found as `ddblint.report` finds its
(every public module of this package is a format, listed by its `ORDER`).

A format module has `render(topology) -> str`. The formats that draw a graph (`mermaid`, `dot`,
`html`) share its nodes and edges through `_graph.py`; `json` is the documented data
(docs/map.md), which `html` embeds.
"""
from __future__ import annotations

import importlib
import re
import pkgutil
from functools import lru_cache
from types import ModuleType
from typing import Dict, Tuple


@lru_cache(maxsize=None)
def _modules() -> Dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            found[info.name] = importlib.import_module(f"{__name__}.{info.name}")
    return dict(sorted(found.items(), key=lambda item: item[1].ORDER))


def formats() -> Tuple[str, ...]:
    """Every format's name, in listing order (`text` first: the default)."""
    return tuple(_modules())


def render(fmt: str, topology) -> str:
    return _modules()[fmt].render(topology)


# C0 and C1 controls but tab, Unicode line and paragraph separators, bidirectional overrides
# (SECURITY.md: a file name must not forge lines or recolour a terminal)
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with control characters written as Python escapes (`\\n`, `\\x1b`, `\\u202e`)."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)
