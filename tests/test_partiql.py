"""PartiQL: the statement parser, the operations statements perform, their version guard, and
moto's agreement that what the parser accepts is PartiQL DynamoDB runs."""
from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import libcst as cst
import pytest
from conftest import lint_snippet
from hypothesis import given, settings, strategies as st

from ddblint import config, registry
from ddblint.dynamo import DynamoModel, expressions as ex, partiql
from ddblint.dynamo.partiql import MISSING, PartiQLError, parse, parse_parts, parse_value
from ddblint.dynamo.values import UNKNOWN, EnvVar, Template


def path(*names):
    return tuple(e.text if isinstance(e, (ex.Name, ex.Placeholder)) else e.value for e in names)


def names(p: ex.Path):
    return path(*p.elements)


# -- statements ------------------------------------------------------------------------------------

def test_update_with_set_remove_where_and_returning():
    s = parse('UPDATE "subscribers" SET "address" = ?, b.c = \'x\' REMOVE d SET e = e + 1 '
              'WHERE "subscriber_id" = ? AND version = ? RETURNING ALL NEW *')
    assert (s.kind, s.table, s.index, s.returning, s.parameters) == ("UPDATE", "subscribers", None, "ALL NEW *", 3)
    actions = [(a.clause, names(a.path)) for a in s.update.actions]
    assert actions == [("SET", ("address",)), ("SET", ("b", "c")), ("REMOVE", ("d",)), ("SET", ("e",))]
    assert s.update.actions[1].value == ex.Literal("x", s.update.actions[1].value.span)
    assert isinstance(s.update.actions[3].value, ex.Arithmetic)
    assert s.set_attributes == {"address", "b", "e"}
    assert s.removed_attributes == {"d"}
    assert s.written_attributes == {"address", "b", "d", "e"}
    where = s.where
    assert isinstance(where, ex.And)
    assert where.left.op == "=" and names(where.left.left) == ("subscriber_id",)
    assert isinstance(where.left.right, ex.ValueRef) and where.left.right.text == "?"


def test_update_set_values_functions_and_documents():
    s = parse("UPDATE Music SET AwardsWon=1 SET AwardDetail={'Grammys':[2020, 2018]} "
              "SET BandMembers = set_add(BandMembers, <<'newmember'>>) "
              "SET AwardDetail.Grammys = list_append(AwardDetail.Grammys, [2016]) "
              "WHERE Artist='Acme Band' AND SongTitle='PartiQL Rocks'")
    values = [a.value for a in s.update.actions]
    assert values[0].value == 1
    assert set(values[1].value) == {"Grammys"}
    assert isinstance(values[2], ex.Function) and values[2].name == "set_add"
    assert values[3].name == "list_append"
    assert s.set_attributes == {"AwardsWon", "AwardDetail", "BandMembers"}


def test_delete():
    s = parse("DELETE FROM Music WHERE Artist = 'Acme' AND SongTitle = 'PartiQL Rocks' RETURNING ALL OLD *")
    assert (s.kind, s.table, s.returning, s.parameters) == ("DELETE", "Music", "ALL OLD *", 0)
    assert s.written_attributes == frozenset()


def test_insert():
    s = parse("INSERT INTO \"Music\" VALUE {'Artist': ?, 'n': 1, 'm': {'a': [1, 2.5]}, 's': <<'a', 'b'>>, "
              "'ok': true, 'gone': NULL}")
    assert (s.kind, s.table, s.parameters) == ("INSERT", "Music", 1)
    assert s.inserted_attributes == {"Artist", "n", "m", "s", "ok", "gone"}
    assert s.set_attributes == s.written_attributes == s.inserted_attributes
    assert isinstance(s.item["Artist"], ex.ValueRef)
    assert s.item["ok"].value is True and s.item["gone"].value is None
    assert parse("INSERT INTO t VALUE ?").inserted_attributes is UNKNOWN


