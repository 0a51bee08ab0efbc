"""Transaction parts however the list is built (issue 14, cause 3; SPEC §3 values).

`transact_write_items(TransactItems=parts)` is judged part by part when `parts` is a literal, is
grown by `append`/`extend`/`insert`/`+=`, is `a + b`, is a list comprehension of a part, or is
(or holds parts) returned by a helper of the same module or class. One finding per unguarded
part, at the part's dict literal (in the helper when a helper builds it). A ConditionCheck guards
nothing but its own item. A part we cannot see stays silent.

Each case is linted end to end; a line marked `# expect: DDB10x` must carry exactly that finding,
and no other line may carry a DDB101/DDB102/DDB105 finding.
"""
from __future__ import annotations

import re
import textwrap

import pytest

from ddblint import config, engine, registry
from tests.conftest import lint_snippet, make_tree

CODES = ("DDB101", "DDB102")
_EXPECT = re.compile(r"#\s*expect:\s*(DDB\d{3})")

HEADER = '''
import boto3

client = boto3.client("dynamodb")
'''


def _expected(source: str):
    return sorted((row, match.group(1)) for row, line in enumerate(source.splitlines(), 1)
                  for match in [_EXPECT.search(line)] if match)


def _found(source: str, tmp_path, toml: str = ""):
    found = lint_snippet(source, tmp_path, select=CODES, toml=toml, dedent=False)
    return sorted((d.location.row, d.code) for d in found if d.code in CODES)


FIRES = {
    "append-literal-in-loop": '''
def save_all(items):
    parts = []
    for item in items:
        parts.append({"Put": {"TableName": "orders", "Item": item}})  # expect: DDB102
    client.transact_write_items(TransactItems=parts)
''',
    "append-helper-method": '''
class Orders:
    def _put_part(self, item):
        return {"Put": {"TableName": "orders", "Item": item}}  # expect: DDB102

    def save_all(self, items):
        parts = []
        for item in items:
            parts.append(self._put_part(item))
        client.transact_write_items(TransactItems=parts)
''',
    "append-helper-function-bound-first": '''
def update_part(key, name):
    part = {  # expect: DDB101
        "Update": {"TableName": "orders", "Key": key, "UpdateExpression": "SET #n = :n",
                   "ExpressionAttributeNames": {"#n": "name"}, "ExpressionAttributeValues": {":n": name}},
    }
    return part

def rename(keys, name):
    parts = []
    for key in keys:
        parts.append(update_part(key, name))
    client.transact_write_items(TransactItems=parts)
''',
    "extend": '''
def save(a, b):
    parts = [{"Put": {"TableName": "orders", "Item": a}}]  # expect: DDB102
    parts.extend([{"Put": {"TableName": "orders", "Item": b}}])  # expect: DDB102
    client.transact_write_items(TransactItems=parts)
''',
    "plus": '''
def save(a, b):
    first = [{"Put": {"TableName": "orders", "Item": a}}]  # expect: DDB102
    second = [{"Put": {"TableName": "audit", "Item": b}}]  # expect: DDB102
    client.transact_write_items(TransactItems=first + second)
''',
    "list-call-then-insert": '''
def save(a, b):
    parts = list()
    parts.insert(0, {"Delete": {"TableName": "orders", "Key": a}})
    parts.insert(0, {"Put": {"TableName": "orders", "Item": b}})  # expect: DDB102
    client.transact_write_items(TransactItems=parts)
''',
    "augmented-in-loop": '''
def save(items):
    parts = []
    for item in items:
        parts += [{"Put": {"TableName": "orders", "Item": item}}]  # expect: DDB102
    client.transact_write_items(TransactItems=parts)
''',
    "comprehension": '''
def save(items):
    client.transact_write_items(
        TransactItems=[{"Put": {"TableName": "orders", "Item": i}} for i in items],  # expect: DDB102
    )
''',
    "comprehension-of-helper": '''
def put_part(item):
    return {"Put": {"TableName": "orders", "Item": item}}  # expect: DDB102

def save(items):
    client.transact_write_items(TransactItems=[put_part(i) for i in items])
''',
    "generator-extend-and-list": '''
def delete_part(key):
    return {"Update": {"TableName": "orders", "Key": key, "UpdateExpression": "SET gone = :t",  # expect: DDB101
                       "ExpressionAttributeValues": {":t": True}}}

def save(items, keys):
    parts = list({"Put": {"TableName": "orders", "Item": i}} for i in items)  # expect: DDB102
    parts.extend(delete_part(k) for k in keys)
    client.transact_write_items(TransactItems=parts)
''',
    "list-returned-by-method": '''
class Orders:
    def _parts(self, items):
        parts = []
        for item in items:
            parts.append({"Put": {"TableName": "orders", "Item": item}})  # expect: DDB102
        return parts

    def save(self, items):
        client.transact_write_items(TransactItems=self._parts(items))
''',
    "appended-in-a-branch": '''
def save(item, audit):
    parts = [{"Put": {"TableName": "orders", "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}]
    if audit:
        parts.append({"Put": {"TableName": "audit", "Item": item}})  # expect: DDB102
    client.transact_write_items(TransactItems=parts)
''',
    # a ConditionCheck on one item does not guard a write to another
    "condition-check-other-key": '''
def transfer(a, b):
    client.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": "accounts", "Key": {"pk": {"S": a}},
                            "ConditionExpression": "attribute_exists(pk)"}},
        {"Put": {"TableName": "accounts", "Item": {"pk": {"S": b}}}},  # expect: DDB102
        {"Update": {"TableName": "accounts", "Key": {"pk": {"S": b}},  # expect: DDB101
                    "UpdateExpression": "SET n = :n", "ExpressionAttributeValues": {":n": {"N": "1"}}}},
    ])
''',
    "condition-check-appended": '''
def transfer(a, b):
    parts = [{"ConditionCheck": {"TableName": "accounts", "Key": {"pk": {"S": a}},
                                 "ConditionExpression": "version = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}}]
    parts.append({"Put": {"TableName": "accounts", "Item": {"pk": {"S": b}}}})  # expect: DDB102
    client.transact_write_items(TransactItems=parts)
''',
}


