"""`ddblint tables`: the registry as configured and discovered, each fact with where it came from."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_london_incident_registry():
    run = subprocess.run([sys.executable, "-m", "ddblint", "tables", "examples/london_incident"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    # configured facts point at pyproject.toml, discovered ones at the template line
    assert "subscribers" in out and "home-region        eu-west-1" in out
    assert "AWS::DynamoDB::GlobalTable Subscribers  template.yaml:8" in out
    assert "by_email (global)" in out and "template.yaml" in out.split("by_email (global)")[1].splitlines()[0]
    assert "shape              contested" in out


def test_conflict_between_configuration_and_template_is_warned(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.ddblint.tables.orders]\nmode = "single-region"\n')
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Orders:\n    Type: AWS::DynamoDB::GlobalTable\n    Properties:\n      TableName: orders\n"
        "      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n      Replicas:\n        - Region: eu-west-1\n"
        "        - Region: us-east-1\n")
    run = subprocess.run([sys.executable, "-m", "ddblint", "tables", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0
    assert "says mode = 'single-region'" in run.stderr and "template.yaml" in run.stderr
