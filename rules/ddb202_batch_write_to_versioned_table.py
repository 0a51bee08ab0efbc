from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Rule


class BatchWriteToVersionedTable(Rule):
    code = "DDB202"
    name = "batch-write-to-versioned-table"
    summary = "A batch write to a table whose items carry a version attribute"
    what = """
        Checks batch writes (batch writer puts and deletes, `batch_write_item`) to a table
        whose items carry a version attribute: the registry lists it with shape `profile` or
        `contested`, or the batch's own items contain the version attribute.
    """
    why = """
        BatchWriteItem cannot carry a condition, so a batch put overwrites the whole item without
        checking its version: it bypasses the optimistic lock every other writer respects, and a
        concurrent change (in this region or another) is silently lost. Write such items one by
        one with `put_item`/`update_item` and a version condition, or keep batch writes for
        append-only tables.
    """
    triggers = triggers("BatchWriteItem", pynamodb=True)

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def restore(profiles):
                with table.batch_writer() as batch:
                    for p in profiles:
                        batch.put_item(Item={"pk": p["pk"], "email": p["email"], "version": p["version"]})  # expect: DDB202
        '''),
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def restore(items):
                with table.batch_writer() as batch:
                    for item in items:
                        batch.put_item(Item=item)  # expect: DDB202
        ''', config='''
            [tool.ddblint.tables.subscribers]
            shape = "profile"
        '''),
    ]
    passes = [
        # an append-only table: no version to bypass
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("events")
            with table.batch_writer() as batch:
                batch.put_item(Item={"pk": "01HX", "version": 1})
        ''', config='''
            [tool.ddblint.tables.events]
            shape = "append-only"
        '''),
        # an unregistered table whose items we cannot see
        Example('''
            def load(table, items):
                with table.batch_writer() as batch:
                    for item in items:
                        batch.put_item(Item=item)
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.name != "BatchWriteItem":
                continue
            facts = model.facts(op)
            if facts.shape == "append-only":
                continue
            items = model.put_items(op) or []
            carried = sorted({v for item in items for v in facts.version_attributes if v in item.entries})
            if not (facts.registered or carried):
                continue
            version = carried[0] if carried else facts.version_attributes[0]
            table = f"`{facts.label}`" if facts.label else "a table"
            yield Finding(op.node, f"Batch write to {table}, whose items carry `{version}`: BatchWriteItem cannot "
                                   f"check a version, so this overwrites concurrent changes silently. Write these "
                                   f"items with put_item/update_item and a version condition.")