@pytest.mark.parametrize("name", list(FIRES))
def test_unguarded_part_fires_at_the_part(tmp_path, name):
    source = HEADER + FIRES[name]
    assert _expected(source), "a must-fire case marks its findings"
    assert _found(source, tmp_path) == _expected(source)


SILENT = {
    "guarded-parts-appended": '''
def save_all(items):
    parts = []
    for item in items:
        parts.append({"Put": {"TableName": "orders", "Item": item,
                              "ConditionExpression": "attribute_not_exists(pk)"}})
    client.transact_write_items(TransactItems=parts)
''',
    "guarded-helper": '''
class Orders:
    def _put_part(self, item):
        return {"Put": {"TableName": "orders", "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}

    def save_all(self, items):
        client.transact_write_items(TransactItems=[self._put_part(i) for i in items])
''',
    # parts of a shape we cannot see stay unknown
    "unknown-parts-appended": '''
def save_all(items, make_part):
    parts = []
    for item in items:
        parts.append(make_part(item))
    parts.extend(item.to_part() for item in items)
    client.transact_write_items(TransactItems=parts)
''',
    # the condition is added to the part after it was appended: the same dict
    "condition-added-after-append": '''
def save(item):
    parts = []
    part = {"Put": {"TableName": "orders", "Item": item}}
    parts.append(part)
    part["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
    client.transact_write_items(TransactItems=parts)
''',
    "condition-added-through-the-list": '''
def save(item):
    parts = []
    parts.append({"Put": {"TableName": "orders", "Item": item}})
    parts[-1]["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
    client.transact_write_items(TransactItems=parts)
''',
    "condition-added-in-a-loop-over-the-parts": '''
def save(items):
    parts = [{"Put": {"TableName": "orders", "Item": item}} for item in items]
    parts.append({"Put": {"TableName": "audit", "Item": items[0]}})
    for part in parts:
        part["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
    client.transact_write_items(TransactItems=parts)
''',
    "list-handed-to-a-function": '''
def save(item, guard_all):
    parts = []
    parts.append({"Put": {"TableName": "orders", "Item": item}})
    guard_all(parts)
    client.transact_write_items(TransactItems=parts)
''',
    "parts-removed": '''
def save(item):
    parts = [{"Put": {"TableName": "orders", "Item": item}}]
    parts.clear()
    parts.append({"Put": {"TableName": "orders", "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}})
    client.transact_write_items(TransactItems=parts)
''',
    "helper-takes-the-condition": '''
def put_part(item, condition):
    part = {"Put": {"TableName": "orders", "Item": item}}
    part["Put"]["ConditionExpression"] = condition
    return part

def save(items):
    client.transact_write_items(TransactItems=[put_part(i, "attribute_not_exists(pk)") for i in items])
''',
    # a ConditionCheck is no write, and a part with its own guard next to it is fine
    "condition-check-and-guarded-put": '''
def transfer(a, b):
    client.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": "accounts", "Key": {"pk": {"S": a}},
                            "ConditionExpression": "attribute_exists(pk)"}},
        {"Put": {"TableName": "accounts", "Item": {"pk": {"S": b}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
    ])
''',
    # lists of dicts that are not transaction parts
    "lists-of-other-dicts": '''
def save(items, table):
    rows = []
    for item in items:
        rows.append({"Item": item, "TableName": "orders"})
    messages = [{"Put": item} for item in items]
    table.queue(messages)
    print(rows + [{"Update": 1}])
    client.batch_write_item(RequestItems={"orders": [{"PutRequest": {"Item": i}} for i in items]})
''',
}


