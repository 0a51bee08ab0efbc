"""DDB107's fix: legacy `Expected` / `ConditionalOperator` / `AttributeUpdates` rewritten as
ConditionExpression / UpdateExpression (rules/ddb107_legacy_conditional_parameters.py, `expression_fix`).

(a) Unit tests: each legacy form, input -> the exact rewritten call; a second run changes nothing;
    forms that are not resolved, not exactly expressible, or already rejected by DynamoDB get no fix.
(b) Against moto: the ORIGINAL module and the FIXED module run the same steps on a fresh table, and
    every step ends the same way (success, or the same error code such as
    ConditionalCheckFailedException) with the same items afterwards. Moto implements the legacy
    parameters too (moto/dynamodb/models: `update_with_attribute_updates`, comparisons.get_expected),
    so the two runs are a differential test of the rewrite. Where moto's legacy emulation is known to
    be wrong (it ignores ConditionalOperator and the Value of `{"Exists": True, "Value": v}`, treats
    NOT_CONTAINS as true on a missing attribute, stores a legacy PUT of a boolean as a string, and
    DeleteItem ignores `Expected` altogether),
    the fixed code is instead checked against
    what DynamoDB's documentation (and Scylla's DynamoDB-compatibility tests) say the legacy request does.
"""
from __future__ import annotations

import contextlib
import textwrap

import pytest

from ddblint import registry
from ddblint.rule import Example
from test_rule_examples import _lint_findings, apply_rule_fixes

RULE = registry.all_rules()["DDB107"]

HEADER = '''\
import boto3

table = boto3.resource("dynamodb", region_name="us-east-1").Table("t")
client = boto3.client("dynamodb", region_name="us-east-1")


def f(k, v, w):
    '''


def findings(source: str, tmp_path):
    example = Example(source)
    return _lint_findings(example.source, example, tmp_path, RULE)[1]


def fixed_call(call: str, tmp_path, applicability: str = "safe") -> str:
    """The call after DDB107's fix (exactly one finding, with a fix of that applicability)."""
    source = HEADER + call + "\n"
    found = findings(source, tmp_path)
    assert len(found) == 1, [f.message for f in found]
    assert found[0].fix is not None and found[0].edits, f"no fix for {call}"
    assert found[0].fix.applicability == applicability
    fixed, applied = apply_rule_fixes(source, Example(source), tmp_path, RULE)
    assert applied == 1
    # a fixed point: the rule no longer fires, and a second run changes nothing
    assert findings(fixed, tmp_path) == []
    assert apply_rule_fixes(fixed, Example(fixed), tmp_path, RULE) == (fixed, 0)
    compile(fixed, "app.py", "exec")
    assert fixed.startswith(HEADER)
    return fixed[len(HEADER):-1]


def no_fix(call: str, tmp_path) -> None:
    source = HEADER + call + "\n"
    found = findings(source, tmp_path)
    assert found, "DDB107 must still report the legacy parameter"
    assert all(f.fix is None and not f.edits for f in found), [f.fix for f in found]


# --- AttributeUpdates ------------------------------------------------------------------------------

