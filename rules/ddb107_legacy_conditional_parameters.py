from ddblint.rule import Example, Finding, Rule
from ddblint.dynamo import legacy
from ddblint.dynamo.locations import KeyLocator


class LegacyConditionalParameters(Rule):
    code = "DDB107"
    name = "legacy-conditional-parameters"
    summary = "Legacy conditional parameters (`Expected`, `AttributeUpdates`, ...) instead of expressions"
    what = """
        Checks calls that pass one of DynamoDB's legacy conditional parameters: `Expected`,
        `ConditionalOperator`, `AttributeUpdates`, `KeyConditions`, `QueryFilter`, `ScanFilter`,
        `AttributesToGet` (also in a BatchGetItem table entry). When the same request also has an
        expression parameter (`ConditionExpression`, `UpdateExpression`,
        `KeyConditionExpression`, `FilterExpression`, `ProjectionExpression`) the message says
        the request is rejected. The finding points at the first legacy parameter of each request.
    """
    why = """
        The legacy parameters predate expressions and are kept only for old code: they cannot
        express what expressions can (functions such as `size`, nested paths, `SET a = a + :n`),
        they are easy to get subtly wrong (`Expected` with `Exists` and `Value` together), and
        ddblint's other checks read them less well than expressions. Mixing the two kinds in one
        request is not a style problem but an error: DynamoDB answers ValidationException ("Can
        not use both expression and non-expression parameters in the same request"), so that
        call never succeeds. Write the condition as `ConditionExpression`, the update as
        `UpdateExpression`, and so on.
    """
    triggers = ("put_item", "update_item", "delete_item", "get_item", "batch_get_item", ".query(", ".scan(")

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    AttributeUpdates={"delivery_address": {"Value": address, "Action": "PUT"}},  # expect: DDB107
                    Expected={"version": {"Value": expected}},
                )
        '''),
        # mixed with an expression parameter: rejected at run time
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def touch(subscriber_id, now):
                client.update_item(
                    TableName="subscribers",
                    Key={"subscriber_id": {"S": subscriber_id}},
                    UpdateExpression="SET last_contacted = :now",
                    ExpressionAttributeValues={":now": {"S": now}},
                    Expected={"subscriber_id": {"Exists": True, "Value": {"S": subscriber_id}}},  # expect: DDB107
                )
        '''),
        # reads: KeyConditions, ScanFilter, AttributesToGet, also per table in BatchGetItem
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def reads(customer_id, keys):
                client.query(
                    TableName="orders",
                    KeyConditions={"customer_id": {  # expect: DDB107
                        "ComparisonOperator": "EQ", "AttributeValueList": [{"S": customer_id}]}},
                )
                client.scan(TableName="orders", ScanFilter={"flagged": {"ComparisonOperator": "NOT_NULL"}})  # expect: DDB107
                client.get_item(TableName="orders", Key=keys[0], AttributesToGet=["total"])  # expect: DDB107
                client.batch_get_item(RequestItems={
                    "orders": {"Keys": keys, "AttributesToGet": ["total"]},  # expect: DDB107
                })
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a, version = :next",
                    ConditionExpression="version = :expected",
                    ExpressionAttributeValues={":a": address, ":expected": expected, ":next": expected + 1},
                )
        '''),
        # look-alikes: the names outside a DynamoDB call
        Example('''
            from unittest import mock

            Expected = {"a": 1}
            result = dict(Expected=Expected, AttributesToGet=["a"])
            mock.call.put_item(1, Expected=Expected)
            assert_equal(Expected=Expected, AttributeUpdates=None)
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        locator = None
        seen = set()
        for op in model.operations:
            use = legacy.legacy_use(op)
            if use is None or id(op.params) in seen:
                continue
            seen.add(id(op.params))
            if locator is None:
                locator = KeyLocator(ctx.module)
            first = use.legacy[0]
            node = locator.locate(op.param_node(first), op.node)
            yield Finding(node, _message(op, use))


def _message(op, use) -> str:
    names = ", ".join(f"`{name}`" for name in use.legacy)
    plural = "s" if len(use.legacy) > 1 else ""
    instead = ", ".join(f"`{name}` as `{use.replacement(name)}`" for name in use.legacy)
    if use.mixed:
        mixed = ", ".join(f"`{name}`" for name in use.expressions)
        return (f"{op.name} mixes the legacy parameter{plural} {names} with {mixed}: DynamoDB rejects the "
                f"request (ValidationException: expression and non-expression parameters in the same "
                f"request). Write {instead}.")
    return f"{op.name} uses the legacy parameter{plural} {names}: write {instead}."
