"""DynamoDB Streams consumer: keeps the order-summaries table in step with orders."""
import os
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeDeserializer

SUMMARIES = boto3.resource("dynamodb").Table(os.environ["SUMMARY_TABLE"])
_deserializer = TypeDeserializer()


def _image(record, which):
    raw = record["dynamodb"].get(which) or {}
    return {k: _deserializer.deserialize(v) for k, v in raw.items()}


def handler(event, context):
    upserts, deletes = [], []
    totals = {}
    for record in event["Records"]:
        new = _image(record, "NewImage")
        old = _image(record, "OldImage")
        if record["eventName"] == "REMOVE":
            deletes.append({"customer_id": old["customer_id"], "order_id": old["order_id"]})
            continue
        if new.get("sk") != "META":
            continue
        upserts.append(
            {
                "customer_id": new["customer_id"],
                "order_id": new["order_id"],
                "status": new["status"],
                "total_cents": new["total_cents"],
            }
        )
        running = totals.setdefault(new["customer_id"], {"orders": 0, "spent_cents": Decimal(0)})
        running.update(orders=running["orders"] + 1, spent_cents=running["spent_cents"] + new["total_cents"])  # label: ok

    with SUMMARIES.batch_writer(overwrite_by_pkeys=["customer_id", "order_id"]) as batch:
        for item in upserts:
            batch.put_item(Item=item)  # label: ok
        for key in deletes:
            batch.delete_item(Key=key)  # label: ok

    for customer_id, running in totals.items():
        write_customer_totals(customer_id, running)


def write_customer_totals(customer_id, running):
    current = SUMMARIES.get_item(Key={"customer_id": customer_id, "order_id": "TOTALS"}).get("Item", {})
    SUMMARIES.put_item(  # label: DDB102
        Item={
            "customer_id": customer_id,
            "order_id": "TOTALS",
            "orders": current.get("orders", 0) + running["orders"],
            "spent_cents": current.get("spent_cents", 0) + running["spent_cents"],
        }
    )
