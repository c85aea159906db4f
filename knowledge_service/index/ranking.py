"""Ranking a query against a :class:`HybridIndex`: candidates, unit fusion, article aggregation.

Candidates are the dense top units (from the vector index) plus the lexical top units; every
candidate then gets its exact cosine and its normalised BM25 score, so the two kinds of evidence
are fused on the same units. Filters are applied to articles before anything is ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from knowledge_service.index.embedder import FloatArray
from knowledge_service.index.fusion import (
    FusionConfig,
    aggregate_articles,
    combine_head,
    fuse_scores,
)
from knowledge_service.index.schemas import SearchFilters, SearchHit

if TYPE_CHECKING:
    from knowledge_service.index.hybrid import HybridIndex, UnitTable

SNIPPET_CHARS = 320
MAX_CACHED_FILTERS = 64


def _lexical_scores(
    index: HybridIndex, table: UnitTable, query: str, allowed: npt.NDArray[np.bool_]
) -> FloatArray:
    """Raw BM25 score of every unit (table rows); 0 for filtered-out units."""
    out = np.zeros(len(table.keys), dtype=np.float32)
    keys, scores = index.lexical.scores(query)
    if len(keys):
        out[index.lexical_rows(table, keys)] = scores
        if not allowed.all():
            out[~allowed] = 0.0
    return out


def allowed_rows(
    index: HybridIndex, table: UnitTable, filters: SearchFilters
) -> npt.NDArray[np.bool_]:
    """Per unit-table row, whether ``filters`` admit the unit's article.

    Cached on the table per distinct filter set, so the filters are checked against every
    article once per index change rather than on every query (the table is replaced on any
    mutation, which drops the cache with it).
    """
    key = (filters.status, filters.audience, filters.channel, filters.locale, filters.intent)
    mask = table.masks.get(key)
    if mask is None:
        admitted = np.fromiter(
            (filters.admits(index.articles[a].doc) for a in table.article_ids),
            dtype=bool,
            count=len(table.article_ids),
        )
        mask = admitted[table.article_pos] if len(admitted) else np.zeros(0, dtype=bool)
        mask.flags.writeable = False
        while len(table.masks) >= MAX_CACHED_FILTERS:
            table.masks.pop(next(iter(table.masks)), None)
        table.masks[key] = mask
    return mask


def _top_rows(values: FloatArray, rows: npt.NDArray[np.intp], k: int) -> npt.NDArray[np.intp]:
    """The ``k`` rows of highest value, ties taken in row order (as a stable sort would)."""
    if len(rows) <= k:
        return rows
    kth = np.partition(values, len(values) - k)[len(values) - k]
    above = rows[values > kth]
    ties = rows[values == kth][: k - len(above)]
    return np.concatenate([above, ties])


def _candidate_rows(
    index: HybridIndex,
    table: UnitTable,
    dense_rows: npt.NDArray[np.intp],
    allowed: npt.NDArray[np.bool_],
    lexical: FloatArray,
) -> npt.NDArray[np.intp]:
    """Dense top units plus lexical top units (all allowed units when they are few)."""
    if np.count_nonzero(allowed) <= index.options.dense_candidates:
        return np.flatnonzero(allowed)
    dense_rows = dense_rows[allowed[dense_rows]]
    matched = np.flatnonzero(lexical > 0)
    top = _top_rows(lexical[matched], matched, index.options.lexical_candidates)
    chosen = np.zeros(len(table.keys), dtype=bool)
    chosen[dense_rows] = True
    chosen[top] = True
    return np.flatnonzero(chosen)


def _snippet(index: HybridIndex, unit_id: int) -> tuple[str | None, str]:
    unit = index.units[unit_id]
    if unit.kind in ("title", "question"):  # the customer's words matched: show the answer
        return None, index.articles[unit.article_id].doc.answer[:SNIPPET_CHARS]
    return unit.section, unit.text[:SNIPPET_CHARS]


@dataclass
class Evidence:
    """The scored candidate units of one query, before fusion weights are applied."""

    unit_ids: list[int]
    dense: FloatArray
    lexical: FloatArray
    lexical_max: float
    lexical_bound: float
    article_ids: list[str]
    article_of_unit: npt.NDArray[np.int64]
    is_body: npt.NDArray[np.bool_]


def _dense_scores(
    index: HybridIndex,
    table: UnitTable,
    rows: npt.NDArray[np.intp],
    vector: FloatArray,
    known: tuple[npt.NDArray[np.intp], FloatArray] | None,
) -> FloatArray:
    """Cosines of the candidate rows: the vector index's scores where it returned them."""
    if known is None:
        dense: FloatArray = (index.vectors.vectors_for(table.keys[rows]) @ vector).astype(
            np.float32
        )
        return dense
    by_row = np.full(len(table.keys), np.nan, dtype=np.float32)
    by_row[known[0]] = known[1]
    out = by_row[rows]
    missing = np.flatnonzero(np.isnan(out))
    if missing.size:
        out[missing] = index.vectors.vectors_for(table.keys[rows[missing]]) @ vector
    return out


