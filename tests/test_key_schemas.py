"""`DynamoModel.key_schema`: a table's key schema, declared, learned from `create_table` or a
PynamoDB model, or inferred from a call's `Key` when its table is unknown (table by shape, SPEC §3)."""
import textwrap
from pathlib import Path

import libcst as cst

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
