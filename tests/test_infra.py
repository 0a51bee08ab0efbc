"""Table discovery from infrastructure code (ddblint.infra): CloudFormation/SAM, JSON templates,
Serverless, Terraform, CDK (Python); line numbers, warnings, excluded directories, explicit globs."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest

from ddblint.infra import DiscoveredTable, Fact, cloudformation, discover
from ddblint.infra.render import render_tables
from ddblint.infra.terraform import outline

FIXTURES = Path(__file__).parent / "fixtures" / "infra"


def at(rel: str, needle: str, root: Path = FIXTURES, nth: int = 1) -> str:
    """``rel:LINE`` of the nth line of ``root/rel`` containing ``needle``."""
    lines = [i for i, line in enumerate((root / rel).read_text().splitlines(), 1) if needle in line]
    assert len(lines) >= nth, f"{needle!r} is not in {rel}"
    return f"{Path(rel).name if root == FIXTURES else rel}:{lines[nth - 1]}"


def by_id(directory: str, globs=()) -> Dict[str, DiscoveredTable]:
    tables, warnings = discover(FIXTURES / directory, globs)
    assert warnings == []
    found = {t.logical_id: t for t in tables}
    assert len(found) == len(tables), "a table was found twice"
    return found


def value(fact):
    return None if fact is None else fact.value


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- CloudFormation / SAM ------------------------------------------------------------------

@pytest.fixture(scope="module")
def sam() -> Dict[str, DiscoveredTable]:
    return by_id("sam")


def src(needle: str, nth: int = 1, rel: str = "sam/template.yaml") -> str:
    return at(rel, needle, nth=nth)


def test_sam_finds_exactly_the_tables(sam):
    assert set(sam) == {"OrdersTable", "LedgerTable", "SessionsTable", "UsersTable", "DefaultKeyTable",
                        "AuditTable"}
    # must not find: the function (it only references tables), the Outputs
    assert "OrdersFunction" not in sam


def test_sam_mrec_global_table(sam):
    t = sam["OrdersTable"]
    assert t.kind == "AWS::DynamoDB::GlobalTable"
    assert t.source == src("  OrdersTable:")
    assert t.name == Fact("*-orders", src('TableName: !Sub "${Stage}-orders"'))
    assert t.mode == Fact("global", src("  OrdersTable:"))
    # `Region: !Ref AWS::Region` is not a literal: only the literal ones, and a note
    assert t.replicas.value == ("eu-west-1", "ap-southeast-2")
    assert t.replicas.source == src("Replicas:")
    assert "AWS::Region" in t.replicas.note
    assert t.witness is None
    assert t.partition_key == Fact("order_id", src("- AttributeName: order_id", nth=2))
    assert t.sort_key is None
    assert t.indexes == Fact({"by_customer": "global"}, src("GlobalSecondaryIndexes:"))
    assert t.index_sources == {"by_customer": src("IndexName: by_customer")}
    assert t.ttl == Fact(True, src("Enabled: true"))
    assert t.key == "OrdersTable"  # a glob name: the logical id is the key
    assert t.region_count == 3  # the !Ref AWS::Region replica counts, though not literal


def test_sam_mrsc_global_table_with_witness(sam):
    t = sam["LedgerTable"]
    assert t.name == Fact("ledger", src("TableName: ledger"))
    assert t.mode == Fact("mrsc", src("MultiRegionConsistency: STRONG"))
    assert t.replicas == Fact(("us-east-1", "us-east-2"), src("Replicas:", nth=2))
    assert t.witness == Fact("us-west-2", src("- Region: us-west-2"))
    assert value(t.partition_key) == "account_id" and value(t.sort_key) == "entry_id"
    assert t.sort_key.source == src("- AttributeName: entry_id", nth=2)
    assert t.ttl is None and t.indexes is None
    assert t.key == "ledger"
    assert t.region_count == 3  # two replicas and the witness


def test_sam_plain_table_mode_is_unknown(sam):
    t = sam["SessionsTable"]
    assert t.kind == "AWS::DynamoDB::Table"
    assert t.mode is None and t.replicas is None  # may be made global outside CloudFormation
    assert t.region_count is None
    assert t.name is None  # !Ref SessionsTableName alone: decided at deploy time
    # KeySchema order does not matter; flow-style mappings keep their lines
    assert t.partition_key == Fact("pk", src("{AttributeName: pk, KeyType: HASH}"))
    assert t.sort_key == Fact("sk", src("{AttributeName: sk, KeyType: RANGE}"))
    assert t.indexes == Fact({"by_created": "local"}, src("LocalSecondaryIndexes:"))
    assert t.ttl == Fact(False, src('Enabled: "false"'))


def test_sam_simple_table(sam):
    t = sam["UsersTable"]
    assert t.kind == "AWS::Serverless::SimpleTable"
    assert t.name == Fact("*-users-v2", src("TableName: !Join"))  # !Join with literal parts
    assert t.partition_key == Fact("user_id", src("Name: user_id"))
    assert t.mode is None
    default = sam["DefaultKeyTable"]
    assert value(default.partition_key) == "id"  # SAM's default primary key
    assert default.partition_key.source == default.source == src("  DefaultKeyTable:")


def test_sam_global_table_with_one_replica_is_single_region(sam):
    t = sam["AuditTable"]
    assert t.name == Fact("audit-log", src("TableName: !Sub [")) # !Sub with a literal variable map
    assert value(t.mode) == "single-region"
    assert t.replicas.value == () and "AWS::Region" in t.replicas.note


def test_yaml_short_form_tags_become_long_form():
    doc = cloudformation.load((FIXTURES / "sam" / "template.yaml").read_text())[0]
    assert doc["Conditions"]["Both"] == {"Fn::And": [{"Condition": "IsProd"}, {
        "Fn::Or": [{"Condition": "NotProd"}, {"Condition": "IsProd"}]}]}
    outputs = {k: v["Value"] for k, v in doc["Outputs"].items()}
    assert outputs["OrdersArn"] == {"Fn::GetAtt": ["OrdersTable", "Arn"]}
    assert outputs["Encoded"] == {"Fn::Base64": {"Fn::Sub": "${Stage}"}}
    assert outputs["FirstAz"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert outputs["Subnets"] == {"Fn::Join": [",", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}]}
    assert outputs["Shared"] == {"Fn::ImportValue": "shared-vpc"}
    assert outputs["Mapped"] == {"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "Ami"]}
    assert outputs["Parts"] == {"Fn::Select": [1, {"Fn::Split": [",", "a,b"]}]}
    assert outputs["Transformed"]["Fn::Transform"]["Name"] == "AWS::Include"
    resources = doc["Resources"]
    assert resources.lines["OrdersTable"] == int(src("  OrdersTable:").split(":")[1])
    assert resources["OrdersTable"]["Properties"]["Replicas"].lines == [
        int(src("- Region: !Ref AWS::Region").split(":")[1]) + i for i in range(3)]


def test_json_template():
    tables = by_id("json")
    assert set(tables) == {"CartsTable"}  # not the bucket
    t = tables["CartsTable"]
    rel = "json/stack.template.json"
    assert t.source == at(rel, '"CartsTable": {')
    assert t.name == Fact("*-carts", at(rel, '"TableName"'))  # a tab-indented line
    assert t.mode == Fact("global", at(rel, '"MultiRegionConsistency"'))
    assert t.replicas == Fact(("us-east-1", "us-west-2"), at(rel, '"Replicas"'))
    assert t.partition_key == Fact("cart_id", at(rel, '{"AttributeName": "cart_id", "KeyType": "HASH"}'))


def test_serverless_resources():
    tables = by_id("serverless")
    assert set(tables) == {"BasketsTable"}
    t = tables["BasketsTable"]
    rel = "serverless/serverless.yml"
    # Serverless variables, nested ones too, become wildcards
    assert t.name == Fact("*-*-baskets", at(rel, "TableName:"))
    assert t.source == at(rel, "BasketsTable:")
    assert t.indexes == Fact({"by_user": "global"}, at(rel, "GlobalSecondaryIndexes:"))
    assert t.mode is None


# --- Terraform -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tf() -> Dict[str, DiscoveredTable]:
    return by_id("terraform")


def tsrc(needle: str, nth: int = 1, rel: str = "terraform/main.tf") -> str:
    return at(rel, needle, nth=nth)


def test_terraform_finds_exactly_the_tables(tf):
    assert set(tf) == {"accounts", "events", "cache", "scratch", "legacy", "fanout"}
    # must not find: the replica resource itself, the IAM policy (its heredoc names tables), the bucket


def test_terraform_mrsc_with_witness(tf):
    t = tf["accounts"]
    assert t.kind == "aws_dynamodb_table"
    assert t.source == tsrc('resource "aws_dynamodb_table" "accounts"')
    assert t.name == Fact("accounts", tsrc('name         = "accounts"'))
    assert t.mode == Fact("mrsc", tsrc('consistency_mode = "STRONG"'))
    # the provider's literal region comes first, and the note says where it is from
    assert t.replicas.value == ("us-east-1", "us-east-2")
    assert t.replicas.source == tsrc("replica {")
    assert at("terraform/providers.tf", 'region = "us-east-1"') in t.replicas.note
    assert t.witness == Fact("us-west-2", tsrc('region_name = "us-west-2"'))
    assert t.region_count == 3  # the provider's region, the replica, the witness
    assert t.partition_key == Fact("account_id", tsrc('hash_key     = "account_id"'))
    assert t.sort_key == Fact("sk", tsrc('range_key    = "sk"'))


def test_terraform_mrec_interpolated_name_indexes_ttl(tf):
    t = tf["events"]
    assert t.name == Fact("*-events", tsrc('name      = "${var.env}-events"'))
    assert value(t.mode) == "global"
    assert t.replicas.value == ("us-east-1", "eu-west-1")
    assert "1 replica region(s) not written literally" in t.replicas.note  # var.dr_region
    assert t.indexes == Fact({"by_type": "global", "by_time": "local"}, tsrc("global_secondary_index {"))
    assert t.index_sources == {"by_type": tsrc('name            = "by_type"'),
                               "by_time": tsrc('name            = "by_time"')}
    assert t.ttl == Fact(True, tsrc("enabled        = true"))
    assert (value(t.partition_key), value(t.sort_key)) == ("stream_id", "seq")


def test_terraform_separate_replica_resource_and_aliased_provider(tf):
    t = tf["cache"]
    assert value(t.mode) == "global"
    assert t.replicas.value == ("us-west-2", "eu-west-1")  # provider aws.west, then aws.eu's replica
    assert t.replicas.source == tsrc('resource "aws_dynamodb_table_replica" "cache_eu"')
    assert t.region_count == 2


def test_terraform_table_without_replicas_is_unknown(tf):
    t = tf["scratch"]
    assert t.mode is None and t.replicas is None
    assert t.name == Fact("scratch-*", tsrc('name     = "scratch-${terraform.workspace}"'))


def test_terraform_legacy_global_table_and_dynamic_replicas(tf):
    rel = "terraform/modules/legacy/main.tf"
    legacy = tf["legacy"]
    assert legacy.kind == "aws_dynamodb_global_table"
    line = at(rel, '"aws_dynamodb_global_table" "legacy"').split(":")[1]
    assert legacy.source == f"modules/legacy/main.tf:{line}"
    assert legacy.replicas.value == ("us-east-1", "us-west-2")  # lists every region itself
    assert value(legacy.mode) == "global"
    fanout = tf["fanout"]
    assert value(fanout.mode) == "global"
    assert fanout.replicas.value == ()  # no provider region in that directory, replicas from for_each
    assert "dynamic" in fanout.replicas.note and "provider's region" in fanout.replicas.note
    assert (legacy.region_count, fanout.region_count) == (2, None)


def test_terraform_outline_lines():
    text = (FIXTURES / "terraform" / "main.tf").read_text()
    resources = outline(text).find("resource")
    assert [n.labels[1] for n in resources] == ["accounts", "events", "cache", "cache_eu", "scratch",
                                                "tables", "exports"]
    events = resources[1]
    assert [n.name for n in events.find("replica")] == ["replica", "replica"]
    assert events.find("tags", blocks=False)[0].line == int(tsrc("tags = {").split(":")[1])
    # the heredoc's braces and the `}` inside a string do not unbalance the outline
    assert resources[-1].attr_line("bucket") == int(tsrc('bucket = "dynamodb-table-exports"').split(":")[1])


# --- CDK ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cdk() -> Dict[str, DiscoveredTable]:
    return by_id("cdk")


def csrc(needle: str, nth: int = 1) -> str:
    return at("cdk/app.py", needle, nth=nth)


def test_cdk_finds_exactly_the_tables(cdk):
    assert set(cdk) == {"Ledger", "Profiles", "Sessions", "LegacyCarts", "Plain"}
    # must not find: the S3 bucket, the `Table` imported from another library


def test_cdk_mrsc_table_v2(cdk):
    t = cdk["Ledger"]
    assert t.kind == "TableV2"
    assert t.source == csrc("self.ledger = dynamodb.TableV2(")
    assert t.name == Fact("ledger-v2", csrc("table_name=LEDGER_NAME"))  # a module constant
    assert t.mode == Fact("mrsc", csrc("multi_region_consistency="))
    assert t.replicas.value == ("us-east-2",) and "stack's region" in t.replicas.note
    assert t.witness == Fact("us-west-2", csrc('witness_region="us-west-2"'))
    assert t.partition_key == Fact("account_id", csrc('partition_key=dynamodb.Attribute(name="account_id"'))
    assert t.sort_key == Fact("entry_id", csrc('sort_key=dynamodb.Attribute(name="entry_id"'))
    assert t.region_count == 3  # the stack's region, the replica, the witness


def test_cdk_mrec_table_v2_with_later_calls(cdk):
    t = cdk["Profiles"]
    assert t.name == Fact("prod-profiles", csrc('table_name=f"{STAGE}-profiles"'))  # f-string of a constant
    assert t.mode == Fact("global", csrc("replicas=[dynamodb.ReplicaTableProps(region=\"eu-west-1\")]"))
    assert t.replicas.value == ("eu-west-1", "ap-southeast-2")  # add_replica counts
    assert t.indexes.value == {"by_email": "global", "by_created": "local", "by_country": "global"}
    assert t.indexes.source == csrc("global_secondary_indexes=[")
    assert t.index_sources["by_country"] == csrc("profiles.add_global_secondary_index(")
    assert t.ttl == Fact(True, csrc('time_to_live_attribute="expires_at"'))
    assert t.region_count == 3


def test_cdk_glob_name_dict_struct_and_no_replicas(cdk):
    t = cdk["Sessions"]
    assert t.name == Fact("*-sessions", csrc('table_name=f"{stage}-sessions"'))
    assert value(t.partition_key) == "session_id"  # a struct written as a dict
    assert value(t.mode) == "single-region"


def test_cdk_legacy_table(cdk):
    t = cdk["LegacyCarts"]
    assert t.kind == "Table"
    assert t.mode == Fact("global", csrc("replication_regions=LEGACY_REGIONS"))
    assert t.replicas.value == ("eu-west-1", "eu-west-2")
    assert t.indexes == Fact({"by_updated": "local"}, csrc("legacy.add_local_secondary_index("))
    plain = cdk["Plain"]
    assert plain.mode is None and plain.name is None and value(plain.partition_key) == "id"


# --- warnings, exclusions, globs ------------------------------------------------------------------

def test_malformed_files_warn_and_do_not_raise(tmp_path):
    shutil.copytree(FIXTURES / "malformed", tmp_path, dirs_exist_ok=True)
    shutil.copy(FIXTURES / "sam" / "template.yaml", tmp_path / "good.template.yaml")
    tables, warnings = discover(tmp_path)
    assert {t.logical_id for t in tables} >= {"OrdersTable", "LedgerTable"}  # the good file is still read
    assert not any(t.source.startswith(("template.yaml", "broken", "bad", "evil")) for t in tables)
    joined = "\n".join(warnings)
    assert len(warnings) == 5, joined
    assert "template.yaml:5: cannot parse YAML" in joined
    assert "bad.template.json:2: cannot parse JSON" in joined
    assert "broken.tf:3: cannot parse HCL" in joined
    assert "broken_app.py:3: cannot parse Python" in joined
    # a SafeLoader: Python tags are refused, never run
    assert "evil.template.yaml:2: cannot parse YAML" in joined and "python/object" in joined


def test_unreadable_and_missing(tmp_path):
    (tmp_path / "template.yaml").write_bytes(b"\xff\xfe\x00garbage")
    tables, warnings = discover(tmp_path)
    assert tables == [] and len(warnings) == 1 and warnings[0].startswith("template.yaml: cannot read")
    assert discover(tmp_path / "nope") == ([], [])


def test_excluded_directories_are_skipped(tmp_path):
    template = (FIXTURES / "json" / "stack.template.json").read_text()
    for rel in ("node_modules/pkg/template.json", ".venv/lib/x.template.json", ".git/stack.template.json",
                ".aws-sam/build/template.json", ".terraform/modules/m/x.template.json",
                "skipme/template.json",
                "cdk.out/Data.template.json", "stack.template.json"):
        write(tmp_path / rel, template)
    write(tmp_path / ".terraform/modules/m/main.tf", 'resource "aws_dynamodb_table" "t" {\n  name = "t"\n}\n')
    write(tmp_path / ".venv/lib/site.py", "import aws_cdk\naws_cdk.aws_dynamodb.TableV2(None, 'X')\n")
    tables, warnings = discover(tmp_path, exclude=lambda p: p.name == "skipme")
    assert warnings == []
    # cdk.out is read: its synthesized templates are the CDK app's tables
    assert sorted(t.source for t in tables) == ["cdk.out/Data.template.json:5", "stack.template.json:5"]


def test_explicit_globs_replace_the_defaults(tmp_path):
    write(tmp_path / "template.yaml", (FIXTURES / "sam" / "template.yaml").read_text())
    write(tmp_path / "infra" / "tables.yaml", (FIXTURES / "serverless" / "serverless.yml").read_text())
    write(tmp_path / "infra" / "notes.txt", "AWS::DynamoDB::Table\n")
    write(tmp_path / "infra" / "other.yaml", "just: a config\n")  # not a template: silently skipped
    tables, warnings = discover(tmp_path, ["infra/"])
    assert [t.source for t in tables] == ["infra/tables.yaml:17"]
    assert warnings == []
    # a glob may name a directory the default search skips
    serverless = (FIXTURES / "serverless" / "serverless.yml").read_text()
    write(tmp_path / ".aws-sam" / "build" / "template.yaml", serverless)
    tables, _ = discover(tmp_path, [".aws-sam/build/template.yaml"])
    assert [t.source for t in tables] == [".aws-sam/build/template.yaml:17"]
    # a glob that matches nothing is worth a warning
    tables, warnings = discover(tmp_path, ["infra/*.yaml", "deploy/*.tf"])
    assert [t.source for t in tables] == ["infra/tables.yaml:17"]
    assert len(warnings) == 1 and "`deploy/*.tf` matches no file" in warnings[0]


def test_default_search_reads_every_source_kind(tmp_path):
    for name in ("sam", "json", "serverless", "terraform", "cdk"):
        shutil.copytree(FIXTURES / name, tmp_path / name)
    write(tmp_path / "lib" / "util.py", "import boto3\nTable = 1\n")  # not a CDK app: not parsed
    tables, warnings = discover(tmp_path)
    assert warnings == []
    kinds = {t.kind for t in tables}
    assert kinds == {"AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable",
                     "aws_dynamodb_table", "aws_dynamodb_global_table", "TableV2", "Table"}
    assert len(tables) == 6 + 1 + 1 + 6 + 5
    assert [t.source for t in tables] == sorted((t.source for t in tables),
                                                key=lambda s: (s.rsplit(":", 1)[0], int(s.rsplit(":", 1)[1])))


@pytest.mark.slow
def test_terraform_parser_is_imported_only_for_tf_files():
    code = ("import sys; from pathlib import Path; from ddblint.infra import discover; "
            f"t, w = discover(Path({str(FIXTURES / 'sam')!r})); assert t and not w; "
            "assert 'hcl2' not in sys.modules and 'ddblint.infra.terraform' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_hcl2_is_a_warning(monkeypatch):
    monkeypatch.setitem(sys.modules, "hcl2", None)  # import hcl2 -> ImportError
    tables, warnings = discover(FIXTURES / "terraform")
    assert tables == [] and warnings == ["python-hcl2 is not installed: 4 Terraform file(s) not read"]


# --- render ------------------------------------------------------------------------------------

def test_render_tables():
    entries: List = [
        ("ledger", {
            "mode": Fact("mrsc", "template.yaml:58"),
            "name": Fact("ledger", "template.yaml:56"),
            "replicas": Fact(("us-east-1", "us-east-2"), "template.yaml:69", "plus the stack's region"),
            "home-region": Fact("us-east-1", "pyproject.toml:12"),
            "indexes": Fact({"by_email": "global", "by_created": "local"}, "template.yaml:40"),
            "ttl": Fact(False, "template.yaml:41"),
        }),
        ("cache", {"name": Fact("cache", "main.tf:73")}),
    ]
    assert render_tables(entries) == textwrap.dedent("""\
        ledger
          name         ledger                                 template.yaml:56
          mode         mrsc                                   template.yaml:58
          home-region  us-east-1                              pyproject.toml:12
          replicas     us-east-1, us-east-2                   template.yaml:69
                       (plus the stack's region)
          indexes      by_email (global), by_created (local)  template.yaml:40
          ttl          false                                  template.yaml:41

        cache
          name  cache  main.tf:73
        """)
    assert render_tables([]).startswith("No tables")


def test_discovered_facts_feed_render(sam):
    text = render_tables([(t.key, t.facts()) for t in sam.values()])
    assert "ledger\n  resource       AWS::DynamoDB::GlobalTable LedgerTable  template.yaml:" in text
    assert "witness        us-west-2" in text


def test_values_decided_at_deploy_time_stay_unknown(tmp_path):
    write(tmp_path / "template.yaml", """\
        Parameters:
          Consistency: {Type: String}
        Resources:
          T:
            Type: AWS::DynamoDB::GlobalTable
            Properties:
              TableName: !Ref Name
              MultiRegionConsistency: !Ref Consistency
              Replicas: !If [Multi, [{Region: us-east-1}, {Region: eu-west-1}], [{Region: us-east-1}]]
        """)
    write(tmp_path / "main.tf", """\
        resource "aws_dynamodb_table" "t" {
          name = var.name
          replica {
            region_name      = "eu-west-1"
            consistency_mode = var.mode
          }
        }
        """)
    write(tmp_path / "app.py", """\
        from aws_cdk import aws_dynamodb as ddb
        REGIONS = ["eu-west-1"]
        ddb.TableV2(scope, "T", table_name=make_name(),
                    replicas=[ddb.ReplicaTableProps(region=r) for r in REGIONS])
        ddb.TableV2(scope, "U", replicas=[ddb.ReplicaTableProps(region="eu-west-1")],
                    multi_region_consistency=consistency)
        """)
    tables, warnings = discover(tmp_path)
    assert warnings == []
    found = {(t.kind, t.logical_id): t for t in tables}
    cfn = found["AWS::DynamoDB::GlobalTable", "T"]
    tf_t = found["aws_dynamodb_table", "t"]
    cdk_t, cdk_u = found["TableV2", "T"], found["TableV2", "U"]
    assert (cfn.name, cfn.mode, cfn.replicas, cfn.region_count) == (None, None, None, None)
    assert tf_t.name is None and tf_t.mode is None  # replicated, but which way depends on var.mode
    assert tf_t.replicas.value == ("eu-west-1",)
    assert cdk_t.name is None and cdk_t.mode is None and cdk_t.region_count is None
    assert cdk_t.replicas.value == () and "not written literally" in cdk_t.replicas.note
    assert cdk_u.mode is None and cdk_u.replicas.value == ("eu-west-1",)


@pytest.mark.parametrize("imports, construct", [
    ("import aws_cdk", "aws_cdk.aws_dynamodb.TableV2"),
    ("import aws_cdk as cdk", "cdk.aws_dynamodb.TableV2"),
    ("import aws_cdk.aws_dynamodb as ddb", "ddb.TableV2"),
    ("import aws_cdk.aws_dynamodb", "aws_cdk.aws_dynamodb.TableV2"),
    ("from aws_cdk import aws_dynamodb", "aws_dynamodb.TableV2"),
    ("from aws_cdk import aws_dynamodb as d", "d.TableV2"),
    ("from aws_cdk.aws_dynamodb import TableV2", "TableV2"),
    ("from aws_cdk.aws_dynamodb import TableV2 as T", "T"),
    ("from aws_cdk . aws_dynamodb import (TableV2)", "TableV2"),
])
def test_cdk_import_forms_name_the_construct(tmp_path, imports, construct):
    """The CDK reader's import names (dotted names of `import` statements, always plain names)."""
    write(tmp_path / "app.py", f"{imports}\n{construct}(self, 'Orders', table_name='orders')\n")
    tables, warnings = discover(tmp_path)
    assert warnings == [] and [(t.kind, t.logical_id) for t in tables] == [("TableV2", "Orders")]


def test_cdk_import_forms_that_name_no_construct(tmp_path):
    write(tmp_path / "app.py", "import aws_cdk\nfrom aws_cdk import Stack as aws_dynamodb\n"
                               "f().aws_dynamodb.TableV2(self, 'A')\naws_dynamodb.TableV2(self, 'B')\n")
    assert discover(tmp_path) == ([], [])


def test_cdk_apps_that_do_not_parse_are_warnings_as_before(tmp_path):
    write(tmp_path / "syntax.py", "from aws_cdk import aws_dynamodb\nx = (\n")
    write(tmp_path / "nul.py", "from aws_cdk import aws_dynamodb\nx = 1\0\n")
    write(tmp_path / "deep.py", "from aws_cdk import aws_dynamodb\nx = " + "(" * 300 + "1" + ")" * 300 + "\n")
    tables, warnings = discover(tmp_path)
    assert tables == [] and warnings == [
        "deep.py: internal error while reading tables: "
        "RecursionError('syntax error: too many nested parentheses at 2:205')",
        "nul.py:1: cannot parse Python: source code string cannot contain null bytes",  # LibCST's row
        "syntax.py:2: cannot parse Python: '(' was never closed",
    ]
