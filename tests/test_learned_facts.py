"""Table facts learned from code (SPEC §3): `create_table`/`update_table` give key schemas and
index kinds, across the project's files, shown by `ddblint tables`; DDB301 uses them, and is
silent on an index of unknown kind."""
import json
import textwrap

import libcst as cst

from conftest import make_tree
from ddblint.dynamo import learned, table_registry
from ddblint.dynamo.scope import build_index
from ddblint.dynamo.values import Evaluator

CONFIG = "[tool.ddblint]\n"
CREATE_ORDERS = '''
    import boto3

    def make_tables(client):
        client.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "by_customer",
                                     "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}]}],
            LocalSecondaryIndexes=[{"IndexName": "by_placed",
                                    "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"},
                                                  {"AttributeName": "placed", "KeyType": "RANGE"}]}],
        )
'''
QUERY = '''
    def orders_of(client, customer):
        return client.query(TableName="orders", IndexName="{index}", ConsistentRead=True,
                            KeyConditionExpression="order_id = :c", ExpressionAttributeValues={{":c": {{"S": customer}}}})
'''


def learn(source, tmp_path):
    index = build_index(cst.parse_module(textwrap.dedent(source)))
    return learned.from_module(index, Evaluator(index), tmp_path / "m.py", tmp_path)


def check(root, ddblint_main):
    run = ddblint_main("check", str(root), "--no-cache", "--output-format", "json", "--select", "DDB301")
    assert run.returncode in (0, 1), run.stderr
    return [(d["filename"].rsplit("/", 1)[-1], d["location"]["row"], d["message"]) for d in json.loads(run.stdout)]


# -- what a module teaches -------------------------------------------------------------------------
def test_create_table_gives_key_schema_and_index_kinds(tmp_path):
    found, = learn(CREATE_ORDERS, tmp_path)
    assert (found.table, found.partition_key, found.sort_key) == ("orders", "order_id", None)
    assert found.indexes == (("by_customer", "global"), ("by_placed", "local"))
    assert found.source == "m.py:5" and found.method == "create_table"


def test_update_table_gsi_creation_is_global(tmp_path):
    found, = learn('''
        import boto3
        boto3.client("dynamodb").update_table(
            TableName="orders",
            GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "by_status", "KeySchema": []}},
                                         {"Delete": {"IndexName": "old"}}],
        )
    ''', tmp_path)
    assert found.indexes == (("by_status", "global"),) and found.partition_key is None


def test_unreadable_or_foreign_calls_teach_nothing(tmp_path):
    assert learn('''
        def make(client, schema, name):
            client.create_table(TableName="orders", KeySchema=schema)      # schema unknown
            client.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
            client.create_table("orders", [{"AttributeName": "pk", "KeyType": "HASH"}])  # positional: not boto3
            {}.update_table(TableName="orders", GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "g"}}])
    ''', tmp_path) == []


# -- DDB301 across files -----------------------------------------------------------------------------
def test_index_created_global_in_a_fixture_is_reported(tmp_path, ddblint_main):
    make_tree(tmp_path, {"pyproject.toml": CONFIG, "tests/conftest.py": CREATE_ORDERS,
                         "app.py": QUERY.format(index="by_customer")})
    (found,) = check(tmp_path, ddblint_main)
    assert found[:2] == ("app.py", 2)
    assert "which is a global secondary index (created so at tests/conftest.py:4)" in found[2]


def test_index_created_local_is_not_reported(tmp_path, ddblint_main):
    make_tree(tmp_path, {"pyproject.toml": CONFIG, "tests/conftest.py": CREATE_ORDERS,
                         "app.py": QUERY.format(index="by_placed")})
    assert check(tmp_path, ddblint_main) == []


def test_without_a_configuration_file_only_the_module_itself_teaches(tmp_path, ddblint_main):
    # without a configuration file the root is the working directory, which is not scanned
    make_tree(tmp_path, {"tests/conftest.py": CREATE_ORDERS, "app.py": QUERY.format(index="by_customer")})
    assert check(tmp_path, ddblint_main) == []


def test_index_of_unknown_kind_is_not_reported(tmp_path, ddblint_main):
    make_tree(tmp_path, {"pyproject.toml": '[tool.ddblint.tables.orders]\nmode = "global"\n',
                         "app.py": QUERY.format(index="by_customer")})
    assert check(tmp_path, ddblint_main) == []


def test_an_index_created_both_ways_is_not_guessed(tmp_path, ddblint_main):
    local = CREATE_ORDERS.replace('"by_placed"', '"by_other"').replace("LocalSecondaryIndexes", "X").replace(
        "GlobalSecondaryIndexes", "LocalSecondaryIndexes").replace("X=", "GlobalSecondaryIndexes=")
    make_tree(tmp_path, {"pyproject.toml": CONFIG, "tests/conftest.py": CREATE_ORDERS, "scripts/setup.py": local,
                         "app.py": QUERY.format(index="by_customer")})
    assert check(tmp_path, ddblint_main) == []


