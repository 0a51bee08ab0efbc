"""Property-based fuzzing (issue 9): whatever Python it is given, ddblint never raises.

Two sources of programs:

* hypothesmith generates valid Python (from the grammar and from LibCST's node types), placed
  after a DynamoDB header so the prefilter keeps it, and as the argument values of DynamoDB
  calls, where the DynamoDB model has to make sense of them;
* mutations of real DynamoDB-using code (every Python file under tests/corpus/ and examples/):
  tokens and call arguments dropped, duplicated and swapped, literals changed, files truncated.

The property: `engine.check_source` returns (never raises), reports no internal error, and
reports DDB000 exactly when the file does not parse; and the command line over a batch of
mutants exits 0 or 1 with no traceback.

CI runs a bounded, derandomized number of examples (well under a minute). For a longer run:

    DDBLINT_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py -p no:cacheprovider

`DDBLINT_FUZZ_EXAMPLES` sets the examples of each test; `DDBLINT_FUZZ_SEED=<n>` replaces the
fixed seed by another (a new search instead of the same one again). Every crash found becomes a
regression test in tests/test_hostile.py.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tokenize
from functools import lru_cache
from pathlib import Path
from typing import List, Tuple

import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st

hypothesmith = pytest.importorskip("hypothesmith")

from ddblint import config, engine, parsing, registry  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("DDBLINT_FUZZ_EXAMPLES", "0") or 0)
SEED = os.environ.get("DDBLINT_FUZZ_SEED")

HEADER = ('import boto3\nfrom boto3.dynamodb.conditions import Attr, Key\n'
          'table = boto3.resource("dynamodb").Table("subscribers")\n'
          'client = boto3.client("dynamodb", region_name="eu-west-1")\n')
CALL = ('def write(k, expected):\n'
        '    table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", '
        'ExpressionAttributeValues={":a": 1})\n')
# The examples of each property test (DDBLINT_FUZZ_EXAMPLES replaces them): test_report_fuzz_counts
# checks that every test that ran checked that many.
PROGRAMS, CALLS, TOKEN_MUTANTS, ARGUMENT_MUTANTS = 150, 300, 400, 200
CLI_MUTANTS = EXAMPLES // 10 or 60
STATS = {"programs": 0, "calls": 0, "token mutants": 0, "argument mutants": 0, "unparsable mutants": 0,
         "skipped mutants": 0, "cli mutants": 0}


def fuzz_settings(default: int):
    """Derandomized (the same examples on every run) unless DDBLINT_FUZZ_SEED is set."""
    examples = EXAMPLES or default
    configured = settings(max_examples=examples, deadline=None, derandomize=SEED is None, database=None,
                          suppress_health_check=list(HealthCheck))
    if SEED is None:
        return configured
    return lambda test: seed(int(SEED))(configured(test))


@lru_cache(maxsize=None)
def _settings():
    # a registry with a home region and a table of each kind, so the DDB2xx/DDB3xx rules run too
    return config.load_settings(None, registry.defaults(), overrides=(
        'region = "us-east-1"',
        'tables.subscribers = { mode = "global", home-region = "eu-west-1", replicas = ["eu-west-1", "us-east-1"], '
        'indexes = { by_email = "global" } }',
        'tables.orders = { mode = "mrsc", shape = "contested", home-region = "eu-west-1" }',
        'tables.events = { mode = "single-region", shape = "append-only" }',
    ))


def lint(source) -> engine.FileResult:
    """Check with every rule, as the command line would; fail on an exception or internal error."""
    data = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
    path = ROOT / "fuzzed.py"
    rules = list(registry.all_rules().values())
    result = engine.check_source(data, path, "fuzzed.py", _settings(), rules)
    assert result.errors == [], "\n".join(result.errors)
    for d in result.diagnostics:
        assert d.location.row >= 1 and d.location.column >= 1, d
        assert "\n" not in d.message or d.code != "DDB000", d.message
    return result


def parses(source: str) -> bool:
    try:
        parsing.parse(source)
    except Exception:  # noqa: BLE001 - parsing.ParseProblem (a syntax error, nesting too deep, ...)
        return False
    return True


# -- (a) generated programs ----------------------------------------------------------------------

@pytest.mark.slow
@fuzz_settings(PROGRAMS)
@given(program=st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()))
def test_generated_programs_never_crash(program):
    STATS["programs"] += 1
    for source in (HEADER + program + "\n" + CALL, HEADER + CALL + program):
        result = lint(source)
        if not parses(source):
            assert any(d.code == "DDB000" for d in result.diagnostics), source


_EXPRESSION = hypothesmith.from_grammar("eval_input", auto_target=False).map(lambda text: text.strip())
_DDB_TEXT = st.text(alphabet="SETREMOVADDLDnotexists#:=<>()[],. _-+aviu0123456789", max_size=60)
_ARGUMENT = st.one_of(_EXPRESSION, _DDB_TEXT.map(repr), st.sampled_from([
    "None", "True", "{}", '{"#v": "version"}', '{":e": expected, ":one": 1}', 'f"SET {k} = :a"',
    'Attr("version").eq(expected)', 'Key("pk").eq(k) & Attr("v").exists()', "**kwargs", "*args",
]))
_KEYWORDS = ["Key", "Item", "TableName", "UpdateExpression", "ConditionExpression", "ExpressionAttributeNames",
             "ExpressionAttributeValues", "IndexName", "ConsistentRead", "KeyConditionExpression",
             "FilterExpression", "ProjectionExpression", "RequestItems", "TransactItems", "ReturnValues"]
_METHODS = ["update_item", "put_item", "delete_item", "get_item", "query", "scan", "batch_write_item",
            "transact_write_items", "batch_get_item", "execute_statement", "batch_writer"]


@st.composite
def dynamodb_calls(draw):
    receiver = draw(st.sampled_from(["table", "client", "boto3.resource('dynamodb').Table(name)", "self.table"]))
    method = draw(st.sampled_from(_METHODS))
    arguments = draw(st.lists(st.tuples(st.sampled_from(_KEYWORDS), _ARGUMENT), max_size=6))
    text = ", ".join(value if value.startswith("*") else f"{key}={value}" for key, value in arguments)
    before = draw(st.sampled_from(["", "item = table.get_item(Key={'pk': k})['Item']\n    ",
                                   "params = {'ConditionExpression': '#v = :e'}\n    "]))
    return HEADER + f"def write(k, expected, name, kwargs, args, self):\n    {before}{receiver}.{method}({text})\n"


@pytest.mark.slow
@fuzz_settings(CALLS)
@given(source=dynamodb_calls())
def test_dynamodb_calls_with_generated_arguments_never_crash(source):
    STATS["calls"] += 1
    result = lint(source)
    if not parses(source):
        assert any(d.code == "DDB000" for d in result.diagnostics), source


# -- (b) mutated real code -----------------------------------------------------------------------

@lru_cache(maxsize=None)
def corpus() -> Tuple[Tuple[str, str, Tuple[Tuple[int, int, int, str], ...]], ...]:
    """(name, source, tokens as (kind, start offset, end offset, text)) of each real file that
    uses DynamoDB (that the prefilter keeps)."""
    found = []
    for path in sorted(list((ROOT / "tests" / "corpus").rglob("*.py")) + list((ROOT / "examples").rglob("*.py"))):
        source = path.read_text(encoding="utf-8")
        if lint(source).skipped:
            continue
        starts = [0]
        for line in source.splitlines(keepends=True):
            starts.append(starts[-1] + len(line))
        tokens = []
        try:
            for token in tokenize.generate_tokens(io.StringIO(source).readline):
                if token.type in (tokenize.ENDMARKER, tokenize.DEDENT) or token.start == token.end:
                    continue
                start = starts[token.start[0] - 1] + token.start[1]
                end = starts[token.end[0] - 1] + token.end[1]
                tokens.append((token.type, start, end, token.string))
        except (tokenize.TokenError, SyntaxError):
            continue
        found.append((str(path.relative_to(ROOT)), source, tuple(tokens)))
    return tuple(found)


@pytest.mark.slow
def test_the_corpus_is_there():
    assert len(corpus()) >= 25


_LITERALS = st.one_of(
    st.sampled_from(['""', '"#v = :e"', '"SET #v = #v + :one"', '"attribute_not_exists(pk)"', "None", "True",
                     "0", "-1", "1e309", '"\\x00"', "'''", '"{"', "{}", "[]", '{"#v": "version"}', '"us-east-1"',
                     '"eu-west-1"', 'f"{x}"', '"SET a = :a REMOVE"', '"NOT NOT NOT a"', "...", "b'\\xff'"]),
    st.text(max_size=20).map(repr),
    st.integers().map(str),
)


@st.composite
def token_mutants(draw):
    name, source, tokens = draw(st.sampled_from(corpus()))
    text = source
    for _ in range(draw(st.integers(1, 4))):
        if not tokens:
            break
        operation = draw(st.sampled_from(["drop", "duplicate", "swap", "literal", "truncate", "insert"]))
        i = draw(st.integers(0, len(tokens) - 1))
        kind, start, end, value = tokens[i]
        if start > len(text) or end > len(text) or text[start:end] != value:
            break  # an earlier mutation moved the text: stop here
        if operation == "drop":
            text = text[:start] + text[end:]
        elif operation == "duplicate":
            text = text[:end] + " " + value + text[end:]
        elif operation == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            _, start2, end2, value2 = tokens[j]
            if text[start2:end2] != value2 or (start2 < end and start < end2):
                continue
            (a, b), (c, d) = sorted([(start, end), (start2, end2)])
            text = text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]
        elif operation == "literal":
            candidates = [t for t in tokens if t[0] in (tokenize.STRING, tokenize.NUMBER, tokenize.NAME)]
            kind, start, end, value = draw(st.sampled_from(candidates))
            if text[start:end] == value:
                text = text[:start] + draw(_LITERALS) + text[end:]
        elif operation == "insert":
            text = text[:start] + draw(st.sampled_from(["(", ")", "[", ",", ":", "\n", "    ", "\\", "'", '"""',
                                                       "lambda: ", "not ", "**", "=", "\t", "\x00", "#"])) + text[start:]
        else:
            text = text[:start]
        tokens = tuple(t for t in tokens if t[2] <= min(start, len(text)))  # offsets before the change hold
    return name, text


