"""A typed wrapper around FAISS: inner-product search over int64-keyed unit vectors.

``flat`` is exact search (small corpora); ``hnsw`` is approximate search for large ones. HNSW
graphs cannot delete nodes, so removed ids become tombstones that search skips, and the graph
is rebuilt from the kept vectors once tombstones pile up.
"""

from __future__ import annotations

import io
import json
import threading
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from knowledge_service.index.arrays import FloatArray, IdArray
from knowledge_service.index.locks import ReadWriteLock
from knowledge_service.index.protocols import VectorKind

__all__ = ["FaissVectorIndex", "IdArray", "VectorKind", "set_search_threads"]

_FORMAT = "ks-vectors-1"
_TOMBSTONE_REBUILD_FRACTION = 0.2

_search_threads: int | None = None
"""The OpenMP thread cap for searches (None: FAISS's default, one per core)."""
_thread_state = threading.local()


def _as_ids(ids: Any) -> IdArray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def _as_vectors(vectors: Any, dimension: int) -> FloatArray:
    out = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    if out.ndim == 1:
        out = out.reshape(1, -1)
    if out.ndim != 2 or out.shape[1] != dimension:
        raise ValueError(f"expected vectors of dimension {dimension}, got shape {out.shape}")
    return out


class FaissVectorIndex:
    """A FAISS inner-product index that supports add, remove, search and serialisation.

    Args:
        dimension: The vector size.
        kind: A :class:`VectorKind` or its value: ``flat`` (exact) or ``hnsw`` (approximate,
            for large corpora).
        hnsw_m: HNSW graph degree.
        ef_search: HNSW search breadth (recall against speed).
    """

    def __init__(
        self,
        dimension: int,
        *,
        kind: VectorKind | str = VectorKind.FLAT,
        hnsw_m: int = 32,
        ef_search: int = 128,
    ) -> None:
        if kind not in tuple(VectorKind):
            raise ValueError(f"unknown vector index kind {kind!r}")
        self.dimension = dimension
        self.kind = VectorKind(kind)
        self.hnsw_m = hnsw_m
        self.ef_search = ef_search
        self._ids: IdArray = np.zeros(0, dtype=np.int64)
        self._vectors: FloatArray = np.zeros((0, dimension), dtype=np.float32)
        self._row: dict[int, int] = {}
        self._sorted: tuple[IdArray, npt.NDArray[np.intp]] | None = None
        self._tombstones: set[int] = set()
        self._index: Any = self._new_faiss_index()
        # Searches share the index (FAISS searches are read-only and release the GIL, so two
        # serving batches search at once); a mutation has it to itself.
        self._lock = ReadWriteLock()

    def _new_faiss_index(self) -> Any:
        if self.kind == VectorKind.FLAT:
            return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))
        inner = faiss.IndexHNSWFlat(self.dimension, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efSearch = self.ef_search
        inner.hnsw.efConstruction = max(40, 2 * self.hnsw_m)
        return faiss.IndexIDMap2(inner)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, unit_id: object) -> bool:
        return isinstance(unit_id, int | np.integer) and int(unit_id) in self._row

    def add(self, ids: IdArray, vectors: FloatArray) -> None:
        """Add vectors under ``ids``; an id already present is replaced."""
        ids = _as_ids(ids)
        vectors = _as_vectors(vectors, self.dimension)
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
        if len(set(ids.tolist())) != len(ids):
            raise ValueError("duplicate ids in one add")
        with self._lock.write():
            present = {i for i in ids.tolist() if i in self._row}
            if present:
                self._remove_locked(present)
            start = len(self._ids)
            self._ids = np.concatenate([self._ids, ids])
            self._vectors = np.concatenate([self._vectors, vectors])
            self._row.update({uid: start + n for n, uid in enumerate(ids.tolist())})
            self._sorted = None
            self._tombstones.difference_update(ids.tolist())
            if len(ids):
                self._index.add_with_ids(vectors, ids)

    def remove(self, ids: IdArray) -> None:
        """Remove ``ids``; ids that are not present are ignored."""
        with self._lock.write():
            wanted = {i for i in _as_ids(ids).tolist() if i in self._row}
            if wanted:
                self._remove_locked(wanted)

    def _remove_locked(self, wanted: set[int]) -> None:
        keep = np.array([i not in wanted for i in self._ids.tolist()], dtype=bool)
        self._ids = self._ids[keep]
        self._vectors = self._vectors[keep]
        self._row = {uid: n for n, uid in enumerate(self._ids.tolist())}
        self._sorted = None
        if self.kind == VectorKind.FLAT:
            self._index.remove_ids(np.fromiter(wanted, dtype=np.int64))
        else:
            self._tombstones.update(wanted)
            if len(self._tombstones) > _TOMBSTONE_REBUILD_FRACTION * max(1, len(self._ids)):
                self._rebuild_graph()

    def _rebuild_graph(self) -> None:
        self._index = self._new_faiss_index()
        self._tombstones.clear()
        if len(self._ids):
            self._index.add_with_ids(self._vectors, self._ids)

    def search(self, queries: FloatArray, k: int) -> tuple[FloatArray, IdArray]:
        """The ``k`` best ids per query by inner product.

        Returns:
            ``(scores, ids)``, both of shape ``(n_queries, k)``; missing results have id -1
            and score ``-inf``.
        """
        queries = _as_vectors(queries, self.dimension)
        n = len(queries)
        scores = np.full((n, k), -np.inf, dtype=np.float32)
        ids = np.full((n, k), -1, dtype=np.int64)
        _apply_search_threads()
        with self._lock.read():
            if k <= 0 or len(self._ids) == 0 or n == 0:
                return scores, ids
            fetch = min(k + len(self._tombstones), len(self._ids) + len(self._tombstones))
            raw_scores, raw_ids = self._index.search(queries, fetch)
            tombstones = np.fromiter(self._tombstones, dtype=np.int64)
        if not len(tombstones) and not (raw_ids < 0).any():  # nothing to drop (exact search)
            ids[:, :fetch] = raw_ids
            scores[:, :fetch] = raw_scores
            return scores, ids
        dropped = (raw_ids < 0) | np.isin(raw_ids, tombstones)
        order = np.argsort(dropped, axis=1, kind="stable")[:, :k]  # kept results first, in rank
        width = order.shape[1]
        kept = ~np.take_along_axis(dropped, order, axis=1)
        ids[:, :width] = np.where(kept, np.take_along_axis(raw_ids, order, axis=1), -1)
        scores[:, :width] = np.where(kept, np.take_along_axis(raw_scores, order, axis=1), -np.inf)
        return scores, ids

    def rows_for(self, ids: IdArray) -> npt.NDArray[np.intp]:
        """Storage rows of ``ids`` (KeyError for an unknown id); vectorised lookup."""
        ids = _as_ids(ids)
        with self._lock.read():  # two readers may both build the sorted view: same result
            if self._sorted is None:
                order = np.argsort(self._ids, kind="stable")
                self._sorted = (self._ids[order], order)
            sorted_ids, order = self._sorted
        pos = np.searchsorted(sorted_ids, ids)
        pos = np.minimum(pos, max(0, len(sorted_ids) - 1))
        if len(ids) and (len(sorted_ids) == 0 or not np.array_equal(sorted_ids[pos], ids)):
            missing = (
                ids[(len(sorted_ids) == 0) | (sorted_ids[pos] != ids)] if len(sorted_ids) else ids
            )
            raise KeyError(f"unknown vector ids: {missing[:5].tolist()}")
        rows: npt.NDArray[np.intp] = order[pos]
        return rows

    def vectors_for(self, ids: IdArray) -> FloatArray:
        """The stored vectors of ``ids`` (KeyError for an unknown id)."""
        result: FloatArray = self._vectors[self.rows_for(ids)]
        return result

    def all_ids(self) -> IdArray:
        """Every id in the index, in insertion order."""
        return self._ids.copy()

    def to_bytes(self) -> bytes:
        """Serialise the index (vectors, ids and, for HNSW, the graph)."""
        with self._lock.write():  # may rebuild the graph
            header = {
                "format": _FORMAT,
                "dimension": self.dimension,
                "kind": self.kind,
                "hnsw_m": self.hnsw_m,
                "ef_search": self.ef_search,
            }
            arrays: dict[str, Any] = {"ids": self._ids, "vectors": self._vectors}
            if self.kind == VectorKind.HNSW:
                if self._tombstones:
                    self._rebuild_graph()
                arrays["graph"] = faiss.serialize_index(self._index)
            buffer = io.BytesIO()
            np.savez(buffer, header=np.frombuffer(json.dumps(header).encode(), np.uint8), **arrays)
            return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, *, ef_search: int | None = None) -> FaissVectorIndex:
        """Load an index written by :meth:`to_bytes` (ValueError when unreadable)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                header = json.loads(npz["header"].tobytes().decode())
                if header.get("format") != _FORMAT:
                    raise ValueError(f"not a vector index ({header.get('format')!r})")
                index = cls(
                    int(header["dimension"]),
                    kind=header["kind"],
                    hnsw_m=int(header["hnsw_m"]),
                    ef_search=ef_search or int(header["ef_search"]),
                )
                ids, vectors = _as_ids(npz["ids"]), _as_vectors(npz["vectors"], index.dimension)
                graph = npz["graph"] if "graph" in npz.files else None
        except ValueError:
            raise
        except Exception as exc:  # numpy raises many kinds for a truncated or foreign file
            raise ValueError(f"unreadable vector index: {exc}") from exc
        index._ids, index._vectors = ids, vectors
        index._row = {uid: n for n, uid in enumerate(ids.tolist())}
        if graph is not None:
            index._index = faiss.deserialize_index(graph)
            inner: Any = faiss.downcast_index(index._index.index)
            inner.hnsw.efSearch = index.ef_search
        elif len(ids):
            index._index.add_with_ids(vectors, ids)
        return index


def set_search_threads(threads: int) -> None:
    """Cap FAISS's OpenMP threads for searches from every thread (serving: 1 per worker keeps
    p95 flat under contention).

    OpenMP keeps the cap per calling thread: ``omp_set_num_threads`` in the main thread does
    not reach a request or batcher thread, which would run each search on every core (measured
    in the server: 5.4 ms instead of 1.9 ms for one query over 30k vectors). So the cap is
    recorded here and each thread applies it before its first search.
    """
    global _search_threads
    _search_threads = max(1, threads)
    faiss.omp_set_num_threads(_search_threads)
    _thread_state.applied = _search_threads


def _apply_search_threads() -> None:
    """Apply the search thread cap in the calling thread once (a no-op when none is set)."""
    wanted = _search_threads
    if wanted is not None and getattr(_thread_state, "applied", None) != wanted:
        faiss.omp_set_num_threads(wanted)
        _thread_state.applied = wanted