UPDATES = [
    # PUT, and a missing Action (PUT is the default)
    ('table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Action": "PUT", "Value": v}})',
     'table.update_item(Key={"pk": k}, UpdateExpression="SET #a = :a", ExpressionAttributeNames={"#a": "a"}, '
     'ExpressionAttributeValues={":a": v})'),
    ('table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Value": v}, "b": {"Value": w}})',
     'table.update_item(Key={"pk": k}, UpdateExpression="SET #a = :a, #b = :b", '
     'ExpressionAttributeNames={"#a": "a", "#b": "b"}, ExpressionAttributeValues={":a": v, ":b": w})'),
    # ADD of a number or a set
    ('table.update_item(Key={"pk": k}, AttributeUpdates={"n": {"Action": "ADD", "Value": 1}})',
     'table.update_item(Key={"pk": k}, UpdateExpression="ADD #n :n", ExpressionAttributeNames={"#n": "n"}, '
     'ExpressionAttributeValues={":n": 1})'),
    ('table.update_item(Key={"pk": k}, AttributeUpdates={"n": {"Action": "ADD", "Value": Decimal("-2.5")}})',
     'table.update_item(Key={"pk": k}, UpdateExpression="ADD #n :n", ExpressionAttributeNames={"#n": "n"}, '
     'ExpressionAttributeValues={":n": Decimal("-2.5")})'),
    ('table.update_item(Key={"pk": k}, AttributeUpdates={"tags": {"Action": "ADD", "Value": {"x", "y"}}})',
     'table.update_item(Key={"pk": k}, UpdateExpression="ADD #tags :tags", ExpressionAttributeNames={"#tags": "tags"}, '
     'ExpressionAttributeValues={":tags": {"x", "y"}})'),
    ('client.update_item(TableName="t", Key={"pk": {"S": k}}, AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "1"}}})',
     'client.update_item(TableName="t", Key={"pk": {"S": k}}, UpdateExpression="ADD #n :n", '
     'ExpressionAttributeNames={"#n": "n"}, ExpressionAttributeValues={":n": {"N": "1"}})'),
    # DELETE without a value removes the attribute; with a set, removes those elements
    ('table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Action": "DELETE"}})',
     'table.update_item(Key={"pk": k}, UpdateExpression="REMOVE #a", ExpressionAttributeNames={"#a": "a"})'),
    ('client.update_item(TableName="t", Key={"pk": {"S": k}}, AttributeUpdates={"tags": {"Action": "DELETE", "Value": {"SS": ["x"]}}})',
     'client.update_item(TableName="t", Key={"pk": {"S": k}}, UpdateExpression="DELETE #tags :tags", '
     'ExpressionAttributeNames={"#tags": "tags"}, ExpressionAttributeValues={":tags": {"SS": ["x"]}})'),
    # every clause at once, in SET REMOVE ADD DELETE order; names that need placeholders
    ("table.update_item(Key={'pk': k}, AttributeUpdates={'tags': {'Action': 'DELETE', 'Value': set([v])}, "
     "'status': {'Value': 'done'}, 'a.b': {'Action': 'DELETE'}, 'n': {'Action': 'ADD', 'Value': 2}})",
     "table.update_item(Key={'pk': k}, UpdateExpression='SET #status = :status REMOVE #a_b ADD #n :n DELETE #tags :tags', "
     "ExpressionAttributeNames={'#tags': 'tags', '#status': 'status', '#a_b': 'a.b', '#n': 'n'}, "
     "ExpressionAttributeValues={':tags': set([v]), ':status': 'done', ':n': 2})"),
]


@pytest.mark.parametrize("call, expected", UPDATES)
def test_attribute_updates(call, expected, tmp_path):
    assert fixed_call(call, tmp_path) == expected


# --- Expected ----------------------------------------------------------------------------------------

def _condition(expected: str, condition: str, names: str, values: str = ""):
    call = f'table.delete_item(Key={{"pk": k}}, Expected={expected})'
    rewritten = f'table.delete_item(Key={{"pk": k}}, ConditionExpression="{condition}", ExpressionAttributeNames={names}'
    rewritten += f", ExpressionAttributeValues={values})" if values else ")"
    return call, rewritten


