from ddblint.dynamo import triggers
from ddblint.rule import Example, Finding, Rule

_REGISTRY = '''
    [tool.ddblint.deployments]
    "support/**" = "us-east-1"
    [tool.ddblint.tables.subscribers]
    mode = "global"
    home-region = "eu-west-1"
    replicas = ["eu-west-1", "us-east-1"]
'''


class ConsistentReadOutsideHomeRegion(Rule):
    code = "DDB302"
    name = "consistent-read-outside-home-region"
    summary = "ConsistentRead=True on a global table, trusted from a region that is not its home"
    what = """
        Checks `ConsistentRead=True` on GetItem, Query, Scan and BatchGetItem (per table) of a
        table the registry declares `global` (MREC), from code whose region is known and is not the
        table's `home-region`. Not reported where DDB301 or DDB303 is.
    """
    why = """
        In a multi-region, eventually consistent Global Table, `ConsistentRead=True` is a
        *regional* guarantee: it returns the latest write made in the region doing the read, not
        one made a few milliseconds ago in another region. Code that reads "strongly" from a
        replica to get fresh data (a support tool re-reading an address, a job checking a balance)
        still sees stale items. Read in the home region where writes happen, or use an MRSC table,
        whose strongly consistent reads are global.
    """
    triggers = triggers(words=("ConsistentRead", "consistent_read"))  # consistent_read: PynamoDB
    superseded_by = ("DDB301", "DDB303")

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def current_address(subscriber_id):
                item = table.get_item(Key={"subscriber_id": subscriber_id}, ConsistentRead=True)  # expect: DDB302
                return item["Item"]["delivery_address"]
        ''', config=_REGISTRY, filename="support/lookup.py"),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb", region_name="eu-west-1").Table("subscribers")

            def current_address(subscriber_id):
                item = table.get_item(Key={"subscriber_id": subscriber_id}, ConsistentRead=True)
                return item["Item"]["delivery_address"]
        ''', config=_REGISTRY, filename="support/lookup.py"),
        # the table is unknown: that its Key has the global table's key schema (table by shape)
        # serves fixes, never a region rule
        Example('''
            import boto3

            def current_address(table_name, subscriber_id):
                table = boto3.resource("dynamodb").Table(table_name)
                return table.get_item(Key={"subscriber_id": subscriber_id}, ConsistentRead=True)["Item"]
        ''', config=_REGISTRY + '''
            partition-key = "subscriber_id"
        ''', filename="support/lookup.py"),
        # an MRSC table: strongly consistent reads are global there
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")
            table.get_item(Key={"subscriber_id": "a"}, ConsistentRead=True)
        ''', config='''
            [tool.ddblint.deployments]
            "support/**" = "us-east-1"
            [tool.ddblint.tables.subscribers]
            mode = "mrsc"
            home-region = "us-east-2"
        ''', filename="support/lookup.py"),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        for op in model.operations:
            if op.name not in ("GetItem", "Query", "Scan", "BatchGetItem") or op.param("ConsistentRead") is not True:
                continue
            facts = model.facts(op)
            home, region = facts.home_region, op.call.region
            if facts.mode != "global" or home is None or region is None or home == region:
                continue
            node = op.params["ConsistentRead"].node or op.node
            yield Finding(node, f"ConsistentRead=True on `{facts.label}` from {region} only sees writes made in "
                                f"{region}: writes made in its home region {home} a moment ago may be missing. "
                                f"Read in {home} when freshness matters, or use an MRSC table.")
