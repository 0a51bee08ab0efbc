"""Sends receipts and notifies the merchant's webhook when an order is paid."""
import json
import os

import boto3
import requests

from orders.db import order_key, orders_table

s3 = boto3.client("s3")
RECEIPTS_BUCKET = os.environ["RECEIPTS_BUCKET"]
WEBHOOK_URL = os.environ["MERCHANT_WEBHOOK_URL"]


def handler(event, context):
    order_id = event["detail"]["order_id"]
    order = orders_table().get_item(Key=order_key(order_id), ConsistentRead=True)["Item"]
    receipt = json.dumps(order, default=str)
    s3.put_object(Bucket=RECEIPTS_BUCKET, Key=f"receipts/{order_id}.json", Body=receipt)  # label: ok
    requests.put(f"{WEBHOOK_URL}/orders/{order_id}", data=receipt, timeout=5)  # label: ok
    return {"ok": True}
