"""Non-DynamoDB persistence used by the profile service.

Newsletter sign-ups still live in the old Postgres database (peewee), and the audit trail is
buffered in memory and shipped to the log pipeline by a middleware.
"""
import time
from typing import Any, Dict

from peewee import CharField, DateTimeField, Model, PostgresqlDatabase

legacy_db = PostgresqlDatabase(None)


class NewsletterSignup(Model):
    email = CharField(unique=True)
    source = CharField()
    signed_up_at = DateTimeField()

    class Meta:
        database = legacy_db


class AuditTrail:
    def __init__(self) -> None:
        self._items: Dict[str, Dict[str, Any]] = {}

    def update_item(self, item_id: str, **fields: Any) -> None:
        entry = self._items.setdefault(item_id, {"first_seen": time.time()})
        entry.update(fields)  # label: ok

    def put_item(self, item: Dict[str, Any]) -> None:
        self._items[item["id"]] = item

    def drain(self) -> Dict[str, Dict[str, Any]]:
        items, self._items = self._items, {}
        return items


class ProfileCache:
    def __init__(self, ttl: float = 30.0) -> None:
        self._ttl = ttl
        self._data: Dict[str, Any] = {}

    def get(self, key: str) -> Any:
        value, expires = self._data.get(key, (None, 0.0))
        return value if expires > time.time() else None

    def update(self, key: str, value: Any) -> None:
        self._data[key] = (value, time.time() + self._ttl)
