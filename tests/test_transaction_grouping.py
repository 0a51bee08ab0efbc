"""Which parts make one transaction (`DynamoModel.transaction`), seen through DDB304: one finding
per transaction and MRSC table. PynamoDB parts belong together when their receiver is the same
binding; a receiver the code does not let us name stands alone (more findings, never fewer
transactions than there are)."""
from __future__ import annotations

from conftest import lint_snippet

REGISTRY = """
[tool.ddblint.tables.ledger]
mode = "mrsc"
"""

MODEL = """
from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

class Entry(Model):
    class Meta:
        table_name = "ledger"
    pk = UnicodeAttribute(hash_key=True)
"""


def rows(source, tmp_path):
    found = lint_snippet(MODEL + source, tmp_path, toml=REGISTRY, select=["DDB304"], dedent=False)
    return sorted(d.location.row for d in found if d.code == "DDB304")


def row_of(source, marker):
    lines = (MODEL + source).splitlines()
    return next(i for i, line in enumerate(lines, 1) if marker in line)


def test_assigned_transaction_is_one(tmp_path):
    source = """
def post(a, b):
    transaction = TransactWrite(connection=Connection())
    transaction.save(Entry(a))  # first
    transaction.save(Entry(b))
    transaction.commit()
"""
    assert rows(source, tmp_path) == [row_of(source, "# first")]


def test_transaction_rebound_is_another(tmp_path):
    source = """
def post(a, b):
    transaction = TransactWrite(connection=Connection())
    transaction.save(Entry(a))  # first
    transaction.commit()
    transaction = TransactWrite(connection=Connection())
    transaction.save(Entry(b))  # second
    transaction.commit()
"""
    assert rows(source, tmp_path) == [row_of(source, "# first"), row_of(source, "# second")]


def test_transactions_of_two_functions_are_two(tmp_path):
    source = """
def post(a):
    with TransactWrite(connection=Connection()) as transaction:
        transaction.save(Entry(a))  # first

def undo(a):
    with TransactWrite(connection=Connection()) as transaction:
        transaction.delete(Entry(a))  # second
"""
    assert rows(source, tmp_path) == [row_of(source, "# first"), row_of(source, "# second")]


def test_boto3_calls_are_one_transaction_each(tmp_path):
    source = """
import boto3

client = boto3.client("dynamodb")

def post(a, b):
    for key in (a, b):
        client.transact_write_items(TransactItems=[  # loop
            {"Put": {"TableName": "ledger", "Item": {"pk": {"S": key}}}},  # first
            {"Put": {"TableName": "ledger", "Item": {"pk": {"S": key + "x"}}}},
        ])
    client.transact_write_items(TransactItems=[
        {"Delete": {"TableName": "ledger", "Key": {"pk": {"S": a}}}},  # second
    ])
"""
    assert rows(source, tmp_path) == [row_of(source, "# first"), row_of(source, "# second")]


def test_transact_get_is_one(tmp_path):
    source = """
from pynamodb.transactions import TransactGet

def read(a, b):
    with TransactGet(connection=Connection()) as transaction:
        first = transaction.get(Entry, a)  # first
        second = transaction.get(Entry, b)
    return first, second
"""
    assert rows(source, tmp_path) == [row_of(source, "# first")]
