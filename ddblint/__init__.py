"""ddblint: a static-analysis linter for Python code that uses Amazon DynamoDB Global Tables."""

__version__ = "0.1.0"
