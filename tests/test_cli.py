"""End-to-end tests of the command line (SPEC §4, §6; research/conventions.md §0-§1).

Most tests call `ddblint.cli.main([...])` in-process (fast, with capsys); those that need a real
process (standard input, `python -m ddblint`, environment variables read at start-up) run
`sys.executable -m ddblint`. Every run asserts that no traceback reaches standard error.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ddblint
from ddblint import cli, config, registry, report
from ddblint.diagnostics import Diagnostic, Fix, Location

BLIND = (
    "import boto3\n"
    'table = boto3.resource("dynamodb").Table("t")\n'
    "def f(k):\n"
    '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})\n'
)
BLIND_CALL_LINE = BLIND.splitlines()[3]
GUARDED = (
    "import boto3\n"
    'table = boto3.resource("dynamodb").Table("t")\n'
    "def f(k, expected):\n"
    "    table.update_item(\n"
    '        Key={"pk": k},\n'
    '        UpdateExpression="SET a = :a, #v = #v + :one",\n'
    '        ConditionExpression="#v = :e",\n'
    '        ExpressionAttributeNames={"#v": "version"},\n'
    '        ExpressionAttributeValues={":a": 1, ":one": 1, ":e": expected},\n'
    "    )\n"
)
HEADER = 'import boto3\ntable = boto3.resource("dynamodb").Table("t")\n'
# one finding each, on rows 4 (DDB101), 6 (DDB102) and 8 (DDB103)
THREE = HEADER + textwrap.dedent('''\
    def f(k):
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})
    def g(k):
        table.put_item(Item={"pk": k})
    def h(k, e):
        table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ConditionExpression="#v = :e", ExpressionAttributeNames={"#v": "version"}, ExpressionAttributeValues={":a": 1, ":e": e})
''')
DDB101_MESSAGE_START = "UpdateItem on `t` has no version condition"


@pytest.fixture(autouse=True)
def _fresh_config_cache():
    config.clear_cache()
    yield
    config.clear_cache()


def write(path: Path, text, encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding=encoding)
    return path


class Run:
    def __init__(self, code: int, out: str, err: str, traceback_allowed: bool = False) -> None:
        self.code, self.out, self.err = code, out, err
        if not traceback_allowed:
            assert "Traceback" not in err, err
        assert "Traceback" not in out, out

    @property
    def lines(self):
        return self.out.splitlines()

    def codes(self):
        """(file, row, code) of each concise/full finding line."""
        found = []
        for line in self.lines:
            parts = line.split(":", 3)
            if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
                found.append((parts[0], int(parts[1]), parts[3].split()[0]))
        return found

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def ddblint_main(tmp_path, monkeypatch, capsys):
    """Run `ddblint.cli.main(args)` in `tmp_path` (or `cwd`)."""
    monkeypatch.delenv("DDBLINT_OUTPUT_FORMAT", raising=False)
    monkeypatch.delenv("DDBLINT_OUTPUT_FILE", raising=False)

    def run(*args: str, cwd: Path = None) -> Run:
        monkeypatch.chdir(cwd or tmp_path)
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return Run(code, out, err, traceback_allowed="-v" in args)

    return run


def subprocess_run(*args: str, cwd: Path, stdin: bytes = None, env=None) -> Run:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DDBLINT_")}
    # this checkout first on the import path, as conftest.ddblint_process does: the child runs the
    # code under test even where the environment's install of ddblint is another checkout's
    repo = str(Path(__file__).resolve().parent.parent)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))
    environment.update(env or {})
    done = subprocess.run([sys.executable, "-m", "ddblint", *args], cwd=cwd, input=stdin or b"",
                          capture_output=True, env=environment, timeout=120)
    return Run(done.returncode, done.stdout.decode(), done.stderr.decode())


def concise(run, *args, cwd=None):
    return run("check", "--output-format", "concise", *args, cwd=cwd)


# --- exit codes, streams, summary --------------------------------------------------------------


def test_clean_file_exits_0_and_says_all_checks_passed(tmp_path, ddblint_main):
    write(tmp_path / "guarded.py", GUARDED)
    result = ddblint_main("check", "guarded.py")
    assert (result.code, result.out, result.err) == (0, "", "All checks passed!\n")


def test_findings_exit_1_on_stdout_and_summary_on_stderr(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    result = concise(ddblint_main, "blind.py")
    assert result.code == 1
    assert result.lines[0].startswith(f"blind.py:4:5: DDB101 {DDB101_MESSAGE_START}")
    assert "Found" not in result.out
    assert result.err == "Found 1 finding in 1 checked file.\n"


def test_summary_counts_findings_and_files(tmp_path, ddblint_main):
    write(tmp_path / "a.py", BLIND)
    write(tmp_path / "b.py", BLIND)
    write(tmp_path / "c.py", GUARDED)
    result = concise(ddblint_main, "a.py", "b.py", "c.py")
    assert result.code == 1
    assert result.err == "Found 2 findings in 3 checked files.\n"


def test_quiet_removes_the_summary(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    write(tmp_path / "guarded.py", GUARDED)
    found = concise(ddblint_main, "-q", "blind.py")
    assert found.code == 1 and found.err == "" and found.codes() == [("blind.py", 4, "DDB101")]
    clean = concise(ddblint_main, "--quiet", "guarded.py")
    assert (clean.code, clean.out, clean.err) == (0, "", "")


def test_no_path_checks_the_current_directory(tmp_path, ddblint_main):
    write(tmp_path / "pkg" / "blind.py", BLIND)
    result = concise(ddblint_main)
    assert result.code == 1
    assert result.codes() == [(os.path.join("pkg", "blind.py"), 4, "DDB101")]


def test_exit_zero_with_findings(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    result = concise(ddblint_main, "--exit-zero", "blind.py")
    assert result.code == 0
    assert result.codes() == [("blind.py", 4, "DDB101")]
    assert result.err == "Found 1 finding in 1 checked file.\n"


def test_unknown_selector_on_the_command_line_exits_2(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    for flag in ("--select", "--ignore", "--extend-select"):
        result = ddblint_main("check", flag, "DDB999", "blind.py")
        assert result.code == 2, flag
        assert result.out == ""
        assert "unknown rule selector `DDB999`" in result.err
        assert "command line" in result.err


def test_exit_zero_does_not_hide_a_usage_error(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    assert ddblint_main("check", "--exit-zero", "--select", "DDB999", "blind.py").code == 2


def test_unknown_config_key_exits_2_naming_file_key_and_hint(tmp_path, ddblint_main):
    pyproject = write(tmp_path / "pyproject.toml", '[tool.ddblint]\nselectt = ["DDB1"]\n')
    write(tmp_path / "blind.py", BLIND)
    for extra in ((), ("--exit-zero",)):
        result = ddblint_main("check", *extra, "blind.py")
        assert result.code == 2
        assert result.out == ""
        assert str(pyproject) in result.err
        assert "tool.ddblint.selectt" in result.err
        assert "unknown key `selectt`" in result.err
        assert "Did you mean `select`?" in result.err
        assert "All checks passed" not in result.err and "Found" not in result.err


def test_invalid_toml_exits_2_with_position(tmp_path, ddblint_main):
    config_file = write(tmp_path / "ddblint.toml", 'select = ["DDB1"\nignore = []\n')
    write(tmp_path / "blind.py", BLIND)
    result = ddblint_main("check", "--exit-zero", "blind.py")
    assert result.code == 2
    assert f"{config_file}:" in result.err
    assert "invalid TOML" in result.err
    assert "Fix the TOML syntax" in result.err


def test_bad_value_in_config_exits_2(tmp_path, ddblint_main):
    write(tmp_path / "ddblint.toml", 'default-table-mode = "mrec"\n')
    write(tmp_path / "blind.py", BLIND)
    result = ddblint_main("check", "blind.py")
    assert result.code == 2
    assert "default-table-mode" in result.err and "`global`" in result.err


def test_config_file_that_does_not_exist_exits_2(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    result = ddblint_main("check", "--config", "missing.toml", "blind.py")
    assert result.code == 2 and "missing.toml" in result.err


def test_explicit_config_file_and_override(tmp_path, ddblint_main):
    write(tmp_path / "three.py", THREE)
    write(tmp_path / "conf" / "strict.toml", 'select = ["DDB102"]\n')
    result = concise(ddblint_main, "--config", "conf/strict.toml", "three.py")
    assert [c for _, _, c in result.codes()] == ["DDB102"]
    result = concise(ddblint_main, "--config", 'select = ["DDB103"]', "three.py")
    assert [c for _, _, c in result.codes()] == ["DDB103"]
    result = ddblint_main("check", "--config", 'select = ["DDB999"]', "three.py")
    assert result.code == 2 and "--config" in result.err


def test_internal_error_in_a_rule_exits_2_even_with_exit_zero(tmp_path, ddblint_main, monkeypatch):
    write(tmp_path / "blind.py", BLIND)
    write(tmp_path / "put.py", HEADER + 'def g(k):\n    table.put_item(Item={"pk": k})\n')

    def boom(self, ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(registry.all_rules()["DDB101"], "check", boom)
    result = concise(ddblint_main, "--exit-zero", "blind.py", "put.py")
    assert result.code == 2
    # the other rules and files still ran
    assert result.codes() == [("put.py", 4, "DDB102")]
    assert "internal error in DDB101" in result.err
    assert "All checks passed" not in result.err
    verbose = concise(ddblint_main, "blind.py", "-v")
    assert verbose.code == 2 and "RuntimeError: boom" in verbose.err


def test_unexpected_exception_is_exit_2_without_traceback(tmp_path, ddblint_main, monkeypatch):
    write(tmp_path / "blind.py", BLIND)

    def broken(*args, **kwargs):
        raise ValueError("renderer broke")

    monkeypatch.setattr(report, "render", broken)
    result = ddblint_main("check", "--exit-zero", "blind.py")
    assert result.code == 2
    assert "internal error" in result.err and "renderer broke" in result.err


# --- output formats ----------------------------------------------------------------------------


def test_concise_line_is_exact(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    message = ddblint_main("check", "--output-format", "json", "blind.py").json()[0]["message"]
    result = concise(ddblint_main, "blind.py")
    assert result.out == f"blind.py:4:5: DDB101 {message}\n"
    assert message.startswith(DDB101_MESSAGE_START)


def test_full_is_the_default_and_shows_source_and_caret(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    result = ddblint_main("check", "blind.py")
    assert result.code == 1
    lines = result.lines
    assert lines[0].startswith(f"blind.py:4:5: DDB101 {DDB101_MESSAGE_START}")
    assert lines[1] == "  |"
    assert lines[2] == f"4 | {BLIND_CALL_LINE}"
    caret_line = lines[3]
    assert caret_line == "  | " + " " * 4 + "^" * (len(BLIND_CALL_LINE) - 4) + " DDB101"
    # the caret starts under the `t` of `table`
    assert caret_line.index("^") == lines[2].index("table.update_item")
    assert ddblint_main("check", "--output-format", "full", "blind.py").out == result.out


def test_full_for_a_multi_line_call_underlines_the_first_line(tmp_path, ddblint_main):
    source = HEADER + 'def f(k):\n    table.update_item(\n        Key={"pk": k},\n' \
                      '        UpdateExpression="SET a = :a",\n        ExpressionAttributeValues={":a": 1},\n    )\n'
    write(tmp_path / "multi.py", source)
    lines = ddblint_main("check", "multi.py").lines
    assert lines[0].startswith("multi.py:4:5: DDB101")
    assert lines[2] == "4 |     table.update_item("
    assert lines[3] == "  |     " + "^" * len("table.update_item(") + " DDB101"


RUFF_JSON_FIELDS = {"code", "message", "filename", "location", "end_location", "fix", "noqa_row", "url"}


def test_json_has_ruff_field_names_and_correct_positions(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    result = ddblint_main("check", "--output-format", "json", "blind.py")
    assert result.code == 1
    data = result.json()
    assert isinstance(data, list) and len(data) == 1
    item = data[0]
    assert RUFF_JSON_FIELDS <= set(item)
    assert item["code"] == "DDB101"
    assert item["message"].startswith(DDB101_MESSAGE_START)
    assert os.path.isabs(item["filename"])
    assert os.path.realpath(item["filename"]) == os.path.realpath(tmp_path / "blind.py")
    # 1-based row and column; the end is exclusive, just after the closing parenthesis
    assert item["location"] == {"row": 4, "column": 5}
    assert item["end_location"] == {"row": 4, "column": len(BLIND_CALL_LINE) + 1}
    assert item["fix"] is None
    assert item["noqa_row"] == 4
    assert item["url"].startswith("https://") and "ddb101" in item["url"].lower()
    assert result.err == "Found 1 finding in 1 checked file.\n"


def test_json_positions_of_a_call_in_the_middle_of_a_line(tmp_path, ddblint_main):
    source = HEADER + '\n\ndef f(k):\n    x = 1; result = table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a",\n' \
                      '        ExpressionAttributeValues={":a": 1})\n'
    write(tmp_path / "mid.py", source)
    item = ddblint_main("check", "--output-format", "json", "mid.py").json()[0]
    row = 6
    assert source.splitlines()[row - 1].index("table.update_item") == 21 - 1
    assert item["location"] == {"row": row, "column": 21}
    assert item["end_location"] == {"row": 7, "column": len(source.splitlines()[6]) + 1}
    assert item["noqa_row"] == row


def test_json_with_no_findings_is_an_empty_list(tmp_path, ddblint_main):
    write(tmp_path / "guarded.py", GUARDED)
    result = ddblint_main("check", "--output-format", "json", "guarded.py")
    assert result.code == 0 and result.json() == []


def test_json_lines_one_object_per_line(tmp_path, ddblint_main):
    write(tmp_path / "three.py", THREE)
    as_list = ddblint_main("check", "--output-format", "json", "three.py").json()
    result = ddblint_main("check", "--output-format", "json-lines", "three.py")
    assert result.code == 1
    objects = [json.loads(line) for line in result.lines]
    assert len(objects) == 3 == len(result.out.strip().split("\n"))
    assert objects == as_list
    assert [(o["code"], o["location"]["row"]) for o in objects] == [("DDB101", 4), ("DDB102", 6), ("DDB103", 8)]


def test_output_file_gets_the_report_and_stdout_stays_empty(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    expected = ddblint_main("check", "--output-format", "json", "blind.py").out
    for flag in ("--output-file", "-o"):
        target = tmp_path / "out" / f"report{flag}.json"  # a missing directory is created
        result = ddblint_main("check", "--output-format", "json", flag, str(target), "blind.py")
        assert result.code == 1
        assert result.out == ""
        assert result.err == "Found 1 finding in 1 checked file.\n"
        assert target.read_text(encoding="utf-8") == expected


def test_output_file_that_cannot_be_written_exits_2(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    write(tmp_path / "a_file", "")
    result = ddblint_main("check", "--exit-zero", "-o", str(tmp_path / "a_file" / "report.txt"), "blind.py")
    assert result.code == 2
    assert "cannot write" in result.err


@pytest.mark.slow
def test_output_format_and_file_from_the_environment(tmp_path):
    write(tmp_path / "blind.py", BLIND)
    result = subprocess_run("check", "blind.py", cwd=tmp_path, env={"DDBLINT_OUTPUT_FORMAT": "json"})
    assert result.code == 1 and result.json()[0]["code"] == "DDB101"
    # the flag beats the environment
    result = subprocess_run("check", "--output-format", "concise", "blind.py", cwd=tmp_path,
                            env={"DDBLINT_OUTPUT_FORMAT": "json"})
    assert result.codes() == [("blind.py", 4, "DDB101")]
    result = subprocess_run("check", "blind.py", cwd=tmp_path,
                            env={"DDBLINT_OUTPUT_FORMAT": "json-lines", "DDBLINT_OUTPUT_FILE": "r.jsonl"})
    assert result.code == 1 and result.out == ""
    assert json.loads((tmp_path / "r.jsonl").read_text())["code"] == "DDB101"


def test_bad_output_format_from_the_environment_exits_2(tmp_path, ddblint_main, monkeypatch):
    write(tmp_path / "blind.py", BLIND)
    monkeypatch.setenv("DDBLINT_OUTPUT_FORMAT", "xml")
    result = ddblint_main("check", "blind.py")
    assert result.code == 2
    assert "xml" in result.err and "DDBLINT_OUTPUT_FORMAT" in result.err


def test_bad_output_format_flag_is_a_usage_error(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    with pytest.raises(SystemExit) as exit_info:
        ddblint_main("check", "--output-format", "xml", "blind.py")
    assert exit_info.value.code == 2


def test_findings_are_sorted_by_file_then_position(tmp_path, ddblint_main):
    write(tmp_path / "b.py", THREE)
    write(tmp_path / "a.py", BLIND)
    result = concise(ddblint_main, ".")
    assert result.codes() == [("a.py", 4, "DDB101"), ("b.py", 4, "DDB101"), ("b.py", 6, "DDB102"),
                              ("b.py", 8, "DDB103")]


# --- statistics --------------------------------------------------------------------------------


def test_statistics(tmp_path, ddblint_main):
    write(tmp_path / "a.py", BLIND)
    write(tmp_path / "b.py", THREE)
    result = ddblint_main("check", "--statistics", "a.py", "b.py")
    assert result.code == 1
    assert result.out == ("2\tDDB101\t[ ] update-without-version-guard\n"
                          "1\tDDB102\t[ ] put-without-guard\n"
                          "1\tDDB103\t[ ] version-guard-without-bump\n")
    assert result.err == "Found 4 findings in 2 checked files.\n"


def test_statistics_fixable_mark():
    def diagnostic(code, applicability=None):
        fix = Fix("add the guard", applicability) if applicability else None
        return Diagnostic(code, "m", "a.py", Location(1, 1), Location(1, 2), fix, name=f"name-{code}")

    text = cli.statistics([diagnostic("DDB101", "safe"), diagnostic("DDB101"), diagnostic("DDB102", "unsafe")])
    assert text == "2\tDDB101\t[*] name-DDB101\n1\tDDB102\t[ ] name-DDB102\n"


def test_statistics_clean_run(tmp_path, ddblint_main):
    write(tmp_path / "guarded.py", GUARDED)
    result = ddblint_main("check", "--statistics", "guarded.py")
    assert (result.code, result.out) == (0, "")


# --- selection ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args, expected", [
    ((), ["DDB101", "DDB102", "DDB103"]),
    (("--select", "DDB101"), ["DDB101"]),
    (("--select", "ddb101"), ["DDB101"]),
    # a prefix selects default-off rules too: DDB106 (h's guarded write has no handler)
    (("--select", "DDB1"), ["DDB101", "DDB102", "DDB103", "DDB106"]),
    (("--select", "DDB10"), ["DDB101", "DDB102", "DDB103", "DDB106"]),
    (("--select", "DDB2"), []),
    (("--select", "ALL"), ["DDB101", "DDB102", "DDB103", "DDB106"]),
    (("--select", "DDB101,DDB103"), ["DDB101", "DDB103"]),
    (("--select", "DDB101", "--select", "DDB103"), ["DDB101", "DDB103"]),
    (("--ignore", "DDB102"), ["DDB101", "DDB103"]),
    (("--ignore", "DDB1"), []),
    (("--select", "DDB102", "--extend-select", "DDB103"), ["DDB102", "DDB103"]),
    (("--select", "DDB1", "--ignore", "DDB101"), ["DDB102", "DDB103", "DDB106"]),
    # the more specific selector decides, whichever side it is on
    (("--select", "DDB101", "--ignore", "DDB1"), ["DDB101"]),
    (("--ignore", "DDB1", "--extend-select", "DDB102"), ["DDB102"]),
    # ignore wins a tie
    (("--select", "DDB101", "--ignore", "DDB101"), []),
])
def test_selection_on_the_command_line(tmp_path, ddblint_main, args, expected):
    write(tmp_path / "three.py", THREE)
    result = concise(ddblint_main, *args, "three.py")
    assert [c for _, _, c in result.codes()] == expected
    assert result.code == (1 if expected else 0)


@pytest.mark.parametrize("file_config, args, expected", [
    # the file's selection applies without flags
    ('select = ["DDB102"]', (), ["DDB102"]),
    ('ignore = ["DDB101"]', (), ["DDB102", "DDB103"]),
    # Ruff: `--select` replaces the file's whole selection, its `ignore` too
    ('ignore = ["DDB101"]', ("--select", "DDB101"), ["DDB101"]),
    ('select = ["DDB102"]\nextend-select = ["DDB103"]', ("--select", "DDB101"), ["DDB101"]),
    # Ruff: --extend-select / --ignore adjust the file's resolved selection
    ('select = ["DDB101", "DDB102"]\nignore = ["DDB102"]', ("--extend-select", "DDB103"), ["DDB101", "DDB103"]),
    ('select = ["DDB101"]', ("--ignore", "DDB1"), []),
    ('select = ["DDB101"]', ("--extend-select", "DDB102"), ["DDB101", "DDB102"]),
    ('select = ["DDB1"]', ("--ignore", "DDB103"), ["DDB101", "DDB102", "DDB106"]),
])
def test_command_line_selection_over_config(tmp_path, ddblint_main, file_config, args, expected):
    write(tmp_path / "pyproject.toml", "[tool.ddblint]\n" + file_config + "\n")
    write(tmp_path / "three.py", THREE)
    result = concise(ddblint_main, *args, "three.py")
    assert [c for _, _, c in result.codes()] == expected


def test_per_file_ignores_from_pyproject(tmp_path, ddblint_main):
    write(tmp_path / "pyproject.toml", '[tool.ddblint]\nper-file-ignores = { "tests/**" = ["DDB1"], "legacy.py" = ["DDB102"] }\n')
    write(tmp_path / "tests" / "test_app.py", THREE)
    write(tmp_path / "app.py", BLIND)
    write(tmp_path / "legacy.py", THREE)
    result = concise(ddblint_main, ".")
    assert result.codes() == [("app.py", 4, "DDB101"), ("legacy.py", 4, "DDB101"), ("legacy.py", 8, "DDB103")]
    # per-file-ignores still apply under a --select from the command line, as in Ruff
    result = concise(ddblint_main, "--select", "DDB102", ".")
    assert result.codes() == []
    assert result.code == 0


def test_nearest_config_wins(tmp_path, ddblint_main):
    write(tmp_path / "pyproject.toml", '[tool.ddblint]\nselect = ["DDB102"]\n')
    write(tmp_path / "sub" / "ddblint.toml", 'select = ["DDB103"]\n')
    write(tmp_path / "top.py", THREE)
    write(tmp_path / "sub" / "inner.py", THREE)
    result = concise(ddblint_main, ".")
    assert result.codes() == [(os.path.join("sub", "inner.py"), 8, "DDB103"), ("top.py", 6, "DDB102")]


# --- suppression -------------------------------------------------------------------------------

SUPPRESSION_CASES = {
    # name: (the call, whether DDB101 is still reported)
    "code on the first line of a multi-line call": (
        '    table.update_item(  # noqa: DDB101\n        Key={"pk": k},\n'
        '        UpdateExpression="SET a = :a",\n        ExpressionAttributeValues={":a": 1},\n    )\n', False),
    "another code": (
        '    table.update_item(  # noqa: DDB102\n        Key={"pk": k},\n'
        '        UpdateExpression="SET a = :a",\n        ExpressionAttributeValues={":a": 1},\n    )\n', True),
    "bare noqa": (
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})  # noqa\n',
        False),
    "case-insensitive": (
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})  # NOQA: ddb101\n',
        False),
    "other tools' codes too": (
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})  # noqa: E501, DDB101\n',
        False),
    "other tools' codes, no spaces": (
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})  #noqa:E501,DDB101\n',
        False),
    "after another comment": (
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})  # type: ignore  # noqa: DDB101\n',
        False),
    "only other tools' codes": (
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})  # noqa: E501\n',
        True),
    "a prefix is not a code": (
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})  # noqa: DDB1\n',
        True),
    "on a later line of the call": (
        '    table.update_item(\n        Key={"pk": k},  # noqa\n'
        '        UpdateExpression="SET a = :a",\n        ExpressionAttributeValues={":a": 1},\n    )\n', True),
    "on the closing line of the call": (
        '    table.update_item(\n        Key={"pk": k},\n'
        '        UpdateExpression="SET a = :a",\n        ExpressionAttributeValues={":a": 1},\n    )  # noqa: DDB101\n', True),
    "on the line above": (
        '    # noqa: DDB101\n'
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})\n', True),
    "inside a string literal": (
        '    table.update_item(Key={"pk": "# noqa"}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})\n',
        True),
    "inside a string literal with a code": (
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": "# noqa: DDB101"})\n',
        True),
}


@pytest.mark.parametrize("case", list(SUPPRESSION_CASES))
def test_line_suppression(tmp_path, ddblint_main, case):
    call, reported = SUPPRESSION_CASES[case]
    write(tmp_path / "s.py", HEADER + "def f(k):\n" + call)
    result = concise(ddblint_main, "s.py", "--ignore", "DDB001")  # DDB001 judges the comments: test_noqa.py
    row = 5 if call.startswith("    # noqa") else 4
    assert result.codes() == ([("s.py", row, "DDB101")] if reported else [])
    assert result.code == (1 if reported else 0)


def test_line_noqa_suppresses_only_its_own_line(tmp_path, ddblint_main):
    source = THREE.replace('ExpressionAttributeValues={":a": 1})\n', 'ExpressionAttributeValues={":a": 1})  # noqa: DDB101\n', 1)
    write(tmp_path / "s.py", source)
    assert [(r, c) for _, r, c in concise(ddblint_main, "s.py").codes()] == [(6, "DDB102"), (8, "DDB103")]


@pytest.mark.parametrize("directive, expected", [
    ("# ddblint: noqa", []),
    ("# ddblint: noqa: DDB101", ["DDB102", "DDB103"]),
    ("# DDBLINT: NOQA: ddb101, DDB103", ["DDB102"]),
    ("# ddblint: noqa: DDB101 DDB102", ["DDB103"]),
    ("# ddblint: noqa: DDB102", ["DDB101", "DDB103"]),
])
@pytest.mark.parametrize("where", ["top", "bottom"])
def test_file_level_suppression(tmp_path, ddblint_main, directive, expected, where):
    source = directive + "\n" + THREE if where == "top" else THREE + directive + "\n"
    write(tmp_path / "s.py", source)
    result = concise(ddblint_main, "s.py")
    assert [c for _, _, c in result.codes()] == expected
    assert result.code == (1 if expected else 0)


def test_file_level_directive_inside_a_string_does_not_count(tmp_path, ddblint_main):
    write(tmp_path / "s.py", 'DOC = """\n# ddblint: noqa\n"""\n' + BLIND)
    assert [c for _, _, c in concise(ddblint_main, "s.py").codes()] == ["DDB101"]


