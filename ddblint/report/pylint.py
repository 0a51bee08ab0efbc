"""Pylint's parseable shape, `path:line: [CODE] message` (no column; flake8's --format=pylint)."""

ORDER = 8
PLAIN_TEXT = True


def render(diagnostics, sources) -> str:
    return "".join(f"{d.filename}:{d.location.row}: [{d.code}] {d.message}\n" for d in diagnostics)
