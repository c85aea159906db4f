"""Each rule of the check on small documents (no store, fake or precomputed vectors)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from knowledge_service.content.loader import InvalidFile
from knowledge_service.freshness.checker import ArticleEmbedding, run_check
from knowledge_service.freshness.schemas import CheckResult, FindingKind, Severity
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.settings import FreshnessSettings, Settings
from tests.conftest import TODAY
from tests.factories import make_article, make_policy

SETTINGS = Settings(embedding_model="hash")
REFUNDS = make_policy(
    "REFUNDS",
    clauses={
        "2.1 Refund timeframe": "Approved refunds are paid within 10 business days.",
        "2.2 Refund fee": "A refund processing fee of $5.00 is charged.",
    },
)


def check(*articles: Any, policies: Any = (REFUNDS,), **kwargs: Any) -> CheckResult:
    return run_check(list(articles), list(policies), today=TODAY, settings=SETTINGS, **kwargs)


def kinds(result: CheckResult) -> list[tuple[str, list[str]]]:
    return sorted((str(f.kind), f.article_ids) for f in result.findings)


@pytest.mark.parametrize(
    ("next_review", "expected"),
    [
        ("2026-11-23", [FindingKind.REVIEW_OVERDUE]),
        ("2025-01-01", [FindingKind.REVIEW_OVERDUE]),
        ("2026-11-24", [FindingKind.REVIEW_DUE_SOON]),
        ("2026-12-08", [FindingKind.REVIEW_DUE_SOON]),
        ("2026-12-09", []),
    ],
)
def test_review_dates(next_review: str, expected: list[FindingKind]) -> None:
    article = make_article(last_reviewed="2024-01-01", next_review=next_review)
    assert [f.kind for f in check(article).findings] == expected


@pytest.mark.parametrize(
    ("next_review", "grace_days", "severity"),
    [
        ("2026-11-23", 30, Severity.WARN),  # a day overdue: warns
        ("2026-10-25", 30, Severity.WARN),  # the grace period's last day
        ("2026-10-24", 30, Severity.BLOCK),  # 31 days overdue: blocks
        ("2025-01-01", 30, Severity.BLOCK),
        ("2026-11-23", 0, Severity.BLOCK),  # no grace period: blocks at once
        ("2026-11-14", 10, Severity.WARN),
        ("2026-11-13", 10, Severity.BLOCK),
    ],
)
def test_review_overdue_warns_during_the_grace_period_then_blocks(
    next_review: str, grace_days: int, severity: Severity
) -> None:
    freshness = FreshnessSettings(review_grace_days=grace_days)
    settings = Settings(embedding_model="hash", freshness=freshness)
    article = make_article(last_reviewed="2024-01-01", next_review=next_review)
    result = run_check([article], [REFUNDS], today=TODAY, settings=settings)
    (finding,) = result.findings
    assert (finding.kind, finding.severity) == (FindingKind.REVIEW_OVERDUE, severity)


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({}, "(customer channels escalate it to a human)"),
        ({"channels": ["chat", "agent"]}, "(customer channels escalate it to a human)"),
        ({"channels": ["agent"]}, "(it is on no customer channel: agents are shown it with"),
        ({"audience": "internal"}, "(it is on no customer channel: agents are shown it with"),
        ({"channels": []}, "(it is served on no channel)"),
        ({"audience": "internal", "channels": ["chat", "web"]}, "(it is served on no channel)"),
    ],
)
def test_review_overdue_says_what_it_does_where_the_article_is_served(
    fields: dict[str, Any], said: str
) -> None:
    """An article on no customer channel is never escalated on one: its overdue review says
    where it is served instead (the severity is the same: the review is overdue)."""
    article = make_article(last_reviewed="2024-01-01", next_review="2025-01-01", **fields)
    (finding,) = check(article).findings
    assert (finding.kind, finding.severity) == (FindingKind.REVIEW_OVERDUE, Severity.BLOCK)
    assert said in finding.message
    if said != "(customer channels escalate it to a human)":
        assert "customer channels" not in finding.message


def test_review_dates_at_the_calendars_end_are_findings_not_errors() -> None:
    """A grace period or warning window reaching past the last day a date can hold (a long
    setting, a date far ahead) is a finding like any other, never an OverflowError."""
    freshness = FreshnessSettings(review_grace_days=36_500, review_window_days=36_500)
    settings = Settings(embedding_model="hash", freshness=freshness)
    overdue = make_article(last_reviewed="9000-01-01", next_review="9999-12-30")
    (finding,) = run_check([overdue], [REFUNDS], today=date.max, settings=settings).findings
    assert (finding.kind, finding.severity) == (FindingKind.REVIEW_OVERDUE, Severity.WARN)
    assert "9999-12-31" in finding.message
    due = make_article(id="due", last_reviewed="9000-01-01", next_review="9999-12-31")
    (finding,) = run_check([due], [REFUNDS], today=date.max, settings=settings).findings
    assert finding.kind == FindingKind.REVIEW_DUE_SOON


@pytest.mark.parametrize("field", ["review_grace_days", "review_window_days"])
def test_a_period_longer_than_a_hundred_years_is_a_bad_setting(field: str) -> None:
    with pytest.raises(ValueError, match="less than or equal to 36500"):
        FreshnessSettings(**{field: 36_501})


def test_the_grace_period_ending_changes_the_severity_not_the_finding() -> None:
    article = make_article(last_reviewed="2024-01-01", next_review="2026-11-01")
    before = check(article).findings[0]
    after = run_check([article], [REFUNDS], today=date(2026, 12, 15), settings=SETTINGS).findings[0]
    assert (before.severity, after.severity) == (Severity.WARN, Severity.BLOCK)
    assert before.fingerprint == after.fingerprint


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_drafts_and_retired_articles_are_not_checked(status: str) -> None:
    article = make_article(
        next_review="2025-01-01",
        last_reviewed="2024-01-01",
        status=status,
        policy_sources=["NOPE#1"],
        answer="Refunds take 3 business days.",
    )
    assert check(article).findings == []


@pytest.mark.parametrize(
    ("cited", "kind", "policy", "clause"),
    [
        ("NOPE#1", FindingKind.POLICY_MISSING, "NOPE", "1"),
        ("NOPE", FindingKind.POLICY_MISSING, "NOPE", None),
        ("REFUNDS#9.9", FindingKind.POLICY_MISSING, "REFUNDS", "9.9"),
        ("OLD#1", FindingKind.POLICY_RETIRED, "OLD", "1"),
        ("NEW#1", FindingKind.POLICY_CHANGED, "NEW", "1"),
    ],
)
def test_policy_links(cited: str, kind: FindingKind, policy: str, clause: str | None) -> None:
    old = make_policy("OLD", status="retired", clauses={"1 Old": "Gone."})
    new = make_policy("NEW", effective_date="2026-07-01", clauses={"1 New": "Changed."})
    article = make_article(policy_sources=[cited], answer="See the policy.")
    findings = check(article, policies=[REFUNDS, old, new]).findings
    assert [(f.kind, f.policy_id, f.clause) for f in findings] == [(kind, policy, clause)]


@pytest.mark.parametrize(
    "notice",
    ["This policy was replaced by FEES#3.1.", "Replaced by FEES#3.1.", "Superseded by FEES#3.1."],
)
def test_a_retired_policy_s_replacement_is_named_however_its_sentence_opens(notice: str) -> None:
    old = make_policy("OLD", status="retired", clauses={"1 Old": f"Gone. {notice}"})
    article = make_article(policy_sources=["OLD#1"], answer="See the policy.")
    [finding] = check(article, policies=[REFUNDS, old]).findings
    assert finding.kind == FindingKind.POLICY_RETIRED
    assert "cite FEES#3.1 instead" in finding.message, finding.message


def test_a_draft_policy_is_never_in_force_so_nothing_is_checked_against_it() -> None:
    """A folder's draft policy file (check on folders) is checked as the store checks it: its
    figures bind no article until it is approved."""
    draft = make_policy("FEES", status="draft", clauses={"1 Fee": "The fee is $4.00."})
    article = make_article(policy_sources=["FEES#1"], answer="The fee is $3.00.")
    result = check(article, policies=[REFUNDS, draft])
    assert [(f.kind, f.policy_id) for f in result.findings] == [
        (FindingKind.POLICY_MISSING, "FEES")
    ]
    assert result.summary.policies_checked == 1
    assert "FEES has only a draft, which is not in force" in result.findings[0].message
    missing = check(make_article(policy_sources=["NOPE#1"], answer="x"), policies=[draft])
    assert "there is no policy NOPE" in missing.findings[0].message  # no draft of it either


def test_policy_effective_on_review_day_is_not_changed() -> None:
    same_day = make_policy("NEW", effective_date="2026-06-01", clauses={"1 New": "Text."})
    article = make_article(policy_sources=["NEW#1"], answer="See the policy.")
    assert check(article, policies=[same_day]).findings == []


@pytest.mark.parametrize(
    ("answer", "mismatch"),
    [
        ("Refunds are paid within 5 business days.", True),
        ("Refunds are paid within 10 days.", True),
        ("Refunds are paid within ten business days.", False),
        ("Refunds are paid within 10 working days. Call 13 22 55 from 2026.", False),
        ("A refund fee of $5 applies, and refunds take 10 business days.", False),
        ("A refund fee of $7.50 applies.", True),
        # struck text is no longer told (every channel leaves it out or shows it struck)
        ("Refunds are paid within ~~5~~ 10 business days.", False),
        ("Refunds are paid within ~~10~~ 5 business days.", True),
        ("Refunds are paid within ~~10~~ 30 business days.", True),
        ("A refund fee of ~~$5~~ $7.50 applies, and refunds take 10 business days.", True),
    ],
)
def test_policy_mismatch(answer: str, mismatch: bool) -> None:
    article = make_article(policy_sources=["REFUNDS#2.1", "REFUNDS#2.2"], answer=answer)
    findings = check(article).findings
    assert [f.kind for f in findings] == ([FindingKind.POLICY_MISMATCH] if mismatch else [])
    if mismatch:
        finding = findings[0]
        assert finding.severity == Severity.BLOCK
        assert finding.evidence[0].article_id == "refund-timeframe"
        assert finding.evidence[1].policy_id == "REFUNDS"
        assert finding.evidence[1].clause in ("2.1", "2.2")


LATE_FEE = "A late payment fee of $12.00 applies if a bill is unpaid 14 days after its due date."
CHARGES = make_policy(
    "CHARGES",
    clauses={
        "2.1 Late payment": LATE_FEE,
        "3.1 Special meter reading": "A fee of $45.00 applies when you ask for a special meter "
        "reading.",
    },
)


@pytest.mark.parametrize(
    ("answer", "contradicted"),
    [
        ("The fee is $12.00 after 14 days.", []),  # 2.1's value, its charge left unnamed
        ("We add a fee of $12.00 after 14 days.", []),
        ("The fee is $20.00 after 14 days.", [(LATE_FEE, "money:AUD:12.00")]),  # not $45.00
        ("The fee is $12.00 after 21 days.", [(LATE_FEE, "duration:day:14.00")]),
        # not the $45.00 of a special meter reading: its subject is the late payment fee's
        ("The fee is $45.00 after 14 days.", [(LATE_FEE, "money:AUD:12.00")]),
        ("A special meter reading costs $45.00.", []),
    ],
)
def test_the_value_of_a_named_charge_agrees_with_a_policy_cited_whole(
    answer: str, contradicted: list[tuple[str, str]]
) -> None:
    """An article citing a whole policy that states one clause's amount, about that clause's
    subject but without the charge's name ("the fee", not "the late payment fee"), does not
    contradict the amount of another charge of the policy (a special meter reading); one that
    misstates it is told that clause's amount."""
    article = make_article(
        "overdue-bill",
        title="Paying your bill after the due date",
        intents=["billing.overdue_bill"],
        policy_sources=["CHARGES"],
        answer=answer,
        body="",
    )
    findings = check(article, policies=[CHARGES]).findings
    assert [f.kind for f in findings] == [FindingKind.POLICY_MISMATCH] * len(contradicted)
    assert [(f.evidence[1].text, f.evidence[1].fact) for f in findings] == contradicted


