"""Code from the 2016 billing system, still called by the credit-limit batch."""
import boto3

table = boto3.resource("dynamodb").Table("billing-customers")


def legacy_set_credit_limit(customer_id, limit, expected_version):
    table.update_item(  # label: ok
        Key={"pk": "CUST#" + customer_id, "sk": "PROFILE"},
        AttributeUpdates={
            "credit_limit": {"Value": limit, "Action": "PUT"},
            "version": {"Value": 1, "Action": "ADD"},
        },
        Expected={"version": {"Value": expected_version, "ComparisonOperator": "EQ"}},
    )


def legacy_flag(customer_id, flag):
    table.update_item(  # label: DDB101
        Key={"pk": "CUST#" + customer_id, "sk": "PROFILE"},
        AttributeUpdates={"flags": {"Value": {flag}, "Action": "ADD"}},
    )


def legacy_create(customer_id, attrs):
    item = dict(attrs, pk="CUST#" + customer_id, sk="PROFILE", version=1)
    table.put_item(Item=item, Expected={"pk": {"Exists": False}})  # label: ok
