from ddblint.rule import Edit, Example, Fix, LineFinding, Location, Rule

_OURS = "DDB"


class UnusedNoqa(Rule):
    code = "DDB001"
    name = "unused-noqa"
    summary = "A `# noqa` comment names a ddblint code that nothing on its line raises"
    fix_availability = "Always"
    fix_safety = """
        Safe: the fix edits only the comment (it removes the unused codes, or the whole `# noqa`
        when none is left), so no code that runs changes. A code removed because its rule is not
        a ddblint rule at all suppressed nothing.
    """
    what = """
        Checks `# noqa: DDBxxx` comments whose ddblint codes suppress nothing: no finding of that
        code starts on the line (any more), or the code is not a ddblint rule at all. Only
        ddblint's own codes are judged: other tools' codes (`E501`, `BLE001`) and a bare `# noqa`
        may serve another linter, and a code whose rule is not enabled for the file cannot be
        judged, so both are left alone, as are the file-level `# ddblint: noqa` directives. The
        fix removes the unused codes, or the whole directive when none is left.
    """
    why = """
        A suppression outlives the code it was written for. Left in place, `# noqa: DDB101` on a
        line that is now safe silently hides the next blind update written there: the one
        finding the comment should never have hidden. Removing stale suppressions keeps each of
        them a deliberate, reviewed exception.
    """
    triggers = ("DDB", "ddb")  # a ddblint code: other noqa comments are not ours to judge
    from_model = False  # it judges the comments, which a module without DynamoDB code may hold too
    text_pattern = rb"(?i)noqa[^\n]*ddb"  # a `noqa` comment that names a DDB code (noqa.py reads them so)

    fires = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def rename(key, name, expected):
                table.update_item(  # noqa: DDB101  # expect: DDB001
                    Key=key,
                    UpdateExpression="SET #n = :n, #v = #v + :one",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#n": "name", "#v": "version"},
                    ExpressionAttributeValues={":n": name, ":one": 1, ":expected": expected},
                )
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def rename(key, name, expected):
                table.update_item(  # expect: DDB001
                    Key=key,
                    UpdateExpression="SET #n = :n, #v = #v + :one",
                    ConditionExpression="#v = :expected",
                    ExpressionAttributeNames={"#n": "name", "#v": "version"},
                    ExpressionAttributeValues={":n": name, ":one": 1, ":expected": expected},
                )
        '''),
        # one code of two is used: only the other goes; another tool's code stays
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def touch(key):
                table.update_item(Key=key, UpdateExpression="SET seen = :t", ExpressionAttributeValues={":t": 1})  # noqa: DDB101, DDB301, E501  # expect: DDB001
        ''', fixed='''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def touch(key):
                table.update_item(Key=key, UpdateExpression="SET seen = :t", ExpressionAttributeValues={":t": 1})  # noqa: DDB101, E501  # expect: DDB001
        '''),
        # a code that is no ddblint rule, and a reason after the directive, which is kept
        Example('''
            def f(x):
                return x  # noqa: DDB999 legacy  # expect: DDB001
        ''', fixed='''
            def f(x):
                return x  # legacy  # expect: DDB001
        '''),
    ]
    passes = [
        Example('''
            import boto3

            table = boto3.resource("dynamodb").Table("subscribers")

            def touch(key):
                # reviewed: a per-user counter no other region writes
                table.update_item(Key=key, UpdateExpression="ADD hits :one", ExpressionAttributeValues={":one": 1})  # noqa: DDB101
        '''),
        # other tools' codes and a bare noqa are not ddblint's to judge
        Example('''
            import os  # noqa: F401
            x = eval("1")  # noqa
            y = 1  # NOQA: E731
        '''),
        # DDB405 is off for this file: whether it would fire cannot be known
        Example('''
            def f(client):
                client.put_item(TableName="t", Item={}, ConditionExpresion="x")  # noqa: DDB405
        ''', config='''
            [tool.ddblint]
            ignore = ["DDB405"]
        '''),
        # file-level directives are left alone
        Example('''
            # ddblint: noqa: DDB101
            x = 1
        '''),
    ]

    def check_suppressions(self, ctx, raised, enabled):
        known_rows = {}
        for code, row in raised:
            known_rows.setdefault(row, set()).add(code)
        lines = ctx.source.splitlines()
        for directive in ctx.noqa_directives():
            if directive.codes is None:
                continue  # a bare `# noqa`: possibly another linter's
            used = known_rows.get(directive.row, set())
            unused, unknown = [], []
            for code in directive.codes:
                upper = code.upper()
                if not upper.startswith(_OURS) or upper in used:
                    continue
                if upper in enabled:
                    unused.append(code)
                elif upper not in ctx.known_codes and upper != "DDB000":  # DDB000: a file problem
                    unknown.append(code)
            if not unused and not unknown:
                continue
            parts = []
            if unused:
                parts.append("unused: " + ", ".join(f"`{c}`" for c in unused))
            if unknown:
                parts.append("unknown: " + ", ".join(f"`{c}`" for c in unknown))
            start = directive.column + directive.start
            yield LineFinding(directive.row, start + 1, directive.column + directive.end + 1,
                              f"Unused `noqa` directive ({'; '.join(parts)})",
                              _fix(directive, set(unused + unknown), lines[directive.row - 1]))


def _fix(directive, drop, line: str) -> Fix:
    kept = [c for c in directive.codes if c not in drop]
    comment = directive.comment
    if kept:
        # `# noqa: A, B` -> `# noqa: B`: only the code list is rewritten
        head = comment[directive.start:directive.end]
        colon = head.index(":")
        new = comment[:directive.start] + head[:colon + 1] + " " + ", ".join(kept) + comment[directive.end:]
    else:
        rest = (comment[:directive.start] + comment[directive.end:].lstrip()).strip()
        new = "" if rest in ("", "#") else rest if rest.startswith("#") else "# " + rest
    title = "Remove unused codes" if kept else "Remove the unused `noqa` directive"
    if new:
        start, end = directive.column, directive.column + len(comment)
    else:  # no comment left: the blanks before it go too
        start = len(line[:directive.column].rstrip())
        end = directive.column + len(comment)
    edit = Edit(new, Location(directive.row, start + 1), Location(directive.row, end + 1))
    return Fix(title, "safe", (edit,))
