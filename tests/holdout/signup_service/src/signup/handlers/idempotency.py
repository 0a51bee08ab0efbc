"""Minimal idempotency layer (same idea as Powertools' DynamoDBPersistenceLayer).

A request key is first written as INPROGRESS; the handler result replaces it
once the handler returns. An expired record may be taken over.
"""
import functools
import hashlib
import json
import os
import time

import boto3
from botocore.exceptions import ClientError

IDEMPOTENCY_TTL = int(os.environ.get("IDEMPOTENCY_TTL", "3600"))
IN_PROGRESS_TIMEOUT = 60

idempotency_table = boto3.resource("dynamodb").Table(os.environ["IDEMPOTENCY_TABLE"])


class IdempotencyAlreadyInProgress(Exception):
    pass


def _hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def save_in_progress(key):
    now = int(time.time())
    idempotency_table.put_item(  # label: ok
        Item={
            "id": key,
            "expiration": now + IDEMPOTENCY_TTL,
            "status": "INPROGRESS",
            "in_progress_expiration": now + IN_PROGRESS_TIMEOUT,
        },
        ConditionExpression="attribute_not_exists(#id) OR #expiry < :now",
        ExpressionAttributeNames={"#id": "id", "#expiry": "expiration"},
        ExpressionAttributeValues={":now": now},
    )


def save_success(key, result):
    idempotency_table.update_item(  # label: ok
        Key={"id": key},
        UpdateExpression="SET #response_data = :d, #status = :done, #expiry = :e",
        ConditionExpression="#status = :in_progress",
        ExpressionAttributeNames={
            "#response_data": "data",
            "#status": "status",
            "#expiry": "expiration",
        },
        ExpressionAttributeValues={
            ":d": json.dumps(result),
            ":done": "COMPLETED",
            ":in_progress": "INPROGRESS",
            ":e": int(time.time()) + IDEMPOTENCY_TTL,
        },
    )


def delete_record(key):
    idempotency_table.delete_item(Key={"id": key})  # label: ok


def get_record(key):
    return idempotency_table.get_item(Key={"id": key}, ConsistentRead=True).get("Item")


def idempotent(handler):
    @functools.wraps(handler)
    def wrapper(event, context):
        key = f"{context.function_name}#{_hash(event.get('body'))}"
        try:
            save_in_progress(key)
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            record = get_record(key)
            if record and record["status"] == "COMPLETED":
                return json.loads(record["data"])
            raise IdempotencyAlreadyInProgress(key) from err
        try:
            result = handler(event, context)
        except Exception:
            delete_record(key)
            raise
        save_success(key, result)
        return result

    return wrapper
