from ddblint.dynamo import WRITE_OPERATIONS, triggers
from ddblint.rule import Example, Finding, Rule

_REGISTRY = '''
    [tool.ddblint.tables.billing-counters]
    shape = "contested"
    home-region = "eu-west-1"
    replicas = ["eu-west-1", "us-east-1"]
'''


class ContestedWriteOutsideHomeRegion(Rule):
    code = "DDB203"
    name = "contested-write-outside-home-region"
    summary = "A write to a contested table from a region other than its home region"
    what = """
        Checks every write (PutItem, UpdateItem, DeleteItem, batch writes, transaction entries)
        to a table the registry declares `shape = "contested"` when the call's region is known and
        is not the table's `home-region`.
    """
    why = """
        Contested items — balances, quotas, counters — are changed often and from many places.
        In a Global Table, conditions are checked against the local replica only, so two regions
        can both pass `#v = :expected` and last-writer-wins then drops one write silently. The
        only safe pattern in MREC is key-home routing: every write for such a table goes to its
        home region. Send this write to the home region's endpoint, or move the table to MRSC.
    """
    triggers = triggers("UpdateItem", "PutItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", pynamodb=True)

    fires = [
        Example('''
            import boto3

            counters = boto3.resource("dynamodb", region_name="us-east-1").Table("billing-counters")

            def charge(account_id, expected):
                counters.update_item(  # expect: DDB203
                    Key={"account_id": account_id},
                    UpdateExpression="SET usage = usage + :one, #v = #v + :one",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":one": 1, ":expected": expected},
                )
        ''', config=_REGISTRY),
    ]
    passes = [
        Example('''
            import boto3

            counters = boto3.resource("dynamodb", region_name="eu-west-1").Table("billing-counters")

            def charge(account_id, expected):
                counters.update_item(
                    Key={"account_id": account_id},
                    UpdateExpression="SET usage = usage + :one, #v = #v + :one",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":one": 1, ":expected": expected},
                )
        ''', config=_REGISTRY),
        # reads are fine anywhere
        Example('''
            import boto3

            counters = boto3.resource("dynamodb", region_name="us-east-1").Table("billing-counters")
            counters.get_item(Key={"account_id": "a"})
        ''', config=_REGISTRY),
        # the table is unknown: that its Key has the contested table's key schema (table by shape)
        # serves fixes, never a region rule
        Example('''
            import boto3

            def charge(table_name, account_id):
                table = boto3.resource("dynamodb", region_name="us-east-1").Table(table_name)
                table.update_item(Key={"account_id": account_id}, UpdateExpression="ADD usage :one",
                                  ExpressionAttributeValues={":one": 1})
        ''', config=_REGISTRY + '''
            partition-key = "account_id"
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.name not in WRITE_OPERATIONS and op.name not in ("PutItem", "UpdateItem", "DeleteItem"):
                continue
            if op.name in ("TransactWriteItems", "BatchExecuteStatement", "ExecuteTransaction"):
                continue  # their entries are checked one by one
            facts = model.facts(op)
            home, region = facts.home_region, op.call.region
            if facts.shape != "contested" or home is None or region is None or home == region:
                continue
            yield Finding(op.node, f"{op.name} on contested table `{facts.label}` from {region}, but its home region "
                                   f"is {home}: concurrent writes in two regions both pass their conditions and one "
                                   f"is silently lost. Route this write to {home}.")
