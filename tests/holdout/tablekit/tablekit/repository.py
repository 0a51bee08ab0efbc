"""Generic single-table repository.

Every entity lives in one DynamoDB table keyed by ``pk``/``sk``. Subclasses
describe their keys; the plumbing (conditional creates, optimistic updates,
pagination) lives here.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from .errors import ConcurrentModification, ItemAlreadyExists, is_conditional_failure
from .keys import utcnow_iso

log = logging.getLogger(__name__)

DEFAULT_REGION = "eu-west-1"
DEFAULT_PAGE_SIZE = 100


def build_update(fields: Mapping[str, Any]) -> Tuple[str, Dict[str, str], Dict[str, Any]]:
    """Turn ``{"a": 1, "b": 2}`` into ``SET #a = :a, #b = :b`` plus the two maps."""
    if not fields:
        raise ValueError("nothing to update")
    expression = "SET " + ", ".join(f"#{k} = :{k}" for k in fields)
    names = {f"#{k}": k for k in fields}
    values = {f":{k}": v for k, v in fields.items()}
    return expression, names, values


class Repository:
    """Base class: one instance per entity type, all sharing one table."""

    entity_type: str = ""

    def __init__(
        self,
        table_name: str,
        region: str = DEFAULT_REGION,
        endpoint_url: Optional[str] = None,
    ) -> None:
        self._table = boto3.resource(
            "dynamodb", region_name=region, endpoint_url=endpoint_url
        ).Table(table_name)
        self.table_name = table_name

    # ------------------------------------------------------------------ reads
    def get(self, key: Dict[str, str], consistent: bool = False) -> Optional[dict]:
        response = self._table.get_item(Key=key, ConsistentRead=consistent)
        return response.get("Item")

    def iter_partition(self, pk: str, sk_prefix: Optional[str] = None) -> Iterator[dict]:
        condition = Key("pk").eq(pk)
        if sk_prefix:
            condition = condition & Key("sk").begins_with(sk_prefix)
        kwargs: Dict[str, Any] = {"KeyConditionExpression": condition, "Limit": DEFAULT_PAGE_SIZE}
        while True:
            page = self._table.query(**kwargs)
            yield from page.get("Items", [])
            last = page.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    # ----------------------------------------------------------------- writes
    def create(self, item: Dict[str, Any]) -> Dict[str, Any]:
        item.setdefault("created_at", utcnow_iso())
        try:
            self._table.put_item(  # label: ok
                Item=item,
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if is_conditional_failure(exc):
                raise ItemAlreadyExists(item["pk"], item["sk"]) from exc
            raise
        return item

    def put(self, item: Dict[str, Any], **kwargs: Any) -> dict:
        """Escape hatch: the caller brings its own ConditionExpression & co."""
        return self._table.put_item(Item=item, **kwargs)  # label: ok

    def replace(self, item: Dict[str, Any], expected_version: int) -> Dict[str, Any]:
        new_item = {**item, "version": expected_version + 1, "updated_at": utcnow_iso()}
        try:
            self._table.put_item(  # label: ok
                Item=new_item,
                ConditionExpression="#v = :expected",
                ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues={":expected": expected_version},
            )
        except ClientError as exc:
            if is_conditional_failure(exc):
                raise ConcurrentModification(item["pk"], expected_version) from exc
            raise
        return new_item

    def patch(self, key: Dict[str, str], fields: Mapping[str, Any], expected_version: int) -> dict:
        """Update ``fields`` if the stored version is still ``expected_version``."""
        expression, names, values = build_update(fields)
        names["#version"] = "version"
        values[":expected"] = expected_version
        values[":next"] = expected_version + 1
        try:
            response = self._table.update_item(  # label: ok
                Key=key,
                UpdateExpression=expression + ", #version = :next",
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if is_conditional_failure(exc):
                raise ConcurrentModification(key, expected_version) from exc
            raise
        return response["Attributes"]

    def update_where(
        self,
        key: Dict[str, str],
        fields: Mapping[str, Any],
        condition: Any,
        extra_names: Optional[Dict[str, str]] = None,
        extra_values: Optional[Dict[str, Any]] = None,
    ) -> dict:
        expression, names, values = build_update(fields)
        names.update(extra_names or {})  # label: ok
        values.update(extra_values or {})  # label: ok
        return self._table.update_item(  # label: ok
            Key=key,
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )["Attributes"]

    def touch(self, key: Dict[str, str]) -> None:
        self._table.update_item(  # label: DDB101
            Key=key,
            UpdateExpression="SET updated_at = :now",
            ExpressionAttributeValues={":now": utcnow_iso()},
        )

    def delete(self, key: Dict[str, str], expected_version: Optional[int] = None) -> None:
        kwargs: Dict[str, Any] = {"Key": key}
        if expected_version is not None:
            kwargs["ConditionExpression"] = Attr("version").eq(expected_version)
        try:
            self._table.delete_item(**kwargs)  # label: ok
        except ClientError as exc:
            if is_conditional_failure(exc):
                raise ConcurrentModification(key, expected_version) from exc
            raise
