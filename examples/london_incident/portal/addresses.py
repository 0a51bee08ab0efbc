"""The customer portal (eu-west-1): customers manage their delivery address."""
import os

import boto3

subscribers = boto3.resource("dynamodb").Table(os.environ["SUBSCRIBERS_TABLE"])


def change_delivery_address(subscriber_id: str, address: dict) -> None:
    # The bug: no version condition. A write from us-east-1 a few milliseconds later wins for the
    # whole item, and this address change disappears without an error.
    subscribers.update_item(
        Key={"subscriber_id": subscriber_id},
        UpdateExpression="SET delivery_address = :address",
        ExpressionAttributeValues={":address": address},
    )


def change_email(subscriber_id: str, email: str, expected_version: int) -> None:
    # Done right: the version read is asserted and bumped in the same update.
    subscribers.update_item(
        Key={"subscriber_id": subscriber_id},
        UpdateExpression="SET email = :email, #v = #v + :one",
        ConditionExpression="#v = :expected",
        ExpressionAttributeNames={"#v": "version"},
        ExpressionAttributeValues={":email": email, ":one": 1, ":expected": expected_version},
    )
