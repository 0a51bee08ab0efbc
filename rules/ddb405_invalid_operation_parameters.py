from ddblint import dynamo
from ddblint.dynamo import CLIENT_OPERATIONS, DATA_OPERATIONS, RESOURCE_OPERATIONS, TABLE_OPERATIONS, triggers
from ddblint.rule import Example, Finding, Rule


class InvalidOperationParameters(Rule):
    code = "DDB405"
    name = "invalid-operation-parameters"
    summary = "A parameter the operation does not have, or a required one missing"
    what = """
        Checks every DynamoDB call's keywords against the operation's input shape in botocore's
        service model (the botocore installed next to ddblint; without botocore the rule is
        silent): a keyword the operation does not have (`ConditionExpresion`), with the closest
        valid name; a required one that is missing; and the same inside every dict and list
        ddblint can resolve (`TransactItems[0].Update.ConditionExpresion`, a `Put` entry without
        `TableName`). On a low-level client known to be made as a client (not
        `resource.meta.client`) it also checks wire-format values (`{"s": "x"}` is not an
        AttributeValue); resource calls take plain Python values, which are not checked. Two
        resource-layer rules come on top: a resource Table's methods must not get `TableName`
        (the Table fills it in), and a batch writer's `put_item`/`delete_item` take only
        `Item`/`Key` (no condition, no `ReturnValues`). A missing parameter is reported only
        when every keyword is known (no unresolved `**kwargs`). A call whose receiver ddblint
        cannot resolve (recognised by its keywords alone) may be a client, a Table or a wrapper
        of the project's own, so there only a CamelCase keyword that is a near miss of one of
        the operation's parameters is reported: nothing is missing there (a client needs
        `TableName`, a Table must not have it) and other extra keywords may be the wrapper's.
    """
    why = """
        botocore validates the request before sending it: an unknown or missing parameter raises
        ParamValidationError, so the code path fails every time it runs, typically the rare
        conflict or cleanup path tests never reach. A misspelt `ConditionExpresion` never reaches
        DynamoDB as a condition. `TableName` given to a Table method silently replaces the
        Table's own name, so the request goes to the table named there. A batch writer's
        `put_item(Item=..., ConditionExpression=...)` raises TypeError: BatchWriteItem cannot
        carry conditions at all, so a conditional write must be a single PutItem (or a
        transaction).
    """
    # every data-plane method: *_item(s), query, scan and the PartiQL ones
    triggers = triggers(*DATA_OPERATIONS, partiql=True)

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a, version = :next",
                    ConditionExpresion="version = :expected",  # expect: DDB405
                    ExpressionAttributeValues={":a": address, ":expected": expected, ":next": expected + 1},
                )
        '''),
        # nested, in a transaction entry; and a required member missing in another entry
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def move(a, b):
                client.transact_write_items(
                    TransactItems=[
                        {"Update": {
                            "TableName": "accounts",
                            "Key": {"pk": {"S": a}},
                            "UpdateExpression": "SET balance = balance - :n",
                            "ConditionExpresion": "balance >= :n",  # expect: DDB405
                            "ExpressionAttributeValues": {":n": {"N": "1"}},
                        }},
                        {"Put": {  # expect: DDB405
                            "Item": {"pk": {"S": b}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }},
                    ]
                )
        '''),
        # a low-level client needs TableName
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def save(item):
                client.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")  # expect: DDB405
        '''),
        # a Table fills in TableName itself
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def load(subscriber_id):
                return table.get_item(
                    TableName="subscribers-archive",  # expect: DDB405
                    Key={"subscriber_id": subscriber_id},
                )
        '''),
        # a batch writer cannot make a conditional write
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("events")

            def load(events):
                with table.batch_writer() as batch:
                    for event in events:
                        batch.put_item(
                            Item=event,
                            ConditionExpression="attribute_not_exists(pk)",  # expect: DDB405
                        )
        '''),
        # a request dict built, changed, then splatted
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def stamp(subscriber_id, now):
                params = {"Key": {"subscriber_id": subscriber_id}, "UpdateExpression": "SET t = :now"}
                params["ExpresionAttributeValues"] = {":now": now}  # expect: DDB405
                table.update_item(**params)
        '''),
        # wire-format values on a client made as a client
        Example('''
            import boto3

            client = boto3.client("dynamodb", region_name="eu-west-1")

            def load(subscriber_id):
                return client.get_item(TableName="subscribers", Key={"subscriber_id": {"s": subscriber_id}})  # expect: DDB405
        '''),
        # an unresolved receiver: a near miss of a DynamoDB parameter
        Example('''
            def stamp(table, subscriber_id, now):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET t = :now",
                    ExpressionAttributeValue={":now": now},  # expect: DDB405
                )
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET delivery_address = :a, version = :next",
                    ConditionExpression="version = :expected",
                    ExpressionAttributeValues={":a": address, ":expected": expected, ":next": expected + 1},
                )
        '''),
        # unresolved receivers: a client needs TableName, a Table must not have it; a wrapper's own keywords
        Example('''
            def save(table, item):
                table.put_item(Item=item)

            def save_with(repo, item):
                repo.put_item(Item=item, retries=3, Timeout=5)
        '''),
        # a **splat we cannot see may carry the missing parameter
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def save(item, extra):
                client.put_item(Item=item, **extra)
        '''),
        # resource calls take plain Python values, resource.meta.client too
        Example('''
            import boto3

            resource = boto3.resource("dynamodb")
            table = resource.Table("profiles")

            def save(profile_id, settings):
                table.put_item(Item={"profile_id": profile_id, "settings": {"theme": "dark", "s": 1}})
                resource.meta.client.put_item(TableName="profiles", Item={"profile_id": profile_id, "prefs": {"s": 1}})
                with table.batch_writer() as batch:
                    batch.put_item(Item={"profile_id": profile_id})
                    batch.delete_item(Key={"profile_id": "old"})
        '''),
        # a client whose origin is not visible (an annotated parameter may be resource.meta.client)
        Example('''
            from mypy_boto3_dynamodb import DynamoDBClient

            def load(client: DynamoDBClient, key):
                return client.get_item(TableName="t", Key={"pk": {"s": key}})
        '''),
        # look-alikes
        Example('''
            settings = {}
            settings.update(Key="value", ConditionExpresion="x")

            class Repo:
                def put_item(self, item_id, **fields):
                    pass

            Repo().put_item(3, Item=1, ConditionExpresion="x")
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        if not model.calls or not dynamo.service_model_available():
            return
        locator = None
        for call in model.calls:
            if call.via == "batch_writer" and call.receiver is None:
                continue  # a batch writer guessed from its name only: not sure enough
            if call.via == "pynamodb":
                continue  # PynamoDB builds the request itself
            operation = _operation(call)
            if operation is None:
                continue
            wire = call.via == "client" and \
                model.client_from_resource(call) is False
            problems = dynamo.validate_request(operation, call.method, call.keywords, call.complete, call.via, wire_values=wire)
            for problem in problems or ():
                if locator is None:
                    locator = dynamo.KeyLocator(ctx.module)
                yield Finding(_where(problem, call, locator), _message(problem, call))


