"""Conflicts between two answers to one need that the subjects' words alone do not show."""

from __future__ import annotations

from knowledge_service.freshness.facts import ANSWER_SECTION, Fact, extract_facts
from knowledge_service.freshness.matching import ARTICLE_THRESHOLDS, find_contradictions


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
