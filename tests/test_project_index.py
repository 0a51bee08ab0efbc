"""Receivers, factories, classes and constants imported from the project's own modules."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import make_tree

from ddblint import cli
from ddblint.dynamo import project
from ddblint.dynamo.project import Project

DB = '''
    import os
    import boto3

    REGION = "eu-west-1"
    TABLE_NAME = os.environ["SUBSCRIBERS_TABLE"]
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    table = dynamodb.Table(TABLE_NAME)

    def get_table():
        return dynamodb.Table("orders")

    class Repo:
        def __init__(self):
            self.table = dynamodb.Table("profiles")
'''

BLIND = 'UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1}'


def lint(tmp_path: Path, files: dict, target: str):
    make_tree(tmp_path, {"pyproject.toml": '''
        [tool.ddblint.tables.subscribers]
        env = ["SUBSCRIBERS_TABLE"]
        home-region = "eu-west-1"
        mode = "single-region"
    '''})
    make_tree(tmp_path, {name: textwrap.dedent(text) for name, text in files.items()}, dedent=False)
    out = tmp_path / "out.json"
    cli.main(["check", str(tmp_path / target), "--output-format", "json", "-o", str(out), "-q",
              "--select", "DDB101"])
    return json.loads(out.read_text())


@pytest.mark.parametrize("imports, receiver, table", [
    ("from app.db import table", "table", None),  # single-region table: no finding for a blind update
    ("from app import db", "db.get_table()", "orders"),
    ("from .db import get_table", "get_table()", "orders"),
    ("import app.db as db", "db.Repo().table", "profiles"),
    ("import app.db", "app.db.get_table()", "orders"),
    ("from app.db import Repo\nrepo = Repo()", "repo.table", "profiles"),
    ("from app.db import *", "get_table()", "orders"),  # the names a star import brings in
    ("from .db import *", "Repo().table", "profiles"),
])
def test_imported_receivers(tmp_path, imports, receiver, table):
    handler = f"{imports}\n\ndef handle(k):\n    {receiver}.update_item(Key={{'pk': k}}, {BLIND})\n"
    found = lint(tmp_path, {"app/__init__.py": "", "app/db.py": DB, "app/handlers.py": handler}, "app/handlers.py")
    if table is None:
        assert found == []  # resolved to the registered single-region table: not a read-modify-write
    else:
        assert [d["code"] for d in found] == ["DDB101"] and f"`{table}`" in found[0]["message"]
        assert "from eu-west-1" in found[0]["message"]  # the region travels with the receiver


def test_unresolved_import_falls_back_to_keywords(tmp_path):
    handler = f"from elsewhere import table\n\ndef handle(k):\n    table.update_item(Key={{'pk': k}}, {BLIND})\n"
    found = lint(tmp_path, {"app/__init__.py": "", "app/handlers.py": handler}, "app/handlers.py")
    assert [d["code"] for d in found] == ["DDB101"] and "`" not in found[0]["message"].split(" has ")[0]


def test_import_cycle_terminates(tmp_path):
    a = "from app.b import t\nu = t\n"
    b = "from app.a import u\nt = u\n"
    handler = f"from app.a import u\n\ndef handle(k):\n    u.update_item(Key={{'pk': k}}, {BLIND})\n"
    found = lint(tmp_path, {"app/__init__.py": "", "app/a.py": a, "app/b.py": b, "app/h.py": handler}, "app/h.py")
    assert [d["code"] for d in found] == ["DDB101"]


def test_stdin_uses_the_files_project(tmp_path, monkeypatch, capsys):
    import io
    import sys

    handler = f"from app.db import get_table\n\ndef handle(k):\n    get_table().update_item(Key={{'pk': k}}, {BLIND})\n"
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    (tmp_path / "app/db.py").write_text(textwrap.dedent(DB))
    (tmp_path / "pyproject.toml").write_text("[tool.ddblint]\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(handler.encode())))
    cli.main(["check", "--stdin-filename", str(tmp_path / "app/handlers.py"), "--output-format", "concise", "-q"])
    assert "`orders`" in capsys.readouterr().out


def test_base_class_from_another_module(tmp_path):
    base = '''
        import boto3

        class BaseRepo:
            @property
            def table(self):
                return boto3.resource("dynamodb").Table("accounts")
    '''
    handler = f"from app.base import BaseRepo\n\nclass Accounts(BaseRepo):\n    def touch(self, k):\n        self.table.update_item(Key={{'pk': k}}, {BLIND})\n"
    found = lint(tmp_path, {"app/__init__.py": "", "app/base.py": base, "app/h.py": handler}, "app/h.py")
    assert [d["code"] for d in found] == ["DDB101"] and "`accounts`" in found[0]["message"]


@pytest.mark.parametrize("imports, table", [
    ("from app.db import *\nfrom app.archive import *", "archive"),  # the newest that exports it
    ("from app.archive import *\nfrom app.db import *", "orders"),
    ("from app.db import *\nfrom app.listed import *", "orders"),  # its __all__ leaves get_table out
    ("from app.gathered import *", "orders"),  # a star import of a star import
    ("from elsewhere import *", None),  # not the project's: its names are not read
])
def test_star_imports_of_project_modules(tmp_path, imports, table):
    handler = f"{imports}\n\ndef handle(k):\n    get_table().update_item(Key={{'pk': k}}, {BLIND})\n"
    found = lint(tmp_path, {
        "app/__init__.py": "", "app/db.py": DB, "app/gathered.py": "from app.db import *\n",
        "app/archive.py": "import boto3\n\ndef get_table():\n    return boto3.resource('dynamodb').Table('archive')\n",
        "app/listed.py": "__all__ = ['other']\nimport boto3\n\ndef get_table():\n    return None\n\nother = 1\n",
        "app/h.py": handler,
    }, "app/h.py")
    assert [d["code"] for d in found] == ["DDB101"]
    head = found[0]["message"].split(" has ")[0]
    assert (f"`{table}`" in head) if table else "`" not in head


# -- the prefilter's look at imported modules: names re-exported by a package -------------------------
@pytest.mark.parametrize("qualname, mentions", [
    ("app.models.Subscriber", True),  # app/models/__init__.py: from .subscriber import Subscriber
    ("app.models.Listed", True),  # ... from .listed import (\n Listed as Listed,\n)
    ("app.models.Account", False),  # re-exported from a module that does not mention the word
    ("app.models", True),  # the whole package: any name it re-exports
    ("app.Subscriber", True),  # app/__init__.py: from .models import * -- two re-exports
    ("app.deep.Subscriber", False),  # three: past the bound
    ("app.models.account", False),
    ("django.Subscriber", False),
])
def test_module_mentions_follows_re_exports(tmp_path, qualname, mentions):
    make_tree(tmp_path, {
        "app/__init__.py": "from .models import *\n",
        "app/models/__init__.py": "from .subscriber import Subscriber\nfrom .account import Account\n"
                                  "from .listed import (\n    Listed as Listed,  # noqa: F401\n)\n",
        "app/models/subscriber.py": "from pynamodb.models import Model\nclass Subscriber(Model):\n    pass\n",
        "app/models/listed.py": "from pynamodb.models import Model\nclass Listed(Model):\n    pass\n",
        "app/models/account.py": "class Account:\n    pass\n",
        "app/deep/__init__.py": "from app import Subscriber\n",
        "app/service.py": "",
    })
    assert Project(tmp_path).module_mentions(qualname, tmp_path / "app/service.py", (b"pynamodb",)) is mentions


def test_import_statements_found_from_the_word_import_are_the_patterns_matches():
    """`_statements` finds the lines from the word `import`: the same matches as `finditer`."""
    text = textwrap.dedent('''
        """Docstring: important, imported; from x import nothing"""
        import os, sys  # import json
        from importlib import import_module
        from .models import (
            Subscriber,  # import the model
            Account as Account,
        )
        from app.models import *
        if TYPE_CHECKING:
            from app.db import table; import boto3
        x = "import"
        from a import b''')
    for pattern in (project._IMPORT, project._FROM_IMPORT):
        expected = [(m.start(), m.group(0)) for m in pattern.finditer(text)]
        assert [(m.start(), m.group(0)) for m in project._statements(pattern, text)] == expected
        assert len(expected) >= 5


def test_an_application_run_from_a_folder_above_a_non_package(tmp_path, ddblint_main):
    """`services/data/impl/` is no package (no `__init__.py`); the application runs from
    `services/` and imports `model.dynamo.ticket` from there: folders above the importer within
    the project are where its imports may start. A dotted path that exists nowhere stays unknown."""
    make_tree(tmp_path, {
        "pyproject.toml": "[tool.ddblint]\n",
        "src/app/services/__init__.py": "",
        "src/app/services/model/__init__.py": "",
        "src/app/services/model/dynamo/__init__.py": "",
        "src/app/services/model/dynamo/ticket.py": '''
            from pynamodb.attributes import UnicodeAttribute
            from pynamodb.models import Model

            class Ticket(Model):
                class Meta:
                    table_name = "tickets"
                ticket = UnicodeAttribute(hash_key=True)
        ''',
        "src/app/services/data/impl/manager.py": '''
            from model.dynamo.ticket import Ticket
            from model.dynamo.missing import Other

            def create(ticket_id):
                Ticket(ticket=ticket_id).save()
                Other(ticket=ticket_id).save()
        ''',
    })
    run = ddblint_main("check", "--no-cache", "--output-format", "json", "--select", "DDB102",
                       "src/app/services/data/impl/manager.py")
    assert [(f["code"], f["location"]["row"]) for f in json.loads(run.stdout)] == [("DDB102", 5)]


def test_a_run_reads_each_module_once_and_an_editor_every_time(tmp_path):
    """Inside a run (project.begin_run, opened by the runner) what a module mentions is read once;
    outside one (the language server) a module changed on disk is read again."""
    make_tree(tmp_path, {"app/__init__.py": "", "app/models.py": "X = 1\n", "app/views.py": "from app.models import X\n"})
    views = tmp_path / "app/views.py"
    words = (b"pynamodb",)
    index = Project(tmp_path)
    project.begin_run()
    try:
        assert not index.module_mentions("app.models.X", views, words)
        (tmp_path / "app/models.py").write_text("from pynamodb.models import Model\nX = 1\n")
        assert not index.module_mentions("app.models.X", views, words)  # the run's view of the files
    finally:
        project.end_run()
    assert index.module_mentions("app.models.X", views, words)  # outside a run: read again
    project.begin_run()  # a new run reads the files again
    try:
        (tmp_path / "app/models.py").write_text("X = 2\n")
        assert not index.module_mentions("app.models.X", views, words)
    finally:
        project.end_run()


def test_a_module_reached_through_a_link_is_the_module_itself(tmp_path):
    """A file is resolved through its directory unless it is a link itself: a linked module is
    still recognised as the importer (a module never imports itself)."""
    make_tree(tmp_path, {"app/__init__.py": "", "app/real.py": "from pynamodb.models import Model\n"})
    link = tmp_path / "app" / "alias.py"
    link.symlink_to(tmp_path / "app" / "real.py")
    index = Project(tmp_path)
    assert index._resolved(link) == (tmp_path / "app" / "real.py").resolve()
    assert index._resolved(tmp_path / "app" / ".." / "app" / "real.py") == (tmp_path / "app" / "real.py").resolve()
    linked_dir = tmp_path / "other"
    linked_dir.symlink_to(tmp_path / "app")
    assert index._resolved(linked_dir / "real.py") == (tmp_path / "app" / "real.py").resolve()
