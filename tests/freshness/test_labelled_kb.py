"""The labelled knowledge base: every planted problem found, no decoy flagged (floors)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from knowledge_service.content.loader import load_content
from knowledge_service.freshness.evaluation import KindScore, load_labels, score
from knowledge_service.freshness.schemas import FindingKind
from knowledge_service.freshness.service import run_check
from knowledge_service.settings import Settings
from tests.freshness.conftest import (
    AGENCY_KB,
    AIRLINE_KB,
    AUTOSERVICE_KB,
    BANK_KB,
    BENEFITS_KB,
    CHILDCARE_KB,
    CINEMA_KB,
    CREDITUNION_KB,
    DENTAL_KB,
    DMV_KB,
    EVCHARGE_KB,
    FERRY_KB,
    GP_KB,
    GROCERY_KB,
    GYM_KB,
    HOMEINS_KB,
    HOSPITAL_KB,
    HOTEL_KB,
    HOUSING_KB,
    INSURER_KB,
    KB,
    LEISURE_KB,
    MOBILE_KB,
    PARKING_KB,
    PARKS_KB,
    PETINS_KB,
    PHARMACY_KB,
    POSTAL_KB,
    RENTAL_KB,
    RETAIL_KB,
    REVENUE_KB,
    SAAS_KB,
    STREAMING_KB,
    STUDENTLOANS_KB,
    SUPER_KB,
    TENANCY_KB,
    TICKETS_KB,
    TRANSIT_KB,
    VET_KB,
    WASTE_KB,
    WATER_KB,
)

EXACT = {
    "invalid",
    "review_overdue",
    "review_due_soon",
    "policy_missing",
    "policy_retired",
    "policy_changed",
}


def scores(embedder: Any, kb: Path = KB) -> dict[str, KindScore]:
    today, expected = load_labels(kb / "expected.yaml")
    loaded = load_content([kb / "content", kb / "policies"], max_file_bytes=1 << 20)
    result = run_check(
        loaded.articles,
        loaded.policies,
        today=date.fromisoformat(today),
        settings=Settings(embedding_model="hash"),
        embedder=embedder,
        invalid=loaded.invalid,
    )
    return {s.kind: s for s in score(result.findings, expected, root=kb)}


def test_labels_cover_every_kind_with_enough_positives() -> None:
    _, expected = load_labels(KB / "expected.yaml")
    counts = {kind: sum(1 for key in expected if key[0] == kind) for kind in FindingKind}
    assert all(counts[k] >= 10 for k in ("policy_mismatch", "conflict", "duplicate"))
    assert all(n >= 2 for n in counts.values())


def test_without_embeddings_every_rule_but_similarity_is_exact() -> None:
    found = scores(None)
    for kind in EXACT | {"policy_mismatch", "ambiguous_intent"}:
        assert (found[kind].precision, found[kind].recall) == (1.0, 1.0), found[kind]
    assert found["conflict"].precision == 1.0  # pairs without a shared intent need vectors
    assert found["duplicate"].precision == 1.0


@pytest.mark.slow
def test_precision_and_recall_floors_with_the_real_model(minilm: Any) -> None:
    found = scores(minilm)
    for kind, s in found.items():
        floor = 1.0 if kind in EXACT else 0.9
        assert s.precision >= floor and s.recall >= floor, s


def test_the_agency_set_has_more_decoys_than_problems_and_every_kind() -> None:
    _, expected = load_labels(AGENCY_KB / "expected.yaml")
    counts = {kind: sum(1 for key in expected if key[0] == kind) for kind in FindingKind}
    assert counts["conflict"] >= 15 and counts["policy_mismatch"] >= 10
    assert all(n >= 1 for n in counts.values())
    readme = (AGENCY_KB / "README.md").read_text(encoding="utf-8")
    numbers = [int(n) for n in re.findall(r"(?:^|, )(\d+)\. `", readme, re.M)]
    assert numbers == list(range(1, len(numbers) + 1))  # the numbered decoys
    assert len(numbers) >= len(expected)


def test_the_agency_set_without_embeddings_is_exact_on_every_rule_but_similarity() -> None:
    found = scores(None, AGENCY_KB)
    for kind in EXACT | {"ambiguous_intent"}:
        assert (found[kind].precision, found[kind].recall) == (1.0, 1.0), found[kind]
    assert found["policy_mismatch"].precision == 1.0


@pytest.mark.slow
def test_agency_set_floors_with_the_real_model(minilm: Any) -> None:
    """The set written by another author: every kind at 0.9 or more (conflicts: the README
    reports 1.0 precision and 0.94 recall, 17 of 18, with the shipped settings)."""
    found = scores(minilm, AGENCY_KB)
    for kind in EXACT | {"ambiguous_intent"}:
        assert (found[kind].precision, found[kind].recall) == (1.0, 1.0), found[kind]
    for kind in ("policy_mismatch", "duplicate", "conflict"):
        assert found[kind].precision >= 0.9 and found[kind].recall >= 0.9, found[kind]


@pytest.mark.slow
def test_water_set_floors_with_the_real_model(minilm: Any) -> None:
    """The third set, written blind (the author never read the check's code nor ran it). Its
    first score found 2 false mismatches and 2 false conflicts (number words in compounds,
    a prohibition worded "no ... can be", a "while you're in ..." exception); after those
    fixes, conflicts 1.0 precision and 0.75 recall (6 of 8), every other kind exact."""
    found = scores(minilm, WATER_KB)
    for kind in EXACT | {"ambiguous_intent", "policy_mismatch", "duplicate"}:
        assert (found[kind].precision, found[kind].recall) == (1.0, 1.0), found[kind]
    assert found["conflict"].precision == 1.0 and found["conflict"].recall >= 0.75


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kb", "floors"),
    [
        (
            INSURER_KB,
            {"policy_mismatch": (1.0, 0.83), "conflict": (1.0, 0.44), "duplicate": (1.0, 1.0)},
        ),
        (
            TRANSIT_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.33), "duplicate": (1.0, 0.0)},
        ),
        (
            BANK_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.5), "duplicate": (1.0, 0.5)},
        ),
        (
            AIRLINE_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.375), "duplicate": (1.0, 0.5)},
        ),
        (
            RETAIL_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.5), "duplicate": (1.0, 1.0)},
        ),
        (  # one false conflict left: two steps of one appeal, 30 and 90 days
            BENEFITS_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (0.66, 0.25), "duplicate": (1.0, 1.0)},
        ),
        (  # held out: scored once, after the fixes above, and nothing changed for it
            HOSPITAL_KB,
            {"policy_mismatch": (1.0, 0.66), "conflict": (1.0, 0.375), "duplicate": (1.0, 1.0)},
        ),
        (  # one false conflict left: changing a booking two days ahead, cancelling one day
            RENTAL_KB,
            {"policy_mismatch": (1.0, 0.5), "conflict": (0.8, 0.5), "duplicate": (1.0, 0.5)},
        ),
        (  # held out until its first score, whose 2 false findings led to two fixes: a name
            # that holds a number ("Tracked 24") and two size classes' weight limits
            POSTAL_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.33), "duplicate": (1.0, 0.5)},
        ),
        (  # its first score's 1 false mismatch led to a fix (paired period words)
            SAAS_KB,
            {"policy_mismatch": (1.0, 0.6), "conflict": (1.0, 0.66), "duplicate": (1.0, 1.0)},
        ),
        (  # its first score's 1 false mismatch led to a fix ("5 years and up" is an age)
            PHARMACY_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.83), "duplicate": (1.0, 1.0)},
        ),
        (  # its first score's 1 false mismatch led to a fix (a time's role from its words)
            HOTEL_KB,
            {"policy_mismatch": (1.0, 0.8), "conflict": (1.0, 0.66), "duplicate": (1.0, 0.5)},
        ),
        (  # its first score's 2 false conflicts led to fixes (hedged rules, lone lead times)
            LEISURE_KB,
            {"policy_mismatch": (1.0, 0.8), "conflict": (1.0, 0.16), "duplicate": (1.0, 1.0)},
        ),
        (  # held out: scored once, after every fix above, and nothing changed for it
            TICKETS_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.16), "duplicate": (1.0, 0.5)},
        ),
        (  # held out: scored once, after every fix above, and nothing changed for it. Its
            # payroll mismatch (5.45% against the clause's 4.85 percent) was found only through
            # "$1.2 million" misread as $1.20; read right since 2026-12-06, the rate is not
            # compared (its sentence's condition restates the threshold clause): 2 of 5, not 3
            REVENUE_KB,
            {"policy_mismatch": (1.0, 0.4), "conflict": (1.0, 0.83), "duplicate": (1.0, 0.5)},
        ),
        (  # 1 false mismatch of its first score fixed (an excepted case); 3 false conflicts left
            MOBILE_KB,
            {"policy_mismatch": (1.0, 0.8), "conflict": (0.5, 0.5), "duplicate": (1.0, 0.5)},
        ),
        (  # held out until its first score, whose 1 false mismatch led to a fix (disclaimers)
            AUTOSERVICE_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.5), "duplicate": (1.0, 1.0)},
        ),
        (  # no false finding at its first score
            GYM_KB,
            {"policy_mismatch": (1.0, 0.83), "conflict": (1.0, 0.33), "duplicate": (1.0, 1.0)},
        ),
        (  # its first score's 3 false conflicts led to fixes (hours past midnight, "since",
            # a table cell read with its row and column)
            VET_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.44), "duplicate": (1.0, 1.0)},
        ),
        (  # held out until its first score (1 false mismatch, 3 of 6 found); the vet set's
            # table fix found a 4th, and its false mismatch led to a fix ("won't be charged")
            GROCERY_KB,
            {"policy_mismatch": (1.0, 0.66), "conflict": (1.0, 0.22), "duplicate": (1.0, 1.0)},
        ),
        (  # held out: scored once, after every fix above, and nothing changed for it
            CHILDCARE_KB,
            {"policy_mismatch": (1.0, 0.83), "conflict": (1.0, 0.22), "duplicate": (1.0, 0.0)},
        ),
        (  # held out until its first score, whose 2 false findings led to fixes ("no payment
            # is required", "once it's paid" as a condition)
            PARKING_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.44), "duplicate": (1.0, 1.0)},
        ),
        (  # held out: scored once, after every fix above, nothing changed for it; 1 false
            # conflict left as found (a check-up price's age against a scheme's)
            DENTAL_KB,
            {"policy_mismatch": (1.0, 0.83), "conflict": (0.66, 0.22), "duplicate": (1.0, 0.0)},
        ),
        (  # held out: scored once, after every fix above, and nothing changed for it
            TENANCY_KB,
            {"policy_mismatch": (1.0, 0.83), "conflict": (1.0, 0.44), "duplicate": (1.0, 1.0)},
        ),
        (  # its first score's false mismatch led to a fix (a "cannot" in the subject's case);
            # a fourth conflict since "8.30am" is read as a time
            SUPER_KB,
            {"policy_mismatch": (1.0, 0.5), "conflict": (1.0, 0.44), "duplicate": (1.0, 1.0)},
        ),
        (  # its first score's false mismatch led to a fix ("included in the permit fee")
            DMV_KB,
            {"policy_mismatch": (1.0, 0.83), "conflict": (1.0, 0.22), "duplicate": (1.0, 1.0)},
        ),
        (  # its first score's 2 false mismatches led to fixes ("a quarter of an hour",
            # "available on Standard and Premium only")
            STREAMING_KB,
            {"policy_mismatch": (1.0, 0.66), "conflict": (1.0, 0.11), "duplicate": (1.0, 0.0)},
        ),
        (  # held out until its first score, whose false mismatch led to a fix ("over 12
            # monthly direct debits" is no age)
            HOMEINS_KB,
            {"policy_mismatch": (1.0, 0.33), "conflict": (1.0, 0.11), "duplicate": (1.0, 0.0)},
        ),
        (  # held out: scored once, after every fix above, and nothing changed for it
            PARKS_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.44), "duplicate": (1.0, 0.0)},
        ),
        (  # held out: scored once, after every fix above, and nothing changed for it; a fourth
            # mismatch since "8.30am" is read as a time
            GP_KB,
            {"policy_mismatch": (1.0, 0.66), "conflict": (1.0, 0.33), "duplicate": (1.0, 1.0)},
        ),
        (  # held out until its first score, whose false mismatch led to a fix ("E-waste" is no
            # "waste"); no conflict of its nine found until "once you've told us" was read as
            # where a duration counts from (2026-12-06)
            WASTE_KB,
            {"policy_mismatch": (1.0, 0.83), "conflict": (1.0, 0.11), "duplicate": (1.0, 1.0)},
        ),
        (  # scored once: 2 false mismatches. One led to a fix in the next session ("Every
            # change after that costs $10" is about the fare the sentence before names), which
            # also lost a conflict found for a wrong reason; the other is left as found (fare
            # classes in one sentence: "Flexi is free every time, and Saver can't be changed")
            FERRY_KB,
            {"policy_mismatch": (0.75, 0.5), "conflict": (1.0, 0.33), "duplicate": (1.0, 1.0)},
        ),
        (  # scored once (no false finding), nothing changed for it
            CREDITUNION_KB,
            {"policy_mismatch": (1.0, 0.66), "conflict": (1.0, 0.55), "duplicate": (1.0, 0.0)},
        ),
        (  # its first score's false conflict led to a fix (two named memberships' prices)
            CINEMA_KB,
            {"policy_mismatch": (1.0, 0.5), "conflict": (1.0, 0.55), "duplicate": (1.0, 1.0)},
        ),
        (  # its first score's false conflict led to a fix ("the last 12 months of history"
            # looks back); no conflict of its nine found
            PETINS_KB,
            {"policy_mismatch": (1.0, 0.66), "conflict": (1.0, 0.0), "duplicate": (1.0, 0.0)},
        ),
        (  # written blind 2026-12-06 and held out: scored before and after that afternoon's
            # fixes, nothing changed for them (conflicts 4 of 8 both times)
            EVCHARGE_KB,
            {"policy_mismatch": (1.0, 1.0), "conflict": (1.0, 0.5), "duplicate": (1.0, 1.0)},
        ),
        (  # held out likewise: conflicts 3, then 4 of 9 ("one pet per" read as a count)
            HOUSING_KB,
            {"policy_mismatch": (1.0, 0.83), "conflict": (1.0, 0.44), "duplicate": (1.0, 1.0)},
        ),
        (  # held out likewise: 1 false conflict (no late fee during forbearance, an exception)
            STUDENTLOANS_KB,
            {"policy_mismatch": (1.0, 0.83), "conflict": (0.75, 0.3), "duplicate": (1.0, 1.0)},
        ),
    ],
    ids=[
        "insurer",
        "transit",
        "bank",
        "airline",
        "retail",
        "benefits",
        "hospital",
        "rental",
        "postal",
        "saas",
        "pharmacy",
        "hotel",
        "leisure",
        "tickets",
        "revenue",
        "mobile",
        "autoservice",
        "gym",
        "vet",
        "grocery",
        "childcare",
        "parking",
        "dental",
        "tenancy",
        "super",
        "dmv",
        "streaming",
        "homeins",
        "parks",
        "gp",
        "waste",
        "ferry",
        "creditunion",
        "cinema",
        "petins",
        "evcharge",
        "housing",
        "studentloans",
    ],
)
def test_the_last_blind_sets_hold_their_first_fixed_scores(
    minilm: Any, kb: Path, floors: dict[str, tuple[float, float]]
) -> None:
    """Six more sets written blind (2026-12-05). Their first scores led to general fixes (the
    airline's: amounts in pounds and euros, weights and sizes, "on Saver fares" as a condition;
    the retailer's: a waived fee, "Plus members", inches, a misstated clause of one's own; the
    benefits agency's: "no interest is charged", ages in years, frequencies, one verb done to
    other things, look-backs, "$" beside "CAD"; the parcel carrier's: service names that hold a
    number, size classes; the business-software company's and the pharmacy's: paired period
    words, "5 years and up"; the hotel's and the council's: a time's role, hedged rules, lone
    lead times), and
    what they still miss is recorded here as floors, not hidden: conflicts stated in a table
    against prose, needs the check does not see as one, and transit's and the bank's reworded
    duplicates (paraphrases without figures; docs/benchmarks.md, "Governance check quality")."""
    found = scores(minilm, kb)
    for kind in EXACT | {"ambiguous_intent"}:
        assert (found[kind].precision, found[kind].recall) == (1.0, 1.0), found[kind]
    for kind, (precision, recall) in floors.items():
        assert found[kind].precision >= precision and found[kind].recall >= recall, found[kind]