A = '{"#a": "a"}'
CONDITIONS = [
    _condition('{"a": {"Value": v}}', "#a = :expected_a", A, '{":expected_a": v}'),
    _condition('{"a": {"Exists": True, "Value": v}}', "#a = :expected_a", A, '{":expected_a": v}'),
    _condition('{"a": {"Exists": False}}', "attribute_not_exists(#a)", A),
    _condition('{"a": {"ComparisonOperator": "EQ", "AttributeValueList": [v]}}', "#a = :expected_a", A, '{":expected_a": v}'),
    _condition('{"a": {"ComparisonOperator": "NE", "AttributeValueList": [v]}}', "#a <> :expected_a", A, '{":expected_a": v}'),
    _condition('{"a": {"ComparisonOperator": "LT", "AttributeValueList": [v]}}', "#a < :expected_a", A, '{":expected_a": v}'),
    _condition('{"a": {"ComparisonOperator": "LE", "AttributeValueList": [v]}}', "#a <= :expected_a", A, '{":expected_a": v}'),
    _condition('{"a": {"ComparisonOperator": "GT", "AttributeValueList": [v]}}', "#a > :expected_a", A, '{":expected_a": v}'),
    _condition('{"a": {"ComparisonOperator": "GE", "AttributeValueList": [v]}}', "#a >= :expected_a", A, '{":expected_a": v}'),
    _condition('{"a": {"ComparisonOperator": "NULL"}}', "attribute_not_exists(#a)", A),
    _condition('{"a": {"ComparisonOperator": "NULL", "AttributeValueList": []}}', "attribute_not_exists(#a)", A),
    _condition('{"a": {"ComparisonOperator": "NOT_NULL"}}', "attribute_exists(#a)", A),
    _condition('{"a": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": ["x"]}}', "begins_with(#a, :expected_a)",
               A, '{":expected_a": "x"}'),
    _condition('{"a": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [v]}}', "contains(#a, :expected_a)",
               A, '{":expected_a": v}'),
    # a legacy NOT_CONTAINS is false when the attribute is missing; `NOT contains(...)` alone is true
    _condition('{"a": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [v]}}',
               "attribute_exists(#a) AND NOT contains(#a, :expected_a)", A, '{":expected_a": v}'),
    _condition('{"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [v, w]}}', "#a BETWEEN :a_low AND :a_high",
               A, '{":a_low": v, ":a_high": w}'),
    _condition('{"a": {"ComparisonOperator": "IN", "AttributeValueList": (v, w, 3)}}', "#a IN (:a_1, :a_2, :a_3)",
               A, '{":a_1": v, ":a_2": w, ":a_3": 3}'),
    # several entries: AND by default
    _condition('{"a": {"Value": v}, "b": {"Exists": False}, "c": {"ComparisonOperator": "GT", "AttributeValueList": [w]}}',
               "#a = :expected_a AND attribute_not_exists(#b) AND #c > :expected_c",
               '{"#a": "a", "#b": "b", "#c": "c"}', '{":expected_a": v, ":expected_c": w}'),
]


@pytest.mark.parametrize("call, expected", CONDITIONS)
def test_expected(call, expected, tmp_path):
    assert fixed_call(call, tmp_path) == expected


def test_conditional_operator_or_and_and(tmp_path):
    call = ('client.put_item(TableName="t", Item={"pk": {"S": k}}, Expected={"a": {"Exists": False}, '
            '"b": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": v}]}, '
            '"c": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "9"}]}}, ConditionalOperator="OR")')
    assert fixed_call(call, tmp_path) == (
        'client.put_item(TableName="t", Item={"pk": {"S": k}}, ConditionExpression="attribute_not_exists(#a) OR '
        '(attribute_exists(#b) AND NOT contains(#b, :expected_b)) OR #c BETWEEN :c_low AND :c_high", '
        'ExpressionAttributeNames={"#a": "a", "#b": "b", "#c": "c"}, '
        'ExpressionAttributeValues={":expected_b": {"S": v}, ":c_low": {"N": "1"}, ":c_high": {"N": "9"}})')
    call = 'table.delete_item(Key={"pk": k}, Expected={"a": {"Value": v}, "b": {"Value": w}}, ConditionalOperator="AND")'
    assert fixed_call(call, tmp_path) == (
        'table.delete_item(Key={"pk": k}, ConditionExpression="#a = :expected_a AND #b = :expected_b", '
        'ExpressionAttributeNames={"#a": "a", "#b": "b"}, ExpressionAttributeValues={":expected_a": v, ":expected_b": w})')


def test_update_with_condition_on_the_same_attribute_shares_its_name_placeholder(tmp_path):
    call = ('table.update_item(Key={"pk": k}, AttributeUpdates={"version": {"Value": v + 1}, "n": {"Action": "ADD", "Value": 1}}, '
            'Expected={"version": {"Value": v}})')
    assert fixed_call(call, tmp_path) == (
        'table.update_item(Key={"pk": k}, UpdateExpression="SET #version = :version ADD #n :n", '
        'ConditionExpression="#version = :expected_version", ExpressionAttributeNames={"#version": "version", "#n": "n"}, '
        'ExpressionAttributeValues={":version": v + 1, ":n": 1, ":expected_version": v})')


