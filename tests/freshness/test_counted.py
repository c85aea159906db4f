"""Two articles just under the same-need threshold that count one thing, named in other
words, differently: what a count counts, and when two counts are one thing's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from knowledge_service.freshness.checker import ArticleEmbedding, run_check
from knowledge_service.freshness.facts import FactKind, counted_phrase, extract_facts
from knowledge_service.freshness.schemas import CheckResult
from knowledge_service.settings import Settings
from tests.conftest import TODAY
from tests.factories import make_article

SETTINGS = Settings(embedding_model="hash")  # conflict_threshold 0.60


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("You'll need two forms of ID, and one must show your photo.", "forms of ID"),
        ("Bring three identity documents.", "identity documents"),
        ("Your licence is suspended at 13 or more demerit points.", "demerit points"),
        ("You can claim up to two vehicles registered in your name.", "vehicles registered"),
        ("At least one of them must show your photo.", ""),
    ],
)
def test_a_count_counts_the_words_after_its_number(text: str, phrase: str) -> None:
    counts = [f for f in extract_facts(text) if f.kind == FactKind.COUNT]
    assert [counted_phrase(f) for f in counts] == [phrase]


def test_other_facts_count_nothing() -> None:
    (fee,) = extract_facts("A replacement card costs $30.")
    assert counted_phrase(fee) == ""


def _near(need: float) -> dict[str, ArticleEmbedding]:
    """Vectors of two articles whose whole, answer and question similarities are ``need``."""
    first = np.array([1.0, 0.0], dtype=np.float32)
    second = np.array([need, math.sqrt(1 - need * need)], dtype=np.float32)
    return {
        "counter-id": ArticleEmbedding(first, first, first),
        "identity-docs": ArticleEmbedding(second, second, second),
    }


def _check(first: str, second: str, *, need: float, embedder: Any = None) -> CheckResult:
    a = make_article("counter-id", answer=first, intents=["identity.counter"], policy_sources=[])
    b = make_article("identity-docs", answer=second, intents=["identity.docs"], policy_sources=[])
    return run_check(
        [a, b], [], today=TODAY, settings=SETTINGS, vectors=_near(need), embedder=embedder
    )


def _conflicts(result: CheckResult) -> list[str]:
    return [f.message for f in result.findings if f.kind == "conflict"]


@pytest.mark.slow
def test_one_thing_counted_differently_in_other_words_is_a_conflict(minilm: Any) -> None:
    result = _check(
        "You'll need two forms of ID at the counter.",
        "Bring three identity documents.",
        need=0.55,
        embedder=minilm,
    )
    (message,) = _conflicts(result)
    assert message.startswith("counter-id says 2 ")
    assert "identity-docs says 3 " in message
    assert 'both count one thing in other words ("forms of ID" and "identity documents"' in message
    assert "their questions and answers are close (similarity 0.55)" in message


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "second", "need"),
    [
        # another thing counted
        ("You'll need two forms of ID at the counter.", "Bring three parking permits.", 0.55),
        # the same number in other words
        ("You'll need two forms of ID at the counter.", "Bring two identity documents.", 0.55),
        # a narrower case: a condition the other text never speaks of
        (
            "If you are under 18, you need two forms of ID at the counter.",
            "Bring three identity documents.",
            0.55,
        ),
        # a limit and a plain count are two facts
        ("You can bring up to two forms of ID.", "Bring three identity documents.", 0.55),
        # not close enough as needs
        ("You'll need two forms of ID at the counter.", "Bring three identity documents.", 0.45),
    ],
)
def test_counts_that_are_not_one_thing_counted_differently_do_not_conflict(
    minilm: Any, first: str, second: str, need: float
) -> None:
    assert _conflicts(_check(first, second, need=need, embedder=minilm)) == []


def test_without_an_encoder_the_counted_words_must_be_alike() -> None:
    same_words = _check(
        "You can get two payment extensions a year.",
        "Customers may get three payment extensions a year.",
        need=0.55,
    )
    (message,) = _conflicts(same_words)
    assert '("payment extensions" and "payment extensions": similarity 1.00)' in message
    other_words = _check(
        "You'll need two forms of ID.", "Bring three identity documents.", need=0.55
    )
    assert _conflicts(other_words) == []


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("Card holders pay no registration fee for one light vehicle.", [1.0]),
        ("You can add up to 6 SIMs to one family plan.", [6.0, 1.0]),
        ("At least one of them must show your photo.", [1.0]),  # "at least", not "one of"
        ("You'll need two forms of ID, and one must show your photo.", [2.0]),
        ("Pick the one you want.", []),
        ("Page one shows what you owe.", []),
        ("The permit is valid for one year.", []),  # a duration
        ("Send it to one of our centres.", []),
    ],
)
def test_one_is_a_count_only_after_a_preposition_of_quantity(
    text: str, counts: list[float]
) -> None:
    assert [f.value for f in extract_facts(text) if f.kind == FactKind.COUNT] == counts


def test_close_needs_conflict_on_a_fact_about_the_same_thing_and_only_then() -> None:
    """Two articles answering close needs (just under the threshold: how to collect lost
    property, how long it is kept) that state one fact about the same thing differently give
    two customers two answers; a fact about something else does not count."""
    kept = _check(
        "We keep lost property for a fortnight before it is donated.",
        "Lost property is kept for 30 days before it is donated.",
        need=0.55,
    )
    (message,) = _conflicts(kept)
    assert "14 calendar days" in message and "30 calendar days" in message
    assert "they answer close needs (their questions and answers: similarity 0.55)" in message
    other_things = _check(
        "Collect it within a fortnight of our call.",
        "Lost property is kept for 30 days before it is donated.",
        need=0.55,
    )
    assert _conflicts(other_things) == []
    far = _check(  # under the near-need margin: not compared
        "We keep lost property for a fortnight before it is donated.",
        "Lost property is kept for 30 days before it is donated.",
        need=0.45,
    )
    assert _conflicts(far) == []
