from ddblint.dynamo import Patch, Unfixable, triggers
from ddblint.rule import Example, Finding, Fix, Rule

_REGISTRY = '''
    [tool.ddblint.tables.subscribers]
    indexes = { by_email = "global", by_created = "local" }
'''


class ConsistentReadOnGlobalIndex(Rule):
    code = "DDB301"
    name = "consistent-read-on-global-index"
    summary = "ConsistentRead=True on a global secondary index"
    what = """
        Checks Query and Scan calls with `ConsistentRead=True` and an `IndexName` that the
        registry declares a global secondary index, or does not declare a local one, on a table
        the registry knows.
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
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.name not in ("Query", "Scan") or op.param("ConsistentRead") is not True:
                continue
            index = op.param("IndexName")
            facts = model.facts(op)
            if not isinstance(index, str) or not (facts.registered or facts.index_kind(index)) or facts.index_kind(index) == "local":
                continue
            kind = "a global secondary index" if facts.index_kind(index) == "global" else "not a local index"
            node = op.params["ConsistentRead"].node or op.node
            fix, edits = _fix(ctx.module, op, node)
            yield Finding(node, f"ConsistentRead=True on index `{index}` of `{facts.label}`, which is {kind}: "
                                f"DynamoDB rejects strongly consistent reads on global secondary indexes "
                                f"(ValidationException). Remove ConsistentRead.", fix=fix, edits=edits)


def _fix(module, op, node):
    """Drop the `ConsistentRead=True` keyword (PynamoDB's `consistent_read=True`); safe: see
    `fix_safety`."""
    container = op.call.node
    arg = next((a for a in getattr(container, "args", ()) if a.value is node and a.keyword is not None), None)
    if arg is None:
        return None, ()
    try:
        patch = Patch(module, op)
        patch.remove_param(arg.keyword.value)
        edits = patch.edits()
    except Unfixable:
        return None, ()
    return Fix(f"Remove `{arg.keyword.value}=True`", "safe"), edits
