"""The DynamoDB model: every recognition form of SPEC §3, value and table/region resolution."""
from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from ddblint import config, registry
from ddblint.dynamo import UNKNOWN, DynamoModel
from ddblint.dynamo.values import EnvVar, Template


def model(source: str, toml: str = "", tmp_path: Path = None, filename: str = "app.py") -> DynamoModel:
    path = Path(filename)
    settings_path = None
    if toml:
        (tmp_path / "pyproject.toml").write_text(textwrap.dedent(toml))
        settings_path = tmp_path / "pyproject.toml"
        path = tmp_path / filename
    settings = config.load_settings(settings_path, registry.defaults())
    return DynamoModel(cst.parse_module(textwrap.dedent(source)), path, settings)


def only(m: DynamoModel, name: str):
    ops = [op for op in m.operations if op.name == name]
    assert len(ops) == 1, [(op.name, op.call.method) for op in m.operations]
    return ops[0]


# -- receivers -------------------------------------------------------------------------------------
RECEIVERS = {
    "client": ('import boto3\nc = boto3.client("dynamodb", region_name="eu-west-1")\n'
               'c.update_item(TableName="t", Key={})', "client", "eu-west-1"),
    "session-module": ('import boto3.session\nc = boto3.session.Session(region_name="us-east-1").client("dynamodb")\n'
                       'c.update_item(TableName="t", Key={})', "client", "us-east-1"),
    "session-variable": ('import boto3\ns = boto3.Session(region_name="us-east-1")\nc = s.client("dynamodb", region_name="eu-west-2")\n'
                         'c.update_item(TableName="t", Key={})', "client", "eu-west-2"),
    "session-client-config": ('import boto3\nfrom botocore.config import Config\n'
                              'c = boto3.client("dynamodb", config=Config(region_name="ap-southeast-2"))\n'
                              'c.update_item(TableName="t", Key={})', "client", "ap-southeast-2"),
    "resource-table": ('import boto3\nt = boto3.resource("dynamodb", region_name="eu-west-1").Table("t")\n'
                       't.update_item(Key={})', "table", "eu-west-1"),
    "from-import": ('from boto3 import resource\nt = resource("dynamodb").Table("t")\nt.update_item(Key={})',
                    "table", None),
    "meta-client": ('import boto3\nr = boto3.resource("dynamodb", region_name="eu-west-1")\n'
                    'r.meta.client.update_item(TableName="t", Key={})', "client", "eu-west-1"),
    "table-meta-client": ('import boto3\nt = boto3.resource("dynamodb").Table("x")\n'
                          't.meta.client.transact_write_items(TransactItems=[])', "client", None),
    "aioboto3-client": ('import aioboto3\nasync def f():\n    session = aioboto3.Session()\n'
                        '    async with session.client("dynamodb", region_name="us-west-2") as c:\n'
                        '        await c.update_item(TableName="t", Key={})', "client", "us-west-2"),
    "aioboto3-resource": ('import aioboto3\nasync def f():\n    async with aioboto3.Session().resource("dynamodb") as r:\n'
                          '        t = await r.Table("t")\n        await t.update_item(Key={})', "table", None),
    "aiobotocore": ('from aiobotocore.session import get_session\nasync def f():\n'
                    '    async with get_session().create_client("dynamodb", region_name="eu-west-1") as c:\n'
                    '        await c.update_item(TableName="t", Key={})', "client", "eu-west-1"),
    "botocore": ('import botocore.session\nc = botocore.session.get_session().create_client("dynamodb")\n'
                 'c.update_item(TableName="t", Key={})', "client", None),
    "stub-client": ('from mypy_boto3_dynamodb import DynamoDBClient\ndef f(c: DynamoDBClient):\n'
                    '    c.update_item(TableName="t", Key={})', "client", None),
    "stub-client-module": ('from mypy_boto3_dynamodb.client import DynamoDBClient\ndef f(c: "DynamoDBClient"):\n'
                           '    c.update_item(TableName="t", Key={})', "client", None),
    "stub-table": ('from mypy_boto3_dynamodb.service_resource import Table\ndef f(t: Table):\n'
                   '    t.update_item(Key={})', "table", None),
    "stub-resource": ('from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource\n'
                      'def f(r: DynamoDBServiceResource):\n    r.Table("t").update_item(Key={})', "table", None),
    "stub-optional": ('from typing import Optional\nfrom mypy_boto3_dynamodb.service_resource import Table\n'
                      'def f(t: Optional[Table]):\n    t.update_item(Key={})', "table", None),
    "stub-union-none": ('from mypy_boto3_dynamodb.service_resource import Table\n'
                        'def f(t: "Table | None"):\n    t.update_item(Key={})', "table", None),
    "stub-type-checking": ('from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n'
                           '    from types_boto3_dynamodb.service_resource import Table\n'
                           'def f(t: "Table"):\n    t.update_item(Key={})', "table", None),
    "stub-module-attribute": ('import mypy_boto3_dynamodb.service_resource as sr\n'
                              'def f(t: sr.Table):\n    t.update_item(Key={})', "table", None),
    "self-attribute": ('import boto3\nclass Repo:\n    def __init__(self):\n'
                       '        self.table = boto3.resource("dynamodb").Table("t")\n'
                       '    def save(self):\n        self.table.update_item(Key={})', "table", None),
    "self-attribute-annotated": ('from mypy_boto3_dynamodb.service_resource import Table\nclass Repo:\n'
                                 '    def __init__(self, table: Table):\n        self.table = table\n'
                                 '    def save(self):\n        self.table.update_item(Key={})', "table", None),
    "dataclass-field": ('from dataclasses import dataclass\nfrom mypy_boto3_dynamodb.service_resource import Table\n'
                        '@dataclass\nclass Repo:\n    table: Table\n    def save(self):\n'
                        '        self.table.update_item(Key={})', "table", None),
    "class-attribute": ('import boto3\nclass Repo:\n    table = boto3.resource("dynamodb").Table("t")\n'
                        '    def save(self):\n        self.table.update_item(Key={})', "table", None),
    "base-class-attribute": ('import boto3\nclass Base:\n    def __init__(self):\n'
                             '        self.table = boto3.resource("dynamodb").Table("t")\n'
                             'class Repo(Base):\n    def save(self):\n        self.table.update_item(Key={})',
                             "table", None),
    "module-global": ('import boto3\nTABLE = boto3.resource("dynamodb").Table("t")\ndef f():\n'
                      '    TABLE.update_item(Key={})', "table", None),
    "cached-factory": ('import functools, boto3\n@functools.cache\ndef table():\n'
                       '    return boto3.resource("dynamodb").Table("t")\ndef f():\n    table().update_item(Key={})',
                       "table", None),
    "lru-cache-factory": ('from functools import lru_cache\nimport boto3\n@lru_cache(maxsize=None)\ndef client():\n'
                          '    return boto3.client("dynamodb")\nclient().update_item(TableName="t", Key={})',
                          "client", None),
    "property": ('import boto3\nclass Repo:\n    @property\n    def table(self):\n'
                 '        return boto3.resource("dynamodb").Table("t")\n    def save(self):\n'
                 '        self.table.update_item(Key={})', "table", None),
    "lazy-global": ('import boto3\n_table = None\ndef get():\n    global _table\n    if _table is None:\n'
                    '        _table = boto3.resource("dynamodb").Table("t")\n    return _table\n'
                    'def f():\n    get().update_item(Key={})', "table", None),
    "typing-cast": ('from typing import cast\nfrom mypy_boto3_dynamodb.service_resource import Table\n'
                    't = cast("Table", make_table())\nt.update_item(Key={})', "table", None),
}


