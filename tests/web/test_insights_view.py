"""The measures CSV's columns: fixed, whatever the period's data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from knowledge_service.analytics.schemas import DayMeasures, MetricsSummary, Rates, Trend
from knowledge_service.analytics.service import finish_rates
from knowledge_service.answers.schemas import AnswerReason
from knowledge_service.web.insights_view import (
    ESCALATION_REASONS,
    NO_REASON,
    REASON_LABELS,
    chart_data,
    escalation_reasons,
    measures_table,
    reason_label,
)
from knowledge_service.web.templating import environment

DAY = date(2026, 11, 20)
ESCALATING = {
    "at_risk", "human_requested", "low_confidence", "blocked_by_finding", "not_on_channel"
}  # fmt: skip


def summary(**by_reason: int) -> MetricsSummary:
    day = DayMeasures(day=DAY, escalated=sum(by_reason.values()), escalations_by_reason=by_reason)
    return MetricsSummary(
        start=DAY, end=DAY, channel=None, intent=None, totals=Rates(), days=[day],
        trend=Trend(answer_rate=None, escalation_rate=None, wrong_rate=None), demand=[],
        risk_incidents=[],
    )  # fmt: skip


def test_the_escalation_columns_are_every_escalating_reason_whatever_the_data() -> None:
    quiet, _ = measures_table(summary())
    busy, rows = measures_table(summary(human_requested=2, low_confidence=1))
    assert quiet == busy
    reasons = [c.removeprefix("escalated_") for c in busy if c.startswith("escalated_")]
    assert set(reasons) == ESCALATING, reasons
    row = dict(zip(busy, rows[0], strict=True))
    assert (row["escalated_human_requested"], row["escalated_low_confidence"]) == (2, 1)
    assert (row["escalated_blocked_by_finding"], row["escalated_not_on_channel"]) == (0, 0)


def test_every_answer_reason_is_known_to_escalate_or_not() -> None:
    """A new AnswerReason must be placed: a reason that escalates is a CSV column."""
    never = {"confident", "no_article", "locale_unavailable"}
    assert {str(r) for r in ESCALATION_REASONS} == ESCALATING
    assert {str(r) for r in AnswerReason} == ESCALATING | never


def test_the_columns_are_those_the_readme_lists() -> None:
    header, _ = measures_table(summary())
    assert header == [
        "day", "answers", "answered", "no_answer", "escalated", "searches", "stale_answers",
        "repeat_questions", "feedback", "helpful", "wrong", "overrides", "risk_incidents",
        "answer_rate", "no_answer_rate", "escalation_rate", "stale_answer_rate", "repeat_rate",
        "helpful_rate", "wrong_rate", "override_rate", "escalated_at_risk",
        "escalated_human_requested", "escalated_low_confidence", "escalated_blocked_by_finding",
        "escalated_not_on_channel",
    ]  # fmt: skip
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert all(f"`{column}`" in readme for column in header)


def test_the_page_rounds_a_rate_once() -> None:
    """1 no-answer in 29 answers is 3.448%: the page showed 3.5%, a percentage of the rate the
    API rounds to 4 places (0.0345). The page's rates come from the counts."""
    day = DayMeasures(day=DAY, answers=29, answered=28, no_answer=1)
    finish_rates(day)
    assert day.no_answer_rate == 0.0345  # the API's rate is unchanged
    totals = Rates(answers=29, answered=28, no_answer=1)
    finish_rates(totals)
    filters = environment().filters
    shown = chart_data(summary().model_copy(update={"days": [day], "totals": totals}))
    assert filters["percent"](shown["rates"]["No answer"][0]) == "3.4%"
    assert filters["rate"](totals, "no_answer_rate") == "3.4%"
    assert filters["rate"](totals, "answer_rate") == "96.6%"
    assert filters["rate"](Rates(), "answer_rate") == "–"  # nothing to measure


def test_every_reason_of_the_serving_contract_has_words_for_leaders() -> None:
    """The page showed the codes (``blocked by finding``, ``human requested``): every reason
    the contract lists, and an escalation logged without one, has a label of its own."""
    contract = (Path(__file__).parents[2] / "docs" / "serving-contract.md").read_text("utf-8")
    table = contract.split("### Reasons", 1)[1].split("###", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M))
    assert listed == {str(r) for r in AnswerReason}
    for code in [*listed, NO_REASON]:
        assert REASON_LABELS[code] and "_" not in REASON_LABELS[code], code
    assert len(set(REASON_LABELS.values())) == len(REASON_LABELS)
    assert reason_label("from_a_later_release") == "from_a_later_release"


def test_the_escalation_chart_names_its_reasons_in_words_in_the_contract_s_order() -> None:
    shown = chart_data(summary(unknown=1, not_on_channel=3, human_requested=2, at_risk=1))
    assert shown["escalations"] == {
        "Someone may be at risk": [1], "Asked for a person": [2],
        "Article not served on the channel": [3], "No reason recorded": [1],
    }  # fmt: skip
    assert escalation_reasons(summary(low_confidence=1)) == [
        ("low_confidence", "Not confident enough for the channel")
    ]
