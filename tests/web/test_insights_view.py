"""The measures CSV's columns: fixed, whatever the period's data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from knowledge_service.analytics.schemas import DayMeasures, MetricsSummary, Rates, Trend
from knowledge_service.analytics.service import finish_rates
from knowledge_service.answers.schemas import AnswerReason
from knowledge_service.web.insights_view import ESCALATION_REASONS, chart_data, measures_table
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
