"""The glance (dynamo/glance.py): the standard library's first look, which lets the engine skip
LibCST's parse of a module whose DynamoDB model would find nothing. Skipping is only safe if
"nothing" is never wrong: here it is held against the model itself, on every rule example, the
test corpus and the project-shaped cases (write helpers, PynamoDB models imported from the
project), and the lookalikes it exists for are shown to be skipped."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from conftest import lint_snippet, make_tree
from ddblint import config, engine, parsing, registry
from ddblint.dynamo import DynamoModel
from ddblint.dynamo.glance import finds_nothing
from ddblint.dynamo.project import project_for
from ddblint.rule import Context, Rule

CORPUS = Path(__file__).parent / "corpus"


def _glance(path: Path, root: Path) -> bool:
    source = path.read_text()
    tree = parsing.standard_tree(source)
    assert tree is not None
    return finds_nothing(tree, source, path, project_for(root))


def _model_is_empty(path: Path, root: Path) -> bool:
    source = path.read_text()
    settings = config.settings_for(path, registry.defaults())
    model = DynamoModel(cst.parse_module(source), path, settings)
    return not model.calls and not model.helper_writes and not model.comparisons() and not model.pynamo_models()


def _python_examples():
    for rule in registry.all_rules().values():
        for index, example in enumerate(list(rule.fires) + list(rule.passes)):
            if example.language == "python":
                yield pytest.param(rule, example, id=f"{rule.code}-{index}")


@pytest.mark.parametrize("rule, example", list(_python_examples()))
def test_nothing_means_the_model_and_the_rule_find_nothing(tmp_path, rule, example):
    root = make_tree(tmp_path, {example.filename: example.source, "pyproject.toml": example.config})
    path = root / example.filename
    if not _glance(path, root):
        return
    assert _model_is_empty(path, root), "the glance said nothing, the model found something"
    settings = config.settings_for(path, registry.defaults())
    ctx = Context(path, example.source, cst.parse_module(example.source), settings)
    assert list(rule().check(ctx)) == []
    if rule.from_model:  # the others keep the file analysed where their own triggers stand
        assert not example.expected(), "a must-fire example the engine would skip"


def test_the_test_corpus_is_glanced_as_the_model_sees_it():
    glanced = 0
    for path in sorted(CORPUS.rglob("*.py")):
        root = path.parents[len(path.relative_to(CORPUS).parts) - 2] if len(path.relative_to(CORPUS).parts) > 1 \
            else CORPUS
        if _glance(path, root):
            glanced += 1
            assert _model_is_empty(path, root), path
    assert glanced  # the corpus has modules without DynamoDB calls, or this test shows nothing


LOOKALIKES = {
    "dict_update.py": "settings = {}\nsettings.update(debug=True)\nsettings.update({'a': 1})\n",
    "queue.py": "import queue\nq = queue.Queue()\nq.put_item('x')\nbackend.update_item(table_name, key, expr)\n",
    "backend.py": "class Backend:\n    def put_item(self, table_name, item, expected=None):\n        return self.tables[table_name]\n",
    "strings.py": "ACTIONS = ['dynamodb:PutItem', 'put_item', 'update_item']\nlog.info('update_item done')\n",
    "attribute.py": "handler = client.put_item\nhandlers = {'put': table.update_item}\n",
    "positional_star.py": "table.put_item(*args)\n",
    # boto3's serializers are not its condition builders: moto's models import them
    "serializers.py": "from boto3.dynamodb.types import TypeDeserializer\nsame = TypeDeserializer() == other\n",
}

MODELLED = {
    "keywords.py": "import boto3\nboto3.resource('dynamodb').Table('t').put_item(Item={'k': 1})\n",
    "splat.py": "def save(table, request):\n    table.update_item(**request)\n",
    "pynamodb_model.py": "from pynamodb.models import Model\nclass Thing(Model):\n    pass\n",
    "builders.py": "from boto3.dynamodb.conditions import Attr\nok = Attr('a') == 1\n",
    "builders_module.py": "import boto3.dynamodb.conditions as c\n",
    "builders_package.py": "from boto3 import dynamodb\nwrong = dynamodb.conditions.Attr('a') == 1\n",
    "builders_by_plain_import.py": "import boto3.dynamodb.types\nwrong = boto3.dynamodb.conditions.Attr('a') == 1\n",
}


@pytest.mark.parametrize("name", ["builders.py", "builders_package.py", "builders_by_plain_import.py"])
def test_a_builder_compared_by_any_import_is_found(tmp_path, name):
    assert [d.code for d in lint_snippet(MODELLED[name], tmp_path, select=["DDB406"])] == ["DDB406"]


@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_lookalikes_are_nothing(tmp_path, name):
    root = make_tree(tmp_path, {name: LOOKALIKES[name]})
    assert _glance(root / name, root)
    assert _model_is_empty(root / name, root)


@pytest.mark.parametrize("name", sorted(MODELLED))
def test_possible_dynamodb_code_is_not_nothing(tmp_path, name):
    root = make_tree(tmp_path, {name: MODELLED[name]})
    assert not _glance(root / name, root)


PROJECT = {
    "app/__init__.py": "",
    "app/repository.py": '''
        import boto3

        class Subscribers:
            def save(self, item, condition=None):
                request = {"Item": item}
                if condition:
                    request["ConditionExpression"] = condition
                boto3.resource("dynamodb").Table("subscribers").put_item(**request)
    ''',
    "app/models.py": '''
        from pynamodb.models import Model

        class Subscriber(Model):
            pass
    ''',
    "app/service.py": '''
        from app.repository import Subscribers

        def register(repo: Subscribers, item):
            repo.save(item)
    ''',
    "app/views.py": '''
        from app.models import Subscriber

        def show(key):
            return Subscriber.get(key)
    ''',
    "app/unrelated.py": '''
        from app.repository import Subscribers

        def describe():
            return Subscribers.__doc__
    ''',
}


def test_what_the_project_brings_in_is_not_nothing(tmp_path):
    """A write helper's caller and a PynamoDB model's user have no DynamoDB call of their own."""
    root = make_tree(tmp_path, PROJECT)
    assert not _glance(root / "app/service.py", root)
    assert not _model_is_empty(root / "app/service.py", root)
    assert not _glance(root / "app/views.py", root)
    assert _glance(root / "app/unrelated.py", root)  # imports the helper's class, calls no write helper
    assert _model_is_empty(root / "app/unrelated.py", root)


def test_the_engine_skips_the_parse_of_nothing(tmp_path, monkeypatch):
    root = make_tree(tmp_path, {"backend.py": LOOKALIKES["backend.py"], "keywords.py": MODELLED["keywords.py"]})
    parsed = []
    real = parsing.parse
    monkeypatch.setattr(parsing, "parse", lambda source: parsed.append(source) or real(source))
    rules = [r for r in registry.all_rules().values() if r.default and r.check is not Rule.check]
    for name in ("backend.py", "keywords.py"):
        path = root / name
        settings = config.settings_for(path, registry.defaults())
        result = engine.check_source(path.read_bytes(), path, name, settings, rules)
        assert result.skipped == (name == "backend.py")
    assert parsed == [MODELLED["keywords.py"]]


def test_a_noqa_comment_still_gets_judged(tmp_path):
    """DDB001 judges suppression comments, which a module without DynamoDB code may hold."""
    source = "def put_item(self, name, item):  # noqa: DDB101\n    return name\n"
    root = make_tree(tmp_path, {"app.py": source})
    path = root / "app.py"
    settings = config.settings_for(path, registry.defaults())
    result = engine.check_source(path.read_bytes(), path, "app.py", settings, list(registry.all_rules().values()))
    assert [d.code for d in result.diagnostics] == ["DDB001"]


def test_every_rule_that_judges_comments_is_not_from_the_model():
    for rule in registry.all_rules().values():
        if rule.check_suppressions is not Rule.check_suppressions:
            assert not rule.from_model, rule.code


def test_a_rule_s_text_pattern_matches_wherever_it_fires():
    """A rule not from the model is asked its `text_pattern` before the engine skips a parse:
    every example it fires on must match it (and so must a comment noqa.py reads as naming a code)."""
    with_pattern = [rule for rule in registry.all_rules().values() if rule.text_pattern is not None]
    assert with_pattern
    for rule in with_pattern:
        for example in rule.fires:
            assert re.search(rule.text_pattern, example.source.encode()), (rule.code, example.source)


@pytest.mark.parametrize("comment, code", [("# noqa: DDB101", "DDB101"), ("#NOQA:ddb101", "DDB101"),
                                           ("# NoQa: E501, Ddb102", "DDB102"), ("#noqa:E1 DDBX1", "DDBX1")])
def test_ddb001_pattern_matches_every_spelling_of_a_directive(comment, code):
    from ddblint import noqa

    source = f"x = 1  {comment}\n"
    assert noqa.parse(source).suppresses(code, 1)  # a directive naming a DDB code: DDB001 judges it
    assert re.search(registry.all_rules()["DDB001"].text_pattern, source.encode())


def test_a_file_with_a_ddb_word_but_no_noqa_comment_is_not_parsed(tmp_path, monkeypatch):
    source = "DDB_TABLE = 'events'  # the DDB table\n\ndef put_item(self, name, item):\n    return name\n"
    root = make_tree(tmp_path, {"app.py": source})
    path = root / "app.py"
    settings = config.settings_for(path, registry.defaults())
    result = engine.check_source(path.read_bytes(), path, "app.py", settings, list(registry.all_rules().values()))
    assert result.skipped and not result.diagnostics


def test_code_the_running_python_cannot_parse_is_analysed(tmp_path):
    source = textwrap.dedent('''
        import boto3
        def f(:
            boto3.resource("dynamodb").Table("t").put_item(Item={})
    ''').lstrip()
    root = make_tree(tmp_path, {"broken.py": source})
    path = root / "broken.py"
    settings = config.settings_for(path, registry.defaults())
    result = engine.check_source(path.read_bytes(), path, "broken.py", settings, list(registry.all_rules().values()))
    assert [d.code for d in result.diagnostics] == ["DDB000"]
