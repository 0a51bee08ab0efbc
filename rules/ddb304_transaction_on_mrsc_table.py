from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Rule

_REGISTRY = '''
    [tool.ddblint.tables.ledger]
    mode = "mrsc"
'''
_TWO_MRSC = _REGISTRY + '''
    [tool.ddblint.tables.balances]
    mode = "mrsc"
'''


class TransactionOnMrscTable(Rule):
    code = "DDB304"
    name = "transaction-on-mrsc-table"
    summary = "A transaction touches a multi-region strongly consistent (MRSC) table"
    what = """
        Checks `transact_write_items` and `transact_get_items` entries, the statements of
        PartiQL's `execute_transaction`, and the parts of a PynamoDB `TransactWrite`/`TransactGet`,
        whose table the registry declares `mode = "mrsc"`. DynamoDB rejects the transaction as a
        whole, so there is one finding per transaction and MRSC table, however many parts touch
        it. The finding points at the first part on that table: those parts are what has to
        leave the transaction (or their table what has to change), and a transaction touching
        two MRSC tables gets one finding at each table's first part.
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
        # one transaction, two parts on the same MRSC table: one rejected transaction, one finding
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def transfer(debit_id, credit_id):
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "ledger", "Item": {"pk": {"S": debit_id}},  # expect: DDB304
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                    {"Put": {"TableName": "ledger", "Item": {"pk": {"S": credit_id}},
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                ])
        ''', config=_REGISTRY),
        # two MRSC tables in one transaction: one finding for each, at its first part
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def transfer(entry_id, account):
                client.transact_get_items(TransactItems=[
                    {"Get": {"TableName": "ledger", "Key": {"pk": {"S": entry_id}}}},  # expect: DDB304
                    {"Get": {"TableName": "balances", "Key": {"pk": {"S": account}}}},  # expect: DDB304
                    {"Get": {"TableName": "ledger", "Key": {"pk": {"S": account}}}},
                ])
        ''', config=_TWO_MRSC),
        # PynamoDB: each `with TransactWrite(...)` is one transaction, whatever it saves
        Example('''
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.connection import Connection
            from pynamodb.models import Model
            from pynamodb.transactions import TransactWrite

            class Entry(Model):
                class Meta:
                    table_name = "ledger"
                pk = UnicodeAttribute(hash_key=True)

            def transfer(debit_id, credit_id):
                connection = Connection()
                with TransactWrite(connection=connection) as transaction:
                    transaction.save(Entry(debit_id))  # expect: DDB304
                    transaction.save(Entry(credit_id))
                with TransactWrite(connection=connection) as transaction:
                    transaction.save(Entry(debit_id + "-audit"))  # expect: DDB304
        ''', config=_REGISTRY),
    ]
    passes = [
        # a PynamoDB transaction on a table that is not MRSC
        Example('''
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.connection import Connection
            from pynamodb.models import Model
            from pynamodb.transactions import TransactWrite

            class Order(Model):
                class Meta:
                    table_name = "orders"
                pk = UnicodeAttribute(hash_key=True)

            def place(a, b):
                with TransactWrite(connection=Connection()) as transaction:
                    transaction.save(Order(a))
                    transaction.save(Order(b))
        ''', config=_REGISTRY),
        # two single-item writes to the MRSC table: no transaction
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("ledger")

            def transfer(debit_id, credit_id):
                table.put_item(Item={"pk": debit_id}, ConditionExpression="attribute_not_exists(pk)")
                table.put_item(Item={"pk": credit_id}, ConditionExpression="attribute_not_exists(pk)")
        ''', config=_REGISTRY),
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
        parts = {}  # (transaction, table) -> its parts on that table, in source order
        for op in model.operations:
            transaction = model.transaction(op)
            if transaction is None:
                continue
            facts = model.facts(op)
            if facts.mode != "mrsc" or not facts.registered:
                continue
            parts.setdefault((transaction, id(facts.config)), []).append((op, facts))
        for group in parts.values():
            first, facts = group[0]
            count = f" ({len(group)} parts)" if len(group) > 1 else ""
            yield Finding(first.node, f"{_api(first)} touches `{facts.label}`{count}, an MRSC table: DynamoDB rejects "
                                      f"transactions on multi-region strongly consistent tables. Use single-item "
                                      f"conditional writes or move these items to an MREC table.")


def _api(op) -> str:
    if op.call.method == "execute_transaction":
        return "ExecuteTransaction"
    if op.call.method == "transact_write_items" or (op.orm and op.name != "GetItem"):
        return "TransactWriteItems"
    return "TransactGetItems"
