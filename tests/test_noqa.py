"""Unit tests of the suppression-comment parser (ddblint.noqa); end-to-end cases are in test_cli.py."""
import pytest
from conftest import ddblint_process, make_tree

from ddblint import noqa


@pytest.mark.parametrize("source, row, codes", [
    ("x = 1  # noqa\n", 1, None),
    ("x = 1  # NoQA\n", 1, None),
    ("x = 1  #noqa\n", 1, None),
    ("x = 1  # noqa: DDB101\n", 1, {"DDB101"}),
    ("x = 1  # noqa: ddb101\n", 1, {"DDB101"}),
    ("x = 1  # noqa:DDB101,DDB102\n", 1, {"DDB101", "DDB102"}),
    ("x = 1  # noqa: E501, DDB101\n", 1, {"E501", "DDB101"}),
    ("x = 1  # noqa: DDB101 DDB102\n", 1, {"DDB101", "DDB102"}),
    ("x = 1  # noqa: DDB101 - the reason\n", 1, {"DDB101"}),
    ("x = 1  # type: ignore  # noqa: DDB101\n", 1, {"DDB101"}),
    ("\n\nx = 1  # noqa: DDB104\n", 3, {"DDB104"}),
])
def test_line_directives(source, row, codes):
    found = noqa.parse(source)
    assert found.lines == {row: None if codes is None else frozenset(codes)}
    assert not found.file_all and not found.file_codes


def test_suppresses():
    found = noqa.parse("a = 1  # noqa: DDB101\nb = 2  # noqa\nc = 3\n")
    assert found.suppresses("DDB101", 1)
    assert not found.suppresses("DDB102", 1)
    assert found.suppresses("DDB102", 2)
    assert not found.suppresses("DDB101", 3)
    assert not found.suppresses("DDB101", None)


@pytest.mark.parametrize("source", [
    'x = "# noqa"\n',
    "x = '# noqa: DDB101'\n",
    's = """\n# noqa\n"""\n',
    's = """\n# ddblint: noqa\n"""\n',
    "x = 1  # no qa\n",
    "x = 1\n",
])
def test_not_a_directive(source):
    found = noqa.parse(source)
    assert found.lines == {} and not found.file_all and found.file_codes == frozenset()


@pytest.mark.parametrize("source, file_all, codes", [
    ("# ddblint: noqa\n", True, set()),
    ("# DDBLINT: NOQA\n", True, set()),
    ("import x\n\n# ddblint: noqa\n", True, set()),
    ("# ddblint: noqa: DDB101\n", False, {"DDB101"}),
    ("# ddblint:noqa:ddb101,DDB102\n", False, {"DDB101", "DDB102"}),
    ("# ddblint: noqa: DDB101\n# ddblint: noqa: DDB204\n", False, {"DDB101", "DDB204"}),
])
def test_file_directives(source, file_all, codes):
    found = noqa.parse(source)
    assert found.file_all is file_all
    assert found.file_codes == frozenset(codes)
    assert found.lines == {}
    assert found.suppresses("DDB101", 42) is (file_all or "DDB101" in codes)
    assert found.suppresses("DDB103", None) is file_all


def test_flake8_and_ruff_file_directives_are_not_ddblint_ones():
    for directive in ("# flake8: noqa\n", "# ruff: noqa\n", "# ruff: noqa: DDB101\n"):
        found = noqa.parse(directive)
        assert not found.file_all and found.file_codes == frozenset()


def test_untokenizable_source_falls_back_to_lines():
    # an unterminated triple-quoted string: tokenize fails, the directive on line 1 still counts
    found = noqa.parse('x = 1  # noqa: DDB101\ns = """\n')
    assert found.lines.get(1) == frozenset({"DDB101"})


def test_file_directive_must_stand_on_its_own_line():
    from ddblint import noqa

    assert not noqa.parse("x = 1  # ddblint: noqa\n").file_all
    assert noqa.parse("  # ddblint: noqa\nx = 1\n").file_all


# -- DDB001 unused-noqa, end to end ----------------------------------------------------------------
def _run(tmp_path, *args):
    return ddblint_process("check", "--no-cache", "--output-format", "concise", *args, cwd=tmp_path)


STALE = '''import boto3

table = boto3.resource("dynamodb").Table("t")


def f(k):
    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})  # noqa: DDB101
    table.get_item(Key={"pk": k})  # noqa: DDB101, E501 - reviewed
    return 1  # noqa: DDB302
'''


@pytest.mark.slow
def test_unused_noqa_end_to_end_and_its_fix(tmp_path):
    make_tree(tmp_path, {"pyproject.toml": "[tool.ddblint]\n", "app.py": STALE}, dedent=False)
    run = _run(tmp_path, "app.py")
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines() == [
        "app.py:8:36: DDB001 Unused `noqa` directive (unused: `DDB101`)",
        "app.py:9:15: DDB001 Unused `noqa` directive (unused: `DDB302`)",
    ]
    # with only DDB1 selected, DDB302 cannot be judged: it is left alone
    run = _run(tmp_path, "app.py", "--select", "DDB1,DDB001")
    assert run.stdout.splitlines() == ["app.py:8:36: DDB001 Unused `noqa` directive (unused: `DDB101`)"]
    run = _run(tmp_path, "app.py", "--fix")
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "app.py").read_text() == STALE.replace(
        "  # noqa: DDB101, E501 - reviewed", "  # noqa: E501 - reviewed").replace("return 1  # noqa: DDB302", "return 1")
    # the used suppression of the blind update stays, and still suppresses it
    assert "update_item" in (tmp_path / "app.py").read_text().splitlines()[6]
    assert (tmp_path / "app.py").read_text().splitlines()[6].endswith("# noqa: DDB101")
