"""The fixes, proven against moto's DynamoDB.

Lost-write rules (DDB101, DDB102, DDB103, DDB104): a small module that reads an item and writes
it back (or checks that a key is free and then puts it) is linted, its unsafe fix applied, and
both the original and the fixed module are executed against moto by two writers interleaved as
read, read, write, write (`checkpoint()` in the module is where a writer waits after its read).
With the original code both writes succeed and the second silently overwrites the first; with the
fixed code the stale second write raises ConditionalCheckFailedException and the first survives.

Expression rules (DDB301, DDB403, DDB404): the original request raises ValidationException on
moto (moto is as strict as DynamoDB on all three), the fixed one (a safe fix) runs.
"""
from __future__ import annotations

import textwrap
import threading

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from botocore.exceptions import ClientError  # noqa: E402

from ddblint import registry  # noqa: E402
from ddblint.rule import Example  # noqa: E402
from test_rule_examples import _lint_findings, apply_rule_fixes  # noqa: E402

pytestmark = pytest.mark.slow  # every test runs the original and the fixed code against moto
RULES = registry.all_rules()
REGION = "us-east-1"


def fix(code: str, source: str, tmp_path, config: str = "", applicability: str = "unsafe") -> str:
    """The module after applying the rule's fixes; each finding offers one, of this applicability."""
    example = Example(source, config=config)
    rule = RULES[code]
    _, findings = _lint_findings(example.source, example, tmp_path, rule)
    assert findings, f"{code} does not fire"
    assert all(f.fix is not None and f.fix.applicability == applicability for f in findings), \
        [(f.message, f.fix) for f in findings]
    fixed, applied = apply_rule_fixes(example.source, example, tmp_path, rule)
    assert applied and fixed != example.source
    assert not _lint_findings(fixed, example, tmp_path, rule)[1], fixed
    return fixed


# --- moto ---------------------------------------------------------------------------------------

def _create(client, name, keys, indexes=()):
    attributes = {key for key in keys} | {key for _, key in indexes}
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": k, "KeyType": kind} for k, kind in zip(keys, ("HASH", "RANGE"))],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        **({"GlobalSecondaryIndexes": [
            {"IndexName": index, "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}} for index, key in indexes]} if indexes else {}),
    )


@pytest.fixture
def dynamodb():
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        _create(client, "profiles", ["profile_id"])
        _create(client, "subscribers", ["subscriber_id"], indexes=[("by_email", "email")])
        _create(client, "orders", ["customer", "order_id"])
        yield boto3.resource("dynamodb", region_name=REGION)


def seed_profile(dynamodb):
    dynamodb.Table("profiles").put_item(Item={"profile_id": "p1", "reviewers": [], "version": 1})


def profile(dynamodb):
    return dynamodb.Table("profiles").get_item(Key={"profile_id": "p1"}, ConsistentRead=True)["Item"]


class TwoWriters:
    """Runs one function as two writers, interleaved: A reads, B reads, A writes, B writes.

    The module calls `checkpoint()` between its read and its write: the writer stops there until
    it is its turn to write."""

    def __init__(self) -> None:
        self.gates = {}

    def checkpoint(self) -> None:
        read, go = self.gates[threading.current_thread().name]
        read.set()
        assert go.wait(10), "never released"

    def run(self, function, a_args, b_args):
        outcome = {}

        def writer(name, args):
            try:
                function(*args)
                outcome[name] = None
            except Exception as error:  # noqa: BLE001 - what the writer raised is the result
                outcome[name] = error

        threads = {}
        for name, args in (("A", a_args), ("B", b_args)):
            self.gates[name] = (threading.Event(), threading.Event())
            threads[name] = threading.Thread(target=writer, args=(name, args), name=name)
            threads[name].start()
            assert self.gates[name][0].wait(10) or not threads[name].is_alive(), f"{name} never read"
        for name in ("A", "B"):  # A writes first, then B, whose read is now stale
            self.gates[name][1].set()
            threads[name].join(10)
            assert not threads[name].is_alive()
        return outcome["A"], outcome["B"]


