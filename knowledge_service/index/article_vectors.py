"""Whole-article vectors: each article's normalised mean unit vector, searchable by article.

Kept beside the unit vectors by the hybrid index (which holds the lock); used to find an
article's neighbours without an all-pairs scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from knowledge_service.index.arrays import FloatArray, IdArray, normalise_rows
from knowledge_service.index.chunking import Unit, UnitKind
from knowledge_service.index.schemas import SearchFilters
from knowledge_service.index.snapshot import ArticleEntry, article_key
from knowledge_service.index.vectors import FaissVectorIndex

ARTICLE_VECTOR_KINDS = frozenset({UnitKind.TITLE, UnitKind.ANSWER, UnitKind.SECTION})
"""Units whose mean is an article's vector (questions say what is asked, not what is said)."""


def _keys(article_ids: Sequence[str]) -> IdArray:
    return np.asarray([article_key(a) for a in article_ids], dtype=np.int64)


class ArticleVectors:
    """An article-keyed vector index (not thread-safe: the hybrid index locks around it).

    Args:
        dimension: The vector size.
    """

    def __init__(self, dimension: int) -> None:
        self.index = FaissVectorIndex(dimension)

    def __len__(self) -> int:
        return len(self.index)

    def remove(self, article_ids: Sequence[str]) -> None:
        """Drop the vectors of ``article_ids`` (unknown ids are ignored)."""
        self.index.remove(_keys(article_ids))

    def refresh(
        self,
        article_ids: Sequence[str],
        articles: Mapping[str, ArticleEntry],
        units: Mapping[int, Unit],
        unit_vectors: FaissVectorIndex,
    ) -> None:
        """Recompute the vectors of ``article_ids`` from their current units."""
        keys, rows = [], []
        for article_id in article_ids:
            entry = articles[article_id]
            ids = [u for u in entry.unit_ids if units[u].kind in ARTICLE_VECTOR_KINDS]
            if ids:
                mean = unit_vectors.vectors_for(np.asarray(ids, dtype=np.int64)).mean(axis=0)
                keys.append(article_key(article_id))
                rows.append(mean)
        if keys:
            self.index.add(np.asarray(keys, dtype=np.int64), normalise_rows(np.stack(rows)))

    def vectors_for(self, article_ids: Sequence[str]) -> FloatArray:
        """The vectors of ``article_ids`` (all known)."""
        return self.index.vectors_for(_keys(article_ids))

    def nearest(
        self,
        article_id: str,
        articles: Mapping[str, ArticleEntry],
        k: int,
        min_score: float,
        filters: SearchFilters,
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest other articles that ``filters`` admit, by cosine."""
        if article_id not in articles:
            return []
        query = self.vectors_for([article_id])
        by_key = {article_key(a): a for a in articles}
        fetch = min(len(self.index), max(4 * k, k + 16))
        scores, ids = self.index.search(query, fetch)
        found = []
        for score, key in zip(scores[0].tolist(), ids[0].tolist(), strict=True):
            other = by_key.get(key)
            if other is None or other == article_id or score < min_score:
                continue
            if filters.admits(articles[other].doc):
                found.append((other, float(score)))
        return found[:k]
