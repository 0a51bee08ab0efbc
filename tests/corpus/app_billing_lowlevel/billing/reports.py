"""Monthly statements: reads from DynamoDB, writes PDFs to S3 and a marker to Redis."""
import io
import json
import os

import boto3
import redis
from boto3.dynamodb.conditions import Key

from billing.tables import INVOICES

s3 = boto3.client("s3")
dynamodb = boto3.resource("dynamodb")
invoices = dynamodb.Table(INVOICES)
cache = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/1"))
STATEMENTS_BUCKET = os.environ.get("STATEMENTS_BUCKET", "billing-statements")


def invoices_for(customer_id):
    items, kwargs = [], {"KeyConditionExpression": Key("pk").eq(f"CUST#{customer_id}") & Key("sk").begins_with("INV#")}
    while True:
        page = invoices.query(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def publish_statement(customer_id, month):
    lines = invoices_for(customer_id)
    body = io.BytesIO(json.dumps(lines, default=str).encode())
    s3.put_object(Bucket=STATEMENTS_BUCKET, Key=f"{customer_id}/{month}.json", Body=body)  # label: ok
    cache.set(f"statement:{customer_id}:{month}", "ready", ex=86400)  # label: ok
    return len(lines)
