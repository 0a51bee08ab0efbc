"""LibCST is imported when a file needs it, not when ddblint starts.

Importing LibCST builds some 300 dataclasses, about 0.2 s: more than the rest of a run that
settles every file by the prefilter or the cache (pre-commit on a change that touches no
DynamoDB code, a warm run). `defer("libcst")` puts a stand-in module in `sys.modules`: every
`import libcst as cst` then binds the stand-in, and the first attribute it lacks (`cst.Name`,
`cst.parse_module`, a submodule's import) imports LibCST and copies its names into it. So the
modules that use LibCST keep their plain top-level import; what they must not do is touch a
LibCST name while they are imported (a base class, a table of node types): tests/test_lazy.py
checks that a run that parses nothing never imports it.

(importlib.util.LazyLoader does not serve here: on Python < 3.12 every later `import libcst`
reads the module's `__spec__`, which loads it.)
"""
from __future__ import annotations

import importlib
import sys
import threading
import types

_LOCK = threading.Lock()  # the language server lints in a thread of its own


class _Deferred(types.ModuleType):
    """Stands in `sys.modules` for a module not imported yet."""

    def __getattr__(self, name: str):
        return getattr(load(self.__name__), name)


def defer(name: str) -> None:
    """Import module `name` on the first use of one of its names (nothing when it is imported already)."""
    if name not in sys.modules:
        sys.modules[name] = _Deferred(name)


def load(name: str) -> types.ModuleType:
    """Module `name`, imported now if it was deferred (a process about to fork workers that
    will all need it imports it once, before)."""
    with _LOCK:
        module = sys.modules.get(name)
        if isinstance(module, _Deferred):
            stand_in = module
            del sys.modules[name]
            try:
                module = importlib.import_module(name)
            except BaseException:
                sys.modules[name] = stand_in
                raise
            # the names it has now; one set on it later (a submodule imported since) is looked
            # up through `_Deferred.__getattr__`, which finds the module in `sys.modules`
            stand_in.__dict__.update(module.__dict__)
        elif module is None:
            module = importlib.import_module(name)
    return module


def loaded(name: str) -> bool:
    """Whether module `name` has been imported (not only deferred)."""
    return name in sys.modules and not isinstance(sys.modules[name], _Deferred)
