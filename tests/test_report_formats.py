"""The CI output formats (issue 7, item 1): sarif, github, junit, gitlab, pylint.

Diagnostics come from linting real files through `engine.check_source` (or the CLI); a fix is
built by hand while no rule has one. SARIF is validated against the OASIS SARIF 2.1.0 schema
kept in tests/data/ (the `validator` fixture of conftest.py).
"""
from __future__ import annotations

import json
import os
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import ddblint
from ddblint import cli, config, engine, registry, report
from ddblint.diagnostics import Diagnostic, Edit, Fix, Location
from ddblint.report import _common, github, gitlab, junit, pylint

REPO = Path(__file__).resolve().parents[1]

HEADER = 'import boto3\ntable = boto3.resource("dynamodb").Table("t")\n'
CALL = 'table.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})'
# DDB101 on row 4, on the call, on one line
BLIND = HEADER + f"def f(k):\n    {CALL}\n"
# DDB101 twice on identical lines (the occurrence index tells them apart)
TWICE = HEADER + f"def f(k):\n    {CALL}\ndef g(k):\n    {CALL}\n"
# a multi-line call: DDB101 spans rows 4-8
MULTILINE = HEADER + textwrap.dedent('''\
    def f(k):
        table.update_item(
            Key={"pk": k},
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": 1},
        )
''')
# a syntax error in a file the prefilter lets through: DDB000 on row 3
BROKEN = HEADER + "def f(:\n    table.update_item()\n"
UNRELATED = '"""A docstring."""\n# a comment\n\nimport os\n\n\ndef unrelated():\n    return os.sep\n'


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    config.clear_cache()
    for name in ("DDBLINT_OUTPUT_FORMAT", "DDBLINT_OUTPUT_FILE", "CI_PROJECT_DIR"):
        monkeypatch.delenv(name, raising=False)
    yield
    config.clear_cache()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A repository (it has `.git`) in tmp_path, and the current directory."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


# RFC 3986: what a URI reference may contain once percent-encoded (the schema's `format:
# uri-reference` is not checked by jsonschema without extra packages)
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-F]{2})+")


