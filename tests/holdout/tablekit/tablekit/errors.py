class TablekitError(Exception):
    """Base class for every error raised by tablekit."""


class ItemAlreadyExists(TablekitError):
    def __init__(self, pk: str, sk: str) -> None:
        super().__init__(f"item {pk}/{sk} already exists")
        self.pk = pk
        self.sk = sk


class ItemNotFound(TablekitError):
    pass


class ConcurrentModification(TablekitError):
    """The item changed between our read and our write (version mismatch)."""

    def __init__(self, key, expected_version=None):
        super().__init__(f"{key} was modified concurrently (expected version {expected_version})")
        self.key = key
        self.expected_version = expected_version


def is_conditional_failure(exc) -> bool:
    error = getattr(exc, "response", {}).get("Error", {})
    return error.get("Code") == "ConditionalCheckFailedException"