@pytest.mark.parametrize("name", list(SILENT))
def test_lookalike_or_guarded_part_is_silent(tmp_path, name):
    assert _found(HEADER + SILENT[name], tmp_path) == []


def test_part_of_another_module_is_reported_where_it_is_used(tmp_path):
    """A part returned by another module's helper keeps that module's nodes: the finding points
    at the expression in this module that puts it in the list (it used to crash the rule)."""
    root = tmp_path / "project"
    make_tree(root, {
        "pyproject.toml": "",
        "parts.py": '''
            def put_part(item):
                return {"Put": {"TableName": "orders", "Item": item}}

            PARTS = [{"Put": {"TableName": "orders", "Item": {"pk": {"S": "x"}}}}]
        ''',
        "app.py": '''
            import boto3
            from parts import PARTS, put_part

            client = boto3.client("dynamodb")

            def seed():
                client.transact_write_items(TransactItems=PARTS)

            def save(items):
                parts = []
                for item in items:
                    parts.append(put_part(item))
                client.transact_write_items(TransactItems=parts)
        ''',
    })
    target = root / "app.py"
    settings = config.settings_for(target, registry.defaults())
    rules = [registry.all_rules()["DDB102"]]
    result = engine.check_source(target.read_bytes(), target, "app.py", settings, rules)
    assert not result.errors, result.errors
    assert sorted((d.location.row, d.location.column) for d in result.diagnostics) == [(7, 47), (12, 22)]


def test_comprehension_reads_the_names_around_it_where_it_stands(tmp_path):
    """The part a comprehension repeats is the one its name holds at that point: a condition added
    before is seen (silent), one added after is not."""
    guarded_before = HEADER + '''
def save(items):
    part = {"Put": {"TableName": "orders", "Item": {"pk": {"S": "a"}}}}
    part["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
    client.transact_write_items(TransactItems=[part for _ in items])
'''
    assert _found(guarded_before, tmp_path) == []
    unguarded = HEADER + '''
def save(items):
    part = {"Put": {"TableName": "orders", "Item": {"pk": {"S": "a"}}}}  # expect: DDB102
    client.transact_write_items(TransactItems=[part for _ in items])
'''
    assert _found(unguarded, tmp_path) == _expected(unguarded)


def test_partiql_statements_appended_or_from_another_module(tmp_path):
    """PartiQL statement lists are built the same ways; a statement dict another module's helper
    returns is reported at this module's expression that uses it."""
    root = tmp_path / "project"
    make_tree(root, {
        "pyproject.toml": "",
        "stmts.py": '''
            def bump(pk):
                return {"Statement": "UPDATE orders SET n = 1 WHERE pk = ?", "Parameters": [{"S": pk}]}
        ''',
        "app.py": '''
            import boto3
            from stmts import bump

            client = boto3.client("dynamodb")

            def go(pks):
                statements = []
                for pk in pks:
                    statements.append(bump(pk))
                client.execute_transaction(TransactStatements=statements)
                client.batch_execute_statement(Statements=[bump(pk) for pk in pks])
                guarded = [{"Statement": "UPDATE orders SET n = 1 WHERE pk = ? AND version = ?"} for pk in pks]
                client.batch_execute_statement(Statements=guarded)
        ''',
    })
    target = root / "app.py"
    settings = config.settings_for(target, registry.defaults())
    rules = [registry.all_rules()["DDB110"]]
    result = engine.check_source(target.read_bytes(), target, "app.py", settings, rules)
    assert not result.errors, result.errors
    assert sorted((d.location.row, d.location.column) for d in result.diagnostics) == [(9, 27), (11, 48)]
