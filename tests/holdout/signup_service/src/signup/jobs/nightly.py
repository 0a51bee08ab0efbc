"""Nightly job (EventBridge schedule): end expired trials, archive closed accounts."""
import logging
import os
import time

import boto3
from boto3.dynamodb.conditions import Attr

logger = logging.getLogger()

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["TABLE_NAME"])
archive = dynamodb.Table(os.environ["ARCHIVE_TABLE"])


def _scan(filter_expression):
    kwargs = {"FilterExpression": filter_expression}
    while True:
        page = table.scan(**kwargs)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def handler(event, context):
    now = int(time.time())
    expired = list(_scan(Attr("trial_ends_at").lt(now) & Attr("plan").eq("trial")))
    with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for item in expired:
            batch.put_item(Item={**item, "plan": "free", "trial_ended_at": now})  # label: ok

    closed = list(_scan(Attr("active").eq(False) & Attr("deactivated_at").lt(now - 90 * 86400)))
    archiver = archive.batch_writer()
    with archiver:
        for item in closed:
            archiver.put_item(Item={**item, "archived_at": now})  # label: ok
    with table.batch_writer() as batch:
        for item in closed:
            batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})  # label: ok

    table.update_item(  # label: DDB101
        Key={"pk": "JOB#nightly", "sk": "STATUS"},
        UpdateExpression="SET last_run_at = :t, trials_ended = :e, accounts_archived = :a",
        ExpressionAttributeValues={":t": now, ":e": len(expired), ":a": len(closed)},
    )
    logger.info("ended %d trials, archived %d accounts", len(expired), len(closed))
