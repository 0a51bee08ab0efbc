"""Periodic worker: expires and extends sessions in bulk."""
import time

import boto3
from boto3.dynamodb.conditions import Attr

table = boto3.resource("dynamodb").Table("user-sessions")


def reap(now=None) -> int:
    now = int(now or time.time())
    resp = table.scan(FilterExpression=Attr("expires_at").lt(now), ProjectionExpression="session_id")
    with table.batch_writer() as batch:
        for item in resp["Items"]:
            batch.delete_item(Key={"session_id": item["session_id"]})  # label: ok
    return len(resp["Items"])


def mark_expired(session_id: str) -> bool:
    item = table.get_item(Key={"session_id": session_id}).get("Item")
    if item is None or item["expires_at"] >= time.time():
        return False
    table.update_item(  # label: ok
        Key={"session_id": session_id},
        UpdateExpression="SET expired = :t",
        ExpressionAttributeValues={":t": True},
    )
    return True


def extend_all_for_user(user_id: str, extra_seconds: int) -> None:
    resp = table.scan(FilterExpression=Attr("user_id").eq(user_id))
    for item in resp["Items"]:
        table.update_item(  # label: DDB101
            Key={"session_id": item["session_id"]},
            UpdateExpression="SET expires_at = :e",
            ExpressionAttributeValues={":e": item["expires_at"] + extra_seconds},
        )
