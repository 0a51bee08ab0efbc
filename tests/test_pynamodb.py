"""PynamoDB models read as text (ddblint/dynamo/pynamodb.py): recognition, operations, guards, the
lost-write rules judging each write at its call (DDB101, DDB102, DDB108, DDB109), and
the table/region rules (DDB201, DDB202, DDB301, DDB302, DDB304) on PynamoDB code."""
from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from conftest import lint_snippet, make_tree

from ddblint import config, registry
from ddblint.dynamo import ABSENT, DynamoModel, pynamodb
from ddblint.dynamo.values import UNKNOWN, EnvVar, Template
from ddblint.rule import Example

RULES = registry.all_rules()

MODELS = '''
import os
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, LocalSecondaryIndex
from pynamodb.models import Model


class EmailIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_email"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class CreatedIndex(LocalSecondaryIndex):
    class Meta:
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    created = NumberAttribute(range_key=True)


class Subscriber(Model):
    class Meta:
        table_name = "subscribers"
        region = "eu-west-1"

    pk = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    created = NumberAttribute()
    rev = VersionAttribute(attr_name="revision")
    email_index = EmailIndex()
    by_created = CreatedIndex()
'''


def model(source: str, toml: str = "", tmp_path: Path = None, filename: str = "app.py") -> DynamoModel:
    path = Path(filename)
    settings_path = None
    if toml:
        (tmp_path / "pyproject.toml").write_text(textwrap.dedent(toml))
        settings_path = tmp_path / "pyproject.toml"
        path = tmp_path / filename
    settings = config.load_settings(settings_path, registry.defaults())
    return DynamoModel(cst.parse_module(textwrap.dedent(source)), path, settings)


def ops(m: DynamoModel):
    return [(op.name, op.call.method) for op in m.operations]


def models(m: DynamoModel):
    return {found.name: found for found in m.pynamo_models()}


def lint(source: str, code: str, tmp_path: Path, toml: str = "", filename: str = "app.py"):
    """The findings of `code` on a file, with every default rule enabled (as the rule examples run)."""
    found = lint_snippet(source, tmp_path, toml=toml, filename=filename, select=[code])
    return [(d.location.row, d.code) for d in found if d.code == code]


# -- models ------------------------------------------------------------------------------------------
def test_model_meta_attributes_version_and_indexes():
    found = models(model(MODELS))
    assert set(found) == {"Subscriber"}  # index classes are not models
    subscriber = found["Subscriber"]
    assert subscriber.table == "subscribers" and subscriber.region == "eu-west-1" and subscriber.has_table
    assert subscriber.attributes == {"pk": "pk", "email": "email", "created": "created", "rev": "revision"}
    assert subscriber.version == "revision" and subscriber.complete
    assert subscriber.indexes == {"email_index": ("by_email", "global"), "by_created": ("by_created", "local")}


@pytest.mark.parametrize("table_name, expected", [
    ('"subscribers"', "subscribers"),
    ('TABLE', "prod-subscribers"),
    ('os.environ["SUBSCRIBERS_TABLE"]', EnvVar("SUBSCRIBERS_TABLE")),
    ('os.getenv("SUBSCRIBERS_TABLE")', EnvVar("SUBSCRIBERS_TABLE")),
    ('os.environ.get("SUBSCRIBERS_TABLE", "x")', EnvVar("SUBSCRIBERS_TABLE")),
    ('f"{STAGE}-subscribers"', "*-subscribers"),
    ('settings.TABLE', UNKNOWN),
])
def test_table_name_values(table_name, expected):
    m = model(f'''
        import os
        from pynamodb.models import Model
        TABLE = "prod-subscribers"
        STAGE = os.environ["STAGE"]
        class Subscriber(Model):
            class Meta:
                table_name = {table_name}
        Subscriber.get("a")
    ''')
    table = models(m)["Subscriber"].table
    assert (table.glob() if isinstance(table, Template) else table) == expected
    assert m.operations[0].table is table


def test_region_literal_else_the_configured_region(tmp_path):
    m = model('''
        import os
        from pynamodb.models import Model
        class Pinned(Model):
            class Meta:
                table_name = "a"
                region = "ap-southeast-2"
        class Configured(Model):
            class Meta:
                table_name = "b"
        class FromEnvironment(Model):
            class Meta:
                table_name = "c"
                region = os.environ["AWS_REGION"]
        Pinned.get(1)
        Configured.get(1)
        FromEnvironment.get(1)
    ''', '[tool.ddblint]\nregion = "us-east-1"\n', tmp_path)
    assert [(op.table, op.call.region) for op in m.operations] == [
        ("a", "ap-southeast-2"), ("b", "us-east-1"), ("c", None)]


def test_subclass_of_a_user_base_model_with_meta_in_the_base():
    m = model('''
        import pynamodb.models
        from pynamodb import attributes
        class Base(pynamodb.models.Model):
            class Meta:
                table_name = "subscribers"
                region = "eu-west-1"
            pk = attributes.UnicodeAttribute(hash_key=True)
            version = attributes.VersionAttribute()
        class Subscriber(Base):
            email = attributes.UnicodeAttribute()
        class Renamed(Base):
            class Meta(Base.Meta):
                region = "us-east-1"
        Subscriber(pk="a").save()
        Renamed(pk="b").save()
    ''')
    found = models(m)
    assert found["Subscriber"].table == "subscribers" and found["Subscriber"].version == "version"
    assert set(found["Subscriber"].attributes) == {"pk", "email", "version"}
    assert (found["Renamed"].table, found["Renamed"].region) == ("subscribers", "us-east-1")
    assert [(op.name, op.table, op.call.region) for op in m.operations] == [
        ("PutItem", "subscribers", "eu-west-1"), ("PutItem", "subscribers", "us-east-1")]


def test_an_attribute_class_we_cannot_see_leaves_the_version_unknown():
    found = models(model('''
        from pynamodb.models import Model
        from somewhere import MysteryAttribute
        class Subscriber(Model):
            class Meta:
                table_name = "subscribers"
            v = MysteryAttribute()
    '''))["Subscriber"]
    assert found.version is None and not found.version_known