def test_a_mismatch_with_a_policy_cited_whole_names_the_clause_number() -> None:
    """Citing a whole policy, the clause evidence names the clause the fact is stated in by
    its number (as a clause is cited, ``CHARGES#2.1``), not by its heading ("Late payment"),
    so an owner and the review page can find it."""
    article = make_article(
        "overdue-bill",
        title="Paying your bill after the due date",
        intents=["billing.overdue_bill"],
        policy_sources=["CHARGES"],
        answer="The late payment fee is $20.00 after 14 days.",
        body="",
    )
    (finding,) = check(article, policies=[CHARGES]).findings
    assert finding.kind == FindingKind.POLICY_MISMATCH
    assert (finding.policy_id, finding.clause) == ("CHARGES", None)  # as cited: the policy
    assert (finding.evidence[1].policy_id, finding.evidence[1].clause) == ("CHARGES", "2.1")


@pytest.mark.parametrize(
    ("sources", "answer", "contradicted"),
    [
        (["CHARGES#2.1"], "The fee is $15.00 after 14 days.", [(LATE_FEE, "money:AUD:12.00")]),
        (["CHARGES#2.1"], "The fee is $12.00 after 14 days.", []),
        (["CHARGES#2.1"], "The late payment fee is $15.00.", [(LATE_FEE, "money:AUD:12.00")]),
        # the whole policy: an unnamed amount is not the late payment fee unless it is said
        # in the late payment fee's place (see the test above)
        (["CHARGES#2.1", "CHARGES#3.1"], "The fee is $15.00 after 14 days.",
         [(LATE_FEE, "money:AUD:12.00")]),
    ],
)  # fmt: skip
def test_an_article_citing_one_clause_restates_the_charge_it_names(
    sources: list[str], answer: str, contradicted: list[tuple[str, str]]
) -> None:
    """An article citing one clause by number restates it: "the fee is $15.00 after 14 days"
    misstates its "late payment fee of $12.00 ... 14 days after its due date", though the
    article never names the late payment fee."""
    article = make_article(
        "overdue-bill",
        title="Paying your bill after the due date",
        intents=["billing.overdue_bill"],
        policy_sources=sources,
        answer=answer,
        body="",
    )
    findings = check(article, policies=[CHARGES]).findings
    assert [f.kind for f in findings] == [FindingKind.POLICY_MISMATCH] * len(contradicted)
    assert [(f.evidence[1].text, f.evidence[1].fact) for f in findings] == contradicted


