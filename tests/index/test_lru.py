"""The in-memory LRU map behind the query, answer and version caches."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from knowledge_service.index.cache import LruCache


def test_keeps_the_most_recently_used_entries() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)  # so "b" goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


def test_putting_an_existing_key_replaces_and_refreshes_it() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b")) == (10, None)


def test_concurrent_use_never_exceeds_the_bound() -> None:
    cache: LruCache[int, int] = LruCache(50)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: (cache.put(n, n), cache.get(n - 1)), range(2000)))
    assert len(cache) == 50
    assert cache.get(1999) == 1999