def test_custom_attribute_classes():
    found = models(model('''
        from pynamodb.attributes import UnicodeAttribute, VersionAttribute
        from pynamodb.models import Model
        class Lowercase(UnicodeAttribute):
            pass
        class Revision(VersionAttribute):
            pass
        class Subscriber(Model):
            class Meta:
                table_name = "subscribers"
            email = Lowercase()
            revision = Revision()
    '''))["Subscriber"]
    assert found.attributes == {"email": "email", "revision": "revision"} and found.version == "revision"


def test_look_alikes_are_never_models():
    m = model('''
        from django.db import models
        from pynamodb.attributes import UnicodeAttribute

        class Model:
            def save(self, condition=None):
                pass
            @classmethod
            def get(cls, pk):
                return cls()

        class Article(models.Model):
            title = UnicodeAttribute()
            def publish(self):
                self.save()
                self.delete()

        class Plain(Model):
            class Meta:
                table_name = "x"

        def f(article: Article):
            article.save(update_fields=["title"])
            Model.get(1).save()
            Plain().save()
            Article.objects.get(pk=1).save()
    ''')
    assert models(m) == {}
    assert m.operations == []


def test_only_modules_about_pynamodb_use_the_orm_evaluator(tmp_path):
    plain = model('import boto3\nboto3.resource("dynamodb").Table("t").update_item(Key={})')
    assert not pynamodb.knows_pynamodb(plain._evaluator)
    assert pynamodb.knows_pynamodb(model(MODELS)._evaluator)


# -- instances and operations ------------------------------------------------------------------------
def test_instances_from_constructor_get_loops_annotations_and_self():
    m = model(MODELS + '''
from typing import Optional

class Helper:
    pass

def constructor():
    Subscriber(pk="a").save()

def fetched(pk):
    subscriber = Subscriber.get(pk)
    subscriber.update(actions=[Subscriber.email.set("x")])

def loops(pk):
    for s in Subscriber.query(pk):
        s.delete()
    for s in Subscriber.scan():
        s.save()
    for s in Subscriber.batch_get([pk]):
        s.refresh(consistent_read=True)
    for s in Subscriber.email_index.query("e"):
        s.delete()
    [s.save() for s in Subscriber.scan()]

def annotated(s: Subscriber, t: "Subscriber", u: Optional[Subscriber]):
    s.save()
    t.save()
    u.save()

def returned(pk) -> None:
    load(pk).save()

def load(pk):
    return Subscriber.get(pk)

class Extended(Subscriber):
    def touch(self):
        self.update(actions=[Extended.created.add(1)])

    @classmethod
    def fetch(cls, pk):
        return cls.get(pk)
''')
    writes = [(op.name, op.call.method, op.model.name) for op in m.operations
              if op.name in ("PutItem", "UpdateItem", "DeleteItem")]
    assert writes == [
        ("PutItem", "save", "Subscriber"),
        ("UpdateItem", "update", "Subscriber"),
        ("DeleteItem", "delete", "Subscriber"),
        ("PutItem", "save", "Subscriber"),
        ("DeleteItem", "delete", "Subscriber"),
        ("PutItem", "save", "Subscriber"),
        ("PutItem", "save", "Subscriber"),
        ("PutItem", "save", "Subscriber"),
        ("PutItem", "save", "Subscriber"),
        ("UpdateItem", "update", "Extended"),
    ]
    assert all(op.call.via == "pynamodb" and op.orm == "pynamodb" for op in m.operations)
    assert all(op.table == "subscribers" and op.call.region == "eu-west-1" for op in m.operations)


def test_reads_expose_consistent_read_and_index_name():
    m = model(MODELS + '''
Subscriber.get("a", consistent_read=True)
Subscriber.get("a", None, True)
Subscriber.query("a", consistent_read=True, index_name="by_created")
Subscriber.query("a", None, None, False, "by_email")
Subscriber.scan(consistent_read=True)
Subscriber.email_index.query("e", consistent_read=True)
Subscriber.by_created.scan()
Subscriber.batch_get(["a"], consistent_read=True)
Subscriber.count("a", consistent_read=True)
Subscriber.count()
''')
    found = [(op.name, op.param("ConsistentRead"), op.param("IndexName")) for op in m.operations]
    assert [(name, read if read is True or read is False else None, index if isinstance(index, str) else None)
            for name, read, index in found] == [
        ("GetItem", True, None), ("GetItem", True, None),
        ("Query", True, "by_created"), ("Query", False, "by_email"),
        ("Scan", True, None), ("Query", True, "by_email"), ("Scan", None, "by_created"),
        ("BatchGetItem", True, None), ("Query", True, None),
    ]
    facts = m.facts(m.operations[0])
    assert facts.index_kind("by_email") == "global" and facts.index_kind("by_created") == "local"


def test_batch_write_with_and_assigned():
    m = model(MODELS + '''
def load(items, gone):
    with Subscriber.batch_write() as batch:
        for item in items:
            batch.save(Subscriber(**item))
        batch.delete(gone)
    writer = Subscriber.batch_write(auto_commit=False)
    writer.save(items[0])
    writer.commit()
''')
    assert ops(m) == [("BatchWriteItem", "save"), ("BatchWriteItem", "delete"), ("BatchWriteItem", "save")]
    saved = m.operations[0].param("Item")
    assert set(saved.entries) == {"pk", "email", "created", "revision"}
    assert m.operations[1].param("Item") is ABSENT  # a delete writes no item


