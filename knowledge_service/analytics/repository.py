"""All queries of the analytics domain. Functions take a session and return rows or tuples."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, not_, or_, text, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from knowledge_service.analytics.models import AnswerEvent, DailyCount, Feedback, RenderedText
from knowledge_service.content.models import Article, ArticleVersion
from knowledge_service.freshness.models import Finding, FindingArticle


def _rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.execute(query)]


def intent_logged(session: Session, intent: str) -> bool:
    """Whether an answer, a rating or the counts kept of purged ones name ``intent`` (the
    answer log's column first: it is indexed)."""
    for column in (col(AnswerEvent.intent), col(DailyCount.intent), col(Feedback.intent)):
        found = session.execute(select_columns(column).where(column == intent).limit(1))
        if found.first() is not None:
            return True
    return False


def article_intents(session: Session) -> set[str]:
    """The intents of every article's current version (any status)."""
    intents = col(ArticleVersion.document)["intents"]
    current = col(Article.current_seq) == col(ArticleVersion.seq)
    rows = session.execute(select_columns(intents).join(Article, current))
    return {str(intent) for (listed,) in rows for intent in listed or ()}


def latest_event_for_receipt(
    session: Session,
    receipt: str,
    *,
    caller: str | None = None,
    channel: str | None = None,
    conversation: str | None = None,
) -> AnswerEvent | None:
    """The newest serving of ``receipt`` (to ``caller``, on ``channel``, in ``conversation``
    (a pseudonym), when given)."""
    query = select(AnswerEvent).where(AnswerEvent.receipt == receipt)
    if caller is not None:
        query = query.where(AnswerEvent.caller == caller)
    if channel is not None:
        query = query.where(AnswerEvent.channel == channel)
    if conversation is not None:
        query = query.where(AnswerEvent.conversation_id == conversation)
    return session.exec(query.order_by(col(AnswerEvent.at).desc()).limit(1)).first()


def conversation_feedback(
    session: Session, receipt: str, conversation: str, caller: str
) -> Feedback | None:
    """``caller``'s rating of ``receipt`` in ``conversation`` (a pseudonym), if any."""
    query = select(Feedback).where(
        Feedback.receipt == receipt,
        Feedback.conversation_id == conversation,
        Feedback.caller == caller,
    )
    return session.exec(query.order_by(col(Feedback.id)).limit(1)).first()


def events_for_receipt(
    session: Session, receipt: str, limit: int, offset: int
) -> tuple[Sequence[AnswerEvent], int]:
    where = AnswerEvent.receipt == receipt
    total = session.exec(select(func.count()).select_from(AnswerEvent).where(where)).one()
    rows = session.exec(
        select(AnswerEvent)
        .where(where)
        .order_by(col(AnswerEvent.at).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, int(total)


def _event_filters(
    start: datetime, end: datetime, channel: str | None, intent: str | None
) -> list[Any]:
    filters: list[Any] = [col(AnswerEvent.at) >= start, col(AnswerEvent.at) < end]
    if channel is not None:
        filters.append(AnswerEvent.channel == channel)
    if intent is not None:
        filters.append(AnswerEvent.intent == intent)
    return filters


def event_counts(
    session: Session, start: datetime, end: datetime, channel: str | None, intent: str | None
) -> list[tuple[Any, ...]]:
    """(day, kind, status, reason, stale, count) of the events in the range."""
    day = func.date(AnswerEvent.at)
    query = (
        select_columns(
            day,
            col(AnswerEvent.kind),
            col(AnswerEvent.status),
            col(AnswerEvent.reason),
            col(AnswerEvent.stale),
            func.count(),
        )
        .where(*_event_filters(start, end, channel, intent))
        .group_by(
            day,
            col(AnswerEvent.kind),
            col(AnswerEvent.status),
            col(AnswerEvent.reason),
            col(AnswerEvent.stale),
        )
    )
    return _rows(session, query)


def demand(
    session: Session, start: datetime, end: datetime, channel: str | None, intent: str | None
) -> list[tuple[Any, ...]]:
    """(intent, channel, count) of answer requests, busiest first."""
    query = (
        select(AnswerEvent.intent, AnswerEvent.channel, func.count())
        .where(AnswerEvent.kind == "answer", *_event_filters(start, end, channel, intent))
        .group_by(col(AnswerEvent.intent), col(AnswerEvent.channel))
        .order_by(func.count().desc(), col(AnswerEvent.intent), col(AnswerEvent.channel))
    )
    return _rows(session, query)


def conversation_times(
    session: Session, start: datetime, end: datetime, channel: str | None, intent: str | None
) -> list[tuple[Any, ...]]:
    """(conversation_id, at) of answer requests that name a conversation, in time order."""
    query = (
        select(AnswerEvent.conversation_id, AnswerEvent.at)
        .where(
            AnswerEvent.kind == "answer",
            col(AnswerEvent.conversation_id).is_not(None),
            *_event_filters(start, end, channel, intent),
        )
        .order_by(col(AnswerEvent.conversation_id), col(AnswerEvent.at))
    )
    return _rows(session, query)


def feedback_counts(
    session: Session, start: datetime, end: datetime, channel: str | None, intent: str | None
) -> list[tuple[Any, ...]]:
    """(day, rating, is_override, count) of feedback in the range."""
    day = func.date(Feedback.at)
    override = col(Feedback.used_article_id).is_not(None)
    query = select(day, Feedback.rating, override, func.count()).where(
        col(Feedback.at) >= start, col(Feedback.at) < end
    )
    if channel is not None:
        query = query.where(Feedback.channel == channel)
    if intent is not None:  # a rating kept before ratings kept their intent: its answer's
        served = select(AnswerEvent.receipt).where(AnswerEvent.intent == intent)
        legacy = and_(col(Feedback.intent).is_(None), col(Feedback.receipt).in_(served))
        query = query.where(or_(col(Feedback.intent) == intent, legacy))
    return _rows(session, query.group_by(day, col(Feedback.rating), override))


def blocking_findings_after(
    session: Session, start: datetime, kinds: Sequence[str]
) -> list[tuple[Any, ...]]:
    """(article_id, kind, first_seen_at) of block findings of ``kinds`` first seen at or after
    ``start``."""
    query = (
        select(FindingArticle.article_id, Finding.kind, Finding.first_seen_at)
        .join(Finding, col(Finding.id) == col(FindingArticle.finding_id))
        .where(
            Finding.severity == "block",
            col(Finding.kind).in_(kinds),
            col(Finding.first_seen_at) >= start,
        )
    )
    return _rows(session, query)


def version_created_at(session: Session, article_ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """(article_id, version, created_at, status) of every version of the articles."""
    query = select(
        ArticleVersion.article_id,
        ArticleVersion.version,
        ArticleVersion.created_at,
        ArticleVersion.status,
    ).where(col(ArticleVersion.article_id).in_(article_ids))
    return _rows(session, query)


def answered_events(
    session: Session,
    article_ids: Sequence[str],
    start: datetime,
    end: datetime,
    channels: Sequence[str],
    intent: str | None = None,
) -> Sequence[AnswerEvent]:
    """The answered answer requests of the articles in the range on ``channels`` (and of
    ``intent``, when given)."""
    query = select(AnswerEvent).where(
        AnswerEvent.kind == "answer",
        AnswerEvent.status == "answered",
        col(AnswerEvent.article_id).in_(article_ids),
        col(AnswerEvent.channel).in_(channels),
        col(AnswerEvent.at) >= start,
        col(AnswerEvent.at) < end,
    )
    if intent is not None:
        query = query.where(AnswerEvent.intent == intent)
    return session.exec(query).all()


PURGE_LOCK_KEY = 0x6B73_7075  # "kspu": the advisory lock id on PostgreSQL


def lock_for_purge(session: Session) -> None:
    """Take the purge's lock for the rest of ``session``'s transaction, before it reads what
    it rolls up: a second purge (another replica's schedule, a ``purge-logs`` run by hand)
    waits until the first has committed its piece, then finds those rows gone. Without it
    both read the same old rows and both added them to ``daily_count``. On PostgreSQL a
    transaction-scoped advisory lock (each statement of a read-committed transaction then sees
    the first purge's commit); on SQLite the database's write lock, taken by a write that
    changes nothing (the driver begins the transaction right before it: reads made before a
    write run outside any transaction and would see the rows as they were)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PURGE_LOCK_KEY})
    else:
        session.execute(text("UPDATE daily_count SET count = count WHERE 0"))


def purge_piece_end(session: Session, before: datetime, rows: int) -> datetime | None:
    """Where the next piece of a purge of what is older than ``before`` ends (exclusive): just
    after the ``rows`` oldest answer events or the ``rows`` oldest feedback, whichever comes
    first (a piece holds more only when several share their last instant), else ``before``;
    None when nothing older than ``before`` is left. Both read the index on ``at``."""
    end: datetime | None = None
    for at in (col(AnswerEvent.at), col(Feedback.at)):
        older = select_columns(at).where(at < before).order_by(at)
        if session.execute(older.limit(1)).first() is None:
            continue
        last = session.execute(older.offset(rows - 1).limit(1)).scalar()
        piece = before if last is None else min(before, last + timedelta(microseconds=1))
        end = piece if end is None else min(end, piece)
    return end


def count_before(session: Session, before: datetime) -> int:
    """How many answer events and feedback are older than ``before``."""
    total = 0
    for model in (AnswerEvent, Feedback):
        query = select_columns(func.count()).select_from(model).where(col(model.at) < before)
        total += int(session.execute(query).scalar_one())
    return total


def purge_before(session: Session, before: datetime) -> tuple[int, int]:
    """Delete answer events and feedback older than ``before``; (events, feedback) deleted."""
    events = session.execute(delete(AnswerEvent).where(col(AnswerEvent.at) < before))
    feedback = session.execute(delete(Feedback).where(col(Feedback.at) < before))
    return int(events.rowcount or 0), int(feedback.rowcount or 0)  # type: ignore[attr-defined]


def raw_conversation_ids(session: Session, prefix: str, length: int) -> list[str]:
    """The distinct conversation ids not in a pseudonym's shape (``prefix``, ``length``
    characters): ones an earlier release stored as the caller sent them."""
    column = col(AnswerEvent.conversation_id)
    shaped = and_(column.like(prefix + "%"), func.length(column) == length)
    query = select_columns(column).where(column.is_not(None), not_(shaped)).distinct()
    return [str(row[0]) for row in session.execute(query)]


def rename_conversation(session: Session, old: str, new: str) -> int:
    """Store ``new`` for the conversation id ``old`` on every answer event; how many rows."""
    column = col(AnswerEvent.conversation_id)
    done = session.execute(update(AnswerEvent).where(column == old).values(conversation_id=new))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def gap_questions(
    session: Session, start: datetime, end: datetime, confidence_below: float, limit: int,
    *, channel: str | None = None, intent: str | None = None,
) -> list[tuple[Any, ...]]:  # fmt: skip
    """(question, at) of the latest answer requests that no article answers: ``no_answer``,
    or a confidence under ``confidence_below`` (not a request for a person, nor a message that
    someone is at risk: both are for a person, not for content). An escalation at
    or above it is no gap: voice's ``low_confidence`` is a question chat answers at the same
    confidence, and ``not_on_channel`` and ``blocked_by_finding`` have an article. Only those
    asked on ``channel`` and logged with ``intent`` (that of the article the answer weighed as
    its best, as the measures count them), when given."""
    weak = or_(
        col(AnswerEvent.status) == "no_answer",
        and_(
            col(AnswerEvent.confidence) < confidence_below,
            or_(
                col(AnswerEvent.reason).is_(None),
                col(AnswerEvent.reason).not_in(("human_requested", "at_risk")),
            ),
        ),
    )
    query = (
        select(AnswerEvent.question, AnswerEvent.at)
        .where(AnswerEvent.kind == "answer", weak, col(AnswerEvent.at) >= start)
        .where(col(AnswerEvent.at) < end)
        .order_by(col(AnswerEvent.at).desc())
        .limit(limit)
    )
    if channel is not None:
        query = query.where(AnswerEvent.channel == channel)
    if intent is not None:
        query = query.where(AnswerEvent.intent == intent)
    return _rows(session, query)


def channels_for_receipt(session: Session, receipt: str) -> list[str]:
    """The channels a receipt was served on, sorted."""
    query = (
        select(AnswerEvent.channel)
        .where(AnswerEvent.receipt == receipt, col(AnswerEvent.channel).is_not(None))
        .distinct()
    )
    return sorted(str(c) for c in session.exec(query).all())


def texts_for_receipt(
    session: Session, receipt: str
) -> list[tuple[str, str | None, str | None, datetime, datetime, int]]:
    """Each text a receipt's answers gave, per channel: (channel, text hash, text, first and
    last served, servings), by channel and then first served. Servings logged before texts
    were kept have no hash (and no text); a hash whose text is missing has no text."""
    e = AnswerEvent
    channel, key, text = col(e.channel), col(e.text_hash), col(RenderedText.text)
    first, last = func.min(col(e.at)), func.max(col(e.at))
    query = (
        select_columns(channel, key, text, first, last, func.count())
        .select_from(e)
        .outerjoin(RenderedText, col(RenderedText.text_hash) == key)
        .where(col(e.receipt) == receipt, col(e.status) == "answered", channel.is_not(None))
        .group_by(channel, key, text)
        .order_by(channel, first)
    )
    return [
        (str(ch), key, text, first, last, int(n))
        for ch, key, text, first, last, n in session.execute(query)
    ]


def open_findings_by_kind(session: Session) -> dict[str, int]:
    """Active (open or acknowledged) findings counted by kind."""
    query = (
        select(Finding.kind, func.count())
        .where(col(Finding.status) != "resolved")
        .group_by(col(Finding.kind))
    )
    return {str(kind): int(n) for kind, n in session.exec(query).all()}


def count_events_by_caller(session: Session, caller: str) -> tuple[int, int]:
    """(events by ``caller``, every other event) in the answer log."""
    is_caller = func.coalesce(AnswerEvent.caller, "") == caller
    query = select_columns(func.count()).where(is_caller)
    mine = int(session.execute(query.select_from(AnswerEvent)).scalar_one())
    total = int(session.execute(select_columns(func.count()).select_from(AnswerEvent)).scalar_one())
    return mine, total - mine
