"""Hostile inputs (issue 9): whatever a repository holds, ddblint degrades one file at a time.

Every case checks that the file gets one clear line naming it (DDB000 for a file that cannot be
analysed), that the other files are still checked, that the exit code follows SPEC §6 (0 no
findings, 1 findings, 2 usage/configuration/internal error), and that no traceback reaches the
user without `--verbose`. Inputs that once crashed the process run in a subprocess, so that a
regression fails one test instead of killing the test run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ddblint import cli, config, engine, files, parsing, registry
from ddblint import rule as rule_interface
from ddblint.rule import Finding, Rule

HEADER = 'import boto3\ntable = boto3.resource("dynamodb").Table("t")\n'
CALL = 'table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})'
BLIND = HEADER + "def f(k):\n    " + CALL + "\n"  # DDB101 at 4:5
MESSAGE = "DDB101 UpdateItem on `t` has no version condition"


@pytest.fixture(autouse=True)
def _fresh_config_cache(monkeypatch):
    monkeypatch.delenv("DDBLINT_OUTPUT_FORMAT", raising=False)
    monkeypatch.delenv("DDBLINT_OUTPUT_FILE", raising=False)
    monkeypatch.delenv("DDBLINT_MAX_FILE_SIZE", raising=False)
    config.clear_cache()
    yield
    config.clear_cache()


def write(path: Path, content) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


class Run:
    def __init__(self, code: int, out: str, err: str, verbose: bool = False) -> None:
        self.code, self.out, self.err = code, out, err
        if not verbose:
            assert "Traceback" not in err, err
        assert "Traceback" not in out, out

    def findings(self):
        """(file, row, column, code) of each concise line."""
        found = []
        for text in self.out.splitlines():
            parts = text.split(":", 3)
            if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
                found.append((parts[0], int(parts[1]), int(parts[2]), parts[3].split()[0]))
        return found

    def codes(self):
        return [(name, row, code) for name, row, _, code in self.findings()]

    def line(self, filename: str) -> str:
        """The one DDB000 line of `filename` (or its one line)."""
        lines = [text for text in self.out.splitlines() if text.startswith(filename + ":")]
        if len(lines) > 1:
            lines = [text for text in lines if " DDB000 " in text]
        assert len(lines) == 1, (filename, self.out)
        return lines[0]


@pytest.fixture
def ddblint(tmp_path, monkeypatch, capsys):
    """`ddblint check --output-format concise ARGS` in-process, in `tmp_path`."""
    def run(*args: str, fmt: str = "concise") -> Run:
        monkeypatch.chdir(tmp_path)
        capsys.readouterr()
        code = cli.main(["check", "--output-format", fmt, *args])
        out, err = capsys.readouterr()
        return Run(code, out, err, verbose="-v" in args)
    return run


def ddblint_process(*args: str, cwd: Path, env=None, stdin: bytes = b"", timeout: float = 120) -> Run:
    """The real command in a child process (a crash of the interpreter fails only this test)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DDBLINT_")}
    environment.update(env or {})
    done = subprocess.run([sys.executable, "-m", "ddblint", "check", "--output-format", "concise", *args],
                          cwd=cwd, input=stdin, capture_output=True, env=environment, timeout=timeout)
    assert done.returncode >= 0, f"killed by signal {-done.returncode}: {done.stderr.decode(errors='replace')[-2000:]}"
    return Run(done.returncode, done.stdout.decode("utf-8", "surrogateescape"),
               done.stderr.decode("utf-8", "surrogateescape"), verbose="-v" in args)


# -- files that do not parse -------------------------------------------------------------------

SYNTAX_ERRORS = {
    "unclosed_paren": "x = (1,\n",
    "unclosed_bracket_at_eof": "x = [1, 2",
    "unterminated_string": "x = 'abc\n",
    "unterminated_triple_string": 'x = """abc\n\n',
    "unterminated_fstring": "x = f'{1 + }'\n",
    "unexpected_indent": "x = 1\n    y = 2\n",
    "unindent_mismatch": "if x:\n        y = 1\n    z = 2\n",
    "missing_block": "def f():\nx = 1\n",
    "stray_else": "else:\n    pass\n",
    "double_equals_assign": "x = = 1\n",
    "bad_token": "x = 1 $ 2\n",
    "bad_def": "def f(:\n    pass\n",
    "walrus_in_def_default": "def f(a=b:=1):\n    pass\n",
    "incomplete_at_eof": "x =",
    "lone_backslash": "x = 1 \\",
    "tab_space_mix": "if x:\n\ty = 1\n        z = 2\n",
    "keyword_as_name": "class = 1\n",
    "unbalanced_close": "x = 1)\n",
    "decorator_without_def": "@dec\nx = 1\n",
    "invalid_unicode_identifier": "x\u20ac = 1\n",
}


@pytest.mark.parametrize("name", sorted(SYNTAX_ERRORS))
def test_syntax_errors_are_one_ddb000_and_the_rest_is_checked(tmp_path, ddblint, name):
    write(tmp_path / "bad.py", BLIND + SYNTAX_ERRORS[name])
    write(tmp_path / "good.py", BLIND)
    result = ddblint(".")
    assert result.code == 1
    assert ("good.py", 4, "DDB101") in result.codes()
    assert [c[2] for c in result.codes() if c[0] == "bad.py"] == ["DDB000"]
    assert " DDB000 syntax error: " in result.line("bad.py")