def test_transact_write_entries():
    m = model(MODELS + '''
from pynamodb.connection import Connection
from pynamodb.transactions import TransactGet, TransactWrite

def move(a: Subscriber, b: Subscriber):
    connection = Connection(region="us-east-1")
    with TransactWrite(connection=connection) as tx:
        tx.save(a)
        tx.update(b, actions=[Subscriber.email.set("x")], add_version_condition=False)
        tx.delete(a, condition=Subscriber.email == "y")
        tx.condition_check(Subscriber, "pk", condition=Subscriber.email.exists())
    with TransactGet() as tg:
        tg.get(Subscriber, "pk")
''')
    assert ops(m) == [("PutItem", "save"), ("UpdateItem", "update"), ("DeleteItem", "delete"),
                      ("ConditionCheck", "condition_check"), ("GetItem", "get")]
    assert all(op.in_transaction and op.table == "subscribers" for op in m.operations)
    # a transaction runs in its connection's region, not the models' Meta.region
    assert [op.call.region for op in m.operations] == ["us-east-1"] * 4 + [None]
    put, update, delete, check, _ = m.operations
    assert m.guard(put).status == "guarded"  # TransactWrite.save always adds the version condition
    assert m.guard(update).status == "unguarded"
    assert m.guard(delete).status == "guarded"
    assert update.add_version_condition.value is False


# -- guards --------------------------------------------------------------------------------------------
GUARDS = '''
from pynamodb.attributes import UnicodeAttribute, VersionAttribute
from pynamodb.models import Model

class Versioned(Model):
    class Meta:
        table_name = "versioned"
    pk = UnicodeAttribute(hash_key=True)
    state = UnicodeAttribute()
    version = VersionAttribute()

class Plain(Model):
    class Meta:
        table_name = "plain"
    pk = UnicodeAttribute(hash_key=True)
    state = UnicodeAttribute()
    note = UnicodeAttribute()
'''


@pytest.mark.parametrize("call, status", [
    ("Versioned(pk='a').save()", "guarded"),
    ("Versioned(pk='a').update(actions=[Versioned.state.set('x')])", "guarded"),
    ("Versioned(pk='a').delete()", "guarded"),
    ("Versioned(pk='a').save(add_version_condition=False)", "unguarded"),
    ("Versioned(pk='a').delete(add_version_condition=False)", "unguarded"),
    ("Versioned(pk='a').save(add_version_condition=flag)", "guarded"),
    ("Plain(pk='a').save()", "unguarded"),
    ("Plain(pk='a').save(Plain.pk.does_not_exist())", "guarded"),
    ("Plain(pk='a').save(condition=~Plain.pk.exists())", "guarded"),
    ("Plain(pk='a').save(condition=Plain.pk.does_not_exist() | (Plain.state == 'new'))", "guarded"),
    ("Plain(pk='a').update(actions=[Plain.state.set('done')], condition=Plain.state == 'pending')", "guarded"),
    ("Plain(pk='a').update(actions=[Plain.note.set('n')], condition=Plain.state == 'pending')", "unguarded"),
    ("Plain(pk='a').update(actions=[Plain.note.set('n')], condition=Plain.state.is_in('a', 'b'))", "unguarded"),
    ("Plain(pk='a').update(actions=[Plain.note.set('n')], condition=Plain.note.between(1, 2))", "guarded"),
    ("Plain(pk='a').update(actions=[Plain.note.remove()], condition=('x' == Plain.note) & Plain.pk.exists())",
     "guarded"),
    ("Plain(pk='a').update(actions=[Plain.note.set('n')], condition=Plain.pk.exists())", "unguarded"),
    ("Plain(pk='a').update(actions=acts, condition=Plain.state == 'p')", "guarded"),  # unresolved actions
    ("Plain(pk='a').update(actions=[Plain.note.set('n')], condition=cond)", "unknown"),
    ("Plain(pk='a').delete(condition=Plain.state == 'old')", "guarded"),
    ("Plain(pk='a').save(**options)", "unknown"),
])
def test_guards(call, status):
    m = model(GUARDS + f"\ndef f(flag, acts, cond, options):\n    {call}\n")
    op, = m.operations
    assert m.guard(op).status == status


def test_condition_built_before_the_call():
    m = model(GUARDS + '''
def f(pk):
    condition = Plain.pk.does_not_exist()
    condition = condition | (Plain.state == "new")
    Plain(pk=pk).save(condition=condition)
''')
    assert m.guard(m.operations[0]).status == "guarded"


def test_update_actions_give_the_written_attributes():
    m = model(GUARDS + '''
def f(item: Versioned, later):
    item.update(actions=[Versioned.state.set(Versioned.state + 1), Versioned.pk.remove()])
    actions = [Versioned.state.set(1)]
    actions.append(later)
    item.update(actions=actions)
''')
    first, second = m.operations
    assert m.written_attributes(first) == {"state", "pk", "version"}
    assert m.set_attributes(first) == {"state", "version"}
    assert m.written_attributes(second) is UNKNOWN  # changed after it was built


def test_add_version_condition_is_recorded():
    m = model(GUARDS + "\nVersioned(pk='a').save(add_version_condition=False)\nVersioned(pk='b').save()\n")
    flagged, plain = m.operations
    assert flagged.add_version_condition.value is False and plain.add_version_condition is None


