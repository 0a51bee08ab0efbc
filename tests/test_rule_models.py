"""The models behind DDB106, DDB107, DDB405 and DDB406: service-model validation, builder
queries, try/except analysis and where a parameter is written."""
from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from ddblint import config, registry
from ddblint.dynamo import CONDITIONAL_CHECK_FAILED, TRANSACTION_CANCELED, DynamoModel, service_model
from ddblint.dynamo.locations import KeyLocator
from ddblint.dynamo.scope import build_index
from ddblint.dynamo.values import UNKNOWN, Arg, DictValue, ListValue
from ddblint.tree import walk

ROOT = Path(__file__).resolve().parent.parent
needs_botocore = pytest.mark.skipif(not service_model.available(), reason="botocore is not installed")


def model(source: str) -> DynamoModel:
    settings = config.load_settings(None, registry.defaults())
    return DynamoModel(cst.parse_module(textwrap.dedent(source)), Path("app.py"), settings)


def d(**entries) -> DictValue:
    return DictValue({k: Arg(v, None) for k, v in entries.items()})


# -- service model -----------------------------------------------------------------------------

@needs_botocore
def test_input_shapes_come_from_botocore():
    assert "ConditionExpression" in service_model.members("PutItem")
    assert service_model.required("PutItem") == {"TableName", "Item"}
    assert service_model.input_shape("NoSuchOperation") is None


@needs_botocore
def test_input_shapes_match_botocores_own_loader_everywhere():
    """ddblint reads botocore's data files itself (no import); what it reads must be what
    botocore's loader and ServiceModel give, for every operation, down every input shape."""
    from botocore.loaders import create_loader
    from botocore.model import ServiceModel

    theirs = ServiceModel(create_loader().load_service_model("dynamodb", "service-2"), "dynamodb")
    seen = set()

    def same(ours, reference, path):
        assert (ours.name, ours.type_name) == (reference.name, reference.type_name), path
        if reference.name in seen:
            return
        seen.add(reference.name)
        if reference.type_name == "structure":
            assert list(ours.members) == list(reference.members), path
            assert sorted(ours.required_members) == sorted(reference.required_members), path
            for key in reference.members:
                same(ours.members[key], reference.members[key], f"{path}.{key}")
        elif reference.type_name == "list":
            same(ours.member, reference.member, f"{path}[]")
        elif reference.type_name == "map":
            same(ours.value, reference.value, f"{path}{{}}")

    for operation in theirs.operation_names:
        reference = theirs.operation_model(operation).input_shape
        if reference is None:
            assert service_model.input_shape(operation) is None
        else:
            same(service_model.input_shape(operation), reference, operation)
    assert len(seen) > 50
    assert service_model.botocore_version() == __import__("botocore").__version__


@needs_botocore
def test_nested_unknown_key_has_a_path_and_a_suggestion():
    entry = d(Update=d(TableName="t", Key=d(), UpdateExpression="SET a = :a", ConditionExpresion="x"))
    problems = service_model.validate("TransactWriteItems", "transact_write_items",
                                      {"TransactItems": Arg(ListValue([Arg(entry, None)]), None)}, True, "client")
    assert [(p.kind, p.where, p.suggestion) for p in problems] == [
        ("unknown", "TransactItems[0].Update.ConditionExpresion", "ConditionExpression")]


@needs_botocore
def test_suggestions_ignore_case():
    assert service_model.suggest("conditionExpression", service_model.members("PutItem")) == "ConditionExpression"
    assert service_model.suggest("Frobnicate", service_model.members("PutItem")) is None


@needs_botocore
def test_missing_members_only_where_the_dict_is_complete():
    keywords = {"Item": Arg(d(pk="a"), None)}
    assert [p.name for p in service_model.validate("PutItem", "put_item", keywords, True, "client")] == ["TableName"]
    assert service_model.validate("PutItem", "put_item", keywords, False, "client") == []
    assert service_model.validate("PutItem", "put_item", keywords, True, "table") == []
    assert service_model.validate("PutItem", "put_item", keywords, True, "unknown") == []
    partial = DictValue({"Put": Arg(DictValue({"Item": Arg(d(), None)}, complete=False), None)})
    items = {"TransactItems": Arg(ListValue([Arg(partial, None)]), None)}
    assert service_model.validate("TransactWriteItems", "transact_write_items", items, True, "client") == []


@needs_botocore
def test_surfaces():
    keywords = {"TableName": Arg("t", None), "Item": Arg(d(pk=d(s="a")), None)}
    table = service_model.validate("PutItem", "put_item", keywords, True, "table")
    assert [p.kind for p in table] == ["table-name"]  # plain values are not AttributeValues
    wire = service_model.validate("PutItem", "put_item", keywords, True, "client", wire_values=True)
    assert [(p.kind, p.where, p.suggestion, p.in_attribute_value) for p in wire] == [
        ("unknown", "Item.pk.s", "S", True)]
    batch = service_model.validate("BatchWriteItem", "put_item",
                                   {"Item": Arg(d(), None), "ConditionExpression": Arg("x", None),
                                    "ReturnValues": Arg("ALL_OLD", None), "Itme": Arg(1, None)},
                                   True, "batch_writer")
    assert [(p.kind, p.name) for p in batch] == [("batch-condition", "ConditionExpression"),
                                                 ("batch-unsupported", "ReturnValues"), ("unknown", "Itme")]


