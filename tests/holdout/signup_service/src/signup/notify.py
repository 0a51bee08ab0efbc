"""Outbound notifications: welcome e-mail queue, CRM webhook, export files."""
import json
import os

import boto3
import requests

sqs = boto3.client("sqs")
s3 = boto3.client("s3")

WELCOME_QUEUE_URL = os.environ.get("WELCOME_QUEUE_URL", "")
EXPORT_BUCKET = os.environ.get("EXPORT_BUCKET", "signup-exports")
CRM_URL = os.environ.get("CRM_URL", "https://crm.internal.example.com")

_http = requests.Session()
_http.headers.update({"User-Agent": "signup-service/2.4"})  # label: ok


def enqueue_welcome(account_id, email):
    sqs.send_message(  # label: ok
        QueueUrl=WELCOME_QUEUE_URL,
        MessageBody=json.dumps({"account_id": account_id, "email": email}),
        MessageGroupId=account_id,
    )


def export_account(account):
    s3.put_object(  # label: ok
        Bucket=EXPORT_BUCKET,
        Key=f"accounts/{account['pk']}.json",
        Body=json.dumps(account, default=str).encode(),
        ContentType="application/json",
    )


def push_to_crm(account_id, fields):
    resp = _http.put(f"{CRM_URL}/accounts/{account_id}", json=fields, timeout=5)  # label: ok
    resp.raise_for_status()
    return resp.json()