def test_placeholders_never_collide(tmp_path):
    # `a-b` and `a_b` both sanitise to `#a_b`; `n0` looks like a placeholder boto3's builders generate
    call = 'table.update_item(Key={"pk": k}, AttributeUpdates={"a-b": {"Value": v}, "a_b": {"Value": w}, "n0": {"Value": 1}, "A_B": {"Value": 2}})'
    assert fixed_call(call, tmp_path) == (
        'table.update_item(Key={"pk": k}, UpdateExpression="SET #a_b = :a_b, #a_b_2 = :a_b_2, #n0_2 = :n0, #A_B_3 = :A_B_3", '
        'ExpressionAttributeNames={"#a_b": "a-b", "#a_b_2": "a_b", "#n0_2": "n0", "#A_B_3": "A_B"}, '
        'ExpressionAttributeValues={":a_b": v, ":a_b_2": w, ":n0": 1, ":A_B_3": 2})')


def test_multi_line_call_keeps_its_layout_and_comments(tmp_path):
    call = '''table.update_item(
        Key={"pk": k},  # the key
        AttributeUpdates={"a": {"Value": v}},  # the update
        Expected={"b": {"Exists": False}},
        ReturnValues="ALL_NEW",
    )'''
    assert fixed_call(call, tmp_path) == '''table.update_item(
        Key={"pk": k},  # the key
        UpdateExpression="SET #a = :a",  # the update
        ConditionExpression="attribute_not_exists(#b)",
        ReturnValues="ALL_NEW",
        ExpressionAttributeNames={"#a": "a", "#b": "b"},
        ExpressionAttributeValues={":a": v},
    )'''


def test_a_comment_inside_the_rewritten_dict_makes_the_fix_unsafe(tmp_path):
    call = '''table.update_item(Key={"pk": k}, AttributeUpdates={
        "a": {"Value": v},  # lost by the rewrite
    })'''
    assert fixed_call(call, tmp_path, applicability="unsafe") == (
        'table.update_item(Key={"pk": k}, UpdateExpression="SET #a = :a", ExpressionAttributeNames={"#a": "a"}, '
        'ExpressionAttributeValues={":a": v})')


# --- no fix ---------------------------------------------------------------------------------------

NO_FIX = [
    # not resolved statically
    'u = {"a": {"Value": v}}\n    table.update_item(Key={"pk": k}, AttributeUpdates=u)',
    'table.update_item(Key={"pk": k}, AttributeUpdates={w: {"Value": v}})',
    'table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Action": w, "Value": v}})',
    'table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Value": v}, **w})',
    'table.update_item(Key={"pk": k}, AttributeUpdates={"a": w})',
    'table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Value": v}}, **w)',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"Exists": w}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"ComparisonOperator": w, "AttributeValueList": [v]}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"ComparisonOperator": "EQ", "AttributeValueList": v}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"ComparisonOperator": "IN", "AttributeValueList": [*v]}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"Value": v}, "b": {"Value": w}}, ConditionalOperator=v)',
    # no exact expression: ADD of a value that may be a list (legacy ADD appends to lists), DELETE of a
    # value not known to be a set
    'table.update_item(Key={"pk": k}, AttributeUpdates={"n": {"Action": "ADD", "Value": v}})',
    'table.update_item(Key={"pk": k}, AttributeUpdates={"l": {"Action": "ADD", "Value": [v]}})',
    'client.update_item(TableName="t", Key={"pk": {"S": k}}, AttributeUpdates={"l": {"Action": "ADD", "Value": {"L": []}}})',
    'table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Action": "DELETE", "Value": v}})',
    # requests DynamoDB rejects: nothing to preserve
    'table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Action": "PUT"}})',
    'table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Action": "put", "Value": v}})',
    'table.update_item(Key={"pk": k}, AttributeUpdates={})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"Exists": True}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"Exists": False, "Value": v}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"Value": v, "ComparisonOperator": "EQ", "AttributeValueList": [v]}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [v, w]}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [v]}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"ComparisonOperator": "NOT_NULL", "AttributeValueList": [v]}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"ComparisonOperator": "IN", "AttributeValueList": []}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"AttributeValueList": [v]}})',
    'table.delete_item(Key={"pk": k}, Expected={"a": {"Value": v}}, ConditionalOperator="XOR")',
    'table.delete_item(Key={"pk": k}, ConditionalOperator="OR")',
    'table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Value": v}, "a": {"Value": w}})',  # the last one wins
    # mixed with expression parameters (the request is rejected), or with maps already there
    'table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": v}, '
    'Expected={"a": {"Exists": False}})',
    'table.update_item(Key={"pk": k}, AttributeUpdates={"a": {"Value": v}}, ExpressionAttributeNames={"#a": "a"})',
    # read parameters: out of scope
    'table.query(KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [k]}})',
    'table.scan(ScanFilter={"a": {"ComparisonOperator": "NOT_NULL"}})',
    'table.get_item(Key={"pk": k}, AttributesToGet=["a"])',
    # values with side effects that would run in another order than another argument's
    'table.update_item(AttributeUpdates={"a": {"Value": next(v)}}, Key={"pk": next(v)})',
]


