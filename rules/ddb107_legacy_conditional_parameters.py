from ddblint.diagnostics import Fix
from ddblint.rule import Example, Finding, Rule
from ddblint.dynamo import legacy, operations
from ddblint.dynamo.edits import Unfixable
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
        the request is rejected; so it does when an `Expected` entry, written out in the call, is
        one DynamoDB refuses (`ComparisonOperator` with `Value` or `Exists`, `Exists: False` with a
        `Value`, `Exists: True` without one, or the wrong number of values for its operator). The
        finding points at the first legacy parameter of each request.

        Fix (safe): on PutItem, UpdateItem and DeleteItem, `Expected` (with `ConditionalOperator`)
        and `AttributeUpdates` written as dict literals in the call are rewritten as
        `ConditionExpression` and `UpdateExpression`, every attribute name as a `#name`
        placeholder and every value, moved as written, as a `:value` placeholder. `PUT` becomes
        `SET`, `ADD` stays `ADD` (for a value known to be a number or a set: the legacy ADD also
        appends to a list), `DELETE` without a value becomes `REMOVE` and with a set value stays
        `DELETE`; `Value`/`Exists` become `=` or `attribute_not_exists`, and every
        `ComparisonOperator` its expression (`NOT_CONTAINS` as
        `attribute_exists(#a) AND NOT contains(#a, :v)`, since it is false on a missing attribute).
        No fix when anything is not a literal, when the request already mixes in expression
        parameters, when moving a value with side effects could change the order in which the
        arguments are evaluated, for the read parameters (`KeyConditions`, `QueryFilter`, `ScanFilter`,
        `AttributesToGet`), or for a request DynamoDB rejects anyway. The fix is unsafe only when
        a comment inside the rewritten parameters would be lost.
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
    fix_availability = "Sometimes"
    triggers = operations.triggers("PutItem", "UpdateItem", "DeleteItem", "GetItem", "BatchGetItem", "Query", "Scan")

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
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET #delivery_address = :delivery_address",  # expect: DDB107
                    ConditionExpression="#version = :expected_version",
                    ExpressionAttributeNames={"#delivery_address": "delivery_address", "#version": "version"},
                    ExpressionAttributeValues={":delivery_address": address, ":expected_version": expected},
                )
        '''),
        # a low-level client: typed values move as written; ConditionalOperator joins the conditions
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def create(order_id):
                client.put_item(TableName="orders", Item={"order_id": {"S": order_id}},
                                Expected={"order_id": {"Exists": False}})  # expect: DDB107

            def settle(order_id, paid):
                client.update_item(
                    TableName="orders",
                    Key={"order_id": {"S": order_id}},
                    AttributeUpdates={"paid": {"Value": {"N": paid}}, "lock": {"Action": "DELETE"}},  # expect: DDB107
                    Expected={
                        "state": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "OPEN"}, {"S": "DUE"}]},
                        "tags": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "frozen"}]},
                    },
                    ConditionalOperator="OR",
                )
        ''', fixed='''
            import boto3

            client = boto3.client("dynamodb")

            def create(order_id):
                client.put_item(TableName="orders", Item={"order_id": {"S": order_id}},
                                ConditionExpression="attribute_not_exists(#order_id)",
                                ExpressionAttributeNames={"#order_id": "order_id"})  # expect: DDB107

            def settle(order_id, paid):
                client.update_item(
                    TableName="orders",
                    Key={"order_id": {"S": order_id}},
                    UpdateExpression="SET #paid = :paid REMOVE #lock",  # expect: DDB107
                    ConditionExpression="#state IN (:state_1, :state_2) OR (attribute_exists(#tags) AND NOT contains(#tags, :expected_tags))",
                    ExpressionAttributeNames={"#paid": "paid", "#lock": "lock", "#state": "state", "#tags": "tags"},
                    ExpressionAttributeValues={":paid": {"N": paid}, ":state_1": {"S": "OPEN"}, ":state_2": {"S": "DUE"}, ":expected_tags": {"S": "frozen"}},
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
        # an Expected entry DynamoDB refuses: ComparisonOperator together with Value
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def set_limit(account_id, limit, expected):
                client.update_item(
                    TableName="accounts",
                    Key={"account_id": {"S": account_id}},
                    AttributeUpdates={"limit": {"Value": {"N": str(limit)}, "Action": "PUT"}},  # expect: DDB107
                    Expected={"version": {"Value": {"N": str(expected)}, "ComparisonOperator": "EQ"}},
                )
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
            try:
                title, applicability, edits = legacy.expression_fix(ctx.module, op)
            except legacy.Rejected as rejected:
                yield Finding(node, _rejected_message(op, use, str(rejected)))
                continue
            except Unfixable:
                yield Finding(node, _message(op, use))
                continue
            yield Finding(node, _message(op, use), fix=Fix(title, applicability), edits=edits)


def _instead(use) -> str:
    return ", ".join(f"`{name}` as `{use.replacement(name)}`" for name in use.legacy)


def _rejected_message(op, use, reason: str) -> str:
    return (f"{op.name}'s legacy `Expected` is one DynamoDB rejects ({reason}): every call fails with a "
            f"ValidationException. Write {_instead(use)}.")


def _message(op, use) -> str:
    names = ", ".join(f"`{name}`" for name in use.legacy)
    plural = "s" if len(use.legacy) > 1 else ""
    instead = _instead(use)
    if use.mixed:
        mixed = ", ".join(f"`{name}`" for name in use.expressions)
        return (f"{op.name} mixes the legacy parameter{plural} {names} with {mixed}: DynamoDB rejects the "
                f"request (ValidationException: expression and non-expression parameters in the same "
                f"request). Write {instead}.")
    return f"{op.name} uses the legacy parameter{plural} {names}: write {instead}."
