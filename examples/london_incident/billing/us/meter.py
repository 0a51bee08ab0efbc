"""Metering in Virginia (us-east-1): the same increment, from outside the counters' home."""
import os

import boto3

counters = boto3.resource("dynamodb").Table(os.environ["COUNTERS_TABLE"])


def record_usage(account_id: str, expected_version: int) -> None:
    # Both regions pass `#v = :expected` against their own replica; one increment is lost.
    counters.update_item(
        Key={"account_id": account_id},
        UpdateExpression="ADD metered_calls :one, #v :one",
        ConditionExpression="#v = :expected",
        ExpressionAttributeNames={"#v": "version"},
        ExpressionAttributeValues={":one": 1, ":expected": expected_version},
    )
