"""Output formats: one module per format, each with `render(diagnostics, sources) -> str`.

`sources` maps a diagnostic's filename to the file's text (for the `full` format's snippets, and
the fingerprints of `sarif` and `gitlab`, which read the file from disk when it is missing:
`NEEDS_SOURCES` names the formats that want it). A format may accept keyword options too;
`render` passes each module only the options its `render` names (`sarif` takes `rules=`, the
codes that ran, to list them in the log even when they found nothing).
"""
from __future__ import annotations

import importlib
import inspect

FORMATS = ("full", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit", "pylint")
NEEDS_SOURCES = frozenset({"full", "sarif", "gitlab"})


def render(fmt: str, diagnostics, sources, **options) -> str:
    module = importlib.import_module(f"ddblint.report.{fmt.replace('-', '_')}")
    if options:
        accepted = inspect.signature(module.render).parameters
        options = {key: value for key, value in options.items() if key in accepted}
    return module.render(diagnostics, sources, **options)
