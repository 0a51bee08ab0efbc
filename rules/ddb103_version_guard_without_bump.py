from ddblint import dynamo
from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Fix, Rule
from ddblint.rules import _messages
from ddblint.rules._version_fixes import add_version_bump, version_name


class VersionGuardWithoutBump(Rule):
    code = "DDB103"
    name = "version-guard-without-bump"
    summary = "The condition checks the version attribute but the write does not change it"
    what = """
        Checks UpdateItem calls whose condition compares the version attribute while the
        UpdateExpression neither SETs nor ADDs it, and PutItem calls with such a condition whose
        literal Item has no version attribute at all.
    """
    why = """
        Optimistic locking works because every successful write moves the version on: the next
        writer that read the old version fails its check. A write that checks `#v = :expected`
        but leaves the version unchanged lets every other writer that read the same version pass
        too, so concurrent changes overwrite each other exactly as if there were no check.
    """
    fix_availability = "Sometimes"
    fix_safety = """
        Unsafe: the fix adds `#v = #v + :one` to the UpdateExpression's SET clause
        (`if_not_exists(#v, :zero) + :one` when some alternative of the condition lets the item
        lack the version). The next writer that read the old version then fails with
        ConditionalCheckFailedException where it used to succeed, and its code may not handle it.
        Offered for UpdateItem only.
    """
    triggers = triggers("UpdateItem", "PutItem", "TransactWriteItems", "ExecuteStatement", "ExecuteTransaction", partiql=True, pynamodb=True)

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def verify(profile_id, expected):
                table.update_item(  # expect: DDB103
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET email_verified = :t",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":t": True, ":expected": expected},
                )
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def verify(profile_id, expected):
                table.update_item(  # expect: DDB103
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET email_verified = :t, #v = #v + :one",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":t": True, ":expected": expected, ":one": 1},
                )
        '''),
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("profiles")

            def replace(profile_id, email, expected):
                table.put_item(  # expect: DDB103
                    Item={"profile_id": profile_id, "email": email},
                    ConditionExpression=Attr("version").eq(expected),
                )
        '''),
        # a low-level client, a builder-free condition on a bare name, and no SET clause yet;
        # `:one` is taken, and a create alternative means the version may be missing
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def tag(profile_id, tags, expected):
                client.update_item(  # expect: DDB103
                    TableName="profiles",
                    Key={"profile_id": {"S": profile_id}},
                    UpdateExpression="ADD tags :one",
                    ConditionExpression="version = :expected OR attribute_not_exists(profile_id)",
                    ExpressionAttributeValues={":one": {"SS": tags}, ":expected": {"N": expected}},
                )
        ''', fixed='''
            import boto3

            client = boto3.client("dynamodb")

            def tag(profile_id, tags, expected):
                client.update_item(  # expect: DDB103
                    TableName="profiles",
                    Key={"profile_id": {"S": profile_id}},
                    UpdateExpression="ADD tags :one SET #v = if_not_exists(#v, :zero) + :ddb_one",
                    ConditionExpression="version = :expected OR attribute_not_exists(profile_id)",
                    ExpressionAttributeValues={":one": {"SS": tags}, ":expected": {"N": expected}, ":ddb_one": {"N": "1"}, ":zero": {"N": "0"}},
                    ExpressionAttributeNames={"#v": "version"},
                )
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def verify(profile_id, expected):
                table.update_item(
                    Key={"profile_id": profile_id},
                    UpdateExpression="SET email_verified = :t, #v = :next",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":t": True, ":expected": expected, ":next": expected + 1},
                )
        '''),
        # a create guard checks no version: nothing to bump (a create is DDB104's guard too)
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("things")

            def create(pk):
                table.put_item(Item={"pk": pk, "created": 0}, ConditionExpression="attribute_not_exists(pk)")
                table.update_item(
                    Key={"pk": pk},
                    UpdateExpression="SET created = :now",
                    ConditionExpression="attribute_not_exists(pk)",
                    ExpressionAttributeValues={":now": 0},
                )
        '''),
        # an update expression we cannot read may bump it
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def verify(profile_id, expected, expression):
                table.update_item(
                    Key={"profile_id": profile_id},
                    UpdateExpression=expression,
                    ConditionExpression="version = :expected",
                    ExpressionAttributeValues={":expected": expected},
                )
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.name not in ("UpdateItem", "PutItem") or op.orm:  # PynamoDB writes: DDB108, DDB109
                continue
            facts = model.facts(op)
            if not model.guard(op).checks_version:
                continue
            written = model.set_attributes(op)
            if written is dynamo.UNKNOWN or set(written) & set(facts.version_attributes):
                continue
            version = facts.version_attributes[0]
            change = "UpdateExpression does not SET or ADD it" if op.name == "UpdateItem" else "Item does not contain it"
            if op.partiql is not None:
                change = "statement does not SET it"
            version = model.checked_version(op) or version
            fix, edits = _fix(ctx.module, model, op, version)
            yield Finding(op.node, f"{_messages.subject(op, facts)} checks `{version}` but its {change}: "
                                   f"every writer that read the same version passes the check. "
                                   f"Bump `{version}` in the same write.", fix=fix, edits=edits)


def _fix(module, model, op, version):
    """Add `#v = #v + :one` to the UpdateExpression's SET clause (`if_not_exists(#v, :zero) + :one`
    when some alternative of the condition lets the item lack the version); unsafe: see `fix_safety`."""
    if op.name != "UpdateItem" or op.partiql is not None:
        return None, ()
    try:
        patch = dynamo.Patch(module, op)
        v = version_name(patch, version)
        add_version_bump(model, patch, version, v)
        edits = patch.edits()
    except dynamo.Unfixable:
        return None, ()
    return Fix(f"Increment `{version}` in the update", "unsafe"), edits
