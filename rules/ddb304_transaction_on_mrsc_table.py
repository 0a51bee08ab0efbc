from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Rule

_REGISTRY = '''
    [tool.ddblint.tables.ledger]
    mode = "mrsc"
'''


class TransactionOnMrscTable(Rule):
    code = "DDB304"
    name = "transaction-on-mrsc-table"
    summary = "A transaction touches a multi-region strongly consistent (MRSC) table"
    what = """
        Checks `transact_write_items` and `transact_get_items` entries, and the statements of
        PartiQL's `execute_transaction`, whose table the registry declares `mode = "mrsc"`.
    """
    why = """
        Multi-region strong consistency (MRSC) Global Tables do not support the transaction
        APIs: DynamoDB returns an error when TransactWriteItems or TransactGetItems touch an MRSC
        replica. The code works against a single-region table in tests and fails once the table
        is MRSC. Use single-item conditional writes (MRSC evaluates conditions against the latest
        version in every region), or keep the transactional items in an MREC or single-region table.
    """
    triggers = triggers("TransactWriteItems", "TransactGetItems", "ExecuteTransaction", pynamodb=True)

    fires = [
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def post(entry_id, account):
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "ledger", "Item": {"pk": {"S": entry_id}},  # expect: DDB304
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                ])
        ''', config=_REGISTRY),
        # PartiQL transactions are transactions too
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def post(entry_id):
                client.execute_transaction(TransactStatements=[
                    {"Statement": "INSERT INTO ledger VALUE {'pk': ?}",  # expect: DDB304
                     "Parameters": [{"S": entry_id}]},
                ])
        ''', config=_REGISTRY),
    ]
    passes = [
        Example('''
            import boto3

            client = boto3.client("dynamodb")
            client.put_item(TableName="ledger", Item={"pk": {"S": "e1"}},
                            ConditionExpression="attribute_not_exists(pk)")
        ''', config=_REGISTRY),
        Example('''
            import boto3

            client = boto3.client("dynamodb")
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": "orders", "Item": {"pk": {"S": "o1"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
        ''', config=_REGISTRY),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if not op.in_transaction:
                continue
            facts = model.facts(op)
            if facts.mode != "mrsc" or not facts.registered:
                continue
            api = "TransactWriteItems" if op.call.method == "transact_write_items" or (op.orm and op.name != "GetItem") else "TransactGetItems"
            if op.call.method == "execute_transaction":
                api = "ExecuteTransaction"
            yield Finding(op.node, f"{api} touches `{facts.label}`, an MRSC table: DynamoDB rejects transactions on "
                                   f"multi-region strongly consistent tables. Use single-item conditional writes "
                                   f"or move these items to an MREC table.")
