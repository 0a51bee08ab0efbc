"""A tiny read-through cache in front of a Repository.

Lambda containers are reused between invocations, so caching hot items for a
few seconds saves a lot of read capacity.
"""
import threading
import time
from collections import Counter, OrderedDict
from typing import Any, Callable, Dict, Hashable, Optional, Tuple


class Cache:
    """LRU with per-entry TTL. Not a DynamoDB table, despite the method names."""

    def __init__(self, maxsize: int = 1024, ttl: float = 5.0) -> None:
        self._data: "OrderedDict[Hashable, Tuple[float, Any]]" = OrderedDict()
        self._lock = threading.Lock()
        self.maxsize = maxsize
        self.ttl = ttl
        self.stats: Counter = Counter()

    def get_item(self, key: Hashable) -> Optional[Any]:
        with self._lock:
            entry = self._data.get(key)
            if entry is None or entry[0] < time.monotonic():
                self.stats.update(["miss"])  # label: ok
                return None
            self._data.move_to_end(key)
            self.stats.update(hit=1)  # label: ok
            return entry[1]

    def update_item(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def delete_item(self, key: Hashable) -> None:
        with self._lock:
            self._data.pop(key, None)


def _freeze(key: Dict[str, str]) -> Tuple[Tuple[str, str], ...]:
    return tuple(sorted(key.items()))


class CachedReader:
    def __init__(self, repository, cache: Optional[Cache] = None) -> None:
        self._repository = repository
        self._cache = cache or Cache()

    def get(self, key: Dict[str, str], loader: Optional[Callable[[], Any]] = None) -> Optional[dict]:
        frozen = _freeze(key)
        cached = self._cache.get_item(frozen)
        if cached is not None:
            return cached
        item = loader() if loader else self._repository.get(key)
        if item is not None:
            self._cache.update_item(frozen, item)  # label: ok
        return item

    def invalidate(self, key: Dict[str, str]) -> None:
        self._cache.delete_item(_freeze(key))  # label: ok


def merged_settings(defaults: Dict[str, Any], overrides: Dict[str, Any]) -> Dict[str, Any]:
    settings = dict(defaults)
    settings.update(overrides)  # label: ok
    return settings
