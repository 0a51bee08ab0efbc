"""Generic helpers that take whatever table-like object the caller has."""
import logging
import random
import time

from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)


def conditional_put(table, item, condition, attempts=3):
    for attempt in range(attempts):
        try:
            return table.put_item(Item=item, ConditionExpression=condition)  # label: ok
        except ClientError as err:
            code = err.response["Error"]["Code"]
            if code == "ConditionalCheckFailedException":
                raise
            if code != "ProvisionedThroughputExceededException" or attempt == attempts - 1:
                raise
            time.sleep((2 ** attempt) / 10 + random.random() / 10)


def touch_all(table, keys, now=None):
    now = int(now or time.time())
    for key in keys:
        table.update_item(  # label: DDB101
            Key=key,
            UpdateExpression="SET touched_at = :t",
            ExpressionAttributeValues={":t": now},
        )


def save_all(table, items):
    for item in items:
        table.put_item(Item=item)  # label: DDB102
    logger.info("saved %d items", len(items))


def apply_changes(store, key, changes):
    """Works with any store exposing update_item(key, changes): the in-memory fake included."""
    store.update_item(key, changes)  # label: ok