@pytest.mark.parametrize("name", list(RECEIVERS))
def test_receiver_forms(name):
    source, via, region = RECEIVERS[name]
    m = model(source)
    assert [call.via for call in m.calls] == [via], name
    assert m.calls[0].region == region


def test_batch_writer_is_its_own_receiver():
    m = model('''
        import boto3
        table = boto3.resource("dynamodb").Table("subscribers")
        with table.batch_writer() as batch:
            batch.put_item(Item={"pk": "a"})
        writer = table.batch_writer()
        writer.delete_item(Key={"pk": "b"})
    ''')
    assert [(c.via, [op.name for op in c.operations]) for c in m.calls] == [
        ("batch_writer", ["BatchWriteItem"]), ("batch_writer", ["BatchWriteItem"])]
    assert all(op.table == "subscribers" for op in m.operations)


def test_aioboto3_batch_writer():
    m = model('''
        import aioboto3
        async def load(items):
            async with aioboto3.Session().resource("dynamodb") as r:
                t = await r.Table("t")
                async with t.batch_writer() as b:
                    await b.put_item(Item={"pk": "a"})
    ''')
    assert [op.name for op in m.operations] == ["BatchWriteItem"]


# -- the fallback for receivers we cannot resolve ---------------------------------------------------
@pytest.mark.parametrize("source, recognised", [
    ("def f(t):\n    t.update_item(Key={}, UpdateExpression='SET a = :a')", True),
    ("def f(t):\n    t.put_item(Item={})", True),
    ("def f(c):\n    c.transact_write_items(TransactItems=[])", True),
    ("def f(t):\n    t.update_item(3, Key={})", False),  # positional: never boto3
    ("def f(t):\n    t.update_item(key=1, value=2)", False),  # no DynamoDB keyword
    ("def f(t):\n    t.update_item()", False),
    ("def f(q):\n    q.put_item(item)", False),
    ("def f(obj):\n    obj.save()\n    obj.update(name='x')", False),
    ("d = {}\nd.update(Key=1)", False),
    ("d = {}\nd.put_item(Item=1)", False),  # resolved to a dict: not DynamoDB
    ("import boto3\ns3 = boto3.client('s3')\ns3.put_item(Item={})", False),
])
def test_fallback(source, recognised):
    assert bool(model(source).calls) == recognised