PLANS = "You can spread a bill over up to 12 months at no extra cost."


@pytest.mark.parametrize(
    ("sources", "contradicted"),
    [
        (["CHARGES#2.1"], [(LATE_FEE, "money:AUD:12.00")]),
        (["CHARGES#2.1", "CHARGES#2.2"], [(LATE_FEE, "money:AUD:12.00")]),
        (["CHARGES#2.2", "CHARGES#2.1"], [(LATE_FEE, "money:AUD:12.00")]),
    ],
)
def test_each_clause_cited_by_number_is_restated(
    sources: list[str], contradicted: list[tuple[str, str]]
) -> None:
    """An article citing several clauses by number restates each: "the fee is $15.00 after 14
    days" misstates the late payment fee of the one that names it, as when it cites that
    clause alone (it was missed as soon as another clause was cited beside it)."""
    policy = make_policy(
        "CHARGES", clauses={"2.1 Late payment": LATE_FEE, "2.2 Payment plans": PLANS}
    )
    article = make_article(
        "overdue-bill",
        title="Paying your bill after the due date",
        intents=["billing.overdue_bill"],
        policy_sources=sources,
        answer="The fee is $15.00 after 14 days.",
        body="",
    )
    findings = check(article, policies=[policy]).findings
    assert [(f.evidence[1].text, f.evidence[1].fact) for f in findings] == contradicted


@pytest.mark.parametrize("added", ["We add a fee of $12.00", "We add fees of $12.00"])
@pytest.mark.parametrize("cited", ["CHARGES#2.1", "CHARGES"])
def test_a_verb_before_a_fee_is_no_name_of_the_fee(added: str, cited: str) -> None:
    """ "We add a fee of $12.00" and "we add fees of $12.00" name no fee: an article's "the fee
    is $15.00" about the same overdue bill misstates it, the clause cited or its whole policy
    (it was read as an "add" fee, which the article never names: another charge)."""
    policy = make_policy(
        "CHARGES",
        clauses={"2.1 Late payment": f"{added} if a bill is unpaid 14 days after its due date."},
    )
    article = make_article(
        "overdue-bill",
        title="Paying your bill after the due date",
        intents=["billing.overdue_bill"],
        policy_sources=[cited],
        answer="The fee is $15.00 after 14 days.",
        body="",
    )
    findings = check(article, policies=[policy]).findings
    assert [(f.kind, f.evidence[1].fact) for f in findings] == [
        (FindingKind.POLICY_MISMATCH, "money:AUD:12.00")
    ]


PAID_IN_30 = "Once your refund is approved, we pay it within 30 business days."
PAID_IN_10 = "Once your refund is approved, we pay it within 10 business days."


