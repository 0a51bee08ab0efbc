"""Paths and write helpers across a project (SPEC §3 "Paths", "Write helpers"; issue 14 items 4, 5).

A helper's write that takes its condition, its request or its statement from a parameter is judged
at each call with what the call passes, in whichever module the call is; the helper's own write is
reported only when nothing in the project calls it. A flag that leaves out a condition the write
has of its own is a path of the write, reported there. The rule modules' examples cover one module.
"""
from __future__ import annotations

from pathlib import Path

from conftest import json_findings, make_tree

REPOSITORY = '''
    import boto3

    class Subscribers:
        def __init__(self):
            self.table = boto3.resource("dynamodb").Table("subscribers")

        def save(self, item, overwrite=False):
            request = {"Item": item}
            if not overwrite:
                request["ConditionExpression"] = "attribute_not_exists(subscriber_id)"
            self.table.put_item(**request)

        def change(self, key, expression, values, condition=None):
            request = dict(Key=key, UpdateExpression=expression, ExpressionAttributeValues=values)
            if condition:
                request["ConditionExpression"] = condition
            return self.table.update_item(**request)

        def run(self, statement):
            return self.table.meta.client.execute_statement(Statement=statement)
'''

SERVICE = '''
    from app.repository import Subscribers

    def register(repo: Subscribers, item):
        repo.save(item)

    def restore(repo: Subscribers, item):
        repo.save(item, overwrite=True)

    def rename(repo: Subscribers, key, name, version):
        repo.change(key, "SET #n = :n, version = :next", {":n": name, ":v": version, ":next": version + 1},
                    condition="version = :v")

    def change_email(key, email):
        Subscribers().change(key, "SET email = :e", {":e": email})

    def close(repo: Subscribers):
        repo.run(\'UPDATE "subscribers" SET closed = true WHERE subscriber_id = \\'a\\'\')
        repo.run(\'SELECT * FROM "subscribers" WHERE subscriber_id = \\'a\\'\')
'''


def _findings(ddblint_main, root: Path, *options: str):
    run = ddblint_main("check", *options, "--output-format", "json", "--select", "DDB101,DDB102,DDB110", str(root))
    return sorted((Path(f["filename"]).relative_to(root).as_posix(), f["location"]["row"], f["code"], f["message"])
                  for f in json_findings(run))


def test_calls_in_another_module_are_the_unguarded_writes(tmp_path, ddblint_main):
    make_tree(tmp_path, {"app/__init__.py": "", "app/repository.py": REPOSITORY, "app/service.py": SERVICE})
    found = _findings(ddblint_main, tmp_path, "--no-cache")
    assert [(path, row, code) for path, row, code, _ in found] == [
        ("app/repository.py", 11, "DDB102"),  # a flag leaves out the create condition the write has
        ("app/service.py", 14, "DDB101"),     # no condition passed to a helper that takes it
        ("app/service.py", 17, "DDB110"),     # an UPDATE statement with no version predicate
    ]
    messages = {row: message for _, row, _, message in found}
    assert "has no version condition when `overwrite` is true" in messages[11]
    assert "made by `Subscribers.change()` (repository.py:17) for this call" in messages[14]
    assert "made by `Subscribers.run()` (repository.py:20) for this call" in messages[17]


def test_a_helper_nothing_calls_is_reported_at_its_write(tmp_path, ddblint_main):
    make_tree(tmp_path, {"app/__init__.py": "", "app/repository.py": REPOSITORY})
    found = _findings(ddblint_main, tmp_path, "--no-cache")
    assert [(path, row, code) for path, row, code, _ in found] == [
        ("app/repository.py", 11, "DDB102"), ("app/repository.py", 17, "DDB101")]
    assert "has no version condition when `overwrite` is true" in found[0][3]
    assert "has no version condition when `condition` is false" in found[1][3]


def test_a_module_that_only_names_the_helper_is_no_caller(tmp_path, ddblint_main):
    """Another module with a `save` of its own, which does not import the repository."""
    make_tree(tmp_path, {"app/__init__.py": "", "app/repository.py": REPOSITORY, "app/other.py": '''
        from app.cache import repository

        def save(item):
            repository.save(item, overwrite=True)
    '''})
    found = _findings(ddblint_main, tmp_path, "--no-cache")
    assert [(path, row, code) for path, row, code, _ in found] == [
        ("app/repository.py", 11, "DDB102"), ("app/repository.py", 17, "DDB101")]


