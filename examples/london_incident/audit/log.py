"""The audit log: append-only, one item per event under a time-ordered key."""
import os

import boto3

audit = boto3.resource("dynamodb").Table(os.environ["AUDIT_TABLE"])


def record(event_id: str, subscriber_id: str, action: str) -> None:
    audit.put_item(Item={"event_id": event_id, "subscriber_id": subscriber_id, "action": action})


def redact(event_id: str) -> None:
    # An append-only table must not be changed: this edit can be lost between regions.
    audit.update_item(Key={"event_id": event_id}, UpdateExpression="REMOVE subscriber_id")
