"""Invoice and customer data access layer (low-level client, wire format)."""
import os
from typing import Dict

import boto3

from billing.tables import CUSTOMERS, INVOICES

_session = boto3.session.Session(region_name=os.environ.get("AWS_REGION", "eu-west-1"))
_ddb = _session.client("dynamodb")

AttributeValue = Dict[str, str]


def _s(value) -> AttributeValue:
    return {"S": str(value)}


def _n(value) -> AttributeValue:
    return {"N": str(value)}


def _invoice_key(customer_id: str, invoice_no: int) -> Dict[str, AttributeValue]:
    return {"pk": _s(f"CUST#{customer_id}"), "sk": _s(f"INV#{invoice_no:08d}")}


def _customer_key(customer_id: str) -> Dict[str, AttributeValue]:
    return {"pk": _s(f"CUST#{customer_id}"), "sk": _s("PROFILE")}


def _create_only() -> str:
    return "attribute_not_exists(pk)"


def _must_exist() -> str:
    return "attribute_exists(pk) AND attribute_exists(sk)"


def get_invoice(customer_id: str, invoice_no: int):
    resp = _ddb.get_item(TableName=INVOICES, Key=_invoice_key(customer_id, invoice_no))
    return resp.get("Item")


def put_invoice(customer_id: str, invoice_no: int, amount_cents: int, currency: str) -> None:
    _ddb.put_item(  # label: ok
        TableName=INVOICES,
        Item={
            **_invoice_key(customer_id, invoice_no),
            "amount_cents": _n(amount_cents),
            "currency": _s(currency),
            "status": _s("OPEN"),
        },
        ConditionExpression=_create_only(),
    )


def mark_paid(customer_id: str, invoice_no: int, paid_at: str) -> None:
    _ddb.update_item(  # label: ok
        TableName=INVOICES,
        Key=_invoice_key(customer_id, invoice_no),
        UpdateExpression="SET #st = :paid, paid_at = :at",
        ConditionExpression="#st = :open",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":paid": _s("PAID"), ":open": _s("OPEN"), ":at": _s(paid_at)},
    )


def add_note(customer_id: str, invoice_no: int, note: str) -> None:
    _ddb.update_item(  # label: DDB101
        TableName=INVOICES,
        Key=_invoice_key(customer_id, invoice_no),
        UpdateExpression="SET notes = list_append(if_not_exists(notes, :empty), :n)",
        ConditionExpression=_must_exist(),
        ExpressionAttributeValues={":empty": {"L": []}, ":n": {"L": [_s(note)]}},
    )


def upsert_customer(customer_id: str, display_name: str, email: str, vat_id: str) -> None:
    _ddb.put_item(  # label: DDB102
        TableName=CUSTOMERS,
        Item={
            **_customer_key(customer_id),
            "display_name": _s(display_name),
            "email": _s(email),
            "vat_id": _s(vat_id),
        },
    )


def update_customer_email(customer_id: str, email: str, expected_rev: int) -> None:
    # This table predates the "version" convention: it counts revisions in `rev`.
    _ddb.update_item(  # label: ok
        TableName=CUSTOMERS,
        Key=_customer_key(customer_id),
        UpdateExpression="SET email = :e, rev = :next",
        ConditionExpression="rev = :expected",
        ExpressionAttributeValues={":e": _s(email), ":next": _n(expected_rev + 1), ":expected": _n(expected_rev)},
    )


def void_invoice(customer_id: str, invoice_no: int) -> None:
    _ddb.delete_item(  # label: ok
        TableName=INVOICES,
        Key=_invoice_key(customer_id, invoice_no),
        ConditionExpression="#st = :open",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":open": _s("OPEN")},
    )