def gather_evidence(
    index: HybridIndex,
    query: str,
    vector: FloatArray,
    dense_ids: npt.NDArray[np.int64],
    allowed: npt.NDArray[np.bool_],
    dense_scores: FloatArray | None = None,
) -> Evidence:
    """Candidate units with exact cosines and normalised BM25 (caller holds the read lock).

    Args:
        index: The index.
        query: The query text (for BM25).
        vector: The encoded query.
        dense_ids: The vector index's top unit ids for the query.
        allowed: Per unit-table row, whether the filters admit the unit's article.
        dense_scores: The vector index's scores of ``dense_ids`` (saves recomputing them).
    """
    table = index.unit_table()
    lexical = _lexical_scores(index, table, query, allowed)
    valid = dense_ids >= 0
    dense_rows = table.rows(dense_ids[valid])
    rows = _candidate_rows(index, table, dense_rows, allowed, lexical)
    unit_ids = table.keys[rows]
    known = None if dense_scores is None else (dense_rows, dense_scores[valid])
    dense = (
        _dense_scores(index, table, rows, vector, known)
        if len(rows)
        else np.zeros(0, dtype=np.float32)
    )
    positions, article_of_unit = np.unique(table.article_pos[rows], return_inverse=True)
    article_ids: list[str] = table.article_id_array[positions].tolist()
    return Evidence(
        unit_ids.tolist(),
        dense.astype(np.float32),
        lexical[rows],
        float(lexical.max()) if len(lexical) else 0.0,
        index.lexical.query_bound(query),
        article_ids,
        article_of_unit.astype(np.int64),
        table.is_body[rows],
    )


def head_probabilities(
    index: HybridIndex, vector: FloatArray, article_ids: Sequence[str]
) -> FloatArray:
    """The intent head's probability of each article (0 for articles it does not know)."""
    if index.head is None:
        return np.zeros(len(article_ids), dtype=np.float32)
    probs = index.head.predict_proba(vector[None, :])[0]
    pos = {a: n for n, a in enumerate(index.head.article_ids)}
    return np.asarray([probs[pos[a]] if a in pos else 0.0 for a in article_ids], np.float32)


def normalised_lexical(evidence: Evidence, config: FusionConfig) -> FloatArray:
    """The evidence's BM25 scores on a 0..1 scale, as ``config.lexical_norm`` says."""
    scale = evidence.lexical_bound if config.lexical_norm == "idf" else evidence.lexical_max
    if scale <= 0.0:
        return np.zeros_like(evidence.lexical)
    result: FloatArray = np.minimum(evidence.lexical / scale, 1.0).astype(np.float32)
    return result


def score_evidence(
    evidence: Evidence, config: FusionConfig, head: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Fused unit scores and article scores of one query's evidence under ``config``."""
    fused = fuse_scores(evidence.dense, normalised_lexical(evidence, config), config.dense_weight)
    if config.body_weight != 1.0:
        fused = np.where(evidence.is_body, fused * config.body_weight, fused).astype(np.float32)
    scores = aggregate_articles(
        evidence.article_of_unit,
        fused,
        len(evidence.article_ids),
        top_k=config.article_top_k,
        mix=config.aggregate_mix,
    )
    if head is not None:
        scores = combine_head(scores, head, config.head_weight)
    return fused, scores


def _top_articles(scores: FloatArray, top_k: int) -> npt.NDArray[np.intp]:
    """Indices of the ``top_k`` best scores, best first, ties in index order (stable)."""
    if len(scores) > 4 * top_k:
        kth = np.partition(scores, len(scores) - top_k)[len(scores) - top_k]
        keep = np.flatnonzero(scores >= kth)
        return keep[np.argsort(-scores[keep], kind="stable")[:top_k]]
    return np.argsort(-scores, kind="stable")[:top_k]


def rank_query(
    index: HybridIndex,
    query: str,
    vector: FloatArray,
    dense_ids: npt.NDArray[np.int64],
    allowed: npt.NDArray[np.bool_],
    top_k: int,
    dense_scores: FloatArray | None = None,
) -> list[SearchHit]:
    """Rank the allowed articles for one encoded query (the caller holds the read lock)."""
    ev = gather_evidence(index, query, vector, dense_ids, allowed, dense_scores)
    if not ev.unit_ids:
        return []
    use_head = index.head is not None and index.config.head_weight > 0
    head = head_probabilities(index, vector, ev.article_ids) if use_head else None
    fused, scores = score_evidence(ev, index.config, head)
    lexical = normalised_lexical(ev, index.config)
    hits = []
    for a in _top_articles(scores, top_k).tolist():
        members = np.flatnonzero(ev.article_of_unit == a)
        best = int(members[np.argmax(fused[members])])
        unit = index.units[ev.unit_ids[best]]
        doc = index.articles[ev.article_ids[a]].doc
        section, snippet = _snippet(index, unit.unit_id)
        hits.append(
            SearchHit(
                article_id=doc.id,
                version=index.articles[doc.id].version,
                title=doc.title,
                section=section,
                snippet=snippet,
                score=float(scores[a]),
                dense_score=float(ev.dense[best]),
                lexical_score=float(lexical[best]),
                unit_kind=unit.kind,
                intents=list(doc.intents),
                audience=doc.audience,
                channels=list(doc.channels),
                locale=doc.locale,
            )
        )
    return hits


def search_encoded(
    index: HybridIndex,
    queries: Sequence[str],
    vectors: FloatArray,
    *,
    top_k: int,
    filters: SearchFilters,
) -> list[list[SearchHit]]:
    """Rank articles for already-encoded queries (one dense search call for the batch)."""
    if top_k <= 0:
        return [[] for _ in queries]
    with index.lock.read():
        table = index.unit_table()
        allowed = allowed_rows(index, table, filters)
        if not queries or not allowed.any():
            return [[] for _ in queries]
        k = min(len(index.vectors), index.options.dense_candidates)
        dense_scores, dense_ids = index.vectors.search(vectors, k)
        return [
            rank_query(index, q, vectors[n], dense_ids[n], allowed, top_k, dense_scores[n])
            for n, q in enumerate(queries)
        ]