@pytest.mark.parametrize("call", NO_FIX)
def test_no_fix(call, tmp_path):
    no_fix(call, tmp_path)


def test_a_single_value_with_side_effects_still_moves(tmp_path):
    call = 'table.update_item(AttributeUpdates={"a": {"Value": str(uuid4())}}, Key={"pk": k})'
    assert fixed_call(call, tmp_path) == (
        'table.update_item(UpdateExpression="SET #a = :a", Key={"pk": k}, ExpressionAttributeNames={"#a": "a"}, '
        'ExpressionAttributeValues={":a": str(uuid4())})')


# --- against moto: the original and the fixed code behave the same -------------------------------

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from botocore.exceptions import ClientError  # noqa: E402

REGION = "us-east-1"

MODULE = '''
import boto3

table = boto3.resource("dynamodb", region_name="us-east-1").Table("items")
client = boto3.client("dynamodb", region_name="us-east-1")


# ("seen" is not set to True: moto stores a legacy PUT of a boolean as the string "True")
def update_resource(pk, name, expected):
    table.update_item(
        Key={"pk": pk},
        AttributeUpdates={
            "name": {"Action": "PUT", "Value": name},
            "visits": {"Action": "ADD", "Value": 1},
            "tags": {"Action": "DELETE", "Value": {"old"}},
            "draft": {"Action": "DELETE"},
            "seen": {"Value": "yes"},
        },
        Expected={"version": {"Value": expected}},
    )


def update_client(pk, name):
    client.update_item(
        TableName="items",
        Key={"pk": {"S": pk}},
        AttributeUpdates={
            "name": {"Value": {"S": name}},
            "visits": {"Action": "ADD", "Value": {"N": "2"}},
            "tags": {"Action": "ADD", "Value": {"SS": ["new"]}},
        },
        Expected={"version": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "3"}]},
                  "name": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": name}]}},
    )


def create(pk, name):
    table.put_item(Item={"pk": pk, "name": name, "version": 1, "tags": {"old", "keep"}, "draft": True},
                   Expected={"pk": {"Exists": False}})


def create_client(pk, name):
    client.put_item(TableName="items", Item={"pk": {"S": pk}, "name": {"S": name}},
                    Expected={"pk": {"ComparisonOperator": "NULL"}})


def remove(pk, prefix):
    table.delete_item(Key={"pk": pk},
                      Expected={"name": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [prefix]},
                                "tags": {"ComparisonOperator": "CONTAINS", "AttributeValueList": ["keep"]},
                                "version": {"ComparisonOperator": "IN", "AttributeValueList": [1, 2, 3]}})


def touch(pk, name):
    table.update_item(Key={"pk": pk}, AttributeUpdates={"visits": {"Action": "ADD", "Value": 2},
                                                        "name": {"Value": name}})


def bump_if_lower(pk, limit):
    table.update_item(Key={"pk": pk}, AttributeUpdates={"version": {"Action": "ADD", "Value": 1}},
                      Expected={"version": {"ComparisonOperator": "LT", "AttributeValueList": [limit]},
                                "tags": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": ["frozen"]},
                                "name": {"ComparisonOperator": "NOT_NULL"}})
'''