@needs_botocore
def test_unresolved_receivers_report_only_near_misses_in_dynamodb_style():
    keywords = {name: Arg(UNKNOWN, None) for name in
                ("Item", "ConditionExpresion", "retries", "table_name", "Timeout", "TableName")}
    problems = service_model.validate("PutItem", "put_item", keywords, True, "unknown")
    assert [p.name for p in problems] == ["ConditionExpresion"]


# -- where a parameter is written ----------------------------------------------------------------

def test_key_locator_finds_keywords_dict_keys_and_subscripts():
    module = cst.parse_module('f(A=1)\nx = {"B": 2}\nx["C"] = 3\n')
    locator = KeyLocator(module)
    keys = {module.code_for_node(locator.key(node)) for node in _values(module)}
    assert keys == {"A", '"B"', '"C"'}


def _values(module):
    call = module.body[0].body[0].value
    literal = module.body[1].body[0].value
    assign = module.body[2].body[0]
    return [call.args[0].value, literal.elements[0].value, assign.value]


# -- builders --------------------------------------------------------------------------------------

def _sources():
    for folder in ("ddblint", "rules", "tests", "examples"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path


@pytest.mark.slow
def test_the_index_records_every_comparison_of_the_repository():
    """The builders' misuse is looked for in the comparisons the index records while it walks
    (no second walk): every one, once, in the place the walk gives it."""
    for path in _sources():
        try:
            module = cst.parse_module(path.read_text())
        except (cst.ParserSyntaxError, UnicodeDecodeError):
            continue
        index = build_index(module)
        expected = [node for node in walk(module) if isinstance(node, cst.Comparison)]
        assert [entry[0] for entry in index.comparisons] == expected, path
        orders = [entry[1] for entry in index.comparisons]
        assert orders == sorted(set(orders)), path


def test_comparisons_need_a_builder_and_a_non_builder():
    m = model('''
        from boto3.dynamodb.conditions import Attr, Key
        a = Attr("a")

        def f(x, items):
            one = a == x
            two = 0 < Attr("n").size() <= x
            three = Attr("a") == Attr("a")
            four = x == 3
            five = [k == x for k in items]
            six = Key("pk") != x
            return one, two, three, four, five, six
    ''')
    found = m.comparisons()
    assert [(c.symbol, c.method, c.result) for c in found] == [
        ("==", "eq", "False"), ("<", "lt", None), ("!=", "ne", "True")]


def test_client_origin():
    m = model('''
        import boto3
        from boto3 import client as make_client

        plain = boto3.client("dynamodb")
        other = make_client("dynamodb")
        session = boto3.Session().client("dynamodb")
        resource = boto3.resource("dynamodb")
        table = resource.Table("t")

        def f(annotated: "mypy_boto3_dynamodb.DynamoDBClient"):
            plain.get_item(TableName="t", Key={})
            other.get_item(TableName="t", Key={})
            session.get_item(TableName="t", Key={})
            resource.meta.client.get_item(TableName="t", Key={})
            table.meta.client.get_item(TableName="t", Key={})
    ''')
    origins = [m.client_from_resource(c) for c in m.calls]
    assert origins == [False, False, False, True, True]


# -- legacy parameters -----------------------------------------------------------------------------

def test_legacy_use():
    m = model('''
        import boto3
        c = boto3.client("dynamodb")
        c.query(TableName="t", KeyConditions={}, FilterExpression="a = :a")
        c.scan(TableName="t", ScanFilter={})
        c.scan(TableName="t", FilterExpression="a = :a")
    ''')
    uses = [m.legacy_use(op) for op in m.operations]
    assert [(u.legacy, u.expressions) if u else None for u in uses] == [
        (("KeyConditions",), ("FilterExpression",)), (("ScanFilter",), ()), None]


# -- handling --------------------------------------------------------------------------------------

HANDLING = '''
    import boto3
    from botocore.exceptions import ClientError as BotoError

    client = boto3.client("dynamodb")

    def is_conflict(error):
        return error.response["Error"]["Code"] == "ConditionalCheckFailedException"

    def via_alias():
        try:
            client.put_item(TableName="t", Item={}, ConditionExpression="attribute_not_exists(pk)")
        except BotoError as error:
            if is_conflict(error):
                return None
            raise

    def in_handler():
        try:
            pass
        except ValueError:
            client.put_item(TableName="t", Item={}, ConditionExpression="attribute_not_exists(pk)")

    def wrapped_lambda(retry_call):
        retry_call(lambda: client.put_item(TableName="t", Item={}, ConditionExpression="attribute_not_exists(pk)"),
                   exceptions=(client.exceptions.ConditionalCheckFailedException,))

    def swallowing():
        try:
            client.put_item(TableName="t", Item={}, ConditionExpression="attribute_not_exists(pk)")
        except:
            pass

    def nested():
        try:
            def inner():
                client.put_item(TableName="t", Item={}, ConditionExpression="attribute_not_exists(pk)")
            inner
        except client.exceptions.ConditionalCheckFailedException:
            pass
'''


def test_handling_cases():
    m = model(HANDLING)
    results = {c.site.function.name.value: m.handled(c, CONDITIONAL_CHECK_FAILED) for c in m.calls}
    assert results == {"via_alias": True, "in_handler": False, "wrapped_lambda": True, "swallowing": True,
                       "inner": False}
    # a transaction needs TransactionCanceledException, which none of these name
    assert not m.handled(next(c for c in m.calls if c.site.function.name.value == "in_handler"), TRANSACTION_CANCELED)
