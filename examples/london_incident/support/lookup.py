"""Support tooling (us-east-1): look up a subscriber's current address."""
import os

import boto3

subscribers = boto3.resource("dynamodb").Table(os.environ["SUBSCRIBERS_TABLE"])


def current_address(subscriber_id: str) -> dict:
    # "Fixes" stale reads with ConsistentRead=True, which only sees writes made in us-east-1.
    response = subscribers.get_item(Key={"subscriber_id": subscriber_id}, ConsistentRead=True)
    return response["Item"]["delivery_address"]


def find_by_email(email: str) -> list:
    response = subscribers.query(
        IndexName="by_email",
        KeyConditionExpression="email = :e",
        ExpressionAttributeValues={":e": email},
    )
    return response["Items"]
