"""What the DynamoDB API looks like from Python: operations, method names, receiver kinds.

Kept static so that recognising a call never imports botocore (slow to load); a test checks
the lists against botocore's service model so they cannot drift.
"""
from __future__ import annotations

# Client method name -> operation name, for every operation of the low-level client.
CLIENT_OPERATIONS = {
    "batch_execute_statement": "BatchExecuteStatement",
    "batch_get_item": "BatchGetItem",
    "batch_write_item": "BatchWriteItem",
    "delete_item": "DeleteItem",
    "execute_statement": "ExecuteStatement",
    "execute_transaction": "ExecuteTransaction",
    "get_item": "GetItem",
    "put_item": "PutItem",
    "query": "Query",
    "scan": "Scan",
    "transact_get_items": "TransactGetItems",
    "transact_write_items": "TransactWriteItems",
    "update_item": "UpdateItem",
    "start_bulk_put_items": "StartBulkPutItems",
}
# Control-plane methods: recognised so that they are known DynamoDB calls, never data writes.
CONTROL_PLANE_METHODS = frozenset(
    """cancel_bulk_operation create_backup create_global_table create_table delete_backup
    delete_resource_policy delete_table describe_backup describe_bulk_operation
    describe_continuous_backups describe_contributor_insights describe_endpoints describe_export
    describe_global_table describe_global_table_settings describe_import
    describe_kinesis_streaming_destination describe_limits describe_table
    describe_table_replica_auto_scaling describe_time_to_live disable_kinesis_streaming_destination
    enable_kinesis_streaming_destination export_table_to_point_in_time get_resource_policy
    import_table list_backups list_bulk_operations list_contributor_insights list_exports
    list_global_tables list_imports list_tables list_tags_of_resource put_resource_policy
    restore_table_from_backup restore_table_to_point_in_time search_vectors tag_resource
    untag_resource update_continuous_backups update_contributor_insights update_global_table
    update_global_table_settings update_kinesis_streaming_destination update_table
    update_table_replica_auto_scaling update_time_to_live""".split()
)

# boto3's resource layer: the methods of a Table and of the service resource that are data operations.
TABLE_OPERATIONS = {
    "put_item": "PutItem",
    "update_item": "UpdateItem",
    "delete_item": "DeleteItem",
    "get_item": "GetItem",
    "query": "Query",
    "scan": "Scan",
}
RESOURCE_OPERATIONS = {"batch_get_item": "BatchGetItem", "batch_write_item": "BatchWriteItem"}
# A batch writer only buffers puts and deletes; both become BatchWriteItem requests.
BATCH_WRITER_METHODS = {"put_item": "PutRequest", "delete_item": "DeleteRequest"}

WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
     "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction", "StartBulkPutItems"}
)
READ_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
DATA_OPERATIONS = frozenset(CLIENT_OPERATIONS.values())

# Keywords only DynamoDB calls take: the unresolved-receiver fallback needs one of them (SPEC §3).
DYNAMODB_KEYWORDS = frozenset(
    {"Key", "Item", "TableName", "UpdateExpression", "ConditionExpression",
     "KeyConditionExpression", "RequestItems", "TransactItems", "Statement"}
)

# Where boto3's condition builders (`Attr`, `Key`) are defined.
CONDITIONS_MODULE = "boto3.dynamodb.conditions"


def may_bring_builders(qualname: str) -> bool:
    """Whether a `from ... import` binding of `qualname` may put the condition builders in reach:
    `boto3.dynamodb` itself (`dynamodb.conditions.Attr`), its `conditions` module or a name of it;
    not the serializers of `boto3.dynamodb.types` or the rest of the package."""
    return qualname == "boto3.dynamodb" or qualname == CONDITIONS_MODULE or qualname.startswith(CONDITIONS_MODULE + ".")


# Every method name that can be a DynamoDB data operation on some receiver: the cheap first filter.
DATA_METHODS = frozenset(CLIENT_OPERATIONS) | frozenset(TABLE_OPERATIONS) | frozenset(BATCH_WRITER_METHODS)

# Type names from boto3-stubs (mypy_boto3_dynamodb), types-boto3 and types-aiobotocore/-aioboto3,
# by the receiver kind an annotated value has.
_STUB_PACKAGES = ("mypy_boto3_dynamodb", "types_boto3_dynamodb", "types_aiobotocore_dynamodb",
                  "types_aioboto3_dynamodb")
