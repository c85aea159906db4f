"""Ranking a query over an :class:`IndexSnapshot`: unit fusion and article aggregation.

The evidence (candidate units and their scores) comes from
:mod:`~knowledge_service.index.evidence`; here it is fused under the fusion weights, aggregated
to whole articles and turned into hits. Ranking reads only the snapshot it is handed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from knowledge_service.content.plaintext import plain_snippet, plain_title
from knowledge_service.index.arrays import FloatArray
from knowledge_service.index.chunking import CUSTOMER_KINDS
from knowledge_service.index.evidence import Evidence, allowed_rows, gather_evidence
from knowledge_service.index.fusion import (
    FusionConfig,
    LexicalNorm,
    add_weighted,
    aggregate_articles,
    combine_head,
    fuse_scores,
    smooth_scores,
    term_coverage,
    term_idf,
)
from knowledge_service.index.schemas import SearchFilters, SearchHit, SearchRequest
from knowledge_service.index.snapshot import IndexSnapshot

SNIPPET_CHARS = 320


def _snippet(snap: IndexSnapshot, unit_id: int) -> tuple[str | None, str]:
    """The hit's section and snippet: the best unit's headings (``Fees > Card payments``) and
    the start of its text (the answer's when the customer's words matched), as plain text,
    never their Markdown (a link as its text)."""
    unit = snap.units[unit_id]
    if unit.kind in CUSTOMER_KINDS:  # the customer's words matched: show the answer
        return None, plain_snippet(snap.articles[unit.article_id].doc.answer, SNIPPET_CHARS)
    section = " > ".join(plain_title(heading) for heading in unit.section_path) or None
    return section, plain_snippet(unit.text, SNIPPET_CHARS)


def head_probabilities(
    snap: IndexSnapshot, vector: FloatArray, article_ids: Sequence[str]
) -> FloatArray:
    """The intent head's probability of each article (0 for articles it does not know)."""
    if snap.head is None:
        return np.zeros(len(article_ids), dtype=np.float32)
    probs = snap.head.predict_proba(vector[None, :])[0]
    pos = {a: n for n, a in enumerate(snap.head.article_ids)}
    return np.asarray([probs[pos[a]] if a in pos else 0.0 for a in article_ids], np.float32)


def article_rows_of(
    snap: IndexSnapshot, article_ids: Sequence[str], rows: npt.NDArray[np.intp] | None = None
) -> npt.NDArray[np.intp]:
    """The articles' positions in the unit table (their centroid rows); ``rows`` when known
    (``Evidence.article_rows``): no lookup by id per article."""
    if rows is not None:
        return rows
    _, row_of = snap.table.centroid_matrix(snap.articles)
    return np.fromiter((row_of[a] for a in article_ids), np.intp, count=len(article_ids))


def article_centroids(
    snap: IndexSnapshot, article_ids: Sequence[str], rows: npt.NDArray[np.intp] | None = None
) -> FloatArray:
    """Each article's centroid (its whole content), one row each (no columns when no article
    has one yet)."""
    matrix, _ = snap.table.centroid_matrix(snap.articles)
    if not article_ids:
        return np.zeros((0, matrix.shape[1]), dtype=np.float32)
    result: FloatArray = matrix[article_rows_of(snap, article_ids, rows)]
    return result


def cosines_to(centroids: FloatArray, vector: FloatArray) -> FloatArray:
    """The query's cosine to each centroid row (0 for all when no article has one yet)."""
    if centroids.shape[1] == 0:
        return np.zeros(len(centroids), dtype=np.float32)
    result: FloatArray = (centroids @ vector).astype(np.float32)
    return result


def centroid_cosines(
    snap: IndexSnapshot,
    vector: FloatArray,
    article_ids: Sequence[str],
    rows: npt.NDArray[np.intp] | None = None,
) -> FloatArray:
    """The query's cosine to each article's centroid (its whole content; 0 without one).

    ``rows``, when known (``Evidence.article_rows``), are the articles' positions in the unit
    table, which are their centroid rows: no lookup by id per article.
    """
    return cosines_to(article_centroids(snap, article_ids, rows), vector)