def test_flake8_style_file_noqa_is_not_a_ddblint_file_directive(tmp_path, ddblint_main):
    # `# flake8: noqa` on its own line is not `# ddblint: noqa` (and not a line noqa for row 4)
    write(tmp_path / "s.py", "# ruff: noqa: E501\n" + BLIND)
    assert [c for _, _, c in concise(ddblint_main, "s.py").codes()] == ["DDB101"]


# --- standard input ----------------------------------------------------------------------------


@pytest.mark.slow
def test_stdin_with_dash_uses_the_stdin_filename(tmp_path):
    result = subprocess_run("check", "--output-format", "concise", "--stdin-filename", "app/x.py", "-",
                            cwd=tmp_path, stdin=BLIND.encode())
    assert result.code == 1
    assert result.codes() == [("app/x.py", 4, "DDB101")]
    assert result.err == "Found 1 finding in 1 checked file.\n"


@pytest.mark.slow
def test_stdin_filename_alone_reads_stdin(tmp_path):
    write(tmp_path / "app" / "x.py", GUARDED)  # the file on disk is not what is checked
    result = subprocess_run("check", "--output-format", "concise", "--stdin-filename", "app/x.py",
                            cwd=tmp_path, stdin=BLIND.encode())
    assert result.code == 1 and result.codes() == [("app/x.py", 4, "DDB101")]


