from ddblint.dynamo import REPLICATED_WRITE_CONFLICT, triggers
from ddblint.rule import Example, Finding, Rule

_REGISTRY = '''
    [tool.ddblint.tables.ledger]
    mode = "mrsc"
'''
# The operations botocore's service model says can raise ReplicatedWriteConflictException.
_CONFLICTING = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")


class ReplicatedWriteConflictUnhandled(Rule):
    code = "DDB305"
    name = "replicated-write-conflict-unhandled"
    default = False
    summary = "A write to an MRSC table whose ReplicatedWriteConflictException nothing handles"
    what = """
        Checks PutItem, UpdateItem, DeleteItem and BatchWriteItem calls (client, resource Table,
        aioboto3, batch writers) on a table the registry declares `mode = "mrsc"`, whose
        `ReplicatedWriteConflictException` nothing in the module handles, with the same reading
        as DDB106: no `try` around the call catches it by name
        (`client.exceptions.ReplicatedWriteConflictException`), `ClientError` with a look at the
        error code, or every exception; no decorator or retry helper of the module names it,
        `ClientError` or `Exception`; and no caller in the module (up to two calls up) handles
        it. Calls recognised only by their keywords (possibly a wrapper that handles it) and
        PynamoDB calls (which raise PynamoDB's own errors) are not checked. Off by default:
        letting the exception reach a caller in another module is a legitimate design.
    """
    why = """
        A multi-region strongly consistent (MRSC) table rejects a write while another region is
        modifying the same item: DynamoDB answers `ReplicatedWriteConflictException`. botocore
        retries it a few times; once its retries are spent the exception reaches the code. It is
        a routine event on a busy item, not a fault: the write did not happen and can be retried
        (after re-reading the item when the write depends on it). Unhandled, it surfaces as a
        500 error or a crashed job, and the change is lost unless someone retries it.
    """
    triggers = triggers(*_CONFLICTING)

    fires = [
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def post(entry_id, amount):
                client.put_item(  # expect: DDB305
                    TableName="ledger",
                    Item={"pk": {"S": entry_id}, "amount": {"N": str(amount)}},
                    ConditionExpression="attribute_not_exists(pk)",
                )
        ''', config=_REGISTRY),
        # a handler for the conditional failure only does not catch the conflict
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("ledger")

            def settle(entry_id, expected):
                try:
                    table.update_item(  # expect: DDB305
                        Key={"pk": entry_id},
                        UpdateExpression="SET settled = :t, version = :next",
                        ConditionExpression="version = :expected",
                        ExpressionAttributeValues={":t": True, ":expected": expected, ":next": expected + 1},
                    )
                except table.meta.client.exceptions.ConditionalCheckFailedException:
                    return False
                return True
        ''', config=_REGISTRY),
        # a ClientError handler that only looks at another code
        Example('''
            import boto3
            from botocore.exceptions import ClientError

            table = boto3.resource("dynamodb").Table("ledger")

            def void(entry_id):
                try:
                    table.delete_item(Key={"pk": entry_id})  # expect: DDB305
                except ClientError as error:
                    if "ResourceNotFound" in str(error):
                        return
                    raise
        ''', config=_REGISTRY),
        # a batch writer's writes too
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("ledger")

            def load(entries):
                with table.batch_writer() as batch:
                    for entry in entries:
                        batch.put_item(Item=entry)  # expect: DDB305
        ''', config=_REGISTRY),
    ]
    passes = [
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def post(entry_id, amount):
                try:
                    client.put_item(
                        TableName="ledger",
                        Item={"pk": {"S": entry_id}, "amount": {"N": str(amount)}},
                        ConditionExpression="attribute_not_exists(pk)",
                    )
                except client.exceptions.ReplicatedWriteConflictException:
                    raise RetryLater(entry_id)
        ''', config=_REGISTRY),
        # ClientError with the code checked
        Example('''
            import boto3
            from botocore.exceptions import ClientError

            table = boto3.resource("dynamodb").Table("ledger")

            def void(entry_id):
                try:
                    table.delete_item(Key={"pk": entry_id})
                except ClientError as error:
                    if error.response["Error"]["Code"] != "ReplicatedWriteConflictException":
                        raise
                    schedule_retry(entry_id)
        ''', config=_REGISTRY),
        # a retry decorator that names the exception
        Example('''
            import boto3
            from tenacity import retry, retry_if_exception_type

            client = boto3.client("dynamodb")

            @retry(retry=retry_if_exception_type(client.exceptions.ReplicatedWriteConflictException))
            def post(entry_id):
                client.put_item(TableName="ledger", Item={"pk": {"S": entry_id}})
        ''', config=_REGISTRY),
        # the caller in the module handles it
        Example('''
            import boto3
            from botocore.exceptions import ClientError

            table = boto3.resource("dynamodb").Table("ledger")

            def _write(entry):
                table.put_item(Item=entry)

            def post(entry):
                try:
                    _write(entry)
                except ClientError as error:
                    if error.response["Error"]["Code"] == "ReplicatedWriteConflictException":
                        return False
                    raise
                return True
        ''', config=_REGISTRY),
        # not an MRSC table; an unknown table; a read
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def post(entry_id, table_name):
                client.put_item(TableName="orders", Item={"pk": {"S": entry_id}})
                client.put_item(TableName=table_name, Item={"pk": {"S": entry_id}})
                client.get_item(TableName="ledger", Key={"pk": {"S": entry_id}})
        ''', config=_REGISTRY + """
            [tool.ddblint.tables.orders]
            mode = "global"
        """),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        reported = set()  # one finding per call (a batch_write_item may write to several tables)
        for op in model.operations:
            call = op.call
            # keyword-only matches may be a wrapper that handles it; PynamoDB raises its own errors
            if op.name not in _CONFLICTING or op.in_transaction or op.partiql is not None \
                    or call.via in ("unknown", "pynamodb") or id(call) in reported:
                continue
            facts = model.facts(op)
            if facts.mode != "mrsc" or not facts.registered:
                continue
            if model.handled(call, REPLICATED_WRITE_CONFLICT):
                continue
            reported.add(id(call))
            yield Finding(call.node, _message(ctx, op, facts))


def _message(ctx, op, facts) -> str:
    return (f"{op.name} on `{facts.label}`, an MRSC table, raises `{REPLICATED_WRITE_CONFLICT}` when another "
            f"region modifies the same item at the same time (once botocore's retries are spent), and nothing "
            f"here handles it: the write is lost as an unexpected error. Catch "
            f"`{_exceptions(ctx, op.call)}.{REPLICATED_WRITE_CONFLICT}` (or `ClientError` and check "
            f"`e.response[\"Error\"][\"Code\"]`) and retry.")


def _exceptions(ctx, call) -> str:
    """Where the code reaches the exception class: `client.exceptions`, `table.meta.client.exceptions`."""
    receiver = ctx.module.code_for_node(call.node.func.value).strip()
    if len(receiver) > 40 or "\n" in receiver or call.via == "batch_writer":
        receiver = "client" if call.via == "client" else "table"
    return f"{receiver}.exceptions" if call.via == "client" else f"{receiver}.meta.client.exceptions"
