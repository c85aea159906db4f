"""A sentence with a long run of spaces is read in time linear in its length.

The break between two rules of a sentence (", but", " however") began with optional signs and
spaces, ',?\\s+(?:but|...)', so from every space of a long run the rest of the run was read
again: "able" and 3,000 spaces took 0.26 s to read for facts, 60,000 about 100 s, and an owner's
article could hold the governance check that long. A break now starts where the spaces do.
"""

from __future__ import annotations

import pytest

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
