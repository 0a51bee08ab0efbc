"""Synchronous helpers used by the admin CLI and the nightly exporter.

Annotated with boto3-stubs so mypy checks every request shape.
"""
from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any, Dict, Optional

import boto3
from boto3.dynamodb.conditions import Attr

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_dynamodb.type_defs import (
        PutItemInputTypeDef,
        UpdateItemInputTableUpdateItemTypeDef,
        UpdateItemInputTypeDef,
    )

TABLE_NAME = "profiles"


@functools.cache
def profiles_table() -> "Table":
    return boto3.resource("dynamodb", region_name="us-west-2").Table(TABLE_NAME)


def _wire_key(profile_id: str) -> Dict[str, Any]:
    return {"pk": {"S": f"PROFILE#{profile_id}"}, "sk": {"S": "PROFILE"}}


def _key(profile_id: str) -> Dict[str, str]:
    return {"pk": f"PROFILE#{profile_id}", "sk": "PROFILE"}


def bump_login_count(client: "DynamoDBClient", profile_id: str) -> None:
    client.update_item(  # label: DDB101
        TableName=TABLE_NAME,
        Key=_wire_key(profile_id),
        UpdateExpression="ADD login_count :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )


def mark_verified(table: "Table", profile_id: str, expected_version: int) -> None:
    table.update_item(  # label: ok
        Key=_key(profile_id),
        UpdateExpression="SET verified = :t, verified_at = :now ADD version :one",
        ConditionExpression=Attr("version").eq(expected_version),
        ExpressionAttributeValues={":t": True, ":now": int(time.time()), ":one": 1},
    )


def set_locale(profile_id: str, locale: str, table: Optional[Table] = None) -> None:
    table = table or profiles_table()
    table.update_item(  # label: DDB104
        Key=_key(profile_id),
        UpdateExpression="SET locale = :l, version = version + :one",
        ExpressionAttributeValues={":l": locale, ":one": 1},
    )


def set_theme(table: Table, profile_id: str, theme: str, expected_version: int) -> None:
    request: UpdateItemInputTableUpdateItemTypeDef = {
        "Key": _key(profile_id),
        "UpdateExpression": "SET theme = :theme, #v = :next",
        "ConditionExpression": "#v = :expected",
        "ExpressionAttributeNames": {"#v": "version"},
        "ExpressionAttributeValues": {
            ":theme": theme,
            ":next": expected_version + 1,
            ":expected": expected_version,
        },
    }
    table.update_item(**request)  # label: ok


def change_email(client: DynamoDBClient, profile_id: str, email: str) -> None:
    request: UpdateItemInputTypeDef = {
        "TableName": TABLE_NAME,
        "Key": _wire_key(profile_id),
        "UpdateExpression": "SET email = :e, email_verified = :f",
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeValues": {":e": {"S": email}, ":f": {"BOOL": False}},
    }
    client.update_item(**request)  # label: DDB101


def save_profile(client: DynamoDBClient, item: Dict[str, Any], create_only: bool = False) -> None:
    params: PutItemInputTypeDef = {"TableName": TABLE_NAME, "Item": item}
    if create_only:
        params["ConditionExpression"] = "attribute_not_exists(pk)"
    client.put_item(**params)  # label: ok


def put_raw(client: DynamoDBClient, request: PutItemInputTypeDef) -> None:
    """Replays requests captured by the exporter's dead-letter file."""
    client.put_item(**request)  # label: ok