def test_select_with_index_projection_and_order():
    s = parse('SELECT a, b.c[0], d[\'e\'] FROM "Music"."by-artist" WHERE Artist IN [\'a\', ?] '
              "AND begins_with(SongTitle, 'P') AND Awards IS NOT MISSING ORDER BY SongTitle DESC")
    assert (s.kind, s.table, s.index, s.parameters) == ("SELECT", "Music", "by-artist", 1)
    assert [names(p) for p in s.projection] == [("a",), ("b", "c", 0), ("d", "e")]
    assert parse("select * from t").projection is None
    conjuncts = partiql._conjuncts(s.where)
    assert isinstance(conjuncts[0], ex.In) and len(conjuncts[0].choices) == 2
    assert conjuncts[1].name == "begins_with"
    assert conjuncts[2] == ex.Function("attribute_exists", (conjuncts[2].args[0],), conjuncts[2].span)


def test_exists_is_a_select_of_its_own():
    s = parse('EXISTS(SELECT * FROM "Music" WHERE "Artist" = \'Acme Band\' AND "SongTitle" = \'PartiQL Rocks\' '
              "AND Awards IS MISSING)")
    assert (s.kind, s.table) == ("EXISTS", "Music")
    assert s.condition() == ex.Function("attribute_not_exists", (s.condition().args[0],), s.condition().span)


@pytest.mark.parametrize("text, expected", [
    ('UPDATE t SET "weird name" = 1 WHERE pk = 1', ("weird name",)),
    ('UPDATE t SET "say ""hi""" = 1 WHERE pk = 1', ('say "hi"',)),
    ('UPDATE t SET "a"."b c"[2].d = 1 WHERE pk = 1', ("a", "b c", 2, "d")),
    ("UPDATE t SET a['b'][0] = 1 WHERE pk = 1", ("a", "b", 0)),
    ('UPDATE t SET a.value = 1 WHERE pk = 1', ("a", "value")),
])
def test_quoted_identifiers_and_nested_paths(text, expected):
    assert names(parse(text).update.actions[0].path) == expected


def test_strings_numbers_and_constants():
    s = parse("SELECT * FROM t WHERE a = 'it''s' AND b = -3 AND c = 1.5e2 AND d = TRUE AND e = null AND f = missing")
    values = [c.right.value for c in partiql._conjuncts(s.where)]
    assert values == ["it's", -3, Decimal("1.5e2"), True, None, MISSING]


def test_keywords_and_functions_are_case_insensitive():
    s = parse("update t set a = ? where pk = ? and BEGINS_WITH(a, 'x') or Not b <> 2")
    assert isinstance(s.where, ex.Or) and isinstance(s.where.right, ex.Not)
    assert s.where.left.right.name == "begins_with"


def test_operators():
    s = parse("SELECT * FROM t WHERE a != 1 AND b NOT BETWEEN 1 AND 2 AND c NOT IN (1, 2) AND size(d) >= 3 "
              "AND e IS NULL AND f IS NOT NULL AND (g < 1 OR g > 2) AND attribute_type(h, 'S')")
    terms = partiql._conjuncts(s.where)
    assert terms[0].op == "<>"
    assert isinstance(terms[1], ex.Not) and isinstance(terms[1].operand, ex.Between)
    assert isinstance(terms[2], ex.Not) and isinstance(terms[2].operand, ex.In)
    assert isinstance(terms[3].left, ex.Function) and terms[3].left.name == "size"
    assert terms[4].name == "attribute_type"
    assert isinstance(terms[5], ex.Not)
    assert isinstance(terms[6], ex.Or)
    assert terms[7].name == "attribute_type"


def test_parenthesised_operand_is_not_a_condition():
    s = parse("SELECT * FROM t WHERE (a + ?) = b AND ((c = 1))")
    assert s.parameters == 1
    first, second = partiql._conjuncts(s.where)
    assert isinstance(first.left, ex.Arithmetic) and second.op == "="


def test_parameters_are_counted_in_order():
    s = parse("UPDATE t SET a = ?, b = ? + 1 WHERE pk = ? AND c IN [?, ?]")
    assert s.parameters == 5


