from ddblint.dynamo import EXPRESSION_TRIGGERS
from ddblint.rule import Example, Finding, Rule


class ExpressionSyntaxError(Rule):
    code = "DDB401"
    name = "expression-syntax-error"
    summary = "A DynamoDB expression that DynamoDB cannot parse"
    what = """
        Parses every ConditionExpression, UpdateExpression, KeyConditionExpression,
        FilterExpression and ProjectionExpression whose string the linter can resolve (literals,
        constants, concatenations, dicts built before a `**` splat, transaction entries) with
        DynamoDB's grammar, and reports the first error with DynamoDB's own wording: a misplaced
        token, an unknown or misused function (`SIZE(a)`, `size(a)` alone), `==`, a clause keyword
        used twice, overlapping update paths, an operator a KeyConditionExpression does not allow.
        Expressions built with `boto3.dynamodb.conditions` or from values the linter cannot see
        are not checked.
    """
    why = """
        DynamoDB parses the expression before it touches any item and rejects the whole request
        with a ValidationException. The mistake is invisible until that code path runs: often an
        error branch, a rarely used filter or a migration script, in production.
    """
    triggers = EXPRESSION_TRIGGERS

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def verify(subscriber_id, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET verified = :t, #v = #v + :one",
                    ConditionExpression="#v == :expected",  # expect: DDB401
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":t": True, ":one": 1, ":expected": expected},
                )
        '''),
        # a clause keyword twice; the expression is a module constant
        Example('''
            import boto3

            client = boto3.client("dynamodb")
            STAMP = "SET updated_at = :now SET updated_by = :who"

            def stamp(pk, now, who):
                client.update_item(
                    TableName="subscribers",
                    Key={"pk": {"S": pk}},
                    UpdateExpression=STAMP,  # expect: DDB401
                    ExpressionAttributeValues={":now": {"S": now}, ":who": {"S": who}},
                )
        '''),
        # OR is not allowed in a KeyConditionExpression
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def orders(customer, a, b):
                return table.query(
                    KeyConditionExpression="customer = :c AND (sk = :a OR sk = :b)",  # expect: DDB401
                    ExpressionAttributeValues={":c": customer, ":a": a, ":b": b},
                )["Items"]
        '''),
        # inside a transaction entry, and function names are case-sensitive
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def create(pk, sk):
                client.transact_write_items(TransactItems=[
                    {"Put": {
                        "TableName": "ledger",
                        "Item": {"pk": {"S": pk}, "sk": {"S": sk}},
                        "ConditionExpression": "Attribute_Not_Exists(pk)",  # expect: DDB401
                    }},
                ])
        '''),
        # a projection with a trailing comma
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def load(profile_id):
                return table.get_item(
                    Key={"profile_id": profile_id},
                    ProjectionExpression="email, display_name,",  # expect: DDB401
                )
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def verify(subscriber_id, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET verified = :t, #v = #v + :one",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":t": True, ":one": 1, ":expected": expected},
                )
        '''),
        # keywords are case-insensitive, whitespace is free, one pair of parentheses may wrap a SET value
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def spend(pk, amount):
                client.update_item(
                    TableName="wallets",
                    Key={"pk": {"S": pk}},
                    UpdateExpression="set balance = (balance - :amount)\\n remove pending",
                    ConditionExpression="attribute_exists(pk) and balance >= :amount",
                    ExpressionAttributeValues={":amount": {"N": amount}},
                )
        '''),
        # builders, expressions built from unknown parts, and look-alike methods are not parsed
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr, Key

            table = boto3.resource("dynamodb").Table("orders")

            def find(customer, field, status):
                table.query(KeyConditionExpression=Key("customer").eq(customer),
                            FilterExpression=Attr("state").eq(status))
                table.update_item(Key={"pk": customer}, UpdateExpression=f"SET {field} = :v",
                                  ExpressionAttributeValues={":v": 1})

            class Search:
                def query(self, KeyConditionExpression):
                    return KeyConditionExpression

            Search().query(KeyConditionExpression="not == an expression")
        '''),
    ]

    def check(self, ctx):
        for op in ctx.dynamo.operations:
            for param in ctx.dynamo.expressions(op).params:
                error = param.error
                if error is None:
                    continue
                yield Finding(param.node or op.node,
                              f"Invalid {param.kind}: {error.message.rstrip(';')}. DynamoDB rejects this request with a "
                              f"ValidationException before it reads or writes anything; correct the "
                              f"{param.kind}.",
                              span=param.source_span(error.start, error.end))
