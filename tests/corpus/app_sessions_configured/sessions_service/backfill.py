"""CLI: replays click events exported as JSON lines into the stage's click-events table."""
import argparse
import json
import os
import sys

import boto3

STAGE = os.environ.get("STAGE", "prod")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("export", type=argparse.FileType("r"))
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument("--batch", action="store_true", help="use BatchWriteItem")
    args = parser.parse_args(argv)

    table = boto3.resource("dynamodb", region_name=args.region).Table(f"{STAGE}-click-events")
    records = [json.loads(line) for line in args.export if line.strip()]
    if args.batch:
        with table.batch_writer(overwrite_by_pkeys=["visitor_id", "event_ulid"]) as batch:
            for record in records:
                batch.put_item(Item=record)  # label: ok
    else:
        for record in records:
            table.put_item(Item=record)  # label: ok
    print(f"replayed {len(records)} events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
