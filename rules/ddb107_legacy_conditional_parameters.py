from __future__ import annotations

import libcst as cst

from ddblint import dynamo
from ddblint.dynamo import NAMES, VALUES, triggers
from ddblint.rule import Example, Finding, Fix, Rule, dotted_name


class LegacyConditionalParameters(Rule):
    code = "DDB107"
    name = "legacy-conditional-parameters"
    summary = "Legacy conditional parameters (`Expected`, `AttributeUpdates`, ...) instead of expressions"
    what = """
        Checks calls that pass one of DynamoDB's legacy conditional parameters: `Expected`,
        `ConditionalOperator`, `AttributeUpdates`, `KeyConditions`, `QueryFilter`, `ScanFilter`,
        `AttributesToGet` (also in a BatchGetItem table entry). When the same request also has an
        expression parameter (`ConditionExpression`, `UpdateExpression`,
        `KeyConditionExpression`, `FilterExpression`, `ProjectionExpression`) the message says
        the request is rejected; so it does when an `Expected` entry, written out in the call, is
        one DynamoDB refuses (`ComparisonOperator` with `Value` or `Exists`, `Exists: False` with a
        `Value`, `Exists: True` without one, or the wrong number of values for its operator). The
        finding points at the first legacy parameter of each request.

        Fix (safe): on PutItem, UpdateItem and DeleteItem, `Expected` (with `ConditionalOperator`)
        and `AttributeUpdates` written as dict literals in the call are rewritten as
        `ConditionExpression` and `UpdateExpression`, every attribute name as a `#name`
        placeholder and every value, moved as written, as a `:value` placeholder. `PUT` becomes
        `SET`, `ADD` stays `ADD` (for a value known to be a number or a set: the legacy ADD also
        appends to a list), `DELETE` without a value becomes `REMOVE` and with a set value stays
        `DELETE`; `Value`/`Exists` become `=` or `attribute_not_exists`, and every
        `ComparisonOperator` its expression (`NOT_CONTAINS` as
        `attribute_exists(#a) AND NOT contains(#a, :v)`, since it is false on a missing attribute).
        No fix when anything is not a literal, when the request already mixes in expression
        parameters, when moving a value with side effects could change the order in which the
        arguments are evaluated, for the read parameters (`KeyConditions`, `QueryFilter`, `ScanFilter`,
        `AttributesToGet`), or for a request DynamoDB rejects anyway. The fix is unsafe only when
        a comment inside the rewritten parameters would be lost.
    """
    why = """
        The legacy parameters predate expressions and are kept only for old code: they cannot
        express what expressions can (functions such as `size`, nested paths, `SET a = a + :n`),
        they are easy to get subtly wrong (`Expected` with `Exists` and `Value` together), and
        ddblint's other checks read them less well than expressions. Mixing the two kinds in one
        request is not a style problem but an error: DynamoDB answers ValidationException ("Can
        not use both expression and non-expression parameters in the same request"), so that
        call never succeeds. Write the condition as `ConditionExpression`, the update as
        `UpdateExpression`, and so on.
    """
    fix_availability = "Sometimes"
    fix_safety = """
        Safe when nothing is lost: the rewrite sends the same request in expression form (every
        attribute name as a `#name` placeholder, every value moved as written), and it is offered
        only when that can be shown, so DynamoDB does the same. Unsafe when a comment inside the
        rewritten parameters (or on the line of a removed `ConditionalOperator`) would be dropped,
        as Ruff treats fixes that delete comments.
    """
    triggers = triggers("PutItem", "UpdateItem", "DeleteItem", "GetItem", "BatchGetItem", "Query", "Scan")

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    AttributeUpdates={"delivery_address": {"Value": address, "Action": "PUT"}},  # expect: DDB107
                    Expected={"version": {"Value": expected}},
                )
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def change_address(subscriber_id, address, expected):
                table.update_item(
                    Key={"subscriber_id": subscriber_id},
                    UpdateExpression="SET #delivery_address = :delivery_address",  # expect: DDB107
                    ConditionExpression="#version = :expected_version",
                    ExpressionAttributeNames={"#delivery_address": "delivery_address", "#version": "version"},
                    ExpressionAttributeValues={":delivery_address": address, ":expected_version": expected},
                )
        '''),
        # a low-level client: typed values move as written; ConditionalOperator joins the conditions
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def create(order_id):
                client.put_item(TableName="orders", Item={"order_id": {"S": order_id}},
                                Expected={"order_id": {"Exists": False}})  # expect: DDB107

            def settle(order_id, paid):
                client.update_item(
                    TableName="orders",
                    Key={"order_id": {"S": order_id}},
                    AttributeUpdates={"paid": {"Value": {"N": paid}}, "lock": {"Action": "DELETE"}},  # expect: DDB107
                    Expected={
                        "state": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "OPEN"}, {"S": "DUE"}]},
                        "tags": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "frozen"}]},
                    },
                    ConditionalOperator="OR",
                )
        ''', fixed='''
            import boto3

            client = boto3.client("dynamodb")

            def create(order_id):
                client.put_item(TableName="orders", Item={"order_id": {"S": order_id}},
                                ConditionExpression="attribute_not_exists(#order_id)",
                                ExpressionAttributeNames={"#order_id": "order_id"})  # expect: DDB107

            def settle(order_id, paid):
                client.update_item(
                    TableName="orders",
                    Key={"order_id": {"S": order_id}},
                    UpdateExpression="SET #paid = :paid REMOVE #lock",  # expect: DDB107
                    ConditionExpression="#state IN (:state_1, :state_2) OR (attribute_exists(#tags) AND NOT contains(#tags, :expected_tags))",
                    ExpressionAttributeNames={"#paid": "paid", "#lock": "lock", "#state": "state", "#tags": "tags"},
                    ExpressionAttributeValues={":paid": {"N": paid}, ":state_1": {"S": "OPEN"}, ":state_2": {"S": "DUE"}, ":expected_tags": {"S": "frozen"}},
                )
        '''),
        # mixed with an expression parameter: rejected at run time
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def touch(subscriber_id, now):
                client.update_item(
                    TableName="subscribers",
                    Key={"subscriber_id": {"S": subscriber_id}},
                    UpdateExpression="SET last_contacted = :now",
                    ExpressionAttributeValues={":now": {"S": now}},
                    Expected={"subscriber_id": {"Exists": True, "Value": {"S": subscriber_id}}},  # expect: DDB107
                )
        '''),
        # reads: KeyConditions, ScanFilter, AttributesToGet, also per table in BatchGetItem
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def reads(customer_id, keys):
                client.query(
                    TableName="orders",
                    KeyConditions={"customer_id": {  # expect: DDB107
                        "ComparisonOperator": "EQ", "AttributeValueList": [{"S": customer_id}]}},
                )
                client.scan(TableName="orders", ScanFilter={"flagged": {"ComparisonOperator": "NOT_NULL"}})  # expect: DDB107
                client.get_item(TableName="orders", Key=keys[0], AttributesToGet=["total"])  # expect: DDB107
                client.batch_get_item(RequestItems={
                    "orders": {"Keys": keys, "AttributesToGet": ["total"]},  # expect: DDB107
                })
        '''),
        # an Expected entry DynamoDB refuses: ComparisonOperator together with Value
        Example('''
            import boto3

            client = boto3.client("dynamodb")

            def set_limit(account_id, limit, expected):
                client.update_item(
                    TableName="accounts",
                    Key={"account_id": {"S": account_id}},
                    AttributeUpdates={"limit": {"Value": {"N": str(limit)}, "Action": "PUT"}},  # expect: DDB107
                    Expected={"version": {"Value": {"N": str(expected)}, "ComparisonOperator": "EQ"}},
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
        # look-alikes: the names outside a DynamoDB call
        Example('''
            from unittest import mock

            Expected = {"a": 1}
            result = dict(Expected=Expected, AttributesToGet=["a"])
            mock.call.put_item(1, Expected=Expected)
            assert_equal(Expected=Expected, AttributeUpdates=None)
        '''),
    ]

    def check(self, ctx):
        model = ctx.dynamo
        locator = None
        seen = set()
        for op in model.operations:
            use = model.legacy_use(op)
            if use is None or id(op.params) in seen:
                continue
            seen.add(id(op.params))
            if locator is None:
                locator = dynamo.KeyLocator(ctx.module)
            first = use.legacy[0]
            node = locator.locate(op.param_node(first), op.node)
            try:
                title, applicability, edits = expression_fix(ctx.module, model, op)
            except Rejected as rejected:
                yield Finding(node, _rejected_message(op, use, str(rejected)))
                continue
            except dynamo.Unfixable:
                yield Finding(node, _message(op, use))
                continue
            yield Finding(node, _message(op, use), fix=Fix(title, applicability), edits=edits)


def _instead(use) -> str:
    return ", ".join(f"`{name}` as `{use.replacement(name)}`" for name in use.legacy)


def _rejected_message(op, use, reason: str) -> str:
    return (f"{op.name}'s legacy `Expected` is one DynamoDB rejects ({reason}): every call fails with a "
            f"ValidationException. Write {_instead(use)}.")


def _message(op, use) -> str:
    names = ", ".join(f"`{name}`" for name in use.legacy)
    plural = "s" if len(use.legacy) > 1 else ""
    instead = _instead(use)
    if use.mixed:
        mixed = ", ".join(f"`{name}`" for name in use.expressions)
        return (f"{op.name} mixes the legacy parameter{plural} {names} with {mixed}: DynamoDB rejects the "
                f"request (ValidationException: expression and non-expression parameters in the same "
                f"request). Write {instead}.")
    return f"{op.name} uses the legacy parameter{plural} {names}: write {instead}."


# --- the fix: simple `Expected` / `AttributeUpdates` rewritten as expressions ------------------

class Rejected(dynamo.Unfixable):
    """The legacy parameters, as written, make a request DynamoDB rejects (ValidationException)."""


# Which legacy parameters the fix rewrites, per operation. KeyConditions, QueryFilter, ScanFilter
# and AttributesToGet are not rewritten (reads: out of scope).
_REWRITTEN = {
    "PutItem": frozenset({"Expected", "ConditionalOperator"}),
    "DeleteItem": frozenset({"Expected", "ConditionalOperator"}),
    "UpdateItem": frozenset({"Expected", "ConditionalOperator", "AttributeUpdates"}),
}
_COMPARISONS = {"EQ": "=", "NE": "<>", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
# How many values each ComparisonOperator takes (None: one or more); DynamoDB rejects any other
# count, so the original never ran and there is nothing to preserve.
_ARITY = {**{name: 1 for name in _COMPARISONS}, "NULL": 0, "NOT_NULL": 0, "BEGINS_WITH": 1, "CONTAINS": 1,
          "NOT_CONTAINS": 1, "BETWEEN": 2, "IN": None}
_MAX_IN = 100  # an expression's IN takes at most 100 operands


def expression_fix(module, model, op):
    """(title, applicability, edits) of the fix that rewrites the operation's legacy `Expected`,
    `ConditionalOperator` and `AttributeUpdates` as ConditionExpression / UpdateExpression with
    `#name` and `:value` placeholders; raises Unfixable when the rewrite cannot be shown to
    mean exactly the same request.

    Semantics kept (developer guide, "Legacy conditional parameters"):
    AttributeUpdates `PUT` (the default) -> `SET #a = :a`; `ADD` -> `ADD #a :a` (only for a value
    known to be a number or a set: legacy ADD also appends to a list, an expression's ADD does not);
    `DELETE` without Value -> `REMOVE #a`; `DELETE` with a value known to be a set -> `DELETE #a :a`.
    Expected `{"Value": v}` / `{"Exists": True, "Value": v}` -> `#a = :v`; `{"Exists": False}` ->
    `attribute_not_exists(#a)`; ComparisonOperator EQ NE LT LE GT GE -> `= <> < <= > >=`, NULL ->
    `attribute_not_exists`, NOT_NULL -> `attribute_exists`, BEGINS_WITH -> `begins_with`, CONTAINS ->
    `contains`, NOT_CONTAINS -> `attribute_exists(#a) AND NOT contains(#a, :v)` (a legacy NOT_CONTAINS
    is false on a missing attribute, `NOT contains(...)` would be true), BETWEEN, IN; the entries joined
    by ConditionalOperator (AND by default).
    """
    use = _rewritable_use(model, op)
    patch = dynamo.Patch(module, op)
    call, args = _legacy_arguments(patch, op, use)
    builder = _Builder(patch, op)
    quote = _read_legacy(builder, call, args)

    if "AttributeUpdates" in args:
        patch.replace(args["AttributeUpdates"], args["AttributeUpdates"].with_changes(
            keyword=cst.Name("UpdateExpression"), value=dynamo.string(builder.update_expression(), quote)))
    if "Expected" in args:
        patch.replace(args["Expected"], args["Expected"].with_changes(
            keyword=cst.Name("ConditionExpression"), value=dynamo.string(builder.condition_expression(), quote)))
    if "ConditionalOperator" in args:
        patch.remove_param("ConditionalOperator")
    # neither map is passed (checked above): each is a new dict literal, in the quotes of the legacy dicts
    patch.add_param(NAMES, dynamo.dict_literal([(placeholder, dynamo.string(attribute, quote))
                                         for attribute, placeholder in builder.names.items()], quote))
    if builder.values:  # DynamoDB rejects an empty ExpressionAttributeValues
        patch.add_param(VALUES, dynamo.dict_literal(builder.values, quote))
    rewritten = [name for name in ("AttributeUpdates", "Expected") if name in args]
    replacements = [replacement for name, replacement in (("AttributeUpdates", "UpdateExpression"),
                                                          ("Expected", "ConditionExpression")) if name in args]
    title = f"Rewrite {' and '.join(f'`{n}`' for n in rewritten)} as {' and '.join(f'`{n}`' for n in replacements)}"
    # Comments inside the rewritten dicts (or the ConditionalOperator removed) are not kept: then
    # the fix is offered as unsafe, as Ruff does with fixes that delete comments.
    dropped = [arg.value for arg in args.values()]
    if "ConditionalOperator" in args:
        dropped.append(args["ConditionalOperator"])  # with the comment at the end of its line
    applicability = "unsafe" if any(dynamo.has_comment(node) for node in dropped) else "safe"
    return title, applicability, patch.edits()


def _rewritable_use(model, op):
    """The operation's legacy use, when it is one the fix may rewrite (else Unfixable)."""
    use = model.legacy_use(op)
    if use is None or use.mixed:
        raise dynamo.Unfixable("no legacy parameter, or mixed with expression parameters")
    allowed = _REWRITTEN.get(op.name)
    if allowed is None or op.orm is not None or op.partiql is not None or op.in_transaction:
        raise dynamo.Unfixable("not a PutItem, UpdateItem or DeleteItem call")
    if not set(use.legacy) <= allowed:
        raise dynamo.Unfixable("a legacy parameter the fix does not rewrite")
    if "ConditionalOperator" in use.legacy and "Expected" not in use.legacy:
        raise dynamo.Unfixable("ConditionalOperator without Expected")
    if NAMES in op.params or VALUES in op.params or not op.complete or model.expressions(op).hidden_changes:
        raise dynamo.Unfixable("the request may carry more than we see")
    return use


def _legacy_arguments(patch, op, use):
    """(the call, {legacy parameter: its keyword argument}), each written once in the call."""
    call = patch.container
    if not isinstance(call, cst.Call) or any(a.star for a in call.args):
        raise dynamo.Unfixable("not a call with keyword arguments only")
    args = {}
    for name in use.legacy:
        found = [a for a in call.args if a.keyword is not None and a.keyword.value == name]
        if len(found) != 1 or found[0].value is not op.param_node(name):
            raise dynamo.Unfixable(f"{name} is not written in the call")
        args[name] = found[0]
    return call, args


def _read_legacy(builder, call, args) -> str:
    """Feed the legacy dicts to the builder; returns the quote their keys are written in."""
    quote = '"'
    ordered = [a for a in call.args if a.keyword is not None and a.keyword.value in ("AttributeUpdates", "Expected")]
    for arg in ordered:  # in the call's order, so that the values keep their order of evaluation
        entries = dynamo.literal_entries(arg.value)
        if not entries:
            raise dynamo.Unfixable(f"{arg.keyword.value} is empty")
        quote = _quote(arg.value, quote)
        if arg.keyword.value == "AttributeUpdates":
            builder.updates(entries)
        else:
            joiner = "AND"
            if "ConditionalOperator" in args:
                joiner = dynamo.string_key(args["ConditionalOperator"].value)
                if joiner not in ("AND", "OR"):
                    raise dynamo.Unfixable("ConditionalOperator is not AND or OR")
            builder.conditions(entries, joiner)
    builder.check_order(call, {id(a) for a in args.values()})
    return quote


def _quote(node, default: str) -> str:
    for element in getattr(node, "elements", ()):
        key = getattr(element, "key", None)
        if isinstance(key, cst.SimpleString) and key.quote in ('"', "'"):
            return key.quote
    return default


class _Compound(str):
    """A condition term made of two joined by AND: parenthesised when the terms are joined by OR."""


class _Builder:
    """The expressions, placeholders and values of one rewrite."""

    def __init__(self, patch, op) -> None:
        self.patch = patch
        self.op = op
        self.names = {}  # attribute -> #placeholder
        self.values = []  # [(:placeholder, value node)] in evaluation order
        self.clauses = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
        self.terms = []
        self.joiner = "AND"

    # -- placeholders
    def name(self, attribute: str) -> str:
        if attribute not in self.names:
            self.names[attribute] = self.patch.fresh(["#" + attribute])
        return self.names[attribute]

    def value(self, node, candidate: str) -> str:
        placeholder = self.patch.fresh([":" + candidate])
        self.values.append((placeholder, node))
        return placeholder

    def kind(self, node) -> str:
        """number | set | list | other | unknown: the DynamoDB type the value will have."""
        try:
            typed = dynamo.typed_values(self.op)
        except dynamo.Unfixable:
            return "unknown"
        if typed:
            if isinstance(node, cst.Dict) and len(node.elements) == 1 and isinstance(node.elements[0], cst.DictElement):
                tag = dynamo.string_key(node.elements[0].key)
                return {"N": "number", "NS": "set", "SS": "set", "BS": "set", "L": "list"}.get(tag, "other")
            return "unknown"
        inner = node.expression if isinstance(node, cst.UnaryOperation) and \
            isinstance(node.operator, (cst.Minus, cst.Plus)) else node
        if isinstance(inner, (cst.Integer, cst.Float)) or (
                isinstance(node, cst.Call) and dotted_name(node.func) in ("Decimal", "decimal.Decimal")):
            return "number"
        if isinstance(node, (cst.Set, cst.SetComp)) or \
                (isinstance(node, cst.Call) and dotted_name(node.func) in ("set", "frozenset")):
            return "set"
        if isinstance(node, (cst.List, cst.ListComp)):
            return "list"
        return "unknown"

    # -- AttributeUpdates
    def updates(self, entries) -> None:
        for attribute, spec in entries:
            fields = dict(dynamo.literal_entries(spec))
            if not set(fields) <= {"Action", "Value"}:
                raise dynamo.Unfixable("an AttributeUpdates entry with other keys")
            action = dynamo.string_key(fields["Action"]) if "Action" in fields else "PUT"
            value = fields.get("Value")
            name = self.name(attribute)
            if action == "PUT" and value is not None:
                self.clauses["SET"].append(f"{name} = {self.value(value, attribute)}")
            elif action == "ADD" and value is not None and self.kind(value) in ("number", "set"):
                self.clauses["ADD"].append(f"{name} {self.value(value, attribute)}")
            elif action == "DELETE" and value is None:
                self.clauses["REMOVE"].append(name)
            elif action == "DELETE" and self.kind(value) == "set":
                self.clauses["DELETE"].append(f"{name} {self.value(value, attribute)}")
            else:
                raise dynamo.Unfixable(f"AttributeUpdates action {action!r} on {attribute!r} has no exact expression")

    def update_expression(self) -> str:
        return " ".join(f"{clause} {', '.join(actions)}" for clause, actions in self.clauses.items() if actions)

    # -- Expected
    def conditions(self, entries, joiner: str) -> None:
        self.joiner = joiner
        for attribute, spec in entries:
            fields = dict(dynamo.literal_entries(spec))
            if not set(fields) <= {"Value", "Exists", "ComparisonOperator", "AttributeValueList"}:
                raise dynamo.Unfixable("an Expected entry with other keys")
            name = self.name(attribute)
            if "ComparisonOperator" in fields:
                if "Value" in fields or "Exists" in fields:
                    raise Rejected(f"`{attribute}` has both `ComparisonOperator` and `{'Value' if 'Value' in fields else 'Exists'}`")
                self.terms.append(self._comparison(attribute, name, dynamo.string_key(fields["ComparisonOperator"]),
                                                   fields.get("AttributeValueList")))
                continue
            if "AttributeValueList" in fields:
                raise dynamo.Unfixable("AttributeValueList without ComparisonOperator")
            exists = fields.get("Exists")
            if exists is not None and not (isinstance(exists, cst.Name) and exists.value in ("True", "False")):
                raise dynamo.Unfixable("Exists is not a literal")
            if exists is not None and exists.value == "False":
                if "Value" in fields:
                    raise Rejected(f"`{attribute}` has `Exists: False` and a `Value`")
                self.terms.append(f"attribute_not_exists({name})")
            elif "Value" in fields:
                self.terms.append(f"{name} = {self.value(fields['Value'], 'expected_' + attribute)}")
            else:
                raise Rejected(f"`{attribute}` has `Exists: True` without a `Value`")

    def _comparison(self, attribute: str, name: str, operator, values) -> str:
        if operator not in _ARITY:
            raise dynamo.Unfixable("an unknown ComparisonOperator")
        if values is None:
            items = []
        elif isinstance(values, (cst.List, cst.Tuple)) and all(isinstance(e, cst.Element) for e in values.elements):
            items = [e.value for e in values.elements]
        else:
            raise dynamo.Unfixable("AttributeValueList is not a list literal")
        arity = _ARITY[operator]
        if (arity is None and not 1 <= len(items) <= _MAX_IN) or (arity is not None and len(items) != arity):
            raise Rejected(f"`{attribute}` has `{operator}` with {len(items)} value{'s' if len(items) != 1 else ''} in `AttributeValueList`")
        if operator == "NULL":
            return f"attribute_not_exists({name})"
        if operator == "NOT_NULL":
            return f"attribute_exists({name})"
        if operator in _COMPARISONS:
            return f"{name} {_COMPARISONS[operator]} {self.value(items[0], 'expected_' + attribute)}"
        if operator == "BETWEEN":
            low = self.value(items[0], attribute + "_low")
            high = self.value(items[1], attribute + "_high")
            return f"{name} BETWEEN {low} AND {high}"
        if operator == "IN":
            return f"{name} IN ({', '.join(self.value(item, f'{attribute}_{n}') for n, item in enumerate(items, 1))})"
        operand = self.value(items[0], "expected_" + attribute)
        if operator == "BEGINS_WITH":
            return f"begins_with({name}, {operand})"
        if operator == "CONTAINS":
            return f"contains({name}, {operand})"
        # NOT_CONTAINS: false on a missing attribute, unlike `NOT contains(...)`
        return _Compound(f"attribute_exists({name}) AND NOT contains({name}, {operand})")

    def condition_expression(self) -> str:
        terms = self.terms
        if self.joiner == "OR" and len(terms) > 1:
            terms = [f"({t})" if isinstance(t, _Compound) else t for t in terms]
        return f" {self.joiner} ".join(terms)

    def check_order(self, call: cst.Call, moved_args) -> None:
        """The values move from the legacy parameters to ExpressionAttributeValues, after every other
        argument: refuse when that may change what the call computes (a value with side effects
        while another argument has some too)."""
        if not any(dynamo.may_have_effects(node) for _, node in self.values):
            return
        others = [a.value for a in call.args if id(a) not in moved_args]
        if any(dynamo.may_have_effects(node) for node in others):
            raise dynamo.Unfixable("values with side effects would be evaluated in another order")
