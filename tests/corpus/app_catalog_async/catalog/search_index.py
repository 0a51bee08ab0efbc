"""Rebuilds the term -> sku search table from the product table."""
import re
import time
from typing import Any, Dict, Iterator

from catalog.aws import PRODUCTS_TABLE, SEARCH_TABLE, SESSION

_WORD = re.compile(r"[a-z0-9]+")


def _terms(product: Dict[str, Any]) -> Iterator[str]:
    text = " ".join(str(product.get(f, "")) for f in ("title", "description", "brand")).lower()
    yield from sorted(set(_WORD.findall(text)))


async def rebuild() -> int:
    written = 0
    async with SESSION.resource("dynamodb") as dynamodb:
        products = await dynamodb.Table(PRODUCTS_TABLE)
        index = await dynamodb.Table(SEARCH_TABLE)
        scan_kwargs: Dict[str, Any] = {"ProjectionExpression": "sku, title, description, brand"}
        async with index.batch_writer(overwrite_by_pkeys=["term", "sku"]) as batch:
            while True:
                page = await products.scan(**scan_kwargs)
                for product in page["Items"]:
                    for term in _terms(product):
                        await batch.put_item(Item={"term": term, "sku": product["sku"]})  # label: ok
                        written += 1
                if "LastEvaluatedKey" not in page:
                    break
                scan_kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        await index.put_item(  # label: DDB102
            Item={"term": "__meta__", "sku": "__meta__", "rebuilt_at": int(time.time()), "entries": written}
        )
    return written


async def lookup(term: str) -> list:
    async with SESSION.resource("dynamodb") as dynamodb:
        index = await dynamodb.Table(SEARCH_TABLE)
        resp = await index.query(
            KeyConditionExpression="term = :t",
            ExpressionAttributeValues={":t": term.lower()},
        )
        return [row["sku"] for row in resp["Items"]]
