"""What DDB405, DDB406 and DDB107 predict is what boto3 and DynamoDB (moto) do.

Each case is a small module: ddblint must report it, and run under moto its `run()` must fail
the way the rule's message says; the fixed module must be silent and run. The two sides read
the very same source, so a rule and the library cannot drift apart unnoticed.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import lint_snippet

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")
from boto3.exceptions import DynamoDBNeedsKeyConditionError  # noqa: E402
from botocore.exceptions import ClientError, ParamValidationError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HEADER = '''
import boto3
from boto3.dynamodb.conditions import Attr, Key

client = boto3.client("dynamodb", region_name="us-east-1")
resource = boto3.resource("dynamodb", region_name="us-east-1")
table = resource.Table("t")
'''


def lint(source: str, code: str, tmp_path: Path):
    """`code`'s findings on `source`, that rule alone, in a project with an empty configuration."""
    found = lint_snippet(source, tmp_path, toml="# no configuration\n", config_name="ddblint.toml",
                         filename="case.py", select=[code], defaults=False, dedent=False)
    return [d for d in found if d.code == code]


@pytest.fixture()
def aws(monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        setup = boto3.client("dynamodb", region_name="us-east-1")
        for name in ("t", "t-archive"):
            setup.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                               BillingMode="PAY_PER_REQUEST")
        setup.put_item(TableName="t", Item={"pk": {"S": "a"}, "version": {"N": "1"}})
        yield setup


def run(source: str):
    namespace: dict = {}
    exec(compile(source, "case.py", "exec"), namespace)  # noqa: S102 - our own test snippets
    return namespace["run"]()


