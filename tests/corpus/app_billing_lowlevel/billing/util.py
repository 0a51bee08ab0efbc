"""Helpers shared with the reconciliation job (kept free of AWS clients)."""
from typing import Any, Dict

from boto3.dynamodb.types import TypeSerializer

_serializer = TypeSerializer()


def to_wire(item: Dict[str, Any]) -> Dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items()}


def build_put_request(table_name: str, snapshot: Dict[str, Any]) -> Dict[str, Any]:
    request: Dict[str, Any] = {"TableName": table_name, "Item": to_wire(snapshot["item"])}
    if snapshot.get("expected_version") is not None:
        request["ConditionExpression"] = "#v = :expected"
        request["ExpressionAttributeNames"] = {"#v": "version"}
        request["ExpressionAttributeValues"] = {":expected": {"N": str(snapshot["expected_version"])}}
    return request
