"""The pieces fixes are built from: layout-keeping changes of argument lists and dict literals
(ddblint/dynamo/edits.py), placeholders that never collide, and the item a read-modify-write
read (DynamoModel.read_item)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from ddblint import config, registry
from ddblint.dynamo.edits import (
    Patch, Unfixable, dict_element, keyword, node_text, string, with_arg, with_element, without_arg,
    without_element,
)
from ddblint.rule import Context


def _first(module, kind):
    found = []

    class Find(cst.CSTVisitor):
        def on_visit(self, node):
            if isinstance(node, kind) and not found:
                found.append(node)
            return not found

    module.visit(Find())
    return found[0]


def _call(source):
    module = cst.parse_module(textwrap.dedent(source).lstrip("\n"))
    return module, _first(module, cst.Call)


def _dict(source):
    module = cst.parse_module(textwrap.dedent(source).lstrip("\n"))
    return module, _first(module, cst.Dict)


def _in_place(module, old, new):
    """The module's text with `new` in place of `old`, through node_text over old's range."""
    text = module.code
    start = text.index(module.code_for_node(old).splitlines()[0])
    first = node_text(module, old, old)
    assert text[start:start + len(first)] == first  # node_text of the node itself is its own text
    return text[:start] + node_text(module, old, new) + text[start + len(first):]


CALLS = [
    # one argument a line, trailing comma, comments
    ('''
     def f():
         t.u(
             a=1,  # ca
             b=2,  # cb
         )
     ''',
     '''
     def f():
         t.u(
             a=1,  # ca
             b=2,  # cb
             X="v",
         )
     ''',
     ['''
     def f():
         t.u(
             b=2,  # cb
         )
     ''', '''
     def f():
         t.u(
             a=1,  # ca
         )
     ''']),
    # no trailing comma
    ('''
     def f():
         t.u(
             a=1,  # ca
             b=2  # cb
         )
     ''',
     '''
     def f():
         t.u(
             a=1,  # ca
             b=2,  # cb
             X="v"
         )
     ''',
     ['''
     def f():
         t.u(
             b=2  # cb
         )
     ''', '''
     def f():
         t.u(
             a=1,  # ca
         )
     ''']),
    # one line
    ("t.u(a=1, b=2)\n", 't.u(a=1, b=2, X="v")\n', ["t.u(b=2)\n", "t.u(a=1)\n"]),
    # aligned under the first argument
    ('''
     t.u(a=1,
         b=2)
     ''',
     '''
     t.u(a=1,
         b=2,
         X="v")
     ''',
     ["t.u(b=2)\n", "t.u(a=1)\n"]),
    # a comment on a line whose argument is removed moves nowhere: the line keeps its break
    ('''
     t.u(a=1, c=3,  # c
         b=2)
     ''', None,
     ['''
     t.u(c=3,  # c
         b=2)
     ''', '''
     t.u(a=1,  # c
         b=2)
     ''', '''
     t.u(a=1, c=3,  # c
         )
     ''']),
]


@pytest.mark.parametrize("source, added, removed", CALLS)
def test_arguments_added_and_removed_keep_the_layout(source, added, removed):
    module, call = _call(source)
    if added is not None:
        assert _in_place(module, call, with_arg(call, keyword("X", string("v")))) == textwrap.dedent(added).lstrip("\n")
    for arg, expected in zip(call.args, removed):
        result = _in_place(module, call, without_arg(call, arg))
        assert result == textwrap.dedent(expected).lstrip("\n")
        cst.parse_module(result)


DICTS = [
    ('''
     def f():
         d = {
             "a": 1,  # ca
             "b": 2,  # cb
         }
     ''',
     '''
     def f():
         d = {
             "a": 1,  # ca
             "b": 2,  # cb
             "X": "v",
         }
     ''',
     ['''
     def f():
         d = {
             "b": 2,  # cb
         }
     ''', '''
     def f():
         d = {
             "a": 1,  # ca
         }
     ''']),
    ('d = {"a": 1, "b": 2}\n', 'd = {"a": 1, "b": 2, "X": "v"}\n', ['d = {"b": 2}\n', 'd = {"a": 1}\n']),
    ("d = {}\n", 'd = {"X": "v"}\n', []),
    ('d = {"a": 1}\n', 'd = {"a": 1, "X": "v"}\n', ["d = {}\n"]),
]


@pytest.mark.parametrize("source, added, removed", DICTS)
def test_dict_entries_added_and_removed_keep_the_layout(source, added, removed):
    module, node = _dict(source)
    assert _in_place(module, node, with_element(node, dict_element("X", string("v")))) == \
        textwrap.dedent(added).lstrip("\n")
    for element, expected in zip(node.elements, removed):
        assert _in_place(module, node, without_element(node, element)) == textwrap.dedent(expected).lstrip("\n")


def test_node_text_keeps_crlf_and_the_indentation_of_the_blocks_around():
    source = "class A:\r\n    def f(self):\r\n        t.u(\r\n            a=1,\r\n        )\r\n"
    module, call = _call(source)
    text = node_text(module, call, with_arg(call, keyword("b", cst.Integer("2"))))
    assert text == "t.u(\r\n            a=1,\r\n            b=2,\r\n        )"


# --- operations ---------------------------------------------------------------------------------

def model(tmp_path: Path, source: str):
    target = tmp_path / "app.py"
    text = textwrap.dedent(source).lstrip("\n")
    target.write_text(text)
    module = cst.parse_module(text)
    ctx = Context(target, text, module, config.settings_for(target, registry.defaults()))
    return module, ctx.dynamo


def writes(dynamo):
    return [op for op in dynamo.operations if op.name in ("UpdateItem", "PutItem")]


def test_new_placeholders_do_not_collide(tmp_path):
    module, dynamo = model(tmp_path, '''
        import boto3
        table = boto3.resource("dynamodb").Table("t")
        table.update_item(Key={"pk": "a"}, UpdateExpression="SET #V = :one, #v_2 = :ONE",
                          ExpressionAttributeNames={"#V": "a", "#v_2": "b"},
                          ExpressionAttributeValues={":one": 2, ":ONE": 3})
    ''')
    patch = Patch(module, writes(dynamo)[0])
    assert patch.fresh(["#v"]) == "#v_3"  # `#V` and `#v_2` are in use (compared without case)
    assert patch.fresh(["#v"]) == "#v_4"  # nor one this patch took already
    assert patch.fresh([":one", ":ddb_one"]) == ":ddb_one"
    assert patch.name_placeholder("b", ["#b"]) == ("#v_2", False)  # an existing mapping is reused
    assert patch.fresh(["#n0"]) == "#n0_2"  # boto3's builders generate #n0, :v0, ...


def test_no_patch_for_requests_the_fix_cannot_see_whole(tmp_path):
    module, dynamo = model(tmp_path, '''
        import boto3
        table = boto3.resource("dynamodb").Table("t")

        def f(params, expression):
            table.update_item(Key={"pk": "a"}, **params)
            table.update_item(Key={"pk": "a"}, UpdateExpression=expression)
    ''')
    splat, unknown = writes(dynamo)
    with pytest.raises(Unfixable):
        Patch(module, splat).add_param("ConditionExpression", string("x"))
    with pytest.raises(Unfixable):
        Patch(module, unknown).fresh(["#v"])


READS = '''
    import boto3
    table = boto3.resource("dynamodb").Table("t")
    other = boto3.resource("dynamodb").Table("other")

    def plain(k):
        item = table.get_item(Key={"pk": k})["Item"]
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def response(k):
        resp = table.get_item(Key={"pk": k})
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def through_response(k):
        resp = table.get_item(Key={"pk": k})
        item = resp.get("Item")
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def loop(c):
        items = table.query(KeyConditionExpression="c = :c", ExpressionAttributeValues={":c": c})["Items"]
        for row in items:
            table.update_item(Key={"pk": row["pk"]}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def another_item(k, j):
        item = table.get_item(Key={"pk": k})["Item"]
        table.update_item(Key={"pk": j}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def rebound_key(k):
        item = table.get_item(Key={"pk": k})["Item"]
        k = k + "x"
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def another_table(k):
        item = other.get_item(Key={"pk": k})["Item"]
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def version_changed(k):
        item = table.get_item(Key={"pk": k})["Item"]
        item["version"] += 1
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def projected(k):
        item = table.get_item(Key={"pk": k}, ProjectionExpression="a")["Item"]
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def two_reads(k):
        first = table.get_item(Key={"pk": k})["Item"]
        second = table.get_item(Key={"pk": k})["Item"]
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def only_sometimes(k, flag):
        if flag:
            item = table.get_item(Key={"pk": k})["Item"]
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    def after_the_loop(c):
        for row in table.query(KeyConditionExpression="c = :c", ExpressionAttributeValues={":c": c})["Items"]:
            pass
        table.update_item(Key={"pk": row["pk"]}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})
'''
EXPECTED = {"plain": "item", "response": 'resp["Item"]', "through_response": "item", "loop": "row",
            "another_item": None, "rebound_key": None, "another_table": None, "version_changed": None,
            "projected": None, "two_reads": None, "only_sometimes": None, "after_the_loop": None}


def test_read_item(tmp_path):
    _, dynamo = model(tmp_path, READS)
    found = {}
    for op in writes(dynamo):
        function = op.call.site.function
        item = dynamo.read_item(op, "version")
        found[function.name.value] = item.expression if item is not None else None
    assert found == EXPECTED


def _whole_module_text(module: cst.Module, old, new) -> str:
    """node_text's definition, the slow way: the whole module with `new` in place of `old`,
    generated, and the range of `new` in it (what node_text computed before it generated `new` alone)."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    class Replace(cst.CSTTransformer):
        def on_leave(self, original, updated):
            return new if original is old else updated

    changed = module.visit(Replace())
    where = MetadataWrapper(changed, unsafe_skip_copy=True).resolve(PositionProvider)[new]
    lines = changed.code.splitlines(keepends=True)
    start = sum(len(line) for line in lines[:where.start.line - 1]) + where.start.column
    end = sum(len(line) for line in lines[:where.end.line - 1]) + where.end.column
    return changed.code[start:end]


def test_node_text_is_the_whole_module_way_on_every_rule_fix(tmp_path):
    """Every edit of every fix the rules' examples make: generated alone, as in the whole module."""
    compared = 0
    for rule in registry.all_rules().values():
        for example in list(rule.fires) + list(rule.passes):
            if example.language != "python":
                continue
            path = tmp_path / "app.py"
            path.write_text(example.source)
            settings = config.settings_for(path, registry.defaults())
            module = cst.parse_module(example.source)
            ctx = Context(path, example.source, module, settings)
            try:
                findings = list(rule().check(ctx))
            except Exception:  # noqa: BLE001 - examples of other files (infrastructure) and the like
                continue
            for finding in findings:
                for old, replacement in finding.edits:
                    if not callable(replacement):
                        continue
                    new = replacement.args[2]
                    assert replacement() == _whole_module_text(module, old, new), (rule.code, example.source)
                    compared += 1
    assert compared > 30
