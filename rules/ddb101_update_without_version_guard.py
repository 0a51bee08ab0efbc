from ddblint import dynamo
from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Fix, Rule
from ddblint.rules import _messages
from ddblint.rules._version_fixes import read_modify_write_guard


class UpdateWithoutVersionGuard(Rule):
    code = "DDB101"
    name = "update-without-version-guard"
    summary = "UpdateItem on a global table without a version condition"
    what = """
        Checks UpdateItem calls (client, resource Table, aioboto3, `Update` entries of
        TransactWriteItems, and PynamoDB's `update()`, also in `TransactWrite`) whose condition does not guard against a concurrent writer: no
        condition at all, or one that in some alternative neither compares the version attribute
        with the version read, nor is a create (`attribute_not_exists`), nor compares an attribute
        the update itself sets (a compare-and-set). On `single-region` and `mrsc` tables it only
        checks read-modify-write updates: those that write values read from the same table earlier
        in the function. A PynamoDB model with a `VersionAttribute` is guarded by PynamoDB itself
        (`add_version_condition=False` turns that off: DDB109 reports it); its `condition=` is read
        in PynamoDB's condition language (`Model.version == v`, `Model.pk.does_not_exist()`, `&`,
        `|`, `~`).
    """
    why = """
        In a Global Table (MREC), two regions can update the same item at about the same time.
        DynamoDB keeps the later write per *item* and drops the other without any error: a
        customer's new address, set in eu-west-1, disappears because a job in us-east-1 stamped
        `last_contacted` 49 ms later. A version condition turns the lost write into a
        `ConditionalCheckFailedException` the code can retry, and a version gap replication
        makes visible. `attribute_exists(pk)` only says the item exists: it is not a guard.
    """
    fix_availability = "Sometimes"
    fix_safety = """
        Unsafe: the fix ANDs `#v = :expected` (the version of the item the function read) onto
        the condition and increments the version. The write then fails with
        ConditionalCheckFailedException when another writer got there first, which is the point,
        but the code around it may not handle that exception; an existing item that lacks the
        version attribute fails the condition too. Offered only when the function reads exactly
        one item earlier, of the same table, whose version it can name.
    """
    triggers = triggers("UpdateItem", "TransactWriteItems", pynamodb=True, helpers=True)
    superseded_by = ("DDB104", "DDB109", "DDB204")

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address):
                table.update_item(  # expect: DDB101
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a",
                    ExpressionAttributeValues={":a": address},
                )
        '''),
        # only an existence check: not a guard
        Example('''
            import boto3

            client = boto3.client("dynamodb", region_name="us-east-1")

            def touch(subscriber_id, now):
                client.update_item(  # expect: DDB101
                    TableName="subscribers",
                    Key={"subscriber_id": {"S": subscriber_id}},
                    UpdateExpression="SET last_contacted = :now",
                    ConditionExpression="attribute_exists(subscriber_id)",
                    ExpressionAttributeValues={":now": {"S": now}},
                )
        '''),
        # one alternative of the condition has no guard
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("subscribers")

            def rate(subscriber_id, rating, expected, postcode):
                table.update_item(  # expect: DDB101
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET rating = :r, version = version + :one",
                    ConditionExpression=Attr("version").eq(expected) | Attr("postcode").eq(postcode),
                    ExpressionAttributeValues={":r": rating, ":one": 1},
                )
        '''),
        # a predicate on an attribute the update does not change is not a guard
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def rate(subscriber_id, rating, postcode):
                table.update_item(  # expect: DDB101
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET rating = :r",
                    ConditionExpression="postcode = :p",
                    ExpressionAttributeValues={":r": rating, ":p": postcode},
                )
        '''),
        # a request dict built, changed, then splatted
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def stamp(subscriber_id, now):
                params = {"Key": {"subscriber_id": subscriber_id}}
                params["UpdateExpression"] = "SET last_contacted = :now"
                params["ExpressionAttributeValues"] = {":now": now}
                table.update_item(**params)  # expect: DDB101
        '''),
        # an Update entry of a transaction
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def move(a, b):
                client.transact_write_items(
                    TransactItems=[
                        {"Update": {  # expect: DDB101
                            "TableName": "accounts",
                            "Key": {"pk": {"S": a}},
                            "UpdateExpression": "SET balance = balance - :n",
                            "ExpressionAttributeValues": {":n": {"N": "1"}},
                        }},
                        {"Put": {
                            "TableName": "ledger",
                            "Item": {"pk": {"S": b}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }},
                    ]
                )
        '''),
        # aioboto3, typed receivers and attributes set in __init__
        Example('''
            import aioboto3

            async def stamp(subscriber_id, now):
                session = aioboto3.Session()
                async with session.resource("dynamodb", region_name="eu-west-1") as dynamo:
                    table = await dynamo.Table("subscribers")
                    await table.update_item(  # expect: DDB101
                        Key={"subscriber_id": subscriber_id},
                        UpdateExpression="SET last_contacted = :now",
                        ExpressionAttributeValues={":now": now},
                    )
        '''),
        Example('''
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from mypy_boto3_dynamodb.service_resource import Table

            class Subscribers:
                def __init__(self, table: "Table") -> None:
                    self.table = table

                def stamp(self, subscriber_id, now):
                    self.table.update_item(  # expect: DDB101
                        Key={"subscriber_id": subscriber_id},
                        UpdateExpression="SET last_contacted = :now",
                        ExpressionAttributeValues={":now": now},
                    )
        '''),
        # a single-region table: only read-modify-write updates are reported
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("counters")

            def increment(key):
                item = table.get_item(Key={"pk": key})["Item"]
                table.update_item(  # expect: DDB101
                    Key={"pk": key},
                    UpdateExpression="SET hits = :h",
                    ExpressionAttributeValues={":h": item["hits"] + 1},
                )
        ''', config='''
            [tool.ddblint.tables.counters]
            mode = "single-region"
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("counters")

            def increment(key):
                item = table.get_item(Key={"pk": key})["Item"]
                table.update_item(  # expect: DDB101
                    Key={"pk": key},
                    UpdateExpression="SET hits = :h, #v = #v + :one",
                    ExpressionAttributeValues={":h": item["hits"] + 1, ":expected": item["version"], ":one": 1},
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                )
        '''),
        # the response kept whole, a condition that is not a guard (AND-ed), a low-level client
        Example('''
            import boto3

            client = boto3.client("dynamodb", region_name="eu-west-1")

            def rename(subscriber_id, name):
                resp = client.get_item(TableName="subscribers", Key={"subscriber_id": {"S": subscriber_id}})
                client.update_item(TableName="subscribers", Key={"subscriber_id": {"S": subscriber_id}},  # expect: DDB101
                                   UpdateExpression="SET #n = :n, previous = :p",
                                   ConditionExpression="attribute_exists(subscriber_id) OR #n = :n",
                                   ExpressionAttributeNames={"#n": "name"},
                                   ExpressionAttributeValues={":n": {"S": name}, ":p": resp["Item"]["name"]})
        ''', fixed='''
            import boto3

            client = boto3.client("dynamodb", region_name="eu-west-1")

            def rename(subscriber_id, name):
                resp = client.get_item(TableName="subscribers", Key={"subscriber_id": {"S": subscriber_id}})
                client.update_item(TableName="subscribers", Key={"subscriber_id": {"S": subscriber_id}},  # expect: DDB101
                                   UpdateExpression="SET #n = :n, previous = :p, #v = #v + :one",
                                   ConditionExpression="(attribute_exists(subscriber_id) OR #n = :n) AND #v = :expected",
                                   ExpressionAttributeNames={"#n": "name", "#v": "version"},
                                   ExpressionAttributeValues={":n": {"S": name}, ":p": resp["Item"]["name"], ":expected": resp["Item"]["version"], ":one": {"N": "1"}})
        '''),
        # items of a query, updated one by one; a conditions builder gets a builder term
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr, Key

            table = boto3.resource("dynamodb").Table("orders")

            def expire(customer, now):
                for order in table.query(KeyConditionExpression=Key("customer").eq(customer))["Items"]:
                    table.update_item(  # expect: DDB101
                        Key={"customer": order["customer"], "order_id": order["order_id"]},
                        UpdateExpression="SET expired_at = :now",
                        ConditionExpression=Attr("paid").eq(False),
                        ExpressionAttributeValues={":now": now},
                    )
        ''', fixed='''
            import boto3
            from boto3.dynamodb.conditions import Attr, Key

            table = boto3.resource("dynamodb").Table("orders")

            def expire(customer, now):
                for order in table.query(KeyConditionExpression=Key("customer").eq(customer))["Items"]:
                    table.update_item(  # expect: DDB101
                        Key={"customer": order["customer"], "order_id": order["order_id"]},
                        UpdateExpression="SET expired_at = :now, #v = #v + :one",
                        ConditionExpression=Attr("paid").eq(False) & Attr("version").eq(order["version"]),
                        ExpressionAttributeValues={":now": now, ":one": 1},
                        ExpressionAttributeNames={"#v": "version"},
                    )
        '''),
        # PynamoDB: every update() is judged at its own call, in TransactWrite too; an existence
        # check or a predicate on an attribute the update does not change is no guard
        Example('''
            from pynamodb.attributes import NumberAttribute, UnicodeAttribute
            from pynamodb.models import Model
            from pynamodb.transactions import TransactWrite

            class Account(Model):
                class Meta:
                    table_name = "accounts"

                pk = UnicodeAttribute(hash_key=True)
                owner = UnicodeAttribute()
                balance = NumberAttribute()

            def credit(account: Account, amount):
                account.update(actions=[Account.balance.add(amount)])  # expect: DDB101

            def debit(account: Account, amount, owner):
                account.update(actions=[Account.balance.add(-amount)], condition=Account.pk.exists())  # expect: DDB101
                account.update(  # expect: DDB101
                    actions=[Account.balance.set(0)],
                    condition=(Account.owner == owner) | (Account.balance == 0),
                )

            def close(account: Account):
                with TransactWrite() as transaction:
                    transaction.update(account, actions=[Account.balance.set(0)])  # expect: DDB101
        '''),
        # a repository method whose condition comes from its caller: the call that passes none
        Example('''
            import boto3

            class Subscribers:
                def __init__(self):
                    self.table = boto3.resource("dynamodb").Table("subscribers")

                def update(self, key, expression, values, condition=None):
                    request = dict(Key=key, UpdateExpression=expression, ExpressionAttributeValues=values)
                    if condition:
                        request["ConditionExpression"] = condition
                    return self.table.update_item(**request)

            def rename(repo: Subscribers, key, name, version):
                repo.update(key, "SET #n = :n, version = :next", {":n": name, ":v": version, ":next": version + 1},
                            condition="version = :v")

            def change_email(repo: Subscribers, key, email):
                repo.update(key, "SET email = :e", {":e": email})  # expect: DDB101
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected_version):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a, #v = #v + :one",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":a": address, ":one": 1, ":expected": expected_version},
                )
        '''),
        # conditions builders, with a create as the other alternative
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("subscribers")

            def save(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a ADD version :one",
                    ConditionExpression=Attr("version").eq(expected) | Attr("subscriber_id").not_exists(),
                    ExpressionAttributeValues={":a": address, ":one": 1},
                )
        '''),
        # a compare-and-set: a state transition on the attribute the update sets
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET #s = :shipped",
                    ConditionExpression="#s = :pending",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":shipped": "SHIPPED", ":pending": "PENDING"},
                )
        '''),
        # a condition we cannot resolve counts as guarded
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def stamp(subscriber_id, now, condition):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET last_contacted = :now",
                    ConditionExpression=condition,
                    ExpressionAttributeValues={":now": now},
                )
        '''),
        # a splat we cannot see may carry the condition
        Example('''
            def stamp(table, subscriber_id, extra):
                table.update_item(Key={"subscriber_id": subscriber_id}, UpdateExpression="SET a = :a", **extra)
        '''),
        # a blind update of a single-region table that is not a read-modify-write
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("counters")

            def reset(key):
                table.update_item(Key={"pk": key}, UpdateExpression="SET hits = :z",
                                  ExpressionAttributeValues={":z": 0})
        ''', config='''
            [tool.ddblint.tables.counters]
            mode = "single-region"
        '''),
        # look-alikes: dict.update, an ORM's update, a method of another class
        Example('''
            settings = {}
            settings.update(Key="value")

            class Repo:
                def update_item(self, item_id, **fields):
                    pass

            Repo().update_item(3, Key=1, UpdateExpression="x")

            def save(obj):
                obj.update(name="x")
        '''),
        # another service's client is not DynamoDB
        Example('''
            import boto3

            s3 = boto3.client("s3")
            s3.update_item(Key="a", TableName="b")
        '''),
        # PynamoDB: a VersionAttribute guards every update (add_version_condition=False is DDB109's);
        # a compare-and-set; a condition we cannot read; an abstract base model (no table)
        Example('''
            from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model
            from pynamodb.transactions import TransactWrite

            class Profile(Model):
                class Meta:
                    table_name = "profiles"

                pk = UnicodeAttribute(hash_key=True)
                email = UnicodeAttribute()
                version = VersionAttribute()

            class Order(Model):
                class Meta:
                    table_name = "orders"

                pk = UnicodeAttribute(hash_key=True)
                state = UnicodeAttribute()

            class Base(Model):
                def touch(self):
                    self.update(actions=[])

            def change(profile: Profile, order: Order, email, condition):
                profile.update(actions=[Profile.email.set(email)])
                profile.update(actions=[Profile.email.set(email)], add_version_condition=False)
                order.update(actions=[Order.state.set("SHIPPED")], condition=Order.state == "PENDING")
                order.update(actions=[Order.state.set("SHIPPED")], condition=condition)
                with TransactWrite() as transaction:
                    transaction.update(profile, actions=[Profile.email.set(email)])
        '''),
        # look-alikes of PynamoDB's update(): a Django queryset, a plain class, a dict, a read
        Example('''
            from django.db import models
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model

            class Article(models.Model):
                title = models.CharField(max_length=80)

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)

            class Cache:
                def update(self, actions=None, condition=None):
                    pass

            def f(pk, values):
                Article.objects.filter(pk=pk).update(title="x")
                Cache().update(actions=[1])
                values.update(actions=[])
                {"a": 1}.update(b=2)
                Subscriber.get(pk).refresh()
        '''),
        # a DAO whose update_item takes positional arguments and guards its own write; its
        # callers pass changes, not a condition
        Example('''
            import boto3

            class Tickets:
                def __init__(self):
                    self.table = boto3.resource("dynamodb").Table("tickets")

                def update_item(self, key, version, **changes):
                    sets = ", ".join(f"#{name} = :{name}" for name in changes)
                    values = {f":{name}": value for name, value in changes.items()}
                    self.table.update_item(
                        Key={"ticket_id": key},
                        UpdateExpression=f"SET {sets}, version = :next",
                        ConditionExpression="version = :expected",
                        ExpressionAttributeNames={f"#{name}": name for name in changes},
                        ExpressionAttributeValues={**values, ":expected": version, ":next": version + 1},
                    )

            def close(tickets: Tickets, key, version):
                tickets.update_item(key, version, status="closed")
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.writes():
            if op.name != "UpdateItem":
                continue
            if op.partiql is not None:  # a PartiQL UPDATE: DDB110
                continue
            guard = model.guard(op)
            if not guard.unguarded:
                continue
            facts = model.facts(op)
            read_modify_write = facts.mode != "global" and model.is_read_modify_write(op)
            if facts.mode != "global" and not read_modify_write:
                continue
            fix, edits = _fix(ctx.module, model, op, facts)
            yield Finding(op.node, _messages.unguarded_write(op, facts, guard, read_modify_write),
                          fix=fix, edits=edits)


def _fix(module, model, op, facts):
    """Guard a read-modify-write with the version the function read: AND `#v = :expected` onto the
    condition (`:expected` = the read item's version) and SET `#v = #v + :one` (unsafe: see
    `fix_safety`)."""
    if op.partiql is not None or op.orm is not None:  # PynamoDB: the model's VersionAttribute is the fix
        return None, ()
    version = model.checked_version(op) or facts.version_attributes[0]
    bumped = model.bumped_versions(op)
    try:
        edits, _ = read_modify_write_guard(module, model, op, version, check=True, bump=version not in bumped)
    except dynamo.Unfixable:
        return None, ()
    return Fix(f"Add a condition on `{version}` and increment it", "unsafe"), edits