@pytest.mark.parametrize("text", [
    "", "   ", "x", "UPDATE t SET a = ?", "UPDATE t WHERE a = 1", "SELECT FROM t", "SELECT * t",
    "DELETE t WHERE a = 1", "DELETE FROM t", "INSERT INTO t VALUES {'a': 1}", "INSERT INTO t VALUE {a: 1}",
    "UPDATE t SET a = 1 WHERE a = 1 extra", "SELECT * FROM t WHERE a", "SELECT * FROM t WHERE a = 'x",
    'SELECT * FROM "t WHERE a = 1', "SELECT * FROM t WHERE a = 1 AND", "SELECT * FROM t WHERE a IN 1",
    "SELECT * FROM t WHERE a IS 3", "UPDATE t SET a = 1 WHERE pk = 1 RETURNING ALL",
    "UPDATE my-table SET a = 1 WHERE pk = 1",
    "SELECT * FROM t WHERE a = 1;", "SELECT * FROM t WHERE a = #x", "SELECT * FROM t WHERE a = 12abc",
    "UPDATE t SET a[x] = 1 WHERE pk = 1", "EXISTS(SELECT * FROM t WHERE a = 1",
])
def test_errors_are_partiql_errors_with_a_place(text):
    with pytest.raises(PartiQLError) as raised:
        parse(text)
    error = raised.value
    assert str(error) and 0 <= error.start <= error.end <= len(text)


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(PartiQLError, match="nested too deeply"):
        parse("SELECT * FROM t WHERE " + "NOT " * 5000 + "a = 1")
    with pytest.raises(PartiQLError):
        parse("SELECT * FROM t WHERE " + "(" * 5000 + "a = 1" + ")" * 5000)


def test_not_a_string():
    with pytest.raises(PartiQLError):
        parse(None)
    with pytest.raises(PartiQLError):
        parse_value(UNKNOWN)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("SELECTUPDAWHRIN*FROMt \"'?=<>!()[]{},.:-+0123456789abNOT_")),
               max_size=60))
def test_any_text_parses_or_raises_partiql_error(text):
    try:
        parse(text)
    except PartiQLError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["SELECT", "UPDATE", "DELETE", "FROM", "WHERE", "SET", "AND", "OR", "NOT", "IN",
                                 "BETWEEN", "IS", "MISSING", "t", '"t"', "a", "?", "'x'", "1", "=", "<", "(", ")",
                                 "[", "]", ",", ".", "{", "}", ":", "<<", ">>", "VALUE", "INSERT", "INTO",
                                 "EXISTS", "RETURNING", "ALL", "OLD", "*", "size", "begins_with"]), max_size=25))
def test_any_token_soup_parses_or_raises_partiql_error(words):
    try:
        parse(" ".join(words))
    except PartiQLError:
        pass


# -- statements known in parts (f-strings, concatenation) -----------------------------------------------

def test_table_from_an_unknown_part():
    s = parse_value(Template(('UPDATE "', UNKNOWN, '" SET a = ? WHERE pk = ?')))
    assert s.kind == "UPDATE" and s.table is UNKNOWN
    assert parse_parts(['UPDATE "', EnvVar("T"), '" SET a = ? WHERE pk = ?']).table == EnvVar("T")
    assert parse_parts(['DELETE FROM "', UNKNOWN, '-orders" WHERE pk = ?']).table == Template((UNKNOWN, "-orders"))
    assert parse_parts(["SELECT * FROM ", "orders", ".", UNKNOWN]).index is UNKNOWN


def test_unknown_attribute_names_and_values():
    s = parse_parts(["UPDATE t SET ", UNKNOWN, " = ? WHERE pk = '", UNKNOWN, "' AND version = ", UNKNOWN])
    action = s.update.actions[0]
    assert isinstance(action.path.elements[0], ex.Placeholder)
    assert s.set_attributes is UNKNOWN
    key, version = partiql._conjuncts(s.where)
    assert key.right.value is UNKNOWN and version.right.value is UNKNOWN  # values, not attributes
    s = parse_parts(["SELECT * FROM t WHERE ", UNKNOWN, " = ?"])
    assert isinstance(s.where.left.elements[0], ex.Placeholder)  # compared with a value: an attribute