# (rule, module that must fire, the exception it raises, the fixed module)
CASES = {
    "unknown-keyword-client": ("DDB405", '''
        def run():
            client.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :n",
                               ConditionExpresion="version = :v",
                               ExpressionAttributeValues={":n": {"N": "2"}, ":v": {"N": "1"}})
    ''', ParamValidationError, '''
        def run():
            client.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :n",
                               ConditionExpression="version = :v",
                               ExpressionAttributeValues={":n": {"N": "2"}, ":v": {"N": "1"}})
    '''),
    "unknown-keyword-table": ("DDB405", '''
        def run():
            table.put_item(Item={"pk": "b"}, ConditionExpresion="attribute_not_exists(pk)")
    ''', ParamValidationError, '''
        def run():
            table.put_item(Item={"pk": "b"}, ConditionExpression="attribute_not_exists(pk)")
    '''),
    "unknown-nested-key": ("DDB405", '''
        def run():
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": "t", "Item": {"pk": {"S": "c"}},
                         "ConditionExpresion": "attribute_not_exists(pk)"}},
            ])
    ''', ParamValidationError, '''
        def run():
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": "t", "Item": {"pk": {"S": "c"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
    '''),
    "missing-required": ("DDB405", '''
        def run():
            client.put_item(Item={"pk": {"S": "d"}})
    ''', ParamValidationError, '''
        def run():
            client.put_item(TableName="t", Item={"pk": {"S": "d"}})
    '''),
    "wire-format-typo": ("DDB405", '''
        def run():
            return client.get_item(TableName="t", Key={"pk": {"s": "a"}})
    ''', ParamValidationError, '''
        def run():
            return client.get_item(TableName="t", Key={"pk": {"S": "a"}})
    '''),
    "condition-on-batch-writer": ("DDB405", '''
        def run():
            with table.batch_writer() as batch:
                batch.put_item(Item={"pk": "e"}, ConditionExpression="attribute_not_exists(pk)")
    ''', TypeError, '''
        def run():
            with table.batch_writer() as batch:
                batch.put_item(Item={"pk": "e"})
    '''),
    "builder-equality": ("DDB406", '''
        def run():
            table.update_item(Key={"pk": "a"}, UpdateExpression="SET version = :n",
                              ConditionExpression=Attr("version") == 1, ExpressionAttributeValues={":n": 2})
    ''', ParamValidationError, '''
        def run():
            table.update_item(Key={"pk": "a"}, UpdateExpression="SET version = :n",
                              ConditionExpression=Attr("version").eq(1), ExpressionAttributeValues={":n": 2})
    '''),
    "builder-on-low-level-client": ("DDB406", '''
        def run():
            client.put_item(TableName="t", Item={"pk": {"S": "f"}}, ConditionExpression=Attr("pk").not_exists())
    ''', ParamValidationError, '''
        def run():
            client.put_item(TableName="t", Item={"pk": {"S": "f"}}, ConditionExpression="attribute_not_exists(pk)")
    '''),
    "builder-in-transaction": ("DDB406", '''
        def run():
            resource.meta.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": "t", "Item": {"pk": "g"}, "ConditionExpression": Attr("pk").not_exists()}},
            ])
    ''', ParamValidationError, '''
        def run():
            resource.meta.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": "t", "Item": {"pk": "g"}, "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
    '''),
    "attr-in-key-condition": ("DDB406", '''
        def run():
            return table.query(KeyConditionExpression=Attr("pk").eq("a"))
    ''', DynamoDBNeedsKeyConditionError, '''
        def run():
            return table.query(KeyConditionExpression=Key("pk").eq("a"))
    '''),
    "legacy-mixed-update": ("DDB107", '''
        def run():
            client.update_item(TableName="t", Key={"pk": {"S": "a"}},
                               AttributeUpdates={"x": {"Value": {"S": "1"}, "Action": "PUT"}},
                               UpdateExpression="SET y = :y", ExpressionAttributeValues={":y": {"S": "1"}})
    ''', ClientError, '''
        def run():
            client.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET x = :x, y = :y",
                               ExpressionAttributeValues={":x": {"S": "1"}, ":y": {"S": "1"}})
    '''),
    "legacy-mixed-get": ("DDB107", '''
        def run():
            return client.get_item(TableName="t", Key={"pk": {"S": "a"}}, AttributesToGet=["pk"],
                                   ProjectionExpression="pk")
    ''', ClientError, '''
        def run():
            return client.get_item(TableName="t", Key={"pk": {"S": "a"}}, ProjectionExpression="pk")
    '''),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_prediction_holds(name, tmp_path, aws):
    code, bad, error, fixed = CASES[name]
    bad, fixed = HEADER + textwrap.dedent(bad), HEADER + textwrap.dedent(fixed)
    assert lint(bad, code, tmp_path), f"{code} should report:\n{bad}"
    with pytest.raises(error) as raised:
        run(bad)
    if error is ClientError:
        assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert not lint(fixed, code, tmp_path), f"{code} should not report:\n{fixed}"
    run(fixed)


def test_table_name_on_a_table_method_redirects_the_write(tmp_path, aws):
    source = HEADER + textwrap.dedent('''
        def run():
            table.put_item(TableName="t-archive", Item={"pk": "h"})
    ''')
    assert lint(source, "DDB405", tmp_path)
    run(source)
    assert "Item" not in aws.get_item(TableName="t", Key={"pk": {"S": "h"}})
    assert "Item" in aws.get_item(TableName="t-archive", Key={"pk": {"S": "h"}})


@pytest.mark.slow
def test_legacy_parameters_alone_still_work(tmp_path, aws):
    """Without expressions the legacy parameters are accepted: DDB107 says "legacy", not "rejected"."""
    source = HEADER + textwrap.dedent('''
        def run():
            client.put_item(TableName="t", Item={"pk": {"S": "i"}}, Expected={"pk": {"Exists": False}})
    ''')
    found = lint(source, "DDB107", tmp_path)
    assert found and "rejects" not in found[0].message
    run(source)


def test_resource_client_serialises_builders_outside_transactions(tmp_path, aws):
    source = HEADER + textwrap.dedent('''
        def run():
            resource.meta.client.put_item(TableName="t", Item={"pk": "j"}, ConditionExpression=Attr("pk").not_exists())
    ''')
    assert not lint(source, "DDB406", tmp_path)
    assert not lint(source, "DDB405", tmp_path)
    run(source)


# -- botocore is optional and loaded late -------------------------------------------------------

def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.slow
def test_botocore_is_not_imported_with_ddblint():
    run_ = _python('''
        import sys
        from pathlib import Path
        from ddblint import cli, config, engine, registry
        rules = list(registry.all_rules().values())
        source = b"def f(q):\\n    return q.put_item(3)\\n"
        settings = config.settings_for(Path("x.py").resolve(), registry.defaults())
        engine.check_source(source, Path("x.py"), "x.py", settings, rules)
        print("botocore" in sys.modules)
    ''')
    assert run_.returncode == 0, run_.stderr
    assert run_.stdout.strip() == "False"


@pytest.mark.slow
def test_without_botocore_ddb405_is_silent():
    run_ = _python('''
        import sys
        sys.modules["botocore"] = None  # import botocore -> ImportError
        from pathlib import Path
        from ddblint import config, engine, registry
        from ddblint.dynamo import service_model
        assert not service_model.available()
        rule = registry.all_rules()["DDB405"]
        for example in rule.fires:
            settings = config.settings_for(Path("x.py").resolve(), registry.defaults())
            result = engine.check_source(example.source.encode(), Path("x.py"), "x.py", settings, [rule])
            assert not result.errors, result.errors
            assert not result.diagnostics, result.diagnostics
        print("ok")
    ''')
    assert run_.returncode == 0, run_.stderr
    assert run_.stdout.strip() == "ok"
