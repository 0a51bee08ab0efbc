"""`ddblint tables`: the registry as configured and discovered, each fact with where it came from."""
from conftest import REPO as ROOT, make_tree


def test_london_incident_registry(ddblint_main):
    run = ddblint_main("tables", "examples/london_incident", cwd=ROOT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    # configured facts point at pyproject.toml, discovered ones at the template line
    assert "subscribers" in out and "home-region        eu-west-1" in out
    assert "AWS::DynamoDB::GlobalTable Subscribers  template.yaml:8" in out
    assert "by_email (global)" in out and "template.yaml" in out.split("by_email (global)")[1].splitlines()[0]
    assert "shape              contested" in out


def test_conflict_between_configuration_and_template_is_warned(tmp_path, ddblint_main):
    make_tree(tmp_path, {
        "pyproject.toml": '[tool.ddblint.tables.orders]\nmode = "single-region"\n',
        "template.yaml": "Resources:\n  Orders:\n    Type: AWS::DynamoDB::GlobalTable\n    Properties:\n"
                         "      TableName: orders\n      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n"
                         "      Replicas:\n        - Region: eu-west-1\n        - Region: us-east-1\n",
    })
    run = ddblint_main("tables", str(tmp_path))
    assert run.returncode == 0
    assert "says mode = 'single-region'" in run.stderr and "template.yaml" in run.stderr
