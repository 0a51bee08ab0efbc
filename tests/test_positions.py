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


MORE = [
    "# header\n\n@dec  # c\n# between\n@d2(x)\nasync def f():\n    '''doc'''\n    x = 1; y = 2\n    return x\n",
    "class A(B):\n    # lead\n\n    def m(self):\n        if a:\n            pass\n        elif b:  # c\n            q = 1\n        elif c:\n            r = 2\n        else:\n            s = 3\n        # footer\n    z = 1\n",
    "try:\n    a()\nexcept E as e:\n    b()\nexcept (F, G):\n    pass\nelse:\n    c()\nfinally:\n    d()\n",
    "for i in x:\n    pass\nelse:\n    y()\nwhile z:\n    break\nelse:\n    w()\nwith a as b, c:\n    pass\n",
    "if x: y = 1\nelse: z = 2\nclass K: pass\ndef f(): return 1\n",
    "x = 1\ry = 2\r\nz = (\r 3)\n",
    "s = 'é√'; t = f'{s!r}' + \"ü\"; u = 1\nv = '''\nmulti\n'''; w = s.upper()\n",
    "def f():\n\tif a:\n\t\treturn {\n\t\t\t'k': 1,\n\t\t}\n\treturn None\n",
    "x = \\\n    1\nif (a and\n        b):\n    pass\n",
    "match p:\n    case {'k': v}:\n        pass\n    case [a, *rest] if a:\n        q = 1\n    case _:\n        pass\n",
    "# only a comment\n",
    "\n\n\n",
]


@pytest.mark.parametrize("source", MORE)
def test_same_as_position_provider_block_forms(source):
    _compare(source)


@pytest.mark.parametrize("source", SOURCES + MORE)
def test_one_node_at_a_time(source):
    """Asked for one node only, the statement around it is generated alone, at the same place."""
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, where in list(expected.items())[::7]:
        (sr, sc), (er, ec) = Positions(module, source)[node]
        assert (sr, sc, er, ec) == (where.start.line, where.start.column, where.end.line, where.end.column), node


def test_statements_are_generated_alone():
    source = "def f():\n    pass\n" * 200 + "def g():\n    table.put_item(Item={'k': 1})\n"
    module = cst.parse_module(source)
    positions = Positions(module, source)
    call = module.body[-1].body.body[0].body[0].value
    where = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)[call]
    assert positions[call] == ((402, 4), (402, 33)) == ((where.start.line, where.start.column),
                                                         (where.end.line, where.end.column))
    assert not positions._whole and len(positions._ranges) < 40  # one statement's nodes, not 200 functions'


def test_decorated_statements_are_generated_alone_too():
    source = "import x\n\n\n# lead\n@dec\n# between\n@other(1)\ndef f():\n    table.put_item(Item={})\n"
    module = cst.parse_module(source)
    positions = Positions(module, source)
    call = module.body[-1].body.body[0].body[0].value
    where = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)[call]
    assert positions[call] == ((where.start.line, where.start.column), (where.end.line, where.end.column))
    assert not positions._whole
