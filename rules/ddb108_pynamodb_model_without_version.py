from ddblint.dynamo import PYNAMODB_ORM, triggers
from ddblint.rule import Example, Finding, Rule


class PynamodbModelWithoutVersion(Rule):
    code = "DDB108"
    name = "pynamodb-model-without-version"
    summary = "A PynamoDB model of a global table without a VersionAttribute, saved or updated"
    what = """
        Checks PynamoDB models (classes deriving from `pynamodb.models.Model`, also through base
        models of the project) whose table is global (or unknown, with the default table mode
        `global`) and not append-only, that have no `VersionAttribute`, and whose instances are
        saved or updated (`save()`, `update()`, and their TransactWrite forms) without a condition
        of their own that guards them (a create with `does_not_exist()`, a compare-and-set), in
        the model's own module or in another module of the project that imports it (also through
        a package whose `__init__` re-exports it, by name or with `import *`). This is the
        cause: it is reported once, at the model's class; each unguarded write itself is DDB102
        (`save()`), DDB101 (`update()`) or DDB105 (`delete()`), at its call. Abstract base models
        (no `Meta.table_name`) and models whose attributes cannot all be read are not reported.
    """
    why = """
        Without a `VersionAttribute`, PynamoDB's `save()` replaces the whole item and `update()`
        writes blindly: when two writers (two regions of a Global Table, or two requests) change
        the same item, one change is silently lost. With `version = VersionAttribute()` PynamoDB
        conditions every save, update and delete on the version it read and increments it, so a
        concurrent change fails with a PutError/UpdateError (ConditionalCheckFailedException) that
        the code can retry.
    """
    triggers = triggers(pynamodb=True)

    fires = [
        Example('''
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model

            class Subscriber(Model):  # expect: DDB108
                class Meta:
                    table_name = "subscribers"
                    region = "eu-west-1"

                subscriber_id = UnicodeAttribute(hash_key=True)
                delivery_address = UnicodeAttribute()

            def change_address(subscriber_id, address):
                subscriber = Subscriber.get(subscriber_id)
                subscriber.delivery_address = address
                subscriber.save()
        '''),
        # a subclass of a base model of the project, whose Meta names the table by environment variable
        Example('''
            import os
            import pynamodb.models
            from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

            class BaseModel(pynamodb.models.Model):
                class Meta:
                    table_name = os.environ["SUBSCRIBERS_TABLE"]

                pk = UnicodeAttribute(hash_key=True)

            class Subscriber(BaseModel):  # expect: DDB108
                last_contacted = UTCDateTimeAttribute(null=True)

                def touch(self, now):
                    self.update(actions=[Subscriber.last_contacted.set(now)])
        '''),
        # the only condition is on an attribute the update does not change
        Example('''
            from pynamodb.attributes import NumberAttribute, UnicodeAttribute
            from pynamodb.models import Model

            class Account(Model):  # expect: DDB108
                class Meta:
                    table_name = "accounts"

                pk = UnicodeAttribute(hash_key=True)
                owner = UnicodeAttribute()
                balance = NumberAttribute()

            def credit(account: Account, amount):
                account.update(actions=[Account.balance.add(amount)], condition=Account.owner.exists())
        '''),
    ]
    passes = [
        Example('''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"
                    region = "eu-west-1"

                subscriber_id = UnicodeAttribute(hash_key=True)
                delivery_address = UnicodeAttribute()
                version = VersionAttribute()

            def change_address(subscriber_id, address):
                subscriber = Subscriber.get(subscriber_id)
                subscriber.delivery_address = address
                subscriber.save()
        '''),
        # the VersionAttribute comes from a base model
        Example('''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model

            class Versioned(Model):
                version = VersionAttribute()

            class Subscriber(Versioned):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)

            Subscriber(pk="a").save()
        '''),
        # an append-only table, a single-region table: nothing to race with
        Example('''
            import os
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model

            class AuditEvent(Model):
                class Meta:
                    table_name = os.environ["AUDIT_TABLE"]

                event_id = UnicodeAttribute(hash_key=True)

            class Counter(Model):
                class Meta:
                    table_name = "counters"

                pk = UnicodeAttribute(hash_key=True)

            def record(event_id):
                AuditEvent(event_id=event_id).save()
                Counter(pk=event_id).save()
        ''', config='''
            [tool.ddblint.tables.audit]
            env = ["AUDIT_TABLE"]
            shape = "append-only"

            [tool.ddblint.tables.counters]
            mode = "single-region"
        '''),
        # only read here; create-only saves guard themselves
        Example('''
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)

            class Invitation(Model):
                class Meta:
                    table_name = "invitations"

                code = UnicodeAttribute(hash_key=True)

            def lookup(pk):
                return Subscriber.get(pk, consistent_read=True)

            def invite(code):
                Invitation(code=code).save(condition=Invitation.code.does_not_exist())
        '''),
        # an abstract base model (no table); a Django model and a plain class named Model
        Example('''
            from django.db import models
            from pynamodb.models import Model as DynamoModel

            class Base(DynamoModel):
                def touch(self):
                    self.save()

            class Model:
                def save(self):
                    pass

            class Article(models.Model):
                class Meta:
                    db_table = "articles"

                def publish(self):
                    self.save()

            Model().save()
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        candidates = [found for found in model.pynamo_models()
                      if found.has_table and found.version is None and found.version_known]
        if not candidates:
            return
        local = {id(found): [] for found in candidates}
        for op in model.operations:
            if op.orm == PYNAMODB_ORM and op.name in ("PutItem", "UpdateItem") and id(op.model) in local:
                local[id(op.model)].append(op)
        unguarded = {key: [(None, op) for op in ops if model.guard(op).unguarded] for key, ops in local.items()}
        # Models this module does not write unguarded: are they written so in the project's other modules?
        pending = [found for found in candidates if not unguarded[id(found)]]
        elsewhere = model.pynamo_project_writes(pending) if pending else {}
        for key, writes in elsewhere.items():
            unguarded[key] = [(path, op) for path, op in writes if model.guard(op).unguarded]
        for orm_model in candidates:
            writes = unguarded[id(orm_model)]
            if not writes:
                continue
            facts = model.facts(writes[0][1])
            if facts.mode != "global" or facts.shape == "append-only":
                continue
            yield Finding(orm_model.info.node.name, _message(orm_model, facts, writes, ctx))


def _message(orm_model, facts, writes, ctx) -> str:
    methods = " and ".join(dict.fromkeys(f"`{op.method}()`" for _, op in writes))
    modules = list(dict.fromkeys(_module_name(path, ctx) for path, _ in writes if path is not None))
    if not modules:
        writer = "this module writes"
    else:
        writer = ", ".join(f"`{name}`" for name in modules[:3]) + (", ..." if len(modules) > 3 else "") + \
            (" write" if len(modules) > 1 else " writes")
    return (f"PynamoDB model `{orm_model.name}` (table `{facts.label}`) has no VersionAttribute, and {writer} its "
            f"instances with {methods} without a condition that guards them: a concurrent write from another "
            f"region (or request) is silently overwritten. Add `version = VersionAttribute()`: PynamoDB then "
            f"conditions every save, update and delete on the version it read.")


def _module_name(path, ctx) -> str:
    try:
        return path.resolve().relative_to(ctx.settings.root.resolve()).as_posix()
    except ValueError:
        return path.name
