"""Product catalogue service."""
from typing import Any, Dict, Iterable, Optional

import aioboto3
from boto3.dynamodb.conditions import Attr

from catalog.aws import PRODUCTS_TABLE


class ProductNotFound(Exception):
    pass


class ProductService:
    def __init__(self, session: Optional[aioboto3.Session] = None) -> None:
        self._session = session or aioboto3.Session()

    async def get(self, sku: str) -> Optional[Dict[str, Any]]:
        async with self._session.resource("dynamodb") as dynamodb:
            table = await dynamodb.Table(PRODUCTS_TABLE)
            resp = await table.get_item(Key={"sku": sku})
            return resp.get("Item")

    async def create(self, product: Dict[str, Any]) -> None:
        async with self._session.resource("dynamodb") as dynamodb:
            table = await dynamodb.Table(PRODUCTS_TABLE)
            await table.put_item(Item=dict(product, version=1), ConditionExpression=Attr("sku").not_exists())  # label: ok

    async def change_price(self, sku: str, price_cents: int, expected_version: int) -> Dict[str, Any]:
        async with self._session.resource("dynamodb") as dynamodb:
            table = await dynamodb.Table(PRODUCTS_TABLE)
            resp = await table.update_item(  # label: ok
                Key={"sku": sku},
                UpdateExpression="SET price_cents = :p, #v = #v + :one",
                ConditionExpression="#v = :expected",
                ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues={":p": price_cents, ":one": 1, ":expected": expected_version},
                ReturnValues="ALL_NEW",
            )
            return resp["Attributes"]

    async def reserve_stock(self, sku: str, quantity: int) -> None:
        async with self._session.resource("dynamodb") as dynamodb:
            table = await dynamodb.Table(PRODUCTS_TABLE)
            await table.update_item(  # label: ok
                Key={"sku": sku},
                UpdateExpression="ADD stock :delta",
                ConditionExpression="stock >= :qty",
                ExpressionAttributeValues={":delta": -quantity, ":qty": quantity},
            )

    async def set_description(self, sku: str, description: str) -> None:
        async with self._session.resource("dynamodb") as dynamodb:
            table = await dynamodb.Table(PRODUCTS_TABLE)
            # Only products that already have photos get a public description.
            await table.update_item(  # label: DDB101
                Key={"sku": sku},
                UpdateExpression="SET description = :d",
                ConditionExpression=Attr("images").size().gt(0),
                ExpressionAttributeValues={":d": description},
            )

    async def add_tag(self, sku: str, tag: str) -> None:
        async with self._session.resource("dynamodb") as dynamodb:
            table = await dynamodb.Table(PRODUCTS_TABLE)
            await table.update_item(  # label: DDB101
                Key={"sku": sku},
                UpdateExpression="ADD tags :t",
                ExpressionAttributeValues={":t": {tag}},
            )

    async def discontinue(self, sku: str) -> None:
        async with self._session.resource("dynamodb") as dynamodb:
            table = await dynamodb.Table(PRODUCTS_TABLE)
            await table.delete_item(Key={"sku": sku})  # label: ok

    async def bulk_load(self, products: Iterable[Dict[str, Any]]) -> None:
        async with self._session.resource("dynamodb") as dynamodb:
            table = await dynamodb.Table(PRODUCTS_TABLE)
            async with table.batch_writer(overwrite_by_pkeys=["sku"]) as batch:
                for product in products:
                    await batch.put_item(Item=product)  # label: ok
