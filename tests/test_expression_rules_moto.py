"""DDB401-DDB404 against moto: a request the rules report is one DynamoDB (as moto emulates it) rejects.

(a) For each rule, requests it flags raise ValidationException on moto, and their corrections,
    which ddblint passes, succeed.
(b) A differential property test: Hypothesis generates UpdateItem requests (an UpdateExpression,
    often a ConditionExpression, and the ExpressionAttributeNames/Values maps they need), with
    placeholders sometimes missing or extra, reserved words sometimes written bare, and tokens
    sometimes mutated into syntax errors. ddblint (the four rules, through the engine on the
    call's source) and moto must agree on whether the request is rejected, except for the
    divergences listed in KNOWN_DIVERGENCES, each with its reason.

`pytest -s` prints how many generated expressions were compared and how the outcomes split.
"""
from __future__ import annotations

import collections
import itertools
import re
from pathlib import Path

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from botocore.exceptions import ClientError  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ddblint import config, engine, registry  # noqa: E402
from ddblint.dynamo import expressions as ex  # noqa: E402
from ddblint.dynamo.reserved import is_reserved  # noqa: E402

CODES = ("DDB401", "DDB402", "DDB403", "DDB404")
RULES = [registry.all_rules()[code] for code in CODES]
TABLE = "t"
S = {"S": "x"}
N = {"N": "1"}
_keys = itertools.count()


# --- the two oracles ------------------------------------------------------------------------

def render(method: str, kwargs: dict) -> str:
    """The call as application code would write it (low-level client, literal arguments)."""
    args = "".join(f"    {key}={value!r},\n" for key, value in kwargs.items())
    return ('import boto3\n\nclient = boto3.client("dynamodb", region_name="us-east-1")\n\n'
            f"client.{method}(\n{args})\n")


@pytest.fixture(scope="module")
def lint(tmp_path_factory):
    target = tmp_path_factory.mktemp("lint") / "app.py"
    lint_settings = config.settings_for(target, registry.defaults())

    def run(method: str, kwargs: dict):
        """(code, message) of every DDB401-DDB404 finding on the call."""
        result = engine.check_source(render(method, kwargs).encode(), target, "app.py", lint_settings, RULES)
        assert not result.errors, result.errors
        return sorted((d.code, d.message) for d in result.diagnostics)

    return run


@pytest.fixture(scope="module")
def dynamodb():
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
        )
        yield client


def moto_outcome(client, method: str, kwargs: dict):
    """("ok" | an error code | "crash:<exception>", message). Every item is new: a fresh key."""
    key = {"pk": {"S": f"item-{next(_keys)}"}, "sk": S}
    request = dict(TableName=TABLE, **kwargs)
    if method in ("update_item", "delete_item", "get_item"):
        request["Key"] = key
    elif method == "put_item":
        request["Item"] = {**key, "payload": S}
    try:
        getattr(client, method)(**request)
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["Error"]["Message"]
    except Exception as error:  # noqa: BLE001 - moto's expression code raises KeyError, ValueError, ...
        return f"crash:{type(error).__name__}", str(error)
    return "ok", ""


def evaluation_crash(outcome) -> bool:
    """moto's FuncSize raises ValueError ("Invalid attribute name ...") evaluating size() of an
    attribute the item lacks, and TypeError formatting that message when the path has an index.
    DynamoDB evaluates the comparison to false. The request passed moto's validation up to there,
    as with a ConditionalCheckFailedException (moto bug: size() of a missing attribute)."""
    return (outcome[0] == "crash:ValueError" and outcome[1].startswith("Invalid attribute name")
            or outcome[0] == "crash:TypeError" and "expected str instance, int found" in outcome[1])


def moto_rejects(outcome) -> bool:
    """Rejected before any item is touched: ValidationException, or moto crashing in its expression
    code where DynamoDB answers ValidationException (a KeyError for an undefined placeholder in a
    ConditionExpression, a ValueError for some condition syntax errors: moto bugs, counted apart).
    A ConditionalCheckFailedException, or a crash evaluating the condition, means the request got
    through validation."""
    if evaluation_crash(outcome):
        return False
    return outcome[0] == "ValidationException" or outcome[0].startswith("crash:")


