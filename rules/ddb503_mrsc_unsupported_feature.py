from ddblint.rule import Example, Rule, TableFinding

_CONFIG = '''
    [tool.ddblint]
    infrastructure = ["template.yaml"]
'''


class MrscUnsupportedFeature(Rule):
    code = "DDB503"
    name = "mrsc-unsupported-feature"
    summary = "An MRSC global table declared with TTL or a local secondary index"
    what = """
        Checks MRSC global table declarations that enable Time to Live or declare local
        secondary indexes; each is reported on its own line.
    """
    why = """
        Multi-region strong consistency does not support TTL or local secondary indexes; such a
        template passes cfn-lint and fails at deployment. Expire items with a scheduled job, use
        global secondary indexes, or keep the table MREC.
    """

    fires = [
        Example('''
            Resources:
              Ledger:
                Type: AWS::DynamoDB::GlobalTable
                Properties:
                  MultiRegionConsistency: STRONG
                  AttributeDefinitions:
                    - {AttributeName: pk, AttributeType: S}
                    - {AttributeName: sk, AttributeType: S}
                    - {AttributeName: at, AttributeType: S}
                  KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
                  LocalSecondaryIndexes:
                    - IndexName: by_time  # expect: DDB503
                      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: at, KeyType: RANGE}]
                      Projection: {ProjectionType: ALL}
                  Replicas:
                    - Region: us-east-1
                    - Region: us-east-2
                    - Region: us-west-2
        ''', config=_CONFIG, filename="template.yaml"),
    ]
    passes = [
        Example('''
            Resources:
              Ledger:
                Type: AWS::DynamoDB::GlobalTable
                Properties:
                  MultiRegionConsistency: EVENTUAL
                  AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
                  KeySchema: [{AttributeName: pk, KeyType: HASH}]
                  TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
                  Replicas:
                    - Region: us-east-1
                    - Region: us-east-2
        ''', config=_CONFIG, filename="template.yaml"),
    ]

    def check_tables(self, registry):
        for table in registry.discovered:
            if table.mode is None or table.mode.value != "mrsc":
                continue
            if table.ttl is not None and table.ttl.value is True:
                yield TableFinding(table.ttl.source, f"MRSC table `{table.key}` enables TTL, which multi-region "
                                                     f"strong consistency does not support: deployment fails.")
            for index, kind in (table.indexes.value.items() if table.indexes else ()):
                if kind == "local":
                    where = table.index_sources.get(index, table.source)
                    yield TableFinding(where, f"MRSC table `{table.key}` declares local secondary index `{index}`, "
                                              f"which multi-region strong consistency does not support: deployment "
                                              f"fails. Use a global secondary index.")
