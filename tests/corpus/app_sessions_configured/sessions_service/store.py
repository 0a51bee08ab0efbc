"""Session store used by the web tier."""
import os
import secrets
import time
from typing import Any, Dict, List

import boto3
from boto3.dynamodb.conditions import Key

_dynamodb = boto3.resource("dynamodb")
sessions = _dynamodb.Table(os.environ["SESSIONS_TABLE"])
profiles = _dynamodb.Table("user-profiles")

DEFAULT_TTL = 3600


def open_session(user_id: str, ttl: int = DEFAULT_TTL) -> str:
    session_id = secrets.token_urlsafe(24)
    now = int(time.time())
    sessions.put_item(  # label: ok
        Item={
            "session_id": session_id,
            "user_id": user_id,
            "hits": 0,
            "created_at": now,
            "expires_at": now + ttl,
            "version": 1,
        }
    )
    return session_id


def touch(session_id: str) -> None:
    sessions.update_item(  # label: ok
        Key={"session_id": session_id},
        UpdateExpression="SET last_seen = :t ADD hits :one",
        ExpressionAttributeValues={":t": int(time.time()), ":one": 1},
    )


def extend(session_id: str, extra_seconds: int) -> int:
    item = sessions.get_item(Key={"session_id": session_id})["Item"]
    new_expiry = int(item["expires_at"]) + extra_seconds
    sessions.update_item(  # label: DDB101
        Key={"session_id": session_id},
        UpdateExpression="SET expires_at = :e",
        ExpressionAttributeValues={":e": new_expiry},
    )
    return new_expiry


def rename_device(session_id: str, device_name: str) -> None:
    resp = sessions.get_item(Key={"session_id": session_id})
    session = resp.get("Item")
    if session is None:
        raise KeyError(session_id)
    session["device_name"] = device_name
    sessions.put_item(Item=session)  # label: DDB102


def merge_carts(user_id: str, into_session_id: str) -> List[Dict[str, Any]]:
    resp = sessions.query(IndexName="by_user", KeyConditionExpression=Key("user_id").eq(user_id))
    cart: List[Dict[str, Any]] = []
    for other in resp["Items"]:
        cart.extend(other.get("cart", []))
    sessions.update_item(  # label: DDB101
        Key={"session_id": into_session_id},
        UpdateExpression="SET cart = :c",
        ExpressionAttributeValues={":c": cart},
    )
    return cart


def add_to_cart(session_id: str, line: Dict[str, Any]) -> None:
    item = sessions.get_item(Key={"session_id": session_id})["Item"]
    cart = list(item.get("cart", [])) + [line]
    sessions.update_item(  # label: ok
        Key={"session_id": session_id},
        UpdateExpression="SET cart = :c, #v = :next",
        ConditionExpression="#v = :expected",
        ExpressionAttributeNames={"#v": "version"},
        ExpressionAttributeValues={":c": cart, ":next": item["version"] + 1, ":expected": item["version"]},
    )


def attach_profile(session_id: str, user_id: str) -> None:
    profile = profiles.get_item(Key={"user_id": user_id})["Item"]
    sessions.update_item(  # label: ok
        Key={"session_id": session_id},
        UpdateExpression="SET display_name = :n",
        ExpressionAttributeValues={":n": profile["display_name"]},
    )
    profiles.update_item(  # label: DDB101
        Key={"user_id": user_id},
        UpdateExpression="SET last_session = :s",
        ExpressionAttributeValues={":s": session_id},
    )


def revoke(session_id: str) -> None:
    sessions.delete_item(Key={"session_id": session_id})  # label: ok
