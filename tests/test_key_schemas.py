"""`DynamoModel.key_schema`: a table's key schema, declared, learned from `create_table` or a
PynamoDB model, or inferred from a call's `Key` when its table is unknown (table by shape, SPEC §3);
and DDB102's fix, which takes its partition key from it and says when the table was inferred."""
import json
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from conftest import make_tree
from ddblint import config
from ddblint.dynamo import DynamoModel
from ddblint.registry import defaults


def schema(root: Path, source: str, toml: str = "[tool.ddblint]\n", files=None):
    make_tree(root, {"pyproject.toml": toml, "app.py": source, **(files or {})})
    config.clear_cache()
    settings = config.settings_for(root / "app.py", defaults())
    model = DynamoModel(cst.parse_module(textwrap.dedent(source)), root / "app.py", settings)
    (op,) = [op for op in model.operations if op.name in ("UpdateItem", "GetItem", "PutItem")]
    return model.key_schema(op)


CREATE = '''
    import boto3
    client = boto3.client("dynamodb")
    def setup():
        client.create_table(TableName="orders", KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"},
                                                           {"AttributeName": "line", "KeyType": "RANGE"}])
'''


def test_declared_key_schema(tmp_path):
    found = schema(tmp_path, 'import boto3\nboto3.resource("dynamodb").Table("orders").get_item(Key={"a": 1})\n',
                   '[tool.ddblint.tables.orders]\npartition-key = "id"\nsort-key = "sk"\n')
    assert found.attributes == ("id", "sk") and found.reason == "declared" and not found.inferred


def test_key_schema_created_in_the_module(tmp_path):
    found = schema(tmp_path, textwrap.dedent(CREATE) + 'client.get_item(TableName="orders", Key={"x": {"S": "1"}})\n')
    assert found.attributes == ("order_id", "line") and not found.inferred
    assert found.reason == "created so by the create_table call in `setup`"


def test_key_schema_created_in_another_project_file(tmp_path):
    found = schema(tmp_path, 'import boto3\nboto3.client("dynamodb").get_item(TableName="orders", Key={})\n',
                   files={"scripts/setup_tables.py": CREATE})
    assert found.attributes == ("order_id", "line") and found.reason == "created so at scripts/setup_tables.py:4"


def test_table_inferred_from_the_key_attribute_names(tmp_path):
    source = 'def touch(table, o, l):\n    table.update_item(Key={"order_id": o, "line": l}, UpdateExpression="SET a = :a")\n'
    found = schema(tmp_path, source, '[tool.ddblint.tables.orders]\npartition-key = "order_id"\nsort-key = "line"\n'
                                     '[tool.ddblint.tables.users]\npartition-key = "user_id"\n')
    assert found.table == "orders" and found.inferred


def test_no_inference_when_two_tables_or_none_match(tmp_path):
    source = 'def touch(table, o):\n    table.update_item(Key={"pk": o}, UpdateExpression="SET a = :a")\n'
    two = '[tool.ddblint.tables.a]\npartition-key = "pk"\n[tool.ddblint.tables.b]\npartition-key = "pk"\n'
    assert schema(tmp_path / "two", source, two) is None
    assert schema(tmp_path / "none", source, '[tool.ddblint.tables.a]\npartition-key = "id"\n') is None
    # a key that only contains the schema's attributes is not the table's
    assert schema(tmp_path / "part", source, '[tool.ddblint.tables.a]\npartition-key = "pk"\nsort-key = "sk"\n') is None


def test_a_known_table_is_never_inferred_from_its_shape(tmp_path):
    source = ('import boto3\nboto3.resource("dynamodb").Table("other").update_item(Key={"order_id": 1}, '
              'UpdateExpression="SET a = :a")\n')
    assert schema(tmp_path, source, '[tool.ddblint.tables.orders]\npartition-key = "order_id"\n') is None


def test_table_inferred_from_a_table_created_in_another_project_file(tmp_path):
    source = 'def touch(table, o, l):\n    table.update_item(Key={"order_id": o, "line": l}, UpdateExpression="SET a = :a")\n'
    found = schema(tmp_path, source, files={"scripts/setup_tables.py": CREATE})
    assert (found.table, found.partition_key, found.inferred) == ("orders", "order_id", True)
    assert found.reason == "created so at scripts/setup_tables.py:4"
    # a second table of that shape, anywhere in the project: which one is it?
    other = CREATE.replace('"orders"', '"archive"')
    assert schema(tmp_path / "two", source, files={"scripts/setup_tables.py": CREATE, "tests/conftest.py": other}) is None


# -- PynamoDB models --------------------------------------------------------------------------------
MODEL = '''
    from pynamodb.attributes import NumberAttribute, UnicodeAttribute
    from pynamodb.models import Model

    class Order(Model):
        class Meta:
            table_name = "orders"
        customer = UnicodeAttribute(hash_key=True, attr_name="c")
        line = NumberAttribute(range_key=True)
'''