def execute(source: str, function: str, a_args, b_args):
    """Exec the module (inside moto) and run `function` as two interleaved writers."""
    writers = TwoWriters()
    namespace = {"__name__": "app", "checkpoint": writers.checkpoint}
    exec(compile(source, "app.py", "exec"), namespace)  # noqa: S102 - the module under test
    return writers.run(namespace[function], a_args, b_args)


def conditional_check_failed(error) -> bool:
    return isinstance(error, ClientError) and error.response["Error"]["Code"] == "ConditionalCheckFailedException"


def lost_then_kept(dynamodb, source, fixed, function, read_state, seed=None,
                   a_args=("p1", "alice"), b_args=("p1", "bob")):
    """The original loses A's write silently; the fixed code rejects B's stale write."""
    if seed:
        seed(dynamodb)
    a, b = execute(source, function, a_args, b_args)
    assert a is None and b is None, (a, b)
    assert read_state(dynamodb) == "bob", "the original: B silently overwrote A"
    _reset(dynamodb)
    if seed:
        seed(dynamodb)
    a, b = execute(fixed, function, a_args, b_args)
    assert a is None, a
    assert conditional_check_failed(b), b
    assert read_state(dynamodb) == "alice", "the fixed code: A's write survives"


def _reset(dynamodb):
    for name, keys in (("profiles", ["profile_id"]), ("subscribers", ["subscriber_id"]),
                       ("orders", ["customer", "order_id"])):
        table = dynamodb.Table(name)
        for item in table.scan()["Items"]:
            table.delete_item(Key={k: item[k] for k in keys})


def reviewers(dynamodb):
    found = profile(dynamodb)["reviewers"]
    assert len(found) == 1, found  # each writer appended itself to what it read: []
    return found[0]


# --- DDB101 -------------------------------------------------------------------------------------

DDB101_RESOURCE = '''
    import boto3

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("profiles")


    def add_reviewer(profile_id, reviewer):
        item = table.get_item(Key={"profile_id": profile_id}, ConsistentRead=True)["Item"]
        checkpoint()
        table.update_item(
            Key={"profile_id": profile_id},
            UpdateExpression="SET reviewers = :r",
            ExpressionAttributeValues={":r": item["reviewers"] + [reviewer]},
        )
'''


def test_ddb101_resource_read_modify_write(dynamodb, tmp_path):
    fixed = fix("DDB101", DDB101_RESOURCE, tmp_path)
    assert 'ConditionExpression="#v = :expected"' in fixed and "#v = #v + :one" in fixed
    lost_then_kept(dynamodb, textwrap.dedent(DDB101_RESOURCE), fixed, "add_reviewer", reviewers, seed_profile)
    assert profile(dynamodb)["version"] == 2  # the fix bumps the version


DDB101_CLIENT = '''
    import boto3

    client = boto3.client("dynamodb", region_name="us-east-1")


    def add_reviewer(profile_id, reviewer):
        resp = client.get_item(TableName="profiles", Key={"profile_id": {"S": profile_id}}, ConsistentRead=True)
        checkpoint()
        client.update_item(TableName="profiles", Key={"profile_id": {"S": profile_id}},
                           UpdateExpression="SET reviewers = :r",
                           ConditionExpression="attribute_exists(profile_id)",
                           ExpressionAttributeValues={":r": {"L": resp["Item"]["reviewers"]["L"] + [{"S": reviewer}]}})
'''


def test_ddb101_client_response_kept_whole(dynamodb, tmp_path):
    fixed = fix("DDB101", DDB101_CLIENT, tmp_path)
    assert '"attribute_exists(profile_id) AND #v = :expected"' in fixed
    assert '":expected": resp["Item"]["version"]' in fixed and '":one": {"N": "1"}' in fixed
    lost_then_kept(dynamodb, textwrap.dedent(DDB101_CLIENT), fixed, "add_reviewer", reviewers, seed_profile)


DDB101_QUERY = '''
    import boto3
    from boto3.dynamodb.conditions import Attr, Key

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("orders")


    def close_all(customer, who):
        for order in table.query(KeyConditionExpression=Key("customer").eq(customer), ConsistentRead=True)["Items"]:
            checkpoint()
            table.update_item(
                Key={"customer": order["customer"], "order_id": order["order_id"]},
                UpdateExpression="SET closed_by = :w",
                ConditionExpression=Attr("open").eq(True),
                ExpressionAttributeValues={":w": who},
            )
'''


