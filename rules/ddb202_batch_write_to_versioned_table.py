from ddblint.dynamo import PYNAMODB_ORM, triggers
from ddblint.rule import Example, Finding, Rule


class BatchWriteToVersionedTable(Rule):
    code = "DDB202"
    name = "batch-write-to-versioned-table"
    summary = "A batch write to a table whose items carry a version attribute"
    what = """
        Checks batch writes (batch writer puts and deletes, `batch_write_item`, PynamoDB's
        `batch_write()` saves and deletes) to a table whose items carry a version attribute: the
        registry lists it with shape `profile` or `contested`, the batch's own items contain the
        version attribute, or the PynamoDB model has a `VersionAttribute`.
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
        # PynamoDB: batch_write() on a model with a VersionAttribute, saves and deletes alike
        Example('''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)
                version = VersionAttribute()

            def restore(items, gone):
                with Subscriber.batch_write() as batch:
                    for item in items:
                        batch.save(item)  # expect: DDB202
                    batch.delete(gone)  # expect: DDB202
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
        # PynamoDB: a model without a VersionAttribute (DDB108 reports the model when it is
        # written); one-by-one versioned writes; a batch_write() of another library
        Example('''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model

            class Event(Model):
                class Meta:
                    table_name = "events"

                pk = UnicodeAttribute(hash_key=True)

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)
                version = VersionAttribute()

            class Store:
                def batch_write(self):
                    return self

            def load(events, subscribers, store):
                with Event.batch_write() as batch:
                    for event in events:
                        batch.save(event)
                for subscriber in subscribers:
                    subscriber.save()
                with Store().batch_write() as batch:
                    batch.save(subscribers[0])
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
            declared = _model_version(op)  # a PynamoDB model's VersionAttribute: its items carry it
            if not (facts.registered or carried or declared):
                continue
            version = declared or (carried[0] if carried else facts.version_attributes[0])
            table = f"`{facts.label}`" if facts.label else "a table"
            advice = ("Write these items one by one with `save()`/`delete()`: PynamoDB then checks the version."
                      if op.orm == PYNAMODB_ORM else
                      "Write these items with put_item/update_item and a version condition.")
            yield Finding(op.node, f"Batch write to {table}, whose items carry `{version}`: BatchWriteItem cannot "
                                   f"check a version, so this overwrites concurrent changes silently. {advice}")


def _model_version(op):
    orm_model = getattr(op, "model", None) if op.orm == PYNAMODB_ORM else None
    return orm_model.version if orm_model is not None else None