@pytest.mark.parametrize("source, hint", [
    ('print "hello"\n', "Missing parentheses in call to 'print'"),
    ('exec "x = 1"\n', "Missing parentheses in call to 'exec'"),
    ("x = `1`\n", "syntax error"),
    ("x = 0777\n", "syntax error"),
    ("if 1 <> 2:\n    pass\n", "syntax error"),
    ("x = ur'abc'\n", "syntax error"),
    ("raise E, 'message'\n", "syntax error"),
], ids=["print", "exec", "backticks", "octal", "diamond", "ur_prefix", "raise_comma"])
def test_python_2_code_is_ddb000(tmp_path, ddblint, source, hint):
    write(tmp_path / "legacy.py", BLIND + source)
    write(tmp_path / "good.py", BLIND)
    result = ddblint(".")
    assert result.code == 1
    assert result.line("legacy.py").split(": ", 1)[1].startswith("DDB000 syntax error")
    assert hint in result.line("legacy.py")
    assert ("good.py", 4, "DDB101") in result.codes()


# -- encodings, BOM, line endings, NUL ---------------------------------------------------------

def test_latin_1_cookie_decodes_and_lints(tmp_path, ddblint):
    source = "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n" + BLIND
    write(tmp_path / "latin.py", source.encode("latin-1"))
    assert ddblint(".").codes() == [("latin.py", 6, "DDB101")]


@pytest.mark.parametrize("data, where", [
    (b"# update_item\nname = '\xe9t\xe9'\n", "at 2:9"),                   # in the first two lines
    (BLIND.encode() + b"\n\nname = '\xff'\n", "at 7:9"),                  # further down
    (b"\xef\xbb\xbf" + BLIND.encode() + b"x = '\xc3'\n", "at 5:6"),        # after a BOM
], ids=["early", "late", "bom"])
def test_undecodable_bytes_without_cookie_are_ddb000_cannot_decode(tmp_path, ddblint, data, where):
    write(tmp_path / "bytes.py", data)
    write(tmp_path / "good.py", BLIND)
    result = ddblint(".")
    assert result.code == 1
    line = result.line("bytes.py")
    assert line.startswith("bytes.py:1:1: DDB000 cannot decode the file: not valid UTF-8: byte 0x"), line
    assert where in line
    assert ("good.py", 4, "DDB101") in result.codes()


@pytest.mark.parametrize("data, message", [
    (b"# -*- coding: klingon -*-\n" + BLIND.encode(), "unknown encoding: klingon"),
    (b"\xef\xbb\xbf# -*- coding: latin-1 -*-\n" + BLIND.encode(), "encoding problem"),
    (b"# -*- coding: rot13 -*-\n" + BLIND.encode(), "cannot decode the file"),
    (b"# -*- coding: ascii -*-\n" + BLIND.encode() + b"x = '\xe9'\n", "not valid ascii: byte 0xe9 at 6:6"),
], ids=["unknown", "bom_and_cookie_disagree", "not_a_text_encoding", "cookie_ascii"])
def test_bad_coding_cookies_are_ddb000(tmp_path, ddblint, data, message):
    write(tmp_path / "cookie.py", data)
    result = ddblint(".")
    assert result.code == 1
    assert " DDB000 cannot decode the file" in result.line("cookie.py")
    assert message in result.line("cookie.py")


def test_utf8_bom_lints_with_the_same_positions(tmp_path, ddblint):
    write(tmp_path / "plain.py", BLIND)
    write(tmp_path / "bom.py", b"\xef\xbb\xbf" + BLIND.encode())
    result = ddblint(".")
    assert [f[1:] for f in result.findings()] == [(4, 5, "DDB101")] * 2
    full = ddblint("bom.py", fmt="full")
    assert "4 |     table.update_item(" in full.out and "\ufeff" not in full.out


@pytest.mark.parametrize("newline", ["\r\n", "\r", "mixed"], ids=["crlf", "cr", "mixed"])
def test_line_endings_keep_positions(tmp_path, ddblint, newline):
    lines = (HEADER + "def f(k):\n    x = 1\n    " + CALL + "\n").splitlines()
    if newline == "mixed":
        text = "".join(line + ("\r\n", "\n", "\r")[i % 3] for i, line in enumerate(lines))
    else:
        text = "".join(line + newline for line in lines)
    write(tmp_path / "endings.py", text.encode())
    result = ddblint(".")
    assert result.findings() == [("endings.py", 5, 5, "DDB101")]
    full = ddblint(".", fmt="full")
    assert "5 |     table.update_item(" in full.out


def test_nul_byte_is_ddb000_at_its_position(tmp_path, ddblint):
    write(tmp_path / "nul.py", BLIND.encode() + b"x = 1\x00\n")
    write(tmp_path / "good.py", BLIND)
    result = ddblint(".")
    assert result.code == 1
    assert result.line("nul.py") == "nul.py:5:6: DDB000 syntax error: source code cannot contain null bytes"
    assert ("good.py", 4, "DDB101") in result.codes()


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n\n", b"# dynamodb update_item\n", b"\r\n"],
                         ids=["empty", "bom_only", "newlines", "comment_only", "crlf_only"])
def test_empty_files_pass(tmp_path, ddblint, data):
    write(tmp_path / "empty.py", data)
    result = ddblint(".")
    assert (result.code, result.out) == (0, "")
    assert "All checks passed!" in result.err


@pytest.mark.slow
def test_nul_bytes_through_standard_input(tmp_path):
    result = ddblint_process("--stdin-filename", "app.py", "-", cwd=tmp_path, stdin=BLIND.encode() + b"\x00")
    assert result.code == 1
    assert result.out == "app.py:5:1: DDB000 syntax error: source code cannot contain null bytes\n"


