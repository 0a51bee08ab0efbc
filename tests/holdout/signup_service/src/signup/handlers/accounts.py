"""API handlers for /accounts/{account_id}."""
import logging
import os
import time
import uuid

import boto3
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from ..http import json_body, path_param, response

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["TABLE_NAME"])


def _key(account_id):
    return {"pk": f"ACCOUNT#{account_id}", "sk": "META"}


def _conditional_failed(err):
    return err.response["Error"]["Code"] == "ConditionalCheckFailedException"


def create_account(event, context):
    body = json_body(event)
    account_id = str(uuid.uuid4())
    item = {
        **_key(account_id),
        "email": body["email"].lower(),
        "plan": body.get("plan", "free"),
        "created_at": int(time.time()),
        "version": 1,
    }
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")  # label: ok
    except ClientError as err:
        if _conditional_failed(err):
            return response(409, {"message": "account exists"})
        raise
    return response(201, {"account_id": account_id})


def update_preferences(event, context):
    account_id = path_param(event, "account_id")
    prefs = json_body(event).get("preferences", {})
    table.update_item(  # label: DDB101
        Key=_key(account_id),
        UpdateExpression="SET preferences = :p, updated_at = :u",
        ExpressionAttributeValues={":p": prefs, ":u": int(time.time())},
    )
    return response(204)


def update_address(event, context):
    account_id = path_param(event, "account_id")
    body = json_body(event)
    current = table.get_item(Key=_key(account_id)).get("Item")
    if current is None:
        return response(404, {"message": "no such account"})
    try:
        table.update_item(  # label: ok
            Key=_key(account_id),
            UpdateExpression="SET address = :a, version = :next",
            ConditionExpression="version = :current",
            ExpressionAttributeValues={
                ":a": body["address"],
                ":next": current["version"] + 1,
                ":current": current["version"],
            },
        )
    except ClientError as err:
        if _conditional_failed(err):
            return response(409, {"message": "account changed, reload and retry"})
        raise
    return response(204)


def deactivate(event, context):
    account_id = path_param(event, "account_id")
    try:
        table.update_item(  # label: DDB101
            Key=_key(account_id),
            UpdateExpression="SET active = :f, deactivated_at = :t",
            ConditionExpression=Attr("pk").exists(),
            ExpressionAttributeValues={":f": False, ":t": int(time.time())},
        )
    except ClientError as err:
        if _conditional_failed(err):
            return response(404, {"message": "no such account"})
        raise
    return response(204)


def _from_legacy(record):
    return {
        **_key(record["AccountId"]),
        "email": record["Email"].lower(),
        "plan": record.get("Tier", "free").lower(),
        "created_at": int(record["CreatedEpoch"]),
        "migrated_from": "crm",
    }


def import_account(event, context):
    """Invoked by the CRM export (one record per invocation)."""
    table.put_item(Item=_from_legacy(event["record"]))  # label: DDB102
    return {"ok": True}


def apply_changes(account_id, changes, condition=None):
    """Shared by the admin console; ``condition`` is decided by the caller."""
    names = {f"#{k}": k for k in changes}
    values = {f":{k}": v for k, v in changes.items()}
    kwargs = {
        "Key": _key(account_id),
        "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
        "ReturnValues": "ALL_NEW",
    }
    if condition is not None:
        kwargs["ConditionExpression"] = condition
    return table.update_item(**kwargs)["Attributes"]  # label: ok


def delete_account(event, context):
    account_id = path_param(event, "account_id")
    table.delete_item(Key=_key(account_id), ConditionExpression=Attr("pk").exists())  # label: ok
    return response(204)