def assert_valid(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    for run in log["runs"]:
        uris = [base["uri"] for base in run.get("originalUriBaseIds", {}).values()]
        for result in run["results"]:
            uris += [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result["locations"]]
            uris += [change["artifactLocation"]["uri"] for fix in result.get("fixes", ())
                     for change in fix["artifactChanges"]]
        for uri in uris:
            assert URI_REFERENCE.fullmatch(uri), uri


def lint(root: Path, relative: str, text: str):
    """Lint `root/relative` with every default rule; display name as the CLI gives it (relative
    to the current directory). Returns (diagnostics, sources)."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    display = os.path.relpath(target)
    settings = config.settings_for(target, registry.defaults())
    result = engine.check_source(target.read_bytes(), target, display, settings,
                                 engine.rules_for(target, settings, registry.all_rules()))
    assert not result.errors, result.errors
    return sorted(result.diagnostics, key=Diagnostic.sort_key), {display: text}


def sarif_log(diagnostics, sources, **options) -> dict:
    return json.loads(report.render("sarif", diagnostics, sources, **options))


def with_fix(d: Diagnostic) -> Diagnostic:
    """`d` with a two-edit fix: insert a condition before the call's closing parenthesis and
    rename `a` (a fix no rule offers yet, built by hand)."""
    end = d.end_location
    edits = (Edit(', ConditionExpression="#v = :e"', Location(end.row, end.column - 1), Location(end.row, end.column - 1)),
             Edit("b", Location(d.location.row, d.location.column), Location(d.location.row, d.location.column + 5)))
    return Diagnostic(d.code, d.message, d.filename, d.location, d.end_location,
                      Fix("Add a version condition", "unsafe", edits), name=d.name, url=d.url, noqa_row=d.noqa_row)


# --- registration ---------------------------------------------------------------------------


def test_formats_are_discovered_with_what_they_declare():
    # the modules of ddblint.report are the formats; each says what it needs, no list elsewhere
    assert report.formats() == ("full", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit",
                                "pylint")
    assert {f for f in report.formats() if report.needs(f, "sources")} == {"full", "sarif", "gitlab"}
    assert {f for f in report.formats() if report.needs(f, "edits")} == {"json", "json-lines", "sarif"}
    assert {f for f in report.formats() if report.plain_text(f)} == {"full", "concise", "pylint"}
    with pytest.raises(ValueError):
        report.needs("full", "colours")


def test_new_formats_are_registered_and_reach_the_cli(project, capsys):
    assert {"sarif", "github", "gitlab", "junit", "pylint"} <= set(report.formats())
    (project / "app.py").write_text(BLIND)
    for fmt in ("sarif", "github", "gitlab", "junit", "pylint"):
        capsys.readouterr()
        assert cli.main(["check", "--output-format", fmt, "app.py"]) == 1
        out = capsys.readouterr().out
        assert "app.py" in out and "DDB101" in out, fmt


def test_render_passes_options_only_to_formats_that_take_them(project):
    diagnostics, sources = lint(project, "app.py", BLIND)
    assert report.render("concise", diagnostics, sources, rules=["DDB102"]) == \
        report.render("concise", diagnostics, sources)
    ids = [r["id"] for r in sarif_log(diagnostics, sources, rules=["DDB102"])["runs"][0]["tool"]["driver"]["rules"]]
    assert ids == ["DDB101", "DDB102"]


# --- SARIF ----------------------------------------------------------------------------------


def test_sarif_with_findings_validates_and_has_what_github_needs(project, validator):
    diagnostics, sources = lint(project, "pkg/app.py", BLIND)
    assert [d.code for d in diagnostics] == ["DDB101"]
    log = sarif_log(diagnostics, sources)
    assert_valid(validator, log)

    assert log["version"] == "2.1.0" and "sarif" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ddblint"
    assert driver["semanticVersion"] == driver["version"] == ddblint.__version__
    assert driver["informationUri"].startswith("https://")
    (rule,) = driver["rules"]
    ddb101 = registry.all_rules()["DDB101"]
    assert rule["id"] == "DDB101" and rule["name"] == ddb101.name
    assert rule["shortDescription"]["text"] == ddb101.summary
    assert rule["fullDescription"]["text"].startswith("Checks UpdateItem")
    assert rule["help"]["markdown"] == rule["help"]["text"] == ddb101.documentation()
    assert rule["helpUri"] == ddb101.url()
    assert rule["defaultConfiguration"]["level"] == "warning"
    assert "dynamodb" in rule["properties"]["tags"]
    assert len(rule["shortDescription"]["text"]) <= 1024 and len(rule["name"]) <= 255

    (result,) = run["results"]
    assert result["ruleId"] == "DDB101" and driver["rules"][result["ruleIndex"]]["id"] == "DDB101"
    assert result["level"] == "warning"
    assert result["message"]["text"] == diagnostics[0].message
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pkg/app.py", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    region = location["region"]
    row = BLIND.splitlines()[region["startLine"] - 1]
    assert (region["startLine"], region["endLine"]) == (4, 4)
    # 1-based, endColumn one past the last character: the region is exactly the call
    assert row[region["startColumn"] - 1:region["endColumn"] - 1] == CALL
    assert re.fullmatch(r"[0-9a-f]{16}:1", result["partialFingerprints"]["primaryLocationLineHash"])
    assert "fixes" not in result


def test_sarif_with_a_fix_validates(project, validator):
    diagnostics, sources = lint(project, "app.py", BLIND)
    fixed = [with_fix(d) for d in diagnostics]
    log = sarif_log(fixed, sources)
    assert_valid(validator, log)
    (result,) = log["runs"][0]["results"]
    (fix,) = result["fixes"]
    assert fix["description"]["text"] == "Add a version condition"
    assert fix["properties"]["applicability"] == "unsafe"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    insert, rename = change["replacements"]
    end = diagnostics[0].end_location
    assert insert == {"deletedRegion": {"startLine": end.row, "startColumn": end.column - 1,
                                        "endLine": end.row, "endColumn": end.column - 1},
                      "insertedContent": {"text": ', ConditionExpression="#v = :e"'}}
    assert rename["deletedRegion"]["endColumn"] - rename["deletedRegion"]["startColumn"] == 5
    assert rename["insertedContent"]["text"] == "b"


def test_sarif_with_zero_findings_validates(project, validator):
    diagnostics, sources = lint(project, "app.py", "x = 1\n")
    assert diagnostics == []
    log = sarif_log(diagnostics, sources)
    assert_valid(validator, log)
    run = log["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    # the rules that ran can be listed even when none fired
    everything = sarif_log([], {}, rules=list(registry.all_rules()))
    assert_valid(validator, everything)
    assert [r["id"] for r in everything["runs"][0]["tool"]["driver"]["rules"]] == list(registry.all_rules())


def test_sarif_zero_findings_through_the_cli(project, capsys, validator):
    (project / "app.py").write_text("x = 1\n")
    assert cli.main(["check", "--output-format", "sarif", "app.py"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert_valid(validator, log)
    assert log["runs"][0]["results"] == []


def test_sarif_parse_error_is_an_error_with_its_own_rule(project, validator):
    diagnostics, sources = lint(project, "broken.py", BROKEN)
    assert [d.code for d in diagnostics] == ["DDB000"]
    log = sarif_log(diagnostics, sources)
    assert_valid(validator, log)
    (result,) = log["runs"][0]["results"]
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert result["level"] == "error" and rule["id"] == "DDB000"
    assert rule["defaultConfiguration"]["level"] == "error" and rule["name"] == "syntax-error"


def test_sarif_uris_are_relative_to_the_repository_root_with_forward_slashes(project, monkeypatch, validator):
    sub = project / "services" / "api"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)  # run from a subdirectory: URIs stay relative to the repository root
    diagnostics, sources = lint(sub, "handlers/app.py", BLIND)
    assert diagnostics[0].filename.replace("\\", "/") == "handlers/app.py"
    log = sarif_log(diagnostics, sources)
    assert_valid(validator, log)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "services/api/handlers/app.py", "uriBaseId": "%SRCROOT%"}
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"


def test_sarif_uri_percent_encodes_special_characters(project, validator):
    diagnostics, sources = lint(project, "my dir/é #1%.py", BLIND)
    log = sarif_log(diagnostics, sources)
    assert_valid(validator, log)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == "my%20dir/%C3%A9%20%231%25.py"


def test_sarif_file_outside_the_repository_gets_an_absolute_uri(tmp_path, monkeypatch, validator):
    repo, outside = tmp_path / "repo", tmp_path / "elsewhere"
    (repo / ".git").mkdir(parents=True)
    monkeypatch.chdir(repo)
    diagnostics, sources = lint(outside, "app.py", BLIND)
    log = sarif_log(diagnostics, sources)
    assert_valid(validator, log)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (outside / "app.py").as_uri()}


def test_repository_root_is_the_nearest_git_else_the_start(tmp_path):
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (tmp_path / "a" / ".git").write_text("gitdir: /somewhere/else\n")  # a worktree's .git is a file
    assert _common.repository_root(deep) == tmp_path / "a"
    if any((p / ".git").exists() for p in tmp_path.parents):
        pytest.skip("the temporary directory lies inside a git repository")
    assert _common.repository_root(tmp_path / "x") == tmp_path / "x"


def _fingerprints(log: dict):
    return [r["partialFingerprints"]["primaryLocationLineHash"] for r in log["runs"][0]["results"]]


def test_sarif_fingerprint_survives_unrelated_lines_inserted_above(project):
    before = sarif_log(*lint(project, "app.py", TWICE))
    after = sarif_log(*lint(project, "app.py", UNRELATED + TWICE))
    rows = lambda log: [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in log["runs"][0]["results"]]
    assert rows(before) == [4, 6] and rows(after) == [4 + UNRELATED.count("\n"), 6 + UNRELATED.count("\n")]
    assert _fingerprints(before) == _fingerprints(after)
    # identical findings on identical lines still differ (by their occurrence index)
    first, second = _fingerprints(before)
    assert first != second and first.split(":")[0] == second.split(":")[0]
    # and a changed line is a different finding
    changed = sarif_log(*lint(project, "app.py", TWICE.replace('"SET a = :a"', '"SET b = :a"', 1)))
    assert _fingerprints(changed)[0] != first


def test_sarif_fingerprint_is_the_same_when_the_source_is_read_from_disk(project):
    diagnostics, sources = lint(project, "app.py", BLIND)
    assert _fingerprints(sarif_log(diagnostics, sources)) == _fingerprints(sarif_log(diagnostics, {}))


def test_sarif_of_the_examples_validates_with_relative_paths(monkeypatch, capsys, validator):
    monkeypatch.chdir(REPO)
    code = cli.main(["check", "examples/", "--output-format", "sarif"])
    out = capsys.readouterr().out
    assert code == 1
    log = json.loads(out)
    assert_valid(validator, log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == REPO.as_uri() + "/"
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert uris and all(u["uriBaseId"] == "%SRCROOT%" for u in uris)
    assert all(u["uri"].startswith("examples/") and "\\" not in u["uri"] and not u["uri"].startswith("file:")
               for u in uris)
    assert "examples/quickstart/subscribers/repository.py" in {u["uri"] for u in uris}
    for u in uris:  # the URIs open: they name files of the checkout
        assert (REPO / u["uri"]).is_file(), u
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    # every rule that ran is listed (GitHub closes alerts of rules that ran and found nothing)
    assert ids == sorted(set(ids)) and {r["ruleId"] for r in run["results"]} <= set(ids)
    assert "DDB101" in ids and "DDB403" in ids
    fingerprints = _fingerprints(log)
    assert len(set(zip((u["uri"] for u in uris), fingerprints))) == len(fingerprints)


# --- github ---------------------------------------------------------------------------------


def test_github_annotation_shape(project):
    diagnostics, sources = lint(project, "pkg/app.py", BLIND)
    d = diagnostics[0]
    line = report.render("github", diagnostics, sources)
    assert line == (f"::warning title=ddblint (DDB101),file=pkg/app.py,line=4,col=5,endLine=4,"
                    f"endColumn={5 + len(CALL)}::pkg/app.py:4:5: DDB101 {github.escape_data(d.message)}\n")


def test_github_multiline_finding_has_no_columns_and_parse_error_is_an_error(project):
    multi, _ = lint(project, "multi.py", MULTILINE)
    broken, _ = lint(project, "broken.py", BROKEN)
    out = report.render("github", sorted(multi + broken, key=Diagnostic.sort_key), {}).splitlines()
    assert out[0].startswith("::error title=ddblint (DDB000),file=broken.py,line=3,col=")
    assert out[1].startswith("::warning title=ddblint (DDB101),file=multi.py,line=4,endLine=8::multi.py:4:5: DDB101 ")


def test_github_escaping(project):
    d = Diagnostic("DDB101", "100% lost, a: b\r\nnext line\nthird", "odd,dir/a:b%.py",
                   Location(2, 3), Location(2, 9), name="update-without-version-guard")
    (project / "odd,dir").mkdir()
    line = github.render([d], {})
    assert line.count("\n") == 1 and "\r" not in line
    assert line == ("::warning title=ddblint (DDB101),file=odd%2Cdir/a%3Ab%25.py,line=2,col=3,endLine=2,endColumn=9"
                    "::odd,dir/a:b%25.py:2:3: DDB101 100%25 lost, a: b%0D%0Anext line%0Athird\n")
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


# --- junit ----------------------------------------------------------------------------------


def test_junit_parses_and_has_one_case_per_finding(project):
    one, s1 = lint(project, "a.py", BLIND)
    two, s2 = lint(project, "b.py", TWICE)
    root = ET.fromstring(report.render("junit", one + two, {**s1, **s2}))
    assert root.tag == "testsuites" and root.get("name") == "ddblint"
    assert (root.get("tests"), root.get("failures")) == ("3", "3")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["a.py", "b.py"]
    assert [s.get("tests") for s in suites] == ["1", "2"]
    cases = root.findall("testsuite/testcase")
    assert [(c.get("name"), c.get("classname"), c.get("line")) for c in cases] == [
        ("org.ddblint.DDB101", "a.py", "4"), ("org.ddblint.DDB101", "b.py", "4"), ("org.ddblint.DDB101", "b.py", "6")]
    assert cases[0].get("column") == "5"
    assert cases[0].find("failure").get("message") == one[0].message


def test_junit_escapes_markup_and_control_characters(project):
    message = 'a <tag> & "quotes" \'single\' ]]> \x00\x1b end'
    d = Diagnostic("DDB101", message, "a&b<c>.py", Location(1, 1), Location(1, 2))
    text = junit.render([d], {})
    root = ET.fromstring(text)  # well-formed
    case = root.find("testsuite/testcase")
    assert case.get("classname") == "a&b<c>.py"
    assert case.find("failure").get("message") == message.replace("\x00", "\ufffd").replace("\x1b", "\ufffd")
    assert "<tag>" not in text


def test_junit_without_findings_has_one_passing_case():
    root = ET.fromstring(junit.render([], {}))
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    (case,) = root.findall("testsuite/testcase")
    assert case.find("failure") is None


# --- gitlab ---------------------------------------------------------------------------------


def test_gitlab_fields(project):
    diagnostics, sources = lint(project, "pkg/app.py", BLIND)
    (issue,) = json.loads(report.render("gitlab", diagnostics, sources))
    assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert issue["check_name"] == "DDB101" and issue["severity"] == "major"
    assert issue["description"] == f"DDB101 {diagnostics[0].message}"
    assert issue["location"] == {"path": "pkg/app.py", "positions": {
        "begin": {"line": 4, "column": 5}, "end": {"line": 4, "column": 5 + len(CALL)}}}
    assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
    broken, _ = lint(project, "broken.py", BROKEN)
    assert json.loads(gitlab.render(broken, {}))[0]["severity"] == "critical"
    assert gitlab.render([], {}) == "[]\n"


def test_gitlab_path_is_relative_to_ci_project_dir(project, monkeypatch):
    diagnostics, sources = lint(project, "services/api/app.py", BLIND)
    monkeypatch.setenv("CI_PROJECT_DIR", str(project / "services"))
    (issue,) = json.loads(gitlab.render(diagnostics, sources))
    assert issue["location"]["path"] == "api/app.py"


def test_gitlab_fingerprint_is_stable_and_unique(project):
    before = json.loads(report.render("gitlab", *lint(project, "app.py", TWICE)))
    after = json.loads(report.render("gitlab", *lint(project, "app.py", UNRELATED + TWICE)))
    assert [i["location"]["positions"]["begin"]["line"] for i in before] != \
        [i["location"]["positions"]["begin"]["line"] for i in after]
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert len({i["fingerprint"] for i in before}) == 2
    # the same finding in another file is another issue
    other = json.loads(report.render("gitlab", *lint(project, "other.py", TWICE)))
    assert not {i["fingerprint"] for i in other} & {i["fingerprint"] for i in before}


# --- pylint ---------------------------------------------------------------------------------


def test_pylint_line_shape(project):
    one, s1 = lint(project, "pkg/a.py", BLIND)
    two, s2 = lint(project, "b.py", TWICE)
    out = pylint.render(two + one, {**s1, **s2})
    display = one[0].filename
    assert out.splitlines() == [f"b.py:4: [DDB101] {two[0].message}", f"b.py:6: [DDB101] {two[1].message}",
                                f"{display}:4: [DDB101] {one[0].message}"]
    assert pylint.render([], {}) == ""


# --- full (a fix made along the way) --------------------------------------------------------


def test_full_snippet_counts_only_pythons_line_breaks(project):
    # a form feed is whitespace to Python but a line break to str.splitlines
    text = HEADER.replace("\n", "\n\x0c\n", 1) + f"def f(k):\n    {CALL}\n"
    diagnostics, sources = lint(project, "app.py", text)
    assert diagnostics[0].location.row == 5
    assert f"5 |     {CALL}" in report.render("full", diagnostics, sources)
    # and the CI formats read the same line for their fingerprints
    assert _common.Sources(sources).line("app.py", 5).strip() == CALL
