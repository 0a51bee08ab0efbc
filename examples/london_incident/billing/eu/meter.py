"""Metering in London (eu-west-1), the counters' home region: fine."""
import os

import boto3

counters = boto3.resource("dynamodb").Table(os.environ["COUNTERS_TABLE"])


def record_usage(account_id: str, expected_version: int) -> None:
    counters.update_item(
        Key={"account_id": account_id},
        UpdateExpression="ADD metered_calls :one, #v :one",
        ConditionExpression="#v = :expected",
        ExpressionAttributeNames={"#v": "version"},
        ExpressionAttributeValues={":one": 1, ":expected": expected_version},
    )
