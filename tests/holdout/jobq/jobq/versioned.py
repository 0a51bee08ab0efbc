"""Workflow definitions: versioned documents edited from the console and the API."""
from __future__ import annotations

import time
from typing import Any, Dict, List, Mapping

import boto3
from botocore.exceptions import ClientError

from . import settings

VERSION_MATCHES = "version = :expected"


class DefinitionConflict(Exception):
    pass


def _guard(attribute: str) -> str:
    return f"#{attribute} = :expected"


class DefinitionStore:
    def __init__(self, table_name: str = settings.TABLE_NAME, region: str = "us-east-1") -> None:
        self.table = boto3.resource("dynamodb", region_name=region).Table(table_name)

    @staticmethod
    def key(workflow: str) -> Dict[str, str]:
        return {"pk": f"WORKFLOW#{workflow}", "sk": "DEFINITION"}

    def update_payload(self, workflow: str, payload: Dict[str, Any], version: int) -> None:
        try:
            self.table.update_item(  # label: ok
                Key=self.key(workflow),
                UpdateExpression="SET payload = :p, version = :v2",
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":p": payload, ":v": version, ":v2": version + 1},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise DefinitionConflict(workflow) from exc
            raise

    def set_priority(self, workflow: str, priority: int, version: int) -> None:
        self.table.update_item(  # label: ok
            Key=self.key(workflow),
            UpdateExpression="SET priority = :p ADD #v :one",
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":p": priority, ":one": 1, ":expected": version},
        )

    def add_tags(self, workflow: str, tags: List[str]) -> None:
        self.table.update_item(  # label: DDB104
            Key=self.key(workflow),
            UpdateExpression="SET tags = list_append(if_not_exists(tags, :empty), :t) ADD version :one",
            ExpressionAttributeValues={":t": tags, ":empty": [], ":one": 1},
        )

    def annotate(self, workflow: str, note: str, version: int) -> None:
        self.table.update_item(  # label: DDB103
            Key=self.key(workflow),
            UpdateExpression="SET note = :n, noted_at = :now",
            ConditionExpression=VERSION_MATCHES,
            ExpressionAttributeValues={":n": note, ":now": int(time.time()), ":expected": version},
        )

    def touch(self, workflow: str) -> None:
        self.table.update_item(  # label: DDB104
            Key=self.key(workflow),
            UpdateExpression="SET touched_at = :now ADD version :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":now": int(time.time()), ":one": 1},
        )

    def replace(self, workflow: str, definition: Dict[str, Any], version: int) -> None:
        self.table.put_item(  # label: ok
            Item={
                **self.key(workflow),
                "payload": definition,
                "priority": definition.get("priority", 0),
                "version": version + 1,
            },
            ConditionExpression=VERSION_MATCHES + " AND attribute_exists(pk)",
            ExpressionAttributeValues={":expected": version},
        )

    def save_fields(self, workflow: str, fields: Mapping[str, Any], guard_attribute: str, expected: Any) -> None:
        names = {f"#{k}": k for k in fields}
        names[f"#{guard_attribute}"] = guard_attribute
        values = {f":{k}": v for k, v in fields.items()}
        values[":expected"] = expected
        self.table.update_item(  # label: ok
            Key=self.key(workflow),
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
            ConditionExpression=_guard(guard_attribute),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
