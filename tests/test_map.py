"""`ddblint map` (SPEC §6, issue 16): who reads and writes which table, from which region,
guarded or not, with the findings on each call; its text, JSON, Mermaid, Graphviz and HTML
renderings, and what it says about input it cannot map. The HTML page's behaviour in a browser
is tests/test_map_browser.py's."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from conftest import make_tree
from test_write_helpers import REPOSITORY, SERVICE

ROOT = Path(__file__).resolve().parent.parent
LONDON = ROOT / "examples" / "london_incident"
QUICKSTART = ROOT / "examples" / "quickstart"
REGENERATE_MAP_MD = "cd examples/london_incident && ddblint map --output-format mermaid -o MAP.md"
ONE_READ = 'import boto3\nboto3.resource("dynamodb").Table("t").get_item(Key={"k": 1})\n'


def _map(ddblint_main, *args, cwd: Path):
    run = ddblint_main("map", *args, cwd=cwd)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    return run


def _json(ddblint_main, *args, cwd: Path) -> dict:
    return json.loads(_map(ddblint_main, "--output-format", "json", *args, cwd=cwd).stdout)


def _calls(table: dict) -> list:
    return [(a["path"], a["line"], a["function"], a["operation"], a["kind"], a["region"], a["guarded"], a["codes"])
            for a in table["accesses"]]


def _table(found: dict, name: str, project: str = ".") -> dict:
    (table,) = [t for t in found["tables"] if t["name"] == name and t["project"] == project]
    return table


# -- the examples ----------------------------------------------------------------------------------

def test_london_incident_json(ddblint_main):
    found = _json(ddblint_main, cwd=LONDON)
    assert found["version"] == 1 and found["problems"] == []
    assert [t["name"] for t in found["tables"]] == ["subscribers", "billing-counters", "audit-log"]

    subscribers = _table(found, "subscribers")
    assert (subscribers["registered"], subscribers["mode"], subscribers["home_region"], subscribers["shape"],
            subscribers["replicas"]) == (True, "global", "eu-west-1", "profile", ["eu-west-1", "us-east-1"])
    sources = {s["fact"]: (s["value"], s["source"]) for s in subscribers["sources"]}
    assert sources["home-region"] == ("eu-west-1", "pyproject.toml:13")
    assert sources["replicas"] == (["eu-west-1", "us-east-1"], "template.yaml:28")
    assert sources["indexes"] == ({"by_email": "global"}, "template.yaml:21")
    # the incident: written from eu-west-1 and us-east-1, two of the writers blind
    assert subscribers["write_regions"] == ["eu-west-1", "us-east-1"] and subscribers["multi_region_writes"]
    assert subscribers["warnings"] == ["written from 2 regions: eu-west-1, us-east-1"]
    assert _calls(subscribers) == [
        ("jobs/retention/stamp.py", 16, "stamp_contacted", "BatchWriteItem", "batch-write", "us-east-1", False,
         ["DDB201", "DDB202"]),
        ("jobs/retention/stamp.py", 21, "stamp_one", "UpdateItem", "write", "us-east-1", False, ["DDB101"]),
        ("portal/addresses.py", 12, "change_delivery_address", "UpdateItem", "write", "eu-west-1", False, ["DDB101"]),
        ("portal/addresses.py", 21, "change_email", "UpdateItem", "write", "eu-west-1", True, []),
        ("support/lookup.py", 11, "current_address", "GetItem", "read", "us-east-1", None, ["DDB302"]),
        ("support/lookup.py", 16, "find_by_email", "Query", "read", "us-east-1", None, []),
    ]
    off_home = {(a["path"], a["line"]): a["off_home"] for a in subscribers["accesses"]}
    assert off_home[("jobs/retention/stamp.py", 21)] is True and off_home[("portal/addresses.py", 12)] is False

    counters = _table(found, "billing-counters")
    assert counters["shape"] == "contested" and counters["contested_off_home"] and counters["multi_region_writes"]
    assert _calls(counters) == [
        ("billing/eu/meter.py", 10, "record_usage", "UpdateItem", "write", "eu-west-1", True, []),
        ("billing/us/meter.py", 11, "record_usage", "UpdateItem", "write", "us-east-1", True, ["DDB203"]),
    ]

    audit = _table(found, "audit-log")
    assert audit["shape"] == "append-only" and audit["home_region"] is None
    assert not audit["multi_region_writes"] and not audit["contested_off_home"] and audit["warnings"] == []
    by_line = {a["line"]: a for a in audit["accesses"]}
    # a put to an append-only table has no guard, and needs none
    assert (by_line[10]["guarded"], by_line[10]["unguarded"], by_line[10]["codes"]) == (False, False, [])
    assert (by_line[15]["guarded"], by_line[15]["unguarded"], by_line[15]["codes"]) == (False, True, ["DDB204"])


def test_the_codes_on_calls_are_check_s_findings(ddblint_main):
    found = _json(ddblint_main, cwd=LONDON)
    on_calls = Counter((a["path"], a["line"], code) for t in found["tables"] for a in t["accesses"]
                       for code in a["codes"])
    run = ddblint_main("check", "--no-cache", "--output-format", "json", cwd=LONDON)
    reported = Counter((str(Path(f["filename"]).relative_to(LONDON)), f["location"]["row"], f["code"])
                       for f in json.loads(run.stdout))
    assert on_calls == reported


def test_quickstart_json_from_the_repository_root(ddblint_main):
    found = _json(ddblint_main, "examples/quickstart", cwd=ROOT)
    assert [(t["name"], t["project"]) for t in found["tables"]] == \
        [("subscribers", "examples/quickstart"), ("audit-log", "examples/quickstart")]
    subscribers = _table(found, "subscribers", "examples/quickstart")
    assert subscribers["write_regions"] == ["eu-west-1", "us-east-1"] and subscribers["multi_region_writes"]
    repository = "examples/quickstart/subscribers/repository.py"
    assert _calls(subscribers) == [
        ("examples/quickstart/jobs/retention.py", 13, "stamp_contacted", "UpdateItem", "write", "us-east-1", False,
         ["DDB101"]),
        (repository, 15, "SubscriberRepository.create", "PutItem", "write", "eu-west-1", True, []),
        (repository, 22, "SubscriberRepository.change_address", "UpdateItem", "write", "eu-west-1", False, ["DDB101"]),
        (repository, 30, "SubscriberRepository.change_email", "UpdateItem", "write", "eu-west-1", True, []),
        (repository, 40, "SubscriberRepository.replace", "PutItem", "write", "eu-west-1", False, ["DDB102"]),
        (repository, 44, "SubscriberRepository.mark_reviewed", "UpdateItem", "write", "eu-west-1", False,
         ["DDB104"]),
    ]
    assert [a["unguarded"] for a in subscribers["accesses"]] == [True, False, True, False, True, True]
    audit = _table(found, "audit-log", "examples/quickstart")
    assert _calls(audit) == [("examples/quickstart/jobs/retention.py", 21, "stamp_contacted", "PutItem", "write",
                              "us-east-1", False, [])]


def test_two_projects_keep_their_own_tables(ddblint_main):
    found = _json(ddblint_main, "examples", cwd=ROOT)
    assert [(t["name"], t["project"]) for t in found["tables"]] == [
        ("subscribers", "examples/london_incident"), ("billing-counters", "examples/london_incident"),
        ("audit-log", "examples/london_incident"), ("subscribers", "examples/quickstart"),
        ("audit-log", "examples/quickstart")]
    text = _map(ddblint_main, "examples", cwd=ROOT).stdout
    assert "subscribers  (global; home eu-west-1; replicas eu-west-1, us-east-1)  [examples/quickstart]" in text


LONDON_TEXT = """\
subscribers  (global; home eu-west-1; replicas eu-west-1, us-east-1)
  ! written from 2 regions: eu-west-1, us-east-1
  writes from eu-west-1 (home)
    portal/addresses.py:12      change_delivery_address  UpdateItem      unguarded  DDB101
    portal/addresses.py:21      change_email             UpdateItem      guarded
  writes from us-east-1 (not home)
    jobs/retention/stamp.py:16  stamp_contacted          BatchWriteItem  unguarded  DDB201 DDB202
    jobs/retention/stamp.py:21  stamp_one                UpdateItem      unguarded  DDB101
  reads from us-east-1 (not home)
    support/lookup.py:11        current_address          GetItem                    DDB302
    support/lookup.py:16        find_by_email            Query

