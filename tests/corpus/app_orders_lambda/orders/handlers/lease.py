"""Distributed lease used so that only one invocation runs the nightly settlement batch."""
import time

import boto3
from botocore.exceptions import ClientError

LOCKS = boto3.resource("dynamodb").Table("order-locks")


def acquire(lock_name, holder, ttl_seconds=300):
    now = int(time.time())
    try:
        LOCKS.put_item(  # label: ok
            Item={"lock_name": lock_name, "holder": holder, "expires_at": now + ttl_seconds},
            ConditionExpression="attribute_not_exists(lock_name) OR expires_at < :now",
            ExpressionAttributeValues={":now": now},
        )
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def renew(lock_name, holder, ttl_seconds=300):
    now = int(time.time())
    LOCKS.update_item(  # label: ok
        Key={"lock_name": lock_name},
        UpdateExpression="SET expires_at = :until",
        ConditionExpression="holder = :me AND expires_at >= :now",
        ExpressionAttributeValues={":me": holder, ":now": now, ":until": now + ttl_seconds},
    )


def release(lock_name, holder):
    LOCKS.delete_item(  # label: ok
        Key={"lock_name": lock_name},
        ConditionExpression="holder = :me",
        ExpressionAttributeValues={":me": holder},
    )


def handler(event, context):
    me = context.aws_request_id
    if not acquire("settlement", me):
        return {"skipped": True}
    try:
        # ... settle the day's orders ...
        renew("settlement", me)
    finally:
        release("settlement", me)
    return {"skipped": False}
