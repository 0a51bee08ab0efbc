from ddblint import dynamo
from ddblint.dynamo import PYNAMODB_ORM
from ddblint.rule import Example, Finding, Fix, Rule


class PynamodbVersionCheckDisabled(Rule):
    code = "DDB109"
    name = "pynamodb-version-check-disabled"
    summary = "A PynamoDB save/update/delete with add_version_condition=False"
    what = """
        Checks PynamoDB `save()`, `update()` and `delete()` calls, on model instances and in
        `TransactWrite` (also on an instance ddblint cannot resolve: only PynamoDB takes this
        keyword), that pass `add_version_condition=False`. Not reported when the model is known
        to have no `VersionAttribute` (there is nothing to turn off: DDB108 reports the model, and
        DDB101/DDB102 the unguarded write), nor when the condition the call passes is itself a
        version guard (a create with `does_not_exist()`, a compare-and-set) or cannot be read.
        Where it is reported, DDB101/DDB102 give way to it: one cause, one finding.
    """
    why = """
        A model's `VersionAttribute` makes PynamoDB condition every write on the version it read:
        `add_version_condition=False` turns that check off for this write, which then silently
        overwrites whatever another writer stored since. `save()` and `update()` still increment the
        version, so the lost change does not even show up as a conflict later. Keep the version
        condition and retry on a PutError/UpdateError whose cause is ConditionalCheckFailedException.
    """
    fix_availability = "Sometimes"
    fix_safety = """
        Unsafe: the fix drops `add_version_condition=False`, so PynamoDB checks the version again
        and the write raises PutError/UpdateError/DeleteError (ConditionalCheckFailedException)
        where it used to overwrite, and the caller may not handle it.
    """
    triggers = ("add_version_condition",)

    fires = [
        Example('''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)
                email = UnicodeAttribute()
                version = VersionAttribute()

            def change_email(pk, email):
                subscriber = Subscriber.get(pk)
                subscriber.update(actions=[Subscriber.email.set(email)], add_version_condition=False)  # expect: DDB109
        ''', fixed='''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)
                email = UnicodeAttribute()
                version = VersionAttribute()

            def change_email(pk, email):
                subscriber = Subscriber.get(pk)
                subscriber.update(actions=[Subscriber.email.set(email)])  # expect: DDB109
        '''),
        # in a transaction, and on an instance whose model we cannot see
        Example('''
            from pynamodb.connection import Connection
            from pynamodb.transactions import TransactWrite

            def close(account, ledger_entry, item):
                with TransactWrite(connection=Connection()) as transaction:
                    transaction.delete(account, add_version_condition=False)  # expect: DDB109
                    transaction.save(ledger_entry)
                item.save(add_version_condition=False)  # expect: DDB109
        ''', fixed='''
            from pynamodb.connection import Connection
            from pynamodb.transactions import TransactWrite

            def close(account, ledger_entry, item):
                with TransactWrite(connection=Connection()) as transaction:
                    transaction.delete(account)  # expect: DDB109
                    transaction.save(ledger_entry)
                item.save()  # expect: DDB109
        '''),
    ]
    passes = [
        Example('''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)
                email = UnicodeAttribute()
                version = VersionAttribute()

            def change_email(pk, email):
                subscriber = Subscriber.get(pk)
                subscriber.update(actions=[Subscriber.email.set(email)])
        '''),
        # the call's own condition is still a guard; a model without a VersionAttribute; another class
        Example('''
            from pynamodb.attributes import UnicodeAttribute, VersionAttribute
            from pynamodb.models import Model

            class Subscriber(Model):
                class Meta:
                    table_name = "subscribers"

                pk = UnicodeAttribute(hash_key=True)
                version = VersionAttribute()

            class Tag(Model):
                class Meta:
                    table_name = "tags"

                name = UnicodeAttribute(hash_key=True)

            class Repository:
                def save(self, item, add_version_condition=True):
                    pass

            def create(pk, name):
                Subscriber(pk=pk).save(condition=Subscriber.pk.does_not_exist(), add_version_condition=False)
                Tag(name=name).save(add_version_condition=False)
                Repository().save(name, add_version_condition=False)
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.orm != PYNAMODB_ORM or op.name not in ("PutItem", "UpdateItem", "DeleteItem"):
                continue
            flag = op.add_version_condition
            if flag is None or flag.value is not False:
                continue
            orm_model = op.model
            if orm_model is not None and orm_model.version is None and orm_model.version_known:
                continue  # nothing to turn off
            if not model.guard(op).unguarded:
                continue  # the call's own condition still guards it, or may (we cannot read it)
            version = f"`{orm_model.version}`" if orm_model is not None and orm_model.version else "the version"
            facts = model.facts(op)
            where = f" on `{facts.label}`" if facts.label else ""
            bump = " (and still increments it, hiding the conflict)" if op.name != "DeleteItem" else ""
            fix, edits = _fix(ctx.module, op, flag)
            yield Finding(flag.node or op.node,
                          f"`{op.method}(..., add_version_condition=False)`{where} does not check {version}{bump}: "
                          f"it silently overwrites whatever another writer stored since the item was read. "
                          f"Drop `add_version_condition=False` and retry on ConditionalCheckFailedException.",
                          fix=fix, edits=edits)


def _fix(module, op, flag):
    """Drop the keyword (unsafe: see `fix_safety`)."""
    call = op.call.node
    arg = next((a for a in getattr(call, "args", ()) if a.keyword is not None
                and a.keyword.value == "add_version_condition" and a.value is flag.node), None)
    if arg is None:
        return None, ()
    try:
        patch = dynamo.Patch(module, op)
        patch.remove_param("add_version_condition")
        edits = patch.edits()
    except dynamo.Unfixable:
        return None, ()
    return Fix("Remove `add_version_condition=False`", "unsafe"), edits