@pytest.mark.parametrize("parts", [
    ["UPDATE t SET a = ? WHERE ", UNKNOWN],
    ["UPDATE t SET a = ? WHERE pk = ? ", UNKNOWN],
    ["UPDATE t SET ", UNKNOWN, " WHERE pk = ?"],
    [UNKNOWN],
])
def test_unknown_clauses_are_errors(parts):
    with pytest.raises(PartiQLError):
        parse_parts(parts)


# -- the condition: the WHERE without the key predicates ------------------------------------------------

def condition_names(statement, *args):
    tree = statement.condition(*args)
    if tree is None:
        return None
    found = []
    for node in ex.walk(tree):
        if isinstance(node, ex.Path):
            found.append(names(node)[0])
    return found


@pytest.mark.parametrize("text, args, expected", [
    # key equalities name the item; a version equality is kept
    ("UPDATE t SET a = ? WHERE pk = ? AND sk = ?", (("version",),), None),
    ("UPDATE t SET a = ? WHERE pk = ? AND version = ?", (("version",),), ["version"]),
    ("DELETE FROM t WHERE pk = ? AND version = ?", (("version",),), ["version"]),
    # an attribute the statement writes is not a key
    ("UPDATE t SET status = ? WHERE pk = ? AND status = ?", (), ["status"]),
    # other predicates than equalities are conditions
    ("UPDATE t SET a = ? WHERE pk = ? AND expires < ?", (), ["expires"]),
    ("UPDATE t SET a = ? WHERE pk = ? AND attribute_exists(pk)", (), ["pk"]),
    ("UPDATE t SET a = ? WHERE pk = ? AND (b = ? OR c = ?)", (), ["b", "c"]),
    # more than two equalities cannot all be key attributes
    ("DELETE FROM t WHERE pk = ? AND sk = ? AND owner = ?", (), ["pk", "sk", "owner"]),
    ("DELETE FROM t WHERE pk = ? AND owner = ?", (), None),
    # the registry's key schema decides
    ("DELETE FROM t WHERE pk = ? AND owner = ?", ((), ("pk",)), ["owner"]),
    ("DELETE FROM t WHERE pk = ? AND sk = ? AND owner = ?", ((), ("pk", "sk")), ["owner"]),
    # nested paths are never keys
    ("UPDATE t SET a = ? WHERE pk = ? AND b.c = ?", (), ["b"]),
])
def test_condition_without_key_predicates(text, args, expected):
    assert condition_names(parse(text), *args) == expected


def test_insert_condition_is_a_create():
    tree = parse("INSERT INTO t VALUE {'pk': ?, 'a': 1}").condition()
    assert tree.name == "attribute_not_exists" and names(tree.args[0]) == ("pk",)
    assert parse("INSERT INTO t VALUE ?").condition().name == "attribute_not_exists"


# -- operations ------------------------------------------------------------------------------------------

def model(source: str, toml: str = "", tmp_path: Path = None) -> DynamoModel:
    path = Path("app.py")
    settings_path = None
    if toml:
        (tmp_path / "pyproject.toml").write_text(textwrap.dedent(toml))
        settings_path = tmp_path / "pyproject.toml"
        path = tmp_path / "app.py"
    settings = config.load_settings(settings_path, registry.defaults())
    return DynamoModel(cst.parse_module(textwrap.dedent(source)), path, settings)


def statements(m: DynamoModel):
    return [(op.name, op.table, op.in_transaction, op.partiql.kind) for op in m.operations if op.partiql is not None]