# --- (a) each rule's findings are ValidationExceptions; the corrections succeed ----------------

# (code, method, flagged request, corrected request)
CASES = [
    ("DDB401", "update_item",
     {"UpdateExpression": "SET a == :a", "ExpressionAttributeValues": {":a": S}},
     {"UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": S}}),
    ("DDB401", "update_item",
     {"UpdateExpression": "SET a = :a SET b = :b", "ExpressionAttributeValues": {":a": S, ":b": S}},
     {"UpdateExpression": "SET a = :a, b = :b", "ExpressionAttributeValues": {":a": S, ":b": S}}),
    ("DDB401", "update_item",
     {"UpdateExpression": "SET a = :a REMOVE a", "ExpressionAttributeValues": {":a": S}},
     {"UpdateExpression": "SET a = :a REMOVE b", "ExpressionAttributeValues": {":a": S}}),
    ("DDB402", "update_item",
     {"UpdateExpression": "SET a = :a, b = :b", "ExpressionAttributeValues": {":a": S}},
     {"UpdateExpression": "SET a = :a, b = :b", "ExpressionAttributeValues": {":a": S, ":b": S}}),
    ("DDB402", "update_item",
     {"UpdateExpression": "SET a = :a"},
     {"UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": S}}),
    ("DDB403", "update_item",
     {"UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": S, ":expected": N}},
     {"UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": S}}),
    ("DDB403", "update_item",
     {"UpdateExpression": "SET a = :a", "ExpressionAttributeNames": {"#s": "status"},
      "ExpressionAttributeValues": {":a": S}},
     {"UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": S}}),
    ("DDB403", "put_item",
     {"ConditionExpression": "attribute_not_exists(pk)", "ExpressionAttributeNames": {"#pk": "pk"}},
     {"ConditionExpression": "attribute_not_exists(#pk)", "ExpressionAttributeNames": {"#pk": "pk"}}),
    ("DDB403", "get_item",
     {"ExpressionAttributeNames": {"#a": "a"}},
     {"ProjectionExpression": "#a", "ExpressionAttributeNames": {"#a": "a"}}),
    ("DDB404", "update_item",
     {"UpdateExpression": "SET status = :s", "ExpressionAttributeValues": {":s": S}},
     {"UpdateExpression": "SET #status = :s", "ExpressionAttributeNames": {"#status": "status"},
      "ExpressionAttributeValues": {":s": S}}),
    ("DDB404", "update_item",
     {"UpdateExpression": "SET a = :a", "ConditionExpression": "attribute_not_exists(b.Data)",
      "ExpressionAttributeValues": {":a": S}},
     {"UpdateExpression": "SET a = :a", "ConditionExpression": "attribute_not_exists(b.#d)",
      "ExpressionAttributeNames": {"#d": "Data"}, "ExpressionAttributeValues": {":a": S}}),
    ("DDB404", "put_item",
     {"ConditionExpression": "attribute_not_exists(name)"},
     {"ConditionExpression": "attribute_not_exists(#n)", "ExpressionAttributeNames": {"#n": "name"}}),
    ("DDB404", "query",
     {"KeyConditionExpression": "pk = :p", "FilterExpression": "comment = :c",
      "ExpressionAttributeValues": {":p": S, ":c": S}},
     {"KeyConditionExpression": "pk = :p", "FilterExpression": "#c = :c",
      "ExpressionAttributeNames": {"#c": "comment"}, "ExpressionAttributeValues": {":p": S, ":c": S}}),
    ("DDB404", "get_item",
     {"ProjectionExpression": "a, timestamp"},
     {"ProjectionExpression": "a, #t", "ExpressionAttributeNames": {"#t": "timestamp"}}),
]


