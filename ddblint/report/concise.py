"""`path:row:col: CODE message`, one line per finding (flake8's shape; editors parse it)."""

ORDER = 1
PLAIN_TEXT = True


def line(d) -> str:
    return f"{d.filename}:{d.location.row}:{d.location.column}: {d.code} {d.message}"


def render(diagnostics, sources) -> str:
    return "".join(line(d) + "\n" for d in diagnostics)