@pytest.mark.slow
def test_stdin_dash_alone(tmp_path):
    result = subprocess_run("check", "--output-format", "concise", "-", cwd=tmp_path, stdin=BLIND.encode())
    assert result.code == 1 and result.codes() == [("-", 4, "DDB101")]
    clean = subprocess_run("check", "-", cwd=tmp_path, stdin=GUARDED.encode())
    assert (clean.code, clean.out, clean.err) == (0, "", "All checks passed!\n")


@pytest.mark.slow
def test_stdin_json_filename(tmp_path):
    result = subprocess_run("check", "--output-format", "json", "--stdin-filename", "app/x.py", "-",
                            cwd=tmp_path, stdin=BLIND.encode())
    item = result.json()[0]
    assert os.path.realpath(item["filename"]) == os.path.realpath(tmp_path / "app" / "x.py")
    assert item["location"] == {"row": 4, "column": 5}


@pytest.mark.slow
def test_stdin_uses_the_configuration_of_the_path_per_file_ignores(tmp_path):
    write(tmp_path / "proj" / "pyproject.toml", '[tool.ddblint]\nper-file-ignores = { "tests/**" = ["DDB1"] }\n')
    ignored = subprocess_run("check", "--stdin-filename", "proj/tests/test_x.py", "-", cwd=tmp_path,
                             stdin=BLIND.encode())
    assert (ignored.code, ignored.out) == (0, "")
    checked = subprocess_run("check", "--output-format", "concise", "--stdin-filename", "proj/app.py", "-",
                             cwd=tmp_path, stdin=BLIND.encode())
    assert checked.code == 1 and checked.codes() == [("proj/app.py", 4, "DDB101")]
    # relative to the config file's directory, wherever ddblint runs from
    (tmp_path / "proj" / "tests").mkdir()
    inner = subprocess_run("check", "--stdin-filename", "test_x.py", cwd=tmp_path / "proj" / "tests",
                           stdin=BLIND.encode())
    assert (inner.code, inner.out) == (0, "")


