"""`ddblint map --output-format html` in a real browser: Debian's Chromium driven by Playwright
(no browser download: .ci/run installs the `chromium` package, and the test launches it).

The page is opened from `file://` with every request other than the page itself intercepted:
it must draw the graph, filter it, list an edge's call sites when it is clicked, log no console
error, and ask for nothing. Skipped, with the reason, only where Chromium is not installed and
this is not CI (CI installs it: there, its absence is a failure).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LONDON = ROOT / "examples" / "london_incident"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Not marked slow: the whole module takes about 7 s (one browser start, shared by its tests).

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package for this test")
    pytest.skip(f"Debian's Chromium is not installed ({CHROMIUM}); `apt-get install chromium` to run the "
                f"browser test (.ci/run installs it in CI)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402 - after the skip: nothing to drive without a browser


@pytest.fixture(scope="module")
def page_url(tmp_path_factory) -> str:
    from ddblint import cli  # the map of the London example, as its README would make it

    out = tmp_path_factory.mktemp("map") / "london.html"
    cwd = os.getcwd()
    os.chdir(LONDON)
    try:
        assert cli.main(["map", "-q", "--output-format", "html", "-o", str(out)]) == 0
    finally:
        os.chdir(cwd)
    return out.as_uri()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, page_url):
    """The map's page, loaded, with its console errors and every request it made recorded."""
    requests, errors = [], []
    page = browser.new_page()

    def intercept(route):
        requests.append(route.request.url)
        if route.request.url == page_url:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", intercept)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_url)
    page.wait_for_selector("svg#map g.table")
    yield page
    page.close()
    assert [url for url in requests if url != page_url] == [], "the page made requests"
    assert requests == [page_url]
    assert errors == [], "console errors"


def test_the_graph_shows_the_tables_regions_and_modules(page):
    tables = page.locator("svg#map g.table")
    assert sorted(tables.evaluate_all("nodes => nodes.map(n => n.dataset.table)")) == \
        ["audit-log", "billing-counters", "subscribers"]
    regions = page.locator("svg#map g.region").evaluate_all("nodes => nodes.map(n => n.dataset.region)")
    assert regions == ["eu-west-1", "us-east-1"]
    assert page.locator('svg#map g.module[data-module="portal/addresses.py"]').count() == 1
    # the tables written from two regions stand out; the audit log does not
    hot = page.locator("svg#map g.table.hot").evaluate_all("nodes => nodes.map(n => n.dataset.table)")
    assert sorted(hot) == ["billing-counters", "subscribers"]
    # unguarded writes are red edges, the write outside the counters' home region orange
    unguarded = page.locator("svg#map g.edge.unguarded").evaluate_all("nodes => nodes.map(n => n.dataset.module)")
    assert sorted(unguarded) == ["audit/log.py", "jobs/retention/stamp.py", "portal/addresses.py"]
    assert page.locator("svg#map g.edge.off-home").evaluate_all("nodes => nodes.map(n => n.dataset.module)") == \
        ["billing/us/meter.py"]
    stroke = page.locator('svg#map g.edge[data-module="portal/addresses.py"] path.line').evaluate(
        "node => getComputedStyle(node).stroke")
    assert stroke == "rgb(198, 40, 40)"  # red, as the legend says


def test_a_table_filter_hides_the_other_tables(page):
    page.select_option("#filter-table", label="billing-counters")
    shown = page.locator("svg#map g.table").evaluate_all("nodes => nodes.map(n => n.dataset.table)")
    assert shown == ["billing-counters"]
    modules = page.locator("svg#map g.module").evaluate_all("nodes => nodes.map(n => n.dataset.module)")
    assert sorted(modules) == ["billing/eu/meter.py", "billing/us/meter.py"]
    page.select_option("#filter-table", value="")
    assert page.locator("svg#map g.table").count() == 3


def test_region_and_rule_filters(page):
    page.select_option("#filter-region", value="us-east-1")
    assert sorted(page.locator("svg#map g.module").evaluate_all("ns => ns.map(n => n.dataset.module)")) == \
        ["billing/us/meter.py", "jobs/retention/stamp.py", "support/lookup.py"]
    page.select_option("#filter-region", value="")
    page.select_option("#filter-rule", value="DDB302")
    assert page.locator("svg#map g.table").evaluate_all("ns => ns.map(n => n.dataset.table)") == ["subscribers"]
    assert page.locator("svg#map g.edge").evaluate_all("ns => ns.map(n => n.dataset.module)") == ["support/lookup.py"]


def test_clicking_an_edge_lists_its_call_sites(page):
    edge = page.locator('svg#map g.edge[data-module="jobs/retention/stamp.py"][data-table="subscribers"]')
    # a click on the line itself, a fifth of the way along it (the middle is where edges cross)
    point = edge.locator("path.line").evaluate(
        "path => { const p = path.getPointAtLength(path.getTotalLength() / 5);"
        " const m = path.getScreenCTM(); return [p.x * m.a + m.e, p.y * m.d + m.f]; }")
    page.mouse.click(*point)
    sites = page.locator("#details .call code.site").all_text_contents()
    assert sites == ["jobs/retention/stamp.py:16", "jobs/retention/stamp.py:21"]
    text = page.locator("#details").inner_text()
    assert "stamp_contacted" in text and "BatchWriteItem" in text and "DDB201" in text and "DDB202" in text
    assert "us-east-1" in text and "unguarded" in text
    assert "selected" in edge.get_attribute("class")
    # its badge is part of the edge too
    page.locator('svg#map g.edge[data-module="support/lookup.py"] circle').click()
    assert page.locator("#details .call code.site").all_text_contents() == \
        ["support/lookup.py:11", "support/lookup.py:16"]


def test_clicking_a_table_shows_its_facts_and_sources(page):
    page.locator('svg#map g.table[data-table="subscribers"]').click()
    text = page.locator("#details").inner_text()
    assert "home-region" in text and "pyproject.toml:13" in text and "template.yaml:28" in text
    assert "written from 2 regions: eu-west-1, us-east-1" in text