@pytest.mark.parametrize(
    ("answer", "body", "mismatch"),
    [
        (  # the clause's value only in the details for agents, which customers never get
            PAID_IN_30,
            "## Details for agents\nIf it's been more than 10 business days since approval, "
            "escalate to the payments team.\n",
            True,
        ),
        (PAID_IN_30, "## How we pay\nApproved refunds are paid within 10 business days.\n", True),
        (  # the answer states the clause's value and a shorter aim
            "Approved refunds are paid within 10 business days; most are paid within 5 "
            "business days.",
            "",
            False,
        ),
        (
            "Most refunds are paid within 5 business days of approval, and every approved "
            "refund is paid within 10 business days.",
            "",
            False,
        ),
        (  # a detail for agents beside an answer that states the clause
            PAID_IN_10,
            "## Details for agents\nMost refunds are paid within 5 business days.\n",
            False,
        ),
        (
            PAID_IN_10,
            "## Details for agents\nIf it's been more than 10 business days since approval, "
            "escalate to the payments team.\n",
            False,
        ),
    ],
)
def test_only_the_answer_confirms_the_answer(answer: str, body: str, mismatch: bool) -> None:
    """Customer channels serve the answer alone: the clause's value stated in a section does
    not make up for a different value in the answer; in the answer, it does (a shorter aim
    beside the clause's limit is no mismatch), and the answer confirms a section."""
    article = make_article(policy_sources=["REFUNDS#2.1"], answer=answer, body=body)
    findings = check(article).findings
    assert [f.kind for f in findings] == ([FindingKind.POLICY_MISMATCH] if mismatch else [])
    if mismatch:
        stated = findings[0].evidence[0]
        assert (stated.section, stated.fact) == ("answer", "duration:business_day:30.00")


def test_an_answer_contradicting_another_article_is_a_conflict_whatever_its_details_say() -> None:
    right = twin("refund-a", PAID_IN_10)
    wrong = twin(
        "refund-b",
        PAID_IN_30,
        body="## Details for agents\nEscalate after 10 business days since approval.\n",
    )
    assert ("conflict", ["refund-a", "refund-b"]) in kinds(check(right, wrong))


def test_mismatch_fingerprint_is_stable_across_runs_and_wording() -> None:
    first = make_article(policy_sources=["REFUNDS#2.1"], answer="Refunds take 5 business days.")
    second = make_article(policy_sources=["REFUNDS#2.1"], answer="Refunds: 5 business days.")
    assert check(first).findings[0].fingerprint == check(second).findings[0].fingerprint


def twin(article_id: str, answer: str, **fields: Any) -> Any:
    defaults = {
        "intents": ["billing.refund.timeframe"],
        "title": "Refund time",
        "body": f"## Where to look\nThe {article_id.replace('-', ' ')} page of the app.\n",
    }
    return make_article(article_id, answer=answer, **{**defaults, **fields})


def test_shared_intent_with_contradicting_facts_is_a_conflict_and_ambiguous() -> None:
    a = twin("refund-a", "Refunds are paid within 10 business days.")
    b = twin(
        "refund-b",
        "You get your refund within 3 business days.",
        body="## Card refunds\nA refund to a credit card shows on your next statement.\n",
    )
    assert kinds(check(a, b)) == [
        ("ambiguous_intent", ["refund-a", "refund-b"]),
        ("conflict", ["refund-a", "refund-b"]),
    ]


@pytest.mark.parametrize(
    "fields",
    [{"audience": "internal", "channels": ["agent"]}, {"locale": "en-NZ"}, {"status": "draft"}],
)
def test_other_audience_locale_or_status_never_conflicts(fields: dict[str, Any]) -> None:
    a = twin("refund-a", "Refunds are paid within 10 business days.")
    b = twin("refund-b", "You get your refund within 3 business days.", **fields)
    assert kinds(check(a, b)) == []


def test_same_fact_in_other_words_is_a_restatement_not_a_conflict() -> None:
    """One intent, the same figures in other words: the same answer twice (a duplicate that
    says why), never a conflict."""
    a = twin("refund-a", "Refunds are paid within two weeks.")
    b = twin("refund-b", "You get your refund within 14 days.")
    result = check(a, b)
    assert kinds(result) == [
        ("ambiguous_intent", ["refund-a", "refund-b"]),
        ("duplicate", ["refund-a", "refund-b"]),
    ]
    (duplicate,) = [f for f in result.findings if f.kind == "duplicate"]
    assert "both answer billing.refund.timeframe" in duplicate.message
    assert "same figures in other words: 14 calendar days" in duplicate.message


@pytest.mark.parametrize(
    "second",
    [
        "You get your refund within 14 days, or 5 business days to a card.",
        "Refunds to a card are free.",
    ],
)
def test_one_shared_figure_beside_others_is_no_restatement(second: str) -> None:
    a = twin("refund-a", "Refunds are paid within two weeks.")
    b = twin("refund-b", second)
    assert kinds(check(a, b)) == [("ambiguous_intent", ["refund-a", "refund-b"])]


def test_residential_and_business_articles_do_not_conflict() -> None:
    a = twin(
        "fee-res",
        "Residential customers pay a $12.50 late fee.",
        intents=["fee.res"],
        title="Late fee for residential customers",
    )
    b = twin(
        "fee-bus",
        "Business customers pay a $25 late fee.",
        intents=["fee.bus"],
        title="Late fee for business customers",
    )
    near = {"fee-res": _unit(0), "fee-bus": _unit(0)}
    assert kinds(check(a, b, vectors=near)) == []


