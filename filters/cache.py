"""A least-recently-used cache bounded in bytes as well as in entries, safe to share between threads.

The app keeps decoded images, filter results and drawn grids in such caches,
keyed by small recipes and full content digests (never by hashing a big array),
so a rerun that changes nothing recomputes nothing, and one visitor can never
be served another's picture: two entries share a key only when their inputs are
byte for byte the same. Cached values are returned as they are, not copied, so
they must be immutable (frozen dataclasses over read-only arrays).

``cachetools.LRUCache`` does the bookkeeping; this class adds the entry bound,
a lock, the rule that a value too big for the cache is computed but not kept, and owners:
given ``owner_of``, each entry may belong to an owner (an upload's digest), and
``release(owner)`` drops all of them at once, when no visitor holds that upload any more.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache

Value = TypeVar("Value")


def memory_size(value: object) -> int:
    """Bytes a cached value holds: its ``nbytes`` (arrays and our result types), or its length for bytes."""
    nbytes = getattr(value, "nbytes", None)
    if nbytes is not None:
        return int(nbytes)
    if isinstance(value, (bytes, bytearray, str)):
        return len(value)
    return sys.getsizeof(value)


class BoundedCache:
    """LRU cache holding at most ``max_entries`` values and ``max_bytes`` bytes in all.

    Parameters
    ----------
    max_bytes : int
        Sum of ``memory_size`` over the values kept; the least recently used go first.
    max_entries : int
        Number of values kept.
    owner_of : callable, optional
        ``owner_of(key)`` names the owner of an entry (or None); see ``release``.
    """

    def __init__(
        self,
        max_bytes: int,
        max_entries: int,
        owner_of: Callable[[Hashable], Hashable | None] = lambda key: None,
    ) -> None:
        if max_bytes < 1 or max_entries < 1:
            raise ValueError(f"bounds must be positive; got {max_bytes} bytes and {max_entries} entries.")
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=memory_size)
        self._owner_of = owner_of
        self._owned: dict[Hashable, set[Hashable]] = {}  # owner -> keys stored for it (some may be gone)
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        """The value cached under ``key``, or ``compute()`` (kept if it fits).

        The computation runs outside the lock, so sessions never wait on each
        other's work; two sessions asking for the same new key at once may both
        compute it, and the second result replaces the first.
        """
        with self._lock:
            try:
                return self._entries[key]
            except KeyError:
                pass
        value = compute()
        if memory_size(value) <= self.max_bytes:
            owner = self._owner_of(key)
            with self._lock:
                self._entries[key] = value
                while len(self._entries) > self.max_entries:
                    self._entries.popitem()
                if owner is not None:
                    self._owned.setdefault(owner, set()).add(key)
        return value

    def release(self, owner: Hashable) -> int:
        """Drop every entry of ``owner``; returns how many were still kept."""
        with self._lock:
            keys = self._owned.pop(owner, set())
            present = [key for key in keys if key in self._entries]
            for key in present:
                del self._entries[key]
        return len(present)

    @property
    def nbytes(self) -> int:
        """Bytes held now."""
        with self._lock:
            return int(self._entries.currsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._owned.clear()