billing-counters  (global; contested; home eu-west-1; replicas eu-west-1, us-east-1)
  ! written from 2 regions: eu-west-1, us-east-1
  ! contested, and written outside its home region eu-west-1
  writes from eu-west-1 (home)
    billing/eu/meter.py:10  record_usage  UpdateItem  guarded
  writes from us-east-1 (not home)
    billing/us/meter.py:11  record_usage  UpdateItem  guarded  DDB203

audit-log  (global; append-only; replicas eu-west-1, us-east-1)
  writes from eu-west-1
    audit/log.py:10  record  PutItem     no guard (append-only)
    audit/log.py:15  redact  UpdateItem  unguarded               DDB204
"""


def test_london_incident_text(ddblint_main):
    run = _map(ddblint_main, cwd=LONDON)
    assert run.stdout == LONDON_TEXT
    assert run.stderr == "Mapped 3 tables and 10 calls in 14 files.\n"
    assert LONDON_TEXT in (ROOT / "docs" / "map.md").read_text(encoding="utf-8"), "docs/map.md shows this output"
    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## The map", 1)[1]
    excerpt = re.search(r"```\n(.*?)\.\.\.\n```", readme, re.S).group(1)
    assert LONDON_TEXT.startswith(excerpt), "the README shows the beginning of this output"


def _documented_fields(page: str, heading: str) -> set:
    section = page.split(heading, 1)[1].split("\n\n", 2)[1]
    return {name for row in section.splitlines() for name in re.findall(r"`(\w+)`", row.split("|")[1])}


def test_docs_map_md_documents_every_json_field(ddblint_main):
    found = _json(ddblint_main, cwd=LONDON)
    page = (ROOT / "docs" / "map.md").read_text(encoding="utf-8")
    assert _documented_fields(page, "Top level:") == set(found)
    assert _documented_fields(page, "A table:") == set(found["tables"][0])
    assert _documented_fields(page, "A call (`accesses`):") == set(found["tables"][0]["accesses"][0])


def test_london_map_md_is_up_to_date(ddblint_main):
    expected = _map(ddblint_main, "-q", "--output-format", "mermaid", cwd=LONDON).stdout
    committed = (LONDON / "MAP.md").read_text(encoding="utf-8") if (LONDON / "MAP.md").exists() else ""
    assert committed == expected, f"examples/london_incident/MAP.md is stale; regenerate it: {REGENERATE_MAP_MD}"


def test_mermaid(ddblint_main):
    text = _map(ddblint_main, "--output-format", "mermaid", cwd=LONDON).stdout
    assert text.startswith("```mermaid\nflowchart LR\n")
    block = text.split("```")[1]
    assert 'subgraph r0["eu-west-1"]' in block and 'subgraph r1["us-east-1"]' in block
    modules = dict(re.findall(r'^    (m\d+)\["([^"]+)"\]$', block, re.M))
    tables = {m.group(2).split("<br/>")[0]: m.group(1)
              for m in re.finditer(r'^  (t\d+)\[\("([^"]+)"\)\]$', block, re.M)}
    assert set(tables) == {"subscribers", "billing-counters", "audit-log"}
    edges = re.findall(r"^  (m\d+) (-->|-\.->)\|\"([^\"]*)\"\| (t\d+)$", block, re.M)
    by_pair = {(modules[m], next(n for n, t in tables.items() if t == table)): (index, arrow, label)
               for index, (m, arrow, label, table) in enumerate(edges)}
    portal = by_pair[("portal/addresses.py", "subscribers")]
    lookup = by_pair[("support/lookup.py", "subscribers")]
    assert portal[1] == "-->" and portal[2] == "UpdateItem ×2<br/>DDB101"
    assert lookup[1] == "-.->"  # a read
    red = re.search(r"^  linkStyle ([\d,]+) stroke:#c62828", block, re.M).group(1).split(",")
    assert str(portal[0]) in red and str(lookup[0]) not in red
    orange = re.search(r"^  linkStyle ([\d,]+) stroke:#ef6c00", block, re.M).group(1).split(",")
    assert orange == [str(by_pair[("billing/us/meter.py", "billing-counters")][0])]
    assert re.search(r"^  class (t\d+,t\d+) hot$", block, re.M).group(1) == \
        f"{tables['subscribers']},{tables['billing-counters']}"


def test_mermaid_escapes_what_would_break_a_label():
    from ddblint.mapview import mermaid

    assert mermaid._text('a"b<c>#quot;|e`f&amp;\x1b') == \
        "a\u201db\u2039c\u203a#\u200bquot;\u2223e\u02cbf&\u200bamp;\ufffd"


def test_dot(ddblint_main):
    text = _map(ddblint_main, "--output-format", "dot", cwd=LONDON).stdout
    assert text.startswith("digraph ddblint_map {") and text.rstrip().endswith("}")
    assert 'subgraph cluster_0 {\n    label="eu-west-1";' in text
    assert re.search(r'm\d+ -> t\d+ \[label="UpdateItem ×2\\nDDB101", color="#c62828", penwidth=2\];', text)
    assert re.search(r'label="GetItem, Query\\nDDB302", color="#757575", style=dashed', text)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's `dot` is not installed")
def test_dot_is_valid_graphviz(ddblint_main, tmp_path):
    text = _map(ddblint_main, "--output-format", "dot", cwd=LONDON).stdout
    svg = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, check=True).stdout
    assert svg.lstrip().startswith("<?xml") and "subscribers" in svg and "portal/addresses.py" in svg


def test_html_is_one_self_contained_page(ddblint_main):
    page = _map(ddblint_main, "--output-format", "html", cwd=LONDON).stdout
    assert page.startswith("<!DOCTYPE html>") and len(page.encode("utf-8")) < 300_000
    # nothing to fetch: no src or href, no URL but the SVG namespace
    assert not re.search(r"\b(src|href)\s*=", page, re.I)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) == {"http://www.w3.org/2000/svg"}
    # the policy allows the page's own script and style only, by hash
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert csp.startswith("default-src 'none'; ")
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    for text, directive in ((script, "script-src"), (style, "style-src")):
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    data = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(data) == _json(ddblint_main, cwd=LONDON)


def test_html_data_cannot_end_its_script_element(ddblint_main, tmp_path):
    make_tree(tmp_path, {"</script><b>.py": ONE_READ})
    page = _map(ddblint_main, "--output-format", "html", cwd=tmp_path).stdout
    data = re.search(r'id="map-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data and json.loads(data)["tables"][0]["accesses"][0]["path"] == "</script><b>.py"


# -- what the map reads from the model ---------------------------------------------------------------

def test_write_helpers_are_mapped_at_their_callers(ddblint_main, tmp_path):
    make_tree(tmp_path, {"app/__init__.py": "", "app/repository.py": REPOSITORY, "app/service.py": SERVICE})
    found = _json(ddblint_main, cwd=tmp_path)
    calls = {(a["path"], a["line"]): a for a in _table(found, "subscribers")["accesses"]}
    change_email = calls[("app/service.py", 14)]
    assert (change_email["function"], change_email["operation"], change_email["guarded"], change_email["codes"]) == \
        ("change_email", "UpdateItem", False, ["DDB101"])
    assert change_email["through"] == {"helper": "Subscribers.change", "path": "app/repository.py", "line": 17}
    assert calls[("app/service.py", 10)]["guarded"] is True
    # the helper's own write: its callers decide its guard
    assert calls[("app/repository.py", 17)]["guarded"] is None and calls[("app/repository.py", 17)]["through"] is None
    # a flag that leaves out the write's own condition: a path of the write, reported there
    assert calls[("app/repository.py", 11)]["guarded"] is False and calls[("app/repository.py", 11)]["codes"] == ["DDB102"]


TRANSACTIONS = '''
    import boto3

    client = boto3.client("dynamodb", region_name="us-east-1")

    class Orders:
        def place(self, order_id, item):
            def put():
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "orders", "Item": item,
                             "ConditionExpression": "attribute_not_exists(order_id)"}},
                    {"Update": {"TableName": "stock", "Key": {"sku": {"S": "x"}}, "UpdateExpression": "ADD n :minus",
                                "ExpressionAttributeValues": {":minus": {"N": "-1"}}}},
                ])
            put()

    def unknown(table, key):
        table.update_item(Key=key, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})

    client.get_item(TableName="orders", Key={"order_id": {"S": "1"}})
'''


def test_transactions_nested_functions_and_unknown_tables(ddblint_main, tmp_path):
    make_tree(tmp_path, {"app.py": TRANSACTIONS})
    found = _json(ddblint_main, cwd=tmp_path)
    assert [t["name"] for t in found["tables"]] == ["orders", "stock", None]
    orders, stock, unknown = found["tables"]
    assert not orders["registered"] and orders["mode"] == "global" and orders["sources"] == []
    # a transaction's parts, each on its own line; a call at module level has no function
    assert _calls(orders) == [
        ("app.py", 9, "Orders.place.put", "PutItem", "transaction", "us-east-1", True, []),
        ("app.py", 19, None, "GetItem", "read", "us-east-1", None, []),
    ]
    assert _calls(stock) == [("app.py", 11, "Orders.place.put", "UpdateItem", "transaction", "us-east-1", False,
                              ["DDB101"])]
    assert _calls(unknown) == [("app.py", 17, "unknown", "UpdateItem", "write", None, False, ["DDB101"])]
    assert not unknown["multi_region_writes"] and unknown["warnings"] == []
    text = _map(ddblint_main, cwd=tmp_path).stdout
    assert "(table not known)\n  writes from an unknown region\n    app.py:17  unknown  UpdateItem" in text
    assert "app.py:11  Orders.place.put  UpdateItem (transaction)  unguarded  DDB101" in text
    assert "app.py:19  <module>          GetItem" in text


def test_select_narrows_the_codes_shown(ddblint_main):
    found = _json(ddblint_main, "--select", "DDB2", cwd=LONDON)
    codes = sorted({c for t in found["tables"] for a in t["accesses"] for c in a["codes"]})
    assert codes == ["DDB201", "DDB202", "DDB203", "DDB204"]
    # the calls are the same: the map does not depend on the rules selected
    assert sum(len(t["accesses"]) for t in found["tables"]) == 10


def test_a_large_input_through_the_worker_pool_gives_the_same_map(ddblint_main, tmp_path):
    files = {f"svc{i}/app.py": f'import boto3\nboto3.resource("dynamodb", region_name="eu-west-{i % 3}")'
             f'.Table("t{i % 4}").put_item(Item={{"k": {i}}})\n' for i in range(12)}
    make_tree(tmp_path, files)
    one = _json(ddblint_main, "-j", "1", cwd=tmp_path)
    two = _json(ddblint_main, "-j", "2", cwd=tmp_path)
    assert one == two and sum(len(t["accesses"]) for t in one["tables"]) == 12


# -- input it cannot map: a clear answer, never a traceback ------------------------------------------

def test_no_dynamodb_code(ddblint_main, tmp_path):
    make_tree(tmp_path, {"app.py": "print('hello')\n"})
    run = _map(ddblint_main, cwd=tmp_path)
    assert run.stdout == "No DynamoDB table or call found (1 file looked at).\n"
    assert _json(ddblint_main, cwd=tmp_path) == {"version": 1, "files": 1, "tables": [], "problems": []}
    assert "No DynamoDB table or call found" in _map(ddblint_main, "--output-format", "mermaid", cwd=tmp_path).stdout
    assert "No DynamoDB table or call found" in _map(ddblint_main, "--output-format", "dot", cwd=tmp_path).stdout
    assert "<svg" in _map(ddblint_main, "--output-format", "html", cwd=tmp_path).stdout


@pytest.mark.parametrize("fmt", ["text", "json", "mermaid", "dot", "html"])
def test_a_file_that_does_not_parse_is_named(ddblint_main, tmp_path, fmt):
    make_tree(tmp_path, {"broken.py": "def f(:\n    table.update_item(Key={})\n",
                         "good.py": ONE_READ})
    run = _map(ddblint_main, "--output-format", fmt, cwd=tmp_path)
    assert "ddblint: warning: broken.py: not mapped: syntax error" in run.stderr
    assert "broken.py" in run.stdout and "good.py" in run.stdout
    if fmt == "json":
        assert json.loads(run.stdout)["problems"] == [
            {"path": "broken.py", "line": 1, "column": 7, "message": "syntax error: invalid syntax"}]


def test_a_missing_path_and_standard_input(ddblint_main, tmp_path):
    run = _map(ddblint_main, "missing", cwd=tmp_path)
    assert "missing:1:1: No such file or directory" in run.stdout
    run = ddblint_main("map", "-", cwd=tmp_path)
    assert run.returncode == 2 and "reads files, not standard input" in run.stderr


def test_control_characters_in_names_do_not_reach_the_terminal(ddblint_main, tmp_path):
    make_tree(tmp_path, {"a\x1b[31m.py": ONE_READ})
    text = _map(ddblint_main, cwd=tmp_path).stdout
    assert "\x1b" not in text and "a\\x1b[31m.py:2" in text


def test_calls_whose_table_is_unknown_never_stand_out():
    from ddblint.topology import Access, Table, TableRef

    def access(ref, region):
        return Access(ref, "app.py", 1, 1, None, "PutItem", "write", region, False)

    unknown = TableRef(None, "/p", False, "global", "profile")
    named = TableRef("t", "/p", True, "global", "contested", "eu-west-1")
    assert not Table(unknown, ".", accesses=[access(unknown, "eu-west-1"), access(unknown, "us-east-1")]).stands_out
    assert Table(named, ".", accesses=[access(named, "eu-west-1"), access(named, "us-east-1")]).warnings() == [
        "written from 2 regions: eu-west-1, us-east-1", "contested, and written outside its home region eu-west-1"]


def test_nesting_the_analysis_cannot_follow_is_named_not_an_internal_error(ddblint_main, tmp_path):
    header = 'import boto3\ntable = boto3.resource("dynamodb").Table("t")\n'
    call = 'table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})'
    deep = call.replace('":a": 1', '":a": ' + "not " * 900 + "y")  # in the statement a finding points at
    make_tree(tmp_path, {"deep.py": header + "def f(k, y):\n    " + deep + "\n",
                         "good.py": header + "def f(k):\n    " + call + "\n"}, dedent=False)
    run = _map(ddblint_main, "--output-format", "json", cwd=tmp_path)
    found = json.loads(run.stdout)
    assert [p["path"] for p in found["problems"]] == ["deep.py"]
    assert "nested too deeply" in found["problems"][0]["message"]
    assert [a["path"] for a in found["tables"][0]["accesses"]] == ["good.py"]
    assert "internal error" not in run.stderr
