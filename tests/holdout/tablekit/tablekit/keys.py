"""Key helpers for the single-table layout.

    pk                 sk
    USER#<id>          PROFILE
    HANDLE#<handle>    HANDLE
    EMAIL#<email>      EMAIL
    ORDER#<id>         META | LINE#<n>
    SKU#<sku>          STOCK
"""
from datetime import datetime, timezone

SEPARATOR = "#"
PROFILE_SK = "PROFILE"
ORDER_META_SK = "META"
STOCK_SK = "STOCK"


def compose(*parts) -> str:
    return SEPARATOR.join(str(p) for p in parts)


def user_key(user_id: str) -> dict:
    return {"pk": compose("USER", user_id), "sk": PROFILE_SK}


def handle_key(handle: str) -> dict:
    return {"pk": compose("HANDLE", handle.lower()), "sk": "HANDLE"}


def email_key(email: str) -> dict:
    return {"pk": compose("EMAIL", email.strip().lower()), "sk": "EMAIL"}


def order_key(order_id: str) -> dict:
    return {"pk": compose("ORDER", order_id), "sk": ORDER_META_SK}


def sku_key(sku: str) -> dict:
    return {"pk": compose("SKU", sku.upper()), "sk": STOCK_SK}


def utcnow_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
