"""Session tokens. Each region issues and validates its own tokens."""
import os
import secrets
import time

import boto3

from ..http import json_body, response

SESSION_TTL = 30 * 60

dynamodb = boto3.resource("dynamodb")
accounts = dynamodb.Table(os.environ["TABLE_NAME"])
sessions = dynamodb.Table(os.environ["SESSIONS_TABLE"])


def start_session(event, context):
    body = json_body(event)
    account_key = {"pk": f"ACCOUNT#{body['account_id']}", "sk": "META"}
    account = accounts.get_item(Key=account_key).get("Item")
    if account is None or not account.get("active", True):
        return response(403)
    now = int(time.time())
    token = secrets.token_urlsafe(32)
    sessions.put_item(  # label: ok
        Item={
            "token": token,
            "account_id": body["account_id"],
            "plan": account["plan"],
            "created_at": now,
            "expires_at": now + SESSION_TTL,
            "hits": 0,
        }
    )
    accounts.update_item(  # label: DDB101
        Key=account_key,
        UpdateExpression="SET last_login_at = :now",
        ExpressionAttributeValues={":now": now},
    )
    return response(201, {"token": token, "expires_in": SESSION_TTL})


def refresh_session(event, context):
    token = event["headers"]["x-session-token"]
    now = int(time.time())
    resp = sessions.get_item(Key={"token": token})
    item = resp.get("Item")
    if item is None or item["expires_at"] < now:
        return response(401)
    sessions.update_item(  # label: DDB101
        Key={"token": token},
        UpdateExpression="SET expires_at = :e, hits = :h",
        ExpressionAttributeValues={":e": now + SESSION_TTL, ":h": item["hits"] + 1},
    )
    return response(204)


def touch_session(token):
    sessions.update_item(  # label: ok
        Key={"token": token},
        UpdateExpression="SET last_seen_at = :now",
        ExpressionAttributeValues={":now": int(time.time())},
    )


def rotate_session(event, context):
    old_token = event["headers"]["x-session-token"]
    old = sessions.get_item(Key={"token": old_token})["Item"]
    new_token = secrets.token_urlsafe(32)
    new_item = dict(old, token=new_token, rotated_from=old_token)
    sessions.put_item(Item=new_item)  # label: DDB102
    sessions.delete_item(Key={"token": old_token})  # label: ok
    return response(200, {"token": new_token})
