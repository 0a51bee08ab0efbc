"""Usage counters: profile page views and the monthly API quota."""
import os
import time

import boto3
from botocore.exceptions import ClientError

from ..http import path_param, response

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["TABLE_NAME"])

FREE_MONTHLY_CALLS = 10_000


def _month():
    return time.strftime("%Y-%m", time.gmtime())


def count_view(event, context):
    account_id = path_param(event, "account_id")
    table.update_item(  # label: DDB101
        Key={"pk": f"ACCOUNT#{account_id}", "sk": f"VIEWS#{_month()}"},
        UpdateExpression="ADD #views :one",
        ExpressionAttributeNames={"#views": "views"},
        ExpressionAttributeValues={":one": 1},
    )
    return response(204)


def consume_quota(account_id, calls=1, limit=FREE_MONTHLY_CALLS):
    try:
        table.update_item(  # label: ok
            Key={"pk": f"ACCOUNT#{account_id}", "sk": f"QUOTA#{_month()}"},
            UpdateExpression="ADD used :n",
            ConditionExpression="attribute_not_exists(used) OR used <= :max",
            ExpressionAttributeValues={":n": calls, ":max": limit - calls},
        )
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
