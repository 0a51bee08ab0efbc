from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Rule

_REGISTRY = '''
    [tool.ddblint.deployments]
    "jobs/**" = "us-east-1"
    [tool.ddblint.tables.subscribers]
    home-region = "eu-west-1"
    replicas = ["eu-west-1", "us-east-1"]
'''


class BatchWriteOutsideHomeRegion(Rule):
    code = "DDB201"
    name = "batch-write-outside-home-region"
    summary = "A batch write to a table from a region other than its home region"
    what = """
        Checks batch writes — `Table.batch_writer()` puts and deletes, `batch_write_item`
        requests — to a table whose `home-region` is known, made from code whose region is known
        (a literal `region_name`, or the `[tool.ddblint.deployments]` entry for its path) and
        differs from it.
    """
    why = """
        A batch job in another region is a second writer racing replication for every item it
        touches. BatchWriteItem carries no conditions, so nothing detects the collision: when the
        home region changes an item at the same moment, DynamoDB keeps whichever write has the
        later timestamp and silently drops the other. Run the job in the table's home region
        (deploy it there, or create its client with `region_name=` the home region).
    """
    triggers = triggers("BatchWriteItem", pynamodb=True)

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def stamp(ids, now):
                with table.batch_writer() as batch:
                    for subscriber_id in ids:
                        batch.put_item(Item={"subscriber_id": subscriber_id, "last_contacted": now})  # expect: DDB201
        ''', config=_REGISTRY, filename="jobs/retention.py"),
        Example('''
            import boto3

            client = boto3.client("dynamodb", region_name="ap-southeast-2")
            client.batch_write_item(RequestItems={"subscribers": [  # expect: DDB201
                {"DeleteRequest": {"Key": {"subscriber_id": {"S": "a"}}}},
            ]})
        ''', config=_REGISTRY),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb", region_name="eu-west-1").Table("subscribers")

            def stamp(ids, now):
                with table.batch_writer() as batch:
                    for subscriber_id in ids:
                        batch.put_item(Item={"subscriber_id": subscriber_id, "last_contacted": now})
        ''', config=_REGISTRY, filename="jobs/retention.py"),
        # the region is unknown: never a finding
        Example('''
            import os
            import boto3

            table = boto3.resource("dynamodb", region_name=os.environ["AWS_REGION"]).Table("subscribers")
            with table.batch_writer() as batch:
                batch.put_item(Item={"subscriber_id": "a"})
        ''', config=_REGISTRY, filename="jobs/retention.py"),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.name != "BatchWriteItem":
                continue
            facts = model.facts(op)
            home, region = facts.home_region, op.call.region
            if home is None or region is None or home == region:
                continue
            yield Finding(op.node, f"Batch write to `{facts.label}` from {region}, but its home region is {home}: "
                                   f"every item races the home region's writes and BatchWriteItem cannot carry "
                                   f"a condition to detect it. Run this job in {home}.")