@pytest.mark.parametrize("code, method, flagged, corrected", CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_flagged_request_is_rejected_and_correction_succeeds(code, method, flagged, corrected, lint, dynamodb):
    assert [c for c, _ in lint(method, flagged)] == [code]
    outcome = moto_outcome(dynamodb, method, flagged)
    assert outcome[0] == "ValidationException", outcome

    assert lint(method, corrected) == []
    assert moto_outcome(dynamodb, method, corrected) == ("ok", "")


# --- (b) the differential property test -------------------------------------------------------

NORMAL = ("a", "b", "c", "price", "owner_id", "note")
RESERVED = ("status", "name", "data", "Timestamp", "count", "comment")
NESTED = ("x", "y", "z", "name")  # path elements below the top level (`name` is reserved)
assert all(is_reserved(w) for w in RESERVED) and not any(is_reserved(w) for w in NORMAL + ("x", "y"))

# Tokens a mutation inserts: syntax errors mostly, sometimes a different valid expression.
INSERTS = ("=", "==", "AND", "OR", "NOT", "(", ")", ",", "SET", "REMOVE", "ADD", ":", "#", "+", "[", "]",
           ".", "IN", "BETWEEN", "size", "x", ":s0", "#a")
_TOKEN = re.compile(r"[#:]?\w+|<>|<=|>=|\S")
_CLAUSE_CASE = ("SET", "set", "Set")


@st.composite
def update_requests(draw):
    """(UpdateItem kwargs, what was done to it) for a new item."""
    names = {}  # placeholder -> attribute name
    values = {}  # placeholder -> AttributeValue

    # Rare choices compare a drawn integer with a value other than 0: Hypothesis often draws the
    # minimal value, which would make them common.
    def attribute(pool=None):
        if pool is None:
            pool = RESERVED if draw(st.integers(0, 5)) == 3 else NORMAL
        return draw(st.sampled_from(pool))

    def ref(attr):
        """How the expression writes a top-level attribute: bare or as a `#placeholder`."""
        if draw(st.integers(0, 9)) >= (3 if is_reserved(attr) else 7):
            placeholder = "#" + attr.lower()
            names[placeholder] = attr
            return placeholder
        return attr

    def path(pool=None):
        text = ref(attribute(pool))
        tail = draw(st.sampled_from(("", "", "", ".nested", "[0]")))
        if tail == ".nested":
            tail = "." + draw(st.sampled_from(NESTED))
        return text + tail

    def value(kind="s"):
        placeholder = f":{kind}{draw(st.integers(0, 1))}"
        values[placeholder] = S if kind == "s" else N
        return placeholder

    # UpdateExpression: 1-3 actions on distinct top-level attributes (no overlapping paths) of a
    # new item, each valid whatever the item holds: SET to a value, SET if_not_exists, REMOVE, ADD.
    targets = draw(st.lists(st.sampled_from(NORMAL + RESERVED), min_size=1, max_size=3, unique=True))
    clauses = collections.defaultdict(list)
    for target in targets:
        form = draw(st.sampled_from(("set", "set", "if_not_exists", "remove", "add")))
        written = ref(target)
        if form == "set":
            clauses["SET"].append(f"{written} = {value()}")
        elif form == "if_not_exists":
            clauses["SET"].append(f"{written} = if_not_exists({path()}, {value()})")
        elif form == "remove":
            clauses["REMOVE"].append(written)
        else:
            clauses["ADD"].append(f"{written} {value('n')}")
    order = draw(st.permutations(list(clauses)))
    update = " ".join(
        (draw(st.sampled_from(_CLAUSE_CASE)) if clause == "SET" else clause) + " " + ", ".join(clauses[clause])
        for clause in order)

    def leaf():
        form = draw(st.integers(0, 9))
        p = path(("pk",) if draw(st.integers(0, 5)) == 4 else None)
        if form == 0:
            return f"{p} {draw(st.sampled_from(('=', '<>', '<', '>=')))} {value()}"
        if form == 1:
            return f"attribute_exists({p})"
        if form == 2:
            return f"attribute_not_exists({p})"
        if form == 3:
            return f"begins_with({p}, {value()})"
        if form == 4:
            return f"contains({p}, {value()})"
        if form == 5:
            return f"size({p}) > {value('n')}"
        if form == 6:
            return f"{p} BETWEEN {value()} AND {value()}"  # every S value is "x": low <= high
        if form == 7:
            return f"{p} IN ({value()}, {value()})"
        return f"{p} = {value()}"

    def condition(depth):
        form = draw(st.integers(0, 5 if depth < 2 else 0))
        if form <= 1:
            return leaf()
        if form == 2:
            return f"{condition(depth + 1)} {draw(st.sampled_from(('AND', 'and')))} {condition(depth + 1)}"
        if form == 3:
            return f"{condition(depth + 1)} OR {condition(depth + 1)}"
        if form == 4:
            return f"NOT {leaf()}"
        return f"({condition(depth + 1)})"

    request = {"UpdateExpression": update}
    if draw(st.integers(0, 2)) > 0:
        request["ConditionExpression"] = condition(0)

    done = []
    for param in list(request):
        if draw(st.integers(0, 7)) == 5:
            request[param] = mutate(draw, request[param])
            done.append(f"mutated {param}")
    for param, mapping, extra in (("ExpressionAttributeNames", names, ("#extra", "zz")),
                                  ("ExpressionAttributeValues", values, (":extra", S))):
        mapping = dict(mapping)
        if mapping and draw(st.integers(0, 11)) == 7:
            missing = draw(st.sampled_from(sorted(mapping)))
            del mapping[missing]
            done.append(f"dropped {missing}")
        if draw(st.integers(0, 11)) == 7:
            mapping[extra[0]] = extra[1]
            done.append(f"added {extra[0]}")
        if mapping:  # an empty map is another error (DynamoDB: "must not be empty"); leave it out
            request[param] = mapping
    return request, done


def mutate(draw, text: str) -> str:
    """Delete, duplicate or insert a token, or swap two adjacent ones, keeping the spacing."""
    tokens = list(_TOKEN.finditer(text))
    i = draw(st.integers(0, len(tokens) - 1))
    start, end = tokens[i].span()
    kind = draw(st.sampled_from(("delete", "duplicate", "insert", "swap")))
    if kind == "delete":
        return (text[:start] + text[end:]).strip() or text[:start] + "x" + text[end:]
    if kind == "duplicate":
        return text[:end] + " " + text[start:end] + text[end:]
    if kind == "insert":
        return text[:start] + draw(st.sampled_from(INSERTS)) + " " + text[start:]
    if i + 1 < len(tokens):
        s2, e2 = tokens[i + 1].span()
        return text[:start] + text[s2:e2] + text[end:s2] + text[start:end] + text[e2:]
    return text[:start] + text[end:] + " " + text[start:end]


# Where ddblint and moto may disagree, and why: (name, predicate(request, codes, outcome), reason).
# A disagreement no predicate explains fails the test.
def _reserved_only_below_the_top(update: str) -> bool:
    """Every bare reserved word of the UpdateExpression is below the first element of its path."""
    try:
        tree = ex.parse_update(update)
    except ex.ExpressionError:
        return False
    paths = [node for node in ex.walk(tree) if isinstance(node, ex.Path)]
    reserved = [(i, e) for path in paths for i, e in enumerate(path.elements)
                if isinstance(e, ex.Name) and is_reserved(e.text)]
    return bool(reserved) and all(i > 0 for i, _ in reserved)


KNOWN_DIVERGENCES = [
    ("moto-condition-before-update-checks",
     lambda request, codes, outcome: codes
     and (outcome[0] == "ConditionalCheckFailedException" or evaluation_crash(outcome))
     and all(code in ("DDB402", "DDB404") and "in the UpdateExpression" in message for code, message in codes),
     "moto evaluates the ConditionExpression before it resolves the UpdateExpression's placeholders and "
     "checks its names for reserved words, so a condition that fails on the new item hides an undefined "
     "#name or :value or a bare reserved word there; DynamoDB validates the whole request first"),
    ("moto-unchecked-path-below-missing-attribute",
     lambda request, codes, outcome: codes and not moto_rejects(outcome)
     and all(code == "DDB404" and "in the UpdateExpression" in message for code, message in codes)
     and _reserved_only_below_the_top(request["UpdateExpression"]),
     "moto checks an UpdateExpression operand's path for reserved words element by element while it "
     "looks the path up in the item, and stops at the first element the item lacks: `if_not_exists(b.name, "
     ":v)` passes on an item without `b`. DynamoDB rejects the reserved word whatever the item holds"),
]


def explain(request, codes, outcome):
    for name, predicate, _reason in KNOWN_DIVERGENCES:
        if predicate(request, codes, outcome):
            return name
    return None


# One concrete request per divergence: when moto changes, this says which entry to drop.
DIVERGENCE_EXAMPLES = {
    "moto-condition-before-update-checks":
        {"UpdateExpression": "SET status = :s", "ConditionExpression": "attribute_exists(a)",
         "ExpressionAttributeValues": {":s": S}},
    "moto-unchecked-path-below-missing-attribute":
        {"UpdateExpression": "SET a = if_not_exists(b.name, :s)", "ExpressionAttributeValues": {":s": S}},
}


def test_moto_still_crashes_evaluating_size_of_a_missing_attribute(lint, dynamodb):
    for condition in ("size(b) > :n", "size(b[0]) > :n"):
        request = {"UpdateExpression": "SET a = :s", "ConditionExpression": condition,
                   "ExpressionAttributeValues": {":s": S, ":n": N}}
        assert lint("update_item", request) == []
        assert evaluation_crash(moto_outcome(dynamodb, "update_item", request)), "moto fixed it: simplify"


@pytest.mark.parametrize("name", [name for name, _, _ in KNOWN_DIVERGENCES])
def test_known_divergence_still_holds(name, lint, dynamodb):
    request = DIVERGENCE_EXAMPLES[name]
    codes = lint("update_item", request)
    outcome = moto_outcome(dynamodb, "update_item", request)
    assert bool(codes) != moto_rejects(outcome), f"moto and ddblint agree now: drop {name}"
    assert explain(request, codes, outcome) == name


EXAMPLES = 1000
# No pytest fixture inside @given (function-scoped ones are per test, not per example): the oracles
# are set up once per test and shared with the inner property through this dict.
_STATS = {"expressions": set(), "compared": 0, "outcomes": collections.Counter(), "divergences": collections.Counter()}


@pytest.mark.slow
def test_differential_against_moto(lint, dynamodb):
    stats = _STATS

    @settings(derandomize=True, max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(update_requests())
    def agree(generated):
        request, done = generated
        codes = lint("update_item", request)
        outcome = moto_outcome(dynamodb, "update_item", request)
        ours = bool(codes)
        theirs = moto_rejects(outcome)
        stats["compared"] += sum(p in request for p in ("UpdateExpression", "ConditionExpression"))
        stats["expressions"].update(request[p] for p in ("UpdateExpression", "ConditionExpression") if p in request)
        fired = ",".join(sorted({c for c, _ in codes})) or "none"
        stats["outcomes"][(fired, "crash in size()" if evaluation_crash(outcome) else outcome[0])] += 1
        if ours == theirs:
            return
        divergence = explain(request, codes, outcome)
        assert divergence is not None, (
            f"ddblint {'rejects' if ours else 'accepts'} and moto {'rejects' if theirs else 'accepts'}:\n"
            f"request: {request!r}\nmutations: {done}\nddblint: {codes}\nmoto: {outcome}")
        stats["divergences"][divergence] += 1

    agree()
    print(f"\ndifferential: {stats['compared']} generated expressions compared "
          f"({len(stats['expressions'])} distinct) in {EXAMPLES} UpdateItem requests")
    for (fired, outcome), count in sorted(stats["outcomes"].items()):
        print(f"  ddblint {fired:<22} moto {outcome:<32} {count}")
    for name, count in sorted(stats["divergences"].items()):
        print(f"  known divergence {name}: {count}")
    # the generator must exercise every rule and both answers
    fired_codes = {code for fired, _ in stats["outcomes"] for code in fired.split(",")}
    assert set(CODES) <= fired_codes, fired_codes
    assert any(fired == "none" and outcome == "ok" for fired, outcome in stats["outcomes"])