def test_fallback_batch_name_is_a_batch_writer():
    m = model("def load(batch, items):\n    for i in items:\n        batch.put_item(Item=i)")
    assert [op.name for op in m.operations] == ["BatchWriteItem"]


def test_shadowed_receiver_is_not_the_outer_one():
    m = model('''
        import boto3
        table = boto3.resource("dynamodb").Table("t")
        def f(tables):
            for table in tables:
                table.update_item(Key={}, UpdateExpression="SET a = :a")
    ''')
    assert [c.via for c in m.calls] == ["unknown"]


# -- values --------------------------------------------------------------------------------------------
def _param(source, name="ConditionExpression", op="UpdateItem"):
    return only(model(source), op).param(name)


def test_constants_fstrings_and_concatenation():
    source = '''
        import boto3
        VERSION = "version"
        PREFIX = "#v = "
        t = boto3.resource("dynamodb").Table("t")
        def f(x):
            cond = PREFIX + ":e"
            t.update_item(Key={}, ConditionExpression=cond, UpdateExpression=f"SET {VERSION} = :n",
                          ExpressionAttributeNames={"#v": VERSION})
    '''
    op = only(model(source), "UpdateItem")
    assert op.param("ConditionExpression") == "#v = :e"
    assert op.param("UpdateExpression") == "SET version = :n"
    assert op.param("ExpressionAttributeNames").entries["#v"].value == "version"


def test_fstring_with_unknown_part_is_a_template():
    assert _param('def f(t, x):\n    t.update_item(Key={}, ConditionExpression=f"a = {x}")') == Template(("a = ", UNKNOWN))


def test_dict_built_then_splatted():
    source = '''
        def f(t, k):
            params = dict(Key={"pk": k})
            params["ConditionExpression"] = "attribute_not_exists(pk)"
            t.update_item(**params)
    '''
    assert _param(source) == "attribute_not_exists(pk)"


def test_dict_key_set_on_one_branch_is_unknown():
    source = '''
        def f(t, k, strict):
            params = {"Key": {"pk": k}}
            if strict:
                params["ConditionExpression"] = "attribute_exists(pk)"
            t.update_item(**params)
    '''
    assert _param(source) is UNKNOWN


def test_dict_passed_to_a_function_may_change():
    source = '''
        def f(t, k):
            params = {"Key": {"pk": k}}
            decorate(params)
            t.update_item(**params)
    '''
    assert _param(source) is UNKNOWN


def test_last_dominating_assignment_wins():
    source = '''
        def f(t):
            cond = "a = :a"
            cond = "attribute_not_exists(pk)"
            t.update_item(Key={}, ConditionExpression=cond)
    '''
    assert _param(source) == "attribute_not_exists(pk)"


