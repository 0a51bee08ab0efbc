"""Notification preferences, stored next to the profile in their own table."""
from typing import Any, Dict, List

from mypy_boto3_dynamodb.service_resource import Table


class PreferencesStore:
    table: Table

    def __init__(self, table: Table) -> None:
        self.table = table

    def load(self, profile_id: str) -> Dict[str, Any]:
        resp = self.table.get_item(Key={"profile_id": profile_id, "sk": "PREFS"})
        return resp.get("Item", {"prefs": {}, "version": 0})

    def save_preferences(self, profile_id: str, prefs: Dict[str, Any], expected_version: int) -> None:
        params = {
            "Key": {"profile_id": profile_id, "sk": "PREFS"},
            "UpdateExpression": "SET prefs = :p, #v = :next",
            "ExpressionAttributeNames": {"#v": "version"},
            "ExpressionAttributeValues": {
                ":p": prefs,
                ":next": expected_version + 1,
                ":expected": expected_version,
            },
        }
        params["ConditionExpression"] = "#v = :expected"
        self.table.update_item(**params)  # label: ok

    def set_language(self, profile_id: str, language: str) -> None:
        params = dict(
            Key={"profile_id": profile_id, "sk": "PREFS"},
            UpdateExpression="SET #lang = :l",
            ExpressionAttributeNames={"#lang": "language"},
            ExpressionAttributeValues={":l": language},
        )
        self.table.update_item(**params)  # label: DDB101

    def mute_channels(self, profile_id: str, channels: List[str], extra: Dict[str, Any]) -> None:
        params: Dict[str, Any] = {
            "Key": {"profile_id": profile_id, "sk": "PREFS"},
            "UpdateExpression": "ADD muted :c",
            "ExpressionAttributeValues": {":c": set(channels)},
        }
        params.update(extra)  # label: ok
        self.table.update_item(**params)  # label: ok
