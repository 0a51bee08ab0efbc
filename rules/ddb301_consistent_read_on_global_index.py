from ddblint import dynamo
from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Fix, Rule

_REGISTRY = '''
    [tool.ddblint.tables.subscribers]
    indexes = { by_email = "global", by_created = "local" }
'''
_KEYED = '''
    [tool.ddblint.tables.subscribers]
    partition-key = "subscriber_id"
'''
_TWO_WITH_BY_EMAIL = '''
    [tool.ddblint.tables.subscribers]
    indexes = { by_email = "global" }
    [tool.ddblint.tables.archive]
    indexes = { by_email = "local" }
'''
_CREATE = '''
            import boto3

            client = boto3.client("dynamodb")
            client.create_table(
                TableName="orders",
                KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"},
                                      {"AttributeName": "customer", "AttributeType": "S"}],
                GlobalSecondaryIndexes=[{"IndexName": "by_customer", "Projection": {"ProjectionType": "ALL"},
                                         "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}]}],
                BillingMode="PAY_PER_REQUEST",
            )
        '''


class ConsistentReadOnGlobalIndex(Rule):
    code = "DDB301"
    name = "consistent-read-on-global-index"
    summary = "ConsistentRead=True on a global secondary index"
    what = """
        Checks Query and Scan calls with `ConsistentRead=True` and an `IndexName` known to be a
        global secondary index: declared so (`indexes` in the configuration, infrastructure
        files, the index classes of a PynamoDB model anywhere in the project), created so in the
        project's code (`create_table` with `GlobalSecondaryIndexes`, `update_table` with a GSI
        `Create`), or queried on a partition key other than the table's (declared, created, or a
        PynamoDB model's hash key: a local index shares the table's partition key). When the
        call's table is unknown but only one known table has the index, that table is used and
        the message says it was inferred. An index of unknown kind is not reported.
    """
    why = """
        Global secondary indexes are updated asynchronously and support only eventually
        consistent reads: DynamoDB rejects `ConsistentRead=True` on them with a
        ValidationException at run time. Strongly consistent reads exist only on the base table
        and on local secondary indexes. Drop `ConsistentRead`, or read the base table with the
        item's key when freshness matters.
    """
    fix_availability = "Sometimes"
    fix_safety = """
        Safe: the fix drops the `ConsistentRead=True` keyword (PynamoDB's `consistent_read=True`).
        The request with it is rejected, and eventually consistent is all a global index offers,
        so behaviour does not change otherwise.
    """
    triggers = triggers(words=("ConsistentRead", "consistent_read"))  # consistent_read: PynamoDB

    fires = [
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Key

            table = boto3.resource("dynamodb").Table("subscribers")

            def by_email(email):
                return table.query(
                    IndexName="by_email",
                    KeyConditionExpression=Key("email").eq(email),
                    ConsistentRead=True,  # expect: DDB301
                )
        ''', config=_REGISTRY, fixed='''
            import boto3
            from boto3.dynamodb.conditions import Key

            table = boto3.resource("dynamodb").Table("subscribers")

            def by_email(email):
                return table.query(
                    IndexName="by_email",
                    KeyConditionExpression=Key("email").eq(email),
                )
        '''),
        # a low-level client, on one line
        Example('''
            import boto3

            client = boto3.client("dynamodb")
            client.query(TableName="subscribers", IndexName="by_email", ConsistentRead=True,  # expect: DDB301
                         KeyConditionExpression="email = :e", ExpressionAttributeValues={":e": {"S": "a"}})
        ''', config=_REGISTRY, fixed='''
            import boto3

            client = boto3.client("dynamodb")
            client.query(TableName="subscribers", IndexName="by_email",  # expect: DDB301
                         KeyConditionExpression="email = :e", ExpressionAttributeValues={":e": {"S": "a"}})
        '''),
        # the index is created global by the same code (a test, a fixture, a setup script)
        Example(_CREATE + '''
            def orders_of(customer):
                return client.query(TableName="orders", IndexName="by_customer", ConsistentRead=True,  # expect: DDB301
                                    KeyConditionExpression="customer = :c", ExpressionAttributeValues={":c": {"S": customer}})
        ''', fixed=_CREATE + '''
            def orders_of(customer):
                return client.query(TableName="orders", IndexName="by_customer",  # expect: DDB301
                                    KeyConditionExpression="customer = :c", ExpressionAttributeValues={":c": {"S": customer}})
        '''),
        # queried on `email`, not the table's partition key: the index has a partition key of its own
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")
            table.query(IndexName="by_email", KeyConditionExpression="email = :e", ConsistentRead=True,  # expect: DDB301
                        ExpressionAttributeValues={":e": "a@example.com"})
        ''', config=_KEYED, fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")
            table.query(IndexName="by_email", KeyConditionExpression="email = :e",  # expect: DDB301
                        ExpressionAttributeValues={":e": "a@example.com"})
        '''),
        # the table is a parameter, but only `subscribers` has an index `by_email`: inferred
        Example('''
            def by_email(table, email):
                return table.query(IndexName="by_email", KeyConditionExpression="email = :e",
                                   ExpressionAttributeValues={":e": email}, ConsistentRead=True)  # expect: DDB301
        ''', config=_REGISTRY, fixed='''
            def by_email(table, email):
                return table.query(IndexName="by_email", KeyConditionExpression="email = :e",
                                   ExpressionAttributeValues={":e": email})  # expect: DDB301
        '''),
    ]
    passes = [
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Key

            table = boto3.resource("dynamodb").Table("subscribers")

            def by_email(email):
                return table.query(IndexName="by_email", KeyConditionExpression=Key("email").eq(email))
        ''', config=_REGISTRY),
        # a local secondary index supports strongly consistent reads
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")
            table.query(IndexName="by_created", KeyConditionExpression="pk = :p", ConsistentRead=True,
                        ExpressionAttributeValues={":p": "a"})
        ''', config=_REGISTRY),
        # an unregistered table: the index may be local
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("other")
            table.query(IndexName="by_email", KeyConditionExpression="pk = :p", ConsistentRead=True,
                        ExpressionAttributeValues={":p": "a"})
        ''', config=_REGISTRY),
        # a registered table whose index is not declared: it may be local
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")
            table.query(IndexName="by_name", KeyConditionExpression="pk = :p", ConsistentRead=True,
                        ExpressionAttributeValues={":p": "a"})
        ''', config=_REGISTRY),
        # the key condition names the table's partition key: the index may be local
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")
            table.query(IndexName="by_created", ConsistentRead=True,
                        KeyConditionExpression="subscriber_id = :s AND created > :c",
                        ExpressionAttributeValues={":s": "s1", ":c": 0})
        ''', config=_KEYED),
        # created as a local secondary index
        Example('''
            import boto3

            client = boto3.client("dynamodb")
            client.create_table(
                TableName="orders",
                KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                           {"AttributeName": "order_id", "KeyType": "RANGE"}],
                LocalSecondaryIndexes=[{"IndexName": "by_date", "Projection": {"ProjectionType": "ALL"},
                                        "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                                                      {"AttributeName": "placed", "KeyType": "RANGE"}]}],
            )
            client.query(TableName="orders", IndexName="by_date", ConsistentRead=True,
                         KeyConditionExpression="customer = :c", ExpressionAttributeValues={":c": {"S": "c1"}})
        '''),
        # a migration creates another table with an index of the same name: not this table's
        Example(_CREATE + '''
            client.query(TableName="invoices", IndexName="by_customer", ConsistentRead=True,
                         KeyConditionExpression="pk = :c", ExpressionAttributeValues={":c": {"S": "c1"}})
        '''),
        # the table is a parameter and two registered tables have an index `by_email`: not inferred
        Example('''
            def by_email(table, email):
                return table.query(IndexName="by_email", KeyConditionExpression="email = :e",
                                   ExpressionAttributeValues={":e": email}, ConsistentRead=True)
        ''', config=_TWO_WITH_BY_EMAIL),
        # a query on a key condition we cannot read: the partition key does not decide
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def find(condition):
                return table.query(IndexName="by_email", KeyConditionExpression=condition, ConsistentRead=True)
        ''', config=_KEYED),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.name not in ("Query", "Scan") or op.param("ConsistentRead") is not True:
                continue
            known = model.index_kind(op)
            if known.kind != "global":
                continue  # local, or not known to be global: precision first
            node = op.params["ConsistentRead"].node or op.node
            fix, edits = _fix(ctx.module, op, node)
            yield Finding(node, f"ConsistentRead=True on index `{op.param('IndexName')}` of {_table(known)}, "
                                f"which is a global secondary index ({known.reason}): DynamoDB rejects strongly "
                                f"consistent reads on global secondary indexes (ValidationException). "
                                f"Remove ConsistentRead.", fix=fix, edits=edits)


def _table(known) -> str:
    if known.table is None:
        return "its table"
    if known.inferred:
        return f"`{known.table}` (the table was inferred: the only known table with this index)"
    return f"`{known.table}`"


def _fix(module, op, node):
    """Drop the `ConsistentRead=True` keyword (PynamoDB's `consistent_read=True`); safe: see
    `fix_safety`."""
    container = op.call.node
    arg = next((a for a in getattr(container, "args", ()) if a.value is node and a.keyword is not None), None)
    if arg is None:
        return None, ()
    try:
        patch = dynamo.Patch(module, op)
        patch.remove_param(arg.keyword.value)
        edits = patch.edits()
    except dynamo.Unfixable:
        return None, ()
    return Fix(f"Remove `{arg.keyword.value}=True`", "safe"), edits