def test_execute_statement_performs_its_statement():
    m = model('''
        import boto3
        c = boto3.client("dynamodb", region_name="eu-west-1")
        c.execute_statement(Statement='UPDATE "t" SET a = ? WHERE pk = ?', Parameters=[], ConsistentRead=False)
        c.execute_statement(Statement="DELETE FROM t WHERE pk = ?")
        c.execute_statement(Statement="INSERT INTO t VALUE {'pk': ?}")
        c.execute_statement(Statement="SELECT * FROM t WHERE pk = ?", ConsistentRead=True)
        c.execute_statement(Statement="SELECT * FROM t")
        c.execute_statement(Statement="not partiql")
    ''')
    assert statements(m) == [("UpdateItem", "t", False, "UPDATE"), ("DeleteItem", "t", False, "DELETE"),
                             ("PutItem", "t", False, "INSERT"), ("Query", "t", False, "SELECT"),
                             ("Scan", "t", False, "SELECT")]
    query = [op for op in m.operations if op.name == "Query"][0]
    assert query.param("ConsistentRead") is True and query.node is query.call.node
    assert query.call.region == "eu-west-1"
    # the call itself stays an operation of its own, as TransactWriteItems does
    assert [op.name for op in m.operations].count("ExecuteStatement") == 6


def test_batch_and_transaction_statements():
    m = model('''
        import boto3
        c = boto3.client("dynamodb")
        c.batch_execute_statement(Statements=[
            {"Statement": "UPDATE a SET x = ? WHERE pk = ?", "Parameters": []},
            {"Statement": "DELETE FROM b WHERE pk = ?"},
        ])
        entry = {"Statement": "INSERT INTO c VALUE {'pk': ?}"}
        c.execute_transaction(TransactStatements=[
            entry,
            {"Statement": "EXISTS(SELECT * FROM d WHERE pk = ? AND v = ?)"},
            {"Statement": "SELECT * FROM e WHERE pk = ?"},
        ])
    ''')
    assert statements(m) == [("UpdateItem", "a", False, "UPDATE"), ("DeleteItem", "b", False, "DELETE"),
                             ("PutItem", "c", True, "INSERT"), ("ConditionCheck", "d", True, "EXISTS"),
                             ("GetItem", "e", True, "SELECT")]
    nodes = [op.node for op in m.operations if op.partiql is not None]
    assert all(isinstance(n, cst.Dict) for n in nodes)  # each points at its own entry


def test_statement_tables_from_fstrings_and_constants(tmp_path):
    m = model('''
        import os
        import boto3
        TABLE = os.environ["ORDERS_TABLE"]
        STAGE = os.environ["STAGE"]
        NAME = "orders"
        c = boto3.client("dynamodb")
        c.execute_statement(Statement=f'UPDATE "{TABLE}" SET a = ? WHERE pk = ?')
        c.execute_statement(Statement=f"UPDATE \\"{NAME}\\" SET a = ? WHERE pk = ?")
        c.execute_statement(Statement='DELETE FROM "' + STAGE + '-orders" WHERE pk = ?')
        stmt = f"INSERT INTO {NAME} VALUE {{'pk': ?}}"
        c.execute_statement(Statement=stmt)
        c.execute_statement(Statement="SELECT * FROM t WHERE pk = %s" % 1)
    ''')
    assert [op.table for op in m.operations if op.partiql is not None] == [
        EnvVar("ORDERS_TABLE"), "orders", Template((UNKNOWN, "-orders")), "orders"]


def test_look_alikes_are_not_statements():
    m = model('''
        import boto3
        rds = boto3.client("rds-data")
        rds.execute_statement(resourceArn="a", secretArn="b", sql="UPDATE t SET a = 1 WHERE id = 2")

        def run(executor):
            executor.execute_statement("UPDATE t SET a = 1 WHERE id = 2")
    ''')
    assert statements(m) == []