# Each scenario: the steps (function, args) run in order on one fresh table.
SCENARIOS = {
    "create-twice": [("create", ("p1", "ann")), ("create", ("p1", "bob")), ("create_client", ("p2", "cy")),
                     ("create_client", ("p2", "dee"))],
    "update-with-expected-value": [("create", ("p1", "ann")), ("update_resource", ("p1", "bob", 1)),
                                   ("update_resource", ("p1", "cy", 2)),  # stale: version is still 1
                                   ("update_resource", ("p9", "dee", 1))],  # no item: the condition fails
    "update-client": [("create", ("p1", "ann")), ("update_client", ("p1", "bob")),
                      ("update_client", ("p1", "bob")),  # NE fails: the name is bob now
                      ("update_client", ("p2", "cy"))],  # no item: BETWEEN fails
    "upsert": [("touch", ("p1", "ann")), ("touch", ("p1", "bob")), ("create", ("p1", "cy"))],
    "bump-while-lower": [("create", ("p1", "ann")), ("bump_if_lower", ("p1", 3)), ("bump_if_lower", ("p1", 3)),
                                 ("bump_if_lower", ("p1", 3))],
}
# moto's DeleteItem ignores `Expected` (it deletes unconditionally): checked against the documented
# behaviour below instead.
DELETE_STEPS = [("create", ("p1", "ann")), ("remove", ("p1", "b")), ("remove", ("p1", "a")), ("remove", ("p1", "a"))]


def _outcome(error):
    if error is None:
        return "ok"
    assert isinstance(error, ClientError), repr(error)
    return error.response["Error"]["Code"]


