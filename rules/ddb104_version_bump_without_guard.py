from ddblint import dynamo
from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Fix, Rule
from ddblint.rules import _messages
from ddblint.rules._version_fixes import read_modify_write_guard


class VersionBumpWithoutGuard(Rule):
    code = "DDB104"
    name = "version-bump-without-guard"
    summary = "The update bumps the version attribute but no condition checks it"
    what = """
        Checks UpdateItem calls (and TransactWriteItems `Update` entries) that SET or ADD the
        version attribute while their condition is not a version guard: it neither compares the
        version, nor creates the item (`attribute_not_exists(...)`), nor compares an attribute the
        same update sets. Such an update is reported here instead of DDB101.
    """
    why = """
        Incrementing `version` makes the code look like optimistic locking, but without
        `ConditionExpression="#v = :expected"` no writer ever checks it: two regions (or two
        workers) both read version 7, both write 8, and one change is silently lost. The bump
        only helps when the same call also asserts the version it read.
    """
    fix_availability = "Sometimes"
    fix_safety = """
        Unsafe: the fix ANDs `#v = :expected` onto the condition, `:expected` being the version of
        the item the function read earlier. A stale write then fails with
        ConditionalCheckFailedException where it used to overwrite silently, and the code around
        it may not handle that exception.
    """
    triggers = triggers("UpdateItem", "TransactWriteItems", "ExecuteStatement", "ExecuteTransaction", partiql=True, pynamodb=True)

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def review(profile_id, reviewer):
                table.update_item(  # expect: DDB104
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET reviewed_by = :r ADD #v :one",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":r": reviewer, ":one": 1},
                )
        '''),
        # a condition on something else does not check the version either
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def review(profile_id, reviewer):
                table.update_item(  # expect: DDB104
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET reviewed_by = :r, version = version + :one",
                    ConditionExpression="attribute_exists(profile_id)",
                    ExpressionAttributeValues={":r": reviewer, ":one": 1},
                )
        '''),
        # `NOT attribute_not_exists(pk)` is an existence check, not a create
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("things")

            def touch(pk):
                table.update_item(  # expect: DDB104
                    Key={"pk": pk},
                    UpdateExpression="SET version = :one, touched = :now",
                    ConditionExpression="NOT attribute_not_exists(pk)",
                    ExpressionAttributeValues={":one": 1, ":now": 0},
                )
        '''),
        # a read-modify-write: the item read earlier holds the version to check
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def review(profile_id, reviewer):
                profile = table.get_item(Key={"profile_id": profile_id}, ConsistentRead=True)["Item"]
                reviewers = profile.get("reviewers", []) + [reviewer]
                table.update_item(  # expect: DDB104
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET reviewers = :r ADD #v :one",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":r": reviewers, ":one": 1},
                )
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def review(profile_id, reviewer):
                profile = table.get_item(Key={"profile_id": profile_id}, ConsistentRead=True)["Item"]
                reviewers = profile.get("reviewers", []) + [reviewer]
                table.update_item(  # expect: DDB104
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET reviewers = :r ADD #v :one",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":r": reviewers, ":one": 1, ":expected": profile["version"]},
                    ConditionExpression="#v = :expected",
                )
        '''),
        # the existing condition is kept, AND-ed
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def review(profile_id, reviewer):
                response = table.get_item(Key={"profile_id": profile_id})
                profile = response["Item"]
                table.update_item(  # expect: DDB104
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET reviewed_by = :r, version = version + :one",
                    ConditionExpression="attribute_exists(profile_id)",
                    ExpressionAttributeValues={":r": reviewer, ":one": 1, ":old": profile["reviewed_by"]},
                )
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def review(profile_id, reviewer):
                response = table.get_item(Key={"profile_id": profile_id})
                profile = response["Item"]
                table.update_item(  # expect: DDB104
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET reviewed_by = :r, version = version + :one",
                    ConditionExpression="attribute_exists(profile_id) AND #v = :expected",
                    ExpressionAttributeValues={":r": reviewer, ":one": 1, ":old": profile["reviewed_by"], ":expected": profile["version"]},
                    ExpressionAttributeNames={"#v": "version"},
                )
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def review(profile_id, reviewer, expected):
                table.update_item(
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET reviewed_by = :r ADD #v :one",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":r": reviewer, ":one": 1, ":expected": expected},
                )
        '''),
        # a create: `attribute_not_exists` fails when another writer created the item first
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("things")

            def create(pk):
                table.update_item(
                    Key={"pk": pk},
                    UpdateExpression="SET version = :one, created = :now",
                    ConditionExpression="attribute_not_exists(pk)",
                    ExpressionAttributeValues={":one": 1, ":now": 0},
                )
        '''),
        # the same create as a transaction entry, its condition a builder on the resource side
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            client = boto3.client("dynamodb")
            table = boto3.resource("dynamodb").Table("things")

            def create(pk, other):
                client.transact_write_items(TransactItems=[
                    {"Update": {"TableName": "things", "Key": {"pk": {"S": pk}},
                                "UpdateExpression": "SET version = :one",
                                "ConditionExpression": "attribute_not_exists(pk)",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                ])
                table.update_item(Key={"pk": other}, UpdateExpression="SET version = :one",
                                  ConditionExpression=Attr("pk").not_exists(),
                                  ExpressionAttributeValues={":one": 1})
        '''),
        # a compare-and-set: the state transition is the guard
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET #s = :shipped ADD version :one",
                    ConditionExpression="#s = :paid",
                    ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues={":shipped": "shipped", ":paid": "paid", ":one": 1},
                )
        '''),
        # no version bump: DDB101's business
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")
            table.update_item(Key={"profile_id": "p"}, UpdateExpression="SET a = :a",
                              ExpressionAttributeValues={":a": 1})
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.name != "UpdateItem" or op.orm:  # PynamoDB writes: DDB108, DDB109
                continue
            facts = model.facts(op)
            bumped = model.bumped_versions(op)
            if not bumped:
                continue
            guard = model.guard(op)
            # A create or compare-and-set guard is a version guard too; a condition that compares
            # the version in only some alternatives is DDB101's (its message names them).
            if not guard.unguarded or guard.checks_version:
                continue
            name = sorted(bumped)[0]
            fix, edits = _fix(ctx.module, model, op, name)
            yield Finding(op.node, f"{_messages.subject(op, facts)} bumps `{name}` but no condition checks it: "
                                   f"concurrent writers all pass and one change is silently lost. "
                                   + _messages.version_check_advice(op, name), fix=fix, edits=edits)


def _fix(module, model, op, version):
    """AND `#v = :expected` onto the condition, `:expected` being the version of the item the
    function read earlier (unsafe: see `fix_safety`)."""
    if op.partiql is not None:
        return None, ()
    try:
        edits, _ = read_modify_write_guard(module, model, op, version, check=True, bump=False)
    except dynamo.Unfixable:
        return None, ()
    return Fix(f"Add a condition on `{version}`", "unsafe"), edits
