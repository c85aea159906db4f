"""A persistent embedding cache keyed by model name and text hash.

An unchanged unit (same model, same text) is never embedded twice: not on a re-import, not on a
rebuild, not across restarts. Stored in a small SQLite file next to the index bundle; with a
PostgreSQL store, in the store itself (:class:`StoreEmbeddingCache`), so that a replica starting
on a new machine encodes nothing another replica has embedded already.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from knowledge_service.db import insert_ignoring_duplicates
from knowledge_service.index.arrays import FloatArray
from knowledge_service.index.models import StoredEmbedding
from knowledge_service.index.protocols import Embedder

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while texts are embedded."""

CACHE_FILE = "embeddings.sqlite"

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A thread-safe in-memory map that keeps the ``maxsize`` most recently used entries."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        """The value under ``key`` (now the most recent), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Store ``value``, dropping the least recently used entries past ``maxsize``."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def pop(self, key: K) -> V | None:
        """Remove ``key`` and return its value, or None if it was not there."""
        with self._lock:
            return self._items.pop(key, None)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS embedding (
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
)
"""


def text_hash(text: str) -> str:
    """The cache key of a text (sha256 hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by (model, text hash), in SQLite (a file, or ``:memory:``)."""

    def __init__(self, path: Path | str = ":memory:") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        try:
            self._conn.execute(_SCHEMA)
            self._conn.commit()
        except sqlite3.DatabaseError as exc:  # a damaged file: say which, and that it may go
            self._conn.close()
            raise sqlite3.DatabaseError(
                f"{path}: {exc} (the embedding cache: delete the file and it is rebuilt)"
            ) from exc
        self._lock = threading.Lock()

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, FloatArray]:
        """The cached vectors among ``hashes``."""
        found: dict[str, FloatArray] = {}
        with self._lock:
            for start in range(0, len(hashes), 500):
                chunk = list(hashes[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT text_hash, vector FROM embedding WHERE model = ? "
                    f"AND text_hash IN ({marks})",
                    [model, *chunk],
                ).fetchall()
                found.update({h: np.frombuffer(v, dtype=np.float32).copy() for h, v in rows})
        return found

    def put_many(self, model: str, items: dict[str, FloatArray]) -> None:
        """Store vectors by text hash."""
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO embedding (model, text_hash, vector) VALUES (?, ?, ?)",
                [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
            )
            self._conn.commit()

    def close(self) -> None:
        self._conn.close()


class StoreEmbeddingCache(EmbeddingCache):
    """The same cache in the store's ``embedding`` table (shared by every replica)."""

    def __init__(self, engine: Engine) -> None:  # no SQLite file: the store holds the vectors
        self._engine = engine

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, FloatArray]:
        found: dict[str, FloatArray] = {}
        with self._engine.connect() as conn:
            for start in range(0, len(hashes), 500):
                chunk = list(hashes[start : start + 500])
                rows = conn.execute(
                    select(col(StoredEmbedding.text_hash), col(StoredEmbedding.vector)).where(
                        col(StoredEmbedding.model) == model,
                        col(StoredEmbedding.text_hash).in_(chunk),
                    )
                )
                found.update({h: np.frombuffer(v, dtype=np.float32).copy() for h, v in rows})
        return found

    def put_many(self, model: str, items: dict[str, FloatArray]) -> None:
        """Store vectors; another replica may have stored the same ones meanwhile (kept)."""
        if not items:
            return
        rows = [
            {"model": model, "text_hash": h, "vector": np.asarray(v, dtype=np.float32).tobytes()}
            for h, v in items.items()
        ]
        with self._engine.begin() as conn:
            conn.execute(insert_ignoring_duplicates(StoredEmbedding, conn.dialect), rows)

    def close(self) -> None:
        pass  # the engine belongs to the caller


def open_embedding_cache(engine: Engine, folder: Path) -> EmbeddingCache:
    """The store's cache on PostgreSQL (shared by replicas); a SQLite file in ``folder``
    otherwise (a SQLite store is on this machine: keep its writes for the content)."""
    if engine.dialect.name == "postgresql":
        return StoreEmbeddingCache(engine)
    return EmbeddingCache(folder / CACHE_FILE)


def encode_cached(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None,
    *,
    batch_size: int = 64,
    show_progress: bool = False,
) -> FloatArray:
    """Encode ``texts``, embedding only those the cache does not hold (each distinct text once)."""
    if cache is None:
        return embedder.encode(texts, batch_size=batch_size, show_progress=show_progress)
    hashes = [text_hash(t) for t in texts]
    known = cache.get_many(embedder.model_name, hashes)
    missing: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in known:
            missing.setdefault(h, t)
    if missing:
        vectors = embedder.encode(
            list(missing.values()), batch_size=batch_size, show_progress=show_progress
        )
        fresh = dict(zip(missing, vectors, strict=True))
        cache.put_many(embedder.model_name, fresh)
        known.update(fresh)
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for row, h in enumerate(hashes):
        out[row] = known[h]
    return out


def encode_in_steps(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None,
    *,
    batch_size: int,
    progress: Progress | None = None,
) -> FloatArray:
    """:func:`encode_cached` in steps of ``8 * batch_size`` texts, reporting progress.

    Each distinct text is encoded once, and the texts go to the encoder longest first (by
    characters, a cheap stand-in for tokens), so every step holds texts of about one length and
    its batches carry little padding; the rows come back in the order of ``texts``. Progress
    counts ``texts``, scaled from the distinct texts done.
    """
    distinct = list(dict.fromkeys(texts))
    order = sorted(range(len(distinct)), key=lambda i: -len(distinct[i]))
    vectors = np.zeros((len(distinct), embedder.dimension), dtype=np.float32)
    step = batch_size * 8
    for start in range(0, len(order), step):
        rows = order[start : start + step]
        vectors[rows] = encode_cached(
            embedder, [distinct[i] for i in rows], cache, batch_size=batch_size
        )
        if progress is not None:
            done = min(start + step, len(order))
            progress(len(texts) * done // len(order), len(texts))
    position = {text: row for row, text in enumerate(distinct)}
    return vectors[[position[t] for t in texts]] if texts else vectors


class QueryEncoder:
    """Encodes queries in one batch, reusing the encodings of recently seen strings.

    Args:
        embedder: The embedder.
        maxsize: How many recent query encodings are kept.
        batch_size: The embedder's batch size.
    """

    def __init__(self, embedder: Embedder, maxsize: int, batch_size: int) -> None:
        self.embedder = embedder
        self.batch_size = batch_size
        self._queries: LruCache[str, FloatArray] = LruCache(maxsize)

    def encode(self, queries: Sequence[str]) -> FloatArray:
        """The vectors of ``queries``, shape ``(len(queries), dimension)``."""
        out = np.zeros((len(queries), self.embedder.dimension), dtype=np.float32)
        known = {q: v for q in dict.fromkeys(queries) if (v := self._queries.get(q)) is not None}
        missing = list(dict.fromkeys(q for q in queries if q not in known))
        if missing:
            fresh = self.embedder.encode(missing, batch_size=self.batch_size)
            known.update(zip(missing, fresh, strict=True))
            for q, v in zip(missing, fresh, strict=True):
                self._queries.put(q, v)
        for row, q in enumerate(queries):
            out[row] = known[q]
        return out
