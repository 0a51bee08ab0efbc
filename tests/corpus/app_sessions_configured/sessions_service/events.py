"""Click-stream recorder (append-only table)."""
import os
import time

import boto3

from sessions_service.ulid import new_ulid

EVENTS = boto3.resource("dynamodb").Table(os.environ["EVENTS_TABLE"])


def record_click(visitor_id: str, page: str, referrer: str = "") -> str:
    event_id = new_ulid()
    EVENTS.put_item(  # label: ok
        Item={
            "visitor_id": visitor_id,
            "event_ulid": event_id,
            "page": page,
            "referrer": referrer,
            "at": int(time.time() * 1000),
        }
    )
    return event_id


def correct_page(visitor_id: str, event_ulid: str, page: str) -> None:
    # Mutating an append-only table: DDB204 reports it instead of DDB101.
    EVENTS.update_item(  # label: ok
        Key={"visitor_id": visitor_id, "event_ulid": event_ulid},
        UpdateExpression="SET page = :p",
        ExpressionAttributeValues={":p": page},
    )
