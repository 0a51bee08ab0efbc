from ddblint.rule import Example, Rule, TableFinding

# Region sets MRSC tables may span (dynamodb-facts.md §3.16); a table stays within one.
REGION_SETS = {
    "US": {"us-east-1", "us-east-2", "us-west-2"},
    "EU": {"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"},
    "AP": {"ap-northeast-1", "ap-northeast-2", "ap-northeast-3"},
}
_CONFIG = '''
    [tool.ddblint]
    infrastructure = ["template.yaml"]
    extend-select = ["DDB502"]
'''


class MrscRegionSet(Rule):
    code = "DDB502"
    name = "mrsc-region-set"
    default = False  # AWS has been widening MRSC region support: opt in
    summary = "An MRSC global table whose regions are not all from one MRSC region set"
    what = """
        Checks MRSC global table declarations whose literal regions (replicas and witness) are not
        all from one of the region sets MRSC supports (US: us-east-1, us-east-2, us-west-2; EU:
        eu-west-1, eu-west-2, eu-west-3, eu-central-1; AP: ap-northeast-1, ap-northeast-2,
        ap-northeast-3). Off by default: AWS may have extended the sets since this list was made.
    """
    why = """
        MRSC replicates synchronously, which DynamoDB allows only between regions of one set; a
        table mixing sets fails at deployment. Pick all three regions from one set, or use MREC.
    """

    fires = [
        Example('''
            Resources:
              Ledger:  # expect: DDB502
                Type: AWS::DynamoDB::GlobalTable
                Properties:
                  MultiRegionConsistency: STRONG
                  AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
                  KeySchema: [{AttributeName: pk, KeyType: HASH}]
                  Replicas:
                    - Region: us-east-1
                    - Region: eu-west-1
                  GlobalTableWitnesses:
                    - Region: us-west-2
        ''', config=_CONFIG, filename="template.yaml"),
    ]
    passes = [
        Example('''
            Resources:
              Ledger:
                Type: AWS::DynamoDB::GlobalTable
                Properties:
                  MultiRegionConsistency: STRONG
                  AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
                  KeySchema: [{AttributeName: pk, KeyType: HASH}]
                  Replicas:
                    - Region: eu-west-1
                    - Region: eu-west-2
                  GlobalTableWitnesses:
                    - Region: eu-central-1
        ''', config=_CONFIG, filename="template.yaml"),
    ]

    def check_tables(self, registry):
        for table in registry.discovered:
            if table.mode is None or table.mode.value != "mrsc":
                continue
            regions = set(table.replicas.value if table.replicas else ()) | \
                ({table.witness.value} if table.witness else set())
            if len(regions) < 2 or any(regions <= members for members in REGION_SETS.values()):
                continue
            yield TableFinding(table.source, f"MRSC table `{table.key}` spans {', '.join(sorted(regions))}, which "
                                             f"are not all from one MRSC region set: deployment fails. Choose three "
                                             f"regions of one set (US, EU or AP).")