STUB_TYPES = {}
for _pkg in _STUB_PACKAGES:
    # where each name is exported (checked against mypy_boto3_dynamodb by the tests)
    STUB_TYPES.update({
        f"{_pkg}.DynamoDBClient": "client", f"{_pkg}.Client": "client",
        f"{_pkg}.client.DynamoDBClient": "client", f"{_pkg}.service_resource.DynamoDBClient": "client",
        f"{_pkg}.DynamoDBServiceResource": "resource", f"{_pkg}.ServiceResource": "resource",
        f"{_pkg}.service_resource.DynamoDBServiceResource": "resource",
        f"{_pkg}.service_resource.ServiceResource": "resource",
        f"{_pkg}.service_resource.Table": "table",
    })
STUB_TYPES["boto3.dynamodb.table.BatchWriter"] = "batch_writer"
STUB_TYPES["boto3.resources.factory.dynamodb.Table"] = "table"

# -- the prefilter ----------------------------------------------------------------------------------
# Operations a PartiQL statement can perform (INSERT, UPDATE, DELETE, SELECT), and the methods
# that send statements.
PARTIQL_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan"})
PARTIQL_METHODS = ("execute_statement", "batch_execute_statement", "execute_transaction")
# The method names (bytes) a module that sends single-item writes, transactions or PartiQL
# statements holds: what makes a module a possible write helper, or a client wrapper worth reading.
WRITE_METHOD_WORDS = (b"put_item", b"update_item", b"delete_item", b"transact_write_items", b"execute_statement",
                      b"execute_transaction")
# PynamoDB's names distinctive enough to look for (not `batch_get`: other services' clients have
# batch_get_image, batch_get_secret_value, ...; a PynamoDB file says `pynamodb` or imports one that does)
PYNAMODB_NAMES = {"TransactWriteItems": "TransactWrite", "TransactGetItems": "TransactGet"}


def triggers(*operations: str, partiql: bool = False, pynamodb: bool = False, helpers: bool = False,
             words=()) -> tuple:
    """The words one of which a file must contain for a rule about `operations` to fire: every
    method name that performs one of them on a client, a Table, the service resource or a batch
    writer; the PartiQL methods (`partiql`, for the operations a statement can perform); the
    word `pynamodb` (`pynamodb`: its own method names, `save` and `get`, are everyday words);
    or, with `import:pynamodb`, in a module of the project the file imports); and the rule's own
    `words` (parameter names); with `helpers`, the same method names in a module of the project the
    file imports (a write helper's callers: SPEC §3). A method name that is an everyday word
    (`query`, `scan`) is looked for as `.query(`."""
    wanted = set(operations)
    unknown = wanted - set(CLIENT_OPERATIONS.values())
    assert not unknown, f"not DynamoDB operations: {sorted(unknown)}"
    found = set(words)
    for table in (CLIENT_OPERATIONS, TABLE_OPERATIONS, RESOURCE_OPERATIONS):
        found.update(name if "_" in name else f".{name}(" for name, op in table.items() if op in wanted)
    if "BatchWriteItem" in wanted:
        found.add("batch_writer")
    if partiql and wanted & PARTIQL_OPERATIONS:
        found.update(PARTIQL_METHODS)
    if helpers:
        found.update(f"import:{word}" for word in list(found) if "_" in word and not word.startswith("import:"))
    if pynamodb:
        found.update(("pynamodb", "import:pynamodb"))  # models are often imported from the project's models.py
        found.update(name for op, name in PYNAMODB_NAMES.items() if op in wanted)
    return tuple(sorted(found))


# -- names rules compare against, here (a module that imports nothing heavy) so that a rule's class
# body can name them without loading the model (ddblint/dynamo/__init__.py) ----------------------
NAMES, VALUES = "ExpressionAttributeNames", "ExpressionAttributeValues"
# The calls that carry expression parameters: what a file must mention for DDB401-DDB404 to apply.
EXPRESSION_TRIGGERS = triggers("PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan",
                               "TransactWriteItems", "TransactGetItems")
# What a failed condition, a cancelled transaction and a replicated-write conflict raise.
CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"
REPLICATED_WRITE_CONFLICT = "ReplicatedWriteConflictException"
# `Operation.orm` of an operation a PynamoDB method performs.
PYNAMODB_ORM = "pynamodb"


class Unfixable(Exception):
    """Something a fix needs is not resolved or not written where it can be edited (the request
    edits raise it: dynamo/edits.py). Here, where a rule may subclass it as it is imported."""
