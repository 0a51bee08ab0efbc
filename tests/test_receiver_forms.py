"""Receiver forms of issue 4: sessions handed around, botocore sessions, dataclass fields and class
attributes, cached factories, `typing.cast`, and boto3-stubs TypedDict requests; of issue 14:
proxies whose `__getattr__` forwards to a receiver, and instances of project classes that do not
define the called method (judged by their keywords alone).

Each must-fire form is checked twice: in the model (receiver kind, table, region) and end to end
(a blind `update_item` through it is a DDB101 naming the table). Lookalikes must stay silent.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from ddblint import cli, config, registry
from ddblint.dynamo import UNKNOWN, DynamoModel

BLIND = 'Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1}'
GUARDED = ('Key={"pk": k}, UpdateExpression="SET a = :a, version = :n", ConditionExpression="version = :v", '
           'ExpressionAttributeValues={":a": 1, ":v": v, ":n": v + 1}')


def model(source: str) -> DynamoModel:
    settings = config.load_settings(None, registry.defaults())
    return DynamoModel(cst.parse_module(textwrap.dedent(source)), Path("app.py"), settings)


def lint(tmp_path: Path, source: str):
    path = tmp_path / "app.py"
    path.write_text(textwrap.dedent(source))
    out = tmp_path / "out.json"
    cli.main(["check", str(path), "--output-format", "json", "-o", str(out), "-q", "--select", "DDB101"])
    return json.loads(out.read_text())


# name -> (source with one blind update_item, receiver kind, table, region)
FIRES = {
    # 1. sessions handed around
    "session-param-qualified": ('''
        import boto3.session
        def repo(session: boto3.session.Session):
            return session.resource("dynamodb").Table("t")
        def save(session, k):
            repo(session).update_item(BLIND)
    ''', "table", "t", None),
    "session-param-from-boto3": ('''
        from boto3 import Session
        def save(session: Session, k):
            session.client("dynamodb", region_name="eu-west-1").update_item(TableName="t", BLIND)
    ''', "client", "t", "eu-west-1"),
    "session-param-string-annotation": ('''
        from boto3.session import Session
        def save(session: "Session", k):
            session.resource("dynamodb").Table("t").update_item(BLIND)
    ''', "table", "t", None),
    "session-on-self": ('''
        from boto3.session import Session
        class Repo:
            def __init__(self, session: Session):
                self.session = session
                self.table = self.session.resource("dynamodb").Table("t")
            def save(self, k):
                self.table.update_item(BLIND)
    ''', "table", "t", None),
    "session-annotated-region-flows": ('''
        import boto3
        def repo(session: boto3.Session):
            return session.resource("dynamodb").Table("t")
        def save(k):
            repo(boto3.Session(region_name="eu-west-1")).update_item(BLIND)
    ''', "table", "t", "eu-west-1"),
    "session-unannotated-call-sites": ('''
        import boto3
        def save(session, k):
            session.resource("dynamodb").Table("t").update_item(BLIND)
        save(boto3.Session(region_name="eu-west-1"), "a")
        save(session=boto3.session.Session(region_name="eu-west-1"), k="b")
    ''', "table", "t", "eu-west-1"),
    "session-unannotated-init": ('''
        import boto3
        class Repo:
            def __init__(self, session):
                self.table = session.resource("dynamodb").Table("t")
            def save(self, k):
                self.table.update_item(BLIND)
        repo = Repo(boto3.Session(region_name="eu-west-1"))
    ''', "table", "t", "eu-west-1"),
    # 2. botocore sessions
    "botocore-get-session": ('''
        import botocore.session
        def save(k):
            c = botocore.session.get_session().create_client("dynamodb", region_name="eu-west-1")
            c.update_item(TableName="t", BLIND)
    ''', "client", "t", "eu-west-1"),
    "botocore-session-class": ('''
        from botocore.session import Session
        def save(k):
            Session().create_client("dynamodb", region_name="eu-west-1").update_item(TableName="t", BLIND)
    ''', "client", "t", "eu-west-1"),
    # 3. dataclass fields and class attributes
    "dataclass-default-factory": ('''
        from dataclasses import dataclass, field
        import boto3
        @dataclass
        class Repo:
            table: "Table" = field(default_factory=lambda: boto3.resource("dynamodb", region_name="eu-west-1").Table("t"))
            def save(self, k):
                self.table.update_item(BLIND)
    ''', "table", "t", "eu-west-1"),
    "dataclass-default-factory-function": ('''
        import dataclasses
        import boto3
        def make_table():
            return boto3.resource("dynamodb").Table("t")
        @dataclasses.dataclass
        class Repo:
            table: object = dataclasses.field(default_factory=make_table)
            def save(self, k):
                self.table.update_item(BLIND)
    ''', "table", "t", None),
    "dataclass-stub-table": ('''
        from dataclasses import dataclass
        from mypy_boto3_dynamodb.service_resource import Table
        @dataclass
        class Repo:
            table: Table
            def save(self, k):
                self.table.update_item(BLIND)
    ''', "table", UNKNOWN, None),
    "dataclass-stub-client": ('''
        from dataclasses import dataclass
        from mypy_boto3_dynamodb import DynamoDBClient
        @dataclass
        class Repo:
            client: DynamoDBClient
            def save(self, k):
                self.client.update_item(TableName="t", BLIND)
    ''', "client", "t", None),
    "dataclass-stub-resource": ('''
        from dataclasses import dataclass
        from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource
        @dataclass
        class Repo:
            dynamodb: "DynamoDBServiceResource"
            def save(self, k):
                self.dynamodb.Table("t").update_item(BLIND)
    ''', "table", "t", None),
    "class-attribute-self": ('''
        import boto3
        class Repo:
            table = boto3.resource("dynamodb", region_name="eu-west-1").Table("t")
            def save(self, k):
                self.table.update_item(BLIND)
    ''', "table", "t", "eu-west-1"),
    "class-attribute-class": ('''
        import boto3
        class Repo:
            table = boto3.resource("dynamodb").Table("t")
        def save(k):
            Repo.table.update_item(BLIND)
    ''', "table", "t", None),
    # 4. cached factories
    "lru-cache-call": ('''
        import boto3
        from functools import lru_cache
        @lru_cache(maxsize=None)
        def get_table():
            return boto3.resource("dynamodb").Table("t")
        def save(k):
            get_table().update_item(BLIND)
    ''', "table", "t", None),
    "lru-cache-bare": ('''
        import boto3
        from functools import lru_cache
        @lru_cache
        def get_table():
            return boto3.resource("dynamodb").Table("t")
        def save(k):
            get_table().update_item(BLIND)
    ''', "table", "t", None),
    "cache": ('''
        import boto3
        from functools import cache
        @cache
        def get_table():
            return boto3.resource("dynamodb").Table("t")
        def save(k):
            get_table().update_item(BLIND)
    ''', "table", "t", None),
    # 5. typing.cast
    "cast-string": ('''
        from typing import cast
        from mypy_boto3_dynamodb.service_resource import Table
        def save(x, k):
            cast("Table", x).update_item(BLIND)
    ''', "table", UNKNOWN, None),
    "cast-type": ('''
        import typing
        from mypy_boto3_dynamodb.service_resource import Table
        def save(x, k):
            t = typing.cast(Table, x)
            t.update_item(BLIND)
    ''', "table", UNKNOWN, None),
    "cast-qualified-string": ('''
        from typing import cast
        def save(x, k):
            cast("mypy_boto3_dynamodb.service_resource.Table", x).update_item(BLIND)
    ''', "table", UNKNOWN, None),
    # 6. boto3-stubs TypedDict requests
    "typeddict-annotated": ('''
        import boto3
        from mypy_boto3_dynamodb.type_defs import UpdateItemInputTableUpdateItemTypeDef
        table = boto3.resource("dynamodb").Table("t")
        def save(k):
            req: UpdateItemInputTableUpdateItemTypeDef = {BLIND_DICT}
            table.update_item(**req)
    ''', "table", "t", None),
    "typeddict-call": ('''
        import boto3
        from mypy_boto3_dynamodb.type_defs import UpdateItemInputTableUpdateItemTypeDef
        table = boto3.resource("dynamodb").Table("t")
        def save(k):
            req = UpdateItemInputTableUpdateItemTypeDef(BLIND)
            table.update_item(**req)
    ''', "table", "t", None),
    "typeddict-call-types-boto3": ('''
        import boto3
        from types_boto3_dynamodb import type_defs
        client = boto3.client("dynamodb")
        def save(k):
            req = type_defs.UpdateItemInputTypeDef(TableName="t", BLIND)
            client.update_item(**req)
    ''', "client", "t", None),
    "dict-call-merged": ('''
        import boto3
        table = boto3.resource("dynamodb").Table("t")
        def save(k):
            base = dict(Key={"pk": k})
            table.update_item(**{**base, "UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": 1}})
    ''', "table", "t", None),
    # 7. proxies and DAOs (issue 14): a class whose `__getattr__` forwards to a receiver is that receiver
    "proxy-threading-local": ('''
        import threading
        import boto3
        class DynamoDBTable(threading.local):
            def __init__(self):
                self._table = boto3.resource("dynamodb", region_name="eu-west-1").Table("t")
            def __getattr__(self, name):
                return getattr(self._table, name)
        orders = DynamoDBTable()
        def save(k):
            orders.update_item(BLIND)
    ''', "table", "t", "eu-west-1"),
    "proxy-lazy-getattr": ('''
        import threading
        import boto3
        class LazyTable(threading.local):
            def __init__(self):
                self._table = None
            def __getattr__(self, name):
                if name.startswith("__"):
                    raise AttributeError(name)
                if self._table is None:
                    self._table = boto3.resource("dynamodb").Table("t")
                return getattr(self._table, name)
        def save(k):
            LazyTable().update_item(BLIND)
    ''', "table", "t", None),
    "proxy-getattr-in-base": ('''
        import boto3
        class Forwarding:
            def __getattr__(self, attr):
                return getattr(self.client, attr)
        class Store(Forwarding):
            def __init__(self):
                self.client = boto3.client("dynamodb")
        class Repo:
            def __init__(self):
                self.store = Store()
            def save(self, k):
                self.store.update_item(TableName="t", BLIND)
    ''', "client", "t", None),
    # an instance of a project class that does not define the method: judged by its keywords
    "dao-attribute-is-a-wrapper": ('''
        from lib.dynamo import TableWrapper
        class Wrapper(TableWrapper):
            def describe(self):
                return "orders"
        class Dao:
            def __init__(self):
                self.table = Wrapper()
            def save(self, k):
                self.table.update_item(BLIND)
    ''', "unknown", UNKNOWN, None),
    "dao-inherited-from-unseen-base": ('''
        from lib.dynamo import BaseTable
        class Orders(BaseTable):
            def save(self, k):
                self.update_item(BLIND)
    ''', "unknown", UNKNOWN, None),
    # a DAO's own `update_item` is not DynamoDB's, but the DynamoDB call inside it is judged
    "dao-own-method-inner-call": ('''
        import boto3
        class Dao:
            def __init__(self):
                self.table = boto3.resource("dynamodb").Table("t")
            def update_item(self, k, **changes):
                self.table.update_item(BLIND)
        def rename(dao: Dao, k, x):
            Dao().update_item(k, name=x)
            Dao().update_item(k=k, name=x)
    ''', "table", "t", None),
}

BLIND_DICT = '"Key": {"pk": k}, "UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": 1}'


def _source(template: str, args: str = BLIND, dict_args: str = BLIND_DICT) -> str:
    return template.replace("BLIND_DICT", dict_args).replace("BLIND", args)


@pytest.mark.parametrize("name", list(FIRES))
def test_form_is_a_receiver(name):
    source, kind, table, region = FIRES[name]
    m = model(_source(source))
    assert [(c.via, c.method) for c in m.calls] == [(kind, "update_item")], name
    op, = m.operations
    assert op.table == table or (table is UNKNOWN and op.table is UNKNOWN)
    assert m.calls[0].region == region
    assert m.guard(op).status == "unguarded"


@pytest.mark.parametrize("name", list(FIRES))
def test_blind_update_fires(tmp_path, name):
    source, _, table, region = FIRES[name]
    found = lint(tmp_path, _source(source))
    assert [d["code"] for d in found] == ["DDB101"], name
    if isinstance(table, str):
        assert f"`{table}`" in found[0]["message"]
    if region is not None:
        assert f"from {region}" in found[0]["message"]


GUARDED_DICT = ('"Key": {"pk": k}, "UpdateExpression": "SET a = :a, version = :n", '
                '"ConditionExpression": "version = :v", "ExpressionAttributeValues": {":a": 1, ":v": v, ":n": v + 1}')


@pytest.mark.parametrize("name", list(FIRES))
def test_guarded_update_is_silent(tmp_path, name):
    source, _, _, _ = FIRES[name]
    guarded = _source(source, GUARDED, GUARDED_DICT).replace("k):", "k, v=0):")  # every def takes k last
    if "dict-call-merged" in name:
        guarded = guarded.replace('"UpdateExpression": "SET a = :a"',
                                  '"ConditionExpression": "version = :v", "UpdateExpression": "SET version = :v + 1"')
    assert lint(tmp_path, guarded) == []


# -- lookalikes --------------------------------------------------------------------------------------
SILENT = {
    "dict-update": '''
        def save(k):
            params = {}
            params.update(Key={"pk": k}, UpdateExpression="SET a = :a")
    ''',
    "session-other-service": '''
        from boto3.session import Session
        def save(session: Session, k):
            session.resource("s3").Table("t").update_item(BLIND)
            session.client("sqs").update_item(TableName="t", BLIND)
    ''',
    "session-call-sites-other-service": '''
        import boto3
        def save(session, x):
            session.client("sqs").put_item(x)
        save(boto3.Session(), "a")
    ''',
    "cast-queue": '''
        from typing import cast
        def save(q, x):
            cast("Queue", q).put_item(x)
    ''',
    "dataclass-field-other-type": '''
        from dataclasses import dataclass, field
        class Store:
            def update_item(self, **kwargs):
                pass
        @dataclass
        class Repo:
            store: Store = field(default_factory=Store)
            queue: "Queue" = field(default=None)
            def save(self, k, x):
                self.store.update_item(BLIND)
                self.queue.put_item(x)
    ''',
    "cached-factory-other-service": '''
        import boto3
        from functools import lru_cache
        @lru_cache
        def get_s3():
            return boto3.resource("s3")
        def save(k):
            get_s3().Table("t").update_item(BLIND)
    ''',
    "typeddict-from-elsewhere": '''
        from mytypes import UpdateItemTypeDef
        def save(q, k):
            req = UpdateItemTypeDef(key=k)
            q.update_item(**req)
    ''',
    # proxies and DAOs (issue 14)
    "dao-positional-update-item": '''
        from lib.dao import BaseDao
        class Dao(BaseDao):
            pass
        def rename(k, x):
            Dao().update_item(k, name=x)
            Dao().update_item(k, Key=k, UpdateExpression="SET a = :a")
    ''',
    "dao-defines-the-method": '''
        class BaseDao:
            def update_item(self, **changes):
                pass
        class Dao(BaseDao):
            def save(self, k):
                self.update_item(BLIND)
        def save(k):
            Dao().update_item(BLIND)
    ''',
    "subclass-defines-the-method": '''
        class Base:
            def save(self, k):
                self.update_item(BLIND)
        class Impl(Base):
            def update_item(self, **changes):
                pass
    ''',
    "django-save-override": '''
        from django.db import models
        class Order(models.Model):
            def save(self, *args, **kwargs):
                super().save(*args, **kwargs)
        def create(k):
            Order(pk=k).save(update_fields=["pk"])
    ''',
    "queue-put-item": '''
        import queue
        class Work(queue.Queue):
            pass
        def enqueue(x):
            Work().put_item(x)
            Work().put_item(x, block=False)
    ''',
    "proxy-of-another-service": '''
        import boto3
        class S3Proxy:
            def __init__(self):
                self._s3 = boto3.client("s3")
            def __getattr__(self, name):
                return getattr(self._s3, name)
        def save(k):
            S3Proxy().update_item(BLIND)
    ''',
}


@pytest.mark.parametrize("name", list(SILENT))
def test_lookalike_is_silent(tmp_path, name):
    source = _source(SILENT[name])
    assert model(source).calls == [], name
    assert lint(tmp_path, source) == []


def test_mixed_call_sites_are_not_a_session():
    m = model(_source('''
        import boto3
        def save(session, k):
            session.resource("dynamodb").Table("t").update_item(BLIND)
        save(boto3.Session(), "a")
        save(make_session(), "b")
    '''))
    assert [c.via for c in m.calls] == ["unknown"]  # only its keywords say DynamoDB


def test_star_args_parameter_is_not_inferred():
    m = model(_source('''
        import boto3
        def save(*sessions, k):
            sessions.resource("dynamodb").Table("t").update_item(BLIND)
        save(boto3.Session(), k="a")
    '''))
    assert [c.via for c in m.calls] == ["unknown"]


# -- a key set in a branch that returns does not reach the code after it ---------------------------
# (found through the session forms: moto's `_read(client, ...)` helper, once `client` resolved,
# reported a KeyConditionExpression on its `scan`, set only on the `query` path that returns)
def _scan_param(body: str):
    source = f'''
        import boto3
        client = boto3.client("dynamodb")
        def read(operation, items):
            request = {{"TableName": "t"}}
{textwrap.indent(textwrap.dedent(body), " " * 12)}
            return client.scan(**request)
    '''
    scans = [op for op in model(source).operations if op.name == "Scan"]
    return scans[-1].param("KeyConditionExpression")


def test_key_set_in_returning_branch_is_absent_after_it():
    from ddblint.dynamo import ABSENT
    assert _scan_param('''
        if operation == "query":
            request["KeyConditionExpression"] = "pk = :k"
            return client.query(**request)
    ''') is ABSENT


@pytest.mark.parametrize("body", [
    # raise: a local except may catch it
    'try:\n    if operation:\n        request["KeyConditionExpression"] = "pk = :k"\n        raise KeyError\n'
    'except KeyError:\n    pass\n',
    # break leaves the block sideways
    'for i in items:\n    if operation:\n        request["KeyConditionExpression"] = "pk = :k"\n'
    '        if i:\n            break\n        return None\n',
    # a finally runs after the return
    'try:\n    if operation:\n        request["KeyConditionExpression"] = "pk = :k"\n        return None\n'
    'finally:\n    client.scan(**request)\n',
    # no return at all
    'if operation:\n    request["KeyConditionExpression"] = "pk = :k"\n',
])
def test_key_maybe_set_stays_unknown(body):
    assert _scan_param(body) is UNKNOWN


# -- proxies: what else reaches the target through `__getattr__` ---------------------------------------
def test_proxy_batch_writer_and_meta_client():
    m = model(_source('''
        import threading
        import boto3
        class DynamoDBTable(threading.local):
            def __init__(self):
                self._table = boto3.resource("dynamodb").Table("t")
            def __getattr__(self, name):
                return getattr(self._table, name)
        orders = DynamoDBTable()
        def load(items, k):
            with orders.batch_writer() as batch:
                batch.put_item(Item={"pk": k})
            orders.meta.client.update_item(TableName="t", BLIND)
    '''))
    assert [(c.via, c.method) for c in m.calls] == [("batch_writer", "put_item"), ("client", "update_item")]


@pytest.mark.parametrize("getattr_body", [
    "return self.__dict__[name]",  # not a forward
    "return getattr(self._table, name, None)",  # a default: not only the table
    "if name in self.cache:\n    return self.cache[name]\nreturn getattr(self._table, name)",  # not every return
])
def test_partial_forwarding_is_not_a_proxy(getattr_body):
    m = model(_source(f'''
        import boto3
        class Proxy:
            def __init__(self):
                self._table = boto3.resource("dynamodb").Table("t")
                self.cache = {{}}
            def __getattr__(self, name):
{textwrap.indent(getattr_body, " " * 16)}
        def save(k):
            Proxy().update_item(BLIND)
    '''))
    assert [c.via for c in m.calls] == ["unknown"]  # unresolved: only its keywords say DynamoDB


def test_recursive_getattr_is_not_followed_forever():
    m = model(_source('''
        class Proxy:
            def __getattr__(self, name):
                return getattr(self.inner, name)
        def save(k):
            Proxy().update_item(BLIND)
    '''))
    assert [c.via for c in m.calls] == ["unknown"]
