"""Conflicts between two answers to one need that the subjects' words alone do not show."""

from __future__ import annotations

from typing import Any

from knowledge_service.freshness.facts import ANSWER_SECTION, Fact, extract_facts
from knowledge_service.freshness.matching import ARTICLE_THRESHOLDS, find_contradictions
from knowledge_service.freshness.pairs import Candidate, PhraseSimilarity, check_pair
from knowledge_service.freshness.rules import CheckedArticle
from knowledge_service.freshness.schemas import FindingKind
from tests.factories import make_article


def article(answer: str, details: str = "") -> list[Fact]:
    """The facts of an article: its answer, then a section of details."""
    found = extract_facts(answer, section=ANSWER_SECTION)
    return found + extract_facts(details, section="Refunds", context="Refunds")


def contradictions(a: list[Fact], b: list[Fact]) -> set[tuple[str, str]]:
    """The contradictions either way, as (key of a's fact, key of b's fact)."""
    found = {(c.fact.key, c.other.key) for c in find_contradictions(a, b, ARTICLE_THRESHOLDS)}
    found |= {(c.other.key, c.fact.key) for c in find_contradictions(b, a, ARTICLE_THRESHOLDS)}
    return found


CLOTHES = article(
    "Unworn clothes can be returned to any store within a fortnight, with the receipt."
)


def test_the_one_duration_of_each_answer_differing_is_a_conflict() -> None:
    """The answers share few words ("receipt"), and the first article's details state another
    duration in the same role: still, each answer's one duration is the one the need asks for."""
    jacket = article(
        "Bring the jacket back within 28 days and keep your receipt.",
        "The refund reaches your card within 5 days.",
    )
    assert contradictions(jacket, CLOTHES) == {("duration:day:28.00", "duration:day:14.00")}


def test_an_answer_with_two_durations_in_one_role_is_not_read_so() -> None:
    """Which of 28 and 5 days is the return window? Neither is taken for it."""
    jacket = article("Bring the jacket back within 28 days, or within 5 days for sale items.")
    assert contradictions(jacket, CLOTHES) == set()


def test_a_duration_stated_only_in_the_details_is_not_read_so() -> None:
    jacket = article(
        "Keep your receipt.",
        "Bring the jacket back within 28 days. The refund reaches your card within 5 days.",
    )
    assert contradictions(jacket, CLOTHES) == set()


# Two articles of close needs (need similarity 0.55, under the conflict threshold of 0.6):
# their subjects are 0.67 alike, under the near-need floor of 0.7.
CHANGE_IT = "You can change the delivery address of an order within 30 minutes of placing it."
TYPO = "Spotted a typo in the delivery address? Let us know within 1 hour of ordering."


def near_pair(first: str, second: str, cites: tuple[str, str] | None = None) -> list[str]:
    """The kinds of the findings of two articles of close needs with these answers (and
    these policy clauses cited, one each)."""

    def item(article_id: str, answer: str, cited: str | None) -> CheckedArticle:
        fields: dict[str, Any] = {"policy_sources": [cited]} if cited else {}
        intents = [f"orders.{article_id.replace('-', '_')}"]
        return CheckedArticle.of(
            make_article(
                article_id, answer=answer, intents=intents, title=article_id, body="", **fields
            )
        )

    found = check_pair(
        item("change-address", first, cites[0] if cites else None),
        item("wrong-address", second, cites[1] if cites else None),
        Candidate(need=0.55),
        conflict_threshold=0.6,
        duplicate_threshold=0.8,
        policies={},
        phrases=PhraseSimilarity([]),
    )
    return [str(f.kind) for f in found]


def test_the_one_value_of_each_answer_of_close_needs_differing_is_a_conflict() -> None:
    assert near_pair(CHANGE_IT, TYPO) == [FindingKind.CONFLICT]


def test_an_answer_with_two_values_in_one_role_is_not_compared_so() -> None:
    typos = "Spotted a typo? Tell us within 1 hour of ordering, or within 2 hours for gifts."
    assert near_pair(CHANGE_IT, typos) == []


def test_close_needs_each_citing_its_own_clause_are_not_compared_so() -> None:
    """Each article is then about its own clause's subject."""
    assert near_pair(CHANGE_IT, TYPO, cites=("ORDERS#4.1", "DELIVERY#2")) == []
    assert near_pair(CHANGE_IT, TYPO, cites=("ORDERS#4.1", "ORDERS#4.1")) == [FindingKind.CONFLICT]
