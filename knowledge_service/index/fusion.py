"""Pure fusion maths: dense + lexical unit scores into one, then units into whole articles.

Dense scores are cosines (already on a fixed scale); BM25 scores are unbounded, so they are
divided by the query's best BM25 score before the weighted sum. An article is scored by its best
units (a mix of its best unit and the mean of its ``top_k`` best), so an article whose several
questions all match a query beats one that matches by a single lucky chunk. An optional intent
head (a classifier over articles trained on their questions) adds its probability.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


class LexicalNorm(StrEnum):
    """How BM25 scores are put on a 0..1 scale (see :class:`FusionConfig`)."""

    MAX = "max"
    IDF = "idf"


@dataclass(frozen=True)
class FusionConfig:
    """Weights of the hybrid ranking, tuned on the shared eval sets (see scripts/eval.py).

    Attributes:
        dense_weight: Weight of the dense cosine in a unit's score (the rest is lexical).
        article_top_k: How many of an article's best units are averaged.
        aggregate_mix: Weight of that average against the article's single best unit.
        head_weight: Weight of the intent head's probability in an article's score.
        lexical_norm: ``max`` divides BM25 by the query's best score; ``idf`` by the sum of
            the query terms' IDF (an absolute scale that does not inflate weak matches).
        body_weight: Multiplier of answer and section units' scores against title and
            question units (a customer's question is phrased like a question, not like prose).
        centroid_weight: Weight of the query's cosine to the article's centroid (the mean of
            all its unit vectors) added to its score: evidence from the whole article, not
            only from its best few units.
        coverage_weight: Weight of the article's share of the query terms' IDF weight (terms
            any of its units holds, IDF counted over articles) added to its score: an article
            that holds more of what the query names beats one matching a part of it.
        smooth_weight: How far each of the ``smooth_top`` best articles' scores is pulled
            toward the scores of the others among them, weighted by how alike their centroids
            are (score regularisation: an article whose close neighbours also match gains on
            one that matches alone).
        smooth_top: How many best articles are smoothed together.
        smooth_temperature: Width of the similarity kernel ``exp((cosine - 1) / t)``.
    """

    dense_weight: float = 0.85
    article_top_k: int = 10
    aggregate_mix: float = 0.5
    head_weight: float = 0.0
    body_weight: float = 0.9
    lexical_norm: LexicalNorm = LexicalNorm.MAX
    centroid_weight: float = 0.0
    coverage_weight: float = 0.0
    smooth_weight: float = 0.0
    smooth_top: int = 5
    smooth_temperature: float = 0.1


def normalise_lexical(scores: FloatArray) -> FloatArray:
    """Scale BM25 scores into 0..1 by the query's best score (all zero stays all zero)."""
    best = float(scores.max()) if scores.size else 0.0
    if best <= 0.0:
        return np.zeros_like(scores, dtype=np.float32)
    result: FloatArray = (scores / best).astype(np.float32)
    return result


def fuse_scores(dense: FloatArray, lexical: FloatArray, dense_weight: float) -> FloatArray:
    """Weighted sum of dense cosines and normalised lexical scores, unit by unit."""
    if not 0.0 <= dense_weight <= 1.0:
        raise ValueError(f"dense_weight must be within 0..1, got {dense_weight}")
    fused: FloatArray = (dense_weight * dense + (1.0 - dense_weight) * lexical).astype(np.float32)
    return fused


def aggregate_articles(
    article_of_unit: IntArray,
    unit_scores: FloatArray,
    n_articles: int,
    *,
    top_k: int = 3,
    mix: float = 0.5,
) -> FloatArray:
    """Score articles from their units' scores.

    Args:
        article_of_unit: For each unit, the index of its article (0..n_articles-1).
        unit_scores: For each unit, its fused score.
        n_articles: The number of articles.
        top_k: How many best units of an article are averaged.
        mix: ``score = (1 - mix) * best + mix * mean(top_k best)``; an article with fewer
            than ``top_k`` units averages the ones it has.

    Returns:
        One score per article; ``-inf`` for an article without any scored unit.
    """
    out = np.full(n_articles, -np.inf, dtype=np.float32)
    if unit_scores.size == 0:
        return out
    order = np.lexsort((-unit_scores, article_of_unit))
    arts, scores = article_of_unit[order], unit_scores[order]
    starts = np.flatnonzero(np.concatenate(([True], arts[1:] != arts[:-1])))
    group_start = np.repeat(starts, np.diff(starts, append=len(arts)))
    keep = (np.arange(len(arts)) - group_start) < max(1, top_k)
    sums = np.bincount(arts[keep], weights=scores[keep], minlength=n_articles)
    counts = np.bincount(arts[keep], minlength=n_articles)
    best = np.full(n_articles, -np.inf)
    best[arts[starts]] = scores[starts]
    has = counts > 0
    mean = np.where(has, sums / np.maximum(counts, 1), -np.inf)
    out[has] = ((1.0 - mix) * best[has] + mix * mean[has]).astype(np.float32)
    return out


def add_weighted(article_scores: FloatArray, extra: FloatArray, weight: float) -> FloatArray:
    """``article_scores + weight * extra`` (unchanged when the weight is 0)."""
    if weight == 0.0:
        return article_scores
    combined: FloatArray = (article_scores + weight * extra).astype(np.float32)
    return combined


def combine_head(article_scores: FloatArray, head_probs: FloatArray, weight: float) -> FloatArray:
    """Add the intent head's probabilities (0 where it has no opinion) to article scores."""
    return add_weighted(article_scores, head_probs, weight)


def term_idf(document_frequency: IntArray, n_documents: int) -> FloatArray:
    """BM25's IDF of terms held by ``document_frequency`` of ``n_documents`` documents."""
    df = document_frequency.astype(np.float64)
    result: FloatArray = np.log1p((n_documents - df + 0.5) / (df + 0.5)).astype(np.float32)
    return result


def term_coverage(holds: npt.NDArray[np.bool_], idf: FloatArray) -> FloatArray:
    """Per article (row of ``holds``), the share of the terms' IDF weight it holds.

    Args:
        holds: ``(articles, terms)``: whether the article holds the term.
        idf: Each term's IDF.

    Returns:
        One value in 0..1 per article; all 0 without terms.
    """
    total = float(idf.sum())
    if holds.shape[1] == 0 or total <= 0.0:
        return np.zeros(holds.shape[0], dtype=np.float32)
    # elementwise, not a BLAS product: OpenBLAS's small float32 kernels now and then leave the
    # "invalid" floating-point flag set on finite input, which NumPy reports as a warning
    result: FloatArray = (np.where(holds, idf, 0.0).sum(axis=1) / total).astype(np.float32)
    return result


def smooth_scores(
    scores: FloatArray, vectors: FloatArray, weight: float, temperature: float
) -> FloatArray:
    """Each score pulled toward the others', weighted by ``exp((cosine - 1) / temperature)``.

    Args:
        scores: The scores of a few articles.
        vectors: Their (normalised) centroids, one row each.
        weight: ``score = (1 - weight) * own + weight * kernel-weighted mean of the others``.
        temperature: Kernel width: small values listen only to very similar articles.
    """
    if weight == 0.0 or len(scores) < 2:
        return scores
    if temperature <= 0.0:
        raise ValueError(f"smooth_temperature must be above 0, got {temperature}")
    # a handful of articles: einsum's own loops, not BLAS (see term_coverage)
    kernel = np.exp((np.einsum("ik,jk->ij", vectors, vectors) - 1.0) / temperature)
    np.fill_diagonal(kernel, 0.0)
    others = np.einsum("ij,j->i", kernel, scores) / np.maximum(kernel.sum(axis=1), 1e-12)
    result: FloatArray = ((1.0 - weight) * scores + weight * others).astype(np.float32)
    return result
