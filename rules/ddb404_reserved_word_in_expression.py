from ddblint.rule import Example, Finding, Rule
from ddblint.dynamo import expressions as ex
from ddblint.dynamo.expression_params import expressions
from ddblint.dynamo.reserved import is_reserved


class ReservedWordInExpression(Rule):
    code = "DDB404"
    name = "reserved-word-in-expression"
    summary = "A DynamoDB reserved word (`status`, `name`, `data`, ...) used as a bare attribute name"
    what = """
        Checks every attribute name written bare (not as a `#placeholder`) in an expression
        string the linter can parse, at any level of a document path (`status`, `a.name`,
        `items[0].size`), against DynamoDB's 573 reserved words, without regard to case.
        Names passed through `boto3.dynamodb.conditions` builders (`Attr("status")`) are never
        reported: boto3 replaces them with placeholders itself.
    """
    why = """
        DynamoDB rejects any expression that uses a reserved word as an attribute name with a
        ValidationException ("Attribute name is a reserved keyword"). The list is long and
        holds many natural attribute names (`status`, `name`, `data`, `timestamp`, `date`,
        `count`, `user`, `year`, `size`, `comment`), so the mistake is easy to make and shows up
        only when the request runs. Write the name as a placeholder and map it in
        ExpressionAttributeNames.
    """
    triggers = ("put_item", "update_item", "delete_item", "get_item", "query", "scan",
                "transact_write_items", "transact_get_items")

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET status = :shipped",  # expect: DDB404
                    ExpressionAttributeValues={":shipped": "SHIPPED"},
                )
        '''),
        # nested path elements and any case
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def active(customer):
                return client.query(
                    TableName="orders",
                    KeyConditionExpression="customer = :c",
                    FilterExpression="shipping.Date > :d",  # expect: DDB404
                    ExpressionAttributeValues={":c": {"S": customer}, ":d": {"S": "2024-01-01"}},
                )
        '''),
        # a projection
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def load(profile_id):
                return table.get_item(Key={"profile_id": profile_id},
                                      ProjectionExpression="email, name")  # expect: DDB404
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET #status = :shipped",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={":shipped": "SHIPPED"},
                )
        '''),
        # builders alias every name; functions and keywords are not attribute names
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id, tags):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET shipped_at = :now ADD tag_set :tags",
                    ConditionExpression=Attr("status").eq("PAID") & Attr("name").exists(),
                    ExpressionAttributeValues={":now": "2024-01-01", ":tags": tags},
                )
                table.delete_item(Key={"order_id": order_id},
                                  ConditionExpression="size(line_items) > :n AND NOT attribute_exists(paid_at)",
                                  ExpressionAttributeValues={":n": 0})
        '''),
    ]

    def check(self, ctx):
        for op in ctx.dynamo.operations:
            found = expressions(op)
            names = found.names.resolved() if found.names is not None else None
            for param in found.params:
                tree = param.tree
                if tree is None or not param.is_string:
                    continue
                reported = set()
                for node in ex.walk(tree):
                    if not isinstance(node, ex.Name) or not is_reserved(node.text):
                        continue
                    span = param.source_span(*node.span)
                    if span is None and node.text in reported:
                        continue  # every occurrence would point at the same place
                    reported.add(node.text)
                    yield Finding(param.node or op.node, _message(param.kind, node.text, names), span=span)


def _message(kind, word, names):
    existing = [key for key, value in (names or {}).items() if value == word]
    if existing:
        advice = f"Write `{existing[0]}` instead: ExpressionAttributeNames already maps it to `{word}`."
    else:
        placeholder = "#" + "".join(c if c.isalnum() or c == "_" else "_" for c in word)
        advice = (f"Write `{placeholder}` instead and add `\"{placeholder}\": \"{word}\"` to "
                  f"ExpressionAttributeNames.")
    return (f"`{word}` is a DynamoDB reserved word and cannot be an attribute name in the {kind}: "
            f"DynamoDB rejects the request with a ValidationException (Attribute name is a reserved "
            f"keyword; reserved keyword: {word}). {advice}")
