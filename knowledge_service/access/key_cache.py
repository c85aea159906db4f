"""A short-lived in-process cache of the credentials that authentication looks up.

Every request authenticates, and looking the key up is a round trip to the store (on
PostgreSQL, with the transaction around it and the connection check, several). The
credentials of a key found in the store are kept for :data:`KEY_CACHE_SECONDS`; the secret is
still compared against the stored hash on every request, and unknown prefixes are never kept
(a flood of made-up keys neither fills the cache nor hides a key created meanwhile).

The price is a bound on revocation: a key revoked by another process (the ``keys revoke``
command, or another replica) stops working here within :data:`KEY_CACHE_SECONDS`; a key
revoked through this process's engine stops at once (the entry is dropped on commit).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.engine import Engine

from knowledge_service.index.cache import LruCache

KEY_CACHE_SECONDS = 5.0
"""How long the credentials of a key are trusted without asking the store again: the longest a
revoked key keeps working on a process that did not revoke it."""
MAX_CACHED_KEYS = 10_000


class KeyCredentials(NamedTuple):
    name: str
    prefix: str
    key_hash: str
    role: str
    owner: str | None
    revoked: bool
    expires_at: datetime | None = None
    """When the key stops working (None: never)."""
    person: str | None = None
    """Who holds the key (None: the key's name)."""

    def has_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class KeyCache:
    """Credentials by key prefix, each trusted for ``ttl`` seconds (thread-safe).

    Built on :class:`~knowledge_service.index.cache.LruCache`: each entry keeps the time it was
    stored, and an entry older than ``ttl`` is dropped when it is next asked for.

    Args:
        ttl: Seconds an entry is used before the store is asked again.
        maxsize: Entries kept (the least recently used go first).
        clock: Monotonic seconds (tests pass their own).
    """

    def __init__(
        self,
        ttl: float = KEY_CACHE_SECONDS,
        maxsize: int = MAX_CACHED_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: LruCache[str, tuple[float, KeyCredentials]] = LruCache(maxsize)

    @property
    def maxsize(self) -> int:
        return self._entries.maxsize

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, prefix: str) -> KeyCredentials | None:
        """The credentials stored under ``prefix`` less than ``ttl`` seconds ago, or None."""
        entry = self._entries.get(prefix)
        if entry is None:
            return None
        if self.clock() - entry[0] >= self.ttl:
            self._entries.pop(prefix)
            return None
        return entry[1]

    def put(self, credentials: KeyCredentials) -> None:
        self._entries.put(credentials.prefix, (self.clock(), credentials))

    def forget(self, prefix: str) -> None:
        self._entries.pop(prefix)


_caches: weakref.WeakKeyDictionary[Engine, KeyCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def key_cache(engine: Engine) -> KeyCache:
    """The cache of keys read through ``engine`` (one per engine: one per store and process)."""
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = KeyCache()
        return cache
