"""The parts of a hybrid index that ranking reads, and the read-only view it is handed.

:class:`IndexSnapshot` is what :mod:`~knowledge_service.index.ranking` ranks over: the unit table,
the units and articles, the vector and lexical indexes, the head and the settings. The hybrid
index takes one under its read lock; the snapshot is valid for as long as that lock is held
(it shares, never copies, the index's parts, so taking one costs nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.index.arrays import FloatArray, IdArray
from knowledge_service.index.chunking import BODY_KINDS, Unit, unit_id_for
from knowledge_service.index.fusion import FusionConfig
from knowledge_service.index.head import ArticleHead
from knowledge_service.index.lexical import MAX_CACHED_TERMS, Bm25Index
from knowledge_service.index.vectors import FaissVectorIndex

_ARTICLE_KEY_KIND = "article"
"""The unit kind in an article vector's key (never a real unit's kind)."""


@dataclass
class ArticleEntry:
    """An indexed article version and its unit ids."""

    doc: ArticleDocument
    version: int
    unit_ids: list[int] = field(default_factory=list)
    centroid: FloatArray | None = None
    """The normalised mean of all its unit vectors (its whole content: title, lead, questions,
    sections); set by the hybrid index once its units are in."""


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
    correct_spelling: bool = True
    """Correct a question's misspelt words against the knowledge base's vocabulary before it
    is encoded and matched (:mod:`~knowledge_service.index.spelling`)."""


@dataclass(frozen=True)
class UnitTable:
    """A columnar snapshot of the units for vectorised ranking (rows sorted by unit id)."""

    keys: IdArray
    article_pos: IdArray
    article_ids: list[str]
    is_body: npt.NDArray[np.bool_]
    masks: dict[tuple[object, ...], npt.NDArray[np.bool_]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Per distinct filter set, the rows it admits (filled by ranking; dies with the table)."""
    lexical_rows_cache: list[tuple[IdArray, npt.NDArray[np.intp]]] = field(
        default_factory=list, compare=False, repr=False
    )
    """The rows of the lexical index's current keys (one entry; dies with the table)."""
    centroid_cache: list[tuple[FloatArray, dict[str, int]]] = field(
        default_factory=list, compare=False, repr=False
    )
    """Every article's centroid as one matrix, and each article's row (dies with the table)."""
    term_articles_cache: dict[str, IdArray] = field(default_factory=dict, compare=False, repr=False)
    """Per lexical term looked up, the sorted positions of the articles holding it (dies with
    the table, which is replaced whenever the lexical index changes)."""

    @classmethod
    def build(cls, units: Mapping[int, Unit], articles: Mapping[str, ArticleEntry]) -> UnitTable:
        """The table of ``units`` (articles numbered in ``articles`` order)."""
        keys = np.asarray(sorted(units), dtype=np.int64)
        article_ids = list(articles)
        pos = {a: n for n, a in enumerate(article_ids)}
        rows = [units[int(k)] for k in keys]
        return cls(
            keys,
            np.asarray([pos[u.article_id] for u in rows], dtype=np.int64),
            article_ids,
            np.asarray([u.kind in BODY_KINDS for u in rows], dtype=bool),
        )

    @cached_property
    def article_id_array(self) -> npt.NDArray[np.object_]:
        """``article_ids`` as an array (for fancy indexing)."""
        return np.asarray(self.article_ids, dtype=object)

    def rows(self, unit_ids: IdArray) -> npt.NDArray[np.intp]:
        """Rows of unit ids known to be in the table."""
        return np.searchsorted(self.keys, unit_ids)

    def lexical_rows(self, keys: IdArray) -> npt.NDArray[np.intp]:
        """Rows of the lexical index's keys (cached while the lexical index is unchanged)."""
        cached = self.lexical_rows_cache
        if cached and cached[0][0] is keys:
            return cached[0][1]
        rows = self.rows(keys)
        cached[:] = [(keys, rows)]
        return rows

    def term_articles(self, term: str, lexical: Bm25Index) -> IdArray:
        """The sorted positions of the articles with a unit holding ``term``."""
        cached = self.term_articles_cache.get(term)
        if cached is None:
            cached = np.unique(self.article_pos[self.rows(lexical.keys_holding(term))])
            if len(self.term_articles_cache) >= MAX_CACHED_TERMS:
                self.term_articles_cache.clear()
            self.term_articles_cache[term] = cached
        return cached

    def centroid_matrix(
        self, articles: Mapping[str, ArticleEntry]
    ) -> tuple[FloatArray, dict[str, int]]:
        """The centroids of the table's articles as rows (zeros for an article without one)
        and each article's row: built once per table, not stacked again for every query."""
        cached = self.centroid_cache
        if cached:
            return cached[0]
        row_of = {a: n for n, a in enumerate(self.article_ids)}
        dimension = next((len(e.centroid) for e in articles.values() if e.centroid is not None), 0)
        matrix = np.zeros((len(self.article_ids), dimension), dtype=np.float32)
        for a, n in row_of.items():
            entry = articles.get(a)
            if entry is not None and entry.centroid is not None:
                matrix[n] = entry.centroid
        cached[:] = [(matrix, row_of)]
        return matrix, row_of


def article_key(article_id: str) -> int:
    """The int64 key of an article in the article-vector index."""
    return unit_id_for(article_id, 0, _ARTICLE_KEY_KIND, 0)


@dataclass(frozen=True)
class IndexSnapshot:
    """A read-only view of a hybrid index for ranking (valid while its read lock is held)."""

    table: UnitTable
    units: Mapping[int, Unit]
    articles: Mapping[str, ArticleEntry]
    vectors: FaissVectorIndex
    lexical: Bm25Index
    head: ArticleHead | None
    config: FusionConfig
    options: IndexOptions
