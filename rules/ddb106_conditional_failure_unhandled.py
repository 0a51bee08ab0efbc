from ddblint.dynamo import CONDITIONAL_CHECK_FAILED, TRANSACTION_CANCELED, triggers
from ddblint.rule import Example, Finding, Rule


class ConditionalFailureUnhandled(Rule):
    code = "DDB106"
    name = "conditional-failure-unhandled"
    default = False
    summary = "A guarded write whose failed condition nothing handles"
    what = """
        Checks version-guarded writes (PutItem, UpdateItem, DeleteItem with a version guard, and
        `transact_write_items` calls with a guarded entry or a ConditionCheck) whose failure
        nothing in the module handles: no `try` around the call in its function catches
        `ConditionalCheckFailedException` (for a transaction `TransactionCanceledException`) by
        name, or `ClientError` with a look at the error code (`e.response["Error"]["Code"]`, the
        exception's name as a string, or a helper of the module that does), or every exception
        (`except Exception`/`except:`, unless the handler only re-raises: logging then a bare
        `raise` lets the failure through unchanged); the function has no decorator naming the
        exception, `ClientError` or `Exception` (`tenacity.retry(retry=retry_if_exception_type(...))`,
        `backoff.on_exception(...)`), no retry decorator of the module whose code names it, and is
        not `tenacity.retry` without a filter (it retries everything); the call is not in a
        lambda or function handed to such a retry helper; and no caller in the module (up to two
        calls up, by the function's name) handles it. Calls recognised only by their keywords
        (an unresolved receiver, possibly a wrapper that handles it) are not checked. Off by
        default: letting the exception reach a caller in another module is a legitimate design.
    """
    why = """
        A version condition turns a lost update into an exception; it is only worth having if
        the code then does something with that exception: re-read the item and retry, or tell
        the caller there was a conflict. Unhandled, a routine concurrent write surfaces as a
        500 error or a crashed job, often retried blindly by a queue with the same stale
        version. A transaction whose condition fails raises TransactionCanceledException, not
        ConditionalCheckFailedException, so a handler for the latter never runs there.
    """
    triggers = triggers("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", partiql=True)

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(  # expect: DDB106
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a, version = :next",
                    ConditionExpression="version = :expected",
                    ExpressionAttributeValues={":a": address, ":expected": expected, ":next": expected + 1},
                )
        '''),
        # ClientError caught without looking at the code; a broad handler that only re-raises
        Example('''
            import logging
            import boto3
            from botocore.exceptions import ClientError

            client = boto3.client("dynamodb")
            log = logging.getLogger(__name__)

            def create(pk):
                try:
                    client.put_item(  # expect: DDB106
                        TableName="accounts", Item={"pk": {"S": pk}, "version": {"N": "1"}},
                        ConditionExpression="attribute_not_exists(pk)",
                    )
                except ClientError:
                    log.warning("could not create %s", pk)

            def delete(pk, expected):
                try:
                    client.delete_item(  # expect: DDB106
                        TableName="accounts", Key={"pk": {"S": pk}},
                        ConditionExpression="version = :v", ExpressionAttributeValues={":v": {"N": expected}},
                    )
                except Exception:
                    log.exception("delete failed")
                    raise
        '''),
        # a transaction raises TransactionCanceledException, not ConditionalCheckFailedException
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def move(a, b, expected):
                try:
                    client.transact_write_items(TransactItems=[  # expect: DDB106
                        {"Update": {
                            "TableName": "accounts", "Key": {"pk": {"S": a}},
                            "UpdateExpression": "SET version = :next",
                            "ConditionExpression": "version = :expected",
                            "ExpressionAttributeValues": {":next": {"N": "2"}, ":expected": {"N": expected}},
                        }},
                        {"ConditionCheck": {"TableName": "accounts", "Key": {"pk": {"S": b}},
                                            "ConditionExpression": "attribute_exists(pk)"}},
                    ])
                except client.exceptions.ConditionalCheckFailedException:
                    return False
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            class Conflict(Exception):
                pass

            def change_address(subscriber_id, address, expected):
                try:
                    table.update_item(
                        Key={"subscriber_id": subscriber_id},
                        UpdateExpression="SET delivery_address = :a, version = :next",
                        ConditionExpression="version = :expected",
                        ExpressionAttributeValues={":a": address, ":expected": expected, ":next": expected + 1},
                    )
                except table.meta.client.exceptions.ConditionalCheckFailedException:
                    raise Conflict(subscriber_id)
        '''),
        # ClientError with a look at the code; a broad handler that deals with it; a name bound to the class
        Example('''
            import boto3
            import botocore.exceptions

            client = boto3.client("dynamodb")
            Stale = client.exceptions.ConditionalCheckFailedException

            def create(pk):
                try:
                    client.put_item(TableName="a", Item={"pk": {"S": pk}}, ConditionExpression="attribute_not_exists(pk)")
                except botocore.exceptions.ClientError as error:
                    if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
                    return False
                return True

            def create_quietly(pk):
                try:
                    client.put_item(TableName="a", Item={"pk": {"S": pk}}, ConditionExpression="attribute_not_exists(pk)")
                except Exception:
                    return None

            def create_named(pk):
                try:
                    client.put_item(TableName="a", Item={"pk": {"S": pk}}, ConditionExpression="attribute_not_exists(pk)")
                except (Stale, ValueError):
                    pass
        '''),
        # a retry decorator naming the exception, and one of the module's own
        Example('''
            import functools
            import boto3
            from tenacity import retry, retry_if_exception_type

            table = boto3.resource("dynamodb").Table("counters")
            Conflict = table.meta.client.exceptions.ConditionalCheckFailedException

            @retry(retry=retry_if_exception_type(Conflict))
            def bump(pk, expected):
                table.update_item(Key={"pk": pk}, UpdateExpression="SET version = :n",
                                  ConditionExpression="version = :e",
                                  ExpressionAttributeValues={":n": expected + 1, ":e": expected})

            def retry_on_conflict(fn):
                @functools.wraps(fn)
                def wrapper(*args, **kwargs):
                    for _ in range(3):
                        try:
                            return fn(*args, **kwargs)
                        except table.meta.client.exceptions.ConditionalCheckFailedException:
                            continue
                return wrapper

            @retry_on_conflict
            def reset(pk, expected):
                table.update_item(Key={"pk": pk}, UpdateExpression="SET version = :n",
                                  ConditionExpression="version = :e",
                                  ExpressionAttributeValues={":n": expected + 1, ":e": expected})
        '''),
        # the caller handles it; a transaction handled as TransactionCanceledException
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def _write(pk, expected):
                client.update_item(TableName="a", Key={"pk": {"S": pk}}, UpdateExpression="SET version = :n",
                                   ConditionExpression="version = :e",
                                   ExpressionAttributeValues={":n": {"N": "2"}, ":e": {"N": expected}})

            def save(pk, expected):
                try:
                    _write(pk, expected)
                except client.exceptions.ConditionalCheckFailedException:
                    return False

            def move(a, expected):
                try:
                    client.transact_write_items(TransactItems=[{"ConditionCheck": {
                        "TableName": "a", "Key": {"pk": {"S": a}}, "ConditionExpression": "version = :e",
                        "ExpressionAttributeValues": {":e": {"N": expected}}}}])
                except client.exceptions.TransactionCanceledException as error:
                    return error.response["CancellationReasons"]
        '''),
        # no condition: nothing can fail (DDB101/DDB102 say whether it should have one)
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def stamp(subscriber_id, now):
                table.update_item(Key={"subscriber_id": subscriber_id}, UpdateExpression="SET t = :now",
                                  ExpressionAttributeValues={":now": now})
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        checked = set()  # a transaction is one call, whatever number of entries can fail
        for op in model.operations:
            call = op.call
            # PynamoDB raises its own PutError/UpdateError: not this rule's exceptions (yet)
            if call.via in ("unknown", "pynamodb") or id(call) in checked or not _can_fail(model, op):
                continue
            checked.add(id(call))
            exception = TRANSACTION_CANCELED if op.in_transaction else CONDITIONAL_CHECK_FAILED
            if model.handled(call, exception):
                continue
            yield Finding(call.node, _message(ctx, op, exception))


def _can_fail(model, op) -> bool:
    if op.in_transaction and op.name == "ConditionCheck":
        return model.condition(op) is not None
    if op.name not in ("PutItem", "UpdateItem", "DeleteItem"):
        return False
    guard = model.guard(op)
    return guard.status == "guarded" and guard.has_condition


def _message(ctx, op, exception) -> str:
    receiver = ctx.module.code_for_node(op.call.node.func.value).strip()
    if len(receiver) > 40 or "\n" in receiver:
        receiver = "client" if op.call.via == "client" else "table"
    prefix = f"{receiver}.exceptions" if op.call.via == "client" else f"{receiver}.meta.client.exceptions"
    what = "TransactWriteItems call has a condition" if op.in_transaction else f"{op.name} is a guarded write"
    note = (" (a transaction whose condition fails raises TransactionCanceledException, never "
            "ConditionalCheckFailedException)") if op.in_transaction else ""
    return (f"This {what}, but nothing here handles its `{exception}`{note}: a concurrent write surfaces as "
            f"an unexpected error instead of a re-read and retry, or a clear conflict. Catch "
            f"`{prefix}.{exception}` (or `ClientError` and check `e.response[\"Error\"][\"Code\"]`).")
