"""The README's promises: its quick start matches CI, its rule table matches the registry."""
from __future__ import annotations

import re
from pathlib import Path

from ddblint import registry

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def quick_start_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_quick_start_is_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "ddblint check examples/" in commands[0]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert quick_start_commands()[1] in ci


def test_rule_table_lists_every_rule():
    rows = dict(re.findall(r"^\| (DDB\d{3}) \| ([a-z-]+) \|", README, re.M))
    assert rows == {code: rule.name for code, rule in registry.all_rules().items()}
