"""Aggregates that survive the retention purge.

Before answer events and feedback older than the retention period are deleted, they are
counted per day, channel, intent, status, reason and flag into ``daily_count``; the measures
add these counts to what is still raw, so a purge never changes a past day's rates. Risk
incidents and content gaps need the rows themselves and cover only the retention period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from knowledge_service.analytics.models import AnswerEvent, DailyCount, Feedback

Key = tuple[str, str, str | None, str | None, str | None, str | None, bool]
REPEAT_WINDOW = timedelta(hours=24)


def _event_keys(session: Session, before: datetime) -> Counter[Key]:
    e = AnswerEvent
    day = func.date(e.at)
    dims = (
        day,
        col(e.kind),
        col(e.channel),
        col(e.intent),
        col(e.status),
        col(e.reason),
        col(e.stale),
    )
    query = select_columns(*dims, func.count()).where(col(e.at) < before).group_by(*dims)
    counts: Counter[Key] = Counter()
    for d, kind, channel, intent, status, reason, stale, n in session.execute(query):
        counts[(str(d), kind, channel, intent, status, reason, bool(stale))] += n
    return counts


def _feedback_keys(session: Session, before: datetime) -> Counter[Key]:
    f = Feedback
    day, override = func.date(f.at), col(f.used_article_id).is_not(None)
    dims = (day, col(f.channel), col(f.rating), override)
    query = select_columns(*dims, func.count()).where(col(f.at) < before).group_by(*dims)
    counts: Counter[Key] = Counter()
    for d, channel, rating, is_override, n in session.execute(query):
        counts[(str(d), "feedback", channel, None, rating, None, bool(is_override))] += n
    return counts


def _repeat_keys(session: Session, before: datetime) -> Counter[Key]:
    query = (
        select(AnswerEvent.conversation_id, AnswerEvent.at)
        .where(AnswerEvent.kind == "answer", col(AnswerEvent.conversation_id).is_not(None))
        .where(col(AnswerEvent.at) < before)
        .order_by(col(AnswerEvent.conversation_id), col(AnswerEvent.at))
    )
    counts: Counter[Key] = Counter()
    previous: tuple[Any, datetime | None] = (None, None)
    for conversation, at in session.exec(query):
        last_conversation, last_at = previous
        if conversation == last_conversation and last_at and at - last_at <= REPEAT_WINDOW:
            counts[(at.date().isoformat(), "repeat", None, None, None, None, False)] += 1
        previous = (conversation, at)
    return counts


def roll_up_before(session: Session, before: datetime) -> int:
    """Add the counts of every event and feedback older than ``before`` to ``daily_count``."""
    counts = _event_keys(session, before) + _feedback_keys(session, before)
    counts += _repeat_keys(session, before)
    for (day, source, channel, intent, label, reason, flag), n in counts.items():
        row = session.exec(
            select(DailyCount).where(
                DailyCount.day == day, DailyCount.source == source,
                DailyCount.channel == channel, DailyCount.intent == intent,
                DailyCount.label == label, DailyCount.reason == reason, DailyCount.flag == flag,
            )
        ).first()  # fmt: skip
        if row is None:
            row = DailyCount(
                day=day, source=source, channel=channel, intent=intent, label=label,
                reason=reason, flag=flag,
            )  # fmt: skip
        row.count += n
        session.add(row)
    session.flush()
    return sum(counts.values())


def daily_counts(
    session: Session, start: date, end: date, channel: str | None, intent: str | None
) -> Iterable[DailyCount]:
    """The kept counts of the days ``start``..``end`` (filtered like the raw measures)."""
    query = select(DailyCount).where(
        col(DailyCount.day) >= start.isoformat(), col(DailyCount.day) <= end.isoformat()
    )
    if channel is not None:
        query = query.where(DailyCount.channel == channel)
    if intent is not None:
        query = query.where(DailyCount.intent == intent)
    return session.exec(query).all()
