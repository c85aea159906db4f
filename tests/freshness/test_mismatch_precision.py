"""policy_mismatch on correct articles that state another party's obligation, or another
duration than the clause's, and on the same articles changed to contradict the clause.

The cases are in ``mismatch_cases`` (see its README); each test checks a copy of one folder,
with one sentence of the article replaced.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge_service.content.loader import load_content
from knowledge_service.freshness.checker import run_check
from knowledge_service.freshness.facts import FactKind, extract_facts
from knowledge_service.freshness.schemas import FindingData
from knowledge_service.settings import Settings
from tests.conftest import TODAY

CASES = Path(__file__).resolve().parent / "mismatch_cases"
SETTINGS = Settings(embedding_model="hash")

SALE = "You don't need to contact us yourself."
PERIOD = "From your second bill on, you pay for one month at a time."


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def mismatches(
    tmp_path: Path,
    case: str,
    old: str,
    new: str,
    *,
    article: tuple[str, str] | None = None,
    policy: tuple[str, str] | None = None,
) -> list[FindingData]:
    """The policy_mismatch findings of a copy of ``case`` with ``old`` replaced by ``new`` in
    its one article (and ``article``'s first text by its second there, ``policy``'s in its
    one policy)."""
    root = tmp_path / case
    shutil.copytree(CASES / case, root)
    (path,) = (root / "content").glob("*.md")
    replace(path, old, new)
    if article is not None:
        replace(path, *article)
    if policy is not None:
        (source,) = (root / "policies").glob("*.md")
        replace(source, *policy)
    loaded = load_content([root / "content", root / "policies"], max_file_bytes=1_000_000)
    assert loaded.invalid == []
    result = run_check(loaded.articles, loaded.policies, today=TODAY, settings=SETTINGS)
    return [f for f in result.findings if f.kind == "policy_mismatch"]


@pytest.mark.parametrize(
    ("sentence", "mismatch"),
    [
        (SALE, False),  # the customer need not act; the conveyancer must lodge a notice
        ("You don't need to lodge a notice of sale.", True),  # the clause's action
        ("You don't need to lodge anything yourself.", True),
        ("Your conveyancer doesn't need to lodge a notice of sale.", True),
    ],
)
def test_an_obligation_contradicts_only_one_of_the_same_action(
    tmp_path: Path, sentence: str, mismatch: bool
) -> None:
    found = mismatches(tmp_path, "council", SALE, sentence)
    assert [f.clause for f in found] == (["7.2"] if mismatch else [])


@pytest.mark.parametrize(
    ("text", "action", "done_to"),
    [
        ("The conveyancer must lodge a notice of sale.", "lodg", {"notic", "sale"}),
        ("Your conveyancer lodges the notice. You don't need to contact us.", "contact", set()),
        (
            "A notice of sale must be lodged by the conveyancer.",
            "lodg",
            {"notic", "sale", "conveyanc"},
        ),
        ("You are not allowed to park there overnight.", "park", {"overnight"}),
        ("A first application needs a medical certificate.", "", set()),  # no verb governed
        ("Photo ID is not required.", "", set()),
        ("Full licence holders can choose it.", "", set()),  # done to what was named before
    ],
)
def test_a_rule_reads_the_action_its_cue_governs(text: str, action: str, done_to: set[str]) -> None:
    (rule,) = [f for f in extract_facts(text) if f.kind == FactKind.RULE]
    assert (rule.action, set(rule.action_object)) == (action, done_to)


def test_the_first_bill_article_agrees_with_its_clause(tmp_path: Path) -> None:
    """ "billed monthly" is the article's "one month at a time"; "Each bill is issued 14 days
    before its due date" is how early a bill comes, another fact."""
    assert mismatches(tmp_path, "isp", PERIOD, PERIOD) == []


# The article's first sentence says "we bill monthly in advance" too: the clause's value,
# which confirms it wherever the article states another (see matching._is_confirmed). Left
# out here, so that the sentence under test is the article's only statement of the period.
OWN_MONTHLY = ("because we bill monthly in advance", "because we bill in advance")


@pytest.mark.parametrize(
    ("sentence", "says"),
    [
        (PERIOD, None),
        ("From your second bill on, you pay for two months at a time.", "1 month"),
        ("From your second bill on, you pay for a week at a time.", "1 month"),
        ("Each bill is issued 10 days before its due date.", "14 calendar days"),
    ],
)
def test_a_duration_is_compared_with_the_clause_value_of_the_same_thing(
    tmp_path: Path, sentence: str, says: str | None
) -> None:
    found = mismatches(tmp_path, "isp", PERIOD, sentence, article=OWN_MONTHLY)
    assert [said(f) for f in found] == ([says] if says else [])


def said(finding: FindingData) -> str:
    """What the clause says, by a policy_mismatch message: "... but X (version n) says 1 month
    ("monthly") ..." gives "1 month"."""
    return finding.message.split(") says ", 1)[1].split(" (", 1)[0]


@pytest.mark.parametrize(
    ("sentence", "mismatch"),
    [
        (PERIOD, False),  # how early a bill comes is not how long a bill is for
        ("Each bill is issued 10 days before its due date.", True),
        ("Each bill is issued one month before its due date.", True),
    ],
)
def test_a_duration_before_an_event_is_not_a_length(
    tmp_path: Path, sentence: str, mismatch: bool
) -> None:
    """Without "billed monthly" the clause's only duration is how long before its due date a
    bill is issued."""
    monthly = ("Services are billed monthly in advance.", "Services are billed in advance.")
    found = mismatches(tmp_path, "isp", PERIOD, sentence, article=OWN_MONTHLY, policy=monthly)
    assert bool(found) == mismatch


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Services are billed monthly in advance.", [30.4375]),
        ("You can pay weekly, fortnightly or monthly.", [7.0, 14.0, 30.4375]),
        ("Rates are levied quarterly.", [91.3125]),
        ("The licence is renewed annually.", [365.25]),
        ("The monthly fee is $20.", []),  # an adjective: "monthly" names the fee
        ("Pay monthly plans have no lock-in.", []),
        ("Interest is calculated daily.", []),  # how it is worked out, not a period
        ("The plan costs $65 monthly.", []),  # a rate, as "$65 a month" is
        ("Meetings are held twice monthly.", [15.21875]),  # twice a month: not a month
    ],
)
def test_a_period_word_states_a_duration(text: str, days: list[float]) -> None:
    found = [f for f in extract_facts(text) if f.kind == FactKind.DURATION]
    assert [f.value for f in found] == days
