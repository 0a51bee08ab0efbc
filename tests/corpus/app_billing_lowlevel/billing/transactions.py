"""Multi-item writes: payments, credit transfers and period close."""
import time
import uuid
from typing import Any, Dict, List

import boto3

from billing.tables import CUSTOMERS, INVOICES, LEDGER

client = boto3.client("dynamodb")
_resource = boto3.resource("dynamodb")


def record_payment(customer_id: str, invoice_no: int, payment_id: str, amount_cents: int, expected_version: int) -> None:
    now = str(int(time.time()))
    client.transact_write_items(
        TransactItems=[
            {  # label: ok
                "Put": {
                    "TableName": LEDGER,
                    "Item": {
                        "pk": {"S": f"CUST#{customer_id}"},
                        "sk": {"S": f"PAY#{payment_id}"},
                        "amount_cents": {"N": str(amount_cents)},
                        "at": {"N": now},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {  # label: ok
                "Update": {
                    "TableName": CUSTOMERS,
                    "Key": {"pk": {"S": f"CUST#{customer_id}"}, "sk": {"S": "PROFILE"}},
                    "UpdateExpression": "SET balance_cents = balance_cents - :amt, #v = :next",
                    "ConditionExpression": "#v = :expected",
                    "ExpressionAttributeNames": {"#v": "version"},
                    "ExpressionAttributeValues": {
                        ":amt": {"N": str(amount_cents)},
                        ":next": {"N": str(expected_version + 1)},
                        ":expected": {"N": str(expected_version)},
                    },
                }
            },
            {  # label: DDB101
                "Update": {
                    "TableName": INVOICES,
                    "Key": {"pk": {"S": f"CUST#{customer_id}"}, "sk": {"S": f"INV#{invoice_no:08d}"}},
                    "UpdateExpression": "SET amount_paid = if_not_exists(amount_paid, :zero) + :amt",
                    "ExpressionAttributeValues": {":zero": {"N": "0"}, ":amt": {"N": str(amount_cents)}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": CUSTOMERS,
                    "Key": {"pk": {"S": f"CUST#{customer_id}"}, "sk": {"S": "FLAGS"}},
                    "ConditionExpression": "attribute_not_exists(frozen)",
                }
            },
        ],
        ClientRequestToken=payment_id,
    )


def transfer_credit(from_customer: str, to_customer: str, amount_cents: int) -> str:
    transfer_id = str(uuid.uuid4())
    amount = {":amt": {"N": str(amount_cents)}}
    debit = {  # label: ok
        "Update": {
            "TableName": CUSTOMERS,
            "Key": {"pk": {"S": f"CUST#{from_customer}"}, "sk": {"S": "PROFILE"}},
            "UpdateExpression": "SET credit_cents = credit_cents - :amt",
            "ConditionExpression": "credit_cents >= :amt",
            "ExpressionAttributeValues": amount,
        }
    }
    credit = {  # label: DDB101
        "Update": {
            "TableName": CUSTOMERS,
            "Key": {"pk": {"S": f"CUST#{to_customer}"}, "sk": {"S": "PROFILE"}},
            "UpdateExpression": "SET credit_cents = if_not_exists(credit_cents, :zero) + :amt",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":zero": {"N": "0"}, ":amt": {"N": str(amount_cents)}},
        }
    }
    audit = {  # label: DDB102
        "Put": {
            "TableName": LEDGER,
            "Item": {
                "pk": {"S": f"TRANSFER#{transfer_id}"},
                "sk": {"S": "META"},
                "from_customer": {"S": from_customer},
                "to_customer": {"S": to_customer},
                "amount_cents": {"N": str(amount_cents)},
            },
        }
    }
    client.transact_write_items(TransactItems=[debit, credit, audit])
    return transfer_id


def close_period(customer_id: str, period: str, next_period: str, expected_version: int) -> None:
    # The resource's client serialises plain Python values, so no wire format here.
    _resource.meta.client.transact_write_items(
        TransactItems=[
            {"Update": {  # label: ok
                "TableName": CUSTOMERS,
                "Key": {"pk": f"CUST#{customer_id}", "sk": "PROFILE"},
                "UpdateExpression": "SET open_period = :next, #v = #v + :one",
                "ConditionExpression": "#v = :expected AND open_period = :cur",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":next": next_period, ":cur": period, ":one": 1, ":expected": expected_version},
            }},
            {"Put": {  # label: DDB102
                "TableName": LEDGER,
                "Item": {"pk": f"CUST#{customer_id}", "sk": f"CLOSE#{period}", "closed_at": int(time.time())},
            }},
        ]
    )


def apply_batch(entries: List[Dict[str, Any]]) -> None:
    """Replays transaction entries prepared by the reconciliation job."""
    client.transact_write_items(TransactItems=entries)  # label: ok