def test_a_function_helper_imported_by_name(tmp_path, ddblint_main):
    make_tree(tmp_path, {"app/__init__.py": "", "app/db.py": '''
        import boto3

        client = boto3.client("dynamodb")

        def put(item, **options):
            client.put_item(TableName="tickets", Item=item, **options)
    ''', "app/jobs.py": '''
        from app.db import put

        def create(item):
            put(item, ConditionExpression="attribute_not_exists(ticket_id)")

        def overwrite(item):
            put(item)

        def put_local(cache, item):
            cache.put(item)
    '''})
    found = _findings(ddblint_main, tmp_path, "--no-cache")
    assert [(path, row, code) for path, row, code, _ in found] == [("app/jobs.py", 7, "DDB102")]


def test_fixes_never_edit_a_write_made_through_a_helper(tmp_path, ddblint_main):
    tree = make_tree(tmp_path, {"tickets.py": '''
        import boto3

        client = boto3.client("dynamodb")

        def load(ticket_id):
            return client.get_item(TableName="tickets", Key={"ticket_id": {"S": ticket_id}})

        def put(item, **options):
            client.put_item(TableName="tickets", Item=item, **options)

        def overwrite(item):
            put(item)
    '''})
    before = (tree / "tickets.py").read_text()
    run = ddblint_main("check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "DDB102", str(tree))
    assert "DDB102" in run.stdout
    assert (tree / "tickets.py").read_text() == before


def test_a_caller_added_later_moves_the_finding_on_a_warm_run(tmp_path, ddblint_main):
    project = make_tree(tmp_path / "project", {"app/__init__.py": "", "app/repository.py": REPOSITORY})
    cache = str(tmp_path / "cache")
    assert [row for path, row, _, _ in _findings(ddblint_main, project, "--cache-dir", cache)] == [11, 17]
    make_tree(project, {"app/service.py": '''
        from app.repository import Subscribers

        def rename(key):
            Subscribers().change(key, "SET #n = :n", {":n": "x"})
    '''})
    found = _findings(ddblint_main, project, "--cache-dir", cache)
    assert [(path, row) for path, row, _, _ in found] == [("app/repository.py", 11), ("app/service.py", 4)]


WRAPPER = '''
    import boto3

    class DynamoDB:
        """A client wrapper: conditions come from its callers, the write runs in a retry lambda."""

        def __init__(self):
            self.resource = boto3.resource("dynamodb")

        def _retry(self, operation):
            return operation()

        def save(self, item, table_name, fail_if_exists=False, condition_expression=None):
            table = self.resource.Table(table_name)
            params = {"Item": item}
            if condition_expression:
                params["ConditionExpression"] = condition_expression
            elif fail_if_exists:
                params["ConditionExpression"] = "attribute_not_exists(pk)"
            return self._retry(lambda: table.put_item(**params))

        def save_all(self, items, table_name, condition_expression=None):
            for item in items:
                self.save(item, table_name, condition_expression=condition_expression)
'''

CALLERS = '''
    from wrapper.dynamodb import DynamoDB

    def examples():
        db = DynamoDB()
        db.save(item={"pk": "a"}, table_name="things")
        db.save(item={"pk": "a"}, table_name="things", fail_if_exists=True)
        db.save(item={"pk": "a", "version": 2}, table_name="things",
                condition_expression="version = :v")
        db.save_all([{"pk": "a"}], "things")
'''


def test_a_wrapper_with_elif_conditions_a_retry_lambda_and_a_long_docstring(tmp_path, ddblint_main):
    """boto3-assist's shape: `if condition: ... elif fail_if_exists: ...`, the put in a lambda handed
    to a retry method, a module bigger than the 64 KB other imported modules are limited to (its
    docstrings), and a method that hands its own condition on (not reported where it does)."""
    padding = "\n    # " + "x" * 70
    wrapper = WRAPPER + padding * 1000
    make_tree(tmp_path, {"wrapper/__init__.py": "", "wrapper/dynamodb.py": wrapper, "app.py": CALLERS})
    assert (tmp_path / "wrapper/dynamodb.py").stat().st_size > 64_000
    found = _findings(ddblint_main, tmp_path, "--no-cache")
    assert [(path, row, code) for path, row, code, _ in found] == [("app.py", 5, "DDB102")]
    assert "made by `DynamoDB.save()` (dynamodb.py:19) for this call" in found[0][3]
