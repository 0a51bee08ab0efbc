"""Subscriber profiles in a Global Table replicated to eu-west-1 and us-east-1."""
import os

import boto3
from boto3.dynamodb.conditions import Attr


class SubscriberRepository:
    def __init__(self) -> None:
        dynamodb = boto3.resource("dynamodb", region_name="eu-west-1")
        self.table = dynamodb.Table(os.environ["SUBSCRIBERS_TABLE"])

    def create(self, subscriber_id: str, email: str) -> None:
        # Guarded: a create that fails if the subscriber already exists.
        self.table.put_item(
            Item={"subscriber_id": subscriber_id, "email": email, "version": 1},
            ConditionExpression=Attr("subscriber_id").not_exists(),
        )

    def change_address(self, subscriber_id: str, address: str) -> None:
        # Blind: a concurrent update from us-east-1 silently discards this one (or this one it).
        self.table.update_item(
            Key={"subscriber_id": subscriber_id},
            UpdateExpression="SET delivery_address = :a",
            ExpressionAttributeValues={":a": address},
        )

    def change_email(self, subscriber_id: str, email: str, expected_version: int) -> None:
        # Guarded: asserts the version read and bumps it in the same update.
        self.table.update_item(
            Key={"subscriber_id": subscriber_id},
            UpdateExpression="SET email = :e, #v = #v + :one",
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":e": email, ":one": 1, ":expected": expected_version},
        )

    def replace(self, subscriber: dict) -> None:
        # Blind: replaces the whole item, erasing whatever another region wrote meanwhile.
        self.table.put_item(Item=subscriber)

    def mark_reviewed(self, subscriber_id: str) -> None:
        # Looks protected (it bumps the version) but no condition checks it.
        self.table.update_item(
            Key={"subscriber_id": subscriber_id},
            UpdateExpression="SET reviewed = :t ADD version :one",
            ExpressionAttributeValues={":t": True, ":one": 1},
        )