class _ArgumentMutator(cst.CSTTransformer):
    """Drops, duplicates, swaps or changes the keyword arguments of one call."""

    def __init__(self, target: int, operation: str, value: str) -> None:
        self.target, self.operation, self.value, self.seen = target, operation, value, -1

    def leave_Call(self, original, updated):
        self.seen += 1
        if self.seen != self.target or not updated.args:
            return updated
        args = list(updated.args)
        i = self.target % len(args)
        if self.operation == "drop":
            del args[i]
        elif self.operation == "duplicate":
            args.insert(i, args[i])
        elif self.operation == "swap":
            args[0], args[i] = args[i], args[0]
        elif self.operation == "value":
            try:
                args[i] = args[i].with_changes(value=cst.parse_expression(self.value))
            except cst.ParserSyntaxError:
                return updated
        elif self.operation == "unkeyword":
            args[i] = args[i].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
        elif self.operation == "splat":
            args[i] = cst.Arg(value=cst.Dict([]), star="**")
        # keep the commas valid: every argument but the last has one
        fixed = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]]
        if args:
            fixed.append(args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT))
        return updated.with_changes(args=fixed)


@st.composite
def argument_mutants(draw):
    name, source, _ = draw(st.sampled_from(corpus()))
    module = cst.parse_module(source)
    calls = source.count("(")
    mutator = _ArgumentMutator(draw(st.integers(0, max(calls - 1, 0))),
                               draw(st.sampled_from(["drop", "duplicate", "swap", "value", "unkeyword", "splat"])),
                               draw(st.one_of(_LITERALS, _EXPRESSION)))
    try:
        return name, module.visit(mutator).code
    except Exception:  # noqa: BLE001 - LibCST refuses a node combination (e.g. ** before a keyword)
        assume(False)