def test_ddb101_query_loop_with_a_conditions_builder(dynamodb, tmp_path):
    fixed = fix("DDB101", DDB101_QUERY, tmp_path)
    assert 'Attr("open").eq(True) & Attr("version").eq(order["version"])' in fixed

    def seed(db):
        db.Table("orders").put_item(Item={"customer": "c1", "order_id": "o1", "open": True, "version": 5})

    def closed_by(db):
        return db.Table("orders").get_item(Key={"customer": "c1", "order_id": "o1"})["Item"]["closed_by"]

    lost_then_kept(dynamodb, textwrap.dedent(DDB101_QUERY), fixed, "close_all", closed_by, seed,
                   a_args=("c1", "alice"), b_args=("c1", "bob"))


# --- DDB102 -------------------------------------------------------------------------------------

DDB102_SOURCE = '''
    import boto3

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("subscribers")


    def register(subscriber_id, email):
        if table.get_item(Key={"subscriber_id": subscriber_id}, ConsistentRead=True).get("Item") is not None:
            raise ValueError("already registered")
        checkpoint()
        table.put_item(Item={"subscriber_id": subscriber_id, "email": email})
'''


def test_ddb102_check_then_create(dynamodb, tmp_path):
    fixed = fix("DDB102", DDB102_SOURCE, tmp_path)
    assert 'ConditionExpression="attribute_not_exists(#pk)"' in fixed
    assert 'ExpressionAttributeNames={"#pk": "subscriber_id"}' in fixed

    def email(db):
        return db.Table("subscribers").get_item(Key={"subscriber_id": "s1"})["Item"]["email"]

    lost_then_kept(dynamodb, textwrap.dedent(DDB102_SOURCE), fixed, "register", email,
                   a_args=("s1", "alice"), b_args=("s1", "bob"))


def test_ddb102_partition_key_from_the_registry(dynamodb, tmp_path):
    source = '''
        import boto3

        client = boto3.client("dynamodb", region_name="us-east-1")


        def register(subscriber_id, email):
            checkpoint()
            client.put_item(TableName="subscribers", Item={"subscriber_id": {"S": subscriber_id}, "email": {"S": email}})
    '''
    fixed = fix("DDB102", source, tmp_path, config='[tool.ddblint.tables.subscribers]\npartition-key = "subscriber_id"\n')

    def email(db):
        return db.Table("subscribers").get_item(Key={"subscriber_id": "s1"})["Item"]["email"]

    lost_then_kept(dynamodb, textwrap.dedent(source), fixed, "register", email,
                   a_args=("s1", "alice"), b_args=("s1", "bob"))


# --- DDB103 -------------------------------------------------------------------------------------

DDB103_SOURCE = '''
    import boto3

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("profiles")


    def add_reviewer(profile_id, reviewer):
        item = table.get_item(Key={"profile_id": profile_id}, ConsistentRead=True)["Item"]
        checkpoint()
        table.update_item(
            Key={"profile_id": profile_id},
            UpdateExpression="SET reviewers = :r",
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":r": item["reviewers"] + [reviewer], ":expected": item["version"]},
        )
'''


def test_ddb103_guard_without_bump(dynamodb, tmp_path):
    fixed = fix("DDB103", DDB103_SOURCE, tmp_path)
    assert 'UpdateExpression="SET reviewers = :r, #v = #v + :one"' in fixed
    lost_then_kept(dynamodb, textwrap.dedent(DDB103_SOURCE), fixed, "add_reviewer", reviewers, seed_profile)
    assert profile(dynamodb)["version"] == 2


# --- DDB104 -------------------------------------------------------------------------------------

DDB104_SOURCE = '''
    import boto3

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("profiles")


    def add_reviewer(profile_id, reviewer):
        item = table.get_item(Key={"profile_id": profile_id}, ConsistentRead=True)["Item"]
        checkpoint()
        table.update_item(
            Key={"profile_id": profile_id},
            UpdateExpression="SET reviewers = :r ADD #v :one",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":r": item["reviewers"] + [reviewer], ":one": 1},
        )
'''


