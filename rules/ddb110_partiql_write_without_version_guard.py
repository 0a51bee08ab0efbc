from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Rule
from ddblint.rules import _messages


class PartiqlWriteWithoutVersionGuard(Rule):
    code = "DDB110"
    name = "partiql-write-without-version-guard"
    summary = "A PartiQL UPDATE or DELETE on a global table whose WHERE has no version predicate"
    what = """
        Checks the PartiQL statements of `execute_statement`, `batch_execute_statement` and
        `execute_transaction` (literal strings, or f-strings and concatenations whose WHERE is
        written out) for an `UPDATE` or `DELETE` whose WHERE does nothing but name the item. The
        WHERE of such a statement must pin the full primary key with equalities; every other
        predicate is a condition. It is a version guard when, in every alternative, it compares
        the version attribute with a value (`AND "version" = ?`), or, for an UPDATE, compares an
        attribute the statement SETs (a state transition `AND "status" = 'PENDING'` with
        `SET "status" = 'SHIPPED'`), or, for a DELETE, is an equality on any other attribute. The
        registry's `partition-key`/`sort-key` tell key predicates apart; without them, an
        equality on an attribute the statement does not write counts as naming the item (but
        three or more cannot all be key attributes, so then they all count as conditions). Only
        tables whose mode is `global` (the default) are checked: on `single-region` and `mrsc`
        tables PartiQL writes are not checked for read-modify-write. An INSERT fails on an
        existing key and is never reported; an UPDATE that bumps the version without checking it
        is reported as DDB104, one on an append-only table as DDB204.
    """
    why = """
        PartiQL looks like SQL, but `UPDATE "subscribers" SET "address" = ? WHERE
        "subscriber_id" = ?` is an UpdateItem without a condition: on a Global Table a concurrent
        write to the same item from another region is kept or discarded by last writer wins,
        and one of the changes is lost without an error. A `DELETE` that only names the key
        removes the item whatever was written since the code read it. Adding
        `AND "version" = ?` (with the version read) to the WHERE and `SET "version" = ?` (the
        next one) turns the lost write into a `ConditionalCheckFailedException` the code can
        retry.
    """
    triggers = triggers("PutItem", "UpdateItem", "DeleteItem", partiql=True, helpers=True)
    superseded_by = ("DDB104", "DDB204")

    fires = [
        Example('''
            import boto3

            client = boto3.client("dynamodb", region_name="eu-west-1")

            def change_address(subscriber_id, address):
                client.execute_statement(  # expect: DDB110
                    Statement='UPDATE "subscribers" SET "address" = ? WHERE "subscriber_id" = ?',
                    Parameters=[{"S": address}, {"S": subscriber_id}],
                )
        '''),
        # a DELETE that only names the item
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def forget(subscriber_id):
                client.execute_statement(  # expect: DDB110
                    Statement="DELETE FROM subscribers WHERE subscriber_id = ?",
                    Parameters=[{"S": subscriber_id}],
                )
        '''),
        # a predicate on an attribute the update does not change is not a guard
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def rate(subscriber_id, sk, rating, postcode):
                client.execute_statement(  # expect: DDB110
                    Statement=("UPDATE subscribers SET rating = ? "
                               "WHERE subscriber_id = ? AND sk = ? AND postcode = ?"),
                    Parameters=[{"N": str(rating)}, {"S": subscriber_id}, {"S": sk}, {"S": postcode}],
                )
        '''),
        # statements of a transaction and of a batch, a table name from an f-string
        Example('''
            import os
            import boto3

            TABLE = os.environ["ACCOUNTS_TABLE"]
            client = boto3.client("dynamodb")

            def move(a, b, amount):
                client.execute_transaction(TransactStatements=[
                    {"Statement": f'UPDATE "{TABLE}" SET balance = balance - ? WHERE pk = ?',  # expect: DDB110
                     "Parameters": [{"N": amount}, {"S": a}]},
                    {"Statement": f'UPDATE "{TABLE}" SET balance = balance + ? WHERE pk = ?',  # expect: DDB110
                     "Parameters": [{"N": amount}, {"S": b}]},
                ])

            def stamp(keys, now):
                client.batch_execute_statement(Statements=[
                    {"Statement": "UPDATE accounts SET seen_at = ? WHERE pk = ?",  # expect: DDB110
                     "Parameters": [{"S": now}, {"S": keys[0]}]},
                ])
        '''),
        # a statement passed to a wrapper's parameter is judged at the call that passes it
        Example('''
            import boto3

            class Statements:
                def __init__(self):
                    self.client = boto3.client("dynamodb")

                def run(self, statement, parameters):
                    return self.client.execute_statement(Statement=statement, Parameters=parameters)

            def close(runner: Statements, ticket_id):
                runner.run(\'UPDATE "tickets" SET closed = true WHERE ticket_id = ?\', [{"S": ticket_id}])  # expect: DDB110

            def load(runner: Statements, ticket_id):
                return runner.run(\'SELECT * FROM "tickets" WHERE ticket_id = ?\', [{"S": ticket_id}])
        '''),
        # the wrapper handed to the function that runs the statements (as AWS's PartiQL examples do)
        Example('''
            import boto3

            class PartiQLWrapper:
                def __init__(self, dynamodb):
                    self.dynamodb = dynamodb

                def run_partiql(self, statement, params):
                    return self.dynamodb.meta.client.execute_statement(Statement=statement, Parameters=params)

            def run_scenario(wrapper, table_name):
                wrapper.run_partiql(f'UPDATE "{table_name}" SET rating=? WHERE title=?', [5, "Jaws"])  # expect: DDB110
                wrapper.run_partiql(f'SELECT * FROM "{table_name}" WHERE title=?', ["Jaws"])

            if __name__ == "__main__":
                run_scenario(PartiQLWrapper(boto3.resource("dynamodb")), "movies")
        '''),
    ]
    passes = [
        Example('''
            import boto3

            client = boto3.client("dynamodb", region_name="eu-west-1")

            def change_address(subscriber_id, address, expected):
                client.execute_statement(
                    Statement='UPDATE "subscribers" SET "address" = ?, "version" = ? '
                              'WHERE "subscriber_id" = ? AND "version" = ?',
                    Parameters=[{"S": address}, {"N": str(expected + 1)}, {"S": subscriber_id},
                                {"N": str(expected)}],
                )
        '''),
        # a state transition on the attribute the statement sets; a create; a read
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def ship(order_id):
                client.execute_statement(
                    Statement="UPDATE orders SET status = 'SHIPPED' WHERE order_id = ? AND status = 'PENDING'",
                    Parameters=[{"S": order_id}],
                )

            def create(order_id):
                client.execute_statement(Statement="INSERT INTO orders VALUE {'order_id': ?, 'version': 1}",
                                         Parameters=[{"S": order_id}])

            def load(order_id):
                return client.execute_statement(Statement="SELECT * FROM orders WHERE order_id = ?",
                                                Parameters=[{"S": order_id}], ConsistentRead=True)
        '''),
        # a DELETE conditional on another attribute, once the registry names the key
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def release(lock_id, owner):
                client.execute_statement(Statement="DELETE FROM locks WHERE lock_id = ? AND owner = ?",
                                         Parameters=[{"S": lock_id}, {"S": owner}])
        ''', config='''
            [tool.ddblint.tables.locks]
            partition-key = "lock_id"
        '''),
        # a single-region table; a statement ddblint cannot read
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def reset(key, statement):
                client.execute_statement(Statement="UPDATE counters SET hits = 0 WHERE pk = ?",
                                         Parameters=[{"S": key}])
                client.execute_statement(Statement=statement, Parameters=[{"S": key}])
                client.execute_statement(Statement=f"UPDATE counters SET hits = 0 WHERE {statement}")
        ''', config='''
            [tool.ddblint.tables.counters]
            mode = "single-region"
        '''),
        # an append-only table (DDB204 reports it), other services' execute_statement
        Example('''
            import boto3

            client = boto3.client("dynamodb")
            client.execute_statement(Statement="DELETE FROM \\"audit-log\\" WHERE event_id = ?",
                                     Parameters=[{"S": "e1"}])

            rds = boto3.client("rds-data")
            rds.execute_statement(resourceArn="arn", secretArn="arn", sql="UPDATE t SET a = 1 WHERE id = 2")
        ''', config='''
            [tool.ddblint.tables.audit]
            name = "audit-log"
            shape = "append-only"
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.writes():
            statement = op.partiql
            if statement is None or statement.kind not in ("UPDATE", "DELETE"):
                continue
            guard = model.guard(op)
            if not guard.unguarded:
                continue
            facts = model.facts(op)
            if facts.mode != "global":
                continue  # single-region and mrsc: read-modify-write is not checked for PartiQL
            yield Finding(op.node, _message(op, facts, guard))


def _message(op, facts, guard) -> str:
    version = facts.version_attributes[0]
    what = _messages.subject(op, facts)
    if guard.has_condition:
        problem = f"{what} has a WHERE whose conditions do not check `{version}` in every case"
    else:
        problem = f"{what} has a WHERE that only names the item, with no version predicate"
    if op.partiql.kind == "DELETE":
        consequence = "it deletes the item whatever was written to it since it was read"
        advice = f"Add `AND \"{version}\" = ?` to the WHERE, with the version you read."
    else:
        consequence = "a concurrent write from another region can silently discard it"
        advice = (f"Add `AND \"{version}\" = ?` to the WHERE, with the version you read, "
                  f"and `SET \"{version}\" = ?` with the next one.")
    return f"{problem}: {consequence}. {advice}"
