"""Order state machine driven by the payments and fulfilment services."""
import json
import os
import time

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def _key(order_id):
    return {"pk": f"ORDER#{order_id}", "sk": "META"}


def mark_paid(order_id, payment_ref):
    table.update_item(  # label: ok
        Key=_key(order_id),
        UpdateExpression="SET #s = :paid, payment_ref = :ref, paid_at = :now",
        ConditionExpression="#s = :pending",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":paid": "PAID",
            ":pending": "PENDING",
            ":ref": payment_ref,
            ":now": int(time.time()),
        },
    )


def cancel(order_id, reason):
    try:
        table.update_item(  # label: DDB101
            Key=_key(order_id),
            UpdateExpression="SET #s = :cancelled, cancel_reason = :r",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":cancelled": "CANCELLED", ":r": reason},
        )
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def add_tracking(order_id, carrier, tracking_no):
    table.update_item(  # label: DDB101
        Key=_key(order_id),
        UpdateExpression="SET tracking = :t",
        ExpressionAttributeValues={":t": {"carrier": carrier, "number": tracking_no}},
    )


ACTIONS = {
    "paid": lambda e: mark_paid(e["order_id"], e["payment_ref"]),
    "cancel": lambda e: cancel(e["order_id"], e.get("reason", "customer")),
    "tracking": lambda e: add_tracking(e["order_id"], e["carrier"], e["tracking_no"]),
}


def handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["body"])
        ACTIONS[message["action"]](message)
    return {"batchItemFailures": []}
