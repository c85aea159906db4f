"""The in-memory hybrid index: units of article versions, dense + BM25 scoring, article fusion.

Pure of any store: built from documents and an embedder, so the search service persists it and
the freshness check can build one from folders. Mutations take a write lock; searches share a
read lock, so concurrent readers never see a half-applied change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from knowledge_service.content.schemas import ArticleDocument, ArticleStatus
from knowledge_service.index.cache import EmbeddingCache, LruCache, encode_cached
from knowledge_service.index.chunking import Unit, chunk_article, unit_id_for
from knowledge_service.index.embedder import Embedder, FloatArray, normalise_rows
from knowledge_service.index.fusion import FusionConfig
from knowledge_service.index.head import ArticleHead
from knowledge_service.index.lexical import Bm25Index
from knowledge_service.index.locks import ReadWriteLock
from knowledge_service.index.schemas import SearchFilters, SearchHit, SearchRequest
from knowledge_service.index.vectors import FaissVectorIndex, VectorKind

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while units are embedded."""

ARTICLE_VECTOR_KINDS = ("title", "answer", "section")
"""Units whose mean is an article's vector (questions say what is asked, not what is said)."""


@dataclass
class ArticleEntry:
    """An indexed article version and its unit ids."""

    doc: ArticleDocument
    version: int
    unit_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class IndexOptions:
    """How the vector index is built and how many candidates a query considers."""

    ann_threshold: int = 200_000
    hnsw_m: int = 32
    ef_search: int = 128
    batch_size: int = 64
    dense_candidates: int = 1000
    lexical_candidates: int = 200
    query_cache_size: int = 1024


