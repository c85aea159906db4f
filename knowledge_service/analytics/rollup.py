"""Aggregates that survive the retention purge.

Before answer events and feedback older than the retention period are deleted, they are
counted per day, channel, intent, status, reason and flag into ``daily_count``; the measures
add these counts to what is still raw, so a purge never changes a past day's rates, filtered by
channel or intent or not (repeat questions are counted for each filter: :data:`REPEAT_SOURCES`).
Risk incidents and content gaps need the rows themselves and cover only the retention period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from knowledge_service.analytics.models import AnswerEvent, DailyCount, Feedback

Key = tuple[str, str, str | None, str | None, str | None, str | None, bool]
REPEAT_WINDOW = timedelta(hours=24)
IN_BATCH = 500
"""At most how many values one ``IN (...)`` list of a roll-up query holds."""


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
    """Feedback per day, channel, intent, rating and override. A rating keeps its serving's
    intent; one kept before ratings did takes its answer's (the event with its receipt, if it
    is still there), as the raw measures filter it: kept without one, a day's feedback to an
    intent was lost at the purge."""
    f, e = Feedback, AnswerEvent
    answers = (
        select_columns(func.max(col(e.intent)))
        .where(col(e.receipt) == col(f.receipt))
        .scalar_subquery()
    )
    intent = func.coalesce(col(f.intent), answers)
    day, override = func.date(f.at), col(f.used_article_id).is_not(None)
    dims = (day, col(f.channel), intent, col(f.rating), override)
    query = select_columns(*dims, func.count()).where(col(f.at) < before).group_by(*dims)
    counts: Counter[Key] = Counter()
    for d, channel, asked, rating, is_override, n in session.execute(query):
        counts[(str(d), "feedback", channel, asked, rating, None, bool(is_override))] += n
    return counts


REPEAT_SOURCES = {
    (False, False): "repeat",
    (True, False): "repeat_channel",
    (False, True): "repeat_intent",
    (True, True): "repeat_both",
}
"""The source of the repeat counts a filter reads: by (channel given, intent given). A repeat
is a question asked again in the same conversation within a day among the questions the
filter keeps (as :func:`~.service.summarize` counts the rows), so each filter's count is kept
apart: repeats on one channel are not the unfiltered repeats split by channel (a conversation
that moves from chat to voice repeats once unfiltered, on neither channel)."""
Group = tuple[str, str | None, str | None]  # source, channel, intent


def _groups(channel: str | None, intent: str | None) -> list[Group]:
    """The filters' groups a question of ``channel`` and ``intent`` counts in: every filter
    it passes (none, its channel, its intent, both; no filter asks for a missing one)."""
    return [
        (source, channel if by_channel else None, intent if by_intent else None)
        for (by_channel, by_intent), source in REPEAT_SOURCES.items()
        if (channel is not None or not by_channel) and (intent is not None or not by_intent)
    ]


def _repeat_keys(session: Session, before: datetime, until: datetime) -> Counter[Key]:
    """The repeat questions whose previous question in the conversation is older than
    ``before``, for each filter (:data:`REPEAT_SOURCES`): those older than ``before`` and,
    when ``until`` is later, the first question of each conversation (among the filter's) from
    ``before`` up to ``until``. A purge that deletes in pieces (every row older than
    ``before``, then older than a later instant) thus counts the repeat that starts the next
    piece in the piece that deletes the question it repeats: no piece sees both, and a roll-up
    up to ``until`` at once counts the same."""
    e = AnswerEvent
    asked = (col(e.kind) == "answer", col(e.conversation_id).is_not(None))
    query = select(e.conversation_id, e.at, e.channel, e.intent).where(*asked, col(e.at) < before)
    counts: Counter[Key] = Counter()
    last: dict[tuple[str, Group], datetime] = {}
    # sorted here, not by the store: ordered by conversation it would read the whole index
    rows = sorted(((str(c), a, ch, i) for c, a, ch, i in session.exec(query)), key=_by_time)
    for conversation, at, channel, intent in rows:
        for group in _groups(channel, intent):
            previous = last.get((conversation, group))
            if previous is not None and at - previous <= REPEAT_WINDOW:
                counts[_repeat_key(at, group)] += 1
            last[(conversation, group)] = at
    near = sorted({c for (c, _), at in last.items() if at >= before - REPEAT_WINDOW})
    for start in range(0, len(near) if until > before else 0, IN_BATCH):
        first_after = (
            select_columns(
                col(e.conversation_id), col(e.channel), col(e.intent), func.min(col(e.at))
            )
            .where(*asked, col(e.conversation_id).in_(near[start : start + IN_BATCH]))
            .where(col(e.at) >= before, col(e.at) < until)
            .group_by(col(e.conversation_id), col(e.channel), col(e.intent))
        )
        firsts: dict[tuple[str, Group], datetime] = {}
        for conversation, channel, intent, at in session.execute(first_after):
            for group in _groups(channel, intent):
                key = (conversation, group)
                firsts[key] = min(at, firsts.get(key, at))
        for key, at in firsts.items():
            previous = last.get(key)
            if previous is not None and at - previous <= REPEAT_WINDOW:
                counts[_repeat_key(at, key[1])] += 1
    return counts


def _by_time(row: tuple[str, datetime, str | None, str | None]) -> tuple[str, datetime]:
    """A question's place in its conversation (its channel and intent, maybe None, never
    compared)."""
    return row[0], row[1]


def _repeat_key(at: datetime, group: Group) -> Key:
    source, channel, intent = group
    return (at.date().isoformat(), source, channel, intent, None, None, False)


def roll_up_before(session: Session, before: datetime, *, until: datetime | None = None) -> int:
    """Add the counts of every event and feedback older than ``before`` to ``daily_count``;
    with ``until`` (a purge's own end, when it deletes up to ``before`` first), also the
    repeat questions up to ``until`` that repeat a question older than ``before``
    (:func:`_repeat_keys`)."""
    counts = _event_keys(session, before) + _feedback_keys(session, before)
    counts += _repeat_keys(session, before, before if until is None else max(until, before))
    days = sorted({key[0] for key in counts})
    kept: dict[Key, DailyCount] = {}
    for start in range(0, len(days), IN_BATCH):  # the days' counts in one query, not one a key
        query = select(DailyCount).where(col(DailyCount.day).in_(days[start : start + IN_BATCH]))
        for row in session.exec(query):
            kept[(row.day, row.source, row.channel, row.intent, row.label, row.reason,
                  row.flag)] = row  # fmt: skip
    for key, n in counts.items():
        found = kept.get(key)
        if found is not None:
            row = found
        else:
            day, source, channel, intent, label, reason, flag = key
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
