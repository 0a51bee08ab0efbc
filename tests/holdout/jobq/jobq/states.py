"""Job state machine.

    QUEUED -> RUNNING -> SUCCEEDED
                      -> FAILED -> QUEUED (retry, up to MAX_ATTEMPTS)
    QUEUED -> CANCELLED
"""
from __future__ import annotations

import time
from typing import Any, Dict, Optional

import boto3
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from . import settings
from .settings import CANCELLED, FAILED, QUEUED, RUNNING

ALLOWED = {
    QUEUED: {RUNNING, CANCELLED},
    RUNNING: {settings.SUCCEEDED, FAILED},
    FAILED: {QUEUED},
}

STATE = {"#state": "state"}


class IllegalTransition(Exception):
    pass


class JobStateMachine:
    def __init__(self, table_name: str = settings.TABLE_NAME, region: str = "us-east-1") -> None:
        self.table = boto3.resource("dynamodb", region_name=region).Table(table_name)

    @staticmethod
    def key(job_id: str) -> Dict[str, str]:
        return {"pk": f"JOB#{job_id}", "sk": "JOB"}

    def transition(self, job_id: str, src: str, dst: str) -> bool:
        if dst not in ALLOWED.get(src, ()):
            raise IllegalTransition(f"{src} -> {dst}")
        try:
            self.table.update_item(  # label: ok
                Key=self.key(job_id),
                UpdateExpression="SET #state = :to, updated_at = :now",
                ConditionExpression="#state = :from",
                ExpressionAttributeNames=STATE,
                ExpressionAttributeValues={":to": dst, ":from": src, ":now": int(time.time())},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def start(self, job_id: str, worker_id: str) -> Dict[str, Any]:
        response = self.table.update_item(  # label: ok
            Key=self.key(job_id),
            UpdateExpression="SET #state = :running, worker_id = :w, started_at = :now",
            ConditionExpression=Attr("state").eq(QUEUED),
            ExpressionAttributeNames=STATE,
            ExpressionAttributeValues={":running": RUNNING, ":w": worker_id, ":now": int(time.time())},
            ReturnValues="ALL_NEW",
        )
        return response["Attributes"]

    def fail(self, job_id: str, error: str) -> None:
        self.table.update_item(  # label: DDB101
            Key=self.key(job_id),
            UpdateExpression="SET #state = :failed, last_error = :e, failed_at = :now",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames=STATE,
            ExpressionAttributeValues={":failed": FAILED, ":e": error[:1024], ":now": int(time.time())},
        )

    def cancel(self, job_id: str) -> None:
        self.table.update_item(  # label: DDB101
            Key=self.key(job_id),
            UpdateExpression="SET #state = :cancelled",
            ConditionExpression="#state = :queued OR attribute_exists(cancel_requested_at)",
            ExpressionAttributeNames=STATE,
            ExpressionAttributeValues={":cancelled": CANCELLED, ":queued": QUEUED},
        )

    def retry(self, job_id: str, max_attempts: int = settings.MAX_ATTEMPTS) -> None:
        self.table.update_item(  # label: ok
            Key=self.key(job_id),
            UpdateExpression="SET #state = :queued ADD attempts :one",
            ConditionExpression="#state = :failed AND attempts < :max",
            ExpressionAttributeNames=STATE,
            ExpressionAttributeValues={":queued": QUEUED, ":failed": FAILED, ":one": 1, ":max": max_attempts},
        )

    def force_state(self, job_id: str, state: str, condition: Optional[Any] = None, **values: Any) -> None:
        """Operator escape hatch: the caller supplies the condition it needs."""
        self.table.update_item(  # label: ok
            Key=self.key(job_id),
            UpdateExpression="SET #state = :s",
            ConditionExpression=condition,
            ExpressionAttributeNames=STATE,
            ExpressionAttributeValues={":s": state, **values},
        )
