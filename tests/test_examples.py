"""The example projects give exactly their expected findings."""
from __future__ import annotations

from pathlib import Path

from conftest import REPO as ROOT, json_findings

QUICKSTART = {
    ("examples/quickstart/jobs/retention.py", 13, "DDB101"),
    ("examples/quickstart/subscribers/repository.py", 22, "DDB101"),
    ("examples/quickstart/subscribers/repository.py", 40, "DDB102"),
    ("examples/quickstart/subscribers/repository.py", 44, "DDB104"),
}


def check(ddblint_main, path: str):
    run = ddblint_main("check", path, "--output-format", "json", cwd=ROOT)
    found = json_findings(run)
    return run.returncode, {(str(Path(d["filename"]).relative_to(ROOT)), d["location"]["row"], d["code"])
                            for d in found}


def test_quickstart_findings(ddblint_main):
    code, found = check(ddblint_main, "examples/quickstart")
    assert found == QUICKSTART
    assert code == 1


LONDON = {
    ("examples/london_incident/portal/addresses.py", 12, "DDB101"),  # the blind address update
    ("examples/london_incident/jobs/retention/stamp.py", 16, "DDB201"),  # batch job outside the home region
    ("examples/london_incident/jobs/retention/stamp.py", 16, "DDB202"),  # ... bypassing the version
    ("examples/london_incident/jobs/retention/stamp.py", 21, "DDB101"),  # blind stamp from us-east-1
    ("examples/london_incident/support/lookup.py", 11, "DDB302"),  # ConsistentRead trusted across regions
    ("examples/london_incident/billing/us/meter.py", 11, "DDB203"),  # contested counter from us-east-1
    ("examples/london_incident/audit/log.py", 15, "DDB204"),  # append-only log updated
}


def test_london_incident_findings(ddblint_main):
    code, found = check(ddblint_main, "examples/london_incident")
    assert found == LONDON
    assert code == 1
