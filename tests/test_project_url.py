"""The project's address is one setting, `ddblint.PROJECT_URL`: what ddblint prints is derived
from it, and every copy the documentation has to show (the pre-commit `repo:`, the GitHub
Action's `uses: OWNER/NAME@REF`, pyproject.toml's [project.urls]) must agree with it.

Changing PROJECT_URL makes `test_documentation_agrees_with_the_setting` list each line to
change, as `file:line: expected ...`.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import List
from urllib.parse import urlsplit

import pytest
import yaml

import ddblint
from ddblint import registry, report
from ddblint.rule import DOCS_URL

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

# The files that may show the address: the pages, the manifests, and the code.
DOCUMENTS = ("README.md", "SECURITY.md", "docs/*.md", ".pre-commit-hooks.yaml", "action.yml", "pyproject.toml")
CODE = ("ddblint/**/*.py", "rules/*.py", "scripts/*")

YAML_BLOCK = re.compile(r"```ya?ml\n(.*?)\n```", re.S)
# Any GitHub address of a repository named ddblint, and any step that uses an action named so:
# whatever PROJECT_URL says, a copy of an old address is still caught.
ADDRESS = re.compile(r"https?://github\.com/[\w.-]+/ddblint(?:\.git)?\b[^\s\"'`)>]*")
USES = re.compile(r"\buses:\s*['\"]?([\w.-]+/ddblint)(?:/[\w./-]*)?@", re.I)
THIRD_PARTY_ACTIONS = ("actions/", "github/")


def slug(url: str) -> str:
    """`OWNER/NAME` of a GitHub repository URL: what `uses:` names the action by."""
    parts = urlsplit(url)
    assert parts.netloc == "github.com", f"PROJECT_URL is not a GitHub repository: {url}"
    owner, name = parts.path.strip("/").split("/")[:2]
    return f"{owner}/{name}"


def problems(name: str, text: str, url: str) -> List[str]:
    """Where `text` (the file `name`) shows the project's address other than as `url` says."""
    found = []

    def row(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    for m in ADDRESS.finditer(text):
        if m.group(0) != url and not m.group(0).startswith((url + "/", url + "#")):
            found.append(f"{name}:{row(m.start())}: {m.group(0)} -- expected {url}")
    for m in USES.finditer(text):
        if m.group(1) != slug(url):
            found.append(f"{name}:{row(m.start())}: uses {m.group(1)} -- expected uses: {slug(url)}@REF")
    # The pre-commit configurations the pages show: each `repo:` with ddblint's hooks.
    blocks = YAML_BLOCK.finditer(text) if name.endswith(".md") else ()
    for block in blocks:
        data = yaml.safe_load(block.group(1))
        for entry in (data or {}).get("repos", ()) if isinstance(data, dict) else ():
            hooks = {hook.get("id") for hook in entry.get("hooks", ())}
            if hooks & {"ddblint", "ddblint-fix"} and entry.get("repo") != url:
                found.append(f"{name}:{row(block.start())}: pre-commit repo {entry.get('repo')} -- expected {url}")
        for step in _steps(data):
            uses = str(step.get("uses", ""))
            if uses and not uses.startswith(THIRD_PARTY_ACTIONS) and not uses.startswith(slug(url) + "@"):
                found.append(f"{name}:{row(block.start())}: uses {uses} -- expected {slug(url)}@REF")
    return found


def _steps(data):
    if isinstance(data, dict):
        for job in (data.get("jobs") or {}).values():
            yield from (job or {}).get("steps") or ()


def files(patterns) -> List[Path]:
    return sorted({p for pattern in patterns for p in ROOT.glob(pattern) if p.is_file()})


def test_what_ddblint_prints_is_derived_from_the_setting(tmp_path, monkeypatch):
    url = ddblint.PROJECT_URL
    assert DOCS_URL.startswith(url + "/")
    rule = registry.all_rules()["DDB101"]
    assert rule.url() == DOCS_URL.format(code="ddb101") and rule.url().startswith(url + "/")
    assert rule.as_json()["url"] == rule.url()
    monkeypatch.chdir(tmp_path)
    log = json.loads(report.render("sarif", [], {}, rules=["DDB101"]))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == url
    assert driver["rules"][0]["helpUri"] == rule.url()


def test_the_setting_is_a_github_repository():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", ddblint.PROJECT_URL)
    assert slug(ddblint.PROJECT_URL).count("/") == 1


def test_the_address_is_set_in_one_place_in_the_code():
    """Only ddblint/__init__.py spells the address out; every other module derives it."""
    spelled = [str(p.relative_to(ROOT)) for p in files(CODE) if ADDRESS.search(p.read_text(errors="replace"))]
    assert spelled == ["ddblint/__init__.py"]


def test_pyproject_urls_start_with_the_setting():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Homepage"] == ddblint.PROJECT_URL
    for name, value in urls.items():
        assert value == ddblint.PROJECT_URL or value.startswith((ddblint.PROJECT_URL + "/", ddblint.PROJECT_URL + "#")), name


def test_documentation_agrees_with_the_setting():
    found = []
    for path in files(DOCUMENTS):
        found += problems(str(path.relative_to(ROOT)), path.read_text(), ddblint.PROJECT_URL)
    assert not found, "the address changed (ddblint.PROJECT_URL); update:\n" + "\n".join(sorted(set(found)))


def test_the_pages_do_show_the_address():
    """The check above is not vacuous: the pages carry the snippets it reads."""
    url = ddblint.PROJECT_URL
    ci = (ROOT / "docs" / "ci.md").read_text()
    readme = (ROOT / "README.md").read_text()
    assert f"repo: {url}\n" in ci and f"repo: {url}\n" in readme
    assert f"uses: {slug(url)}@" in ci and f"uses: {slug(url)}@" in readme
    assert "PROJECT_URL" in readme and "ddblint/__init__.py" in readme, "the README says where the setting is"


@pytest.mark.parametrize("stale", [
    "  - repo: https://github.com/someone/ddblint\n",
    "see https://github.com/ddblint-old/ddblint/blob/main/docs/rules.md#ddb101\n",
    "      - uses: someone/ddblint@v1\n",
])
def test_a_stale_copy_is_caught(stale):
    url = "https://github.com/acme/ddblint"
    page = f"```yaml\nrepos:\n{stale}    rev: v1\n    hooks:\n      - id: ddblint\n```\n" if "repo:" in stale else stale
    assert problems("page.md", page, url)
    fresh = page.replace("someone/ddblint", "acme/ddblint").replace("ddblint-old/ddblint", "acme/ddblint")
    assert not problems("page.md", fresh, url)


def test_a_workflow_step_naming_another_copy_of_the_action_is_caught():
    url = "https://github.com/acme/ddblint"
    workflow = ("```yaml\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: actions/checkout@v5\n      - uses: acme/linter@v1\n```\n")
    assert problems("ci.md", workflow, url) == ["ci.md:1: uses acme/linter@v1 -- expected acme/ddblint@REF"]
    assert not problems("ci.md", workflow.replace("acme/linter@v1", "acme/ddblint@v1"), url)