def test_key_schema_of_a_pynamodb_model_in_the_module(tmp_path):
    source = textwrap.dedent(MODEL) + 'import boto3\nboto3.client("dynamodb").get_item(TableName="orders", Key={})\n'
    found = schema(tmp_path, source)
    assert found.attributes == ("c", "line") and found.reason == "declared by the PynamoDB model `Order`"


def test_key_schema_of_a_pynamodb_model_in_another_project_file(tmp_path):
    found = schema(tmp_path, 'import boto3\nboto3.client("dynamodb").get_item(TableName="orders", Key={})\n',
                   files={"app/models.py": MODEL})
    assert found.attributes == ("c", "line") and found.reason == "declared by the PynamoDB model `Order` at app/models.py:4"


def test_a_pynamodb_model_with_a_base_we_cannot_see_has_no_certain_key_schema(tmp_path):
    # the base may declare a range key: the hash key alone is not the table's key schema
    model = MODEL.replace("class Order(Model)", "class Order(Model, Audited)").replace(
        "        line = NumberAttribute(range_key=True)\n", "").replace(
        "from pynamodb.models import Model", "from pynamodb.models import Model\n    from mixins import Audited")
    source = 'import boto3\nboto3.client("dynamodb").get_item(TableName="orders", Key={})\n'
    assert schema(tmp_path, source, files={"app/models.py": model}) is None


# -- DDB102's fix: the partition key from the key schema, and a table inferred says so --------------
EVENTS = '[tool.ddblint.tables.events]\npartition-key = "stream"\nsort-key = "seq"\n'
APPEND = '''
    import boto3
    from settings import table_name

    table = boto3.resource("dynamodb").Table(table_name())

    def load(stream, seq):
        return table.get_item(Key={"stream": stream, "seq": seq})

    def append(stream, seq, payload):
        table.put_item(Item={"stream": stream, "seq": seq, "payload": payload})
'''


@pytest.fixture
def put_fix(ddblint_main):
    def run(root, source, toml="[tool.ddblint]\n", files=None):
        """The fix title of the one DDB102 finding on `source` (app.py), None without a fix."""
        make_tree(root, {"pyproject.toml": toml, "app.py": source, **(files or {})})
        out = ddblint_main("check", str(root / "app.py"), "--no-cache", "--output-format", "json", "--select", "DDB102")
        (found,) = json.loads(out.stdout)
        return found["fix"]["message"] if found["fix"] else None
    return run


def test_the_fix_says_the_table_was_inferred_from_its_key_schema(tmp_path, put_fix):
    title = put_fix(tmp_path, APPEND, EVENTS + '[tool.ddblint.tables.users]\npartition-key = "user_id"\n')
    assert title == "Add `attribute_not_exists(stream)` condition (create only) (table `events` inferred from its key schema)"


def test_the_fix_of_a_known_table_names_no_inference(tmp_path, put_fix):
    known = APPEND.replace("Table(table_name())", 'Table("events")')
    assert put_fix(tmp_path / "known", known, EVENTS) == "Add `attribute_not_exists(stream)` condition (create only)"
    # one-attribute Keys name the partition key themselves: nothing is inferred
    single = APPEND.replace(', "seq": seq}', "}")
    title = put_fix(tmp_path / "single", single, '[tool.ddblint.tables.events]\npartition-key = "stream"\n')
    assert title == "Add `attribute_not_exists(stream)` condition (create only)"


def test_the_fix_uses_a_key_schema_created_or_modelled_elsewhere_in_the_project(tmp_path, put_fix):
    put = 'import boto3\nboto3.client("dynamodb").put_item(TableName="orders", Item={"order_id": {"S": "1"}})\n'
    title = put_fix(tmp_path / "created", put, files={"scripts/setup_tables.py": CREATE})
    assert title == "Add `attribute_not_exists(order_id)` condition (create only)"
    put = put.replace('"order_id"', '"c"')
    assert put_fix(tmp_path / "modelled", put, files={"app/models.py": MODEL}) == \
        "Add `attribute_not_exists(c)` condition (create only)"


def test_no_fix_when_the_shape_or_the_key_is_not_certain(tmp_path, put_fix):
    # two registered tables have the Key's key schema
    two = EVENTS + EVENTS.replace("events", "archive")
    assert put_fix(tmp_path / "two", APPEND, two) is None
    # no known table has it
    assert put_fix(tmp_path / "none", APPEND, '[tool.ddblint.tables.users]\npartition-key = "user_id"\n') is None
    # the module's calls on the table disagree on its key
    both = APPEND + '\n    def drop(stream):\n        table.delete_item(Key={"stream": stream})\n'
    assert put_fix(tmp_path / "disagree", both, EVENTS) is None
    # the Keys are another table's
    other = APPEND.replace("return table.get_item", 'return boto3.resource("dynamodb").Table("x").get_item')
    assert put_fix(tmp_path / "other", other, EVENTS) is None
    # the Item, read whole, lacks the partition key
    assert put_fix(tmp_path / "item", APPEND.replace('Item={"stream": stream, ', "Item={"), EVENTS) is None
