"""The in-memory hybrid index: units of article versions, dense + BM25 scoring, article fusion.

Pure of any store: built from documents and an embedder, so the search service persists it and
the freshness check can build one from folders. Mutations take a write lock; searches share a
read lock, so concurrent readers never see a half-applied change.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from knowledge_service.content.schemas import ArticleDocument, ArticleStatus
from knowledge_service.index.arrays import FloatArray, normalise_rows
from knowledge_service.index.article_vectors import ArticleVectors
from knowledge_service.index.cache import EmbeddingCache, Progress, QueryEncoder, encode_in_steps
from knowledge_service.index.chunking import CUSTOMER_KINDS, Unit, chunk_article
from knowledge_service.index.fusion import FusionConfig
from knowledge_service.index.head import ArticleHead
from knowledge_service.index.lexical import Bm25Index
from knowledge_service.index.locks import ReadWriteLock
from knowledge_service.index.protocols import (
    Embedder,
    VectorKind,
    query_embedder,
    tokenizer_words,
)
from knowledge_service.index.ranking import group_requests, search_encoded
from knowledge_service.index.schemas import SearchFilters, SearchHit, SearchRequest
from knowledge_service.index.snapshot import ArticleEntry, IndexOptions, IndexSnapshot, UnitTable
from knowledge_service.index.spelling import CHAT_WORDS, Speller, english_words
from knowledge_service.index.vectors import FaissVectorIndex
from knowledge_service.privacy import without_personal_data


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
        self.vectors = self._new_vectors(VectorKind.FLAT)
        self.article_vectors = ArticleVectors(embedder.dimension)
        self.lexical = Bm25Index()
        self.head: ArticleHead | None = None
        self.lock = ReadWriteLock()
        self._table: UnitTable | None = None
        # the speller: made at the first question (the words never corrected, the tokenizer's
        # and English, are read then), its vocabulary then kept level with the units
        self._speller: Speller | None = None
        self._speller_lock = threading.Lock()
        self._queries = QueryEncoder(
            query_embedder(embedder), self.options.query_cache_size, self.options.batch_size
        )
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
        texts = [u.index_text for u in units]
        vectors = encode_in_steps(
            self.embedder, texts, self.cache, batch_size=self.options.batch_size, progress=progress
        )
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
        """Fill an empty index from persisted parts (see ``bundle_load.load_bundle``).

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
            self._speller = None  # made again from the restored units at the next question
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

    def unit_table(self) -> UnitTable:
        """The columnar unit snapshot (rebuilt after a change; call under the read lock)."""
        table = self._table
        if table is None:
            table = self._table = UnitTable.build(self.units, self.articles)
        return table

    def snapshot(self) -> IndexSnapshot:
        """The read-only view ranking reads (call under the read lock; valid while held)."""
        return IndexSnapshot(
            self.unit_table(),
            self.units,
            self.articles,
            self.vectors,
            self.lexical,
            self.head,
            self.config,
            self.options,
        )

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
        if self._speller is not None:
            self._speller.vocabulary.add(u.index_text for u in units)

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
            if self._speller is not None:
                units = self.units
                self._speller.vocabulary.remove(units[u].index_text for u in gone if u in units)
            for unit_id in gone:
                self.units.pop(unit_id, None)
        self.article_vectors.remove(article_ids)

    def _refresh_article_vectors_locked(self, article_ids: Sequence[str]) -> None:
        self._table = None  # the table caches the centroids
        self.article_vectors.refresh(article_ids, self.articles, self.units, self.vectors)
        for article_id in article_ids:
            entry = self.articles[article_id]
            if entry.unit_ids:
                ids = np.asarray(entry.unit_ids, dtype=np.int64)
                mean = self.vectors.vectors_for(ids).mean(axis=0, keepdims=True)
                entry.centroid = normalise_rows(mean)[0]

    def _maybe_switch_to_ann_locked(self) -> None:
        if self.vectors.kind == VectorKind.FLAT and len(self.vectors) > self.options.ann_threshold:
            ids = self.vectors.all_ids()
            ann = self._new_vectors(VectorKind.HNSW)
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
                if self.units[unit_id].kind in CUSTOMER_KINDS:
                    ids.append(unit_id)
                    labels.append(article_id)
        if ids:
            vectors = self.vectors.vectors_for(np.asarray(ids, dtype=np.int64))
            self.head = ArticleHead.train(vectors, labels)

    # -- queries --------------------------------------------------------------------------

    def corrected(self, queries: Sequence[str]) -> list[str]:
        """``queries`` with misspelt words corrected against the indexed units' words, when
        ``options.correct_spelling`` is on (else as they are)."""
        if not self.options.correct_spelling:
            return list(queries)
        with self.lock.read():  # no unit comes or goes meanwhile: the vocabulary holds still
            speller = self._speller
            if speller is None:
                with self._speller_lock:
                    speller = self._speller
                    if speller is None:
                        words = tokenizer_words(query_embedder(self.embedder))
                        tokens = frozenset(w.lower() for w in words)
                        lexicons = (tokens, english_words(), CHAT_WORDS)
                        texts = (unit.index_text for unit in self.units.values())
                        speller = self._speller = Speller.build(texts, lexicons)
            return [speller.correct(q) for q in queries]

    def corrected_and_encoded(self, queries: Sequence[str]) -> tuple[list[str], FloatArray]:
        """The questions to rank (each corrected, or as asked) and their vectors.

        A correction is kept only when the corrected question matches the knowledge base at
        least as well as the question as asked (its nearest unit's cosine is not lower): a
        word the speller does not know may be the customer's right word for something the
        knowledge base does not name ("subnet" is not "subset", "auth" not "auto"), and then
        the correction moves the question away from every unit, while a real typo's correction
        brings it nearer. It costs one more encode for the few questions that change.

        Personal data (card numbers, e-mail addresses, phone numbers: whatever the answer log
        redacts) is dropped first (:func:`~knowledge_service.privacy.without_personal_data`):
        no article answers it, it only pulls a question away from its article, and the query
        cache then never holds it.
        """
        queries = [without_personal_data(q) for q in queries]
        corrected = self.corrected(queries)
        changed = [n for n, (q, c) in enumerate(zip(queries, corrected, strict=True)) if q != c]
        if not changed:
            return corrected, self.encode_queries(corrected)
        vectors = self.encode_queries([*corrected, *(queries[n] for n in changed)])
        as_asked = vectors[len(corrected) :]
        with self.lock.read():
            best, _ = self.vectors.search(np.vstack([vectors[changed], as_asked]), 1)
        for at, n in enumerate(changed):
            if best[at, 0] < best[len(changed) + at, 0]:
                corrected[n] = queries[n]
                vectors[n] = as_asked[at]
        return corrected, vectors[: len(corrected)]

    def encode_queries(self, queries: Sequence[str]) -> FloatArray:
        """Encode queries in one batch, reusing the encodings of recently seen strings."""
        return self._queries.encode(queries)

    def search_many(
        self,
        queries: Sequence[str],
        *,
        top_k: int = 10,
        filters: SearchFilters | None = None,
    ) -> list[list[SearchHit]]:
        """Rank whole articles for many queries with one batched encode."""
        queries, vectors = self.corrected_and_encoded(queries)
        with self.lock.read():
            return search_encoded(
                self.snapshot(), queries, vectors, top_k=top_k, filters=filters or SearchFilters()
            )

    def search_requests(self, requests: Sequence[SearchRequest]) -> list[list[SearchHit]]:
        """Many searches, each with its own ``top_k`` and filters, sharing one batched encode."""
        queries, vectors = self.corrected_and_encoded([r.query for r in requests])
        results: list[list[SearchHit]] = [[] for _ in requests]
        # Requests sharing top_k and filters are ranked together: one FAISS pass for all.
        for members in group_requests(requests):
            first = requests[members[0]]
            with self.lock.read():
                ranked = search_encoded(
                    self.snapshot(),
                    [queries[n] for n in members],
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
        with self.lock.read():
            return self.article_vectors.vectors_for(article_ids)

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
        with self.lock.read():
            return self.article_vectors.nearest(
                article_id, self.articles, k, min_score, filters or SearchFilters()
            )