@pytest.mark.parametrize(
    ("titles", "intents", "conflicts"),
    [
        (("Is there a daily cap?", "Is there a weekly cap?"), ("cap.a", "cap.b"), False),
        (("Fare caps", "Fare caps"), ("fares.cap.daily", "fares.cap.weekly"), False),
        (("Daily and weekly caps", "Is there a weekly cap?"), ("cap.a", "cap.b"), True),
        (("Fare caps", "Capped fares"), ("cap.a", "cap.b"), True),
    ],
)
def test_a_daily_and_a_weekly_article_never_conflict(
    titles: tuple[str, str], intents: tuple[str, str], conflicts: bool
) -> None:
    """The period an article is about, named by its title or an intent, is a scope like
    residential and business; a title naming both periods, or none, is no scope."""
    a = twin("cap-a", "The fare cap is $5.25.", title=titles[0], intents=[intents[0]],
             body="## Cards\nIt applies to fares paid by card.\n")  # fmt: skip
    b = twin("cap-b", "The fare cap is $55.", title=titles[1], intents=[intents[1]],
             body="## Trips after it\nThe rest of your trips are free.\n")  # fmt: skip
    near = {"cap-a": _unit(0), "cap-b": _unit(0)}
    found = kinds(check(a, b, vectors=near))
    assert found == ([("conflict", ["cap-a", "cap-b"])] if conflicts else [])


def test_close_texts_with_the_same_figures_in_other_words_are_duplicates() -> None:
    """Two intents, few shared words, but texts as close as duplicates' and every figure of
    each stated by the other: one answer said twice."""
    a = twin(
        "symptoms-before",
        "Symptoms in the 6 months before joining make it pre-existing; we cover it once "
        "you've held cover for twelve months.",
        intents=["hospital.symptoms"],
        body="## How we check\nOur adviser reads your doctor's notes.\n",
    )
    b = twin(
        "pre-existing-wait",
        "If you had signs of a condition in the six months before you joined, a 12 month "
        "waiting period applies.",
        intents=["hospital.waiting"],
        body="## Who decides\nA doctor appointed by us looks at your records.\n",
    )
    close = {"symptoms-before": _unit(0), "pre-existing-wait": _unit(0, 0.3)}
    result = check(a, b, vectors=close)
    assert kinds(result) == [("duplicate", ["pre-existing-wait", "symptoms-before"])]
    assert "their texts are close (similarity 0.96)" in result.findings[0].message
    assert "same figures in other words" in result.findings[0].message
    # a figure of one not stated by the other: no restatement (and no copy either)
    c = twin("pre-existing-wait", b.answer.replace("12 month", "two month"),
             intents=["hospital.waiting"], body=b.body)  # fmt: skip
    assert "duplicate" not in [k for k, _ in kinds(check(a, c, vectors=close))]
    # texts less close than the duplicate threshold: no duplicate
    apart = {"symptoms-before": _unit(0), "pre-existing-wait": _unit(0, 1.0)}
    assert kinds(check(a, b, vectors=apart)) == []


def test_one_shared_figure_of_a_template_is_no_reworded_duplicate() -> None:
    """Articles written from one template ("You can X your Y in the app; it takes 3 business
    days") are close texts with one figure in common: not one answer said twice."""
    a = twin("refund-landline", "You can get a refund for your landline in the app; it takes "
             "3 business days.", intents=["landline.refund"], body="")  # fmt: skip
    b = twin("upgrade-final-bill", "Upgrading your final bill is done by phone, within 3 "
             "business days.", intents=["bill.upgrade"], body="")  # fmt: skip
    close = {"refund-landline": _unit(0), "upgrade-final-bill": _unit(0, 0.3)}
    assert kinds(check(a, b, vectors=close)) == []


def _unit(axis: int, wobble: float = 0.0) -> ArticleEmbedding:
    vector = np.zeros(8, dtype=np.float32)
    vector[axis] = 1.0
    vector[(axis + 1) % 8] = wobble
    vector /= np.linalg.norm(vector)
    return ArticleEmbedding(vector, vector, vector)


def test_near_identical_articles_are_found_through_vectors_only() -> None:
    a = twin(
        "refund-a",
        "Refunds reach your bank within 10 business days of approval.",
        intents=["refund.a"],
    )
    b = twin(
        "refund-b",
        "Refunds reach your bank within 4 business days of approval.",
        intents=["refund.b"],
    )
    far = {"refund-a": _unit(0), "refund-b": _unit(3)}
    near = {"refund-a": _unit(0), "refund-b": _unit(0, 0.05)}
    assert kinds(check(a, b, vectors=far)) == []
    assert kinds(check(a, b, vectors=near)) == [
        ("conflict", ["refund-a", "refund-b"]),
        ("duplicate", ["refund-a", "refund-b"]),
    ]


def test_duplicates_with_the_hash_embedder() -> None:
    text = "Turn the modem off at the wall, wait thirty seconds and turn it back on again."
    a = twin("modem-a", text, intents=["modem.a"], title="Restart your modem")
    b = twin(
        "modem-b",
        text.replace("wall", "power point"),
        intents=["modem.b"],
        title="Restart your modem",
    )
    c = twin(
        "bill-c",
        "Your bill shows the amount owing and the due date.",
        intents=["bill.c"],
        title="Your bill",
    )
    result = check(a, b, c, embedder=HashEmbedder())
    assert kinds(result) == [("duplicate", ["modem-a", "modem-b"])]


def test_invalid_files_block() -> None:
    bad = InvalidFile(path="content/bad.md", line=3, field="title", message="content/bad.md:3: x")
    result = check(invalid=[bad])
    assert [(f.kind, f.severity) for f in result.findings] == [
        (FindingKind.INVALID, Severity.BLOCK)
    ]
    assert "content/bad.md line 3" in result.findings[0].message
    assert result.fails()


