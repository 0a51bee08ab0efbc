"""Data access for customer profiles."""
import time
from typing import Any, Dict, Iterable, Optional

import boto3
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource

from profiles.settings import AWS_REGION, PROFILES_TABLE


class StaleProfileError(Exception):
    """Someone else changed the profile since it was read."""


class ProfileRepository:
    def __init__(self, resource: Optional[DynamoDBServiceResource] = None, table_name: str = PROFILES_TABLE):
        resource = resource or boto3.resource("dynamodb", region_name=AWS_REGION)
        self.table = resource.Table(table_name)

    def get(self, profile_id: str) -> Optional[Dict[str, Any]]:
        return self.table.get_item(Key={"profile_id": profile_id}).get("Item")

    def create(self, profile_id: str, email: str, full_name: str) -> Dict[str, Any]:
        item = {
            "profile_id": profile_id,
            "email": email,
            "full_name": full_name,
            "created_at": int(time.time()),
            "version": 1,
        }
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(profile_id)")  # label: ok
        return item

    def update_address(self, profile_id: str, address: Dict[str, str], expected_version: int) -> None:
        try:
            self.table.update_item(  # label: ok
                Key={"profile_id": profile_id},
                UpdateExpression="SET delivery_address = :a, postcode = :pc, #v = :next",
                ConditionExpression="#v = :expected",
                ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues={
                    ":a": address,
                    ":pc": address["postcode"],
                    ":next": expected_version + 1,
                    ":expected": expected_version,
                },
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleProfileError(profile_id) from err
            raise

    def touch_last_login(self, profile_id: str) -> None:
        self.table.update_item(  # label: DDB101
            Key={"profile_id": profile_id},
            UpdateExpression="SET last_login = :t",
            ExpressionAttributeValues={":t": int(time.time())},
        )

    def set_rating(self, profile_id: str, rating: int, postcode: str) -> None:
        # Ratings are per delivery area; refuse if the customer has moved meanwhile.
        self.table.update_item(  # label: DDB101
            Key={"profile_id": profile_id},
            UpdateExpression="SET rating = :r",
            ConditionExpression="postcode = :p",
            ExpressionAttributeValues={":r": rating, ":p": postcode},
        )

    def replace(self, profile: Dict[str, Any]) -> Dict[str, Any]:
        expected = profile["version"]
        new = dict(profile, version=expected + 1)
        self.table.put_item(Item=new, ConditionExpression=Attr("version").eq(expected))  # label: ok
        return new

    def update_item(self, profile_id: str, **fields: Any) -> None:
        """Generic partial update used by the admin console."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":v{i}": value for i, value in enumerate(fields.values())}
        expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields)))
        self.table.update_item(  # label: DDB101
            Key={"profile_id": profile_id},
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(profile_id)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def delete(self, profile_id: str, expected_version: int) -> None:
        self.table.delete_item(  # label: ok
            Key={"profile_id": profile_id},
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":expected": expected_version},
        )

    def import_legacy(self, rows: Iterable[Dict[str, Any]]) -> int:
        count = 0
        for row in rows:
            self.table.put_item(Item=row)  # label: DDB102
            count += 1
        return count
