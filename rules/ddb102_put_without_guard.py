from ddblint import dynamo
from ddblint.dynamo import NAMES, triggers
from ddblint.rule import Example, Finding, Fix, Rule
from ddblint.rules import _messages

# two tables whose key schemas a Key's attribute names tell apart
_EVENTS_AND_USERS = '''
    [tool.ddblint.tables.events]
    partition-key = "stream"
    sort-key = "seq"

    [tool.ddblint.tables.users]
    partition-key = "user_id"
'''

class PutWithoutGuard(Rule):
    code = "DDB102"
    name = "put-without-guard"
    summary = "PutItem on a global table without a version or create condition"
    what = """
        Checks PutItem calls (client, resource Table, aioboto3, `Put` entries of
        TransactWriteItems, and PynamoDB's `save()`, also in `TransactWrite`) that have neither a version condition, nor `attribute_not_exists`
        (a create), nor a compare-and-set on an attribute the Item sets. Append-only tables
        (time-ordered keys that never collide) are exempt. On `single-region` and `mrsc` tables
        only read-modify-write puts are reported. Batch writers are not PutItem: see DDB2xx.
        A PynamoDB model with a `VersionAttribute` is guarded by PynamoDB itself
        (`add_version_condition=False` turns that off: DDB109 reports it); a `save()` override
        that calls `super().save()` without forwarding the condition is a write of its own.
    """
    why = """
        PutItem replaces the whole item. On a Global Table, a put racing a write from another
        region silently discards one of them, attribute by attribute: a put built from an item
        read a moment ago also erases every change made since. `attribute_not_exists(pk)` makes a
        create fail instead of overwriting; `#v = :expected` with the version bumped in the Item
        makes a stale replace fail with `ConditionalCheckFailedException`.
    """
    fix_availability = "Sometimes"
    fix_safety = """
        Unsafe: the fix makes the put a create (`ConditionExpression="attribute_not_exists(#pk)"`),
        so a put that was meant to replace an existing item now fails with
        ConditionalCheckFailedException. Not offered for a put that writes back what the function
        read (the item exists: a create would always fail; that needs the version guard), nor when
        the request already has a condition, nor when the table's partition key is not known. It
        is known from, in this order: the table's key schema (`partition-key`, infrastructure
        files, a `create_table` call or a PynamoDB model of the project); the Keys the module's
        other calls on the same table pass (a one-attribute Key is the partition key; a composite
        one needs the table's key schema). When the table's name cannot be resolved, the only
        known table whose key schema is exactly those Keys' attribute names is used (table by
        shape), and the fix's title names the table and says it was inferred.
    """
    triggers = triggers("PutItem", "TransactWriteItems", pynamodb=True, helpers=True)
    superseded_by = ("DDB109",)

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def register(subscriber_id, email):
                table.put_item(Item={"subscriber_id": subscriber_id, "email": email})  # expect: DDB102
        '''),
        # the condition's attribute is not part of the Item: not a compare-and-set
        Example('''
            import boto3

            client = boto3.client("dynamodb", region_name="eu-west-1")

            def close(ticket_id):
                client.put_item(  # expect: DDB102
                    TableName="tickets",
                    Item={"ticket_id": {"S": ticket_id}, "closed": {"BOOL": True}},
                    ConditionExpression="#s = :open",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":open": {"S": "OPEN"}},
                )
        '''),
        # a Put entry of a transaction, and a receiver from a cached factory
        Example('''
            import functools
            import boto3

            @functools.lru_cache(maxsize=None)
            def dynamodb():
                return boto3.client("dynamodb")

            def record(order_id):
                dynamodb().transact_write_items(TransactItems=[
                    {"Put": {"TableName": "orders", "Item": {"order_id": {"S": order_id}}}},  # expect: DDB102
                ])
        '''),
        # an unresolved receiver called with DynamoDB's keywords only
        Example('''
            def save(table, item):
                table.put_item(Item=item, ReturnValues="ALL_OLD")  # expect: DDB102
        '''),
        # the registry names the partition key: the fix makes the put a create
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def register(subscriber_id, email):
                table.put_item(Item={"subscriber_id": subscriber_id, "email": email})  # expect: DDB102
        ''', config='''
            [tool.ddblint.tables.subscribers]
            partition-key = "subscriber_id"
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def register(subscriber_id, email):
                table.put_item(Item={"subscriber_id": subscriber_id, "email": email}, ConditionExpression="attribute_not_exists(#pk)", ExpressionAttributeNames={"#pk": "subscriber_id"})  # expect: DDB102
        '''),
        # the module's other calls on the table use a one-attribute Key: that is the partition key
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def load(ticket_id):
                return client.get_item(TableName="tickets", Key={"ticket_id": {"S": ticket_id}})

            def open_ticket(ticket_id, title):
                client.put_item(  # expect: DDB102
                    TableName="tickets",
                    Item={"ticket_id": {"S": ticket_id}, "title": {"S": title}},
                )
        ''', fixed='''
            import boto3

            client = boto3.client("dynamodb")

            def load(ticket_id):
                return client.get_item(TableName="tickets", Key={"ticket_id": {"S": ticket_id}})

            def open_ticket(ticket_id, title):
                client.put_item(  # expect: DDB102
                    TableName="tickets",
                    Item={"ticket_id": {"S": ticket_id}, "title": {"S": title}},
                    ConditionExpression="attribute_not_exists(#pk)",
                    ExpressionAttributeNames={"#pk": "ticket_id"},
                )
        '''),
        # the module creates the table: its KeySchema names the partition key, even of a composite key
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def create_tables():
                client.create_table(
                    TableName="orders",
                    KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                               {"AttributeName": "order_id", "KeyType": "RANGE"}],
                    AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                          {"AttributeName": "order_id", "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST",
                )

            def place(customer, order_id):
                client.put_item(TableName="orders", Item={"customer": {"S": customer}, "order_id": {"S": order_id}})  # expect: DDB102
        ''', fixed='''
            import boto3

            client = boto3.client("dynamodb")

            def create_tables():
                client.create_table(
                    TableName="orders",
                    KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                               {"AttributeName": "order_id", "KeyType": "RANGE"}],
                    AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                          {"AttributeName": "order_id", "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST",
                )

            def place(customer, order_id):
                client.put_item(TableName="orders", Item={"customer": {"S": customer}, "order_id": {"S": order_id}}, ConditionExpression="attribute_not_exists(#pk)", ExpressionAttributeNames={"#pk": "customer"})  # expect: DDB102
        '''),
        # the table's name is unknown, but the Key the module reads it with has exactly the key
        # schema of one registered table (table by shape): its partition key, and the fix says so
        Example('''
            import boto3
            from settings import table_name

            table = boto3.resource("dynamodb").Table(table_name())

            def load(stream, seq):
                return table.get_item(Key={"stream": stream, "seq": seq})

            def append(stream, seq, payload):
                table.put_item(Item={"stream": stream, "seq": seq, "payload": payload})  # expect: DDB102
        ''', config=_EVENTS_AND_USERS, fixed='''
            import boto3
            from settings import table_name

            table = boto3.resource("dynamodb").Table(table_name())

            def load(stream, seq):
                return table.get_item(Key={"stream": stream, "seq": seq})

            def append(stream, seq, payload):
                table.put_item(Item={"stream": stream, "seq": seq, "payload": payload}, ConditionExpression="attribute_not_exists(#pk)", ExpressionAttributeNames={"#pk": "stream"})  # expect: DDB102
        '''),
        # PynamoDB: every save() is a PutItem at its own call (the second one too, and in
        # TransactWrite); an existence check is no guard
        Example('''
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model
            from pynamodb.transactions import TransactWrite

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                subscriber_id = UnicodeAttribute(hash_key=True)
                delivery_address = UnicodeAttribute()

            def change_address(subscriber_id, address):
                subscriber = Subscriber.get(subscriber_id)
                subscriber.delivery_address = address
                subscriber.save()  # expect: DDB102

            def restore(subscriber: Subscriber):
                subscriber.save(condition=Subscriber.subscriber_id.exists())  # expect: DDB102
                with TransactWrite() as transaction:
                    transaction.save(subscriber)  # expect: DDB102
        '''),
        # an override that calls super().save() without the caller's condition is a write of its own
        Example('''
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                subscriber_id = UnicodeAttribute(hash_key=True)
                email = UnicodeAttribute()

                def save(self, condition=None):
                    self.email = self.email.lower()
                    return super().save()  # expect: DDB102
        '''),
        # an override that hands the condition on: its callers' saves are the writes
        Example('''
            from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                subscriber_id = UnicodeAttribute(hash_key=True)
                updated_at = UTCDateTimeAttribute(null=True)

                def save(self, *args, **kwargs):
                    self.updated_at = now()
                    return super().save(*args, **kwargs)

            def touch(subscriber: Subscriber):
                subscriber.save()  # expect: DDB102
                subscriber.save(condition=Subscriber.subscriber_id.does_not_exist())
        '''),
        # a condition added on one path only: the other path is an unguarded put, named in the message
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def store(item, overwrite=False):
                request = {"Item": item}
                if not overwrite:
                    request["ConditionExpression"] = "attribute_not_exists(subscriber_id)"
                table.put_item(**request)  # expect: DDB102
        '''),
        # a write helper whose condition comes from its parameter: the call that passes none is the
        # unguarded put (the helper's own write is judged at its callers)
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def put(item, condition=None):
                request = {"Item": item}
                if condition is not None:
                    request["ConditionExpression"] = condition
                table.put_item(**request)

            def register(item):
                put(item, condition="attribute_not_exists(subscriber_id)")

            def import_all(items):
                for item in items:
                    put(item)  # expect: DDB102
        '''),
        # a lambda handed to a retry helper: the request it puts has no condition
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def store(item, retry):
                request = {"Item": item}
                return retry(lambda: table.put_item(**request))  # expect: DDB102
        '''),
        # a transaction helper: the parts its callers pass are judged at each call
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def commit(parts):
                client.transact_write_items(TransactItems=parts)

            def move(ticket_id, queue):
                commit([  # expect: DDB102
                    {"Put": {"TableName": "tickets", "Item": {"ticket_id": {"S": ticket_id}, "queue": {"S": queue}}}},
                    {"Delete": {"TableName": "queue", "Key": {"ticket_id": {"S": ticket_id}},
                                "ConditionExpression": "attribute_exists(ticket_id)"}},
                ])
        '''),
        # a repository method that takes the whole request from its caller
        Example('''
            import boto3

            class Subscribers:
                def __init__(self):
                    self.table = boto3.resource("dynamodb").Table("subscribers")

                def put(self, **request):
                    return self.table.put_item(**request)

            def register(repo: Subscribers, item):
                repo.put(Item=item, ConditionExpression="attribute_not_exists(subscriber_id)")

            def overwrite(item):
                Subscribers().put(Item=item)  # expect: DDB102
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def register(subscriber_id, email):
                table.put_item(
                    Item={"subscriber_id": subscriber_id, "email": email, "version": 1},
                    ConditionExpression="attribute_not_exists(subscriber_id)",
                )
        '''),
        # a condition on every path: both branches set one, or a constant selects the branch
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")
            STRICT = True

            def store(item, replace, expected):
                request = {"Item": item}
                if replace:
                    request["ConditionExpression"] = "version = :v"
                    request["ExpressionAttributeValues"] = {":v": expected}
                else:
                    request["ConditionExpression"] = "attribute_not_exists(subscriber_id)"
                table.put_item(**request)

            def create(item):
                request = {"Item": item}
                if STRICT:
                    request["ConditionExpression"] = "attribute_not_exists(subscriber_id)"
                table.put_item(**request)
        '''),
        # a lambda handed to a retry helper reads the request as the function left it
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def create(item, retry):
                request = {"Item": item}
                request["ConditionExpression"] = "attribute_not_exists(subscriber_id)"
                return retry(lambda: table.put_item(**request))
        '''),
        # a write helper every caller passes a guard to; a same-named function of a dict
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def put(item, condition=None, **extra):
                request = {"Item": item, **extra}
                if condition is not None:
                    request["ConditionExpression"] = condition
                table.put_item(**request)

            def register(item):
                put(item, condition="attribute_not_exists(subscriber_id)")
                put(item, "attribute_not_exists(subscriber_id)")

            def merge(settings, item):
                settings.put(item)
        '''),
        # a lease: the condition compares an attribute the Item sets
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("leases")

            def acquire(name, owner, now, ttl):
                table.put_item(
                    Item={"name": name, "owner": owner, "expires_at": now + ttl},
                    ConditionExpression="attribute_not_exists(#n) OR expires_at < :now",
                    ExpressionAttributeNames={"#n": "name"},
                    ExpressionAttributeValues={":now": now},
                )
        '''),
        # an append-only table: time-ordered keys never collide
        Example('''
            import os
            import boto3

            table = boto3.resource("dynamodb").Table(os.environ["AUDIT_TABLE"])

            def audit(event_id, payload):
                table.put_item(Item={"event_id": event_id, "payload": payload})
        ''', config='''
            [tool.ddblint.tables.audit]
            env = ["AUDIT_TABLE"]
            shape = "append-only"
        '''),
        # a batch writer is not PutItem (batch rules cover it); look-alikes never fire
        Example('''
            import queue
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")
            work = queue.Queue()

            def load(items):
                with table.batch_writer() as batch:
                    for item in items:
                        batch.put_item(Item=item)
                work.put_item(items)
                work.put(items)
        '''),
        # the legacy Expected map with Exists=False is a create
        Example('''
            import boto3

            client = boto3.client("dynamodb")
            client.put_item(TableName="subscribers", Item={"pk": {"S": "a"}},
                            Expected={"pk": {"Exists": False}})
        '''),
        # PynamoDB: a VersionAttribute (its check turned off is DDB109's), a create, an override
        # that forwards the condition, an abstract base model
        Example('''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model
            from pynamodb.transactions import TransactWrite

            class Profile(Model):
                class Meta:
                    table_name = "profiles"

                pk = UnicodeAttribute(hash_key=True)
                version = VersionAttribute()

            class Invitation(Model):
                class Meta:
                    table_name = "invitations"

                code = UnicodeAttribute(hash_key=True)

                def save(self, condition=None, **kwargs):
                    return super().save(condition=condition, **kwargs)

            class Base(Model):
                def touch(self):
                    self.save()

            def store(profile: Profile, code):
                profile.save()
                profile.save(add_version_condition=False)
                Invitation(code=code).save(condition=Invitation.code.does_not_exist())
                with TransactWrite() as transaction:
                    transaction.save(profile)
        '''),
        # look-alikes of PynamoDB's save(): a Django model, a plain class, a PynamoDB read
        Example('''
            from django.db import models
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model

            class Article(models.Model):
                title = models.CharField(max_length=80)

                def save(self, *args, **kwargs):
                    super().save(*args, **kwargs)

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)

            class Draft:
                def save(self, condition=None):
                    pass

            def f(pk):
                Article(title="x").save()
                Draft().save()
                Subscriber.get(pk, consistent_read=True)
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.writes():
            if op.name != "PutItem":
                continue
            facts = model.facts(op)
            if facts.shape == "append-only":
                continue
            guard = model.guard(op)
            if not guard.unguarded:
                continue
            read_modify_write = facts.mode != "global" and model.is_read_modify_write(op)
            if facts.mode != "global" and not read_modify_write:
                continue
            key, inferred = model.partition_key(op) if op.through is None else (None, None)
            fix, edits = _fix(ctx.module, model, op, read_modify_write, key, inferred)
            yield Finding(op.node, _messages.unguarded_write(op, facts, guard, read_modify_write, key, inferred),
                          fix=fix, edits=edits)


def _fix(module, model, op, read_modify_write, key, inferred):
    """Make the put a create: `ConditionExpression="attribute_not_exists(#pk)"` (unsafe: see
    `fix_safety`). Not offered for a put that writes back what the function read (the item exists: a create
    would always fail; that needs the version guard), nor when the request has a condition."""
    try:
        if op.orm is not None:
            raise dynamo.Unfixable("a PynamoDB save: the model's VersionAttribute is the fix")
        if read_modify_write or model.is_read_modify_write(op):
            raise dynamo.Unfixable("a read-modify-write replaces an existing item")
        if op.param("ConditionExpression") is not dynamo.ABSENT or op.param("Expected") is not dynamo.ABSENT:
            raise dynamo.Unfixable("the request has a condition")
        item = op.param("Item")
        if key is None or (isinstance(item, dynamo.DictValue) and item.complete and key not in item.entries):
            raise dynamo.Unfixable("the partition key is not known")
        patch = dynamo.Patch(module, op)
        placeholder, new = patch.name_placeholder(key, ["#pk"])
        patch.and_condition(f"attribute_not_exists({placeholder})")
        if new:
            patch.merge_map(NAMES, [(placeholder, dynamo.string(key, patch.quote()))])
        edits = patch.edits()
    except dynamo.Unfixable:
        return None, ()
    title = f"Add `attribute_not_exists({key})` condition (create only)"
    if inferred is not None:
        title += f" (table `{inferred}` inferred from its key schema)"
    return Fix(title, "unsafe"), edits