def test_two_files_giving_one_id_are_two_findings(tmp_path: Any) -> None:
    """Each file of a duplicate id is its own finding (both are stored, each names its file),
    though both are about the same article and the same field."""
    from knowledge_service.content.loader import load_content
    from tests.factories import write_article_md

    write_article_md(tmp_path / "content", "a-first", id="same")
    write_article_md(tmp_path / "content", "b-second", id="same")
    loaded = load_content([tmp_path / "content"], max_file_bytes=10**6)
    result = check(invalid=loaded.invalid)
    assert [f.article_ids for f in result.findings] == [["same"], ["same"]]
    assert len({f.fingerprint for f in result.findings}) == 2
    assert sorted(f.evidence[0].path or "" for f in result.findings) == sorted(
        f.source_path or "" for f in loaded.invalid
    )


def test_json_shape_of_a_finding() -> None:
    article = make_article(policy_sources=["REFUNDS#2.1"], answer="Refunds take 5 business days.")
    data = check(article).as_json()
    finding = data["findings"][0]
    assert set(finding) >= {
        "kind",
        "severity",
        "article_ids",
        "policy_id",
        "clause",
        "message",
        "evidence",
        "fingerprint",
    }
    assert {"article_id", "version", "section", "text"} <= set(finding["evidence"][0])
    assert data["summary"]["by_kind"] == {"policy_mismatch": 1}


def test_a_conflict_across_intents_says_why_the_pair_was_compared_and_which_side_is_right() -> None:
    a = twin(
        "refund-a",
        "Refunds reach your bank within 10 business days of approval.",
        intents=["refund.a"],
        policy_sources=["REFUNDS#2.1"],
    )
    b = twin(
        "refund-b",
        "Refunds reach your bank within 4 business days of approval.",
        intents=["refund.b"],
    )
    near = {"refund-a": _unit(0), "refund-b": _unit(0, 0.05)}
    (conflict,) = [f for f in check(a, b, vectors=near).findings if f.kind == "conflict"]
    assert "different intents" in conflict.message
    assert "questions and answers are close: similarity 1.00" in conflict.message
    assert "refund-a matches REFUNDS#2.1 (10 business days): correct refund-b." in conflict.message


EXTENSIONS = make_policy(
    "BILLING",
    clauses={
        "3.1 Payment extensions": "Customers may get at most 2 payment extensions in any "
        "12-month period. An extension is free of charge.",
        "3.2 Extension length": "An extension gives up to 21 days of extra time to pay.",
    },
)


def _restating(answer_a: str, answer_b: str) -> CheckResult:
    """Two articles about unlike needs (other intents, far apart vectors) that cite one
    clause."""
    a, b = (
        twin(article_id, answer, intents=[intent], title=title, policy_sources=["BILLING#3.1"])
        for article_id, answer, intent, title in (
            ("extension-how-many", answer_a, "billing.extension.count", "How many extensions?"),
            ("arrears-help", answer_b, "billing.arrears.help", "Help when you cannot pay"),
        )
    )
    far = {"extension-how-many": _unit(0), "arrears-help": _unit(4)}
    return check(a, b, policies=(EXTENSIONS,), vectors=far)


def test_two_articles_restating_one_clause_differently_conflict_through_the_policy() -> None:
    result = _restating(
        "You can get up to two extensions in a 12-month period.",
        "Can't pay on time? Ask for more time. You can have up to three extensions a year.",
    )
    assert kinds(result) == [
        ("conflict", ["arrears-help", "extension-how-many"]),
        ("policy_mismatch", ["arrears-help"]),
    ]
    (conflict,) = [f for f in result.findings if f.kind == "conflict"]
    assert "both restate BILLING#3.1 (2)" in conflict.message
    assert conflict.message.endswith(
        "extension-how-many matches BILLING#3.1: correct arrears-help."
    )
    clause = conflict.evidence[-1]
    assert (clause.policy_id, clause.clause, clause.path) == ("BILLING", "3.1", "billing.md")


@pytest.mark.parametrize(("vectors", "partner"), [(True, "plan-extension"), (False, "a-extension")])
def test_one_article_misstating_a_clause_others_state_rightly_is_one_conflict(
    vectors: bool, partner: str
) -> None:
    """Paired with the matching article most like it (without vectors: the lowest id); the
    message counts the other matching ones."""
    right = "You can get up to two extensions in a 12-month period."
    answers = {
        "arrears-help": ("Can't pay on time? You can have up to three extensions a year.", 4),
        "a-extension": (right, 0),
        "plan-extension": (right, 3),  # partly like arrears-help (cosine 0.29)
    }
    articles = [
        twin(
            a,
            text,
            intents=[f"billing.{a.replace('-', '_')}"],
            title=a,
            policy_sources=["BILLING#3.1"],
        )
        for a, (text, _) in answers.items()
    ]
    near = {a: _unit(axis, 0.3 if axis == 3 else 0.0) for a, (_, axis) in answers.items()}
    result = check(*articles, policies=(EXTENSIONS,), vectors=near if vectors else None)
    (conflict,) = [f for f in result.findings if f.kind == "conflict"]
    assert conflict.article_ids == sorted(["arrears-help", partner])
    assert conflict.message.endswith(
        f"{partner} and 1 other article match BILLING#3.1: correct arrears-help."
    )


@pytest.mark.parametrize(
    "answer_b",
    [
        "Can't pay on time? Ask for more time: at most 2 extensions in any 12 months.",  # agrees
        "Can't pay on time? An extension is free of charge.",  # another fact of the clause
        "Can't pay on time? Call us on 13 14 15 and we'll talk it through.",  # no fact
    ],
)
def test_articles_citing_one_clause_without_stating_its_fact_differently_do_not_conflict(
    answer_b: str,
) -> None:
    result = _restating("You can get up to two extensions in a 12-month period.", answer_b)
    assert [f for f in result.findings if f.kind == "conflict"] == []


