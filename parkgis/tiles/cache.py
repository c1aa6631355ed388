"""An in-process cache of encoded tiles, exact by construction.

A tile is stored under its request key (collection, the caller's view: role shape, own
firms, filters, properties; tile settings), its z/x/y and the change stamp that the
building statement returned with the bytes. A lookup reads the collection's current stamp
first (one primary-key query), so a write anywhere in the collection makes every older
entry unreachable; they age out of the LRU. Bounded by bytes; thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

CacheKey = tuple[str, int, int, int, int]


class TileCache:
    """Least-recently-used tiles up to ``max_bytes`` (0 disables the cache)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[CacheKey, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: CacheKey) -> bytes | None:
        """The tile stored under ``key``, or None."""
        if self.max_bytes <= 0:
            return None
        with self._lock:
            data = self._items.get(key)
            if data is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return data

    def put(self, key: CacheKey, data: bytes) -> None:
        """Store a tile, evicting the least recently used ones beyond ``max_bytes``."""
        size = len(data) + 200
        if self.max_bytes <= 0 or size > self.max_bytes // 8:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old) + 200
            self._items[key] = data
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped) + 200

    def __len__(self) -> int:
        return len(self._items)
