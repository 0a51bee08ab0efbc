from ddblint import dynamo
from ddblint.dynamo import EXPRESSION_TRIGGERS, NAMES
from ddblint.rule import Example, Finding, Fix, Rule


class ReservedWordInExpression(Rule):
    code = "DDB404"
    name = "reserved-word-in-expression"
    summary = "A DynamoDB reserved word (`status`, `name`, `data`, ...) used as a bare attribute name"
    what = """
        Checks every attribute name written bare (not as a `#placeholder`) in an expression
        string the linter can parse, at any level of a document path (`status`, `a.name`,
        `items[0].size`), against DynamoDB's 573 reserved words, without regard to case.
        Names passed through `boto3.dynamodb.conditions` builders (`Attr("status")`) are never
        reported: boto3 replaces them with placeholders itself.
    """
    why = """
        DynamoDB rejects any expression that uses a reserved word as an attribute name with a
        ValidationException ("Attribute name is a reserved keyword"). The list is long and
        holds many natural attribute names (`status`, `name`, `data`, `timestamp`, `date`,
        `count`, `user`, `year`, `size`, `comment`), so the mistake is easy to make and shows up
        only when the request runs. Write the name as a placeholder and map it in
        ExpressionAttributeNames.
    """
    fix_availability = "Sometimes"
    fix_safety = """
        Safe: the fix writes the word as a `#placeholder` wherever it stands bare in the request's
        plain string literals and maps it to the same name in ExpressionAttributeNames (reusing a
        key that already maps it). The request with the bare word is rejected; with the
        placeholder it names the same attribute.
    """
    triggers = EXPRESSION_TRIGGERS

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET status = :shipped",  # expect: DDB404
                    ExpressionAttributeValues={":shipped": "SHIPPED"},
                )
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET #status = :shipped",  # expect: DDB404
                    ExpressionAttributeValues={":shipped": "SHIPPED"},
                    ExpressionAttributeNames={"#status": "status"},
                )
        '''),
        # nested path elements and any case
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def active(customer):
                return client.query(
                    TableName="orders",
                    KeyConditionExpression="customer = :c",
                    FilterExpression="shipping.Date > :d",  # expect: DDB404
                    ExpressionAttributeValues={":c": {"S": customer}, ":d": {"S": "2024-01-01"}},
                )
        ''', fixed='''
            import boto3

            client = boto3.client("dynamodb")

            def active(customer):
                return client.query(
                    TableName="orders",
                    KeyConditionExpression="customer = :c",
                    FilterExpression="shipping.#Date > :d",  # expect: DDB404
                    ExpressionAttributeValues={":c": {"S": customer}, ":d": {"S": "2024-01-01"}},
                    ExpressionAttributeNames={"#Date": "Date"},
                )
        '''),
        # a projection
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def load(profile_id):
                return table.get_item(Key={"profile_id": profile_id},
                                      ProjectionExpression="email, name")  # expect: DDB404
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("profiles")

            def load(profile_id):
                return table.get_item(Key={"profile_id": profile_id},
                                      ProjectionExpression="email, #name",
                                      ExpressionAttributeNames={"#name": "name"})  # expect: DDB404
        '''),
        # several words and several expressions; an existing map is extended, a name it already
        # maps is reused, a placeholder in use is not taken
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id, now):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET status = :shipped, #ts = :now, comment = :c",  # expect: DDB404, DDB404
                    ConditionExpression="status = :paid AND #status = :x",  # expect: DDB404
                    ExpressionAttributeNames={
                        "#ts": "timestamp",
                        "#status": "order_status",
                    },
                    ExpressionAttributeValues={":shipped": "SHIPPED", ":now": now, ":c": "", ":paid": "PAID",
                                               ":x": 1},
                )
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id, now):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET #status_2 = :shipped, #ts = :now, #comment = :c",  # expect: DDB404, DDB404
                    ConditionExpression="#status_2 = :paid AND #status = :x",  # expect: DDB404
                    ExpressionAttributeNames={
                        "#ts": "timestamp",
                        "#status": "order_status",
                        "#status_2": "status",
                        "#comment": "comment",
                    },
                    ExpressionAttributeValues={":shipped": "SHIPPED", ":now": now, ":c": "", ":paid": "PAID",
                                               ":x": 1},
                )
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET #status = :shipped",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={":shipped": "SHIPPED"},
                )
        '''),
        # builders alias every name; functions and keywords are not attribute names
        Example('''
            import boto3
            from boto3.dynamodb.conditions import Attr

            table = boto3.resource("dynamodb").Table("orders")

            def ship(order_id, tags):
                table.update_item(
                    Key={"order_id": order_id},
                    UpdateExpression="SET shipped_at = :now ADD tag_set :tags",
                    ConditionExpression=Attr("status").eq("PAID") & Attr("name").exists(),
                    ExpressionAttributeValues={":now": "2024-01-01", ":tags": tags},
                )
                table.delete_item(Key={"order_id": order_id},
                                  ConditionExpression="size(line_items) > :n AND NOT attribute_exists(paid_at)",
                                  ExpressionAttributeValues={":n": 0})
        '''),
    ]

    def check(self, ctx):
        for op in ctx.dynamo.operations:
            found = ctx.dynamo.expressions(op)
            names = found.names.resolved() if found.names is not None else None
            for param in found.params:
                tree = param.tree
                if tree is None or not param.is_string:
                    continue
                reported = set()
                for node in dynamo.bare_names(tree):
                    if not dynamo.is_reserved(node.text):
                        continue
                    span = param.source_span(*node.span)
                    if span is None and node.text in reported:
                        continue  # every occurrence would point at the same place
                    reported.add(node.text)
                    fix, edits = _fix(ctx.module, op, found, node.text) if span is not None else (None, ())
                    yield Finding(param.node or op.node, _message(param.kind, node.text, names), span=span,
                                  fix=fix, edits=edits)


