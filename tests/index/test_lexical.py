"""BM25 with incremental updates: scores equal a bm25s index rebuilt from scratch."""

from __future__ import annotations

import random

import bm25s
import numpy as np
import pytest

from knowledge_service.index.lexical import Bm25Index, Tokenizer

WORDS = "bill pay card refund meter plan gas move cancel fee late smart data roam not".split()  # noqa: SIM905


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))


def _reference(texts: dict[int, str], query: str) -> dict[int, float]:
    """Scores of a bm25s index built from scratch over ``texts`` (the former implementation)."""
    tokenize = Tokenizer()
    keys = list(texts)
    corpus = [tokenize(texts[k]) or ["\x00"] for k in keys]
    model = bm25s.BM25(k1=1.2, b=0.75)
    model.index(corpus, show_progress=False)
    terms = [t for t in tokenize(query) if t in model.vocab_dict]
    if not terms:
        return dict.fromkeys(keys, 0.0)
    return dict(zip(keys, np.asarray(model.get_scores(terms)).tolist(), strict=True))


def _change(
    index: Bm25Index,
    texts: dict[int, str],
    rng: random.Random,
    count: int,
    *,
    remove: bool,
    new_key: int,
) -> None:
    """Remove ``count`` random texts from ``index`` and ``texts``, or rewrite them and add
    ``new_key`` (the same change to both)."""
    changed = rng.sample(sorted(texts), count)
    if remove:
        index.remove(changed)
        for k in changed:
            del texts[k]
    else:
        new = {k: _text(rng) for k in [*changed, new_key]}
        index.add(list(new), list(new.values()))
        texts.update(new)


def _scores(index: Bm25Index, query: str) -> dict[int, float]:
    keys, scores = index.scores(query)
    return dict(zip(keys.tolist(), scores.tolist(), strict=True))


@pytest.mark.parametrize(("compact_ratio", "compact_min"), [(0.0, 0), (0.05, 0), (10.0, 256)])
def test_incremental_scores_equal_a_rebuilt_index(compact_ratio: float, compact_min: int) -> None:
    rng = random.Random(4)
    index = Bm25Index(compact_ratio=compact_ratio, compact_min=compact_min)
    texts = {k: _text(rng) for k in range(400)}
    index.add(list(texts), list(texts.values()))
    index.scores("bill")  # compacts (the base is built) before the changes below
    for step in range(30):
        _change(index, texts, rng, 5, remove=step % 3 == 0, new_key=1000 + step)
        query = "pay my late bill fee not card " + rng.choice(WORDS)
        got, want = _scores(index, query), _reference(texts, query)
        assert got.keys() == want.keys()
        assert max(abs(got[k] - want[k]) for k in want) < 1e-4
        assert len(index) == len(texts)


def test_query_bound_counts_unknown_terms_with_the_highest_idf() -> None:
    index = Bm25Index()
    index.add([1, 2, 3], ["refund card", "card", "meter"])

    def idf(df: int, n: int) -> float:
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    assert index.query_bound("card zebra") == pytest.approx(idf(2, 3) + idf(0, 3))
    index.remove([2])
    assert index.query_bound("card") == pytest.approx(idf(1, 2))


def test_removed_and_replaced_texts_no_longer_match() -> None:
    index = Bm25Index(compact_ratio=0.0, compact_min=0)
    index.add([1, 2], ["refund card", "meter reading"])
    assert _scores(index, "refund")[1] > 0
    index.add([1], ["gas plan"])
    index.remove([2])
    assert _scores(index, "refund") == {1: 0.0}
    assert _scores(index, "gas")[1] > 0
    index.remove([1])
    keys, scores = index.scores("gas")
    assert keys.size == 0 and scores.size == 0


@pytest.mark.parametrize(("compact_ratio", "compact_min"), [(0.0, 0), (10.0, 256)])
def test_keys_holding_a_term_follow_every_change(compact_ratio: float, compact_min: int) -> None:
    rng = random.Random(7)
    index = Bm25Index(compact_ratio=compact_ratio, compact_min=compact_min)
    texts = {k: _text(rng) for k in range(200)}
    index.add(list(texts), list(texts.values()))
    index.scores("bill")  # the base is built, the changes below go to the delta
    for step in range(10):
        _change(index, texts, rng, 4, remove=bool(step % 2), new_key=500 + step)
    tokenize = Tokenizer()
    for term in tokenize("bill pay moving refund not"):
        want = {k for k, t in texts.items() if term in tokenize(t)}
        assert set(index.keys_holding(term).tolist()) == want
    assert index.keys_holding("zebra").size == 0


def test_query_terms_are_the_known_distinct_ones_in_order() -> None:
    index = Bm25Index()
    index.add([1, 2], ["late bill fee", "card refund"])
    assert index.terms("Refunds for a late, late card zebra") == ["refund", "late", "card"]
