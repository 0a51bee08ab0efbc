"""`path:row:col: CODE message`, one line per finding (flake8's shape; editors parse it)."""


def line(d) -> str:
    return f"{d.filename}:{d.location.row}:{d.location.column}: {d.code} {d.message}"


def render(diagnostics, sources) -> str:
    return "".join(line(d) + "\n" for d in diagnostics)