GUARDS = {
    "UPDATE t SET a = ? WHERE pk = ?": "unguarded",
    "UPDATE t SET a = ?, version = ? WHERE pk = ? AND version = ?": "guarded",
    "UPDATE t SET a = ? WHERE pk = ? AND version = ?": "guarded",  # DDB103's business
    "UPDATE t SET status = 'DONE' WHERE pk = ? AND status = 'TODO'": "guarded",
    "UPDATE t SET a = ? WHERE pk = ? AND postcode = ?": "unguarded",
    "UPDATE t SET a = ? WHERE pk = ? AND (version = ? OR b = ?)": "unguarded",
    "UPDATE t SET a = ? WHERE pk = ? AND (version = ? OR attribute_not_exists(pk))": "guarded",
    "UPDATE t SET a = ? WHERE pk = ? AND expires_at < ?": "unguarded",
    "UPDATE t SET expires_at = ? WHERE pk = ? AND expires_at < ?": "guarded",
    "DELETE FROM t WHERE pk = ?": "unguarded",
    "DELETE FROM t WHERE pk = ? AND sk = ?": "unguarded",
    "DELETE FROM t WHERE pk = ? AND version = ?": "guarded",
    "DELETE FROM t WHERE pk = ? AND sk = ? AND owner = ?": "guarded",
    "INSERT INTO t VALUE {'pk': ?}": "guarded",
}


@pytest.mark.parametrize("statement, expected", list(GUARDS.items()))
def test_version_guard_of_statements(statement, expected):
    m = model(f'''
        import boto3
        c = boto3.client("dynamodb")
        c.execute_statement(Statement="{statement}", **extra)
    ''')
    op, = [op for op in m.operations if op.partiql is not None]
    assert not op.complete  # a splat cannot add a condition to a statement
    assert m.guard(op).status == expected


def test_registry_keys_tell_key_predicates_apart(tmp_path):
    source = '''
        import boto3
        c = boto3.client("dynamodb")
        c.execute_statement(Statement="DELETE FROM locks WHERE lock_id = ? AND owner = ?")
    '''
    m = model(source)
    op, = [op for op in m.operations if op.partiql is not None]
    assert m.guard(op).status == "unguarded"
    m = model(source, '[tool.ddblint.tables.locks]\npartition-key = "lock_id"\n', tmp_path)
    op, = [op for op in m.operations if op.partiql is not None]
    assert m.guard(op).status == "guarded"


def test_bumped_versions_and_checks():
    m = model('''
        import boto3
        c = boto3.client("dynamodb")
        c.execute_statement(Statement="UPDATE t SET a = ?, version = version + 1 WHERE pk = ?")
    ''')
    op, = [op for op in m.operations if op.partiql is not None]
    assert m.bumped_versions(op) == {"version"}
    assert not m.guard(op).checks_version


# -- rules together --------------------------------------------------------------------------------------

def lint(source: str, tmp_path: Path, toml: str = ""):
    return sorted((d.location.row, d.code) for d in lint_snippet(source, tmp_path, toml=toml))


def test_partiql_writes_are_reported_once_by_the_partiql_rules(tmp_path):
    found = lint('''
        import boto3
        c = boto3.client("dynamodb")
        c.execute_statement(Statement="UPDATE t SET a = ? WHERE pk = ?")
        c.execute_statement(Statement="UPDATE t SET a = ?, version = version + 1 WHERE pk = ?")
        c.execute_statement(Statement="UPDATE t SET a = ? WHERE pk = ? AND version = ?")
        c.execute_statement(Statement="INSERT INTO t VALUE {'pk': ?}")
        c.execute_statement(Statement="UPDATE t SET a = ?, version = ? WHERE pk = ? AND version = ?")
    ''', tmp_path)
    assert found == [(3, "DDB110"), (4, "DDB104"), (5, "DDB103")]


def test_append_only_table_mutated_by_partiql(tmp_path):
    found = lint('''
        import boto3
        c = boto3.client("dynamodb")
        c.execute_statement(Statement="DELETE FROM events WHERE pk = ?")
    ''', tmp_path, '[tool.ddblint.tables.events]\nshape = "append-only"\n')
    assert found == [(3, "DDB204")]