def test_a_migration_that_is_never_queried_changes_nothing(tmp_path, ddblint_main):
    app = '''
        import boto3
        table = boto3.resource("dynamodb").Table("orders")
        table.update_item(Key={"order_id": "1"}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})
        table.query(IndexName="by_customer", KeyConditionExpression="order_id = :o", ConsistentRead=True)
    '''
    make_tree(tmp_path / "before", {"pyproject.toml": CONFIG, "app.py": app})
    make_tree(tmp_path / "after", {"pyproject.toml": CONFIG, "app.py": app,
                                   "migrations/0001.py": CREATE_ORDERS.replace('"orders"', '"audit"')})
    for side in ("before", "after"):
        ddblint_main("check", str(tmp_path / side), "--no-cache", "--output-format", "json")
    before = ddblint_main("check", str(tmp_path / "before"), "--no-cache", "--output-format", "json").stdout
    after = ddblint_main("check", str(tmp_path / "after"), "--no-cache", "--output-format", "json").stdout
    strip = lambda out: [(d["code"], d["location"]["row"], d["message"]) for d in json.loads(out)]  # noqa: E731
    assert strip(before) == strip(after) and strip(before)


# -- ddblint tables --------------------------------------------------------------------------------
def test_tables_lists_learned_facts_with_their_source(tmp_path, ddblint_main):
    make_tree(tmp_path, {"pyproject.toml": CONFIG, "tests/conftest.py": CREATE_ORDERS})
    out = ddblint_main("tables", str(tmp_path)).stdout
    assert "orders" in out.splitlines()
    assert "create_table" in out and "partition-key  order_id" in out
    assert "by_customer (global), by_placed (local)  tests/conftest.py:4" in out


def test_configuration_wins_over_learned_facts(tmp_path, ddblint_main):
    make_tree(tmp_path, {
        "pyproject.toml": '[tool.ddblint.tables.orders]\npartition-key = "id"\nindexes = { by_customer = "local" }\n',
        "tests/conftest.py": CREATE_ORDERS,
        "app.py": QUERY.format(index="by_customer"),
    })
    out = ddblint_main("tables", str(tmp_path)).stdout
    assert out.split("partition-key")[1].split()[:2] == ["id", "pyproject.toml:1"]
    assert "by_customer (local)" in out and "indexes (code)     by_placed (local)    tests/conftest.py:4" in out
    # the configuration says local: DDB301 believes it
    assert check(tmp_path, ddblint_main) == []


def test_index_queried_on_another_partition_key_than_the_created_tables(tmp_path, ddblint_main):
    # the fixture creates the table without the index (infrastructure adds it): its key schema
    # still says `customer` is not the table's partition key, so the index is global
    create = CREATE_ORDERS.replace("GlobalSecondaryIndexes", "Tags").replace("LocalSecondaryIndexes", "Tags2")
    query = QUERY.format(index="by_customer").replace("order_id = :c", "customer = :c")
    make_tree(tmp_path, {"pyproject.toml": CONFIG, "tests/conftest.py": create, "app.py": query})
    (found,) = check(tmp_path, ddblint_main)
    assert "queried on `customer`, not the table's partition key `order_id`" in found[2]
    # on the table's partition key the index may be local
    make_tree(tmp_path, {"app.py": QUERY.format(index="by_customer")})
    assert check(tmp_path, ddblint_main) == []


PYNAMO_USERS = '''
    import boto3
    from pynamodb.attributes import UnicodeAttribute
    from pynamodb.indexes import AllProjection, {kind}
    from pynamodb.models import Model

    class EmailIndex({kind}):
        class Meta:
            index_name = "by_email"
            projection = AllProjection()
        email = UnicodeAttribute(hash_key=True)

    class User(Model):
        class Meta:
            table_name = "users"
        user_id = UnicodeAttribute(hash_key=True)
        by_email = EmailIndex()

    def find(email):
        return boto3.client("dynamodb").query(TableName="users", IndexName="by_email", ConsistentRead=True,
                                              KeyConditionExpression="user_id = :e")
'''


def test_a_pynamodb_index_class_says_the_kind_for_boto3_calls_in_its_module(tmp_path, ddblint_main):
    make_tree(tmp_path / "g", {"app.py": PYNAMO_USERS.format(kind="GlobalSecondaryIndex")})
    (found,) = check(tmp_path / "g", ddblint_main)
    assert "(declared by the PynamoDB model `User`)" in found[2]
    make_tree(tmp_path / "l", {"app.py": PYNAMO_USERS.format(kind="LocalSecondaryIndex")})
    assert check(tmp_path / "l", ddblint_main) == []


