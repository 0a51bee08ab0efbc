"""reparse: an edited document is parsed again only in the top-level statement the edit falls in,
and the result is the tree a whole parse gives (LibCST's deep_equals: every node, every space)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from ddblint import parsing, reparse

ROOT = Path(__file__).resolve().parents[1]
SOURCE = '''import boto3

table = boto3.resource("dynamodb").Table("t")


def save(item):
    # a comment
    table.put_item(Item=item)


@decorated
def change(key, name):
    table.update_item(Key=key, UpdateExpression="SET #n = :n",
                      ExpressionAttributeValues={":n": name})
    # trailing, indented


class Repository:
    def get(self, key):
        return table.get_item(Key=key)


last = 1
'''


@pytest.fixture(autouse=True)
def _fresh():
    reparse.forget()
    yield
    reparse.forget()


def _edit(source: str, old: str, new: str) -> str:
    assert old in source
    return source.replace(old, new, 1)


@pytest.mark.parametrize("old, new", [
    ('Item=item', 'Item=item, ConditionExpression="attribute_not_exists(pk)"'),
    ('"SET #n = :n"', '"SET #n = :n, v = v + :one"'),
    ("    # a comment\n", ""),
    ("        return table.get_item(Key=key)\n", "        value = table.get_item(Key=key)\n        return value\n"),
    ("    # trailing, indented\n", "    # trailing, indented\n    # and another\n"),
    ("import boto3\n", "import boto3, os\n"),
])
def test_an_edit_inside_one_statement_is_spliced(old, new):
    first = reparse.parse(SOURCE, "app.py")
    edited = _edit(SOURCE, old, new)
    again = reparse.parse(edited, "app.py")
    assert again.deep_equals(parsing.parse(edited))
    assert again.code == edited
    kept = sum(a is b for a, b in zip(first.body, again.body))
    assert kept == len(first.body) - 1  # every statement but the edited one is the previous parse's


@pytest.mark.parametrize("old, new", [
    ("\n\n@decorated\n", "\n\nx = 2\n\n@decorated\n"),  # a new top-level statement
    ("last = 1\n", "last = 2\n"),  # the last statement (it runs into the module's footer)
    # across statements:
    ("    table.put_item(Item=item)\n\n\n@decorated", "    table.put_item(Item=item)\n@decorated"),
])
def test_other_edits_are_parsed_whole_and_the_same(old, new):
    first = reparse.parse(SOURCE, "app.py")
    edited = _edit(SOURCE, old, new)
    again = reparse.parse(edited, "app.py")
    assert again.deep_equals(parsing.parse(edited)) and again.code == edited
    assert not any(a is b for a, b in zip(first.body, again.body)) or old.startswith("\n\n@")


def test_a_syntax_error_is_the_whole_parse_s_and_the_next_edit_recovers():
    reparse.parse(SOURCE, "app.py")
    broken = _edit(SOURCE, "def save(item):", "def save(item:")
    with pytest.raises(parsing.ParseProblem) as raised:
        reparse.parse(broken, "app.py")
    with pytest.raises(parsing.ParseProblem) as whole:
        parsing.parse(broken)
    assert (raised.value.message, raised.value.row) == (whole.value.message, whole.value.row)
    assert reparse.parse(SOURCE, "app.py").deep_equals(parsing.parse(SOURCE))


def test_a_statement_indented_otherwise_than_the_module_is_parsed_whole():
    source = "def f():\n    return 1\n\n\ndef g():\n  return 2\n\n\nx = 1\n"
    reparse.parse(source, "app.py")
    edited = source.replace("return 2", "return 3")
    assert reparse.parse(edited, "app.py").deep_equals(parsing.parse(edited))


@pytest.mark.slow
def test_random_edits_of_the_repository_give_the_whole_parse():
    """Six random one-line edits (a comment, a string, a line inserted, deleted or left blank)
    in each of ddblint's and the examples' modules, each parsed again from the previous one."""
    rng = random.Random(15)
    spliced = compared = 0
    for path in sorted((ROOT / "ddblint").rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py")):
        text = path.read_text()
        reparse.parse(text, str(path))
        lines = text.splitlines(keepends=True)
        for _ in range(6):
            if len(lines) < 5:
                break
            at = rng.randrange(len(lines))
            line, edited = lines[at], list(lines)
            kind = rng.choice(["comment", "string", "insert", "delete", "blank"])
            if kind == "comment" and line.strip() and not line.rstrip().endswith("\\"):
                edited[at] = line.rstrip("\r\n") + "  # edited\n"
            elif kind == "string":
                edited[at] = line.replace('"', '"x', 1)
            elif kind == "insert":
                edited.insert(at, line[:len(line) - len(line.lstrip())] + "pass\n")
            elif kind == "delete":
                del edited[at]
            else:
                edited.insert(at, "\n")
            source = "".join(edited)
            try:
                expected = parsing.parse(source)
            except parsing.ParseProblem:
                with pytest.raises(parsing.ParseProblem):
                    reparse.parse(source, str(path))
                reparse.parse(text, str(path))
                continue
            previous = reparse._DOCUMENTS.get(str(path))
            got = reparse.parse(source, str(path))
            assert got.code == source and got.deep_equals(expected), (path, kind, at)
            compared += 1
            spliced += previous is not None and any(a is b for a, b in zip(got.body, previous.module.body))
            lines, text = edited, source
    assert compared > 300 and spliced > compared // 3