def test_two_articles_misstating_one_clause_alike_do_not_conflict_but_unlike_do() -> None:
    alike = _restating("You can have three extensions a year.", "Up to 3 extensions a year.")
    assert [f.kind for f in alike.findings].count("conflict") == 0
    unlike = _restating("You can have three extensions a year.", "Up to 4 extensions a year.")
    (conflict,) = [f for f in unlike.findings if f.kind == "conflict"]
    assert conflict.message.endswith("neither matches BILLING#3.1: correct both.")
    assert [f.kind for f in unlike.findings].count("policy_mismatch") == 2


def test_a_conflict_without_a_cited_clause_asks_for_the_wrong_one_or_a_condition() -> None:
    a = twin("refund-a", "Refunds are paid within 10 business days.")
    b = twin("refund-b", "Refunds are paid within 4 business days.")
    (conflict,) = [f for f in check(a, b).findings if f.kind == "conflict"]
    assert "both answer billing.refund.timeframe" in conflict.message
    assert conflict.message.endswith(
        "correct the one that is wrong, or state the condition that tells them apart."
    )


def test_an_exception_for_card_holders_is_not_a_conflict_with_the_fee() -> None:
    a = twin("rego-fee", "Registering a car for twelve months costs $325.")
    b = twin("rego-free", "Pensioner Concession Card holders don't pay a registration fee.")
    assert kinds(check(a, b)) == [("ambiguous_intent", ["rego-fee", "rego-free"])]


def test_an_article_saying_free_mismatches_a_clause_that_charges() -> None:
    fees = make_policy("FEES", clauses={"3 Reviews": "An internal review costs $30."})
    article = twin("review", "Reviews are free of charge.", policy_sources=["FEES#3"])
    (finding,) = [
        f for f in check(article, policies=(fees,)).findings if f.kind != "policy_changed"
    ]
    assert finding.kind == "policy_mismatch"
    assert 'says charged ("$30")' in finding.message


SEATS = make_policy(
    "FARES",
    clauses={
        "2.6 Seats": "On Saver fares a standard seat costs £12 per flight. On Flex fares "
        "standard seats are free and an extra legroom seat costs £30 per flight.",
    },
)


@pytest.mark.parametrize(
    ("answer", "mismatch"),
    [
        ("Seat fees apply on Saver fares.", False),  # another fare than the free one
        ("On Flex, standard seats are free.", False),
        ("On Saver fares a standard seat costs £12.", False),
        ("On Saver fares a standard seat costs £15.", True),
        ("On Flex fares standard seats cost £12.", True),
    ],
)
def test_a_product_named_after_on_or_for_is_a_condition(answer: str, mismatch: bool) -> None:
    """ "on Saver fares" and "On Flex," say which product a fact is about: a price for one
    fare does not contradict "free" for another."""
    article = make_article(policy_sources=["FARES#2.6"], answer=answer)
    findings = check(article, policies=(SEATS,)).findings
    assert {f.kind for f in findings} == ({FindingKind.POLICY_MISMATCH} if mismatch else set())


def test_lead_times_of_two_actions_alike_only_through_their_titles_do_not_conflict() -> None:
    """Two weeks' notice to cancel and 7 days' notice before a hold starts, in two close
    articles about one membership: the two sentences share no word, only their titles do."""
    cancel = twin(
        "cancel-membership",
        "Once your minimum term is up, you can cancel your gym membership with two weeks' notice.",
        intents=["gym.cancel"],
        title="Cancel your gym membership",
    )
    hold = twin(
        "hold-membership",
        "You can put your gym membership on hold for up to 12 weeks a year. Each hold must be "
        "at least 2 weeks long. Ask at reception at least 7 days before you want the hold to "
        "start.",
        intents=["gym.hold"],
        title="Put your gym membership on hold",
    )
    near = {"cancel-membership": _unit(0), "hold-membership": _unit(0, 1.0)}  # 0.71
    assert kinds(check(cancel, hold, vectors=near)) == []


@pytest.mark.parametrize(
    ("licence_sentence", "conflict"),
    [
        ("We send a reminder about 6 weeks before the licence expires.", False),
        # the same thing as the other article's: its own title's word is not what it is about
        ("We send a reminder about 6 weeks before your registration expires.", True),
    ],
)
def test_each_article_s_own_thing_named_in_lower_case_is_no_conflict(
    licence_sentence: str, conflict: bool
) -> None:
    """A licence's reminder and a registration's renewal notice, in a licensing office's two
    close articles: each sentence names its own title's word ("licence", "registration"), not
    the other's, so the two lead times are two things' (they once blocked both articles)."""
    rego = twin(
        "rego-renew",
        "We send your renewal notice 4 weeks before your registration expires.",
        intents=["registration.renew"],
        title="Renewing your vehicle registration",
    )
    licence = twin(
        "licence-renew",
        "Your driver licence is renewed every 5 years.",
        intents=["licence.renew"],
        title="Renewing your driver licence",
        body=f"## Reminder\n{licence_sentence}\n",
    )
    near = {"rego-renew": _unit(0), "licence-renew": _unit(0, 0.3)}
    expected = [("conflict", ["licence-renew", "rego-renew"])] if conflict else []
    assert kinds(check(rego, licence, vectors=near)) == expected


def test_a_policy_in_an_invalid_file_is_named_as_such_not_as_missing() -> None:
    """A policy whose file is invalid is not missing: the article citing it says to correct
    the policy's file, not its own policy_sources."""
    broken = InvalidFile(
        path="policies/fees.md", line=5, field="owner", message="policies/fees.md:5: field "
        "'owner': is required", kind="policy", doc_id="FEES",
    )  # fmt: skip
    article = make_article(policy_sources=["FEES#3.1"])
    result = run_check([article], [REFUNDS], today=TODAY, settings=SETTINGS, invalid=[broken])
    (missing,) = [f for f in result.findings if f.kind == FindingKind.POLICY_MISSING]
    assert "policies/fees.md" in missing.message and "is invalid" in missing.message
    assert "correct policy_sources" not in missing.message
    assert missing.severity == Severity.BLOCK
    elsewhere = make_article(policy_sources=["NOPE#1"])
    (missing,) = [
        f
        for f in run_check([elsewhere], [REFUNDS], today=TODAY, settings=SETTINGS).findings
        if f.kind == FindingKind.POLICY_MISSING
    ]
    assert "there is no policy NOPE" in missing.message


