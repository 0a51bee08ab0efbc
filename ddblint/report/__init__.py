"""Output formats: one module per format, each with `render(diagnostics, sources) -> str`.

`sources` maps a diagnostic's filename to the file's text (for the `full` format's snippets).
"""
from __future__ import annotations

import importlib

FORMATS = ("full", "concise", "json", "json-lines")


def render(fmt: str, diagnostics, sources) -> str:
    module = importlib.import_module(f"ddblint.report.{fmt.replace('-', '_')}")
    return module.render(diagnostics, sources)
