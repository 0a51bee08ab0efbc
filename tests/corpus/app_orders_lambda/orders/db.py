"""Shared DynamoDB handles for the order Lambdas.

Handles are created lazily and cached for the lifetime of the execution environment so that
cold starts only pay for what a given function actually uses.
"""
import functools
import os

import boto3

ORDERS_TABLE = os.environ.get("ORDERS_TABLE", "orders")
IDEMPOTENCY_TABLE = os.environ.get("IDEMPOTENCY_TABLE", "orders-idempotency")


@functools.lru_cache(maxsize=None)
def get_dynamodb():
    return boto3.resource("dynamodb")


@functools.lru_cache(maxsize=None)
def orders_table():
    return get_dynamodb().Table(ORDERS_TABLE)


@functools.lru_cache(maxsize=1)
def idempotency_table():
    return boto3.resource("dynamodb").Table(IDEMPOTENCY_TABLE)


def order_key(order_id):
    return {"pk": f"ORDER#{order_id}", "sk": "META"}
