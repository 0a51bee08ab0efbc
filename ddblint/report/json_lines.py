"""The JSON objects one per line, for streaming consumers."""
import json

from ddblint.report.json import as_dict

ORDER = 3
NEEDS_EDITS = True


def render(diagnostics, sources) -> str:
    return "".join(json.dumps(as_dict(d)) + "\n" for d in diagnostics)
