"""Distributed leases with fencing tokens.

A lease item: pk = LEASE#<name>, sk = LEASE, holder, expires_at (epoch ms),
fencing_token (monotonic per lease).
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Optional

import boto3
from botocore.exceptions import ClientError

from . import settings


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Lease:
    name: str
    holder: str
    expires_at: int
    fencing_token: int


class LeaseLost(Exception):
    pass


class LeaseManager:
    def __init__(self, table_name: str = settings.TABLE_NAME, region: str = "us-east-1", owner: Optional[str] = None):
        self.table = boto3.resource("dynamodb", region_name=region).Table(table_name)
        self.owner = owner or f"{uuid.getnode():x}-{uuid.uuid4().hex[:8]}"

    @staticmethod
    def _key(name: str) -> dict:
        return {"pk": f"LEASE#{name}", "sk": "LEASE"}

    def acquire(self, name: str, duration_s: int = settings.DEFAULT_LEASE_SECONDS, token: int = 0) -> Optional[Lease]:
        now = _now_ms()
        lease = Lease(name, self.owner, now + duration_s * 1000, token + 1)
        try:
            self.table.put_item(  # label: ok
                Item={
                    **self._key(name),
                    "holder": lease.holder,
                    "expires_at": lease.expires_at,
                    "fencing_token": lease.fencing_token,
                },
                ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                ExpressionAttributeValues={":now": now},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return lease

    def renew(self, lease: Lease, duration_s: int = settings.DEFAULT_LEASE_SECONDS) -> Lease:
        now = _now_ms()
        new_expiry = now + duration_s * 1000
        try:
            self.table.update_item(  # label: ok
                Key=self._key(lease.name),
                UpdateExpression="SET expires_at = :new",
                ConditionExpression="holder = :me AND expires_at > :now",
                ExpressionAttributeValues={":new": new_expiry, ":me": self.owner, ":now": now},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise LeaseLost(lease.name) from exc
            raise
        lease.expires_at = new_expiry
        return lease

    def heartbeat(self, lease: Lease) -> None:
        self.table.update_item(  # label: DDB101
            Key=self._key(lease.name),
            UpdateExpression="SET heartbeat_at = :now",
            ConditionExpression="holder = :me",
            ExpressionAttributeValues={":now": _now_ms(), ":me": self.owner},
        )

    def take_over(self, name: str, duration_s: int = settings.DEFAULT_LEASE_SECONDS) -> Lease:
        """Steal a lease whose holder died (operator command)."""
        now = _now_ms()
        lease = Lease(name, self.owner, now + duration_s * 1000, 0)
        self.table.put_item(  # label: DDB102
            Item={
                **self._key(name),
                "holder": self.owner,
                "lease_until": lease.expires_at,
            },
            ConditionExpression="expires_at < :now",
            ExpressionAttributeValues={":now": now},
        )
        return lease

    def release(self, lease: Lease) -> None:
        try:
            self.table.delete_item(  # label: ok
                Key=self._key(lease.name),
                ConditionExpression="holder = :me",
                ExpressionAttributeValues={":me": self.owner},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
