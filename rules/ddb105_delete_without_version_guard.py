from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Rule
from ddblint.rules import _messages

_REGISTRY = '''
    [tool.ddblint.tables.subscribers]
    mode = "global"
    partition-key = "subscriber_id"
'''


class DeleteWithoutVersionGuard(Rule):
    code = "DDB105"
    name = "delete-without-version-guard"
    default = False
    summary = "DeleteItem on a versioned global table without a version condition"
    what = """
        Checks DeleteItem calls (client, resource Table, aioboto3, PynamoDB `delete()`) and
        `Delete` entries of TransactWriteItems whose condition does not pin the item being
        deleted: no condition at all, or one that in some alternative neither compares the
        version attribute with a value, nor is `attribute_not_exists(...)`, nor is an equality on
        some other attribute (`#s = :cancelled`). An existence check (`attribute_exists(pk)`) is
        not a guard. Only on versioned tables: the registry declares the table (shape `profile`
        or `contested`), its PynamoDB model has a `VersionAttribute`, or another write of the
        module to the same table checks or sets the version attribute. Same table modes as
        DDB101: `global`, or unknown with `default-table-mode = "global"`. Not on append-only
        tables (DDB204) nor for PartiQL `DELETE` (DDB110). Off by default: many deletes are
        meant to win whatever happened to the item.
    """
    why = """
        The items of a versioned table change under optimistic locking: each writer checks the
        version it read. A delete that checks nothing removes the item whatever was written to it
        since it was read — in a Global Table, an update made a moment earlier in another region
        (a new address, a renewed subscription) is deleted along with the item, and replication
        reports no conflict. `ConditionExpression="#v = :expected"` makes the delete fail with
        ConditionalCheckFailedException when the item moved on, so the code can re-read and decide.
    """
    triggers = triggers("DeleteItem", "TransactWriteItems", pynamodb=True, helpers=True)
    superseded_by = ("DDB109", "DDB204")

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def unsubscribe(subscriber_id):
                table.delete_item(Key={"subscriber_id": subscriber_id})  # expect: DDB105
        ''', config=_REGISTRY),
        # an existence check does not pin the version that was read
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def unsubscribe(subscriber_id):
                client.delete_item(  # expect: DDB105
                    TableName="subscribers",
                    Key={"subscriber_id": {"S": subscriber_id}},
                    ConditionExpression="attribute_exists(subscriber_id)",
                )
        ''', config=_REGISTRY),
        # a transaction's Delete entry, at the entry
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def close(subscriber_id, audit_id):
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "audit", "Item": {"pk": {"S": audit_id}},
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                    {"Delete": {"TableName": "subscribers",  # expect: DDB105
                                "Key": {"subscriber_id": {"S": subscriber_id}}}},
                ])
        ''', config=_REGISTRY),
        # no registry: the module's own updates of `carts` check its version
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("carts")

            def add(cart_id, sku, expected):
                table.update_item(
                    Key={"cart_id": cart_id},
                    UpdateExpression="ADD skus :s SET version = :next",
                    ConditionExpression="version = :expected",
                    ExpressionAttributeValues={":s": {sku}, ":expected": expected, ":next": expected + 1},
                )

            def abandon(cart_id):
                table.delete_item(Key={"cart_id": cart_id})  # expect: DDB105
        '''),
        # one alternative of the condition pins nothing
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("subscribers")

            def purge(subscriber_id, expected):
                table.delete_item(  # expect: DDB105
                    Key={"subscriber_id": subscriber_id},
                    ConditionExpression=Attr("version").eq(expected) | Attr("last_login").lt(0),
                )
        ''', config=_REGISTRY),
        # PynamoDB: `delete()` is a DeleteItem; an existence check is no guard there either
        Example('''
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"
                subscriber_id = UnicodeAttribute(hash_key=True)

            def unsubscribe(subscriber_id):
                subscriber = Subscriber.get(subscriber_id)
                subscriber.delete(condition=Subscriber.subscriber_id.exists())  # expect: DDB105
        ''', config=_REGISTRY),
        # aioboto3
        Example('''
            import aioboto3

            async def unsubscribe(subscriber_id):
                async with aioboto3.Session().client("dynamodb") as client:
                    await client.delete_item(TableName="subscribers",  # expect: DDB105
                                             Key={"subscriber_id": {"S": subscriber_id}})
        ''', config=_REGISTRY),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def unsubscribe(subscriber_id, expected_version):
                table.delete_item(
                    Key={"subscriber_id": subscriber_id},
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":expected": expected_version},
                )
        ''', config=_REGISTRY),
        # for a delete, an equality on any attribute pins the item's state
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def drop_cancelled(subscriber_id):
                table.delete_item(
                    Key={"subscriber_id": subscriber_id},
                    ConditionExpression="#s = :cancelled",
                    ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues={":cancelled": "cancelled"},
                )
        ''', config=_REGISTRY),
        # nothing says the table is versioned
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("sessions")

            def logout(session_id):
                table.delete_item(Key={"session_id": session_id})
        '''),
        # another table's versioned writes say nothing about this one
        Example('''
            import boto3

            carts = boto3.resource("dynamodb").Table("carts")
            sessions = boto3.resource("dynamodb").Table("sessions")

            def checkout(cart_id, session_id, expected):
                carts.update_item(
                    Key={"cart_id": cart_id},
                    UpdateExpression="SET version = :next",
                    ConditionExpression="version = :expected",
                    ExpressionAttributeValues={":expected": expected, ":next": expected + 1},
                )
                sessions.delete_item(Key={"session_id": session_id})
        '''),
        # a single-region table: no other region writes concurrently
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")
            table.delete_item(Key={"subscriber_id": "s1"})
        ''', config='''
            [tool.ddblint.tables.subscribers]
            mode = "single-region"
        '''),
        # an append-only table: DDB204's business
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("events")
            table.delete_item(Key={"pk": "p", "sk": "s"})
        ''', config='''
            [tool.ddblint.tables.events]
            mode = "global"
            shape = "append-only"
        '''),
        # PartiQL DELETE: DDB110's business
        Example('''
            import boto3

            client = boto3.client("dynamodb")
            client.execute_statement(Statement="DELETE FROM subscribers WHERE subscriber_id = ?",
                                     Parameters=[{"S": "s1"}])
        ''', config=_REGISTRY),
        # a condition we cannot read counts as guarded; a batch writer's delete is DDB2xx's
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def remove(subscriber_id, condition, ids):
                table.delete_item(Key={"subscriber_id": subscriber_id}, ConditionExpression=condition)
                with table.batch_writer() as batch:
                    for other in ids:
                        batch.delete_item(Key={"subscriber_id": other})
        ''', config=_REGISTRY),
        # PynamoDB checks a VersionAttribute on delete by itself
        Example('''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"
                subscriber_id = UnicodeAttribute(hash_key=True)
                version = VersionAttribute()

            def unsubscribe(subscriber_id):
                Subscriber.get(subscriber_id).delete()
        ''', config=_REGISTRY),
        # not DynamoDB: a positional argument
        Example('''
            def remove(queue, item):
                queue.delete_item(item)
        ''', config=_REGISTRY),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.writes():
            if op.name != "DeleteItem" or op.partiql is not None:  # PartiQL DELETE: DDB110
                continue
            facts = model.facts(op)
            if facts.mode != "global" or not model.versioned(op):
                continue
            guard = model.guard(op)
            if guard.unguarded:
                yield Finding(op.node, _message(op, facts, guard))


def _message(op, facts, guard) -> str:
    version = facts.version_attributes[0]
    what = _messages.subject(op, facts)
    if guard.has_condition:
        problem = f"{what} has a condition, but not one that pins `{version}` in every case"
    else:
        problem = f"{what} has no version condition{_messages.when(guard)}"
    if op.orm:
        advice = f"Pass `condition=` comparing `{version}` with the version you read, or give the model a VersionAttribute."
    else:
        advice = f"Add `ConditionExpression=\"#v = :expected\"` (with `#v` = `{version}`) and the version you read."
    return (f"{problem}: it deletes the item whatever a concurrent writer (another region) changed since "
            f"it was read. {advice}")
