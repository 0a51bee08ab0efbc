from ddblint import dynamo
from ddblint.dynamo import EXPRESSION_TRIGGERS
from ddblint.rule import Example, Finding, Fix, Rule


class UnusedExpressionPlaceholder(Rule):
    code = "DDB403"
    name = "unused-expression-placeholder"
    summary = "An ExpressionAttributeNames/Values key that no expression of the request uses"
    what = """
        Checks the keys of ExpressionAttributeNames and ExpressionAttributeValues against the
        placeholders that the request's expressions use (Condition, Update, KeyCondition, Filter
        and Projection expressions of the same request, or of the same transaction entry). It
        fires only when the linter sees everything: every key of the map, and every expression of
        the request as a string that parses. With a `boto3.dynamodb.conditions` builder, an
        expression it cannot resolve, or an unresolved `**` splat, it stays silent, since those
        may use the key.
    """
    why = """
        DynamoDB rejects a request whose ExpressionAttributeNames or ExpressionAttributeValues
        define a placeholder that no expression uses ("Value provided in
        ExpressionAttributeValues unused in expressions"). Such a key is usually left over from an
        edited expression, or the expression lost the clause that should use it, as in a
        condition that was meant to check a version.
    """
    fix_availability = "Sometimes"
    fix_safety = """
        Safe: the fix removes the key from the map's dict literal (the whole map when it was the
        only key, since DynamoDB rejects an empty one too). The request with it is rejected, and
        no expression reads the key. Only a literal written in the request itself is edited.
    """
    triggers = EXPRESSION_TRIGGERS

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def verify(subscriber_id, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET verified = :t",
                    ExpressionAttributeValues={":t": True, ":expected": expected},  # expect: DDB403
                )
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def verify(subscriber_id, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET verified = :t",
                    ExpressionAttributeValues={":t": True},  # expect: DDB403
                )
        '''),
        # a name placeholder left over after the expression changed
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def close(pk):
                client.update_item(
                    TableName="tickets",
                    Key={"pk": {"S": pk}},
                    UpdateExpression="SET ticket_state = :closed",
                    ExpressionAttributeNames={
                        "#s": "status",  # expect: DDB403
                    },
                    ExpressionAttributeValues={":closed": {"S": "CLOSED"}},
                )
        ''', fixed='''
            import boto3

            client = boto3.client("dynamodb")

            def close(pk):
                client.update_item(
                    TableName="tickets",
                    Key={"pk": {"S": pk}},
                    UpdateExpression="SET ticket_state = :closed",
                    ExpressionAttributeValues={":closed": {"S": "CLOSED"}},
                )
        '''),
        # a query: the key condition, the filter and the projection together use the maps
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def orders(customer, since):
                return table.query(
                    KeyConditionExpression="customer = :c",
                    ProjectionExpression="#t, amount",
                    ExpressionAttributeNames={"#t": "timestamp"},
                    ExpressionAttributeValues={":c": customer, ":since": since},  # expect: DDB403
                )["Items"]
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def orders(customer, since):
                return table.query(
                    KeyConditionExpression="customer = :c",
                    ProjectionExpression="#t, amount",
                    ExpressionAttributeNames={"#t": "timestamp"},
                    ExpressionAttributeValues={":c": customer},  # expect: DDB403
                )["Items"]
        '''),
        # in a transaction entry; a multi-line map keeps its layout
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def debit(account, n):
                client.transact_write_items(TransactItems=[
                    {"Update": {
                        "TableName": "accounts",
                        "Key": {"pk": {"S": account}},
                        "UpdateExpression": "SET balance = balance - :n",
                        "ExpressionAttributeValues": {
                            ":n": {"N": n},
                            ":zero": {"N": "0"},  # expect: DDB403
                        },
                    }},
                ])
        ''', fixed='''
            import boto3

            client = boto3.client("dynamodb")

            def debit(account, n):
                client.transact_write_items(TransactItems=[
                    {"Update": {
                        "TableName": "accounts",
                        "Key": {"pk": {"S": account}},
                        "UpdateExpression": "SET balance = balance - :n",
                        "ExpressionAttributeValues": {
                            ":n": {"N": n},
                        },
                    }},
                ])
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def verify(subscriber_id, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET verified = :t",
                    ConditionExpression="version = :expected",
                    ExpressionAttributeValues={":t": True, ":expected": expected},
                )
        '''),
        # a builder generates its own placeholders: the maps' other keys may be for it
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("subscribers")

            def save(subscriber_id, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET verified = :t",
                    ConditionExpression=Attr("version").eq(expected),
                    ExpressionAttributeValues={":t": True, ":unused": 1},
                )
        '''),
        # a key removed (or an expression added) in ways the linter does not follow
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def save(subscriber_id, expected):
                values = {":t": True, ":expected": expected}
                if expected is None:
                    del values[":expected"]
                table.update_item(Key={"subscriber_id": subscriber_id}, UpdateExpression="SET verified = :t",
                                  ExpressionAttributeValues=values)

            def transfer(client, a, n):
                items = [{"Update": {"TableName": "accounts", "Key": {"pk": {"S": a}},
                                     "UpdateExpression": "SET balance = balance - :n",
                                     "ExpressionAttributeValues": {":n": {"N": n}, ":zero": {"N": "0"}}}}]
                items[0]["Update"]["ConditionExpression"] = "balance >= :zero"
                client.transact_write_items(TransactItems=items)
        '''),
        # an expression the linter cannot resolve may use the key
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def save(subscriber_id, condition):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET verified = :t",
                    ConditionExpression=condition,
                    ExpressionAttributeValues={":t": True, ":expected": 3},
                )
        '''),
    ]

    def check(self, ctx):
        for op in ctx.dynamo.operations:
            found = ctx.dynamo.expressions(op)
            if not found.all_parsed or found.has_builder:
                continue
            used_names, used_values = found.used()
            for mapping, used in ((found.names, used_names), (found.values, used_values)):
                if mapping is None:
                    continue
                for key in mapping.entries:
                    if key in used:
                        continue
                    fix, edits = _fix(ctx.module, op, mapping, key)
                    yield Finding(mapping.key_node(key) or op.node, _message(key, mapping, found),
                                  fix=fix, edits=edits)


def _fix(module, op, mapping, key):
    """Remove the key from the map's dict literal (the whole map when it was the only key: DynamoDB
    rejects an empty one too). Only a literal written in the request itself is edited."""
    try:
        patch = dynamo.Patch(module, op)
        literal = mapping.literal
        if literal is None or not patch.is_inside(literal) or patch.value_node(mapping.param) is not literal:
            raise dynamo.Unfixable("the map is not a dict literal of the request")
        element = next((e for e in literal.elements if getattr(e, "value", None) is mapping.entries[key].node), None)
        if element is None:
            raise dynamo.Unfixable("the key is not written in the literal")
        if len(literal.elements) == 1:
            patch.remove_param(mapping.param)
        else:
            patch.replace(literal, dynamo.without_element(literal, element))
        edits = patch.edits()
    except dynamo.Unfixable:
        return None, ()
    return Fix(f"Remove unused placeholder `{key}`", "safe"), edits


def _message(key, mapping, found):
    kinds = [p.kind for p in found.params]
    if not kinds:
        return (f"`{key}` is defined in {mapping.param} but the request has no expression: DynamoDB rejects "
                f"it with a ValidationException ({mapping.param} can only be specified when using "
                f"expressions). Remove {mapping.param}, or add the expression that was meant to use it.")
    where = "no expression of the request uses it" if len(kinds) > 1 else f"the {kinds[0]} does not use it"
    noun = "Names" if mapping.param.endswith("Names") else "Values"
    return (f"`{key}` is defined in {mapping.param} but {where}: DynamoDB rejects the request with a "
            f"ValidationException (Value provided in ExpressionAttribute{noun} unused in expressions: "
            f"keys: {{{key}}}). Remove it, or use it where it was meant to go.")
