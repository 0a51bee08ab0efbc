"""Credit transfers between profiles (gift credits)."""
from __future__ import annotations

import uuid

from aiobotocore.session import get_session

TABLE = "profiles"


def _key(profile_id: str):
    return {"pk": {"S": f"PROFILE#{profile_id}"}, "sk": {"S": "PROFILE"}}


async def transfer_credits(from_id: str, to_id: str, amount: int, request_token: str) -> str:
    transfer_id = str(uuid.uuid4())
    amt = {"N": str(amount)}
    async with get_session().create_client("dynamodb", region_name="us-west-2") as client:
        debit = {  # label: ok
            "Update": {
                "TableName": TABLE,
                "Key": _key(from_id),
                "UpdateExpression": "SET credits = credits - :amt",
                "ConditionExpression": "credits >= :amt",
                "ExpressionAttributeValues": {":amt": amt},
            }
        }
        credit = {  # label: DDB101
            "Update": {
                "TableName": TABLE,
                "Key": _key(to_id),
                "UpdateExpression": "SET credits = if_not_exists(credits, :zero) + :amt",
                "ExpressionAttributeValues": {":amt": amt, ":zero": {"N": "0"}},
            }
        }
        await client.transact_write_items(  # label: ok
            TransactItems=[
                debit,
                credit,
                {  # label: ok
                    "Put": {
                        "TableName": TABLE,
                        "Item": {
                            "pk": {"S": f"TRANSFER#{transfer_id}"},
                            "sk": {"S": "TRANSFER"},
                            "from_id": {"S": from_id},
                            "to_id": {"S": to_id},
                            "amount": amt,
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ],
            ClientRequestToken=request_token,
        )
    return transfer_id
