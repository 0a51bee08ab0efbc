"""Nightly retention job, deployed to us-east-1: stamps `last_contacted` on subscribers."""
import os
from datetime import datetime, timezone

import boto3

dynamodb = boto3.resource("dynamodb")
subscribers = dynamodb.Table(os.environ["SUBSCRIBERS_TABLE"])


def stamp_contacted(contacted: list) -> None:
    now = datetime.now(timezone.utc).isoformat()
    # Rewrites whole items from us-east-1 with no version check possible.
    with subscribers.batch_writer() as batch:
        for subscriber in contacted:
            batch.put_item(Item={**subscriber, "last_contacted": now})


def stamp_one(subscriber_id: str) -> None:
    now = datetime.now(timezone.utc).isoformat()
    subscribers.update_item(
        Key={"subscriber_id": subscriber_id},
        UpdateExpression="SET last_contacted = :now",
        ExpressionAttributeValues={":now": now},
    )
