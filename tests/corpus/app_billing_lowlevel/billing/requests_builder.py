"""Customer settings updates; request dictionaries are assembled step by step."""
from typing import Any, Dict

import boto3

from billing.tables import CUSTOMERS
from billing.util import build_put_request

client = boto3.client("dynamodb")

VERSION_CHECK = "#v = :expected"
COUNTRY_ATTR = "country"


def _key(customer_id: str) -> Dict[str, Any]:
    return {"pk": {"S": f"CUST#{customer_id}"}, "sk": {"S": "PROFILE"}}


def set_plan(customer_id: str, plan_id: str, expected_version: int) -> None:
    params = {
        "TableName": CUSTOMERS,
        "Key": _key(customer_id),
        "UpdateExpression": "SET #plan = :plan, #v = :next",
        "ExpressionAttributeNames": {"#plan": "plan", "#v": "version"},
        "ExpressionAttributeValues": {
            ":plan": {"S": plan_id},
            ":next": {"N": str(expected_version + 1)},
            ":expected": {"N": str(expected_version)},
        },
    }
    params["ConditionExpression"] = VERSION_CHECK
    client.update_item(**params)  # label: ok


def set_billing_day(customer_id: str, day: int) -> None:
    params = dict(
        TableName=CUSTOMERS,
        Key=_key(customer_id),
        UpdateExpression="SET billing_day = :d",
        ExpressionAttributeValues={":d": {"N": str(day)}},
    )
    params["ConditionExpression"] = "attribute_exists(pk)"
    client.update_item(**params)  # label: DDB101


def raise_dunning_level(customer_id: str, level: int) -> None:
    condition = "dunning_level < :level" + " OR attribute_not_exists(dunning_level)"
    client.update_item(  # label: ok
        TableName=CUSTOMERS,
        Key=_key(customer_id),
        UpdateExpression="SET dunning_level = :level",
        ConditionExpression=condition,
        ExpressionAttributeValues={":level": {"N": str(level)}},
    )


def set_tax_region(customer_id: str, tax_region: str, country: str) -> None:
    condition = f"{COUNTRY_ATTR} = :c"
    client.update_item(  # label: DDB101
        TableName=CUSTOMERS,
        Key=_key(customer_id),
        UpdateExpression="SET tax_region = :r",
        ConditionExpression=condition,
        ExpressionAttributeValues={":r": {"S": tax_region}, ":c": {"S": country}},
    )


def restore_customer(snapshot: Dict[str, Any]) -> None:
    client.put_item(**build_put_request(CUSTOMERS, snapshot))  # label: ok
