from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, Dict, Iterable

from botocore.exceptions import ClientError

from ..errors import is_conditional_failure
from ..keys import sku_key, utcnow_iso
from ..repository import Repository

log = logging.getLogger(__name__)


class OutOfStock(Exception):
    pass


class InventoryRepository(Repository):
    entity_type = "SKU"

    def create_sku(self, sku: str, price: Decimal, available: int = 0) -> None:
        # Written against boto3 1.4 and never migrated; still works.
        self._table.put_item(  # label: ok
            Item={
                **sku_key(sku),
                "type": self.entity_type,
                "price": price,
                "available": available,
                "reserved": 0,
                "version": 1,
            },
            Expected={"pk": {"Exists": False}},
        )

    def reserve(self, sku: str, quantity: int) -> None:
        try:
            self._table.update_item(  # label: ok
                Key=sku_key(sku),
                UpdateExpression="SET available = available - :q, reserved = reserved + :q",
                ConditionExpression="available >= :q",
                ExpressionAttributeValues={":q": quantity},
            )
        except ClientError as exc:
            if is_conditional_failure(exc):
                raise OutOfStock(sku) from exc
            raise

    def restock(self, sku: str, quantity: int) -> None:
        self._table.update_item(  # label: DDB101
            Key=sku_key(sku),
            UpdateExpression="ADD available :q SET restocked_at = :now",
            ExpressionAttributeValues={":q": quantity, ":now": utcnow_iso()},
        )

    def set_price(self, sku: str, price: Decimal, expected_version: int) -> None:
        self._table.update_item(  # label: DDB103
            Key=sku_key(sku),
            UpdateExpression="SET price = :p, updated_at = :now",
            ConditionExpression="version = :v",
            ExpressionAttributeValues={":p": price, ":now": utcnow_iso(), ":v": expected_version},
        )

    def bulk_load(self, rows: Iterable[Dict[str, Any]]) -> int:
        count = 0
        with self._table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for row in rows:
                batch.put_item(  # label: ok
                    Item={
                        **sku_key(row["sku"]),
                        "type": self.entity_type,
                        "price": Decimal(str(row["price"])),
                        "available": int(row.get("available", 0)),
                        "reserved": 0,
                    }
                )
                count += 1
        log.info("loaded %d SKUs", count)
        return count

    def purge_discontinued(self, skus: Iterable[str]) -> None:
        with self._table.batch_writer() as batch:
            for sku in skus:
                batch.delete_item(Key=sku_key(sku))  # label: ok
