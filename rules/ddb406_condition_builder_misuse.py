from __future__ import annotations

from ddblint import dynamo
from ddblint.rule import Example, Finding, Rule


class ConditionBuilderMisuse(Rule):
    code = "DDB406"
    name = "condition-builder-misuse"
    summary = "A `boto3.dynamodb.conditions` builder used where it does not work"
    what = """
        Checks the uses of `Attr` and `Key` from `boto3.dynamodb.conditions` that fail at run
        time: a Python comparison (`Attr("version") == expected`, `!=`, `<`, ...) instead of the
        builder's method (`.eq(expected)`); a bare `Attr("x")` passed as a condition; a builder
        passed to a low-level client that was made as a client (`boto3.client("dynamodb")`,
        `session.client(...)`, aiobotocore); a builder in a `transact_write_items` entry, on any
        client; and `Attr` in a KeyConditionExpression. `resource.meta.client` does serialise
        builders for single-item calls and is not reported; a client whose origin ddblint cannot
        see (an annotated parameter) and a call whose receiver it cannot resolve are reported only
        for what fails on every surface (a comparison, `Attr` in a key condition).
    """
    why = """
        `Attr("version") == expected` is Python's own `==` on the attribute object: it is `False`
        (`!=` is `True`, `<` raises TypeError), so the call gets a bool for its condition and
        botocore rejects it; the write that was meant to be guarded fails every time. Only boto3's
        resource layer turns builders into expression strings: a plain client passes the object
        on and botocore rejects it (ParamValidationError), and inside `transact_write_items`
        even the resource's client puts the generated placeholders at the top level of the
        request, where botocore rejects them too (boto/boto3#4053). `Attr` in a key condition
        raises DynamoDBNeedsKeyConditionError: key conditions take `Key(...)` only.
    """
    triggers = ("dynamodb",)

    fires = [
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a, version = :next",
                    ConditionExpression=Attr("version") == expected,  # expect: DDB406
                    ExpressionAttributeValues={":a": address, ":next": expected + 1},
                )
        '''),
        # bound to a name first; `!=`; a key condition with `==`
        Example('''
            from boto3.dynamodb.conditions import Attr, Key

            def active(table, customer_id):
                live = Attr("status") != "deleted"  # expect: DDB406
                return table.query(
                    KeyConditionExpression=Key("customer_id") == customer_id,  # expect: DDB406
                    FilterExpression=live,
                )
        '''),
        # a low-level client does not serialise builders
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            client = boto3.client("dynamodb")

            def create(item):
                client.put_item(
                    TableName="subscribers",
                    Item=item,
                    ConditionExpression=Attr("subscriber_id").not_exists(),  # expect: DDB406
                )
        '''),
        # not even the resource's client, inside a transaction (boto/boto3#4053)
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            resource = boto3.resource("dynamodb")

            def move(a, b, expected):
                resource.meta.client.transact_write_items(TransactItems=[
                    {"Update": {
                        "TableName": "accounts",
                        "Key": {"pk": a},
                        "UpdateExpression": "SET version = :next",
                        "ExpressionAttributeValues": {":next": expected + 1},
                        "ConditionExpression": Attr("version").eq(expected),  # expect: DDB406
                    }},
                ])
        '''),
        # Attr in a key condition
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr, Key

            table = boto3.resource("dynamodb").Table("orders")

            def recent(customer_id, since):
                return table.query(
                    KeyConditionExpression=Key("customer_id").eq(customer_id) & Attr("created").gte(since),  # expect: DDB406
                )
        '''),
        # an attribute is not a condition
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("orders")

            def flagged():
                return table.scan(FilterExpression=Attr("flagged"))  # expect: DDB406
        '''),
    ]
    passes = [
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a, version = :next",
                    ConditionExpression=Attr("version").eq(expected),
                    ExpressionAttributeValues={":a": address, ":next": expected + 1},
                )
        '''),
        # resource.meta.client serialises builders for single-item calls; Key works in a filter
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr, Key

            resource = boto3.resource("dynamodb")
            table = resource.Table("orders")

            def create(item):
                resource.meta.client.put_item(TableName="orders", Item=item,
                                              ConditionExpression=Attr("pk").not_exists())
                table.meta.client.delete_item(TableName="orders", Key={"pk": "x"},
                                              ConditionExpression=Attr("pk").exists())
                return table.scan(FilterExpression=Key("pk").begins_with("2024"))
        '''),
        # comparing two builders is plain equality on purpose; `is`/`in` are left alone
        Example('''
            from boto3.dynamodb.conditions import Attr

            def same(a, b):
                assert Attr("version") == Attr("version")
                return Attr(a) is None or Attr(a) in b
        '''),
        # look-alikes: another library's Attr, a PynamoDB model attribute, a local class
        Example('''
            from attr import Attr
            from app.models import Order

            class Key:
                def __init__(self, name):
                    self.name = name

            def f(x):
                return Attr("v") == x, Order.status == "open", Key("pk") == x
        '''),
        # a client whose origin is not visible (may be resource.meta.client); a wrapper's transaction
        Example('''
            from boto3.dynamodb.conditions import Attr
            from mypy_boto3_dynamodb import DynamoDBClient

            def create(client: DynamoDBClient, store, item):
                client.put_item(TableName="t", Item=item, ConditionExpression=Attr("pk").not_exists())
                store.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "t", "Item": item, "ConditionExpression": Attr("pk").not_exists()}},
                ])
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for comparison in model.comparisons():
            yield Finding(comparison.node, _comparison_message(ctx, comparison))
        for op in model.operations:
            if op.call.via == "batch_writer":
                continue  # DDB405 reports conditions given to a batch writer
            for parameter, value, node in model.builder_parameters(op):
                message = _parameter_message(model, op, parameter, value)
                if message:
                    yield Finding(node or op.node, message)


