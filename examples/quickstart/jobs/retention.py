"""A nightly job that stamps subscribers it contacted, and records what it did."""
import os

import boto3

client = boto3.client("dynamodb", region_name="us-east-1")
audit = boto3.resource("dynamodb", region_name="us-east-1").Table(os.environ["AUDIT_TABLE"])


def stamp_contacted(subscriber_ids, now):
    for subscriber_id in subscriber_ids:
        # `attribute_exists` only says the item exists: it is not a version guard.
        client.update_item(
            TableName=os.environ["SUBSCRIBERS_TABLE"],
            Key={"subscriber_id": {"S": subscriber_id}},
            UpdateExpression="SET last_contacted = :now",
            ConditionExpression="attribute_exists(subscriber_id)",
            ExpressionAttributeValues={":now": {"S": now}},
        )
        # Append-only: a new event under a time-ordered key never collides.
        audit.put_item(Item={"event_id": f"{now}#{subscriber_id}", "action": "contacted"})


def settings_cache_refresh(cache: dict, values: dict) -> None:
    # Not DynamoDB: a dict's update is never reported.
    cache.update(values)
