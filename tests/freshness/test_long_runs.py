"""A sentence with a long run of spaces is read in time linear in its length.

The break between two rules of a sentence (", but", " however") began with optional signs and
spaces, ',?\\s+(?:but|...)', so from every space of a long run the rest of the run was read
again: "able" and 3,000 spaces took 0.26 s to read for facts, 60,000 about 100 s, and an owner's
article could hold the governance check that long. A break now starts where the spaces do.
"""

from __future__ import annotations

import pytest

from knowledge_service.freshness.conditions import Qualifiers, conditions, qualifier
from knowledge_service.freshness.facts import extract_facts
from knowledge_service.freshness.yesno import rule_spans


@pytest.mark.timeout(60)  # a guard against minutes, not a speed assertion: under a second now
def test_a_rule_word_before_a_long_run_of_spaces_is_read_in_linear_time() -> None:
    assert extract_facts("able" + " " * 60_000 + "x!") == []


# The same in a condition's end ("if 5" and 3,000 spaces: 0.33 s, the end looked for from each
# space) and in an age's ("under 5" and 12,000 spaces: 14 s, a '\\s+' after a '\\s*').
@pytest.mark.timeout(60)  # a guard against minutes, not a speed assertion: under a second now
@pytest.mark.parametrize("lead_in", ["if 5", "under 5", "over 5", "unless 5"])
def test_a_condition_or_an_age_before_a_long_run_of_spaces_is_read_in_linear_time(
    lead_in: str,
) -> None:
    facts = extract_facts(lead_in + " " * 60_000 + "x!")
    assert all(fact.sentence.startswith(lead_in) for fact in facts)


def test_the_break_between_two_rules_is_found_after_any_spaces() -> None:
    both = rule_spans("Dogs are allowed in the park,    but cats are not allowed.")
    assert [(aspect, polarity) for aspect, polarity, *_ in both] == [
        (both[0][0], True),
        (both[1][0], False),
    ]
    assert both[0][3] < both[1][2]  # two segments, split at ", but"


# One sentence stating many figures: each figure's subject read every word of the sentence
# against every figure, and its qualifier the text up to every condition after it, so "$1 "
# 3,000 times took 25 s and "under 5 " 1,000 times 114 s (time in the cube of the sentence).
# What a sentence's figures share is now read once for all of them.
@pytest.mark.timeout(60)  # a guard against minutes, not a speed assertion: under a second now
@pytest.mark.parametrize(
    ("figure", "key"),
    [
        ("$1 ", "money:AUD:1.00"),
        ("$1, ", "money:AUD:1.00"),
        ("5 days ", "duration:day:5.00"),
        ("under 5 ", "age:under:5.00"),
    ],
)
def test_a_sentence_of_many_figures_is_read_in_linear_time(figure: str, key: str) -> None:
    times = 15_000 // len(figure)
    facts = extract_facts(figure * times)
    assert [fact.key for fact in facts] == [key] * times


def test_the_qualifiers_of_many_conditions_are_those_read_one_by_one() -> None:
    # past a few conditions a fact's qualifier is read from their terms: the same terms
    sentence = " ".join(
        f"if you hold a {name} card, $5 for members under {n}, and $2 which holders of a "
        f"{name} pass pay"
        for n, name in enumerate(["gold", "silver", "bronze", "green"] * 6)
    )
    found = conditions(sentence)
    assert len(found) > 50
    read = Qualifiers(found, sentence)
    spans = [(m, m + 2) for m in range(len(sentence)) if sentence.startswith("$", m)]
    assert [read(*span) for span in spans] == [qualifier(found, *span, sentence) for span in spans]
    assert len({read(*span) for span in spans}) > 2  # not all alike


# A rule's clause was looked for between the "and"s from each space of a long run (",?\\s+and"),
# so "Entry is free" and 16,000 spaces took 3.5 s to read for facts, 120,000 about 190 s. The
# "and"s are now looked for where a run of spaces starts.
@pytest.mark.timeout(60)  # a guard against minutes, not a speed assertion: under a second now
def test_a_rule_before_a_long_run_of_spaces_is_read_in_its_clause_in_linear_time() -> None:
    facts = extract_facts("Entry is free" + " " * 120_000 + "for children.")
    assert [fact.key for fact in facts] == ["rule:charge:no"]