@pytest.mark.slow
def test_stdin_uses_the_table_registry_of_the_path(tmp_path):
    write(tmp_path / "regional" / "ddblint.toml", '[tables.t]\nmode = "single-region"\n')
    write(tmp_path / "global" / "ddblint.toml", '[tables.t]\nmode = "global"\n')
    single = subprocess_run("check", "--stdin-filename", "regional/x.py", cwd=tmp_path, stdin=BLIND.encode())
    assert (single.code, single.out) == (0, "")
    global_ = subprocess_run("check", "--output-format", "concise", "--stdin-filename", "global/x.py",
                             cwd=tmp_path, stdin=BLIND.encode())
    assert global_.code == 1 and global_.codes() == [("global/x.py", 4, "DDB101")]


@pytest.mark.slow
def test_stdin_with_force_exclude_skips_an_excluded_path(tmp_path):
    write(tmp_path / "ddblint.toml", 'extend-exclude = ["generated"]\n')
    skipped = subprocess_run("check", "--force-exclude", "--stdin-filename", "generated/x.py", "-",
                             cwd=tmp_path, stdin=BLIND.encode())
    assert (skipped.code, skipped.out) == (0, "")
    linted = subprocess_run("check", "--stdin-filename", "generated/x.py", "-", cwd=tmp_path, stdin=BLIND.encode())
    assert linted.code == 1


