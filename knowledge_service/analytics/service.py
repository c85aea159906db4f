"""The analytics domain's verbs: feedback, the measures leaders steer by, retention."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic, sleep
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from knowledge_service.analytics import repository, rollup
from knowledge_service.analytics.gaps import GapQuestion, GapSearch, find_gaps
from knowledge_service.analytics.log import (
    PSEUDONYM_DIGITS,
    PSEUDONYM_PREFIX,
    AnswerLog,
    conversation_key,
)
from knowledge_service.analytics.models import AnswerEvent, DailyCount, Feedback
from knowledge_service.analytics.schemas import (
    MAX_COMMENT_CHARS,
    WRONG_RATINGS,
    DayMeasures,
    Demand,
    FeedbackCreate,
    FeedbackPublic,
    Gap,
    MetricsSummary,
    Rates,
    Rating,
    RiskIncident,
    Trend,
    needs_review,
)
from knowledge_service.answers.sanitise import strip_invisible
from knowledge_service.clock import EARLIEST_DAY, check_day
from knowledge_service.content import service as content
from knowledge_service.content.schemas import ArticleStatus, Channel
from knowledge_service.db import run_transaction, session_scope, utcnow
from knowledge_service.errors import InvalidRequestError, NotFoundError, PayloadTooLargeError
from knowledge_service.freshness.schemas import FindingKind
from knowledge_service.privacy import redact

CUSTOMER_CHANNELS = tuple(str(c) for c in Channel if c != Channel.AGENT)
REPEAT_WINDOW = timedelta(hours=24)
"""A question asked again in the same conversation within this window is failure demand."""
RISK_KINDS = (
    FindingKind.POLICY_MISMATCH,
    FindingKind.CONFLICT,
    FindingKind.POLICY_MISSING,
    FindingKind.POLICY_RETIRED,
)
"""The blocking findings that say something about what a version told customers: its text
contradicts a policy clause or another article, or the policy it cites is missing or retired.
Not ``invalid`` (a file the store did not take: the version served is the valid one before
it) nor ``review_overdue`` (a date passed: nobody confirmed the text in time, which does not
say it was wrong): neither is a risk incident."""


POLL_SECONDS = 0.1
"""How often :func:`served_event` reads the store again while it waits."""


def served_event(
    session: Session,
    receipt: str,
    log: AnswerLog | None = None,
    *,
    wait: bool = True,
    caller: str | None = None,
    channel: str | None = None,
) -> AnswerEvent | None:
    """The newest logged serving under ``receipt`` (to ``caller``, on ``channel``, when
    given), or None when there is none.

    The answer log writes behind (within a flush interval), so a client that rates an answer,
    looks up its receipt or opens its hand-off a moment after it was served would otherwise
    find nothing. When the store has no such event, this process's ``log`` is written first;
    then, with ``wait``, the store is read again for up to ``log.patience`` seconds, for an
    event another worker process or replica still holds in its own queue."""

    def latest(s: Session) -> AnswerEvent | None:
        return repository.latest_event_for_receipt(s, receipt, caller=caller, channel=channel)

    event = latest(session)
    if event is not None or log is None:
        return event
    log.flush()
    deadline = monotonic() + (log.patience if wait else 0.0)
    while True:
        # a short session of its own: the caller's transaction may keep its first snapshot
        with Session(session.get_bind()) as fresh:
            event = latest(fresh)
        if event is not None or monotonic() >= deadline:
            return event
        sleep(POLL_SECONDS)


def _unknown_receipt(
    session: Session, receipt: str, channel: str | None, customer_channels_only: bool
) -> NotFoundError:
    """A receipt the rating cannot name: one served, but never on the ``channel`` the rating
    names, says so (a caller who sees it served elsewhere knows it exists); else it does not
    exist for this caller (a bot is never told of one served to agents only)."""
    if channel is not None:
        served = set(repository.channels_for_receipt(session, receipt))
        if served - ({Channel.AGENT.value} if customer_channels_only else set()):
            return NotFoundError("receipt", receipt, where=f"on channel {channel!r}")
    return NotFoundError("receipt", receipt)


def record_feedback(
    session: Session,
    data: FeedbackCreate,
    *,
    caller: str,
    at: datetime | None = None,
    log: AnswerLog | None = None,
    wait: bool = True,
    customer_channels_only: bool = False,
    published_only: bool = False,
) -> FeedbackPublic:
    """Store a rating of a served answer; the comment is redacted before it is stored. ``at``
    back-dates it (synthetic demo traffic); by default it is now. A rating given a moment after
    the answer finds it through ``log`` (see :func:`served_event`; ``wait`` as there).

    A receipt is shared by everyone told the same answer, on any channel, so the rating is
    recorded against the rater's own serving: its channel is where the rated answer was given,
    which is what per-channel measures count, and its intent is kept with the rating (the
    serving's log entry may be purged first). That is ``caller``'s newest serving of the
    receipt (on ``data.channel`` when the caller names one: a key that serves several
    channels); a caller who was never served it (staff rating a customer's receipt) gets the
    receipt's newest serving (on ``data.channel``, if named). A receipt never served on the
    named channel is unknown.

    Only an answered receipt pins the rating on its article version: a hand-off (escalate,
    no_answer) served no article, so its rating names none and reaches no review queue (the
    hand-off's log entry keeps its best candidate, which the customer was never told).
    NotFoundError for an unknown receipt or ``used_article_id`` (an override names an article);
    with ``customer_channels_only`` (a bot's rating), a receipt served on the agent channel is
    unknown too: its answer may be an internal article, which a bot must not learn of. With
    ``published_only`` (an agent's rating), ``used_article_id`` names a published article or
    is unknown (a draft is a 404 to an agent)."""
    if data.comment is not None and len(data.comment) > MAX_COMMENT_CHARS:
        raise PayloadTooLargeError("comment", f"at most {MAX_COMMENT_CHARS} characters")
    channel = str(data.channel) if data.channel is not None else None
    conversation = (
        conversation_key(data.conversation_id, log.pseudonym_key if log else None)
        if data.conversation_id is not None
        else None
    )
    if log is not None:  # the rater's newest serving may be queued here, behind an older one
        log.flush()
    event = (
        (conversation and repository.latest_event_for_receipt(
            session, data.receipt, caller=caller, channel=channel, conversation=conversation
        ))
        or served_event(session, data.receipt, log, wait=wait, caller=caller, channel=channel)
        or served_event(session, data.receipt, channel=channel)
    )  # fmt: skip
    if event is None or (customer_channels_only and event.channel == Channel.AGENT):
        raise _unknown_receipt(session, data.receipt, channel, customer_channels_only)
    if data.used_article_id is not None:
        used = content.get_article(session, data.used_article_id)
        if published_only and used.status != ArticleStatus.PUBLISHED:
            raise NotFoundError("article", data.used_article_id)
    served = event.status == "answered"
    fields: dict[str, Any] = {
        "rating": str(data.rating),
        "comment": _comment(data.comment),
        "article_id": event.article_id if served else None,
        "version": event.version if served else None,
        "channel": event.channel,
        "intent": event.intent,
        "used_article_id": data.used_article_id,
        "at": at or utcnow(),
    }
    if conversation is not None:
        earlier = _replace_conversation_rating(session, data.receipt, conversation, caller, fields)
        if earlier is not None:
            return to_public(earlier, replaced=True)
    row = Feedback(receipt=data.receipt, caller=caller, conversation_id=conversation, **fields)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another request of the conversation got there first
        if conversation is None:  # only a conversation's ratings can clash
            raise
        session.rollback()  # the rating is all this transaction writes
        earlier = _replace_conversation_rating(session, data.receipt, conversation, caller, fields)
        if earlier is None:
            raise
        return to_public(earlier, replaced=True)
    return to_public(row)


def _replace_conversation_rating(
    session: Session, receipt: str, conversation: str, caller: str, fields: dict[str, Any]
) -> Feedback | None:
    """``caller``'s earlier rating of ``receipt`` in ``conversation``, now given ``fields``
    (a conversation rates an answer once: a customer pressing "wrong" five times, or changing
    their mind, counts once, as their last word); None when there is none."""
    earlier = repository.conversation_feedback(session, receipt, conversation, caller)
    if earlier is None:
        return None
    for name, value in fields.items():
        setattr(earlier, name, value)
    session.add(earlier)
    session.flush()
    return earlier


def _comment(text: str | None) -> str | None:
    """A feedback comment as stored: redacted, without invisible characters or the spaces
    around it; None when nothing is left ("   " is no comment, as "" is not)."""
    kept = strip_invisible(text).strip() if text else ""
    return redact(kept) if kept else None


def to_public(row: Feedback, *, replaced: bool = False) -> FeedbackPublic:
    assert row.id is not None
    rating = Rating(row.rating)
    return FeedbackPublic(
        id=row.id,
        at=row.at,
        receipt=row.receipt,
        rating=rating,
        comment=row.comment,
        article_id=row.article_id,
        version=row.version,
        used_article_id=row.used_article_id,
        needs_review=needs_review(rating, row.used_article_id) and row.article_id is not None,
        replaced=replaced,
    )


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants from the start of ``start`` to the end of ``end`` (inclusive days)."""
    if end < start:
        raise InvalidRequestError("to", f"must not be before 'from' ({start.isoformat()})")
    return (
        datetime.combine(start, time(), UTC),
        datetime.combine(end + timedelta(days=1), time(), UTC),
    )


def _ratio(part: int, whole: int) -> float | None:
    """``part`` over ``whole``; None when there is no ``whole`` (no answers, or no feedback, is
    no measure: a 0 would read as "none escalated" or "none wrong")."""
    return round(part / whole, 4) if whole else None


RATE_PARTS: dict[str, tuple[str, str]] = {
    "answer_rate": ("answered", "answers"),
    "no_answer_rate": ("no_answer", "answers"),
    "escalation_rate": ("escalated", "answers"),
    "stale_answer_rate": ("stale_answers", "answered"),
    "repeat_rate": ("repeat_questions", "answers"),
    "helpful_rate": ("helpful", "feedback"),
    "wrong_rate": ("wrong", "feedback"),
    "override_rate": ("overrides", "feedback"),
}
"""Each rate of :class:`Rates`: the count it is a share of, and the count it shares."""


def finish_rates(rates: Rates) -> None:
    """Fill the rates of ``rates`` from its counts (rounded to 4 places, as the API gives
    them)."""
    for name, (part, whole) in RATE_PARTS.items():
        setattr(rates, name, _ratio(getattr(rates, part), getattr(rates, whole)))


def exact_rate(rates: Rates, name: str) -> float | None:
    """The rate ``name`` of ``rates`` from its counts, unrounded, for a display that rounds it
    itself: a percentage with one decimal of the 4-place rate rounds twice (1 of 29, 3.448%,
    is 0.0345 and was shown as 3.5%)."""
    part, whole = RATE_PARTS[name]
    total = getattr(rates, whole)
    return getattr(rates, part) / total if total else None


def _add_event_counts(days: dict[date, Rates], rows: Iterable[Any]) -> None:
    for day, kind, status, reason, stale, count in rows:
        rates = days[date.fromisoformat(str(day))]
        if kind == "search":
            rates.searches += count
            continue
        rates.answers += count
        if status == "answered":
            rates.answered += count
            rates.stale_answers += count if stale else 0
        elif status == "no_answer":
            rates.no_answer += count
        elif status == "escalate":
            rates.escalated += count
            key = reason or "unknown"
            rates.escalations_by_reason[key] = rates.escalations_by_reason.get(key, 0) + count


def _add_feedback_counts(days: dict[date, Rates], rows: Iterable[Any]) -> None:
    for day, rating, is_override, count in rows:
        rates = days[date.fromisoformat(str(day))]
        rates.feedback += count
        rates.helpful += count if rating == Rating.HELPFUL else 0
        rates.wrong += count if rating in WRONG_RATINGS else 0
        rates.overrides += count if is_override else 0


def _add_kept(
    days: dict[date, Rates], rows: Iterable[DailyCount], channel: str | None, intent: str | None
) -> list[tuple[Any, ...]]:
    """Add the counts the retention purge kept (the repeat questions counted for the filter
    given, :data:`~.rollup.REPEAT_SOURCES`); returns their (intent, channel, n) demand."""
    repeats = rollup.REPEAT_SOURCES[(channel is not None, intent is not None)]
    events, feedback, demand = [], [], []
    for r in rows:
        day = r.day
        if r.source in ("answer", "search"):
            events.append((day, r.source, r.label, r.reason, r.flag, r.count))
            if r.source == "answer":
                demand.append((r.intent, r.channel, r.count))
        elif r.source == "feedback":
            feedback.append((day, r.label, r.flag, r.count))
        elif r.source == repeats:
            days[date.fromisoformat(day)].repeat_questions += r.count
    _add_event_counts(days, events)
    _add_feedback_counts(days, feedback)
    return demand


def _add_repeats(days: dict[date, Rates], rows: Sequence[Any]) -> None:
    previous: tuple[str | None, datetime | None] = (None, None)
    for conversation, at in rows:
        last_conversation, last_at = previous
        if conversation == last_conversation and last_at and at - last_at <= REPEAT_WINDOW:
            days[at.date()].repeat_questions += 1
        previous = (conversation, at)


def _total(days: Iterable[Rates]) -> Rates:
    total = Rates()
    for rates in days:
        for name in Rates.model_fields:
            value = getattr(rates, name)
            if isinstance(value, int):
                setattr(total, name, getattr(total, name) + value)
        for reason, count in rates.escalations_by_reason.items():
            total.escalations_by_reason[reason] = total.escalations_by_reason.get(reason, 0) + count
    finish_rates(total)
    return total


def _trend(days: list[DayMeasures]) -> Trend:
    half = len(days) // 2
    first, second = _total(days[:half]), _total(days[half:])
    return Trend(
        answer_rate=_change(first, second, "answer_rate"),
        escalation_rate=_change(first, second, "escalation_rate"),
        wrong_rate=_change(first, second, "wrong_rate"),
    )


def _change(first: Rates, second: Rates, rate: str) -> float | None:
    """How much ``rate`` moved from the first half to the second; None when either half has no
    such rate (none of what it is a rate of: an empty half is no measure to compare with).
    The change is of the exact rates, rounded once (the difference of two rounded rates can be
    1 in the last place off)."""
    before, after = exact_rate(first, rate), exact_rate(second, rate)
    if before is None or after is None:
        return None
    return round(after - before, 4)


def summarize(
    session: Session,
    start: date,
    end: date,
    *,
    channel: str | None = None,
    intent: str | None = None,
) -> MetricsSummary:
    """The measures for the days ``start``..``end`` (inclusive, UTC), per day and in total."""
    lo, hi = day_bounds(start, end)
    days: dict[date, Rates] = defaultdict(Rates)
    _add_event_counts(days, repository.event_counts(session, lo, hi, channel, intent))
    _add_feedback_counts(days, repository.feedback_counts(session, lo, hi, channel, intent))
    _add_repeats(days, repository.conversation_times(session, lo, hi, channel, intent))
    kept = rollup.daily_counts(session, start, end, channel, intent)
    kept_demand = _add_kept(days, kept, channel, intent)
    incidents = risk_incidents(session, lo, hi, channel=channel, intent=intent)
    for incident in incidents:
        days[incident.found_at.date()].risk_incidents += 1
    series = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        measures = DayMeasures(day=day, **days.get(day, Rates()).model_dump())
        finish_rates(measures)
        series.append(measures)
    demand = _demand([*repository.demand(session, lo, hi, channel, intent), *kept_demand])
    totals = _total(series)
    totals.risk_incidents = len(incidents)  # also those found after the range's last day
    return MetricsSummary(
        start=start, end=end, channel=channel, intent=intent, totals=totals,
        days=series, trend=_trend(series), demand=demand, risk_incidents=incidents,
    )  # fmt: skip


def risk_incidents(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    channel: str | None = None,
    intent: str | None = None,
) -> list[RiskIncident]:
    """Answers served to customers in the range from a version that a later check found
    blocking for what it says (:data:`RISK_KINDS`; the version was still the one in force,
    served, when the finding was first seen: a newer draft waiting for approval is not);
    ``channel`` and
    ``intent`` narrow the answers counted, as for every other measure (``agent``, no customer
    channel, has none)."""
    findings = repository.blocking_findings_after(session, start, [str(k) for k in RISK_KINDS])
    if not findings:
        return []
    article_ids = sorted({a for a, _, _ in findings})
    # The versions that were in force, each from when it was written: a draft (new, or
    # waiting for approval) is served to nobody, so the version in force when a finding was
    # first seen is the newest one written before it that is no draft (a retired one serves
    # nobody either, so the answers before it are no incident of a later finding).
    timeline: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for article_id, version, created_at, status in repository.version_created_at(
        session, article_ids
    ):
        if status != ArticleStatus.DRAFT:
            timeline[article_id].append((created_at, version))
    # customers only: a channel filter narrows them, and the agent channel (staff, who are
    # shown the findings) has no customers to tell
    channels = [c for c in CUSTOMER_CHANNELS if channel is None or c == channel]
    if not channels:
        return []
    events = repository.answered_events(session, article_ids, start, end, channels, intent)
    incidents: list[RiskIncident] = []
    for article_id, kind, found_at in findings:
        current = max((v for at, v in timeline[article_id] if at <= found_at), default=None)
        told = [
            e for e in events
            if e.article_id == article_id and e.version == current and e.at < found_at
        ]  # fmt: skip
        if told and current is not None:
            incidents.append(
                RiskIncident(
                    article_id=article_id,
                    version=current,
                    finding_kind=kind,
                    found_at=found_at,
                    answers=len(told),
                    customers_told=_customers(told),
                    receipts=sorted({e.receipt for e in told if e.receipt}),
                )
            )
    return sorted(incidents, key=lambda i: (i.found_at, i.article_id))


def _customers(events: Iterable[AnswerEvent]) -> int:
    """How many customers ``events`` reached: one per conversation, and one per answer that
    names no conversation."""
    conversations: set[str] = set()
    anonymous = 0
    for e in events:
        if e.conversation_id:
            conversations.add(e.conversation_id)
        else:
            anonymous += 1
    return len(conversations) + anonymous


def _demand(rows: Iterable[tuple[Any, ...]]) -> list[Demand]:
    totals: Counter[tuple[str | None, str | None]] = Counter()
    for intent, channel, n in rows:
        totals[(intent, channel)] += n
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0][0] or "", kv[0][1] or ""))
    return [Demand(intent=i, channel=c, questions=n) for (i, c), n in ranked]


PURGE_ATTEMPTS = 5
"""How many times a piece of a purge meeting a busy store is run (each waits out SQLite's busy
timeout)."""
PURGE_PIECE_ROWS = 5_000
"""About how many answer events (and at most how many feedback) one transaction of a purge
rolls up and deletes: on SQLite, a piece holds the write lock for a fraction of a second,
where a purge of 300,000 events in one transaction held it for over 20 s, past every other
writer's busy timeout (``scripts/bench_purge.py``)."""
PURGE_PAUSE_SECONDS = 0.1
"""On SQLite, how long a purge leaves the write lock free between two pieces. A writer waiting
for the lock (the answer log, an import) looks again every 100 ms at most (SQLite's busy
handler): without the pause the next piece would take it first, and that writer could wait
out its whole busy timeout. PostgreSQL's writers wait for no purge (row locks): no pause."""


def pause_between_pieces(engine: Engine) -> float:
    """The seconds a purge leaves the store to other writers between two pieces."""
    return PURGE_PAUSE_SECONDS if engine.dialect.name == "sqlite" else 0.0


PurgeProgress = Callable[[int, int], None]
"""``progress(done, total)``: answer events and feedback purged so far, and in all."""


def purge_expired(
    engine: Engine,
    *,
    retention_days: int,
    progress: PurgeProgress | None = None,
    stop: threading.Event | None = None,
) -> tuple[int, int]:
    """Purge the answer events and feedback older than the retention period in pieces, oldest
    first, each :func:`purge_piece` a transaction of its own; (events, feedback) purged.

    The write lock (SQLite) is free between two pieces, so the answer log and imports write in
    between rather than failing after their busy timeout. A piece that meets a busy store is
    run again from its start (up to ``PURGE_ATTEMPTS`` times, after a growing pause): on SQLite
    it waits for the write lock only for the busy timeout (10 s), and a long import, or another
    process's purge, holding it longer made the server's purge fail with "database is locked"
    (and wait a whole ``KS_ANALYTICS__PURGE_INTERVAL_HOURS`` to try again). A purge stopped
    between pieces (killed, failed) leaves each piece rolled up and deleted, or neither: the
    next purge goes on from there. ``progress`` is told after each piece. Once ``stop`` is set
    (the server is stopping), the purge ends after the piece under way."""
    before = utcnow() - timedelta(days=retention_days)
    total = 0
    if progress is not None:
        with session_scope(engine) as session:
            total = repository.count_before(session, before)
    pause = pause_between_pieces(engine)
    events = feedback = 0
    while True:
        piece = run_transaction(
            engine, lambda session: purge_piece(session, before), attempts=PURGE_ATTEMPTS
        )
        if piece is None:
            return events, feedback
        events, feedback = events + piece[0], feedback + piece[1]
        if progress is not None:
            progress(events + feedback, max(total, events + feedback))
        if stop is None:
            sleep(pause)
        elif stop.wait(pause):  # the server is stopping: the rest waits for the next purge
            return events, feedback


def pseudonymise_stored_ids(engine: Engine, key: bytes) -> int:
    """Replace each conversation id an earlier release stored as sent (``sarah.connor``) with
    its keyed pseudonym under ``key`` (the data folder's, as the answer log uses), so an
    upgraded store keeps no id as sent and a conversation still groups together; how many ids.
    Pseudonyms already stored are left as they are, so running it again changes nothing."""

    def sweep(session: Session) -> int:
        shape = (PSEUDONYM_PREFIX, len(PSEUDONYM_PREFIX) + PSEUDONYM_DIGITS)
        raw = repository.raw_conversation_ids(session, *shape)
        for conversation in raw:
            repository.rename_conversation(
                session, conversation, conversation_key(conversation, key)
            )
        return len(raw)

    return run_transaction(engine, sweep, attempts=PURGE_ATTEMPTS)


def purge_piece(session: Session, before: datetime) -> tuple[int, int] | None:
    """Roll up and delete the oldest answer events and feedback older than ``before``, about
    ``PURGE_PIECE_ROWS`` of each (:func:`~.repository.purge_piece_end`), in the caller's
    transaction; (events, feedback) deleted, or None when nothing older is left.

    Their counts per day are kept first (:mod:`~knowledge_service.analytics.rollup`), so past
    measures survive; a repeat question up to ``before`` is counted with the piece that deletes
    the question it repeats. The roll-up and the deletion are one transaction, under a lock
    that makes purges run at the same time take turns, piece by piece
    (:func:`~.repository.lock_for_purge`): the piece's rows are chosen once the lock is held,
    so each row is counted once, however many replicas purge at once."""
    repository.lock_for_purge(session)
    end = repository.purge_piece_end(session, before, PURGE_PIECE_ROWS)
    if end is None:
        return None
    rollup.roll_up_before(session, end, until=before)
    return repository.purge_before(session, end)


def purge_old(session: Session, *, now: datetime, retention_days: int) -> tuple[int, int]:
    """Every :func:`purge_piece` of the answer events and feedback older than the retention
    period, in the caller's one transaction (:func:`purge_expired` commits each on its own)."""
    before = now - timedelta(days=retention_days)
    events = feedback = 0
    while (piece := purge_piece(session, before)) is not None:
        events, feedback = events + piece[0], feedback + piece[1]
    return events, feedback


def content_gaps(
    session: Session,
    search: GapSearch,
    start: date,
    end: date,
    *,
    confidence_below: float,
    limit: int = 20,
    sample: int = 2000,
    channel: str | None = None,
    intent: str | None = None,
) -> list[Gap]:
    """Clusters of the latest ``sample`` weak questions in the days ``start``..``end`` (asked
    on ``channel``, logged with ``intent``, when given), each with the article ``search``
    ranks first for its most central question."""
    lo, hi = day_bounds(start, end)
    rows = repository.gap_questions(
        session, lo, hi, confidence_below, sample, channel=channel, intent=intent
    )
    if not rows:
        return []
    questions = [GapQuestion(question=q, at=at) for q, at in rows]

    def nearest(question: str) -> tuple[str, float] | None:
        hits = search.search(question, top_k=1)
        return (hits[0].article_id, hits[0].score) if hits else None

    return find_gaps(questions, search.embedder, nearest, limit=limit)


MAX_RANGE_DAYS = 366


def day_range(
    start: str | None,
    end: str | None,
    *,
    today: date,
    names: tuple[str, str] = ("from", "to"),
    default_days: int = 7,
) -> tuple[date, date]:
    """The days a caller asked for: ``end`` defaults to ``today``, ``start`` to the
    ``default_days`` (a week) ending ``end``; an impossible date, ``start`` after ``end`` or
    more than a year is refused, naming the parameter (``names``: how the adapter calls
    them)."""

    def parse(name: str, value: str | None) -> date | None:
        if value is None:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            problem = f"must be an ISO date such as 2026-11-24 (got {value!r})"
            raise InvalidRequestError(name, problem) from None
        check_day(name, day)
        return day

    last = parse(names[1], end) or today
    first = parse(names[0], start) or max(last - timedelta(days=default_days - 1), EARLIEST_DAY)
    if first > last:
        raise InvalidRequestError(names[0], f"must not be after {names[1]} ({last.isoformat()})")
    if (last - first).days + 1 > MAX_RANGE_DAYS:  # both ends count
        raise InvalidRequestError(names[0], f"the range may span at most {MAX_RANGE_DAYS} days")
    return first, last
