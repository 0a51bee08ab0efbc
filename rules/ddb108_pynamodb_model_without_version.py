from ddblint.dynamo import PYNAMODB_ORM, triggers
from ddblint.rule import Example, Finding, Rule


class PynamodbModelWithoutVersion(Rule):
    code = "DDB108"
    name = "pynamodb-model-without-version"
    summary = "A PynamoDB model of a global table without a VersionAttribute, saved or updated"
    what = """
        Checks PynamoDB models (classes deriving from `pynamodb.models.Model`, also through base
        models of the project) whose table is global (or unknown, with the default table mode
        `global`) and not append-only, that have no `VersionAttribute`, and whose instances this
        module saves or updates (`save()`, `update()`, and their TransactWrite forms) without a
        condition of their own that guards them (a create with `does_not_exist()`, a
        compare-and-set). Reported once per model, at its class; a model imported from another
        module of the project, at the first such write in this module. Abstract base models (no
        `Meta.table_name`) and models whose attributes cannot all be read are not reported.
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
        writes = {}
        for op in model.operations:
            if op.orm == PYNAMODB_ORM and op.name in ("PutItem", "UpdateItem") and op.model is not None:
                writes.setdefault(id(op.model), (op.model, []))[1].append(op)
        if not writes:
            return
        defined = {id(found) for found in model.pynamo_models()}
        for orm_model, ops in writes.values():
            if not orm_model.has_table or orm_model.version is not None or not orm_model.version_known:
                continue
            facts = model.facts(ops[0])
            if facts.mode != "global" or facts.shape == "append-only":
                continue
            unguarded = [op for op in ops if model.guard(op).unguarded]
            if not unguarded:
                continue
            methods = " and ".join(dict.fromkeys(f"`{op.method}()`" for op in unguarded))
            here = id(orm_model) in defined
            # A model of this module is reported at its class; one imported from another module
            # at its first unguarded write here, since the finding must be in the file checked.
            where = "" if here else f" (defined in `{_module_name(orm_model, ctx)}`)"
            yield Finding(orm_model.info.node.name if here else unguarded[0].call.node,
                          f"PynamoDB model `{orm_model.name}`{where} (table `{facts.label}`) has no VersionAttribute, "
                          f"and this module writes its instances with {methods} without a condition that guards "
                          f"them: a concurrent write from another region (or request) is silently overwritten. "
                          f"Add `version = VersionAttribute()`: PynamoDB then conditions every save, update and "
                          f"delete on the version it read.")


def _module_name(orm_model, ctx) -> str:
    path = getattr(orm_model.owner, "path", None)
    if path is None:
        return "another module"
    try:
        return path.resolve().relative_to(ctx.settings.root.resolve()).as_posix()
    except ValueError:
        return path.name
