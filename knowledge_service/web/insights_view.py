"""What the insights page shows: the measures per day as chart series, and the content gaps."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session

from knowledge_service.analytics import service as analytics
from knowledge_service.analytics.schemas import Gap, MetricsSummary, Rates
from knowledge_service.answers.schemas import AnswerReason
from knowledge_service.index.service import SearchService

GAP_QUESTIONS = 300
TOP_INTENTS = 10
ESCALATION_REASONS = (
    AnswerReason.AT_RISK,
    AnswerReason.HUMAN_REQUESTED,
    AnswerReason.LOW_CONFIDENCE,
    AnswerReason.BLOCKED,
    AnswerReason.NOT_ON_CHANNEL,
)
"""The reasons an answer escalates for (see the serving contract): one column each in the
measures CSV, whatever the period's data."""

NO_REASON = "unknown"
"""How the measures count an escalation logged without a reason."""
REASON_LABELS: dict[str, str] = {
    AnswerReason.AT_RISK: "Someone may be at risk",
    AnswerReason.HUMAN_REQUESTED: "Asked for a person",
    AnswerReason.LOW_CONFIDENCE: "Not confident enough for the channel",
    AnswerReason.BLOCKED: "Blocked by a finding",
    AnswerReason.NOT_ON_CHANNEL: "Article not served on the channel",
    AnswerReason.NO_ARTICLE: "No article answers it",
    AnswerReason.LOCALE_UNAVAILABLE: "No article in the asked locale",
    AnswerReason.CONFIDENT: "Confident",
    NO_REASON: "No reason recorded",
}
"""Each reason of the serving contract as a leader reads it; the page shows the code beside
it, since BI exports use the codes."""


def reason_label(reason: str) -> str:
    """``reason`` in words (a code the page does not know, from another release, as it is)."""
    return REASON_LABELS.get(reason, reason)


def escalation_reasons(summary: MetricsSummary) -> list[tuple[str, str]]:
    """``(code, label)`` of each reason the period's answers escalated for, in the serving
    contract's order (a reason it does not list after them, by code)."""
    seen = {r for d in summary.days for r in d.escalations_by_reason}
    known = [str(r) for r in ESCALATION_REASONS if r in seen]
    return [(code, reason_label(code)) for code in known + sorted(seen - set(known))]


def chart_data(summary: MetricsSummary) -> dict[str, Any]:
    """Series for the charts (and the tables beside them): one value per day."""
    labels = [d.day.isoformat() for d in summary.days]
    return {
        "labels": labels,
        "rates": {  # from the counts: the page rounds them to one decimal of a percent
            label: [analytics.exact_rate(d, name) for d in summary.days]
            for label, name in (
                ("Answered", "answer_rate"),
                ("Escalated", "escalation_rate"),
                ("No answer", "no_answer_rate"),
                ("Stale answers", "stale_answer_rate"),
            )
        },
        "escalations": {  # by label, as the legend shows them
            label: [d.escalations_by_reason.get(code, 0) for d in summary.days]
            for code, label in escalation_reasons(summary)
        },
        "feedback": {
            "Overrides": [d.overrides for d in summary.days],
            "Wrong or outdated": [d.wrong for d in summary.days],
            "Risk incidents": [d.risk_incidents for d in summary.days],
        },
        "demand": demand_by_intent(summary),
    }


def measures_table(summary: MetricsSummary) -> tuple[list[str], list[list[Any]]]:
    """The measures per day as a table for BI: the day, every count and rate (a rate with
    nothing to measure is an empty cell), then one ``escalated_<reason>`` column per reason
    that escalates (:data:`ESCALATION_REASONS`), always present, 0 on a day without it: the
    columns never change with the data, so a fixed import keeps working."""
    fields = [name for name in Rates.model_fields if name != "escalations_by_reason"]
    reasons = [str(reason) for reason in ESCALATION_REASONS]
    header = ["day", *fields, *(f"escalated_{reason}" for reason in reasons)]
    rows = [
        [d.day.isoformat(), *("" if getattr(d, f) is None else getattr(d, f) for f in fields),
         *(d.escalations_by_reason.get(reason, 0) for reason in reasons)]
        for d in summary.days
    ]  # fmt: skip
    return header, rows


def demand_by_intent(summary: MetricsSummary) -> dict[str, Any]:
    """The busiest intents (at most :data:`TOP_INTENTS`), each split by channel, and how many
    intents the period had (``of``: the page says when some are left out)."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in summary.demand:
        table[row.intent or "(none)"][row.channel or "(none)"] += row.questions
    intents = sorted(table, key=lambda i: -sum(table[i].values()))[:TOP_INTENTS]
    channels = sorted({c for i in intents for c in table[i]})
    return {
        "intents": intents,
        "channels": {c: [table[i].get(c, 0) for i in intents] for c in channels},
        "of": len(table),
    }


def summarize(
    session: Session, start: date, end: date, *, channel: str | None, intent: str | None
) -> MetricsSummary:
    return analytics.summarize(session, start, end, channel=channel, intent=intent)


def content_gaps(
    session: Session, search: SearchService, start: date, end: date, *, confidence_below: float,
    channel: str | None, intent: str | None,
) -> list[Gap]:  # fmt: skip
    """Clusters of the period's questions that no article answers (under the no-answer
    threshold, as in ``GET /v1/metrics/gaps`` and the review queue), on ``channel`` and about
    ``intent`` as the measures count them, most asked first."""
    return analytics.content_gaps(
        session, search, start, end, confidence_below=confidence_below, limit=5,
        sample=GAP_QUESTIONS, channel=channel, intent=intent,
    )  # fmt: skip