@contextlib.contextmanager
def loaded(source: str):
    """(client, the module's namespace): `source` run as a module beside a fresh moto table."""
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(TableName="items", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        namespace = {"__name__": "app"}
        exec(compile(source, "app.py", "exec"), namespace)  # noqa: S102 - the module under test
        yield client, namespace


def run(source: str, steps):
    """Run the steps on a fresh moto table: [(outcome of each step, every item after it)]."""
    with loaded(source) as (client, namespace):
        trace = []
        for function, args in steps:
            try:
                namespace[function](*args)
                error = None
            except ClientError as caught:
                error = caught
            items = sorted(client.scan(TableName="items", ConsistentRead=True)["Items"], key=lambda i: i["pk"]["S"])
            trace.append((function, _outcome(error), _normal(items)))
        return trace


def _normal(items):
    """Items with set members in a fixed order (moto keeps them as lists in any order)."""
    def value(v):
        ((kind, data),) = v.items()
        if kind in ("SS", "NS", "BS"):
            return {kind: sorted(data)}
        if kind == "L":
            return {kind: [value(x) for x in data]}
        if kind == "M":
            return {kind: {k: value(x) for k, x in data.items()}}
        return v
    return [{k: value(v) for k, v in item.items()} for item in items]


@pytest.fixture(scope="module")
def fixed_module(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("ddb107")
    example = Example(MODULE)
    found = _lint_findings(example.source, example, tmp_path, RULE)[1]
    assert len(found) == 7 and all(f.fix is not None and f.fix.applicability == "safe" for f in found), \
        [(f.message, f.fix) for f in found]
    fixed, applied = apply_rule_fixes(example.source, example, tmp_path, RULE)
    assert applied == 7
    assert not _lint_findings(fixed, Example(fixed), tmp_path, RULE)[1]
    for legacy in ("AttributeUpdates", "Expected=", "ConditionalOperator"):
        assert legacy not in fixed
    return fixed


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_fixed_code_behaves_as_the_original_on_moto(scenario, fixed_module):
    steps = SCENARIOS[scenario]
    original = run(textwrap.dedent(MODULE), steps)
    fixed = run(fixed_module, steps)
    assert fixed == original
    outcomes = [outcome for _, outcome, _ in original]
    # the scenarios exercise both sides of each condition
    assert "ok" in outcomes and "ConditionalCheckFailedException" in outcomes, outcomes


@pytest.mark.slow
def test_the_moto_scenarios_end_as_the_legacy_semantics_say(fixed_module):
    trace = run(fixed_module, SCENARIOS["update-with-expected-value"])
    assert [outcome for _, outcome, _ in trace] == ["ok", "ok", "ConditionalCheckFailedException",
                                                    "ConditionalCheckFailedException"]
    assert trace[1][2] == [{"pk": {"S": "p1"}, "name": {"S": "bob"}, "version": {"N": "1"}, "visits": {"N": "1"},
                            "tags": {"SS": ["keep"]}, "seen": {"S": "yes"}}]
    trace = run(fixed_module, SCENARIOS["bump-while-lower"])
    assert [outcome for _, outcome, _ in trace] == ["ok", "ok", "ok", "ConditionalCheckFailedException"]
    assert trace[-1][2][0]["version"] == {"N": "3"}
    trace = run(fixed_module, DELETE_STEPS)
    assert [outcome for _, outcome, _ in trace] == ["ok", "ConditionalCheckFailedException", "ok",
                                                    "ConditionalCheckFailedException"]
    assert trace[1][2] != [] and trace[2][2] == []


# Where moto's emulation of the legacy parameters is wrong, the fixed code is checked against
# DynamoDB's documented legacy behaviour instead.
DOCUMENTED = '''
import boto3

table = boto3.resource("dynamodb", region_name="us-east-1").Table("items")


def set_if(pk, value, expected):
    # either condition is enough (moto ignores ConditionalOperator and always ANDs)
    table.update_item(Key={"pk": pk}, AttributeUpdates={"value": {"Value": value}},
                      Expected={"version": {"Exists": True, "Value": expected}, "locked": {"Exists": False}},
                      ConditionalOperator="OR")


def set_unless_tagged(pk, value):
    # a legacy NOT_CONTAINS is false on a missing attribute (moto makes it true)
    table.update_item(Key={"pk": pk}, AttributeUpdates={"value": {"Value": value}},
                      Expected={"tags": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": ["x"]}})
'''


@pytest.mark.slow
def test_fixed_code_follows_the_documented_legacy_semantics_where_moto_does_not(tmp_path):
    example = Example(DOCUMENTED)
    fixed, applied = apply_rule_fixes(example.source, example, tmp_path, RULE)
    assert applied == 2
    assert 'ConditionExpression="#version = :expected_version OR attribute_not_exists(#locked)"' in fixed
    assert 'ConditionExpression="attribute_exists(#tags) AND NOT contains(#tags, :expected_tags)"' in fixed
    with loaded(fixed) as (_, namespace):
        table = boto3.resource("dynamodb", region_name=REGION).Table("items")
        table.put_item(Item={"pk": "p1", "version": 1, "locked": True, "tags": {"y"}})
        namespace["set_if"]("p1", "a", 1)  # version matches, locked exists: OR -> passes
        table.update_item(Key={"pk": "p1"}, UpdateExpression="REMOVE locked")
        namespace["set_if"]("p1", "b", 7)  # version differs, not locked: OR -> passes
        table.put_item(Item={"pk": "p1", "version": 1, "locked": True, "tags": {"y"}})
        with pytest.raises(ClientError, match="ConditionalCheckFailed"):
            namespace["set_if"]("p1", "c", 7)  # neither
        namespace["set_unless_tagged"]("p1", "d")  # tags {"y"} does not contain "x"
        assert table.get_item(Key={"pk": "p1"})["Item"]["value"] == "d"
        with pytest.raises(ClientError, match="ConditionalCheckFailed"):
            namespace["set_unless_tagged"]("p2", "e")  # no item, no tags: false, as the legacy operator


@pytest.mark.parametrize("entry, reason", [
    ('{"v": {"Value": 1, "ComparisonOperator": "EQ"}}', "`v` has both `ComparisonOperator` and `Value`"),
    ('{"v": {"Exists": False, "ComparisonOperator": "NULL"}}', "`v` has both `ComparisonOperator` and `Exists`"),
    ('{"v": {"Exists": False, "Value": 1}}', "`v` has `Exists: False` and a `Value`"),
    ('{"v": {"Exists": True}}', "`v` has `Exists: True` without a `Value`"),
    ('{"v": {"ComparisonOperator": "EQ", "AttributeValueList": [1, 2]}}',
     "`v` has `EQ` with 2 values in `AttributeValueList`"),
])
def test_an_expected_entry_dynamodb_refuses_is_said_to_be_rejected(entry, reason, tmp_path):
    """Requests DynamoDB answers with a ValidationException (checked against DynamoDB by ScyllaDB's
    Alternator tests, test_expected.py): the finding says every call fails, and offers no fix."""
    source = f'''
        import boto3
        table = boto3.resource("dynamodb").Table("t")
        def f(k):
            table.update_item(Key={{"pk": k}}, AttributeUpdates={{"a": {{"Value": 1}}}}, Expected={entry})  # expect: DDB107
    '''
    module, findings = _lint_findings(textwrap.dedent(source).lstrip("\n"), Example(source), tmp_path, RULE)
    assert [f.message.split(" (")[1].split(")")[0] for f in findings] == [reason]
    assert "every call fails with a ValidationException" in findings[0].message
    assert findings[0].fix is None
