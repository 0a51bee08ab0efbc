"""POST /orders"""
import json
import logging
import time
import uuid
from decimal import Decimal

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from orders.db import idempotency_table, order_key, orders_table

logger = logging.getLogger(__name__)
IDEMPOTENCY_TTL_SECONDS = 24 * 3600


def _cached_response(request_id):
    resp = idempotency_table().get_item(Key={"request_id": request_id})
    item = resp.get("Item")
    return json.loads(item["response"]) if item else None


def _remember_response(request_id, response):
    idempotency_table().put_item(  # label: DDB102
        Item={
            "request_id": request_id,
            "response": json.dumps(response),
            "ttl": int(time.time()) + IDEMPOTENCY_TTL_SECONDS,
        }
    )


def handler(event, context):
    request_id = event["requestContext"]["requestId"]
    cached = _cached_response(request_id)
    if cached is not None:
        return cached

    body = json.loads(event["body"], parse_float=Decimal)
    order_id = str(uuid.uuid4())
    now = int(time.time())
    item = {
        **order_key(order_id),
        "order_id": order_id,
        "customer_id": body["customer_id"],
        "status": "PENDING",
        "total_cents": sum(int(line["price_cents"]) * int(line["qty"]) for line in body["lines"]),
        "created_at": now,
        "version": 1,
    }
    try:
        orders_table().put_item(Item=item, ConditionExpression=Attr("pk").not_exists())  # label: ok
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            logger.warning("order id collision %s", order_id)
            return {"statusCode": 409, "body": json.dumps({"error": "conflict"})}
        raise

    with orders_table().batch_writer() as batch:
        for n, line in enumerate(body["lines"]):
            batch.put_item(  # label: ok
                Item={
                    "pk": f"ORDER#{order_id}",
                    "sk": f"LINE#{n:03d}",
                    "sku": line["sku"],
                    "qty": int(line["qty"]),
                    "price_cents": int(line["price_cents"]),
                }
            )

    response = {"statusCode": 201, "body": json.dumps({"order_id": order_id})}
    _remember_response(request_id, response)
    return response