def test_branches_that_disagree_are_unknown():
    source = '''
        def f(t, x):
            if x:
                cond = "a = :a"
            else:
                cond = "attribute_not_exists(pk)"
            t.update_item(Key={}, ConditionExpression=cond)
    '''
    assert _param(source) is UNKNOWN


def test_augmented_string():
    source = '''
        def f(t):
            expr = "SET a = :a"
            expr += ", b = :b"
            t.update_item(Key={}, UpdateExpression=expr)
    '''
    assert _param(source, "UpdateExpression") == "SET a = :a, b = :b"


def test_helper_function_returning_a_value():
    source = '''
        from boto3.dynamodb.conditions import Attr
        def version_is(v):
            return Attr("version").eq(v) & Attr("pk").exists()
        def f(t, v):
            t.update_item(Key={}, ConditionExpression=version_is(v))
    '''
    value = _param(source)
    assert type(value).__name__ == "ConditionValue"


def test_table_from_environment():
    for expr in ('os.environ["T"]', 'os.getenv("T")', 'os.environ.get("T", "x")', 'os.getenv("T") or "x"'):
        m = model(f'import os, boto3\nt = boto3.resource("dynamodb").Table({expr})\nt.update_item(Key={{}})')
        assert m.operations[0].table == EnvVar("T"), expr


# -- tables and regions from configuration -------------------------------------------------------------
REGISTRY = '''
    [tool.ddblint]
    region = "ap-southeast-2"
    [tool.ddblint.deployments]
    "jobs/**" = "us-east-1"
    [tool.ddblint.tables.subscribers]
    name = "*-subscribers"
    env = ["SUBSCRIBERS_TABLE"]
    mode = "single-region"
    version-attribute = "rev"
'''


@pytest.mark.parametrize("table_expr", ['"prod-subscribers"', 'os.environ["SUBSCRIBERS_TABLE"]',
                                        'f"{STAGE}-subscribers"', 'STAGE + "-subscribers"'])
def test_table_matching(table_expr, tmp_path):
    source = f'import os, boto3\nSTAGE = os.environ["STAGE"]\nt = boto3.resource("dynamodb").Table({table_expr})\nt.update_item(Key={{}})'
    m = model(source, REGISTRY, tmp_path)
    facts = m.facts(m.operations[0])
    assert facts.mode == "single-region" and facts.version_attributes == ("rev",)


def test_unregistered_table_takes_the_default_mode(tmp_path):
    m = model('import boto3\nboto3.resource("dynamodb").Table("other").update_item(Key={})', REGISTRY, tmp_path)
    facts = m.facts(m.operations[0])
    assert facts.config is None and facts.mode == "global" and facts.version_attributes == ("version",)


@pytest.mark.parametrize("filename, region_kw, expected", [
    ("jobs/retention/run.py", "", "us-east-1"),  # deployments
    ("portal/app.py", "", "ap-southeast-2"),  # [tool.ddblint] region
    ("jobs/run.py", ', region_name="eu-west-1"', "eu-west-1"),  # literal region_name wins
    ("jobs/run.py", ", region_name=REGION", None),  # given but unknown: not the deployment's
])
def test_region_of_a_call(filename, region_kw, expected, tmp_path):
    source = f'import os, boto3\nREGION = os.environ["R"]\nc = boto3.client("dynamodb"{region_kw})\nc.update_item(TableName="t", Key={{}})'
    (tmp_path / Path(filename).parent).mkdir(parents=True, exist_ok=True)
    m = model(source, REGISTRY, tmp_path, filename)
    assert m.calls[0].region == expected


def test_transaction_entries_are_operations():
    m = model('''
        import boto3
        c = boto3.client("dynamodb")
        entry = {"Delete": {"TableName": "b", "Key": {}}}
        c.transact_write_items(TransactItems=[
            {"Update": {"TableName": "a", "Key": {}, "UpdateExpression": "SET x = :x"}},
            {"ConditionCheck": {"TableName": "a", "Key": {}, "ConditionExpression": "attribute_exists(pk)"}},
            entry,
        ])
    ''')
    assert [(op.name, op.table, op.in_transaction) for op in m.operations] == [
        ("TransactWriteItems", UNKNOWN, False), ("UpdateItem", "a", True), ("ConditionCheck", "a", True),
        ("DeleteItem", "b", True)]


