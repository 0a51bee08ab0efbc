"""docs/rules.md is generated from the rules and must be current."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rules_page_is_current():
    spec = importlib.util.spec_from_file_location("generate_rules", ROOT / "docs" / "generate_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "rules.md").read_text() == module.render(), \
        "docs/rules.md is out of date: run `python docs/generate_rules.py`"
