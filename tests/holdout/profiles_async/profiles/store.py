"""Low-level profile persistence with aiobotocore (wire-format attribute values)."""
from __future__ import annotations

import logging
import time
from typing import Any, Dict, Optional

from aiobotocore.session import get_session
from botocore.exceptions import ClientError

log = logging.getLogger(__name__)

REGION = "us-west-2"
TABLE = "profiles"


class StaleProfile(Exception):
    pass


def _key(profile_id: str) -> Dict[str, Dict[str, str]]:
    return {"pk": {"S": f"PROFILE#{profile_id}"}, "sk": {"S": "PROFILE"}}


def _now() -> Dict[str, str]:
    return {"N": str(int(time.time() * 1000))}


def to_wire(profile: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    wire: Dict[str, Dict[str, Any]] = {}
    for name, value in profile.items():
        if isinstance(value, bool):
            wire[name] = {"BOOL": value}
        elif isinstance(value, (int, float)):
            wire[name] = {"N": str(value)}
        elif value is None:
            wire[name] = {"NULL": True}
        else:
            wire[name] = {"S": str(value)}
    return wire


async def create_profile(profile_id: str, display_name: str, email: str) -> None:
    async with get_session().create_client("dynamodb", region_name=REGION) as client:
        await client.put_item(  # label: ok
            TableName=TABLE,
            Item={
                **_key(profile_id),
                "display_name": {"S": display_name},
                "email": {"S": email},
                "created_at": _now(),
                "version": {"N": "1"},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )


async def get_profile(profile_id: str) -> Optional[Dict[str, Any]]:
    async with get_session().create_client("dynamodb", region_name=REGION) as client:
        resp = await client.get_item(TableName=TABLE, Key=_key(profile_id))
        return resp.get("Item")


async def rename(profile_id: str, display_name: str) -> None:
    async with get_session().create_client("dynamodb", region_name=REGION) as client:
        await client.update_item(  # label: DDB101
            TableName=TABLE,
            Key=_key(profile_id),
            UpdateExpression="SET display_name = :n, updated_at = :t",
            ExpressionAttributeValues={":n": {"S": display_name}, ":t": _now()},
        )


async def update_bio(profile_id: str, bio: str, expected_version: int) -> None:
    session = get_session()
    async with session.create_client("dynamodb", region_name=REGION) as client:
        try:
            await client.update_item(  # label: ok
                TableName=TABLE,
                Key=_key(profile_id),
                UpdateExpression="SET bio = :b, version = :next",
                ConditionExpression="version = :expected",
                ExpressionAttributeValues={
                    ":b": {"S": bio},
                    ":next": {"N": str(expected_version + 1)},
                    ":expected": {"N": str(expected_version)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleProfile(profile_id) from exc
            raise


async def set_avatar(profile_id: str, url: str, expected_version: int) -> None:
    async with get_session().create_client("dynamodb", region_name=REGION) as client:
        await client.update_item(  # label: DDB103
            TableName=TABLE,
            Key=_key(profile_id),
            UpdateExpression="SET avatar_url = :u",
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={
                ":u": {"S": url},
                ":expected": {"N": str(expected_version)},
            },
        )


async def import_profile(profile: Dict[str, Any]) -> None:
    """Called by the migration worker for every row of the old Postgres table."""
    async with get_session().create_client("dynamodb", region_name=REGION) as client:
        await client.put_item(TableName=TABLE, Item=to_wire(profile))  # label: DDB102


async def replace_profile(profile_id: str, display_name: str, bio: str, expected_version: int) -> None:
    async with get_session().create_client("dynamodb", region_name=REGION) as client:
        await client.put_item(  # label: DDB103
            TableName=TABLE,
            Item={
                **_key(profile_id),
                "display_name": {"S": display_name},
                "bio": {"S": bio},
                "updated_at": _now(),
            },
            ConditionExpression="version = :expected",
            ExpressionAttributeValues={":expected": {"N": str(expected_version)}},
        )


async def delete_profile(profile_id: str, expected_version: int) -> None:
    async with get_session().create_client("dynamodb", region_name=REGION) as client:
        await client.delete_item(  # label: ok
            TableName=TABLE,
            Key=_key(profile_id),
            ConditionExpression="version = :expected",
            ExpressionAttributeValues={":expected": {"N": str(expected_version)}},
        )