def query_coverage(snap: IndexSnapshot, query: str, evidence: Evidence) -> FloatArray:
    """Per evidence article, the share of the query terms' IDF weight its units hold.

    IDF is counted over articles (how many articles hold the term), so a term every article
    holds weighs little and a term one article holds weighs most.
    """
    table = snap.table
    terms = snap.lexical.terms(query)
    positions = article_rows_of(snap, evidence.article_ids, evidence.article_rows)
    # per article of the table, whether it holds each term (a mark per holder, then the
    # evidence articles' rows: no search of the holders per article)
    marks = np.zeros((len(table.article_ids), len(terms)), dtype=bool)
    frequency = np.zeros(len(terms), dtype=np.int64)
    for n, term in enumerate(terms):
        holders = table.term_articles(term, snap.lexical)
        frequency[n] = len(holders)
        marks[holders, n] = True
    return term_coverage(marks[positions], term_idf(frequency, len(table.article_ids)))


def normalised_lexical(evidence: Evidence, config: FusionConfig) -> FloatArray:
    """The evidence's BM25 scores on a 0..1 scale, as ``config.lexical_norm`` says."""
    is_idf = config.lexical_norm == LexicalNorm.IDF
    scale = evidence.lexical_bound if is_idf else evidence.lexical_max
    if scale <= 0.0:
        return np.zeros_like(evidence.lexical)
    result: FloatArray = np.minimum(evidence.lexical / scale, 1.0).astype(np.float32)
    return result


