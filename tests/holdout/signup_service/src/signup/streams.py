"""DynamoDB Streams consumer for the accounts table.

* keeps per-plan sign-up statistics,
* maintains a denormalised projection used by the admin search page.
"""
import logging
import os
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeDeserializer

logger = logging.getLogger()

dynamodb = boto3.resource("dynamodb")
stats = dynamodb.Table(os.environ["STATS_TABLE"])
projection = dynamodb.Table(os.environ["PROJECTION_TABLE"])

_deserializer = TypeDeserializer()


def _plain(image):
    return {k: _deserializer.deserialize(v) for k, v in image.items()}


def _project(account):
    return {
        "pk": account["pk"],
        "email": account.get("email"),
        "plan": account.get("plan", "free"),
        "active": account.get("active", True),
        "source_ts": account.get("updated_at", account.get("created_at")),
    }


def handler(event, context):
    for rec in event["Records"]:
        name = rec["eventName"]
        keys = _plain(rec["dynamodb"]["Keys"])
        if not keys["pk"].startswith("ACCOUNT#") or keys["sk"] != "META":
            continue
        if name == "REMOVE":
            projection.delete_item(Key={"pk": keys["pk"]})  # label: ok
            continue
        account = _plain(rec["dynamodb"]["NewImage"])
        item = _project(account)
        try:
            projection.put_item(  # label: ok
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR #ts < :ts",
                ExpressionAttributeNames={"#ts": "source_ts"},
                ExpressionAttributeValues={":ts": item["source_ts"]},
            )
        except projection.meta.client.exceptions.ConditionalCheckFailedException:
            logger.info("stale stream record for %s ignored", keys["pk"])
        if name == "INSERT":
            stats.update_item(  # label: DDB101
                Key={"pk": f"PLAN#{account.get('plan', 'free')}"},
                UpdateExpression="ADD signups :one, mrr :price",
                ExpressionAttributeValues={
                    ":one": 1,
                    ":price": Decimal(str(account.get("price", 0))),
                },
            )
    return {"batchItemFailures": []}
