"""Account records (table not in the ddblint registry: treated as global)."""
import time
from typing import Any, Dict

import boto3

ACCOUNTS = boto3.resource("dynamodb").Table("accounts")


def create_account(account_id: str, owner_email: str) -> None:
    ACCOUNTS.put_item(  # label: ok
        Item={"account_id": account_id, "owner_email": owner_email, "created_at": int(time.time()), "version": 1},
        ConditionExpression="attribute_not_exists(account_id)",
    )


def set_plan(account_id: str, plan_id: str) -> None:
    ACCOUNTS.update_item(  # label: DDB101
        Key={"account_id": account_id},
        UpdateExpression="SET plan_id = :p",
        ExpressionAttributeValues={":p": plan_id},
    )


def import_account(item: Dict[str, Any]) -> None:
    ACCOUNTS.put_item(Item=item)  # label: DDB102


def reset_account(account_id: str, owner_email: str) -> None:
    ACCOUNTS.put_item(  # label: DDB102
        Item={"account_id": account_id, "owner_email": owner_email, "created_at": int(time.time()), "version": 1}
    )


def activate(account_id: str, owner_email: str) -> None:
    ACCOUNTS.put_item(  # label: ok
        Item={"account_id": account_id, "owner_email": owner_email, "status": "ACTIVE", "activated_at": int(time.time())},
        ConditionExpression="#s = :pending",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":pending": "PENDING"},
    )


def archive(account_id: str, owner_email: str) -> None:
    # Replaces a closed account with a tombstone (which no longer has a status).
    ACCOUNTS.put_item(  # label: DDB102
        Item={"account_id": account_id, "owner_email": owner_email, "archived_at": int(time.time())},
        ConditionExpression="#s = :closed",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":closed": "CLOSED"},
    )


def replace_if_active(item: Dict[str, Any]) -> None:
    ACCOUNTS.put_item(  # label: ok
        Item=item,
        ConditionExpression="#s = :active",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":active": "ACTIVE"},
    )


def overwrite_account(item: Dict[str, Any]) -> None:
    ACCOUNTS.put_item(  # label: DDB102
        Item=item,
        ConditionExpression="attribute_exists(account_id)",
    )