# -- size ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_20_mb_module_is_skipped_above_the_size_limit(tmp_path):
    chunk = "def f%d(k):\n    " + CALL + "\n    return [1, 2, 3, {'a': 'b' * 10}]\n"
    body = "".join(chunk % i for i in range(20 * 1024 * 1024 // len(chunk) + 1))
    size = len(write(tmp_path / "generated.py", HEADER + body).read_bytes())
    write(tmp_path / "generated_other.py", "x = 1\n" * (20 * 1024 * 1024 // 6))  # no DynamoDB: prefiltered
    write(tmp_path / "good.py", BLIND)
    started = time.monotonic()
    result = ddblint_process(".", cwd=tmp_path)
    assert time.monotonic() - started < 60
    assert result.code == 1
    assert result.line("generated.py") == (
        f"generated.py:1:1: DDB000 file too large to analyse: {size / 1024 / 1024:.1f} MiB, above the limit of "
        "1.0 MiB (DDBLINT_MAX_FILE_SIZE)")
    assert result.codes() == [("generated.py", 1, "DDB000"), ("good.py", 4, "DDB101")]


@pytest.mark.slow
def test_size_limit_comes_from_the_environment(tmp_path):
    write(tmp_path / "app.py", BLIND)
    small = ddblint_process(".", cwd=tmp_path, env={"DDBLINT_MAX_FILE_SIZE": "100"})
    assert small.out.startswith("app.py:1:1: DDB000 file too large to analyse: ")
    assert "above the limit of 100 bytes" in small.out
    unlimited = ddblint_process(".", cwd=tmp_path, env={"DDBLINT_MAX_FILE_SIZE": "0"})
    assert unlimited.codes() == [("app.py", 4, "DDB101")]


@pytest.mark.slow
def test_very_long_lines(tmp_path, ddblint):
    prefix = "    data = [" + ", ".join(str(i) for i in range(40_000)) + "]; "
    write(tmp_path / "long.py", HEADER + "def f(k):\n" + prefix + CALL + "\n")
    write(tmp_path / "long_string.py", HEADER + "s = '" + "x" * 500_000 + "'\ndef f(k):\n    " + CALL + "\n")
    started = time.monotonic()
    result = ddblint(".")
    assert time.monotonic() - started < 60
    assert result.findings() == [("long.py", 4, len(prefix) + 1, "DDB101"), ("long_string.py", 5, 5, "DDB101")]


# -- nesting ------------------------------------------------------------------------------------
# LibCST's native parser has no depth limit: it overflows the C stack, a segmentation fault,
# at about 1,250 nested brackets or a few thousand nested `not`s, lambdas or elifs.

def _nested(kind: str, n: int) -> str:
    expressions = {
        "parens": "(" * n + "1" + ")" * n,
        "lists": "[" * n + "]" * n,
        "dicts": "{'a': " * n + "1" + "}" * n,
        "calls": "f(" * n + "1" + ")" * n,
        "unclosed": "(" * n,
        "fstring": "f'{" + "(" * n + "1" + ")" * n + "}'",
        "not": "not " * n + "y",
        "minus": "-" * n + "y",
        "tilde": "~" * n + "y",
        "lambda": "lambda: " * n + "1",
        "ternary": "a if b else " * n + "c",
        "power": " ** ".join(["a"] * n),
        "plus": " + ".join(["a"] * n),
        "and": " and ".join(["a"] * n),
        "attribute": "a" + ".b" * n,
        "subscript": "a" + "[0]" * n,
        "call_chain": "a" + "()" * n,
        "strings": " ".join(["'a'"] * n),
    }
    if kind == "elif":
        return BLIND + "if a == 0:\n    pass\n" + "".join(f"elif a == {i}:\n    pass\n" for i in range(1, n))
    return BLIND + "x = " + expressions[kind] + "\n"


NESTED_KINDS = ["parens", "lists", "dicts", "calls", "unclosed", "fstring", "not", "minus", "tilde", "lambda",
                "ternary", "power", "plus", "and", "attribute", "subscript", "call_chain", "strings", "elif"]


@pytest.mark.slow
def test_code_nested_thousands_deep_is_ddb000_not_a_crash(tmp_path):
    for kind in NESTED_KINDS:
        write(tmp_path / f"{kind}_deep.py", _nested(kind, 5_000))
    for kind in ("parens", "not", "minus", "lambda", "elif"):
        write(tmp_path / f"{kind}_deeper.py", _nested(kind, 100_000))
    write(tmp_path / "good.py", BLIND)
    result = ddblint_process(".", cwd=tmp_path, timeout=300, env={"DDBLINT_MAX_FILE_SIZE": "0"})
    assert result.code == 1
    names = sorted(p.name for p in tmp_path.glob("*_deep*.py"))
    assert [(c[0], c[2]) for c in result.codes() if c[0] != "good.py"] == [(name, "DDB000") for name in names]
    for name in names:
        line = result.line(name)
        assert "nested too deeply" in line or "too many nested parentheses" in line, line
    assert ("good.py", 4, "DDB101") in result.codes()


@pytest.mark.parametrize("kind", ["parens", "fstring", "unclosed"])
def test_more_than_200_brackets_is_pythons_own_syntax_error(tmp_path, ddblint, kind):
    inside = 1 if kind == "fstring" else 0  # the replacement field's brace counts, as in CPython
    write(tmp_path / "ok.py", _nested(kind, 200 - inside))
    write(tmp_path / "deep.py", _nested(kind, 201 - inside))
    result = ddblint(".")
    assert (("ok.py", 4, "DDB101") in result.codes()) == (kind != "unclosed")
    assert "DDB000 syntax error: too many nested parentheses" in result.line("deep.py")


def test_nesting_the_analysis_cannot_follow_is_ddb000(tmp_path, ddblint):
    """900 `not`s parse, but locating a finding in the statement that holds them recurses too
    deeply: once a KeyError from positions.py's `finally` that hid the RecursionError and stopped
    the whole run. A finding elsewhere in the module is located: only its statement is generated."""
    deep = "not " * 900 + "y"
    write(tmp_path / "deep.py", HEADER + "def f(k, y):\n    " + CALL.replace('":a": 1', '":a": ' + deep) + "\n")
    write(tmp_path / "beside.py", HEADER + "def f(k, y):\n    x = " + deep + "\n    " + CALL + "\n")
    write(tmp_path / "good.py", BLIND)
    result = ddblint(".")
    assert result.code == 1
    assert result.line("deep.py") == "deep.py:1:1: DDB000 cannot analyse the file: it is nested too deeply"
    assert ("beside.py", 5, "DDB101") in result.codes()
    assert ("good.py", 4, "DDB101") in result.codes()


@pytest.mark.slow
def test_deep_dynamodb_expressions_are_no_crash(tmp_path):
    """Recursion inside the DynamoDB model: expression strings and conditions built deep."""
    write(tmp_path / "expr.py", HEADER + "def f(k):\n    table.update_item(Key={'pk': k}, UpdateExpression='SET a = :a', "
          "ConditionExpression='" + "NOT (" * 5000 + "a = :a" + ")" * 5000 + "', "
          "ExpressionAttributeValues={':a': 1})\n")
    write(tmp_path / "concat.py", HEADER + "def f(k):\n    table.update_item(Key={'pk': k}, UpdateExpression="
          + " + ".join(["'SET a = :a'"] * 400) + ", ExpressionAttributeValues={':a': 1})\n")
    write(tmp_path / "conditions.py", HEADER + "from boto3.dynamodb.conditions import Attr\ndef f(k):\n"
          "    table.update_item(Key={'pk': k}, UpdateExpression='SET a = :a', ExpressionAttributeValues={':a': 1}, "
          "ConditionExpression=" + " & ".join(["Attr('v').eq(1)"] * 100) + ")\n")
    write(tmp_path / "good.py", BLIND)
    result = ddblint_process(".", cwd=tmp_path)
    assert result.code == 1, result.err
    assert "internal error" not in result.err
    assert ("good.py", 4, "DDB101") in result.codes()


def test_deeply_nested_imported_module_does_not_crash_the_engine_parser(tmp_path):
    """`parsing.parse` is the guarded parser for every module ddblint parses."""
    with pytest.raises(parsing.ParseProblem, match="too many nested parentheses") as raised:
        parsing.parse(_nested("parens", 5_000))
    assert isinstance(raised.value.__cause__, RecursionError)
    with pytest.raises(parsing.ParseProblem, match="nested too deeply") as raised:
        parsing.parse(_nested("minus", 50_000).encode())
    assert isinstance(raised.value.__cause__, RecursionError)
    assert parsing.parse(BLIND).code == BLIND


class _FakePanic(BaseException):
    """As pyo3's PanicException: a BaseException."""


@pytest.mark.parametrize("raised, message", [
    (_FakePanic("index out of bounds\nmore"), "cannot parse the file: the parser failed (_FakePanic: index out of bounds)"),
    (MemoryError(), "cannot parse the file: not enough memory"),
    (RecursionError("maximum recursion depth exceeded"), "cannot parse the file: it is nested too deeply"),
])
def test_every_parser_failure_is_one_parse_problem(monkeypatch, raised, message):
    def parser(source):
        raise raised

    monkeypatch.setattr(parsing.cst, "parse_module", parser)
    with pytest.raises(parsing.ParseProblem) as problem:
        parsing.parse("x = 1\n")
    assert (problem.value.message, problem.value.row, problem.value.column) == (message, 1, 1)
    assert problem.value.__cause__ is raised


@pytest.mark.parametrize("raised", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_while_parsing_is_not_a_parse_problem(monkeypatch, raised):
    def parser(source):
        raise raised()

    monkeypatch.setattr(parsing.cst, "parse_module", parser)
    with pytest.raises(raised):
        parsing.parse("x = 1\n")


def test_a_syntax_error_is_placed_as_python_places_it():
    with pytest.raises(parsing.ParseProblem) as problem:
        parsing.parse("x = 1\ny = f(\n")
    assert (problem.value.message, problem.value.row, problem.value.column) == ("syntax error: '(' was never closed", 2, 6)


@pytest.mark.slow
def test_imported_modules_that_cannot_be_parsed_are_no_crash(tmp_path):
    """The modules a checked file imports are parsed with `parsing.parse` too: a deeply
    nested one once killed the process (SIGSEGV in LibCST's parser), one with a non-text coding
    cookie once was an internal error (LookupError)."""
    for name, content in (("nested", _nested("parens", 3_000).encode()),
                          ("rot13", b"# -*- coding: rot13 -*-\n" + HEADER.encode()),
                          ("latin", b"x = '\xff'\n" + HEADER.encode()),
                          ("broken", (HEADER + "def (\n").encode())):
        write(tmp_path / name / "helper.py", content)
        write(tmp_path / name / "app.py", "from helper import table\ndef f(k):\n    " + CALL + "\n")
        result = ddblint_process("app.py", cwd=tmp_path / name)
        assert result.code == 1, (name, result.err)
        assert [c[2] for c in result.codes()] == ["DDB101"], name
    with pytest.raises(parsing.ParseProblem, match="cannot decode the file: 'rot13' is not a text encoding"):
        parsing.parse(b"# -*- coding: rot13 -*-\nx = 1\n")


@pytest.mark.slow
def test_deeply_nested_cdk_app_is_no_crash(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.ddblint]\n")
    write(tmp_path / "stack.py", "from aws_cdk import aws_dynamodb\nx = " + "(" * 3_000 + "1" + ")" * 3_000 + "\n")
    write(tmp_path / "app.py", BLIND)
    result = ddblint_process("app.py", cwd=tmp_path)
    assert (result.code, result.codes()) == (1, [("app.py", 4, "DDB101")])


_DEEP = 100_000


@pytest.mark.slow
@pytest.mark.parametrize("name, content", [
    ("template.json", '{"Resources": ' + "[" * _DEEP + "]" * _DEEP + "}"),
    ("template.yaml", "Resources: " + "[" * _DEEP + "]" * _DEEP + "\n"),
    ("serverless.yml", "resources:\n  Resources: " + "{a: " * _DEEP + "1" + "}" * _DEEP + "\n"),
], ids=["json", "yaml", "serverless"])
def test_deeply_nested_infrastructure_templates_are_no_crash(tmp_path, name, content):
    write(tmp_path / "pyproject.toml", "[tool.ddblint]\n")
    write(tmp_path / name, content)
    write(tmp_path / "app.py", BLIND)
    result = ddblint_process("app.py", cwd=tmp_path)
    assert (result.code, result.codes()) == (1, [("app.py", 4, "DDB101")])


@pytest.mark.slow
def test_deeply_nested_terraform_is_a_warning(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.ddblint]\n")
    write(tmp_path / "main.tf", 'resource "aws_dynamodb_table" "t" {\n  name = ' + "[" * _DEEP + "]" * _DEEP + "\n}\n")
    write(tmp_path / "app.py", BLIND)
    result = ddblint_process("app.py", cwd=tmp_path)
    assert (result.code, result.codes()) == (1, [("app.py", 4, "DDB101")])
    assert "main.tf" in result.err


# -- paths --------------------------------------------------------------------------------------

def test_directory_named_like_a_python_file(tmp_path, ddblint):
    write(tmp_path / "x.py" / "inner.py", BLIND)
    write(tmp_path / "x.py" / "notes.txt", "text")
    assert ddblint(".").codes() == [("x.py/inner.py", 4, "DDB101")]
    assert ddblint("x.py").codes() == [("x.py/inner.py", 4, "DDB101")]


@pytest.mark.slow
def test_directories_nested_thousands_deep(tmp_path, monkeypatch):
    """Once a RecursionError in the directory walk: an internal error and no result at all.
    (Through the command line this takes minutes: the configuration lookup of each directory
    stats every parent, quadratic in the depth.)"""
    monkeypatch.chdir(tmp_path)
    try:
        for _ in range(1_500):
            os.mkdir("d")
            os.chdir("d")
        Path("deep.py").write_text(BLIND)
    except OSError:
        pytest.skip("the filesystem refuses paths this long")
    write(tmp_path / "good.py", BLIND)
    monkeypatch.chdir(tmp_path)
    settings = config.load_settings(None, registry.defaults())
    try:
        found, errors = files.discover([Path(".")], lambda path: settings)
    finally:  # shutil.rmtree (pytest's clean-up) recurses, and fails on this tree
        os.chdir(tmp_path / ("d/" * 1_500))
        os.remove("deep.py")
        for _ in range(1_500):
            os.chdir("..")
            os.rmdir("d")
    assert errors == []
    assert [p.as_posix() for p in found] == ["d/" * 1_500 + "deep.py", "good.py"]


def test_unreadable_file_is_ddb000_and_the_rest_is_checked(tmp_path, ddblint, monkeypatch):
    write(tmp_path / "a.py", BLIND)
    locked = write(tmp_path / "locked.py", BLIND)
    write(tmp_path / "z.py", BLIND)
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "locked.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = ddblint(".")
    assert result.code == 1
    assert result.line("locked.py") == "locked.py:1:1: DDB000 cannot read the file: Permission denied"
    assert result.codes() == [("a.py", 4, "DDB101"), ("locked.py", 1, "DDB000"), ("z.py", 4, "DDB101")]
    assert locked.exists()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_chmod_000_file_and_directory(tmp_path):
    write(tmp_path / "a.py", BLIND)
    locked = write(tmp_path / "locked.py", BLIND)
    closed = write(tmp_path / "closed" / "b.py", BLIND).parent
    locked.chmod(0)
    closed.chmod(0)
    try:
        result = ddblint_process(".", cwd=tmp_path)
    finally:
        locked.chmod(0o644)
        closed.chmod(0o755)
    assert result.code == 1
    assert result.line("locked.py") == "locked.py:1:1: DDB000 cannot read the file: Permission denied"
    assert result.line("closed") == "closed:1:1: DDB000 Permission denied"
    assert ("a.py", 4, "DDB101") in result.codes()


def _symlink(link: Path, target, directory: bool = False) -> None:
    try:
        os.symlink(target, link, target_is_directory=directory)
    except (OSError, NotImplementedError):
        pytest.skip("cannot create symlinks here")


def test_broken_and_looping_symlinks(tmp_path, ddblint):
    write(tmp_path / "good.py", BLIND)
    _symlink(tmp_path / "broken.py", "missing.py")
    _symlink(tmp_path / "loop.py", "loop.py")
    _symlink(tmp_path / "ping.py", "pong.py")
    _symlink(tmp_path / "pong.py", "ping.py")
    walked = ddblint(".")
    assert (walked.code, walked.codes()) == (1, [("good.py", 4, "DDB101")])  # walked: a notice, not a finding
    assert "ddblint: warning: broken.py: skipped: broken symbolic link (to missing.py)" in walked.err
    assert "ddblint: warning: loop.py: skipped: symbolic link loop" in walked.err
    assert "ddblint: warning: ping.py: skipped: symbolic link loop" in walked.err
    explicit = ddblint("broken.py", "loop.py", "good.py")  # named: the file cannot be analysed
    assert explicit.code == 1
    assert explicit.line("broken.py") == "broken.py:1:1: DDB000 broken symbolic link (to missing.py)"
    assert explicit.line("loop.py") == "loop.py:1:1: DDB000 symbolic link loop"
    assert ("good.py", 4, "DDB101") in explicit.codes()
    assert "warning" not in ddblint("-q", ".").err


def test_file_deleted_between_discovery_and_reading(tmp_path, ddblint, monkeypatch):
    write(tmp_path / "a.py", BLIND)
    doomed = write(tmp_path / "doomed.py", BLIND)
    write(tmp_path / "z.py", BLIND)
    discover = files.discover

    def discover_then_delete(*args, **kwargs):
        found = discover(*args, **kwargs)
        doomed.unlink()
        return found

    monkeypatch.setattr(files, "discover", discover_then_delete)
    result = ddblint(".")
    assert result.code == 1
    assert result.line("doomed.py") == "doomed.py:1:1: DDB000 cannot read the file: No such file or directory"
    assert [c[0] for c in result.codes()] == ["a.py", "doomed.py", "z.py"]


def test_files_changed_while_the_run_goes_on(tmp_path, ddblint, monkeypatch):
    """Each file is read once and analysed from those bytes: changing, truncating or deleting
    files mid-run changes at most what is reported for them, and never crashes the run."""
    from ddblint import files

    write(tmp_path / "a.py", BLIND)
    write(tmp_path / "b.py", BLIND)
    write(tmp_path / "c.py", BLIND)
    write(tmp_path / "d.py", BLIND)
    write(tmp_path / "e.py", BLIND)
    discover = files.discover
    check_source = engine.check_source

    def meddle_after_discovery(*args, **kwargs):
        found = discover(*args, **kwargs)
        (tmp_path / "b.py").write_text(BLIND[: BLIND.index("UpdateExpression")])  # truncated mid-statement
        (tmp_path / "c.py").write_bytes(b"\xff\xfe" * 100)  # garbage
        (tmp_path / "d.py").unlink()
        return found

    def meddle_after_reading(data, path, display, *args, **options):
        if display == "a.py":
            (tmp_path / "a.py").write_text("x = (\n")  # the file being checked, after reading
            (tmp_path / "e.py").unlink()  # a file read but not yet analysed
        return check_source(data, path, display, *args, **options)

    monkeypatch.setattr(files, "discover", meddle_after_discovery)
    monkeypatch.setattr(engine, "check_source", meddle_after_reading)
    result = ddblint(".", fmt="full")
    assert result.code == 1
    assert "a.py:4:5: " + MESSAGE in result.out
    assert "4 |     table.update_item(" in result.out  # the snippet is from the bytes analysed
    assert "b.py:4:22: DDB000 syntax error: '(' was never closed" in result.out
    assert "c.py:1:1: DDB000 cannot decode" not in result.out  # no DynamoDB left in it: prefiltered
    assert "d.py:1:1: DDB000 cannot read the file: No such file or directory" in result.out
    assert "e.py:4:5: " + MESSAGE in result.out  # analysed from the bytes read before it went


def test_an_unexpanded_glob_argument_is_ddb000(tmp_path, ddblint):
    write(tmp_path / "good.py", BLIND)
    result = ddblint("src/*.py", "good.py")
    assert result.code == 1
    assert result.line("src/*.py") == "src/*.py:1:1: DDB000 No such file or directory"
    assert ("good.py", 4, "DDB101") in result.codes()


# -- symlinks out of the checked root (SECURITY.md) ----------------------------------------------

def test_symlinked_file_outside_the_root_is_skipped_with_a_notice(tmp_path, tmp_path_factory, ddblint):
    outside = tmp_path_factory.mktemp("outside")
    secret = write(outside / "secret.py", BLIND)
    write(tmp_path / "project" / "app.py", BLIND)
    write(tmp_path / "project" / "lib" / "real.py", BLIND)
    _symlink(tmp_path / "project" / "leak.py", secret)
    _symlink(tmp_path / "project" / "alias.py", tmp_path / "project" / "lib" / "real.py")  # inside: followed
    _symlink(tmp_path / "project" / "up.py", "../sibling.py")
    write(tmp_path / "sibling.py", BLIND)
    _symlink(tmp_path / "project" / "linked_dir", outside, directory=True)
    result = ddblint("project")
    assert [c[0] for c in result.codes()] == ["project/alias.py", "project/app.py", "project/lib/real.py"]
    assert (f"ddblint: warning: project/leak.py: skipped: symbolic link to {os.path.realpath(secret)}, outside "
            f"{os.path.realpath(tmp_path / 'project')} (pass it explicitly to check it)") in result.err
    assert "ddblint: warning: project/up.py: skipped: symbolic link to " in result.err
    assert "secret" not in result.out and "linked_dir" not in result.out + result.err
    # asked for explicitly: followed
    explicit = ddblint("project/leak.py", "project/linked_dir")
    assert [c[0] for c in explicit.codes()] == ["project/leak.py", "project/linked_dir/secret.py"]
    # the whole tree as root: both are inside it
    whole = ddblint(".")
    assert "project/up.py" in [c[0] for c in whole.codes()]
    assert "project/leak.py" not in [c[0] for c in whole.codes()]


# -- configuration ------------------------------------------------------------------------------

def test_pyproject_that_is_not_toml_is_exit_2_with_position(tmp_path, ddblint):
    write(tmp_path / "pyproject.toml", '[tool.ddblint]\nselect = ["DDB1"\nignore = 3\n')
    write(tmp_path / "app.py", BLIND)
    result = ddblint(".")
    assert (result.code, result.out) == (2, "")
    lines = result.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"ddblint: error: {tmp_path / 'pyproject.toml'}:3:1: invalid TOML: ")


@pytest.mark.parametrize("content", [b"[tool.ddblint\n", b"\xff\xfe[tool.ddblint]\n", b"[tool.ddblint]\nx = \x00\n"],
                         ids=["unclosed_table", "not_utf8", "nul"])
def test_broken_config_files_are_exit_2(tmp_path, ddblint, content):
    write(tmp_path / "ddblint.toml", content)
    write(tmp_path / "app.py", BLIND)
    result = ddblint(".")
    assert (result.code, result.out) == (2, "")
    assert len(result.err.splitlines()) == 1 and "ddblint.toml" in result.err


@pytest.mark.parametrize("toml, key", [
    ('select = "DDB1"', "tool.ddblint.select"),
    ("ignore = 3", "tool.ddblint.ignore"),
    ('exclude = "build"', "tool.ddblint.exclude"),
    ("region = 5", "tool.ddblint.region"),
    ("per-file-ignores = []", "tool.ddblint.per-file-ignores"),
    ("deployments = 3", "tool.ddblint.deployments"),
    ('version-attribute = 1', "tool.ddblint.version-attribute"),
    ('respect-gitignore = "yes"', "tool.ddblint.respect-gitignore"),
    ('default-table-mode = ["global"]', "tool.ddblint.default-table-mode"),
    ('tables = "subscribers"', "tool.ddblint.tables"),
    ('tables.s.replicas = "eu-west-1"', "tool.ddblint.tables.s.replicas"),
    ("infrastructure = [1]", "tool.ddblint.infrastructure"),
])
def test_configuration_values_of_the_wrong_type_are_exit_2(tmp_path, ddblint, toml, key):
    write(tmp_path / "pyproject.toml", "[tool.ddblint]\n" + toml + "\n")
    write(tmp_path / "app.py", BLIND)
    result = ddblint(".")
    assert (result.code, result.out) == (2, "")
    lines = result.err.splitlines()
    assert len(lines) == 1 and str(tmp_path / "pyproject.toml") in lines[0] and key in lines[0], lines


def test_globs_that_match_nothing_are_no_error(tmp_path, ddblint):
    write(tmp_path / "pyproject.toml", '[tool.ddblint]\nexclude = ["nothing/**"]\nextend-exclude = ["*.nope"]\n'
          'per-file-ignores = { "nomatch/**" = ["DDB1"] }\ninfrastructure = ["nowhere/*.yaml"]\n'
          '[tool.ddblint.deployments]\n"nowhere/**" = "eu-west-1"\n')
    write(tmp_path / "app.py", BLIND)
    result = ddblint(".", "--extend-exclude", "zzz/**", "--exclude", "nothing/**")
    assert (result.code, result.codes()) == (1, [("app.py", 4, "DDB101")])
    assert "ddblint: error" not in result.err


# -- crash isolation ----------------------------------------------------------------------------

class Crashing(Rule):
    code = "DDB990"
    name = "crashing-rule"
    summary = what = why = "A rule with a bug, for the tests."
    triggers = ("update_item",)

    def check(self, ctx):
        if ctx.path.name == "b.py":
            raise ValueError("a bug in the rule")
        return []


class Recursing(Rule):
    code = "DDB991"
    name = "recursing-rule"
    summary = what = why = "A rule that recurses without end."
    triggers = ("update_item",)

    def check(self, ctx):
        def down(n):
            return down(n + 1)
        if ctx.path.name == "b.py":
            down(0)
        return []


class Astray(Rule):
    code = "DDB992"
    name = "astray-rule"
    summary = what = why = "A rule whose finding points at a node of another tree."
    triggers = ("update_item",)

    def check(self, ctx):
        if ctx.path.name == "b.py":
            yield Finding(engine.cst.parse_expression("x"), "nowhere")


def _with_rules(monkeypatch, *extra):
    rules = dict(registry.all_rules())
    rules.update({rule.code: rule for rule in extra})
    monkeypatch.setattr(registry, "all_rules", lambda: rules)


@pytest.fixture
def three_files(tmp_path):
    for name in ("a.py", "b.py", "c.py"):
        write(tmp_path / name, BLIND)


def test_a_crashing_rule_is_an_internal_error_naming_rule_and_file(three_files, ddblint, monkeypatch):
    _with_rules(monkeypatch, Crashing)
    result = ddblint(".")
    assert result.code == 2
    # every file, b.py included, is still checked by the other rules
    assert result.codes() == [("a.py", 4, "DDB101"), ("b.py", 4, "DDB101"), ("c.py", 4, "DDB101")]
    errors = [line for line in result.err.splitlines() if line.startswith("ddblint: error:")]
    assert errors == ["ddblint: error: b.py: internal error in DDB990 (crashing-rule); please report it "
                      "(run with -v for the traceback)"]
    verbose = ddblint("-v", ".")
    assert verbose.code == 2
    assert "Traceback" in verbose.err and "ValueError: a bug in the rule" in verbose.err


def test_a_crashing_rule_fails_the_run_even_with_exit_zero(three_files, ddblint, monkeypatch):
    _with_rules(monkeypatch, Crashing)
    assert ddblint("--exit-zero", ".").code == 2


def test_a_rule_that_recurses_without_end_makes_the_file_ddb000(three_files, ddblint, monkeypatch):
    _with_rules(monkeypatch, Recursing)
    result = ddblint(".")
    assert result.code == 1
    assert ("b.py", 4, "DDB101") in result.codes() and ("c.py", 4, "DDB101") in result.codes()
    assert result.line("b.py") == "b.py:1:1: DDB000 cannot analyse the file: it is nested too deeply (DDB991 gave up)"
    assert "ddblint: error" not in result.err


def test_a_finding_on_a_foreign_node_is_an_internal_error(three_files, ddblint, monkeypatch):
    _with_rules(monkeypatch, Astray)
    result = ddblint(".")
    assert result.code == 2
    assert "ddblint: error: b.py: internal error in DDB992 (astray-rule): a finding points at no node of the file" \
        in result.err
    assert result.codes() == [("a.py", 4, "DDB101"), ("b.py", 4, "DDB101"), ("c.py", 4, "DDB101")]


def test_a_crash_in_the_dynamodb_model_is_reported_once_per_file(three_files, ddblint, monkeypatch):
    from ddblint import dynamo

    real = dynamo.DynamoModel.__init__

    def broken(self, module, path, settings):
        if path.name == "b.py":
            raise KeyError("a bug in the model")
        real(self, module, path, settings)

    monkeypatch.setattr(dynamo.DynamoModel, "__init__", broken)
    result = ddblint(".")
    assert result.code == 2
    assert result.codes() == [("a.py", 4, "DDB101"), ("c.py", 4, "DDB101")]
    errors = [line for line in result.err.splitlines() if line.startswith("ddblint: error:")]
    assert len(errors) == 1, errors
    assert errors[0].startswith("ddblint: error: b.py: internal error in the DynamoDB model (ddblint.dynamo, "
                                "needed by DDB")
    assert errors[0].endswith("please report it (run with -v for the traceback)")


def test_recursion_in_the_dynamodb_model_makes_the_file_ddb000(three_files, ddblint, monkeypatch):
    from ddblint import dynamo

    real = dynamo.DynamoModel.__init__

    def recursing(self, module, path, settings):
        if path.name == "b.py":
            raise RecursionError("maximum recursion depth exceeded")
        real(self, module, path, settings)

    monkeypatch.setattr(dynamo.DynamoModel, "__init__", recursing)
    result = ddblint(".")
    assert result.code == 1
    assert result.codes() == [("a.py", 4, "DDB101"), ("b.py", 1, "DDB000"), ("c.py", 4, "DDB101")]
    assert "DDB000 cannot analyse the file: it is nested too deeply (DDB" in result.line("b.py")
    assert "ddblint: error" not in result.err


def test_a_crash_in_the_engine_on_one_file_does_not_stop_the_run(three_files, ddblint, monkeypatch):
    real = rule_interface.Positions  # the engine locates findings with `Context.positions`

    def positions(module, source, *tree):
        if "b.py" in positions.seen:
            raise AssertionError("a bug in the engine")
        positions.seen.append("b.py")
        return real(module, source, *tree)

    positions.seen = []
    monkeypatch.setattr(rule_interface, "Positions", positions)
    real_check = engine.check_source

    def check(data, path, display, *args, **options):
        if display == "c.py":
            raise MemoryError()
        return real_check(data, path, display, *args, **options)

    monkeypatch.setattr(engine, "check_source", check)
    result = ddblint(".")
    assert result.code == 2
    assert ("a.py", 4, "DDB101") in result.codes()
    assert "ddblint: error: b.py: internal error while locating the findings; please report it" in result.err
    assert "ddblint: error: c.py: internal error: MemoryError: ; please report it" in result.err


# -- output -------------------------------------------------------------------------------------

def test_text_output_escapes_control_characters_from_the_code_and_file_names(tmp_path, ddblint):
    write(tmp_path / "inject.py", HEADER.replace('Table("t")', 'Table("x\\n::error file=a.py::forged\\x1b[31m\\u202e")')
          + "def f(k):\n    " + CALL + "\n")
    try:
        write(tmp_path / "evil\n::warning::name.py", BLIND)
    except OSError:
        pass  # the filesystem refuses the name
    for fmt in ("concise", "full"):
        result = ddblint(".", fmt=fmt)
        assert result.code == 1
        for text in result.out.splitlines():
            assert not text.startswith("::"), text
            assert "\x1b" not in text and "\u202e" not in text
        assert "UpdateItem on `x\\n::error file=a.py::forged\\x1b[31m\\u202e`" in result.out
    data = json.loads(ddblint(".", fmt="json").out)
    assert any(d["message"].startswith("UpdateItem on `x\n::error file=a.py::forged\x1b[31m\u202e`") for d in data)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs file names that are not UTF-8")
def test_file_name_that_is_not_utf8(tmp_path):
    name = os.fsdecode(b"caf\xe9.py")
    try:
        write(tmp_path / name, BLIND)
    except (OSError, UnicodeEncodeError):
        pytest.skip("the filesystem refuses the name")
    for fmt in ("concise", "full", "json", "json-lines"):
        done = subprocess.run([sys.executable, "-m", "ddblint", "check", "--output-format", fmt, "."],
                              cwd=tmp_path, capture_output=True, timeout=120)
        assert done.returncode == 1, done.stderr
        assert b"Traceback" not in done.stderr
        assert b"caf\xe9.py" in done.stdout or b"caf\\udce9.py" in done.stdout
    done = subprocess.run([sys.executable, "-m", "ddblint", "check", "-o", "out.txt", "."],
                          cwd=tmp_path, capture_output=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert b"caf\xe9.py:4:5: DDB101" in (tmp_path / "out.txt").read_bytes()


# -- the security model (SECURITY.md) ------------------------------------------------------------

@pytest.mark.slow
def test_checked_code_and_configuration_are_never_imported_or_run(tmp_path):
    marker = tmp_path / "RAN"
    payload = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\nimport os\nos._exit(99)\n"
    write(tmp_path / "pkg" / "__init__.py", payload)
    write(tmp_path / "pkg" / "helper.py", payload + HEADER)
    app = write(tmp_path / "pkg" / "app.py", "from pkg.helper import table\nfrom . import helper\nimport pkg\n"
                + payload.replace("os._exit(99)", "") + "def f(k):\n    " + CALL + "\n")
    row = app.read_text().splitlines().index("    " + CALL) + 1
    write(tmp_path / "conftest.py", payload)
    write(tmp_path / "setup.py", payload)
    write(tmp_path / "sitecustomize.py", payload)
    write(tmp_path / "pyproject.toml", '[build-system]\nrequires = ["evil"]\nbuild-backend = "setup"\n'
          '[tool.ddblint]\nregion = "us-east-1"\n')
    result = ddblint_process(".", cwd=tmp_path)
    assert result.code == 1
    assert ("pkg/app.py", row, "DDB101") in result.codes()
    assert not marker.exists()


def test_no_network(tmp_path, ddblint, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("ddblint opened a network connection")

    for name in ("create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)
    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    write(tmp_path / "app.py", BLIND)
    write(tmp_path / "pyproject.toml", '[tool.ddblint]\ninfrastructure = ["template.yaml"]\n')
    write(tmp_path / "template.yaml", "Resources:\n  T:\n    Type: AWS::DynamoDB::GlobalTable\n"
          "    Properties:\n      TableName: t\n")
    for fmt in ("concise", "json"):
        assert ddblint(".", fmt=fmt).code == 1