def _check_mutant(text: str, kind: str) -> None:
    STATS[kind] += 1
    result = lint(text)
    STATS["skipped mutants"] += result.skipped
    if not parses(text):
        STATS["unparsable mutants"] += 1
        assert result.skipped or any(d.code == "DDB000" for d in result.diagnostics), text


@pytest.mark.slow
@fuzz_settings(TOKEN_MUTANTS)
@given(mutant=token_mutants())
def test_token_mutations_of_real_code_never_crash(mutant):
    _check_mutant(mutant[1], "token mutants")


@pytest.mark.slow
@fuzz_settings(ARGUMENT_MUTANTS)
@given(mutant=argument_mutants())
def test_argument_mutations_of_real_code_never_crash(mutant):
    _check_mutant(mutant[1], "argument mutants")


@pytest.mark.slow
def test_mutants_through_the_command_line(tmp_path):
    """One run of the real command over a batch of mutants: exit 0 or 1, no traceback, a DDB000
    line for each that does not parse, and every file accounted for."""
    mutants: List[str] = []

    @settings(max_examples=CLI_MUTANTS, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutant=st.one_of(token_mutants(), argument_mutants()))
    def collect(mutant):
        mutants.append(mutant[1])

    collect()
    (tmp_path / "ddblint.toml").write_text("")
    for i, text in enumerate(mutants):
        (tmp_path / f"m{i:05}.py").write_text(text, encoding="utf-8", newline="")
    STATS["cli mutants"] += len(mutants)
    done = subprocess.run([sys.executable, "-m", "ddblint", "check", "--select", "ALL", "--output-format", "concise", "."],
                          cwd=tmp_path, capture_output=True, timeout=600)
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    for i, text in enumerate(mutants):
        if not parses(text) and not lint(text).skipped:
            assert any(line.startswith(f"m{i:05}.py:") and " DDB000 " in line for line in out.splitlines()), (i, text)


