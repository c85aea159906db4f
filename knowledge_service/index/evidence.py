"""Gathering a query's evidence: candidate units with their dense and lexical scores.

Candidates are the dense top units (from the vector index) plus the lexical top units; every
candidate then gets its exact cosine and its BM25 score, so the two kinds of evidence are fused
on the same units (see :mod:`~knowledge_service.index.ranking`). Filters are applied to articles
before anything is ranked. Everything here reads an :class:`IndexSnapshot` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge_service.index.arrays import FloatArray
from knowledge_service.index.schemas import SearchFilters
from knowledge_service.index.snapshot import IndexSnapshot

MAX_CACHED_FILTERS = 64


def _lexical_scores(snap: IndexSnapshot, query: str, allowed: npt.NDArray[np.bool_]) -> FloatArray:
    """Raw BM25 score of every unit (table rows); 0 for filtered-out units."""
    out = np.zeros(len(snap.table.keys), dtype=np.float32)
    keys, scores = snap.lexical.scores(query)
    if len(keys):
        out[snap.table.lexical_rows(keys)] = scores
        if not allowed.all():
            out[~allowed] = 0.0
    return out


def allowed_rows(snap: IndexSnapshot, filters: SearchFilters) -> npt.NDArray[np.bool_]:
    """Per unit-table row, whether ``filters`` admit the unit's article.

    Cached on the table per distinct filter set, so the filters are checked against every
    article once per index change rather than on every query (the table is replaced on any
    mutation, which drops the cache with it).
    """
    table = snap.table
    key = filters.key()
    mask = table.masks.get(key)
    if mask is None:
        admitted = np.fromiter(
            (filters.admits(snap.articles[a].doc) for a in table.article_ids),
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
    snap: IndexSnapshot,
    dense_rows: npt.NDArray[np.intp],
    allowed: npt.NDArray[np.bool_],
    lexical: FloatArray,
) -> npt.NDArray[np.intp]:
    """Dense top units plus lexical top units (all allowed units when they are few)."""
    if np.count_nonzero(allowed) <= snap.options.dense_candidates:
        return np.flatnonzero(allowed)
    dense_rows = dense_rows[allowed[dense_rows]]
    matched = np.flatnonzero(lexical > 0)
    top = _top_rows(lexical[matched], matched, snap.options.lexical_candidates)
    chosen = np.zeros(len(snap.table.keys), dtype=bool)
    chosen[dense_rows] = True
    chosen[top] = True
    return np.flatnonzero(chosen)


def _distinct(
    values: npt.NDArray[np.int64], bound: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """``np.unique(values, return_inverse=True)`` for values in ``0..bound-1``, without a sort
    (a mark per possible value, then a running count)."""
    present = np.zeros(bound, dtype=bool)
    present[values] = True
    distinct = np.flatnonzero(present)
    number = np.cumsum(present, dtype=np.intp) - 1
    return distinct, number[values]


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
    article_rows: npt.NDArray[np.intp] | None = None
    """Each evidence article's position in the unit table's ``article_ids`` (the row of its
    centroid in ``UnitTable.centroid_matrix``)."""


def _dense_scores(
    snap: IndexSnapshot,
    rows: npt.NDArray[np.intp],
    vector: FloatArray,
    known: tuple[npt.NDArray[np.intp], FloatArray] | None,
) -> FloatArray:
    """Cosines of the candidate rows: the vector index's scores where it returned them."""
    table, vectors = snap.table, snap.vectors
    if known is None:
        dense: FloatArray = (vectors.vectors_for(table.keys[rows]) @ vector).astype(np.float32)
        return dense
    by_row = np.full(len(table.keys), np.nan, dtype=np.float32)
    by_row[known[0]] = known[1]
    out = by_row[rows]
    missing = np.flatnonzero(np.isnan(out))
    if missing.size:
        out[missing] = vectors.vectors_for(table.keys[rows[missing]]) @ vector
    return out


def gather_evidence(
    snap: IndexSnapshot,
    query: str,
    vector: FloatArray,
    dense_ids: npt.NDArray[np.int64],
    allowed: npt.NDArray[np.bool_],
    dense_scores: FloatArray | None = None,
) -> Evidence:
    """Candidate units with exact cosines and normalised BM25 (caller holds the read lock).

    Args:
        snap: The index's read-only view.
        query: The query text (for BM25).
        vector: The encoded query.
        dense_ids: The vector index's top unit ids for the query.
        allowed: Per unit-table row, whether the filters admit the unit's article.
        dense_scores: The vector index's scores of ``dense_ids`` (saves recomputing them).
    """
    table = snap.table
    lexical = _lexical_scores(snap, query, allowed)
    valid = dense_ids >= 0
    dense_rows = table.rows(dense_ids[valid])
    rows = _candidate_rows(snap, dense_rows, allowed, lexical)
    unit_ids = table.keys[rows]
    known = None if dense_scores is None else (dense_rows, dense_scores[valid])
    dense = _dense_scores(snap, rows, vector, known) if len(rows) else np.zeros(0, dtype=np.float32)
    positions, article_of_unit = _distinct(table.article_pos[rows], len(table.article_ids))
    article_ids: list[str] = table.article_id_array[positions].tolist()
    return Evidence(
        unit_ids.tolist(),
        dense.astype(np.float32),
        lexical[rows],
        float(lexical.max()) if len(lexical) else 0.0,
        snap.lexical.query_bound(query),
        article_ids,
        article_of_unit.astype(np.int64),
        table.is_body[rows],
        positions.astype(np.intp),
    )
