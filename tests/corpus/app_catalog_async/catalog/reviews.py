"""Product reviews, written through the low-level client (wire-format values)."""
import time
from typing import Any, Dict

from aiobotocore.session import get_session

from catalog.aws import REVIEWS_TABLE, SESSION


def _review_key(sku: str, review_id: str) -> Dict[str, Dict[str, str]]:
    return {"sku": {"S": sku}, "review_id": {"S": review_id}}


async def add_review(sku: str, review_id: str, author: str, rating: int, body: str) -> None:
    session = get_session()
    async with session.create_client("dynamodb", region_name="eu-west-1") as client:
        await client.put_item(  # label: DDB102
            TableName=REVIEWS_TABLE,
            Item={
                "sku": {"S": sku},
                "review_id": {"S": review_id},
                "author": {"S": author},
                "rating": {"N": str(rating)},
                "body": {"S": body},
                "moderation": {"S": "PENDING"},
            },
        )


async def mark_helpful(sku: str, review_id: str) -> None:
    async with get_session().create_client("dynamodb") as client:
        await client.update_item(  # label: DDB101
            TableName=REVIEWS_TABLE,
            Key=_review_key(sku, review_id),
            UpdateExpression="ADD helpful_votes :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )


async def moderate(sku: str, review_id: str, decision: str) -> None:
    async with get_session().create_client("dynamodb") as client:
        await client.update_item(  # label: ok
            TableName=REVIEWS_TABLE,
            Key=_review_key(sku, review_id),
            UpdateExpression="SET moderation = :d, moderated_at = :now",
            ConditionExpression="moderation = :pending",
            ExpressionAttributeValues={
                ":d": {"S": decision},
                ":pending": {"S": "PENDING"},
                ":now": {"N": str(int(time.time()))},
            },
        )


async def edit_review(sku: str, review_id: str, body: str, edited_at: int) -> None:
    async with SESSION.client("dynamodb") as client:
        await client.update_item(  # label: ok
            TableName=REVIEWS_TABLE,
            Key=_review_key(sku, review_id),
            UpdateExpression="SET body = :b, edited_at = :at",
            ConditionExpression="attribute_not_exists(edited_at) OR edited_at < :at",
            ExpressionAttributeValues={":b": {"S": body}, ":at": {"N": str(edited_at)}},
        )


async def import_review(item: Dict[str, Any], condition: str) -> None:
    """Used by the migration tool, which computes its own condition per source system."""
    async with SESSION.client("dynamodb") as client:
        await client.put_item(TableName=REVIEWS_TABLE, Item=item, ConditionExpression=condition)  # label: ok


async def remove_review(sku: str, review_id: str) -> None:
    async with SESSION.client("dynamodb") as client:
        await client.delete_item(TableName=REVIEWS_TABLE, Key=_review_key(sku, review_id))  # label: ok
