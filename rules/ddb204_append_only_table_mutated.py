from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Rule
from ddblint.rules import _messages


class AppendOnlyTableMutated(Rule):
    code = "DDB204"
    name = "append-only-table-mutated"
    summary = "UpdateItem or DeleteItem on a table declared append-only"
    what = """
        Checks UpdateItem and DeleteItem calls (and their TransactWriteItems entries) on tables
        the registry declares `shape = "append-only"`. There this rule replaces DDB101/DDB105;
        a plain PutItem is fine.
    """
    why = """
        An append-only table is safe on a Global Table because its items are written once under
        time-ordered keys (ULIDs) that never collide: there is nothing for two regions to fight
        over, so no version is needed. An update or delete breaks that promise; the item can then
        be changed in two regions at once and one change is silently lost, with no version
        attribute to detect it. Write a new event instead, or declare the table `profile`.
    """
    triggers = triggers("UpdateItem", "DeleteItem", "TransactWriteItems", partiql=True, pynamodb=True)

    fires = [
        Example('''
            import boto3

            events = boto3.resource("dynamodb").Table("audit-log")

            def redact(event_id):
                events.update_item(  # expect: DDB204
                    Key={"event_id": event_id},
                    UpdateExpression="REMOVE payload",
                )
        ''', config='''
            [tool.ddblint.tables.audit]
            name = "audit-log"
            shape = "append-only"
        '''),
    ]
    passes = [
        Example('''
            import boto3

            events = boto3.resource("dynamodb").Table("audit-log")

            def record(event_id, payload):
                events.put_item(Item={"event_id": event_id, "payload": payload})
        ''', config='''
            [tool.ddblint.tables.audit]
            name = "audit-log"
            shape = "append-only"
        '''),
        # not declared append-only: DDB101's business, not this rule's
        Example('''
            import boto3

            events = boto3.resource("dynamodb").Table("audit-log")
            events.update_item(Key={"event_id": "e"}, UpdateExpression="REMOVE payload")
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.name not in ("UpdateItem", "DeleteItem"):
                continue
            facts = model.facts(op)
            if facts.shape != "append-only":
                continue
            yield Finding(op.node, f"{_messages.subject(op, facts)} changes an item of an append-only table: "
                                   f"a change made in two regions at once is silently lost. "
                                   f"Write a new item under a new time-ordered key instead.")