CHANGES = make_policy(
    "FARES",
    clauses={
        "2 Changes": "A Standard fare may be changed once free of charge. Each further change "
        "to a Standard fare costs $10. A Flexi fare may be changed any number of times free "
        "of charge. A Saver fare cannot be changed."
    },
)


@pytest.mark.parametrize(
    ("answer", "mismatch"),
    [
        (  # each fare's rule in its own part of one sentence, as the clause states it
            "Standard gets one free change and then $10 a change, Flexi is free every time, "
            "and Saver can't be changed (offer a new booking instead).",
            [],
        ),
        (
            "You can change a Standard fare once without paying anything. Every change after "
            "that costs $10. Flexi fares can be changed as often as you like at no charge, and "
            "Saver fares can't be changed at all.",
            [],
        ),
        ("Saver fares can be changed once.", ["rule:permission:no"]),
        ("Each further change to a Standard fare costs $15.", ["money:AUD:10.00"]),
    ],
)
def test_a_free_allowance_and_what_is_charged_beyond_it_are_two_facts(
    answer: str, mismatch: list[str]
) -> None:
    """ "Changed once free of charge" is one free change ("once" opens no case there), and
    "each further change costs $10" is charged beyond it: "one free change and then $10 a
    change" states both. Each rule of a sentence is read around its own cue: "Saver can't be
    changed" is about Saver, not about the Standard fare named first."""
    article = make_article(
        "changing-bookings",
        title="Changing a booking",
        intents=["bookings.change"],
        policy_sources=["FARES#2"],
        answer=answer,
        body="",
    )
    findings = check(article, policies=[CHANGES]).findings
    assert [f.evidence[1].fact for f in findings] == mismatch


def test_a_rule_past_a_time_does_not_contradict_one_within_it() -> None:
    """ "Don't accept a return after 14 days" says what holds past the 14 days a clause's
    "may be returned within 14 days" allows: no contradiction; a prohibition without that
    time contradicts it."""
    policy = make_policy(
        "DEVICES",
        clauses={"4 Returns": "Devices may be returned within 14 days of delivery."},
    )
    for answer, mismatch in [
        ("Don't accept a return after 14 days, and don't waive the restocking fee.", []),
        ("Don't accept a return, and don't waive the restocking fee.", ["rule:permission:yes"]),
    ]:
        article = make_article(
            "returns",
            title="Returning a device",
            intents=["devices.returns"],
            policy_sources=["DEVICES#4"],
            answer=answer,
            body="",
        )
        findings = check(article, policies=[policy]).findings
        assert [f.evidence[1].fact for f in findings] == mismatch, answer


def test_an_article_on_no_channel_is_still_compared_with_customer_articles() -> None:
    """``channels: []`` is a published article of its audience and locale (staff find it in
    search): the content format's pair findings hold for it as for any other."""
    a = twin("refund-a", "Refunds are paid within 10 business days.")
    b = twin("refund-b", "You get your refund within 3 business days.", channels=[])
    assert kinds(check(a, b)) == [
        ("ambiguous_intent", ["refund-a", "refund-b"]),
        ("conflict", ["refund-a", "refund-b"]),
    ]


CALL_US = (
    "Call 1-888-555-0142. Loan specialists are available 8 a.m. to 8 p.m. Eastern, "
    "Monday to Friday."
)
OPEN_HOURS = "Our servicing center is open Monday through Friday, 8 a.m. to 9 p.m. ET."


@pytest.mark.parametrize(
    ("intents", "conflict"),
    [
        ((["contact.phone"], ["contact.hours"]), True),  # one topic: compared
        ((["contact.phone"], ["visits.hours"]), False),  # two topics: hours of two things
    ],
)
def test_opening_hours_in_one_topic_are_compared_however_unlike_the_articles(
    intents: tuple[list[str], list[str]], conflict: bool
) -> None:
    """Two answers of one topic (intents with the same first part) that give opening hours for
    the same days are compared on them, with no shared intent and no similarity: a customer
    asking when to call gets either; only those times are compared."""
    a = make_article("call-us", title="How do I talk to a specialist?", intents=intents[0],
                     answer=CALL_US, body="")  # fmt: skip
    b = make_article("contact-hours", title="What are your hours?", intents=intents[1],
                     answer=OPEN_HOURS, body="")  # fmt: skip
    found = [f for f in check(a, b).findings if f.kind == FindingKind.CONFLICT]
    if not conflict:
        assert found == []
        return
    (finding,) = found
    assert finding.article_ids == ["call-us", "contact-hours"]
    assert "8:00 p.m." in finding.message and "9:00 p.m." in finding.message
    assert "both answers give opening hours for these days, in one topic (contact)" in (
        finding.message
    )


def test_opening_hours_of_one_topic_that_agree_or_hold_on_other_days_do_not_conflict() -> None:
    a = make_article("call-us", intents=["contact.phone"], answer=CALL_US, body="")
    same = make_article(
        "contact-hours", intents=["contact.hours"], body="",
        answer="Our servicing center is open Monday through Friday, 8 a.m. to 8 p.m. ET.",
    )  # fmt: skip
    saturday = make_article(
        "saturday-hours", intents=["contact.saturday"], body="",
        answer="On Saturday our servicing center is open 9 a.m. to 1 p.m. ET.",
    )  # fmt: skip
    assert [f for f in check(a, same, saturday).findings if f.kind == FindingKind.CONFLICT] == []
