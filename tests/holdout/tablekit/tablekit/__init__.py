"""tablekit: a small single-table-design toolkit on top of boto3."""
from .errors import ConcurrentModification, ItemAlreadyExists, ItemNotFound
from .repository import Repository

__all__ = ["ConcurrentModification", "ItemAlreadyExists", "ItemNotFound", "Repository"]
__version__ = "0.7.2"
