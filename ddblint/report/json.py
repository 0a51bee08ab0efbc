"""A JSON array with Ruff's field names, so tools that read `ruff --output-format json` read this."""
import json
import os

ORDER = 2
NEEDS_EDITS = True  # each fix's edits are part of the object


def as_dict(d) -> dict:
    def loc(location):
        return {"row": location.row, "column": location.column}

    fix = None
    if d.fix is not None:
        fix = {"applicability": d.fix.applicability, "message": d.fix.message,
               "edits": [{"content": e.content, "location": loc(e.location),
                          "end_location": loc(e.end_location)} for e in d.fix.edits]}
    return {"code": d.code, "name": d.name, "message": d.message, "filename": os.path.abspath(d.filename),
            "location": loc(d.location), "end_location": loc(d.end_location), "fix": fix,
            "noqa_row": d.noqa_row, "url": d.url, "cell": None}


def render(diagnostics, sources) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2) + "\n"
