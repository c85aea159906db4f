"""Lexical-seeded dense feedback: a rare term the best articles lack moves the query vector
towards what the knowledge base says it means (``FusionConfig.feedback_weight``)."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_service.content.schemas import ArticleDocument, Audience
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.fusion import FusionConfig, intent_families
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.ranking import search_encoded
from knowledge_service.index.schemas import SearchFilters
from tests.factories import make_article

QUERY = "oxygen machine and the power goes out"
WEIGHT = 0.8


def _kb(*, family: str = "care", register_extra: str = "") -> list[ArticleDocument]:
    """Only ``register`` says oxygen; ``care-outages`` is its sibling about outages."""

    def article(article_id: str, intent: str, title: str, answer: str) -> ArticleDocument:
        return make_article(article_id, title=title, answer=answer, intents=[intent], body="")

    return [
        article(
            "register",
            f"{family}.register",
            "Register life support equipment",
            "Oxygen concentrators count as life support equipment. " + register_extra,
        ),
        article(
            "care-outages",
            f"{family}.outage",
            "Life support customers and outages",
            "Life support customers hear before the power goes out for planned work.",
        ),
        article(
            "outage-report",
            "outages.report",
            "Report a power outage",
            "Call us when the power goes out.",
        ),
        article("outage-map", "outages.map", "Power outage map", "See where the power is out."),
        article("bill-due", "billing.due", "When your bill is due", "Pay by the due date."),
        article(
            "bill-explain", "billing.explain", "Understand your bill", "What the charges mean."
        ),
    ]


def _indexes(docs: list[ArticleDocument], **config: float) -> tuple[HybridIndex, HybridIndex]:
    embedder = HashEmbedder()
    plain = HybridIndex(embedder)
    fed = HybridIndex(embedder, config=FusionConfig(feedback_weight=WEIGHT, **config))  # type: ignore[arg-type]
    for index in (plain, fed):
        index.upsert([(doc, 1) for doc in docs])
    return plain, fed


def _scores(index: HybridIndex, query: str = QUERY) -> dict[str, float]:
    return {h.article_id: h.score for h in index.search(query, top_k=10)}


def test_intent_families_are_first_segments_shared_by_two_up_to_half() -> None:
    intents = [["care.register"], ["care.outage"], ["bill.due", "solo.x"], ["bill.explain"]]
    assert intent_families(intents) == [
        frozenset({"care"}),
        frozenset({"care"}),
        frozenset({"bill"}),  # "solo" has no sibling
        frozenset({"bill"}),
    ]
    # one family over the whole knowledge base says nothing
    assert intent_families([["eval.a"], ["eval.b"], ["eval.c"]]) == [frozenset()] * 3


def test_the_sibling_is_ranked_with_the_moved_vector_and_the_holder_keeps_its_score() -> None:
    plain, fed = _indexes(_kb())
    before, after = _scores(plain), _scores(fed)
    top3 = sorted(before, key=lambda a: -before[a])[:3]
    assert "register" not in top3  # the precondition: the best articles lack "oxygen"
    assert after["register"] == pytest.approx(before["register"], abs=1e-6)
    vector = plain.encode_queries([QUERY])[0]
    moved = vector + WEIGHT * plain.articles["register"].centroid
    moved /= np.linalg.norm(moved)
    with plain.lock.read():
        (hits,) = search_encoded(
            plain.snapshot(), [QUERY], moved[None, :], top_k=10, filters=SearchFilters()
        )
    by_moved = {h.article_id: h.score for h in hits}
    for article_id, score in after.items():
        if article_id != "register":
            assert score == pytest.approx(by_moved[article_id], abs=1e-6)
    assert after["care-outages"] > before["care-outages"] + 0.02
    assert max(after, key=lambda a: after[a]) == "care-outages"
    assert max(before, key=lambda a: before[a]) != "care-outages"


def test_no_feedback_without_a_family_between_the_holder_and_the_best_articles() -> None:
    # "registry" holds only register; "care-outages" is in a family of its own
    docs = _kb(family="registry")
    docs[1] = docs[1].model_copy(update={"intents": ["lifecare.outage"]})
    plain, fed = _indexes(docs)
    assert _scores(fed) == _scores(plain)


def test_no_feedback_when_one_family_spans_the_knowledge_base() -> None:
    docs = [d.model_copy(update={"intents": [f"eval.{d.id}"]}) for d in _kb()]
    plain, fed = _indexes(docs)
    assert _scores(fed) == _scores(plain)


def test_no_feedback_for_a_term_a_best_article_holds() -> None:
    docs = _kb()
    docs[2] = docs[2].model_copy(update={"answer": "Call us when the power goes out, oxygen too."})
    plain, fed = _indexes(docs, feedback_max_share=0.5)  # the share lets two holders count
    assert "outage-report" in [h.article_id for h in plain.search(QUERY, top_k=3)]
    assert _scores(fed) == _scores(plain)
    _, below = _indexes(docs, feedback_max_share=0.5, feedback_top=0)  # no best article looked at
    assert _scores(below) != _scores(plain)


def test_no_feedback_for_a_term_more_articles_hold_than_the_share() -> None:
    docs = _kb()
    docs[4] = docs[4].model_copy(update={"answer": "Pay by the due date. Oxygen."})
    plain, fed = _indexes(docs, feedback_max_share=0.2)  # 1 of 6 articles at most
    assert _scores(fed) == _scores(plain)
    _, wider = _indexes(docs, feedback_max_share=0.4)  # 2 of 6: the feedback runs again
    assert _scores(wider) != _scores(plain)


def test_no_feedback_towards_an_article_the_filters_exclude() -> None:
    docs = _kb()
    docs[0] = docs[0].model_copy(update={"audience": Audience.INTERNAL})
    plain, fed = _indexes(docs)
    public = SearchFilters(audience=Audience.PUBLIC)
    scores = [
        {h.article_id: h.score for h in i.search(QUERY, filters=public)} for i in (plain, fed)
    ]
    assert "register" not in scores[0]
    assert scores[1] == scores[0]
    assert _scores(fed) != _scores(plain)  # unfiltered, the feedback runs
