from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from boto3.dynamodb.conditions import Attr

from ..errors import ItemAlreadyExists, TablekitError
from ..keys import PROFILE_SK, email_key, handle_key, user_key, utcnow_iso
from ..repository import Repository

log = logging.getLogger(__name__)


class EmailTaken(TablekitError):
    pass


class UserRepository(Repository):
    entity_type = "USER"

    def register(self, user_id: str, email: str, display_name: str) -> Dict[str, Any]:
        """Create the profile and reserve the e-mail address atomically."""
        now = utcnow_iso()
        user_item = {
            **user_key(user_id),
            "type": self.entity_type,
            "email": email.strip().lower(),
            "display_name": display_name,
            "created_at": now,
            "version": 1,
        }
        client = self._table.meta.client
        try:
            client.transact_write_items(  # label: ok
                TransactItems=[
                    {  # label: ok
                        "Put": {
                            "TableName": self.table_name,
                            "Item": user_item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {  # label: ok
                        "Put": {
                            "TableName": self.table_name,
                            "Item": {**email_key(email), "user_id": user_id, "created_at": now},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
                raise EmailTaken(email) from exc
            raise ItemAlreadyExists(user_item["pk"], PROFILE_SK) from exc
        return user_item

    def get_user(self, user_id: str) -> Optional[Dict[str, Any]]:
        return self.get(user_key(user_id))

    def change_email(self, user_id: str, new_email: str, expected_version: int) -> None:
        self._table.update_item(  # label: ok
            Key=user_key(user_id),
            UpdateExpression="SET email = :email, version = :next",
            ConditionExpression="version = :expected",
            ExpressionAttributeValues={
                ":email": new_email.strip().lower(),
                ":next": expected_version + 1,
                ":expected": expected_version,
            },
        )

    def record_login(self, user_id: str) -> None:
        self._table.update_item(  # label: DDB101
            Key=user_key(user_id),
            UpdateExpression="SET last_login_at = :ts ADD login_count :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":ts": utcnow_iso(), ":one": 1},
        )

    def set_display_name(self, user_id: str, display_name: str) -> Dict[str, Any]:
        response = self._table.update_item(  # label: DDB104
            Key=user_key(user_id),
            UpdateExpression="SET display_name = :n, version = version + :one",
            ExpressionAttributeValues={":n": display_name, ":one": 1},
            ReturnValues="ALL_NEW",
        )
        return response["Attributes"]

    def update_profile(self, user_id: str, expected_version: int, **fields: Any) -> Dict[str, Any]:
        fields["updated_at"] = utcnow_iso()
        return self.patch(user_key(user_id), fields, expected_version)

    def claim_handle(self, handle: str, user_id: str) -> bool:
        try:
            self._table.put_item(  # label: ok
                Item={**handle_key(handle), "user_id": user_id, "claimed_at": utcnow_iso()},
                ConditionExpression=Attr("pk").not_exists(),
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            log.info("handle %s already taken", handle)
            return False
        return True
