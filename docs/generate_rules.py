"""Write docs/rules.md from the rules themselves: `python docs/generate_rules.py`.

tests/test_docs.py fails when the file is out of date, so the page always says what the code does.
"""
from __future__ import annotations

from pathlib import Path

from ddblint import registry

PAGE = Path(__file__).with_name("rules.md")


def render() -> str:
    rules = registry.all_rules()
    parts = ["# ddblint rules", "",
             "Generated from the rule modules by `python docs/generate_rules.py`; "
             "`ddblint rule CODE` prints the same text.", "",
             "| Code | Name | Default | Summary |", "|---|---|---|---|"]
    parts += [f"| [{c}](#{c.lower()}) | {r.name} | {'on' if r.default else 'off'} | {r.summary} |"
              for c, r in rules.items()]
    for code, rule in rules.items():
        parts += ["", f'<a id="{code.lower()}"></a>', "", rule.documentation().rstrip().replace("\n# ", "\n## ")]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    PAGE.write_text(render())