def test_consistent_read_of_a_statement_outside_the_home_region(tmp_path):
    found = lint('''
        import boto3
        c = boto3.client("dynamodb", region_name="us-east-1")
        c.execute_statement(Statement="SELECT * FROM profiles WHERE pk = ?", Parameters=[], ConsistentRead=True)
    ''', tmp_path, '[tool.ddblint.tables.profiles]\nhome-region = "eu-west-1"\n')
    assert found == [(3, "DDB302")]


# -- moto: the parser's PartiQL is DynamoDB's --------------------------------------------------------------

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")
pytest.importorskip("py_partiql_parser")  # moto[dynamodb] brings it; moto's PartiQL needs it


@pytest.fixture
def dynamodb():
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="subscribers", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        yield client


# Statements in the forms moto's PartiQL (py-partiql-parser) also implements: string values and
# parameters, equality WHEREs. The parser must accept each, and moto must run each.
MOTO_STATEMENTS = [
    ("INSERT INTO \"subscribers\" VALUE {'pk': 'a', 'address': 'x', 'version': '1'}", None),
    ("INSERT INTO subscribers VALUE {'pk': 'b', 'address': 'y'}", None),
    ('SELECT * FROM "subscribers" WHERE "pk" = ?', [{"S": "a"}]),
    ("SELECT address FROM subscribers WHERE pk = 'a'", None),
    ('UPDATE "subscribers" SET "address" = ? WHERE "pk" = ?', [{"S": "z"}, {"S": "a"}]),
    ("UPDATE subscribers SET address = 'w' WHERE pk = 'a' AND version = '1'", None),
    ("UPDATE subscribers REMOVE address WHERE pk = 'b'", None),
    ("DELETE FROM \"subscribers\" WHERE \"pk\" = 'b'", None),
]


def test_moto_runs_what_the_parser_accepts(dynamodb):
    for statement, parameters in MOTO_STATEMENTS:
        parse(statement)
        extra = {"Parameters": parameters} if parameters else {}
        dynamodb.execute_statement(Statement=statement, **extra)
    items = dynamodb.scan(TableName="subscribers")["Items"]
    assert items == [{"pk": {"S": "a"}, "address": {"S": "w"}, "version": {"S": "1"}}]


BLIND = 'UPDATE "subscribers" SET "address" = ? WHERE "pk" = ?'
GUARDED = 'UPDATE "subscribers" SET "address" = ?, "version" = ? WHERE "pk" = ? AND "version" = ?'


def test_the_blind_update_loses_a_concurrent_change_and_the_guarded_one_does_not(dynamodb, tmp_path):
    from botocore.exceptions import ClientError

    def address(pk):
        return dynamodb.get_item(TableName="subscribers", Key={"pk": {"S": pk}})["Item"]["address"]["S"]

    def write(statement, *parameters):
        extra = {"Parameters": [{"S": p} for p in parameters]} if parameters else {}
        dynamodb.execute_statement(Statement=statement, **extra)

    for pk in ("blind", "guarded"):
        write(f"INSERT INTO subscribers VALUE {{'pk': '{pk}', 'address': 'old', 'version': '1'}}")
        # writers A and B both read version 1; B changes the address first and moves the version on
        write(GUARDED, "from B", "2", pk, "1")
    # A's blind update silently overwrites B's change
    write(BLIND, "from A", "blind")
    assert address("blind") == "from A"
    # with the version it read, A's update does not apply: DynamoDB raises
    # ConditionalCheckFailedException (moto's PartiQL matches no item and changes nothing)
    try:
        write(GUARDED, "from A", "2", "guarded", "1")
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert address("guarded") == "from B"
    # and ddblint tells the two apart
    found = lint(f'''
        import boto3
        c = boto3.client("dynamodb")
        c.execute_statement(Statement={BLIND!r}, Parameters=[])
        c.execute_statement(Statement={GUARDED!r}, Parameters=[])
    ''', tmp_path)
    assert found == [(3, "DDB110")]
