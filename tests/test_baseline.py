"""Baselines (counts per file and rule) and --add-noqa, through the command line."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import make_tree

BLIND = '''table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})'''
SOURCE = f'''import boto3

table = boto3.resource("dynamodb").Table("t")


def one(k):
    {BLIND}


def two(k):
    {BLIND}
'''


def project(tmp_path: Path) -> Path:
    return make_tree(tmp_path, {"pyproject.toml": "[tool.ddblint]\n", "app.py": SOURCE}, dedent=False)


def test_baseline_survives_moved_code_and_catches_new_findings(tmp_path, ddblint_main):
    root = project(tmp_path)
    assert ddblint_main("check", ".", cwd=root).returncode == 1
    written = ddblint_main("check", ".", "--write-baseline", "ddblint-baseline.json", cwd=root)
    assert written.returncode == 0, written.stderr
    assert json.loads((root / "ddblint-baseline.json").read_text())["files"] == {"app.py": {"DDB101": 2}}
    assert ddblint_main("check", ".", "--baseline", "ddblint-baseline.json", cwd=root).returncode == 0

    # unrelated lines inserted above the findings: still green
    (root / "app.py").write_text("import os\n\n\nREGION = os.environ.get('R')\n" + SOURCE)
    run = ddblint_main("check", ".", "--baseline", "ddblint-baseline.json", "--output-format", "concise", cwd=root)
    assert run.returncode == 0 and run.stdout == "", run.stdout

    # one more blind update in the same file: red, and every DDB101 of the file is shown
    (root / "app.py").write_text(SOURCE + f"\n\ndef three(k):\n    {BLIND}\n")
    run = ddblint_main("check", ".", "--baseline", "ddblint-baseline.json", "--output-format", "concise", cwd=root)
    assert run.returncode == 1 and run.stdout.count("DDB101") == 3
    assert "baseline allows 2" in run.stderr


def test_baseline_says_when_a_count_can_be_lowered(tmp_path, ddblint_main):
    root = project(tmp_path)
    ddblint_main("check", ".", "--write-baseline", "b.json", cwd=root)
    (root / "app.py").write_text(SOURCE.replace(f"def two(k):\n    {BLIND}\n", "def two(k):\n    pass\n"))
    run = ddblint_main("check", ".", "--baseline", "b.json", cwd=root)
    assert run.returncode == 0 and "down to 1 from 2" in run.stderr


def test_a_run_on_some_files_speaks_and_writes_only_for_those(tmp_path, ddblint_main):
    """pre-commit passes only the staged files: the others have not improved, and rewriting the
    baseline from such a run must not forget them."""
    root = project(tmp_path)
    (root / "other.py").write_text(SOURCE)
    ddblint_main("check", ".", "--write-baseline", "b.json", cwd=root)
    (root / "app.py").write_text(SOURCE.replace(f"def two(k):\n    {BLIND}\n", "def two(k):\n    pass\n"))
    run = ddblint_main("check", "app.py", "--baseline", "b.json", cwd=root)
    assert run.returncode == 0 and "app.py: DDB101 is down to 1 from 2" in run.stderr
    assert "other.py" not in run.stderr
    assert ddblint_main("check", "app.py", "--write-baseline", "b.json", cwd=root).returncode == 0
    assert json.loads((root / "b.json").read_text())["files"] == {"app.py": {"DDB101": 1}, "other.py": {"DDB101": 2}}
    (root / "app.py").write_text("print('no findings left')\n")
    assert ddblint_main("check", "app.py", "--write-baseline", "b.json", cwd=root).returncode == 0
    assert json.loads((root / "b.json").read_text())["files"] == {"other.py": {"DDB101": 2}}


def test_bad_baseline_is_a_usage_error(tmp_path, ddblint_main):
    root = project(tmp_path)
    (root / "b.json").write_text("{not json")
    run = ddblint_main("check", ".", "--baseline", "b.json", cwd=root)
    assert run.returncode == 2 and "not a ddblint baseline" in run.stderr and "Traceback" not in run.stderr


def test_add_noqa(tmp_path, ddblint_main):
    root = project(tmp_path)
    run = ddblint_main("check", ".", "--add-noqa=legacy, see TICKET-1", cwd=root)
    assert run.returncode == 0 and "Added 2 noqa directives." in run.stderr
    text = (root / "app.py").read_text()
    assert text.count("# noqa: DDB101 legacy, see TICKET-1") == 2
    assert ddblint_main("check", ".", cwd=root).returncode == 0
    assert ddblint_main("check", ".", "--add-noqa", cwd=root).stderr.startswith("Added 0")
