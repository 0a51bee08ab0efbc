"""One-off data migrations. Run with ``python -m tablekit.migrations <table>``.

The functions take a Table so they can be pointed at a local DynamoDB in tests.
"""
import argparse
import logging
import sys

import boto3

log = logging.getLogger("tablekit.migrations")

CURRENT_SCHEMA = 3


def iter_items(table, **scan_kwargs):
    while True:
        page = table.scan(**scan_kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            break
        scan_kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def backfill_schema_version(table, dry_run=False):
    """Stamp schema_version on every item that predates it."""
    migrated = 0
    for item in iter_items(
        table,
        FilterExpression="attribute_not_exists(schema_version)",
        ProjectionExpression="pk, sk",
    ):
        if dry_run:
            log.info("would migrate %s/%s", item["pk"], item["sk"])
            continue
        table.update_item(  # label: DDB101
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET schema_version = :s",
            ExpressionAttributeValues={":s": CURRENT_SCHEMA},
        )
        migrated += 1
    return migrated


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("table")
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    table = boto3.resource("dynamodb", region_name=args.region).Table(args.table)
    count = backfill_schema_version(table, dry_run=args.dry_run)
    log.info("migrated %d items", count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