def test_ddb104_bump_without_guard(dynamodb, tmp_path):
    fixed = fix("DDB104", DDB104_SOURCE, tmp_path)
    assert 'ConditionExpression="#v = :expected"' in fixed and '":expected": item["version"]' in fixed
    lost_then_kept(dynamodb, textwrap.dedent(DDB104_SOURCE), fixed, "add_reviewer", reviewers, seed_profile)
    assert profile(dynamodb)["version"] == 2


# --- DDB301, DDB403, DDB404: ValidationException before, none after ------------------------------

def validation_error(call) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    return caught.value.response["Error"]["Message"]


def run(source: str, function: str, *args):
    namespace = {"__name__": "app"}
    exec(compile(source, "app.py", "exec"), namespace)  # noqa: S102
    return namespace[function](*args)


CONFIG_301 = '[tool.ddblint.tables.subscribers]\nindexes = { by_email = "global" }\n'
DDB301_SOURCE = '''
    import boto3

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("subscribers")


    def by_email(email):
        return table.query(
            IndexName="by_email",
            KeyConditionExpression="email = :e",
            ExpressionAttributeValues={":e": email},
            ConsistentRead=True,
        )["Items"]
'''


def test_ddb301_consistent_read_removed(dynamodb, tmp_path):
    fixed = fix("DDB301", DDB301_SOURCE, tmp_path, config=CONFIG_301, applicability="safe")
    assert "ConsistentRead" not in fixed
    dynamodb.Table("subscribers").put_item(Item={"subscriber_id": "s1", "email": "a@example.com"})
    message = validation_error(lambda: run(textwrap.dedent(DDB301_SOURCE), "by_email", "a@example.com"))
    assert "Consistent reads are not supported on global secondary indexes" in message
    assert [i["subscriber_id"] for i in run(fixed, "by_email", "a@example.com")] == ["s1"]


DDB403_SOURCE = '''
    import boto3

    client = boto3.client("dynamodb", region_name="us-east-1")


    def verify(profile_id, expected):
        client.update_item(
            TableName="profiles",
            Key={"profile_id": {"S": profile_id}},
            UpdateExpression="SET verified = :t",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":t": {"BOOL": True}, ":expected": {"N": expected}},
        )
'''


def test_ddb403_unused_placeholders_removed(dynamodb, tmp_path):
    fixed = fix("DDB403", DDB403_SOURCE, tmp_path, applicability="safe")
    assert "ExpressionAttributeNames" not in fixed and ":expected" not in fixed
    seed_profile(dynamodb)
    message = validation_error(lambda: run(textwrap.dedent(DDB403_SOURCE), "verify", "p1", "1"))
    assert "unused in expressions" in message
    run(fixed, "verify", "p1", "1")
    assert profile(dynamodb)["verified"] is True


DDB404_SOURCE = '''
    import boto3

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("profiles")


    def rename(profile_id, name, status):
        table.update_item(
            Key={"profile_id": profile_id},
            UpdateExpression="SET name = :n, status = :s",
            ConditionExpression="attribute_exists(profile_id) AND size(name) < :max",
            ExpressionAttributeValues={":n": name, ":s": status, ":max": 100},
        )
        return table.get_item(Key={"profile_id": profile_id}, ProjectionExpression="name, status")["Item"]
'''


def test_ddb404_reserved_words_become_placeholders(dynamodb, tmp_path):
    fixed = fix("DDB404", DDB404_SOURCE, tmp_path, applicability="safe")
    assert '"SET #name = :n, #status = :s"' in fixed and '"#name, #status"' in fixed
    dynamodb.Table("profiles").put_item(Item={"profile_id": "p1", "name": "old", "version": 1})
    message = validation_error(lambda: run(textwrap.dedent(DDB404_SOURCE), "rename", "p1", "new", "ok"))
    assert "reserved keyword" in message
    assert run(fixed, "rename", "p1", "new", "ok") == {"name": "new", "status": "ok"}