def _operation(call):
    if call.via == "batch_writer":
        return "BatchWriteItem"
    if call.via == "resource":
        return RESOURCE_OPERATIONS.get(call.method)
    if call.via == "table":
        return TABLE_OPERATIONS.get(call.method)
    return CLIENT_OPERATIONS.get(call.method) or TABLE_OPERATIONS.get(call.method)


def _where(problem, call, locator):
    if problem.kind == "missing":
        container = problem.container
        if isinstance(container, dynamo.DictValue) and container.node is not None:
            return container.node
        return call.node
    return locator.locate(problem.arg.node if problem.arg is not None else None, call.node)


def _message(problem, call) -> str:
    version = dynamo.botocore_version()
    model = f"botocore {version}" if version else "botocore"
    kind = problem.kind
    if kind == "unknown" and call.via == "batch_writer":
        return (f"A batch writer's `{call.method}` takes only `{problem.allowed[0]}`: `{problem.name}` raises "
                f"TypeError.")
    if kind == "unknown":
        hint = f" (did you mean `{problem.suggestion}`?)" if problem.suggestion else ""
        if problem.in_attribute_value:
            return (f"`{problem.where}` is not an AttributeValue type{hint}: a low-level client takes wire-format "
                    f"values (`{{\"S\": ...}}`, `{{\"N\": ...}}`, ...), and {model} rejects the call before sending "
                    f"it (ParamValidationError).")
        return (f"`{problem.where}` is not a parameter of {problem.operation}{hint}: {model} rejects the call "
                f"before sending it (ParamValidationError).")
    if kind == "missing":
        if not problem.path:
            return (f"{problem.operation} without its required parameter `{problem.name}`: {model} rejects the "
                    f"call before sending it (ParamValidationError).")
        return (f"`{dynamo.format_path(problem.path)}` lacks its required `{problem.name}`: {model} rejects "
                f"the {problem.operation} call before sending it (ParamValidationError).")
    if kind == "table-name":
        own = call.receiver.table if call.receiver is not None else None
        given = problem.arg.value if problem.arg is not None else None
        if isinstance(own, str) and own == given:
            effect = "here it repeats the Table's name, but the request goes wherever this parameter says"
        else:
            effect = "the request goes to the table named here, not necessarily the Table the call is made on"
        return (f"`TableName` passed to a resource Table's `{call.method}`: the Table fills it in itself, and a "
                f"value given here replaces it ({effect}). Remove it, or call the Table of that table.")
    if kind == "batch-condition":
        return (f"A batch writer's `{call.method}` takes only `{problem.allowed[0]}`: `{problem.name}` raises "
                f"TypeError, and BatchWriteItem cannot carry conditions at all. Write conditionally with the "
                f"Table's own `{call.method}(...)` (or a transaction), outside the batch.")
    return (f"A batch writer's `{call.method}` takes only `{problem.allowed[0]}`: `{problem.name}` raises "
            f"TypeError (a BatchWriteItem request has no `{problem.name}`).")
