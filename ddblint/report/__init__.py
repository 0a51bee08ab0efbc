"""Output formats: one module per format, found as the registry finds rules (every public
module of this package is a format; `json_lines.py` is `json-lines`).

A format module has `render(diagnostics, sources) -> str` and declares, as module attributes,
what it needs and what it is, so that no other module keeps a list of formats:

* `ORDER`: where it is listed (`--output-format` choices, error messages);
* `NEEDS_SOURCES = True`: `sources` should map each diagnostic's filename to the file's text
  (the `full` format's snippets, the fingerprints of `sarif` and `gitlab`, which read the file
  from disk when it is missing);
* `NEEDS_EDITS = True`: the fixes' edits are part of the output, not only their titles;
* `PLAIN_TEXT = True`: printed as plain lines, where a newline or an escape sequence in a file
  name or a message would forge lines or recolour a terminal (the CLI escapes them).

A format may accept keyword options too; `render` passes each module only the options its
`render` names (`sarif` takes `rules=`, the codes that ran, to list them in the log even when
they found nothing).
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache
from types import ModuleType
from typing import Dict, Tuple

NEEDS = ("sources", "edits")


@lru_cache(maxsize=None)
def _modules() -> Dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            found[info.name.replace("_", "-")] = importlib.import_module(f"{__name__}.{info.name}")
    return dict(sorted(found.items(), key=lambda item: item[1].ORDER))


def formats() -> Tuple[str, ...]:
    """Every format's name, in listing order (`full` first: the default)."""
    return tuple(_modules())


def needs(fmt: str, what: str) -> bool:
    """Whether format `fmt` needs `what`: "sources" (the files' text) or "edits" (the fixes' edits)."""
    if what not in NEEDS:
        raise ValueError(f"unknown need {what!r}; one of {', '.join(NEEDS)}")
    module = _modules().get(fmt)
    return bool(getattr(module, f"NEEDS_{what.upper()}", False))


def plain_text(fmt: str) -> bool:
    """Whether format `fmt` prints plain lines (control characters must not reach them)."""
    return bool(getattr(_modules().get(fmt), "PLAIN_TEXT", False))


def render(fmt: str, diagnostics, sources, **options) -> str:
    module = _modules()[fmt]
    if options:
        accepted = inspect.signature(module.render).parameters
        options = {key: value for key, value in options.items() if key in accepted}
    return module.render(diagnostics, sources, **options)