def test_report_fuzz_counts(request):
    """Every property test of this module that ran before this one checked as many examples as
    it was set to: fuzzing that passes because it checked nothing (a strategy starved by
    `assume`, a prefilter that skips every mutant) fails here. Printed with `-s`: the counts."""
    print("\nfuzzing:", ", ".join(f"{count} {what}" for what, count in STATS.items()))
    items = request.session.items
    ran = {item.name for item in items[:items.index(request.node)] if item.module is request.module}
    wanted = {
        test_generated_programs_never_crash: ("programs", EXAMPLES or PROGRAMS),
        test_dynamodb_calls_with_generated_arguments_never_crash: ("calls", EXAMPLES or CALLS),
        test_token_mutations_of_real_code_never_crash: ("token mutants", EXAMPLES or TOKEN_MUTANTS),
        test_argument_mutations_of_real_code_never_crash: ("argument mutants", EXAMPLES or ARGUMENT_MUTANTS),
        test_mutants_through_the_command_line: ("cli mutants", CLI_MUTANTS),
    }
    for test, (what, examples) in wanted.items():
        if test.__name__ in ran:
            assert STATS[what] >= examples, f"{test.__name__} checked {STATS[what]} {what}, not {examples}"
    mutants = STATS["token mutants"] + STATS["argument mutants"]
    assert STATS["unparsable mutants"] <= mutants and STATS["skipped mutants"] <= mutants, STATS
    if mutants:
        assert STATS["skipped mutants"] < mutants, "the prefilter skipped every mutant: no rule saw one"