def test_batch_write_item_per_table():
    m = model('''
        import boto3
        boto3.client("dynamodb").batch_write_item(RequestItems={"a": [], "b": []})
    ''')
    assert [(op.name, op.table) for op in m.operations] == [("BatchWriteItem", "a"), ("BatchWriteItem", "b")]


def test_operation_lists_match_botocore():
    import botocore.session
    from botocore import xform_name

    from ddblint.dynamo.operations import CLIENT_OPERATIONS, CONTROL_PLANE_METHODS

    service = botocore.session.get_session().get_service_model("dynamodb")
    methods = {xform_name(name): name for name in service.operation_names}
    ours = set(CLIENT_OPERATIONS) | CONTROL_PLANE_METHODS
    # botocore may be newer than the list; every operation we name must exist with that name
    assert set(CLIENT_OPERATIONS) <= set(methods)
    assert all(methods[m] == op for m, op in CLIENT_OPERATIONS.items())
    data_plane = {"PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan", "BatchWriteItem",
                  "BatchGetItem", "TransactWriteItems", "TransactGetItems", "ExecuteStatement",
                  "BatchExecuteStatement", "ExecuteTransaction"}
    assert data_plane <= set(CLIENT_OPERATIONS.values())
    assert ours >= {m for m in methods if methods[m] in data_plane}


def test_stub_type_names_exist_in_boto3_stubs():
    import importlib

    from ddblint.dynamo.operations import STUB_TYPES

    for qualname in STUB_TYPES:
        module, _, name = qualname.rpartition(".")
        if not module.startswith("mypy_boto3_dynamodb"):
            continue
        assert hasattr(importlib.import_module(module), name), qualname


@pytest.mark.parametrize("change", [
    'params["ExpressionAttributeValues"][":b"] = 2',
    'params["ExpressionAttributeValues"].update({":b": 2})',
    'alias = params\n    alias["X"] = 1',
    'del params["ExpressionAttributeValues"][":a"]',
    'decorate(params)',
])
def test_changes_deep_down_make_a_dict_incomplete(change):
    source = f'''
def f(t):
    params = {{"Key": {{}}, "UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {{":a": 1}}}}
    {change}
    t.update_item(**params)
'''
    op = only(model(source), "UpdateItem")
    values = op.param("ExpressionAttributeValues")
    assert values is UNKNOWN or not values.complete, change


def test_nothing_keeps_a_checked_modules_tree_alive(tmp_path):
    """Per-operation caches must go with their module: a cache that outlives it (a
    WeakKeyDictionary whose values refer to their keys did) grows memory with every file."""
    import gc

    import libcst

    from ddblint import engine, registry

    source = (Path(__file__).resolve().parent.parent / "examples" / "quickstart" / "subscribers" / "repository.py").read_bytes()
    rules = [r for r in registry.all_rules().values() if r.default]
    settings = config.settings_for(tmp_path / "a.py", registry.defaults())

    def live_modules() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if type(o) is libcst.Module)

    engine.check_source(source, tmp_path / "warm.py", "warm.py", settings, rules)  # fill lazy caches
    before = live_modules()
    for i in range(10):
        result = engine.check_source(source, tmp_path / f"m{i}.py", f"m{i}.py", settings, rules)
        assert result.diagnostics and not result.errors
    assert live_modules() - before <= 1


def test_scope_records_every_change_of_a_dict_and_the_resolver_reads_its_own():
    from ddblint.dynamo.scope import build_index

    index = build_index(cst.parse_module(textwrap.dedent('''
        params = {}
        params["a"] = 1
        params["EAV"][":v"] = 2
        params.update(x=1)
        params["EAV"].clear()
        params.meta.append(1)
        f(params)
        f(**params)
        f(params["k"])
        alias = params
        del params["a"]
        for k in params: pass
        params["b"]: int
    ''')))
    recorded = [(m.kind, m.depth, m.star, m.seen_by_resolver) for m in index.scope.mutations["params"]]
    assert recorded == [
        ("setitem", 1, "", True), ("deep", 2, "", True), ("update", 0, "", True), ("method", 1, "", True),
        ("method", None, "", True), ("passed", 0, "", True), ("passed", 0, "**", False), ("passed", 1, "", False),
        ("alias", 0, "", True), ("del", 1, "", True), ("read", 0, "", False), ("read", 0, "", False),
        ("annotated", 1, "", False),
    ]