@dataclass(frozen=True)
class UnitTable:
    """A columnar snapshot of the units for vectorised ranking (rows sorted by unit id)."""

    keys: npt.NDArray[np.int64]
    article_pos: npt.NDArray[np.int64]
    article_ids: list[str]
    is_body: npt.NDArray[np.bool_]
    masks: dict[tuple[object, ...], npt.NDArray[np.bool_]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Per distinct filter set, the rows it admits (filled by ranking; dies with the table)."""

    @cached_property
    def article_id_array(self) -> npt.NDArray[np.object_]:
        """``article_ids`` as an array (for fancy indexing)."""
        return np.asarray(self.article_ids, dtype=object)

    def rows(self, unit_ids: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """Rows of unit ids known to be in the table."""
        return np.searchsorted(self.keys, unit_ids)


def article_key(article_id: str) -> int:
    """The int64 key of an article in the article-vector index."""
    return unit_id_for(article_id, 0, "article", 0)


class HybridIndex:
    """Dense + lexical retrieval over article units, fused to whole articles.

    Args:
        embedder: Encodes units and queries.
        config: Fusion weights.
        options: Vector-index and candidate settings.
        cache: Embedding cache (an unchanged unit is never embedded twice).
    """

    def __init__(
        self,
        embedder: Embedder,
        *,
        config: FusionConfig | None = None,
        options: IndexOptions | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        self.embedder = embedder
        self.config = config or FusionConfig()
        self.options = options or IndexOptions()
        self.cache = cache
        self.articles: dict[str, ArticleEntry] = {}
        self.units: dict[int, Unit] = {}
        self.vectors = self._new_vectors("flat")
        self.article_vectors = FaissVectorIndex(embedder.dimension)
        self.lexical = Bm25Index()
        self.head: ArticleHead | None = None
        self.lock = ReadWriteLock()
        self._table: UnitTable | None = None
        self._lexical_rows: tuple[UnitTable, object, npt.NDArray[np.intp]] | None = None
        self._queries: LruCache[str, FloatArray] = LruCache(self.options.query_cache_size)
        self.dirty: dict[str, int] = {}
        """Articles changed since the last save, each with the change count when it changed."""
        self.changes = 0
        self.saved: tuple[str, int] | None = None
        """``(bundle generation, watermark)`` of the last save or load this index reflects."""

    def _mark_dirty_locked(self, article_ids: Sequence[str]) -> None:
        self.changes += 1
        for article_id in article_ids:
            self.dirty[article_id] = self.changes

    def _new_vectors(self, kind: VectorKind) -> FaissVectorIndex:
        return FaissVectorIndex(
            self.embedder.dimension,
            kind=kind,
            hnsw_m=self.options.hnsw_m,
            ef_search=self.options.ef_search,
        )

    def __len__(self) -> int:
        return len(self.articles)

    @property
    def vector_kind(self) -> VectorKind:
        return self.vectors.kind

    # -- mutation -------------------------------------------------------------------------

    def upsert(
        self, docs: Sequence[tuple[ArticleDocument, int]], progress: Progress | None = None
    ) -> None:
        """Index article versions, replacing any version of the same articles.

        Args:
            docs: ``(document, store version)`` pairs.
            progress: Called with ``(done, total)`` units while embedding.
        """
        latest = {doc.id: (doc, version) for doc, version in docs}
        units = [u for doc, version in latest.values() for u in chunk_article(doc, version)]
        vectors = self._embed_units(units, progress)
        with self.lock.write():
            self._mark_dirty_locked(list(latest))
            self._remove_locked(list(latest))
            for doc, version in latest.values():
                self.articles[doc.id] = ArticleEntry(doc, version)
            self._add_units_locked(units, vectors)
            self._refresh_article_vectors_locked(list(latest))
            self._maybe_switch_to_ann_locked()
            self._train_head_locked()

    def remove(self, article_ids: Sequence[str]) -> None:
        """Drop articles (all their units) from the index; unknown ids are ignored."""
        with self.lock.write():
            self._mark_dirty_locked([a for a in article_ids if a in self.articles])
            self._remove_locked(article_ids)
            self._train_head_locked()

    def restore(
        self,
        docs: Sequence[tuple[ArticleDocument, int]],
        vectors: FaissVectorIndex,
        head: ArticleHead | None,
    ) -> None:
        """Fill an empty index from persisted parts (see ``bundle.load_bundle``).

        Raises:
            ValueError: The vectors do not belong to these documents.
        """
        units = [u for doc, version in docs for u in chunk_article(doc, version)]
        ids = np.asarray([u.unit_id for u in units], dtype=np.int64)
        if len(ids) != len(vectors) or not all(int(i) in vectors for i in ids):
            raise ValueError("the stored vectors do not match the stored documents")
        if vectors.dimension != self.embedder.dimension:
            raise ValueError(f"stored vectors have dimension {vectors.dimension}")
        with self.lock.write():
            self._table = None
            self.vectors = vectors
            for doc, version in docs:
                self.articles[doc.id] = ArticleEntry(doc, version)
            for unit in units:
                self.units[unit.unit_id] = unit
                self.articles[unit.article_id].unit_ids.append(unit.unit_id)
            self.lexical.add(ids.tolist(), [u.index_text for u in units])
            self._refresh_article_vectors_locked(list(self.articles))
            self.head = head if self.config.head_weight > 0 else None
            if self.config.head_weight > 0 and head is None:
                self._train_head_locked()

    def _embed_units(self, units: Sequence[Unit], progress: Progress | None) -> FloatArray:
        texts = [u.index_text for u in units]
        step = self.options.batch_size * 8
        parts = []
        for start in range(0, len(texts), step):
            parts.append(
                encode_cached(
                    self.embedder,
                    texts[start : start + step],
                    self.cache,
                    batch_size=self.options.batch_size,
                )
            )
            if progress is not None:
                progress(min(start + step, len(texts)), len(texts))
        if not parts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.concatenate(parts)

    def unit_table(self) -> UnitTable:
        """The columnar unit snapshot (rebuilt after a change; call under the read lock)."""
        table = self._table
        if table is None:
            keys = np.asarray(sorted(self.units), dtype=np.int64)
            article_ids = list(self.articles)
            pos = {a: n for n, a in enumerate(article_ids)}
            units = [self.units[int(k)] for k in keys]
            table = UnitTable(
                keys,
                np.asarray([pos[u.article_id] for u in units], dtype=np.int64),
                article_ids,
                np.asarray([u.kind in ("answer", "section") for u in units], dtype=bool),
            )
            self._table = table
        return table

    def lexical_rows(self, table: UnitTable, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """Unit-table rows of the lexical index's keys (cached while neither changes)."""
        cached = self._lexical_rows
        if cached is not None and cached[0] is table and cached[1] is keys:
            return cached[2]
        rows = table.rows(keys)
        self._lexical_rows = (table, keys, rows)
        return rows

    def _add_units_locked(self, units: Sequence[Unit], vectors: FloatArray) -> None:
        self._table = None
        if not units:
            return
        ids = np.asarray([u.unit_id for u in units], dtype=np.int64)
        self.vectors.add(ids, vectors)
        self.lexical.add(ids.tolist(), [u.index_text for u in units])
        for unit in units:
            self.units[unit.unit_id] = unit
            self.articles[unit.article_id].unit_ids.append(unit.unit_id)

    def _remove_locked(self, article_ids: Sequence[str]) -> None:
        self._table = None
        gone: list[int] = []
        for article_id in article_ids:
            entry = self.articles.pop(article_id, None)
            if entry is not None:
                gone.extend(entry.unit_ids)
        if gone:
            self.vectors.remove(np.asarray(gone, dtype=np.int64))
            self.lexical.remove(gone)
            for unit_id in gone:
                self.units.pop(unit_id, None)
        keys = np.asarray([article_key(a) for a in article_ids], dtype=np.int64)
        self.article_vectors.remove(keys)

    def _refresh_article_vectors_locked(self, article_ids: Sequence[str]) -> None:
        keys, rows = [], []
        for article_id in article_ids:
            entry = self.articles[article_id]
            ids = [u for u in entry.unit_ids if self.units[u].kind in ARTICLE_VECTOR_KINDS]
            if ids:
                mean = self.vectors.vectors_for(np.asarray(ids, dtype=np.int64)).mean(axis=0)
                keys.append(article_key(article_id))
                rows.append(mean)
        if keys:
            self.article_vectors.add(
                np.asarray(keys, dtype=np.int64), normalise_rows(np.stack(rows))
            )

    def _maybe_switch_to_ann_locked(self) -> None:
        if self.vectors.kind == "flat" and len(self.vectors) > self.options.ann_threshold:
            ids = self.vectors.all_ids()
            ann = self._new_vectors("hnsw")
            ann.add(ids, self.vectors.vectors_for(ids))
            self.vectors = ann

    def _train_head_locked(self) -> None:
        self.head = None
        if self.config.head_weight <= 0.0:
            return
        ids, labels = [], []
        for article_id, entry in self.articles.items():
            if entry.doc.status != ArticleStatus.PUBLISHED:
                continue
            for unit_id in entry.unit_ids:
                if self.units[unit_id].kind in ("question", "title"):
                    ids.append(unit_id)
                    labels.append(article_id)
        if ids:
            vectors = self.vectors.vectors_for(np.asarray(ids, dtype=np.int64))
            self.head = ArticleHead.train(vectors, labels)

    # -- queries --------------------------------------------------------------------------

    def encode_queries(self, queries: Sequence[str]) -> FloatArray:
        """Encode queries in one batch, reusing the encodings of recently seen strings."""
        out = np.zeros((len(queries), self.embedder.dimension), dtype=np.float32)
        known = {q: v for q in dict.fromkeys(queries) if (v := self._queries.get(q)) is not None}
        missing = list(dict.fromkeys(q for q in queries if q not in known))
        if missing:
            fresh = self.embedder.encode(missing, batch_size=self.options.batch_size)
            known.update(zip(missing, fresh, strict=True))
            for q, v in zip(missing, fresh, strict=True):
                self._queries.put(q, v)
        for row, q in enumerate(queries):
            out[row] = known[q]
        return out

    def search_many(
        self,
        queries: Sequence[str],
        *,
        top_k: int = 10,
        filters: SearchFilters | None = None,
    ) -> list[list[SearchHit]]:
        """Rank whole articles for many queries with one batched encode."""
        from knowledge_service.index.ranking import search_encoded

        vectors = self.encode_queries(queries)
        return search_encoded(
            self, queries, vectors, top_k=top_k, filters=filters or SearchFilters()
        )

    def search_requests(self, requests: Sequence[SearchRequest]) -> list[list[SearchHit]]:
        """Many searches, each with its own ``top_k`` and filters, sharing one batched encode."""
        from knowledge_service.index.ranking import search_encoded

        vectors = self.encode_queries([r.query for r in requests])
        # Requests sharing top_k and filters are ranked together: one FAISS pass for all.
        groups: dict[tuple[int, str], list[int]] = {}
        for n, r in enumerate(requests):
            groups.setdefault((r.top_k, r.filters.model_dump_json()), []).append(n)
        results: list[list[SearchHit]] = [[] for _ in requests]
        for members in groups.values():
            first = requests[members[0]]
            ranked = search_encoded(
                self,
                [requests[n].query for n in members],
                vectors[members],
                top_k=first.top_k,
                filters=first.filters,
            )
            for n, hits in zip(members, ranked, strict=True):
                results[n] = hits
        return results

    def search(
        self, query: str, *, top_k: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Rank whole articles for one query."""
        return self.search_many([query], top_k=top_k, filters=filters)[0]

    def article_vectors_for(self, article_ids: Sequence[str]) -> FloatArray:
        """Each article's vector: the normalised mean of its title, answer and section units."""
        keys = np.asarray([article_key(a) for a in article_ids], dtype=np.int64)
        with self.lock.read():
            return self.article_vectors.vectors_for(keys)

    def nearest_articles(
        self,
        article_id: str,
        k: int = 10,
        min_score: float = 0.0,
        *,
        filters: SearchFilters | None = None,
    ) -> list[tuple[str, float]]:
        """Whole-article neighbours of an article by cosine of article vectors (not itself).

        Searches the article-vector index (never an all-pairs scan). ``filters`` defaults to
        published articles only.
        """
        filters = filters or SearchFilters()
        with self.lock.read():
            if article_id not in self.articles:
                return []
            query = self.article_vectors.vectors_for(
                np.asarray([article_key(article_id)], dtype=np.int64)
            )
            by_key = {article_key(a): a for a in self.articles}
            fetch = min(len(self.article_vectors), max(4 * k, k + 16))
            scores, ids = self.article_vectors.search(query, fetch)
            found = []
            for score, key in zip(scores[0].tolist(), ids[0].tolist(), strict=True):
                other = by_key.get(key)
                if other is None or other == article_id or score < min_score:
                    continue
                if filters.admits(self.articles[other].doc):
                    found.append((other, float(score)))
            return found[:k]