# -- across modules ----------------------------------------------------------------------------------
def test_models_imported_from_another_module(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(textwrap.dedent('''
        from pynamodb.attributes import UnicodeAttribute
        from pynamodb.models import Model
        class Subscriber(Model):
            class Meta:
                table_name = "subscribers"
                region = "eu-west-1"
            pk = UnicodeAttribute(hash_key=True)
    '''))
    m = model('''
        from app.models import Subscriber
        def f(pk):
            Subscriber.get(pk).save()
    ''', "[tool.ddblint]\n", tmp_path, "app/service.py")
    assert pynamodb.knows_pynamodb(m._evaluator)
    assert sorted((op.name, op.table, op.call.region) for op in m.operations) == [
        ("GetItem", "subscribers", "eu-west-1"), ("PutItem", "subscribers", "eu-west-1")]
    assert m.pynamo_models() == []  # defined elsewhere: DDB108 reports it there


def test_ddb108_on_a_model_written_in_another_module_is_reported_at_its_class(tmp_path, capsys):
    """The model lives in models.py, which never writes; service.py saves its instances: the cause
    is reported at the class (SPEC §5), the write itself is DDB102 in service.py."""
    from ddblint import cli

    model_source = textwrap.dedent('''
        from pynamodb.attributes import UnicodeAttribute{extra}
        from pynamodb.models import Model
        class Widget(Model):
            class Meta:
                table_name = "widgets"
            widget_id = UnicodeAttribute(hash_key=True)
            colour = UnicodeAttribute(){version}
    ''')
    (tmp_path / "pyproject.toml").write_text("[tool.ddblint]\n")
    (tmp_path / "service.py").write_text(textwrap.dedent('''
        from models import Widget

        def recolour(widget_id, colour):
            Widget(widget_id, colour=colour).save()

        def create(widget_id):
            Widget(widget_id, colour="red").save(condition=Widget.widget_id.does_not_exist())
    '''))
    for version, expected in (("", ["models.py:4:7: DDB108", "service.py:5:5: DDB102"]),
                              ("\n    version = VersionAttribute()", [])):
        (tmp_path / "models.py").write_text(model_source.format(
            extra=", VersionAttribute" if version else "", version=version))
        cli.main(["check", "--no-cache", "--output-format", "concise", "--select", "DDB108,DDB102", str(tmp_path)])
        out = capsys.readouterr().out
        assert [line.split(" PynamoDB")[0].replace(str(tmp_path) + "/", "") for line in out.splitlines()] == expected
        if expected:
            assert "`Widget` (table `widgets`) has no VersionAttribute, and `service.py` writes" in out
            assert "`save()`" in out


def test_a_model_imported_from_another_module_in_a_large_run(tmp_path, capsys):
    """Past FOLLOW_IMPORTS_ALWAYS files, imports are followed only when a checked file mentions
    pynamodb: here models.py does, so service.py (which does not) is still analysed."""
    from ddblint import cli, runner

    (tmp_path / "pyproject.toml").write_text("[tool.ddblint]\n")
    for i in range(runner.FOLLOW_IMPORTS_ALWAYS + 5):
        (tmp_path / f"filler_{i}.py").write_text(f"import os\nVALUE = {i}\n")
    (tmp_path / "models.py").write_text(textwrap.dedent('''
        from pynamodb.attributes import UnicodeAttribute
        from pynamodb.models import Model
        class Widget(Model):
            class Meta:
                table_name = "widgets"
            widget_id = UnicodeAttribute(hash_key=True)
    '''))
    (tmp_path / "service.py").write_text("from models import Widget\n\ndef f(w):\n    Widget(w).save()\n")
    cli.main(["check", "--no-cache", "-v", "--jobs", "1", "--output-format", "concise", "--select", "DDB108",
              str(tmp_path)])
    out, err = capsys.readouterr()
    assert [line.split(" PynamoDB")[0].replace(str(tmp_path) + "/", "") for line in out.splitlines()] == \
        ["models.py:4:7: DDB108"]
    assert ", 2 to analyse," in err  # models.py and service.py; the fillers stop at the prefilter


# -- the other rules on PynamoDB code --------------------------------------------------------------------
REGISTRY = '''
[tool.ddblint.deployments]
"jobs/**" = "us-east-1"

[tool.ddblint.tables.subscribers]
mode = "global"
home-region = "eu-west-1"
replicas = ["eu-west-1", "us-east-1"]
'''

JOB_MODEL = '''
from pynamodb.attributes import UnicodeAttribute, VersionAttribute
from pynamodb.models import Model

class Subscriber(Model):
    class Meta:
        table_name = "subscribers"

    pk = UnicodeAttribute(hash_key=True)
    version = VersionAttribute()
'''


def marked(source: str, code: str):
    """The (row, code) pairs the source marks with `# expect: CODE`, as rule examples do."""
    return [(row, c) for row, c in Example(source).expected() if c == code]


def test_ddb201_and_ddb202_on_pynamodb_batch_write(tmp_path):
    source = JOB_MODEL + '''
def restore(items):
    with Subscriber.batch_write() as batch:
        for item in items:
            batch.save(Subscriber(**item))  # expect: DDB201, DDB202
'''
    for code in ("DDB201", "DDB202"):
        assert lint(source, code, tmp_path, REGISTRY, "jobs/restore.py") == marked(source, code)
    # no VersionAttribute, an unregistered table, in its home region: neither fires
    quiet = source.replace("    version = VersionAttribute()\n", "")
    assert lint(quiet, "DDB202", tmp_path, "", "jobs/restore.py") == []
    assert lint(source, "DDB201", tmp_path, REGISTRY, "services/restore.py") == []


def test_ddb301_on_a_pynamodb_global_index_without_registry(tmp_path):
    source = MODELS + '''
def lookup(email, pk):
    for s in Subscriber.email_index.query(email, consistent_read=True):  # expect: DDB301
        yield s
    Subscriber.query(pk, consistent_read=True, index_name="by_email")  # expect: DDB301
    Subscriber.by_created.query(pk, consistent_read=True)
    Subscriber.query(pk, consistent_read=True, index_name="by_created")
    Subscriber.email_index.query(email)
'''
    assert lint(source, "DDB301", tmp_path) == marked(source, "DDB301")


def test_ddb302_on_pynamodb_reads(tmp_path):
    source = JOB_MODEL + '''
def current(pk):
    Subscriber.get(pk, consistent_read=True)  # expect: DDB302
    for s in Subscriber.query(pk, consistent_read=True):  # expect: DDB302
        s.refresh(consistent_read=True)  # expect: DDB302
    Subscriber.get(pk)
'''
    assert lint(source, "DDB302", tmp_path, REGISTRY, "jobs/lookup.py") == marked(source, "DDB302")
    pinned = source.replace('table_name = "subscribers"', 'table_name = "subscribers"\n        region = "eu-west-1"')
    assert lint(pinned, "DDB302", tmp_path, REGISTRY, "jobs/lookup.py") == []


def test_ddb304_on_a_pynamodb_transaction(tmp_path):
    source = JOB_MODEL + '''
from pynamodb.transactions import TransactWrite

def move(a: Subscriber):
    with TransactWrite(connection=None) as tx:
        tx.save(a)  # expect: DDB304
'''
    found = lint(source, "DDB304", tmp_path, '[tool.ddblint.tables.subscribers]\nmode = "mrsc"\n')
    assert found == marked(source, "DDB304")


def test_lost_write_rules_judge_each_pynamodb_write_at_its_call(tmp_path):
    """SPEC §3: a rule code follows the operation. The writes are DDB101/DDB102 at their calls, the
    model without a VersionAttribute is DDB108 at its class, and `add_version_condition=False` on a
    versioned model is DDB109 alone (DDB101/DDB102 give way to it). The expression rules stay silent."""
    source = '''
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.models import Model

class Plain(Model):  # expect: DDB108
    class Meta:
        table_name = "plain"
    pk = UnicodeAttribute(hash_key=True)
    version = NumberAttribute()

class Versioned(Model):
    class Meta:
        table_name = "versioned"
    pk = UnicodeAttribute(hash_key=True)
    version = VersionAttribute()

def f(p: Plain, v: Versioned):
    for item in Plain.query("a", limit=10, page_size=5, scan_index_forward=False, consistent_read=True):
        item.refresh()
    Versioned.scan(filter_condition=Versioned.pk.startswith("a"), limit=3, attributes_to_get=["pk"])
    p.save()  # expect: DDB102
    p.save()  # expect: DDB102
    p.update(actions=[Plain.version.add(1)])  # expect: DDB101
    p.update(actions=[Plain.pk.set("x")], condition=Plain.version == 3)
    v.update(actions=[Versioned.pk.set("y")], add_version_condition=False)  # expect: DDB109
    v.save(add_version_condition=False)  # expect: DDB109
    v.save()
'''
    for code in ("DDB103", "DDB104", "DDB401", "DDB402", "DDB403", "DDB404", "DDB405", "DDB406"):
        if code in RULES:
            assert lint(source, code, tmp_path) == [], code
    for code in ("DDB101", "DDB102", "DDB108", "DDB109"):
        assert lint(source, code, tmp_path) == marked(source, code), code


def test_super_in_a_models_own_methods():
    m = model(GUARDS + '''
class Stamped(Plain):
    def save(self, *args, **kwargs):
        self.note = "saved"
        return super().save(*args, **kwargs)

    def remove(self):
        super(Stamped, self).delete()

class Other:
    def save(self):
        super().save()

def use(item: Stamped):
    item.save()  # the override hands the caller's condition on: the caller's call is the write
    item.update(actions=[Plain.note.set("x")])
''')
    assert [(op.name, op.model.name) for op in m.operations] == [
        ("PutItem", "Stamped"), ("DeleteItem", "Stamped"), ("PutItem", "Stamped"), ("UpdateItem", "Stamped")]
    statuses = [m.guard(op).status for op in m.operations]
    assert statuses == ["unknown", "unguarded", "unguarded", "unguarded"]  # *args/**kwargs may carry a condition


@pytest.mark.parametrize("override, judged", [
    ("def save(self, *args, **kwargs):\n        return super().save(*args, **kwargs)", "caller"),
    ("def save(self, condition=None, **kwargs):\n        return super().save(condition=condition, **kwargs)",
     "caller"),
    ("def save(self, condition=None):\n        return super().save(condition)", "caller"),
    # swallowed: the super() call is the write
    ("def save(self, condition=None, **kwargs):\n        return super().save()", "super"),
    ("def save(self, condition=None):\n        condition = None\n        return super().save(condition=condition)",
     "super"),
    # something else decides what is sent: neither is judged
    ("def save(self, condition=None):\n        return self.store(condition)", "none"),
    ("def save(self, **kwargs):\n        kwargs.pop('condition', None)\n        return super().save(**kwargs)",
     "none"),
])
def test_overrides_that_hand_on_or_swallow_the_condition(override, judged):
    m = model(GUARDS + f"""
class Stamped(Plain):
    {override}

def use(item: Stamped):
    item.save()
""")
    unguarded = [op.call.site.function.name.value for op in m.operations if m.guard(op).unguarded]
    assert unguarded == {"caller": ["use"], "super": ["save"], "none": []}[judged]


# -- issue 14: each write judged at its call; DDB108 the cause at the class --------------------------
def test_deletes_are_delete_item_operations_with_guard_semantics():
    """DDB105 is written over DeleteItem operations: a PynamoDB delete must look like one."""
    m = model(GUARDS + '''
from pynamodb.transactions import TransactWrite

def f(p: Plain, v: Versioned):
    p.delete()
    p.delete(condition=Plain.state == "old")
    p.delete(condition=Plain.pk.exists())
    v.delete()
    with TransactWrite() as tx:
        tx.delete(p)
        tx.delete(v)
''')
    found = [(op.name, op.in_transaction, op.model.name, m.guard(op).status) for op in m.operations]
    assert found == [
        ("DeleteItem", False, "Plain", "unguarded"),
        ("DeleteItem", False, "Plain", "guarded"),  # an equality pins the item a delete removes
        ("DeleteItem", False, "Plain", "unguarded"),  # an existence check is no guard
        ("DeleteItem", False, "Versioned", "guarded"),  # PynamoDB's own version condition
        ("DeleteItem", True, "Plain", "unguarded"),
        ("DeleteItem", True, "Versioned", "guarded"),
    ]
    assert all(op.table in ("plain", "versioned") and op.param("Item") is ABSENT for op in m.operations)


def test_writes_of_an_abstract_base_model_are_not_judged():
    """`self.save()` in a model without a table of its own: the concrete subclasses may add a VersionAttribute."""
    m = model('''
        from pynamodb.attributes import UnicodeAttribute
        from pynamodb.models import Model
        class Base(Model):
            pk = UnicodeAttribute(hash_key=True)
            def touch(self):
                self.save()
                self.update(actions=[Base.pk.set("x")])
    ''')
    assert [m.guard(op).status for op in m.operations] == ["unknown", "unknown"]


def test_messages_name_the_model_its_method_and_table(tmp_path):
    source = GUARDS + '''
from pynamodb.transactions import TransactWrite

def f(p: Plain):
    p.save()
    with TransactWrite() as tx:
        tx.update(p, actions=[Plain.note.set("n")], condition=Plain.pk.exists())
'''
    found = lint_snippet(source, tmp_path, select=["DDB101", "DDB102"])
    messages = {d.code: d.message for d in found}
    assert messages["DDB102"].startswith("PynamoDB `Plain.save()` (PutItem) on `plain` has no version condition")
    assert "`condition=Plain.pk.does_not_exist()`" in messages["DDB102"]
    assert messages["DDB101"].startswith("PynamoDB `TransactWrite.update(Plain)` (TransactWriteItems Update entry) "
                                         "on `plain` has a condition")
    assert all(d.fix is None for d in found)  # the model's VersionAttribute is the fix, not an edit here


def test_ddb108_looks_for_writes_in_the_project_only_of_the_model_itself(tmp_path, capsys):
    """Guarded writes elsewhere, and a class of the same name from another module, make no DDB108."""
    from ddblint import cli

    (tmp_path / "pyproject.toml").write_text("[tool.ddblint]\n")
    (tmp_path / "models.py").write_text(textwrap.dedent('''
        from pynamodb.attributes import UnicodeAttribute
        from pynamodb.models import Model
        class Widget(Model):
            class Meta:
                table_name = "widgets"
            widget_id = UnicodeAttribute(hash_key=True)
    '''))
    (tmp_path / "legacy.py").write_text(textwrap.dedent('''
        class Widget:
            def save(self):
                pass
        def f(w: Widget):
            w.save()
    '''))
    (tmp_path / "create.py").write_text(textwrap.dedent('''
        from models import Widget
        def create(widget_id):
            Widget(widget_id).save(condition=Widget.widget_id.does_not_exist())
    '''))
    cache = tmp_path / "cache"

    def run():
        cli.main(["check", "--cache-dir", str(cache), "--output-format", "concise", "--select", "DDB108",
                  str(tmp_path)])
        return [line.split(" PynamoDB")[0].replace(str(tmp_path) + "/", "") for line in
                capsys.readouterr().out.splitlines() if "DDB108" in line]

    assert run() == []
    # a blind save appears in the writer: models.py's cached result depends on it
    (tmp_path / "create.py").write_text(textwrap.dedent('''
        from models import Widget
        def create(widget_id):
            Widget(widget_id).save()
    '''))
    assert run() == ["models.py:4:7: DDB108"]


# -- DDB108: models re-exported by their package, and warm runs (issue 14) ----------------------------
SUBSCRIBER_MODEL = textwrap.dedent('''
    from pynamodb.attributes import UnicodeAttribute
    from pynamodb.models import Model

    class Subscriber(Model):
        class Meta:
            table_name = "subscribers"
        pk = UnicodeAttribute(hash_key=True)
''').lstrip()


def _ddb108(ddblint_main, root: Path, *options: str) -> list:
    run = ddblint_main("check", *options, "--output-format", "concise", "--select", "DDB108", str(root))
    assert run.returncode in (0, 1), run.stderr
    return [line.split(" PynamoDB")[0].replace(str(root) + "/", "") for line in run.stdout.splitlines()
            if ": DDB108 " in line]


@pytest.mark.parametrize("reexport, exported", [
    ("from .subscriber import Subscriber", True),
    ("from app.models.subscriber import Subscriber as Subscriber\n", True),
    ("from .subscriber import *", True),
    ("from app.models.subscriber import *\n__all__ = ['Subscriber']", True),
    ("from .accounts import *\nfrom .subscriber import *", True),
    # the star import does not bring the model in: the writer's import names something else
    ("from .subscriber import *\nclass Subscriber:\n    def save(self):\n        pass", False),
    ("from .subscriber import _Subscriber as Subscriber", False),
])
def test_ddb108_on_a_model_its_package_re_exports(tmp_path, ddblint_main, reexport, exported):
    """The model lives in app/models/subscriber.py, app/models/__init__.py re-exports it, and
    app/service.py writes it as `from app.models import Subscriber`: its bytes name neither the
    model's module nor its file, yet it is a writer of the model (SPEC §5 DDB108)."""
    make_tree(tmp_path, {
        "pyproject.toml": "[tool.ddblint]\n",
        "app/__init__.py": "",
        "app/models/__init__.py": reexport + "\n",
        "app/models/subscriber.py": SUBSCRIBER_MODEL + "\nclass _Subscriber:\n    def save(self):\n        pass\n",
        "app/models/accounts.py": "__all__ = ['Account']\nAccount = None\nSubscriber = None\n",
        "app/service.py": '''
            from app.models import Subscriber

            def subscribe(pk):
                Subscriber(pk=pk).save()
        ''',
    })
    expected = ["app/models/subscriber.py:4:7: DDB108"] if exported else []
    assert _ddb108(ddblint_main, tmp_path, "--no-cache") == expected


def test_ddb108_re_exports_follow_only_the_model_itself(tmp_path, ddblint_main):
    """A class of the same name, re-exported by another package, is not the model: its writers
    make no DDB108, even when they name the model's package too."""
    make_tree(tmp_path, {
        "pyproject.toml": "[tool.ddblint]\n",
        "app/__init__.py": "",
        "app/models/__init__.py": "from .subscriber import *\nfrom .account import Account\n",
        "app/models/subscriber.py": SUBSCRIBER_MODEL,
        "app/models/account.py": "class Account:\n    pass\n",
        "app/legacy/__init__.py": "from .subscriber import *\n",
        "app/legacy/subscriber.py": "class Subscriber:\n    def save(self):\n        pass\n",
        "app/service.py": '''
            from app.legacy import Subscriber
            from app.models import Account

            def subscribe(pk, account: Account):
                Subscriber().save()
        ''',
    })
    assert _ddb108(ddblint_main, tmp_path, "--no-cache") == []
    # the same writer, importing the model: reported
    service = tmp_path / "app" / "service.py"
    service.write_text(service.read_text().replace("from app.legacy import Subscriber\nfrom app.models import Account",
                                                   "from app.models import Account, Subscriber"))
    assert _ddb108(ddblint_main, tmp_path, "--no-cache") == ["app/models/subscriber.py:4:7: DDB108"]


@pytest.mark.parametrize("home", ["models.py", "app/models/subscriber.py"])
def test_ddb108_warm_runs_see_writers_added_and_removed(tmp_path, ddblint_main, home):
    """The model's cached result depends on which files write it: a writer that appears (a new
    file, or a file that did not name the model before) or goes is seen by the next warm run."""
    package = home != "models.py"
    make_tree(tmp_path, {
        "pyproject.toml": "[tool.ddblint]\n",
        home: SUBSCRIBER_MODEL,
        **({"app/__init__.py": "", "app/models/__init__.py": "from .subscriber import Subscriber\n"}
           if package else {}),
        "reader.py": "def count(items):\n    return len(items)\n",
    })
    importer = "from app.models import Subscriber" if package else "from models import Subscriber"
    writer = f"{importer}\n\ndef subscribe(pk):\n    Subscriber(pk=pk).save()\n"
    cache = ("--cache-dir", str(tmp_path / "cache"))
    expected = [f"{home}:4:7: DDB108"]
    assert _ddb108(ddblint_main, tmp_path, *cache) == []
    (tmp_path / "service.py").write_text(writer)  # a new writer
    assert _ddb108(ddblint_main, tmp_path, *cache) == expected
    assert _ddb108(ddblint_main, tmp_path, *cache) == expected  # warm, nothing changed
    (tmp_path / "reader.py").write_text("def count(items):\n    return sum(1 for _ in items)\n")
    warm = ddblint_main("check", *cache, "-v", "--jobs", "1", "--select", "DDB108", str(tmp_path))
    assert ", 0 to analyse," in warm.stderr  # an edit that does not write the model: still cache hits
    (tmp_path / "service.py").unlink()
    assert _ddb108(ddblint_main, tmp_path, *cache) == []
    (tmp_path / "reader.py").write_text(writer)  # a file that did not name the model starts writing it
    assert _ddb108(ddblint_main, tmp_path, *cache) == expected
    (tmp_path / "reader.py").write_text(f"{importer}\n\ndef find(pk):\n    return Subscriber.get(pk)\n")
    assert _ddb108(ddblint_main, tmp_path, *cache) == []


# -- the writes themselves, in a module importing the model through a re-export or `*` ----------------
WRITER = '''
{imports}

def subscribe(pk):
    Subscriber(pk=pk).save()

def rename(pk):
    Subscriber(pk=pk).update(actions=[Subscriber.name.set("n")])

def unsubscribe(pk):
    Subscriber(pk=pk).delete()
'''
GUARDED_WRITES = ["app/service.py:4:5: DDB102", "app/service.py:7:5: DDB101", "app/service.py:10:5: DDB105"]


def _writes(ddblint_main, root: Path, files: dict) -> list:
    make_tree(root, {"pyproject.toml": '[tool.ddblint.tables.subscribers]\nmode = "global"\n',
                     "app/__init__.py": "", **files})
    run = ddblint_main("check", "--no-cache", "--output-format", "concise", "--select", "DDB101,DDB102,DDB105",
                       str(root))
    assert run.returncode in (0, 1), run.stderr
    return [line.split(" ")[0] + " " + line.split(" ")[1].rstrip(":")
            for line in run.stdout.replace(str(root) + "/", "").splitlines() if ": DDB10" in line]


@pytest.mark.parametrize("files, imports", [
    ({"app/models/__init__.py": "from .subscriber import Subscriber\n"}, "from app.models import Subscriber"),
    ({"app/models/__init__.py": "from .subscriber import *\n"}, "from app.models import Subscriber"),
    ({"app/models/__init__.py": "from app.models.subscriber import (\n    Subscriber,  # the model\n)\n"},
     "from app.models import Subscriber"),
    ({"app/models/__init__.py": "from .subscriber import Subscriber\n"}, "from app.models import *"),
    ({"app/models/__init__.py": "from .subscriber import *\n"}, "from app.models import *"),
    ({"app/models/__init__.py": "from .subscriber import Subscriber\n"}, "from .models import *"),
    # two packages up: app/__init__.py gathers what app/models gathers
    ({"app/models/__init__.py": "from .subscriber import *\n", "app/__init__.py": "from .models import Subscriber\n"},
     "from app import Subscriber"),
])
def test_writes_of_a_model_imported_through_a_re_export(tmp_path, ddblint_main, files, imports):
    """app/service.py names neither pynamodb nor the model's module: it is PynamoDB code because
    the package it imports re-exports a model from a module that is (SPEC §3), and its writes are
    judged at their calls, as if it imported the model's module itself."""
    found = _writes(ddblint_main, tmp_path, {
        **files,
        "app/models/subscriber.py": SUBSCRIBER_MODEL + "    name = UnicodeAttribute()\n",
        "app/service.py": WRITER.format(imports=imports),
    })
    assert found == GUARDED_WRITES


LEGACY_SUBSCRIBER = '''
class Subscriber:
    def __init__(self, **values):
        self.values = values

    def save(self):
        pass

    def update(self, actions=()):
        pass

    def delete(self):
        pass
'''
DJANGO_SUBSCRIBER = '''
from django.db import models

class Subscriber(models.Model):
    pk = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=64)
'''


@pytest.mark.parametrize("files, imports", [
    # a class of the same name, re-exported by another package of the project, in a module that
    # also imports a PynamoDB model: no model
    ({"app/legacy/__init__.py": "from .subscriber import Subscriber\n", "app/legacy/subscriber.py": LEGACY_SUBSCRIBER},
     "from app.models import Account\nfrom app.legacy import Subscriber"),
    ({"app/legacy/__init__.py": "from .subscriber import *\n", "app/legacy/subscriber.py": LEGACY_SUBSCRIBER},
     "from app.models import *\nfrom app.legacy import *"),
    # a Django model re-exported the same way, alone or beside a PynamoDB model
    ({"app/shop/__init__.py": "from .subscriber import Subscriber\n", "app/shop/subscriber.py": DJANGO_SUBSCRIBER},
     "from app.shop import Subscriber"),
    ({"app/shop/__init__.py": "from .subscriber import *\nfrom app.models import Account\n",
      "app/shop/subscriber.py": DJANGO_SUBSCRIBER},
     "from app.shop import *"),
    # a star import of a module that is not the project's: its names are not read
    ({}, "from pynamodb.models import Model\nfrom shop.models import *"),
    ({}, "from app.models import Account\nfrom subscribers import *"),
])
def test_no_writes_of_a_lookalike_imported_through_a_re_export(tmp_path, ddblint_main, files, imports):
    found = _writes(ddblint_main, tmp_path, {
        "app/models/__init__.py": "from .account import Account\n",
        "app/models/account.py": SUBSCRIBER_MODEL.replace("Subscriber", "Account").replace("subscribers", "accounts"),
        **files,
        "app/service.py": WRITER.format(imports=imports),
    })
    assert found == []


@pytest.mark.parametrize("imports, exported, fires", [
    ("from app.legacy import *\nfrom app.models import *", "", True),
    ("from app.models import *\nfrom app.legacy import *", "", False),
    # app/models lists what `*` exports, and leaves the model out: the older import's lookalike
    ("from app.legacy import *\nfrom app.models import *", "Account = None\n__all__ = ['Account']\n", False),
    ("from app.legacy import *\nfrom app.models import *", "__all__ = ('Subscriber',)\n", True),
    # a name the module binds itself is never a star import's
    ("from app.legacy import Subscriber\nfrom app.models import *", "", False),
])
def test_the_newest_star_import_that_exports_a_name_brings_it_in(tmp_path, ddblint_main, imports, exported, fires):
    """As at run time: a later `from M import *` rebinds the names M exports (those of its
    `__all__` when it is a literal)."""
    expected = [row.replace(":4:", ":5:").replace(":7:", ":8:").replace(":10:", ":11:") for row in GUARDED_WRITES]
    found = _writes(ddblint_main, tmp_path, {
        "app/models/__init__.py": "from .subscriber import Subscriber\n" + exported,
        "app/models/subscriber.py": SUBSCRIBER_MODEL + "    name = UnicodeAttribute()\n",
        "app/legacy/__init__.py": "from .subscriber import *\n",
        "app/legacy/subscriber.py": LEGACY_SUBSCRIBER,
        "app/service.py": WRITER.format(imports=imports),
    })
    assert found == (expected if fires else [])


def test_ddb101_and_ddb102_on_single_region_tables_only_for_read_modify_writes(tmp_path):
    source = GUARDS + '''
def f(p: Plain):
    p.save()
    p.update(actions=[Plain.note.set("n")])
'''
    toml = '[tool.ddblint.tables.plain]\nmode = "single-region"\n'
    for code in ("DDB101", "DDB102", "DDB108"):
        assert lint(source, code, tmp_path, toml) == [], code
    append_only = '[tool.ddblint.tables.plain]\nshape = "append-only"\n'
    assert lint(source, "DDB102", tmp_path, append_only) == []


def test_read_modify_write_saves_on_single_region_tables(tmp_path):
    """A save of an instance read in the same function writes back what it read (SPEC §5 DDB102)."""
    source = GUARDS + '''
from pynamodb.transactions import TransactWrite

def bump(pk, fresh: Plain):
    item = Plain.get(pk)
    item.note = "seen"
    item.save()  # expect: DDB102
    for other in Plain.query(pk):
        with TransactWrite() as tx:
            tx.save(other)  # expect: DDB102
    fresh.save()
    Plain(pk=pk).save()
'''
    toml = '[tool.ddblint.tables.plain]\nmode = "single-region"\n'
    assert lint(source, "DDB102", tmp_path, toml) == marked(source, "DDB102")
    assert "writes values read earlier in this function" in \
        lint_snippet(source, tmp_path, toml=toml, select=["DDB102"])[0].message


@pytest.mark.parametrize("versioned", [False, True])
def test_models_bases_and_writes_across_modules(tmp_path, capsys, versioned):
    """A base model in one module (its Meta, perhaps its VersionAttribute), the model in another,
    its writes in a third: each write is judged where it is, the model at its class."""
    from ddblint import cli

    (tmp_path / "pyproject.toml").write_text("[tool.ddblint]\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "base.py").write_text(textwrap.dedent(f'''
        from pynamodb.attributes import UnicodeAttribute, VersionAttribute
        from pynamodb.models import Model
        class Base(Model):
            class Meta:
                table_name = "widgets"
            pk = UnicodeAttribute(hash_key=True)
            {"version = VersionAttribute()" if versioned else "note = UnicodeAttribute(null=True)"}
    '''))
    (tmp_path / "app" / "models.py").write_text(textwrap.dedent('''
        from pynamodb.attributes import UnicodeAttribute
        from .base import Base
        class Widget(Base):
            colour = UnicodeAttribute()
    '''))
    (tmp_path / "app" / "service.py").write_text(textwrap.dedent('''
        from pynamodb.transactions import TransactWrite
        from app.models import Widget

        def recolour(widget: Widget, colour):
            widget.update(actions=[Widget.colour.set(colour)])
            with TransactWrite() as tx:
                tx.save(widget)
            with Widget.batch_write() as batch:
                batch.save(widget)
    '''))
    cli.main(["check", "--no-cache", "--output-format", "concise", "--select", "DDB101,DDB102,DDB108,DDB202",
              str(tmp_path)])
    found = [line.split(" ")[0].replace(str(tmp_path) + "/", "") + " " + line.split(" ")[1]
             for line in capsys.readouterr().out.splitlines() if ": DDB" in line]
    expected = ["app/service.py:10:9: DDB202"] if versioned else [
        "app/models.py:4:7: DDB108", "app/service.py:6:5: DDB101", "app/service.py:8:9: DDB102"]
    assert found == expected