def test_evaluator_hooks_answer_before_its_own_rules():
    from ddblint.dynamo.scope import build_index
    from ddblint.dynamo.values import Evaluator, Plugin, Receiver

    class Factories(Plugin):
        """`make_table("t")` makes a table; `x.table` of anything is a table too."""

        def call(self, node, at):
            if isinstance(node.func, cst.Name) and node.func.value == "make_table":
                return Receiver("table", "eu-west-1", "t", origin=node)
            return None

        def method_call(self, base, method, node, at):
            seen.append((method, base))  # asked with the receiver already evaluated
            return None

        def attribute(self, base, attr):
            return Receiver("table", None, attr) if attr == "table" else None

    seen = []
    index = build_index(cst.parse_module('t = make_table()\nu = other.table\nv = t.batch_writer()\n'))
    plain, extended = Evaluator(index), Evaluator(index, plugin=Factories)
    assert plain.module_attribute("t") is UNKNOWN and not isinstance(plain.module_attribute("u"), Receiver)
    assert extended.module_attribute("t") == Receiver("table", "eu-west-1", "t", origin=index.module.body[0].body[0].value)
    assert extended.module_attribute("u").table == "table"
    assert extended.module_attribute("v").kind == "batch_writer"  # no answer: the resolver's own rule
    assert [method for method, base in seen] == ["batch_writer"] and seen[0][1].kind == "table"


# What the leak test lints: scopes, a class with a method, a helper followed into (a child
# evaluator), operations with their expressions, an expression that does not parse (an error
# kept with the operation) and a PynamoDB model (the evaluator's plugin keeps caches).
_CYCLIC = '''\
import boto3
from pynamodb.models import Model
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

client = boto3.client("dynamodb", region_name="eu-west-1")


class Thing(Model):
    class Meta:
        table_name = "things"

    pk = UnicodeAttribute(hash_key=True)
    version = NumberAttribute()


def key(pk):
    return {"pk": {"S": pk}}


class Repo:
    def __init__(self, table):
        self.table = table

    def bump(self, pk):
        client.update_item(TableName=self.table, Key=key(pk), UpdateExpression="SET #n = :n +",
                           ExpressionAttributeNames={"#n": "n"}, ExpressionAttributeValues={":n": {"N": "1"}})
        client.put_item(TableName="t", Item={"pk": {"S": pk}}, ConditionExpression="attribute_not_exists(pk)")
        Thing(pk).save()
'''


def _cyclic_tree_garbage(tmp_path: Path) -> list:
    """What of LibCST's and ddblint's checking `_CYCLIC` leaves for the cyclic garbage collector
    (the tree itself may live on: `positions` keeps the last module it located)."""
    import gc

    from ddblint import engine

    path = tmp_path / "repo.py"
    path.write_text(_CYCLIC)
    rules = [r for r in registry.all_rules().values() if r.default]
    settings = config.settings_for(path, registry.defaults())
    assert engine.check_source(path.read_bytes(), path, "repo.py", settings, rules).diagnostics  # warm caches
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = engine.check_source(path.read_bytes(), path, "repo.py", settings, rules)
        assert result.diagnostics and not result.errors
        del result
        gc.collect()
        return [o for o in gc.garbage if type(o).__module__.startswith(("libcst.", "ddblint."))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


def test_a_checked_modules_model_is_freed_as_soon_as_it_is_done(tmp_path):
    # DynamoModel.close breaks the model's reference cycles: a run frees each file's tree when the
    # file is done, and its collections (runner._collect_when_due) find next to nothing to walk
    assert _cyclic_tree_garbage(tmp_path) == []


def test_without_close_the_model_waits_for_the_cyclic_collector(tmp_path, monkeypatch):
    # the premise of the test above: the model is cyclic, and close is what frees it
    monkeypatch.setattr(DynamoModel, "close", lambda self: None)
    assert len(_cyclic_tree_garbage(tmp_path)) > 50
