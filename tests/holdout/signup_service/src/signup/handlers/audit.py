"""Append-only audit trail. Keys: pk = SUBJECT#<id>, sk = <ULID>."""
import json
import os
import time

import boto3
from boto3.dynamodb.conditions import Key
from ulid import ULID

audit_log = boto3.resource("dynamodb").Table(os.getenv("AUDIT_TABLE", "audit-log"))


def record(subject_id, actor, action, details=None):
    event_id = str(ULID())
    audit_log.put_item(  # label: ok
        Item={
            "pk": f"SUBJECT#{subject_id}",
            "sk": event_id,
            "actor": actor,
            "action": action,
            "details": json.dumps(details or {}),
            "recorded_at": int(time.time()),
        }
    )
    return event_id


def attach_note(subject_id, event_id, note):
    audit_log.update_item(  # label: DDB204
        Key={"pk": f"SUBJECT#{subject_id}", "sk": event_id},
        UpdateExpression="SET note = :n",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":n": note},
    )


def redact(subject_id, event_id, expected_version):
    audit_log.update_item(  # label: DDB204
        Key={"pk": f"SUBJECT#{subject_id}", "sk": event_id},
        UpdateExpression="SET details = :r, version = :next",
        ConditionExpression="version = :v",
        ExpressionAttributeValues={":r": "{}", ":next": expected_version + 1, ":v": expected_version},
    )


def forget_subject(subject_id):
    """GDPR erasure request: drop the subject's whole trail."""
    kwargs = {"KeyConditionExpression": Key("pk").eq(f"SUBJECT#{subject_id}")}
    removed = 0
    while True:
        page = audit_log.query(**kwargs)
        for item in page["Items"]:
            audit_log.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})  # label: DDB204
            removed += 1
        if "LastEvaluatedKey" not in page:
            return removed
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