def _builder_text(builder: dynamo.BuilderAttr) -> str:
    name = "Key" if builder.is_key else "Attr"
    return f"{name}(...)" + (".size()" if builder.size else "")


def _comparison_message(ctx, comparison) -> str:
    written = ctx.module.code_for_node(comparison.node)
    if len(written) > 60:
        written = f"{_builder_text(comparison.builder)} {comparison.symbol} ..."
    method = comparison.method
    if comparison.builder.is_key and method == "ne":
        instead = "`Key` has no `ne`: use `Attr(...).ne(...)` in a condition or filter"
    else:
        instead = f"use `.{method}(...)`"
    if comparison.result is not None:
        effect = (f"is Python's `{comparison.symbol}` on the attribute object and evaluates to "
                  f"`{comparison.result}`, not a condition: the call gets a bool and botocore rejects it "
                  f"(ParamValidationError)")
    else:
        effect = f"is Python's `{comparison.symbol}` on the attribute object and raises TypeError"
    return f"`{written}` {effect}; {instead}."


def _parameter_message(model, op, parameter, value):
    via = op.call.via
    what = f"`{parameter}`"
    if op.in_transaction:
        if via == "unknown":
            return None  # a wrapper of the project's own may serialise builders itself
        from_resource = model.client_from_resource(op.call)
        if from_resource:
            why = ("even the resource's client puts the generated ExpressionAttributeNames/Values at the top "
                   "level of the request, where botocore rejects them (ParamValidationError, boto/boto3#4053)")
        else:
            why = ("botocore rejects it (ParamValidationError); and on `resource.meta.client` the generated "
                   "placeholders end up at the top level of the request, which fails too (boto/boto3#4053)")
        return (f"A condition builder in a TransactWriteItems {op.name.replace('Item', '')} entry's {what}: "
                f"{why}. Write the expression as a string with ExpressionAttributeNames/Values in the entry.")
    if isinstance(value, dynamo.BuilderAttr):
        if via == "unknown":
            return None
        return (f"{what} gets `{_builder_text(value)}`, an attribute, not a condition: botocore rejects it "
                f"(ParamValidationError). Call a method on it (`.exists()`, `.eq(x)`, ...).")
    if via == "client" and model.client_from_resource(op.call) is False:
        return (f"A condition builder passed as {what} to a low-level client: only boto3's resource layer "
                f"(a Table, `resource.meta.client`) turns `Attr`/`Key` into expression strings, so botocore "
                f"rejects it (ParamValidationError). Use a Table, or write the expression as a string with "
                f"ExpressionAttributeNames/Values.")
    if parameter == "KeyConditionExpression" and getattr(value, "uses_attr", False):
        return (f"`Attr(...)` in {what}: a key condition takes `Key(...)` only, and boto3 raises "
                f"DynamoDBNeedsKeyConditionError. Move the non-key part to FilterExpression.")
    return None
