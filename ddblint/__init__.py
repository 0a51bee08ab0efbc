"""ddblint: a static-analysis linter for Python code that uses Amazon DynamoDB Global Tables."""

__version__ = "0.1.0"

# The project's home: the one place its address is set. Every link ddblint prints (each rule's
# documentation `url`, SARIF's `informationUri` and `helpUri`) is derived from it, and
# tests/test_project_url.py checks that the documentation's snippets that show it (the
# pre-commit `repo:`, the GitHub Action's `uses:`) and pyproject.toml's [project.urls] agree.
PROJECT_URL = "https://github.com/ddblint/ddblint"

# LibCST is imported when a file needs it, not at start-up (ddblint/lazy.py)
from ddblint import lazy as _lazy  # noqa: E402 - after the names above, which lazy.py does not need

_lazy.defer("libcst")
