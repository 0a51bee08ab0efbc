"""Moving jobs between queues atomically with TransactWriteItems."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any, Dict, Optional

import boto3
from botocore.exceptions import ClientError

from . import settings


def _s(value: str) -> Dict[str, str]:
    return {"S": value}


def _n(value: Any) -> Dict[str, str]:
    return {"N": str(value)}


def _job_key(job_id: str) -> Dict[str, Any]:
    return {"pk": _s(f"JOB#{job_id}"), "sk": _s("JOB")}


class Dispatcher:
    def __init__(self, table_name: str = settings.TABLE_NAME, region: str = "us-east-1") -> None:
        self.client = boto3.client("dynamodb", region_name=region)
        self.table_name = table_name

    def claim(self, job_id: str, queue: str, worker_id: str) -> bool:
        """QUEUED -> RUNNING, provided the queue is not paused; records history."""
        now = int(time.time())
        queue_open = {  # label: ok
            "ConditionCheck": {
                "TableName": self.table_name,
                "Key": {"pk": _s(f"QUEUE#{queue}"), "sk": _s("QUEUE")},
                "ConditionExpression": "paused = :false",
                "ExpressionAttributeValues": {":false": {"BOOL": False}},
            }
        }
        move = {  # label: ok
            "Update": {
                "TableName": self.table_name,
                "Key": _job_key(job_id),
                "UpdateExpression": "SET #state = :running, worker_id = :w, started_at = :now",
                "ConditionExpression": "#state = :queued",
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": {
                    ":running": _s(settings.RUNNING),
                    ":queued": _s(settings.QUEUED),
                    ":w": _s(worker_id),
                    ":now": _n(now),
                },
            }
        }
        history = {  # label: ok
            "Put": {
                "TableName": self.table_name,
                "Item": {
                    "pk": _s(f"JOB#{job_id}"),
                    "sk": _s(f"HIST#{now}#{uuid.uuid4().hex[:8]}"),
                    "event": _s("claimed"),
                    "worker_id": _s(worker_id),
                },
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }
        try:
            self.client.transact_write_items(TransactItems=[queue_open, move, history])  # label: ok
        except self.client.exceptions.TransactionCanceledException:
            return False
        return True

    def complete(self, job_id: str, run_id: str, run_version: int, result: Dict[str, Any]) -> None:
        now = int(time.time())
        self.client.transact_write_items(  # label: ok
            TransactItems=[
                {  # label: DDB101
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _job_key(job_id),
                        "UpdateExpression": "SET #state = :done, finished_at = :now",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": {":done": _s(settings.SUCCEEDED), ":now": _n(now)},
                    }
                },
                {  # label: DDB102
                    "Put": {
                        "TableName": self.table_name,
                        "Item": {
                            "pk": _s(f"JOB#{job_id}"),
                            "sk": _s("RESULT"),
                            "body": _s(json.dumps(result)),
                            "stored_at": _n(now),
                        },
                    }
                },
                {  # label: ok
                    "Delete": {
                        "TableName": self.table_name,
                        "Key": {"pk": _s(f"LEASE#job-{job_id}"), "sk": _s("LEASE")},
                    }
                },
                {  # label: ok
                    "Update": {
                        "TableName": self.table_name,
                        "Key": {"pk": _s(f"RUN#{run_id}"), "sk": _s("RUN")},
                        "UpdateExpression": "SET steps_done = steps_done + :one, version = :next",
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {
                            ":one": _n(1),
                            ":v": _n(run_version),
                            ":next": _n(run_version + 1),
                        },
                    }
                },
            ]
        )

    def enqueue(self, job_id: str, queue: str, payload: Dict[str, Any], delay_s: int = 0) -> None:
        item = {
            **_job_key(job_id),
            "queue": _s(queue),
            "state": _s(settings.QUEUED),
            "payload": _s(json.dumps(payload)),
            "attempts": _n(0),
            "visible_at": _n(int(time.time()) + delay_s),
        }
        self.client.put_item(  # label: ok
            TableName=self.table_name,
            Item=item,
            ConditionExpression="NOT attribute_exists(pk)",
        )

    def requeue_all(self, queue: str, reason: Optional[str] = None) -> int:
        """Put every FAILED job of a queue back to QUEUED (operator tool)."""
        paginator = self.client.get_paginator("query")
        count = 0
        for page in paginator.paginate(
            TableName=self.table_name,
            IndexName="by_queue",
            KeyConditionExpression="#q = :q",
            FilterExpression="#state = :failed",
            ExpressionAttributeNames={"#q": "queue", "#state": "state"},
            ExpressionAttributeValues={":q": _s(queue), ":failed": _s(settings.FAILED)},
        ):
            for item in page["Items"]:
                self.client.update_item(  # label: DDB101
                    TableName=self.table_name,
                    Key={"pk": item["pk"], "sk": item["sk"]},
                    UpdateExpression="SET #state = :queued, requeue_reason = :r",
                    ExpressionAttributeNames={"#state": "state"},
                    ExpressionAttributeValues={":queued": _s(settings.QUEUED), ":r": _s(reason or "manual")},
                )
                count += 1
        return count
