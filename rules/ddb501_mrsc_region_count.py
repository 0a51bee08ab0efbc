from ddblint.rule import Example, Rule, TableFinding

_CONFIG = '''
    [tool.ddblint]
    infrastructure = ["template.yaml"]
'''


class MrscRegionCount(Rule):
    code = "DDB501"
    name = "mrsc-region-count"
    summary = "An MRSC global table not declared over exactly three regions"
    what = """
        Checks infrastructure declarations (CloudFormation/SAM, Terraform, CDK) of global tables
        with multi-region strong consistency (`MultiRegionConsistency: STRONG`,
        `consistency_mode = "STRONG"`, `MultiRegionConsistency.STRONG`) whose regions — replicas,
        the stack's own region where implicit, and the witness — do not number exactly three.
    """
    why = """
        MRSC tables must span exactly three regions: three replicas, or two replicas and one
        witness. Any other count fails at deployment, after review and merge; cfn-lint accepts
        such a template. Add a replica or a `GlobalTableWitnesses` entry, or use MREC (EVENTUAL).
    """
    triggers = ()

    fires = [
        Example('''
            Resources:
              Ledger:  # expect: DDB501
                Type: AWS::DynamoDB::GlobalTable
                Properties:
                  TableName: ledger
                  MultiRegionConsistency: STRONG
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
                  KeySchema: [{AttributeName: pk, KeyType: HASH}]
                  Replicas:
                    - Region: us-east-1
                    - Region: us-east-2
        ''', config=_CONFIG, filename="template.yaml"),
    ]
    passes = [
        Example('''
            Resources:
              Ledger:
                Type: AWS::DynamoDB::GlobalTable
                Properties:
                  TableName: ledger
                  MultiRegionConsistency: STRONG
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
                  KeySchema: [{AttributeName: pk, KeyType: HASH}]
                  Replicas:
                    - Region: us-east-1
                    - Region: us-east-2
                  GlobalTableWitnesses:
                    - Region: us-west-2
        ''', config=_CONFIG, filename="template.yaml"),
    ]

    def check_tables(self, registry):
        for table in registry.discovered:
            if table.mode is None or table.mode.value != "mrsc" or table.region_count in (None, 3):
                continue
            yield TableFinding(table.source, f"MRSC table `{table.key}` spans {table.region_count} region"
                                             f"{'s' if table.region_count != 1 else ''}: multi-region strong "
                                             f"consistency needs exactly three (replicas plus a witness), and "
                                             f"deployment fails otherwise.")
