"""Small typed helpers shared by the API and the nightly jobs."""
import time
from typing import TYPE_CHECKING, Any, Dict, Mapping

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.service_resource import Table


def bump_login_count(table: "Table", profile_id: str) -> None:
    table.update_item(  # label: DDB101
        Key={"profile_id": profile_id},
        UpdateExpression="ADD login_count :one",
        ExpressionAttributeValues={":one": 1},
    )


def set_marketing_opt_in(table: "Table", profile_id: str, opted_in: bool, expected_version: int) -> None:
    table.update_item(  # label: ok
        Key={"profile_id": profile_id},
        UpdateExpression="SET marketing_opt_in = :o ADD #v :one",
        ConditionExpression="#v = :expected",
        ExpressionAttributeNames={"#v": "version"},
        ExpressionAttributeValues={":o": opted_in, ":one": 1, ":expected": expected_version},
    )


def confirm_email(table: "Table", profile_id: str, expected_version: int) -> None:
    # Checks the version but forgets to bump it (a DDB103 matter, not DDB101).
    table.update_item(  # label: ok
        Key={"profile_id": profile_id},
        UpdateExpression="SET email_verified = :t",
        ConditionExpression="#v = :expected",
        ExpressionAttributeNames={"#v": "version"},
        ExpressionAttributeValues={":t": True, ":expected": expected_version},
    )


def stamp_reviewed(table: "Table", profile_id: str, reviewer: str) -> None:
    # Bumps the version without checking it (DDB104 reports this; DDB101 must stay quiet).
    table.update_item(  # label: ok
        Key={"profile_id": profile_id},
        UpdateExpression="SET reviewed_by = :r, reviewed_at = :t, #v = #v + :one",
        ExpressionAttributeNames={"#v": "version"},
        ExpressionAttributeValues={":r": reviewer, ":t": int(time.time()), ":one": 1},
    )


def record_consent(client: "DynamoDBClient", table_name: str, profile_id: str, consent_id: str, wording: str) -> None:
    client.put_item(  # label: ok
        TableName=table_name,
        Item={
            "profile_id": {"S": profile_id},
            "sk": {"S": f"CONSENT#{consent_id}"},
            "wording": {"S": wording},
            "given_at": {"N": str(int(time.time()))},
        },
        ConditionExpression="attribute_not_exists(sk)",
    )


def apply_conditional_update(
    table: "Table",
    key: Mapping[str, str],
    update_expression: str,
    condition: str,
    values: Dict[str, Any],
) -> Dict[str, Any]:
    resp = table.update_item(  # label: ok
        Key=dict(key),
        UpdateExpression=update_expression,
        ConditionExpression=condition,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]