# -- PynamoDB models across the project's modules ----------------------------------------------------
INDEXES = '''
    from pynamodb.attributes import UnicodeAttribute
    from pynamodb.indexes import AllProjection, {kind}

    class ByEmail({kind}):
        class Meta:
            index_name = "by_email"
            projection = AllProjection()
        email = UnicodeAttribute(hash_key=True)
'''
MODELS = '''
    from pynamodb.attributes import UnicodeAttribute
    from pynamodb.models import Model

    from app.indexes import ByEmail

    class User(Model):
        class Meta:
            table_name = "users"
        tenant = UnicodeAttribute(hash_key=True)
        user_id = UnicodeAttribute(range_key=True)
        by_email = ByEmail()
'''
SEARCH = '''
    import boto3

    def find(email):
        return boto3.client("dynamodb").query(TableName="users", IndexName="by_email", ConsistentRead=True,
                                              KeyConditionExpression="email = :e",
                                              ExpressionAttributeValues={":e": {"S": email}})
'''


def users_project(root, kind="GlobalSecondaryIndex", models=MODELS):
    return make_tree(root, {"pyproject.toml": CONFIG, "app/__init__.py": "", "app/indexes.py": INDEXES.format(kind=kind),
                            "app/models.py": models, "app/search.py": SEARCH})


def test_an_index_class_of_another_module_says_the_kind_for_boto3_calls_anywhere(tmp_path, ddblint_main):
    # the index class is in app/indexes.py, the model in app/models.py, the query in app/search.py
    users_project(tmp_path / "g")
    (found,) = check(tmp_path / "g", ddblint_main)
    assert found[:2] == ("search.py", 4)
    assert "which is a global secondary index (declared by the PynamoDB model `User` at app/models.py:6)" in found[2]
    users_project(tmp_path / "l", kind="LocalSecondaryIndex")
    assert check(tmp_path / "l", ddblint_main) == []


def test_an_index_class_of_another_module_counts_in_the_models_own_module(tmp_path, ddblint_main):
    users_project(tmp_path)
    make_tree(tmp_path, {"app/search.py": "", "app/models.py": "import boto3\n" + textwrap.dedent(MODELS)
                         + textwrap.dedent(SEARCH).replace("import boto3\n", "")})
    (found,) = check(tmp_path, ddblint_main)
    assert found[0] == "models.py" and "(declared by the PynamoDB model `User`)" in found[2]


def test_lookalike_models_and_unresolved_index_classes_teach_nothing(tmp_path, ddblint_main):
    users_project(tmp_path, models=MODELS.replace("from app.indexes import ByEmail", "from elsewhere import ByEmail"))
    # queried on the table's partition key: the index may be local
    make_tree(tmp_path, {"app/search.py": SEARCH.replace("email = :e", "tenant = :e")})
    make_tree(tmp_path, {"app/django_models.py": '''
        from django.db import models

        class Article(models.Model):
            class Meta:
                db_table = "users"
            table_name = "users"
    '''})
    assert check(tmp_path, ddblint_main) == []
    out = ddblint_main("tables", str(tmp_path)).stdout
    assert "by_email" not in out and "Article" not in out
    assert "PynamoDB model User" in out  # its key schema is still known


def test_tables_lists_what_pynamodb_models_declare_with_their_source(tmp_path, ddblint_main):
    users_project(tmp_path)
    make_tree(tmp_path, {"tests/conftest.py": CREATE_ORDERS})
    out = ddblint_main("tables", str(tmp_path)).stdout
    users = out.split("\n\n")[[block.split("\n")[0] for block in out.split("\n\n")].index("users")]
    assert "resource       PynamoDB model User  app/models.py:6" in users
    assert "partition-key  tenant" in users and "sort-key       user_id" in users
    assert "indexes        by_email (global)    app/models.py:6" in users
    assert "by_customer (global), by_placed (local)  tests/conftest.py:4" in out  # create_table facts too


def test_a_models_key_schema_says_an_index_queried_on_another_key_is_global(tmp_path, ddblint_main):
    # the index class cannot be seen, but the model's hash key is `tenant`: an index queried on
    # `email` has a partition key of its own
    users_project(tmp_path, models=MODELS.replace("from app.indexes import ByEmail", "from elsewhere import ByEmail"))
    (found,) = check(tmp_path, ddblint_main)
    assert "(queried on `email`, not the table's partition key `tenant`)" in found[2]


def test_a_changed_index_class_invalidates_the_cached_results_of_boto3_queries(tmp_path, ddblint_main):
    # the second query's module reuses what the first one's lint learned from app/models.py: both
    # depend on app/indexes.py, which that read
    users_project(tmp_path)
    make_tree(tmp_path, {"app/search_again.py": SEARCH})

    def run():
        table_registry.registry_for.cache_clear()  # as a new process: what the project's code teaches
        return ddblint_main("check", str(tmp_path), "--cache-dir", str(tmp_path / ".cache"),
                            "--output-format", "concise", "--select", "DDB301").stdout

    assert "search.py:4" in run() and "search_again.py:4" in run()
    make_tree(tmp_path, {"app/indexes.py": INDEXES.format(kind="LocalSecondaryIndex")})
    assert "DDB301" not in run()
