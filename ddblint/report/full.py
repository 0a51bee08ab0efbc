"""Ruff's `full` shape: the finding, then the source line with a caret under it and the fix title."""
from ddblint.report.concise import line
from ddblint.text import LINE_BREAK

ORDER = 0
NEEDS_SOURCES = True  # the snippet under each finding
PLAIN_TEXT = True


def render(diagnostics, sources) -> str:
    out = []
    for d in diagnostics:
        out.append(line(d))
        # Python's line breaks only: str.splitlines also splits at \f, \v, \x1c.., which are not
        lines = LINE_BREAK.split(sources.get(d.filename) or "")
        if 0 < d.location.row <= len(lines):
            text = lines[d.location.row - 1]
            # keep tabs in the padding so the caret lines up however the terminal shows them
            pad = "".join(c if c == "\t" else " " for c in text[:d.location.column - 1])
            gutter = " " * len(str(d.location.row))
            width = (d.end_location.column - d.location.column) if d.end_location.row == d.location.row \
                else len(text) - d.location.column + 1
            out.append(f"{gutter} |")
            out.append(f"{d.location.row} | {text}")
            out.append(f"{gutter} | {pad}{'^' * max(width, 1)} {d.code}")
            if d.fix is not None:
                out.append(f"{gutter} = help: {d.fix.message}")
        out.append("")
    return "\n".join(out) + ("\n" if out else "")
