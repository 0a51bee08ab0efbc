from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Rule

_REGISTRY = '''
    [tool.ddblint.tables.subscribers]
    mode = "global"
'''


class CrossRegionReadAfterWrite(Rule):
    code = "DDB303"
    name = "cross-region-read-after-write"
    summary = "A read through another region's client right after a write, expecting to see it"
    what = """
        Checks functions that write an item of a table through a client or table of one region
        and then read the same table through a client or table of another region (both regions
        known).
    """
    why = """
        Global Tables replicate asynchronously (usually under a second, with no upper bound).
        A read in region B right after a write in region A may return the old item even with
        `ConsistentRead=True`, which is only a regional guarantee. Read back through the same
        region's client you wrote with, or use the write's `ReturnValues`.
    """
    triggers = triggers("GetItem", "Query", "Scan", "BatchGetItem", pynamodb=True)

    fires = [
        Example('''
            import boto3

            eu = boto3.resource("dynamodb", region_name="eu-west-1").Table("subscribers")
            us = boto3.resource("dynamodb", region_name="us-east-1").Table("subscribers")

            def move(subscriber_id, address, expected):
                eu.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a, #v = #v + :one",
                    ConditionExpression="#v = :e",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":a": address, ":one": 1, ":e": expected},
                )
                return us.get_item(Key={"subscriber_id": subscriber_id}, ConsistentRead=True)  # expect: DDB303
        ''', config=_REGISTRY),
    ]
    passes = [
        Example('''
            import boto3

            eu = boto3.resource("dynamodb", region_name="eu-west-1").Table("subscribers")

            def move(subscriber_id, address, expected):
                eu.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a, #v = #v + :one",
                    ConditionExpression="#v = :e",
                    ExpressionAttributeNames={"#v": "version"},
                    ExpressionAttributeValues={":a": address, ":one": 1, ":e": expected},
                )
                return eu.get_item(Key={"subscriber_id": subscriber_id}, ConsistentRead=True)
        ''', config=_REGISTRY),
        # a read of another table
        Example('''
            import boto3

            eu = boto3.resource("dynamodb", region_name="eu-west-1")
            us = boto3.resource("dynamodb", region_name="us-east-1")

            def f(k):
                eu.Table("a").put_item(Item={"pk": k}, ConditionExpression="attribute_not_exists(pk)")
                return us.Table("b").get_item(Key={"pk": k})
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        reported = set()
        for write in model.operations:
            if write.name not in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem") or write.call.region is None:
                continue
            for read in model.reads_after(write):
                region = read.call.region
                if id(read) in reported or region is None or region == write.call.region \
                        or not model.same_table(write, read):
                    continue
                reported.add(id(read))
                yield Finding(read.node, f"{read.name} on `{model.facts(read).label}` through {region} right after "
                                         f"a {write.name} through {write.call.region}: replication between regions is "
                                         f"asynchronous, so this read may not see the write. Read through "
                                         f"{write.call.region}, or use the write's ReturnValues.")