def _fix(module, op, found, word):
    """Write the word as a `#placeholder` wherever it stands bare in the request's plain string
    literals, and map it in ExpressionAttributeNames (reusing a key that already maps it)."""
    try:
        patch = dynamo.Patch(module, op)
        placeholder, new = patch.name_placeholder(word, ["#" + word])
        changed = False
        for param in found.params:
            tree = param.tree
            if tree is None or not param.is_string or param.source_offset(0) is None or not patch.is_inside(param.node):
                continue
            if patch.value_node(param.kind) is not param.node:
                continue
            spans = [(n.span[0], n.span[1], placeholder) for n in dynamo.bare_names(tree) if n.text == word]
            if spans:
                patch.replace(param.node, dynamo.splice(param.node, param.value, spans))
                changed = True
        if not changed:
            raise dynamo.Unfixable("no literal to edit")
        if new:
            patch.merge_map(NAMES, [(placeholder, dynamo.string(word, patch.quote()))])
        edits = patch.edits()
    except dynamo.Unfixable:
        return None, ()
    return Fix(f"Replace `{word}` with placeholder `{placeholder}`", "safe"), edits


def _message(kind, word, names):
    existing = [key for key, value in (names or {}).items() if value == word]
    if existing:
        advice = f"Write `{existing[0]}` instead: ExpressionAttributeNames already maps it to `{word}`."
    else:
        placeholder = "#" + "".join(c if c.isalnum() or c == "_" else "_" for c in word)
        advice = (f"Write `{placeholder}` instead and add `\"{placeholder}\": \"{word}\"` to "
                  f"ExpressionAttributeNames.")
    return (f"`{word}` is a DynamoDB reserved word and cannot be an attribute name in the {kind}: "
            f"DynamoDB rejects the request with a ValidationException (Attribute name is a reserved "
            f"keyword; reserved keyword: {word}). {advice}")