def test_dash_mixed_with_paths_is_a_usage_error(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    result = ddblint_main("check", "-", "blind.py")
    assert result.code == 2 and "standard input" in result.err


@pytest.mark.slow
def test_stdin_syntax_error(tmp_path):
    result = subprocess_run("check", "--output-format", "concise", "--stdin-filename", "x.py",
                            cwd=tmp_path, stdin=b"x = (\nupdate_item\n")
    assert result.code == 1
    assert result.codes() == [("x.py", 1, "DDB000")]


# --- files that cannot be checked --------------------------------------------------------------


def test_syntax_error_is_one_ddb000_and_other_files_are_checked(tmp_path, ddblint_main):
    write(tmp_path / "a_broken.py", 'def f(k):\n    table.update_item(Key={"pk": k}\n')
    write(tmp_path / "b_blind.py", BLIND)
    write(tmp_path / "c_clean.py", GUARDED)
    result = ddblint_main("check", "--output-format", "json", ".")
    assert result.code == 1
    data = result.json()
    assert [(d["code"], os.path.basename(d["filename"])) for d in data] == [("DDB000", "a_broken.py"),
                                                                         ("DDB101", "b_blind.py")]
    broken = data[0]
    # Python's message and position: the bracket that is never closed
    assert broken["message"] == "syntax error: '(' was never closed"
    assert broken["location"] == {"row": 2, "column": len("    table.update_item(")}
    assert result.err == "Found 2 findings in 3 checked files.\n"
    text = concise(ddblint_main, "a_broken.py")
    assert text.out == "a_broken.py:2:22: DDB000 syntax error: '(' was never closed\n"


def test_syntax_error_row_and_column(tmp_path, ddblint_main):
    write(tmp_path / "bad.py", "import boto3\ndef update_item(:\n    pass\n")
    data = ddblint_main("check", "--output-format", "json", "bad.py").json()
    assert len(data) == 1 and data[0]["code"] == "DDB000"
    assert data[0]["location"]["row"] == 2
    assert data[0]["message"].startswith("syntax error: ")
    assert "Syntax Error @" not in data[0]["message"]


def test_syntax_error_full_format_shows_the_line(tmp_path, ddblint_main):
    write(tmp_path / "bad.py", "x = (\nupdate_item\n")
    lines = ddblint_main("check", "bad.py").lines
    assert lines[0] == "bad.py:1:5: DDB000 syntax error: '(' was never closed"
    assert lines[2] == "1 | x = ("
    assert lines[3] == "  |     ^ DDB000"


def test_undecodable_file_is_ddb000_cannot_decode(tmp_path, ddblint_main):
    write(tmp_path / "latin.py", b"# update_item\nname = '\xe9t\xe9'\n")
    write(tmp_path / "blind.py", BLIND)
    result = concise(ddblint_main, "latin.py", "blind.py")
    assert result.code == 1
    assert result.codes() == [("blind.py", 4, "DDB101"), ("latin.py", 1, "DDB000")]
    assert "latin.py:1:1: DDB000 cannot decode the file" in result.out


def test_file_with_a_coding_cookie_is_decoded(tmp_path, ddblint_main):
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + BLIND
    write(tmp_path / "latin.py", source, encoding="latin-1")
    assert concise(ddblint_main, "latin.py").codes() == [("latin.py", 6, "DDB101")]


def test_utf8_bom_is_accepted(tmp_path, ddblint_main):
    write(tmp_path / "bom.py", b"\xef\xbb\xbf" + BLIND.encode())
    result = ddblint_main("check", "--output-format", "json", "bom.py")
    assert result.json()[0]["location"] == {"row": 4, "column": 5}


def test_nonexistent_path_is_ddb000_and_the_run_goes_on(tmp_path, ddblint_main):
    write(tmp_path / "blind.py", BLIND)
    result = concise(ddblint_main, "missing.py", "blind.py")
    assert result.code == 1
    assert result.codes() == [("blind.py", 4, "DDB101"), ("missing.py", 1, "DDB000")]
    assert "missing.py:1:1: DDB000 No such file or directory" in result.lines
    only_missing = concise(ddblint_main, "missing_dir")
    assert only_missing.code == 1 and only_missing.codes() == [("missing_dir", 1, "DDB000")]


def test_file_without_trigger_words_is_not_parsed(tmp_path, ddblint_main):
    write(tmp_path / "broken_but_irrelevant.py", "def f(:\n")
    assert ddblint_main("check", "broken_but_irrelevant.py").code == 0


def test_unicode_column_is_in_code_points(tmp_path, ddblint_main):
    source = HEADER + 'def f(k):\n    é = 1; table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": "ü"})\n'
    write(tmp_path / "u.py", source)
    item = ddblint_main("check", "--output-format", "json", "u.py").json()[0]
    assert item["location"] == {"row": 4, "column": 12}
    assert item["end_location"] == {"row": 4, "column": len(source.splitlines()[3]) + 1}


# --- discovery ---------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()  # the top of the repository: no parent .gitignore counts
    write(tmp_path / ".gitignore", "ignored.py\ngenerated/\n")
    for name in ("app.py", "ignored.py", "generated/gen.py", ".venv/lib/site.py", "build/out.py",
                 "pkg/mod.py", "pkg/stub.pyi", "notes.txt"):
        write(tmp_path / name, BLIND)
    return tmp_path


def test_walk_skips_gitignored_and_default_excluded(repo, ddblint_main):
    result = concise(ddblint_main, ".")
    assert sorted(f for f, _, _ in result.codes()) == ["app.py", os.path.join("pkg", "mod.py"),
                                                      os.path.join("pkg", "stub.pyi")]


def test_no_respect_gitignore(repo, ddblint_main):
    result = concise(ddblint_main, "--no-respect-gitignore", ".")
    files = sorted(f for f, _, _ in result.codes())
    assert "ignored.py" in files and os.path.join("generated", "gen.py") in files
    assert os.path.join(".venv", "lib", "site.py") not in files


def test_explicit_paths_are_linted_even_when_excluded(repo, ddblint_main):
    venv_file = os.path.join(".venv", "lib", "site.py")
    result = concise(ddblint_main, venv_file, "ignored.py", "notes.txt")
    assert sorted(f for f, _, _ in result.codes()) == [venv_file, "ignored.py", "notes.txt"]
    # an explicitly given excluded directory is walked
    result = concise(ddblint_main, "build")
    assert [f for f, _, _ in result.codes()] == [os.path.join("build", "out.py")]


def test_force_exclude_skips_explicit_excluded_files(repo, ddblint_main):
    write(repo / "ddblint.toml", 'extend-exclude = ["legacy_*.py"]\n')
    write(repo / "legacy_orders.py", BLIND)
    venv_file = os.path.join(".venv", "lib", "site.py")
    result = concise(ddblint_main, "--force-exclude", venv_file, os.path.join("build", "out.py"),
                     "legacy_orders.py", "app.py")
    assert result.codes() == [("app.py", 4, "DDB101")]
    only_excluded = concise(ddblint_main, "--force-exclude", "legacy_orders.py")
    assert (only_excluded.code, only_excluded.out) == (0, "")
    without = concise(ddblint_main, "legacy_orders.py")
    assert without.codes() == [("legacy_orders.py", 4, "DDB101")]


def test_exclude_flags(repo, ddblint_main):
    result = concise(ddblint_main, "--extend-exclude", "pkg", ".")
    assert [f for f, _, _ in result.codes()] == ["app.py"]
    result = concise(ddblint_main, "--exclude", "app.py", ".")
    assert sorted(f for f, _, _ in result.codes()) == [os.path.join("pkg", "mod.py"), os.path.join("pkg", "stub.pyi")]


# --- ddblint rule ------------------------------------------------------------------------------


def test_rule_prints_markdown(ddblint_main):
    result = ddblint_main("rule", "DDB101")
    assert result.code == 0 and result.err == ""
    assert result.lines[0] == "# update-without-version-guard (DDB101)"
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in result.lines
    assert "```python" in result.lines
    # the examples are shown without the test markers
    assert "# expect:" not in result.out


def test_rule_by_name_and_lowercase_code(ddblint_main):
    by_code = ddblint_main("rule", "DDB101").out
    assert ddblint_main("rule", "update-without-version-guard").out == by_code
    assert ddblint_main("rule", "ddb101").out == by_code


def test_rule_all(ddblint_main):
    result = ddblint_main("rule", "--all")
    assert result.code == 0
    titles = [line for line in result.lines if line.startswith("# ")]
    assert titles == [f"# {rule.name} ({code})" for code, rule in registry.all_rules().items()]


def test_rule_json(ddblint_main):
    item = json.loads(ddblint_main("rule", "DDB101", "--output-format", "json").out)
    assert {"code", "name", "summary", "explanation", "fix_availability"} <= set(item)
    assert item["code"] == "DDB101" and item["name"] == "update-without-version-guard"
    assert "## What it does" in item["explanation"]
    everything = json.loads(ddblint_main("rule", "--all", "--output-format", "json").out)
    assert isinstance(everything, list)
    assert [r["code"] for r in everything] == list(registry.all_rules())
    assert all({"code", "name", "summary", "explanation", "fix_availability"} <= set(r) for r in everything)


def test_rule_unknown_exits_2(ddblint_main):
    for args in (("rule", "DDB999"), ("rule", "no-such-rule"), ("rule",)):
        result = ddblint_main(*args)
        assert result.code == 2 and result.out == ""
        assert result.err.startswith("ddblint: error: ")


# --- the program -------------------------------------------------------------------------------


@pytest.mark.slow
def test_python_m_version(tmp_path):
    result = subprocess_run("--version", cwd=tmp_path)
    assert result.code == 0
    assert result.out.strip() == f"ddblint {ddblint.__version__}"


@pytest.mark.slow
def test_python_m_check_end_to_end(tmp_path):
    write(tmp_path / "blind.py", BLIND)
    write(tmp_path / "guarded.py", GUARDED)
    result = subprocess_run("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert result.code == 1
    assert result.codes() == [("blind.py", 4, "DDB101")]
    assert result.err == "Found 1 finding in 2 checked files.\n"
    usage = subprocess_run("check", "--select", "DDB999", ".", cwd=tmp_path)
    assert usage.code == 2 and usage.out == ""
    bad_flag = subprocess_run("check", "--no-such-flag", cwd=tmp_path)
    assert bad_flag.code == 2 and "usage:" in bad_flag.err


def test_no_command_prints_help(ddblint_main):
    result = ddblint_main()
    assert result.code == 0 and "check" in result.out and "rule" in result.out


@pytest.mark.slow
def test_syntax_error_report_has_no_python_warnings(tmp_path):
    write(tmp_path / "bad.py", 'import re\nPATTERN = "\\d+"\ndef f(:\n    update_item()\n')
    result = subprocess_run("check", "--output-format", "concise", "bad.py", cwd=tmp_path,
                            env={"PYTHONWARNINGS": "always"})
    assert result.code == 1 and result.codes() == [("bad.py", 3, "DDB000")]
    assert "Warning" not in result.err


def test_isolated_ignores_configuration_files(tmp_path, ddblint_main):
    write(tmp_path / "pyproject.toml", '[tool.ddblint]\nignore = ["DDB101"]\n')
    write(tmp_path / "a.py", BLIND)
    assert concise(ddblint_main, "a.py").codes() == []
    assert concise(ddblint_main, "--isolated", "a.py").codes() == [("a.py", 4, "DDB101")]
    # KEY = VALUE overrides still apply, as in Ruff
    assert concise(ddblint_main, "--isolated", "--config", 'ignore = ["DDB1"]', "a.py").codes() == []
    run = concise(ddblint_main, "--isolated", "--config", "pyproject.toml", "a.py")
    assert run.code == 2 and "--isolated" in run.err
