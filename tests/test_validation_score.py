"""docs/score_validation.py: how a frozen held-back set is scored (spans, verdicts, the table)."""
from __future__ import annotations

import importlib.util
import subprocess
import textwrap
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "score_validation.py"
spec = importlib.util.spec_from_file_location("score_validation", SCRIPT)
score_validation = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score_validation)

SOURCE = textwrap.dedent('''\
    import boto3

    table = boto3.resource("dynamodb").Table("t")


    def blind(pk):
        table.update_item(
            Key={"pk": pk},
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": 1},
        )


    def create(pk):
        table.put_item(Item={"pk": pk}, ConditionExpression="attribute_not_exists(pk)")


    class Model:
        pass
''')


def test_the_span_of_a_site_is_its_whole_call_or_its_class_line():
    assert score_validation.site_span(SOURCE, 7) == (7, 11)
    assert score_validation.site_span(SOURCE, 15) == (15, 15)
    assert score_validation.site_span(SOURCE, 18) == (18, 18)
    assert score_validation.site_span("def broken(:\n", 1) == (1, 1)


def test_expected_codes_read_none_and_lists():
    assert score_validation.expected_codes("none") == ()
    assert score_validation.expected_codes("DDB101") == ("DDB101",)
    assert score_validation.expected_codes("DDB101;DDB104") == ("DDB101", "DDB104")


def _site(line, expected, cause="plain"):
    return {"repo": "o/r", "commit": "c", "path": "app.py", "line": str(line),
            "expected_codes_or_none": expected, "cause": cause, "note": ""}


def _finding(code, row):
    return {"code": code, "location": {"row": row, "column": 1}}


def test_verdicts_count_findings_inside_the_span_only():
    spans = {("app.py", 7): (7, 11), ("app.py", 15): (15, 15), ("app.py", 18): (18, 18), ("app.py", 3): (3, 3)}
    findings = {"app.py": [_finding("DDB101", 9), _finding("DDB404", 3), _finding("DDB105", 18)]}
    sites = [_site(7, "DDB101"), _site(15, "none", "guarded"), _site(18, "DDB105", "transaction"),
             _site(3, "none", "read")]
    verdicts = [v for _, v, _ in score_validation.score(sites, findings, spans)]
    assert verdicts == ["found", "clean", "off-by-default-found", "other-codes"]
    findings["app.py"].append(_finding("DDB102", 15))
    assert score_validation.score(sites, findings, spans)[1][1] == "false-positive"
    table = score_validation.summary(score_validation.score(sites, findings, spans))
    assert "| all | 1/1 = 100.0% | 1/2 = 50.0% | 1/1 = 100.0% |" in table
    assert "false-positive: o/r app.py:15" in table


@pytest.mark.slow
def test_end_to_end_on_a_labelled_repository(tmp_path, capsys):
    repo = tmp_path / "mirrors" / "o+r" / "repo"
    repo.mkdir(parents=True)
    (repo / "app.py").write_text(SOURCE)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "app.py"], check=True)
    subprocess.run(git + ["commit", "-qm", "x"], check=True)
    commit = subprocess.run(git[:3] + ["rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    labels = tmp_path / "labels.csv"
    labels.write_text("repo,commit,path,line,expected_codes_or_none,cause,note\n"
                      f"o/r,{commit},app.py,7,DDB101,plain,blind update\n"
                      f"o/r,{commit},app.py,15,none,guarded,create\n")
    assert score_validation.main([str(labels), "--mirrors", str(tmp_path / "mirrors"),
                                  "--workdir", str(tmp_path / "work")]) == 0
    out = capsys.readouterr().out
    assert "| all | 1/1 = 100.0% | 0/1 = 0.0% | - |" in out
    assert "| cause=guarded | - | 0/1 = 0.0% | - |" in out
