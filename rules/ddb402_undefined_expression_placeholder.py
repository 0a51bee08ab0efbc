import difflib

from ddblint.dynamo import EXPRESSION_TRIGGERS
from ddblint.rule import Example, Finding, Rule

_NOT_DEFINED = {
    "#": "An expression attribute name used in the document path is not defined; attribute name: {}",
    ":": "An expression attribute value used in expression is not defined; attribute value: {}",
}


class UndefinedExpressionPlaceholder(Rule):
    code = "DDB402"
    name = "undefined-expression-placeholder"
    summary = "A `#name` or `:value` placeholder that ExpressionAttributeNames/Values does not define"
    what = """
        Checks the placeholders of every expression string the linter can parse against the
        ExpressionAttributeNames (`#name`) and ExpressionAttributeValues (`:value`) of the same
        request (of the same entry, in a transaction). It reports a placeholder the map lacks
        only when every key of that map is known: a dict literal, or no map at all in a call
        without an unresolved `**` splat. Placeholders that a `boto3.dynamodb.conditions` builder
        of the same call generates (`#n0`, `:v0`) count as defined.
    """
    why = """
        DynamoDB resolves every placeholder before it evaluates anything, and rejects the whole
        request with a ValidationException when one is missing. Typically a placeholder was
        renamed in the expression but not in the map (or the other way round), or a map was
        left out: the write never happens, on whichever code path runs it.
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
                    ConditionExpression="#v = :expected_version",  # expect: DDB402
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":t": True, ":one": 1, ":expected": expected},
                )
        '''),
        # no ExpressionAttributeNames at all
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def close(pk):
                client.update_item(
                    TableName="tickets",
                    Key={"pk": {"S": pk}},
                    UpdateExpression="SET #s = :closed",  # expect: DDB402
                    ExpressionAttributeValues={":closed": {"S": "CLOSED"}},
                )
        '''),
        # in a transaction entry: each entry has its own maps
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def transfer(a, b, n):
                client.transact_write_items(TransactItems=[
                    {"Update": {
                        "TableName": "accounts",
                        "Key": {"pk": {"S": a}},
                        "UpdateExpression": "SET balance = balance - :n",
                        "ConditionExpression": "balance >= :n",
                        "ExpressionAttributeValues": {":n": {"N": n}},
                    }},
                    {"Update": {
                        "TableName": "accounts",
                        "Key": {"pk": {"S": b}},
                        "UpdateExpression": "SET balance = balance + :n",  # expect: DDB402
                    }},
                ])
        '''),
        # a query whose filter uses a value the request dict does not define
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def open_orders(customer):
                request = {
                    "KeyConditionExpression": "customer = :c",
                    "FilterExpression": "order_state = :open",  # expect: DDB402
                    "ExpressionAttributeValues": {":c": customer},
                }
                return table.query(**request)["Items"]
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
        # maps the linter cannot fully see may define the placeholder
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def stamp(subscriber_id, values, extra):
                table.update_item(Key={"subscriber_id": subscriber_id},
                                  UpdateExpression="SET a = :a, b = :b",
                                  ExpressionAttributeValues={":a": 1, **values})
                table.update_item(Key={"subscriber_id": subscriber_id},
                                  UpdateExpression="SET #a = :a", **extra)
        '''),
        # a map changed through a nested subscript, an inner method or an alias
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def stamp(subscriber_id, now, who):
                params = {"Key": {"subscriber_id": subscriber_id}, "UpdateExpression": "SET a = :now, b = :who",
                          "ExpressionAttributeValues": {":now": now}}
                params["ExpressionAttributeValues"][":who"] = who
                table.update_item(**params)

                request = dict(Key={"subscriber_id": subscriber_id}, UpdateExpression="SET a = :now, b = :who",
                               ExpressionAttributeValues={":now": now})
                request["ExpressionAttributeValues"].update({":who": who})
                table.update_item(**request)

                values = {":now": now}
                alias = values
                alias[":who"] = who
                table.update_item(Key={"subscriber_id": subscriber_id}, UpdateExpression="SET a = :now, b = :who",
                                  ExpressionAttributeValues=values)
        '''),
        # a builder generates #n0 / :v0 and merges them into the maps
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("subscribers")

            def save(subscriber_id, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET verified = :t",
                    ConditionExpression=Attr("version").eq(expected),
                    ExpressionAttributeValues={":t": True},
                )
        '''),
    ]

    def check(self, ctx):
        for op in ctx.dynamo.operations:
            found = ctx.dynamo.expressions(op)
            for param in found.params:
                names, values = param.placeholders
                reported = set()
                for placeholder in names + values:
                    mapping = found.map_for(placeholder.text)
                    if mapping is None or placeholder.text in mapping.entries or placeholder.text in reported \
                            or found.may_be_generated(placeholder.text):
                        continue
                    reported.add(placeholder.text)
                    yield Finding(param.node or op.node, _message(param.kind, placeholder.text, mapping),
                                  span=param.source_span(*placeholder.span))


def _message(kind, placeholder, mapping):
    if mapping.passed:
        problem = f"`{placeholder}` is used in the {kind} but {mapping.param} does not define it"
    else:
        problem = f"`{placeholder}` is used in the {kind} but the request passes no {mapping.param}"
    advice = f"Add `{placeholder}` to {mapping.param}"
    close = difflib.get_close_matches(placeholder, list(mapping.entries), n=1)
    if close:
        advice = f"Rename it to `{close[0]}`, which {mapping.param} defines, or add `{placeholder}` to {mapping.param}"
    return (f"{problem}: DynamoDB rejects the request with a ValidationException "
            f"({_NOT_DEFINED[placeholder[0]].format(placeholder)}). {advice}.")