def score_evidence(
    evidence: Evidence,
    config: FusionConfig,
    head: FloatArray | None = None,
    centroid: FloatArray | None = None,
    coverage: FloatArray | None = None,
    centroids: FloatArray | None = None,
    *,
    lexical: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Fused unit scores and article scores of one query's evidence under ``config``.

    ``head`` holds the intent head's probability, ``centroid`` the query's cosine to the
    article's centroid, ``coverage`` the article's share of the query terms' weight, per
    evidence article (each used when given and weighted); ``centroids`` (the articles'
    centroids, one row each) lets the best articles' scores be smoothed together; ``lexical``
    is ``normalised_lexical(evidence, config)`` when the caller has it already.
    """
    if lexical is None:
        lexical = normalised_lexical(evidence, config)
    fused = fuse_scores(evidence.dense, lexical, config.dense_weight)
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
    if centroid is not None:
        scores = add_weighted(scores, centroid, config.centroid_weight)
    if coverage is not None:
        scores = add_weighted(scores, coverage, config.coverage_weight)
    if centroids is not None and config.smooth_weight > 0 and centroids.shape[1]:
        top = _top_articles(scores, config.smooth_top)
        scores = scores.copy()
        scores[top] = smooth_scores(
            scores[top], centroids[top], config.smooth_weight, config.smooth_temperature
        )
    return fused, scores


def _top_articles(scores: FloatArray, top_k: int) -> npt.NDArray[np.intp]:
    """Indices of the ``top_k`` best scores, best first, ties in index order (stable)."""
    if len(scores) > 4 * top_k:
        kth = np.partition(scores, len(scores) - top_k)[len(scores) - top_k]
        keep = np.flatnonzero(scores >= kth)
        return keep[np.argsort(-scores[keep], kind="stable")[:top_k]]
    return np.argsort(-scores, kind="stable")[:top_k]


def _best_units(ev: Evidence, fused: FloatArray, articles: list[int]) -> list[int]:
    """For each of ``articles`` (evidence article numbers), its best unit: the one of highest
    fused score, the first in evidence order on a tie (as ``np.argmax``), in one pass."""
    if not articles:
        return []
    wanted = np.full(len(ev.article_ids), -1, dtype=np.intp)
    wanted[articles] = np.arange(len(articles))
    slot = wanted[ev.article_of_unit]
    members = np.flatnonzero(slot >= 0)
    # by slot, then fused score descending; the sort is stable, so ties keep evidence order
    order = members[np.lexsort((-fused[members], slot[members]))]
    ordered = slot[order]
    first = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    best = np.empty(len(articles), dtype=np.intp)
    best[slot[order[first]]] = order[first]
    result: list[int] = best.tolist()
    return result


def _hit(
    snap: IndexSnapshot,
    ev: Evidence,
    article: int,
    best: int,
    scores: FloatArray,
    lexical: FloatArray,
) -> SearchHit:
    """The hit of the ``article``-th evidence article, shown through its ``best`` unit."""
    unit = snap.units[ev.unit_ids[best]]
    entry = snap.articles[ev.article_ids[article]]
    doc = entry.doc
    section, snippet = _snippet(snap, unit.unit_id)
    return SearchHit(
        article_id=doc.id,
        version=entry.version,
        title=doc.title,
        section=section,
        snippet=snippet,
        score=float(scores[article]),
        dense_score=float(ev.dense[best]),
        lexical_score=float(lexical[best]),
        unit_kind=unit.kind,
        intents=list(doc.intents),
        audience=doc.audience,
        channels=list(doc.channels),
        locale=doc.locale,
    )


def rank_query(
    snap: IndexSnapshot,
    query: str,
    vector: FloatArray,
    dense_ids: npt.NDArray[np.int64],
    allowed: npt.NDArray[np.bool_],
    top_k: int,
    dense_scores: FloatArray | None = None,
) -> list[SearchHit]:
    """Rank the allowed articles for one encoded query."""
    ev = gather_evidence(snap, query, vector, dense_ids, allowed, dense_scores)
    if not ev.unit_ids:
        return []
    use_head = snap.head is not None and snap.config.head_weight > 0
    head = head_probabilities(snap, vector, ev.article_ids) if use_head else None
    config = snap.config
    centroids = None
    if config.centroid_weight > 0 or config.smooth_weight > 0:
        centroids = article_centroids(snap, ev.article_ids, ev.article_rows)
    centroid = None
    if centroids is not None and config.centroid_weight > 0:
        centroid = cosines_to(centroids, vector)
    coverage = query_coverage(snap, query, ev) if config.coverage_weight > 0 else None
    lexical = normalised_lexical(ev, config)
    fused, scores = score_evidence(ev, config, head, centroid, coverage, centroids, lexical=lexical)
    top = _top_articles(scores, top_k).tolist()
    best = _best_units(ev, fused, top)
    return [_hit(snap, ev, a, b, scores, lexical) for a, b in zip(top, best, strict=True)]


def search_encoded(
    snap: IndexSnapshot,
    queries: Sequence[str],
    vectors: FloatArray,
    *,
    top_k: int,
    filters: SearchFilters,
) -> list[list[SearchHit]]:
    """Rank articles for already-encoded queries (one dense search call for the batch)."""
    if top_k <= 0:
        return [[] for _ in queries]
    allowed = allowed_rows(snap, filters)
    if not queries or not allowed.any():
        return [[] for _ in queries]
    k = min(len(snap.vectors), snap.options.dense_candidates)
    dense_scores, dense_ids = snap.vectors.search(vectors, k)
    return [
        rank_query(snap, q, vectors[n], dense_ids[n], allowed, top_k, dense_scores[n])
        for n, q in enumerate(queries)
    ]


def group_requests(requests: Sequence[SearchRequest]) -> list[list[int]]:
    """Positions of the requests that share ``top_k`` and filters (ranked together)."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for n, r in enumerate(requests):
        groups.setdefault((r.top_k, *r.filters.key()), []).append(n)
    return list(groups.values())
