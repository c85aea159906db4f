"""The search service: a :class:`HybridIndex` kept in step with the content store.

On ``open`` the persisted bundle is loaded and compared with the store's watermark (the largest
article version ``seq``): a missing or unreadable bundle is rebuilt, one that is behind is caught
up incrementally from ``article_versions_since``, one ahead of the store (a reset store) is
rebuilt. ``sync`` applies store changes after writes; every change is saved atomically.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from knowledge_service.content import repository
from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.db import session_scope
from knowledge_service.errors import IndexNotReadyError
from knowledge_service.index import repository as index_repository
from knowledge_service.index.arrays import FloatArray
from knowledge_service.index.bundle import save_bundle
from knowledge_service.index.bundle_load import load_bundle
from knowledge_service.index.cache import (
    EmbeddingCache,
    LruCache,
    Progress,
    open_embedding_cache,
)
from knowledge_service.index.fusion import FusionConfig, LexicalNorm
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.leftovers import models_dir, sweep_leftovers
from knowledge_service.index.profile import ScoreProfile, describe_profile, score_profile
from knowledge_service.index.protocols import Embedder
from knowledge_service.index.schemas import IndexStatus, SearchFilters, SearchHit, SearchRequest
from knowledge_service.index.snapshot import IndexOptions
from knowledge_service.settings import Settings

logger = logging.getLogger(__name__)

WARM_UP_QUESTION = "how do i pay my bill"
"""The question a server searches before it says ready (any question builds the same parts)."""

BUNDLE_NAME = "search.bundle"
HISTORICAL_INDEXES = 4
"""How many indexes of past store states :meth:`SearchService.historical` keeps."""

# Tuned with scripts/eval.py --sweep (BANKING77 on a dev split of its training utterances,
# StackFAQ on its queries); dense_weight comes from the settings (KS_INDEX__DENSE_WEIGHT).
DEFAULT_ARTICLE_TOP_K = 10
DEFAULT_AGGREGATE_MIX = 0.5
DEFAULT_HEAD_WEIGHT = 0.0  # the intent head gained nothing robust on either set
DEFAULT_BODY_WEIGHT = 0.9
# "idf" puts BM25 on an absolute scale: a weak lexical match is not inflated to 1.0, which
# also keeps answer confidence honest for questions the knowledge base does not cover.
DEFAULT_LEXICAL_NORM = LexicalNorm.IDF
# The query's cosine to an article's centroid (all its units) adds evidence from the whole
# article. At 0.05 it lost on no set (Accuracy@1: BANKING77 test +1 query, dev +1, StackFAQ
# +1, HWU64-OOS dev +0.4 point); 0.1 gained more on HWU64-OOS but lost a BANKING77 test query
# (issue 13; docs/benchmarks.md, "Answer confidence").
DEFAULT_CENTROID_WEIGHT = 0.05
# The article's share of the query terms' IDF weight (IDF over articles), and the five best
# articles' scores smoothed by their centroids' similarity (issue 13, docs/benchmarks.md, "Answer
# confidence": gains on every dev split; the smoothing puts "moving house ... power on at the
# new place" on moving-in).
DEFAULT_COVERAGE_WEIGHT = 0.1
DEFAULT_SMOOTH_WEIGHT = 0.2


def fusion_config(settings: Settings) -> FusionConfig:
    """The fusion weights for ``settings``."""
    return FusionConfig(
        dense_weight=settings.index.dense_weight,
        article_top_k=DEFAULT_ARTICLE_TOP_K,
        aggregate_mix=DEFAULT_AGGREGATE_MIX,
        head_weight=DEFAULT_HEAD_WEIGHT,
        body_weight=DEFAULT_BODY_WEIGHT,
        lexical_norm=DEFAULT_LEXICAL_NORM,
        centroid_weight=DEFAULT_CENTROID_WEIGHT,
        coverage_weight=DEFAULT_COVERAGE_WEIGHT,
        smooth_weight=DEFAULT_SMOOTH_WEIGHT,
    )


def index_options(settings: Settings) -> IndexOptions:
    """The vector-index options for ``settings``."""
    s = settings.index
    return IndexOptions(
        ann_threshold=s.ann_threshold,
        hnsw_m=s.hnsw_m,
        ef_search=s.hnsw_ef_search,
        batch_size=s.batch_size,
        correct_spelling=s.correct_spelling,
    )


class SearchService:
    """Hybrid search over the store's served article versions (a draft in review never
    replaces the published version it edits: see ``served_article_versions``).

    Args:
        settings: Service settings (index folder, model, weights).
        engine: The content store.
        embedder: Encodes units and queries.
        config: Fusion weights (default: :func:`fusion_config`).
        cache: Embedding cache (default: in a PostgreSQL store, or a SQLite file in the index
            folder).
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        embedder: Embedder,
        *,
        config: FusionConfig | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.embedder = embedder
        self.config = config or fusion_config(settings)
        self.options = index_options(settings)
        self.path: Path = settings.index_dir / BUNDLE_NAME
        self.cache = (
            cache if cache is not None else open_embedding_cache(engine, settings.index_dir)
        )
        self.index = self._new_index()
        self.watermark = 0
        self.profile: ScoreProfile | None = None
        """Where this knowledge base's own questions score (refreshed with the index)."""
        self._historical: LruCache[int, HybridIndex] = LruCache(HISTORICAL_INDEXES)
        self._mutex = threading.Lock()  # one writer at a time: open, rebuild, sync
        self.is_open = False  # searchable: opened, rebuilt or synced at least once

    def _new_index(self) -> HybridIndex:
        return HybridIndex(
            self.embedder, config=self.config, options=self.options, cache=self.cache
        )

    def _store_watermark(self) -> int:
        with session_scope(self.engine) as session:
            return repository.article_watermark(session)

    def open(self, progress: Progress | None = None, *, warm: bool = False) -> IndexStatus:
        """Load the bundle and bring it level with the store (catch up or rebuild), after
        sweeping what killed processes left behind (see :mod:`.leftovers`).

        With ``warm`` (a server), one question is searched before the index counts as open, so
        what the first question would build while a customer waits (the speller's word lists
        and vocabulary, the encoder's first run, the unit table) is built before ``/readyz``
        says ready."""
        with self._mutex:
            sweep_leftovers(self.path.parent, models_dir(self.settings))
            try:
                index, watermark = load_bundle(
                    self.path,
                    self.embedder,
                    config=self.config,
                    options=self.options,
                    cache=self.cache,
                )
            except FileNotFoundError:
                return self._rebuild_locked(progress, warm=warm)
            except ValueError as exc:
                logger.warning("rebuilding the search index: %s", exc)
                return self._rebuild_locked(progress, warm=warm)
            if watermark > self._store_watermark():
                logger.warning("the index is ahead of the store (store reset?): rebuilding")
                return self._rebuild_locked(progress, warm=warm)
            self.index, self.watermark = index, watermark
            self._sync_locked(progress)
            if self.profile is None:
                self.profile = score_profile(self.index)
            self._become_open(warm)
            return self._status_locked()

    def rebuild(self, progress: Progress | None = None) -> IndexStatus:
        """Index every article's served version from scratch and save the bundle."""
        with self._mutex:
            return self._rebuild_locked(progress)

    def _become_open(self, warm: bool) -> None:
        if warm:
            started = time.perf_counter()
            try:
                self.index.search_requests([SearchRequest(query=WARM_UP_QUESTION)])
            except Exception:  # a warm-up never keeps a server from serving
                logger.exception("warming the search index up failed")
            else:
                elapsed = (time.perf_counter() - started) * 1000
                logger.info("the search index is warmed up (%.0f ms)", elapsed)
        self.is_open = True

    def _rebuild_locked(self, progress: Progress | None, *, warm: bool = False) -> IndexStatus:
        with session_scope(self.engine) as session:
            watermark = repository.article_watermark(session)
            docs = [
                (v.to_document(), v.version) for v in repository.indexed_article_versions(session)
            ]
        index = self._new_index()
        index.upsert(docs, progress)
        self.index, self.watermark = index, watermark
        save_bundle(self.path, index, watermark)
        self.profile = score_profile(index)
        self._become_open(warm)
        return self._status_locked()

    def sync(self, progress: Progress | None = None) -> IndexStatus:
        """Apply the store's article changes since the index watermark."""
        with self._mutex:
            self._sync_locked(progress)
            self.is_open = True
            return self._status_locked()

    def _sync_locked(self, progress: Progress | None) -> None:
        with session_scope(self.engine) as session:
            changed = repository.article_versions_since(session, self.watermark)
            if not changed:
                return
            watermark = max(v.seq or 0 for v in changed)
            docs: list[tuple[ArticleDocument, int]] = []
            for article_id in dict.fromkeys(v.article_id for v in changed):
                served = repository.indexed_article_version(session, article_id)
                if served is not None:
                    docs.append((served.to_document(), served.version))
        self.index.upsert(docs, progress)
        self.watermark = watermark
        save_bundle(self.path, self.index, watermark)
        self.profile = score_profile(self.index)

    def status(self) -> IndexStatus:
        """How the index stands against the store; while the index is being opened, at once
        (not current) rather than after the open (``/readyz`` answers during a long build)."""
        if not self._mutex.acquire(blocking=self.is_open):
            return self._status_locked()
        try:
            return self._status_locked()
        finally:
            self._mutex.release()

    def _status_locked(self) -> IndexStatus:
        store = self._store_watermark()
        return IndexStatus(
            index_watermark=self.watermark,
            store_watermark=store,
            articles=len(self.index.articles),
            units=len(self.index.units),
            vector_kind=self.index.vector_kind,
            is_current=self.is_open and self.watermark == store,
            path=str(self.path),
            model_name=self.embedder.model_name,
            model=self.settings.embedding_model,
            answer_profile=describe_profile(self.profile),
        )

    def search(
        self, query: str, *, top_k: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Rank whole articles for ``query`` (published only unless ``filters`` say so)."""
        self._require_open()
        return self.index.search(query, top_k=top_k, filters=filters)

    def search_many(
        self, queries: Sequence[str], *, top_k: int = 10, filters: SearchFilters | None = None
    ) -> list[list[SearchHit]]:
        """Rank articles for many queries with one batched encode (for request batching)."""
        self._require_open()
        return self.index.search_many(queries, top_k=top_k, filters=filters)

    def search_requests(self, requests: Sequence[SearchRequest]) -> list[list[SearchHit]]:
        """Many searches with their own ``top_k`` and filters, one batched encode (for
        batching concurrent HTTP requests)."""
        self._require_open()
        return self.index.search_requests(requests)

    def _require_open(self) -> None:
        """A server listens before its index is loaded (see ``serve``): until then, 503."""
        if not self.is_open:
            raise IndexNotReadyError("the search index is still loading; retry shortly")

    def historical(self, as_of: datetime) -> HybridIndex:
        """A searchable index of the articles that were published at ``as_of``.

        Built with this service's embedder, weights and embedding cache (unchanged units are not
        embedded again) and kept for the few most recent store states asked about: the key is
        the store's watermark at ``as_of``, so every moment between the same two writes shares
        one index.

        Args:
            as_of: The moment (time-zone aware).
        """
        with session_scope(self.engine) as session:
            docs, watermark = index_repository.published_documents_as_of(session, as_of)
        index = self._historical.get(watermark)
        if index is None:
            index = self._new_index()
            index.upsert(docs)
            self._historical.put(watermark, index)
        return index

    def search_as_of(
        self,
        query: str,
        as_of: datetime,
        *,
        top_k: int = 10,
        filters: SearchFilters | None = None,
    ) -> list[SearchHit]:
        """Rank whole articles for ``query`` as the knowledge stood at ``as_of``."""
        return self.historical(as_of).search(query, top_k=top_k, filters=filters)

    def article_vectors(self, article_ids: Sequence[str]) -> FloatArray:
        """Whole-article vectors (normalised mean of title, answer and section units)."""
        return self.index.article_vectors_for(article_ids)

    def nearest_articles(
        self,
        article_id: str,
        k: int = 10,
        min_score: float = 0.0,
        *,
        filters: SearchFilters | None = None,
    ) -> list[tuple[str, float]]:
        """Whole-article neighbours of ``article_id`` through the article-vector index."""
        return self.index.nearest_articles(article_id, k, min_score, filters=filters)
