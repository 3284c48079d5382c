"""The byte-bounded cache every session shares."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from filters.cache import BoundedCache, memory_size


def test_values_are_computed_once_and_returned_as_they_are():
    cache, calls = BoundedCache(max_bytes=1000, max_entries=10), []
    value = np.zeros(10)
    first = cache.get_or_compute("key", lambda: calls.append(1) or value)
    second = cache.get_or_compute("key", lambda: calls.append(1) or value)
    assert first is second is value and calls == [1]


def test_bounded_in_bytes_least_recently_used_first():
    cache = BoundedCache(max_bytes=300, max_entries=10)
    for key in "abc":
        cache.get_or_compute(key, lambda: bytes(100))
    cache.get_or_compute("a", lambda: pytest.fail("a is cached"))  # a is now the most recent
    cache.get_or_compute("d", lambda: bytes(100))
    assert "b" not in cache and {"a", "c", "d"} <= {k for k in "abcd" if k in cache}
    assert cache.nbytes == 300


def test_bounded_in_entries():
    cache = BoundedCache(max_bytes=10**6, max_entries=2)
    for key in range(5):
        cache.get_or_compute(key, lambda: b"x")
    assert len(cache) == 2 and 4 in cache and 3 in cache


def test_a_value_too_big_is_used_but_not_kept():
    cache = BoundedCache(max_bytes=100, max_entries=10)
    cache.get_or_compute("small", lambda: bytes(60))
    assert len(cache.get_or_compute("big", lambda: bytes(101))) == 101
    assert "big" not in cache and "small" in cache


def test_memory_size_of_arrays_results_and_bytes():
    assert memory_size(np.zeros((10, 10), dtype=np.float32)) == 400
    assert memory_size(b"12345") == 5
    assert memory_size("message") == 7


def test_threads_share_one_cache_safely():
    cache = BoundedCache(max_bytes=10_000, max_entries=50)

    def work(offset: int) -> None:
        for key in range(200):
            assert cache.get_or_compute((key + offset) % 80, lambda key=key: bytes(key % 100 + 1))

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) <= 50 and cache.nbytes <= 10_000


def test_bounds_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        BoundedCache(max_bytes=0, max_entries=1)
