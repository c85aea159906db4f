"""Fusion maths: lexical normalisation, weighted sums and article aggregation."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_service.index.fusion import (
    add_weighted,
    aggregate_articles,
    combine_head,
    fuse_scores,
    normalise_lexical,
    smooth_scores,
    term_coverage,
    term_idf,
)


def f32(*values: float) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def test_lexical_scores_are_scaled_by_the_best_one() -> None:
    assert normalise_lexical(f32(2.0, 4.0, 0.0)).tolist() == [0.5, 1.0, 0.0]


def test_no_lexical_match_stays_zero() -> None:
    assert normalise_lexical(f32(0.0, 0.0)).tolist() == [0.0, 0.0]
    assert normalise_lexical(f32()).size == 0


@pytest.mark.parametrize(
    ("weight", "expected"),
    [(1.0, [0.8, 0.2]), (0.0, [0.0, 1.0]), (0.5, [0.4, 0.6])],
)
def test_fused_score_is_the_weighted_sum(weight: float, expected: list[float]) -> None:
    fused = fuse_scores(f32(0.8, 0.2), f32(0.0, 1.0), weight)
    assert fused.tolist() == pytest.approx(expected)


@pytest.mark.parametrize("weight", [-0.1, 1.5])
def test_weight_outside_zero_to_one_is_rejected(weight: float) -> None:
    with pytest.raises(ValueError, match="dense_weight"):
        fuse_scores(f32(1.0), f32(1.0), weight)


def test_article_with_several_good_units_beats_one_lucky_unit() -> None:
    # article 0: one unit at 0.9, the rest weak; article 1: three units at about 0.87
    arts = np.asarray([0, 0, 0, 1, 1, 1])
    scores = f32(0.9, 0.3, 0.2, 0.88, 0.87, 0.86)
    best_only = aggregate_articles(arts, scores, 2, top_k=1, mix=0.0)
    assert best_only.tolist() == pytest.approx([0.9, 0.88])
    mixed = aggregate_articles(arts, scores, 2, top_k=3, mix=0.5)
    assert mixed[1] > mixed[0]


def test_aggregation_uses_only_the_best_k_units_and_marks_empty_articles() -> None:
    arts = np.asarray([0, 0, 0, 0])
    scores = f32(0.1, 0.9, 0.8, 0.7)
    out = aggregate_articles(arts, scores, 2, top_k=2, mix=1.0)
    assert out[0] == pytest.approx(0.85)
    assert out[1] == -np.inf


def test_head_probability_is_added_with_its_weight() -> None:
    assert combine_head(f32(0.5, 0.5), f32(1.0, 0.0), 0.25).tolist() == pytest.approx([0.75, 0.5])
    assert combine_head(f32(0.5), f32(1.0), 0.0).tolist() == [0.5]


def test_an_extra_article_signal_is_added_with_its_weight() -> None:
    assert add_weighted(f32(0.5, 0.5), f32(0.8, -0.2), 0.1).tolist() == pytest.approx([0.58, 0.48])
    assert add_weighted(f32(0.5), f32(1.0), 0.0).tolist() == [0.5]


def test_idf_weighs_a_term_few_documents_hold_most() -> None:
    idf = term_idf(np.asarray([1, 5, 10]), 10)
    assert idf[0] > idf[1] > idf[2] > 0
    assert idf[0] == pytest.approx(np.log(1 + 9.5 / 1.5))


def test_coverage_is_the_share_of_the_terms_weight_an_article_holds() -> None:
    holds = np.asarray([[True, True], [True, False], [False, False]])
    out = term_coverage(holds, f32(1.0, 3.0))
    assert out.tolist() == pytest.approx([1.0, 0.25, 0.0])
    assert term_coverage(np.zeros((2, 0), dtype=bool), f32()).tolist() == [0.0, 0.0]


def test_smoothing_pulls_a_score_toward_its_similar_neighbours_only() -> None:
    # articles 0 and 1 are alike, article 2 is unrelated to both
    vectors = f32(1, 0, 0.98, 0.2, 0, 1).reshape(3, 2)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = f32(0.5, 0.7, 0.9)
    out = smooth_scores(scores, vectors, 0.2, 0.1)
    # article 0 listens to article 1 (0.7), hardly to article 2 (0.9)
    assert out[0] == pytest.approx(0.8 * 0.5 + 0.2 * 0.7, abs=1e-3)
    assert out[1] == pytest.approx(0.8 * 0.7 + 0.2 * 0.5, abs=1e-3)
    assert smooth_scores(scores, vectors, 0.0, 0.1) is scores
    with pytest.raises(ValueError, match="smooth_temperature"):
        smooth_scores(scores, vectors, 0.2, 0.0)
