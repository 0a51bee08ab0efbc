from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List

from boto3.dynamodb.conditions import Attr

from ..errors import ItemNotFound
from ..keys import order_key, utcnow_iso
from ..repository import Repository

OPEN = "OPEN"
PAID = "PAID"
SHIPPED = "SHIPPED"
DELIVERED = "DELIVERED"
CANCELLED = "CANCELLED"

STATUS_NAMES = {"#status": "status"}


class OrderRepository(Repository):
    entity_type = "ORDER"

    def place(self, order_id: str, customer_id: str, lines: List[Dict[str, Any]]) -> Dict[str, Any]:
        item = {
            **order_key(order_id),
            "type": self.entity_type,
            "customer_id": customer_id,
            "lines": lines,
            "status": OPEN,
            "total": sum(Decimal(str(line["price"])) * line["qty"] for line in lines),
            "created_at": utcnow_iso(),
            "version": 1,
        }
        self._table.put_item(  # label: ok
            Item=item,
            ConditionExpression=Attr("pk").not_exists() & Attr("sk").not_exists(),
        )
        return item

    def add_line(self, order_id: str, line: Dict[str, Any], expected_version: int) -> None:
        self._table.update_item(  # label: ok
            Key=order_key(order_id),
            UpdateExpression=(
                "SET #lines = list_append(if_not_exists(#lines, :empty), :line) "
                "ADD version :one"
            ),
            ConditionExpression="version = :expected",
            ExpressionAttributeNames={"#lines": "lines"},
            ExpressionAttributeValues={
                ":empty": [],
                ":line": [line],
                ":one": 1,
                ":expected": expected_version,
            },
        )

    def mark_shipped(self, order_id: str, tracking_number: str) -> None:
        self._table.update_item(  # label: ok
            Key=order_key(order_id),
            UpdateExpression="SET #status = :shipped, shipped_at = :now, tracking_number = :tn",
            ConditionExpression="#status = :paid",
            ExpressionAttributeNames=STATUS_NAMES,
            ExpressionAttributeValues={
                ":shipped": SHIPPED,
                ":paid": PAID,
                ":now": utcnow_iso(),
                ":tn": tracking_number,
            },
        )

    def cancel(self, order_id: str) -> None:
        self._table.update_item(  # label: ok
            Key=order_key(order_id),
            UpdateExpression="SET #status = :cancelled",
            ConditionExpression="#status <> :shipped",
            ExpressionAttributeNames=STATUS_NAMES,
            ExpressionAttributeValues={":cancelled": CANCELLED, ":shipped": SHIPPED},
        )

    def apply_discount(self, order_id: str, percent: int) -> None:
        self._table.update_item(  # label: DDB101
            Key=order_key(order_id),
            UpdateExpression="SET discount_pct = :p",
            ConditionExpression="#status = :open",
            ExpressionAttributeNames=STATUS_NAMES,
            ExpressionAttributeValues={":p": percent, ":open": OPEN},
        )

    def upsert(self, order: Dict[str, Any]) -> None:
        """Used by the importer: the upstream system is the source of truth."""
        order.setdefault("type", self.entity_type)
        self._table.put_item(Item=order)  # label: DDB102

    def recalculate_total(self, order_id: str) -> Decimal:
        order = self._table.get_item(Key=order_key(order_id)).get("Item")
        if order is None:
            raise ItemNotFound(order_id)
        total = sum(Decimal(str(line["price"])) * line["qty"] for line in order.get("lines", []))
        total -= total * Decimal(order.get("discount_pct", 0)) / 100
        self._table.update_item(  # label: DDB101
            Key=order_key(order_id),
            UpdateExpression="SET #total = :t",
            ExpressionAttributeNames={"#total": "total"},
            ExpressionAttributeValues={":t": total},
        )
        return total

    def archive(self, order_id: str) -> None:
        self._table.delete_item(  # label: ok
            Key=order_key(order_id),
            ConditionExpression="#status = :delivered",
            ExpressionAttributeNames=STATUS_NAMES,
            ExpressionAttributeValues={":delivered": DELIVERED},
        )
