"""ddblint's cheap positions equal LibCST's PositionProvider on every node."""
from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from ddblint.positions import Positions

SOURCES = [
    "x = 1\n",
    "def f(a, *, b=2):\n    return a.b(c, **d)[0]\n",
    "class C:\n\tdef m(self):\n\t\tpass\r\n",  # tabs and a CRLF
    "if a:\r\n    b = (1 +\r\n         2)\r\nelse:\r\n    c = f'{x!r:>{w}}'\r\n",
    "@dec\nasync def g():\n    async with a as b:\n        await b.put_item(Item={'k': '√é'})  # ü\n",
    "x = [\n    1,\n    2,\n]\n\n\n# trailing comment",
    "",
]


def _compare(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ours = Positions(module, source)
    assert expected, "nothing to compare"
    for node, where in expected.items():
        (sr, sc), (er, ec) = ours[node]
        assert (sr, sc, er, ec) == (where.start.line, where.start.column, where.end.line, where.end.column), node


@pytest.mark.parametrize("source", SOURCES)
def test_same_as_position_provider(source):
    _compare(source)


@pytest.mark.slow
def test_same_on_ddblint_itself():
    for path in sorted((Path(__file__).parent.parent / "ddblint").rglob("*.py"))[:12]:
        _compare(path.read_text())
