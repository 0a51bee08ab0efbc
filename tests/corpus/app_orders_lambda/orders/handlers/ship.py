"""Fulfilment callbacks: shipping and order edits made by support staff."""
from boto3.dynamodb.conditions import Attr, Key

from orders.db import order_key, orders_table


def ship(order_id, warehouse, expected_version):
    orders_table().update_item(  # label: ok
        Key=order_key(order_id),
        UpdateExpression="SET #s = :shipped, warehouse = :w, #v = #v + :one",
        ConditionExpression=Attr("version").eq(expected_version) & Attr("pk").exists(),
        ExpressionAttributeNames={"#s": "status", "#v": "version"},
        ExpressionAttributeValues={":shipped": "SHIPPED", ":w": warehouse, ":one": 1},
    )


def set_gift_message(order_id, message):
    orders_table().update_item(  # label: DDB101
        Key=order_key(order_id),
        UpdateExpression="SET gift_message = :m",
        ConditionExpression=Attr("pk").exists(),
        ExpressionAttributeValues={":m": message},
    )


def reprice(order_id, total_cents, expected_version):
    # Support may reprice any order that is still pending, or one whose version they hold.
    orders_table().update_item(  # label: DDB101
        Key=order_key(order_id),
        UpdateExpression="SET total_cents = :t",
        ConditionExpression=Attr("version").eq(expected_version) | Attr("status").eq("PENDING"),
        ExpressionAttributeValues={":t": total_cents},
    )


def order_lines(order_id):
    resp = orders_table().query(
        KeyConditionExpression=Key("pk").eq(f"ORDER#{order_id}") & Key("sk").begins_with("LINE#"),
    )
    return resp["Items"]
