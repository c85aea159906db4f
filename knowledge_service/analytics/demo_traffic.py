"""Synthetic demo traffic: a believable fortnight of questions, so a fresh demo has insights.

``knowledge-service demo seed-traffic`` (run by ``make demo``) replays customer-like
questions through the real answer engine, on every channel, spread over the last days up to
today, and rates some of the answers. The questions come from the store's own served articles
(the phrasings in their ``questions``) plus a few the knowledge base does not cover (so the
content gaps have examples). Every event goes through the answer log like real traffic (the
question is redacted before it is written) and is marked as synthetic: its caller is
:data:`DEMO_CALLER`. A store that holds real answer events and was never seeded is refused
unless forced.

Nothing here is random at run time beyond a seeded generator: the same store, seed and day give
the same plan.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine

from knowledge_service.analytics import repository
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer
from knowledge_service.analytics.recording import answer_event
from knowledge_service.analytics.schemas import FeedbackCreate, Rating
from knowledge_service.analytics.service import record_feedback
from knowledge_service.answers.schemas import AnswerStatus
from knowledge_service.answers.service import AnswerQuery, AnswerService
from knowledge_service.content import repository as content_repository
from knowledge_service.content.schemas import Audience, Channel
from knowledge_service.db import session_scope
from knowledge_service.errors import ConflictError, InvalidRequestError

DEMO_CALLER = "demo-traffic"
"""The caller every synthetic event and rating carries (real callers are key names)."""
MAX_DAYS = 60
UNCOVERED = (
    "can I pay my bill with bitcoin",
    "do you accept crypto payments",
    "can I get a rebate on a home battery",
    "do you sell gas bottles",
    "can you bundle my internet with my power",
)
"""Questions customers ask that the sample knowledge base does not answer (the content gaps)."""
_CUSTOMER_CHANNELS = (Channel.CHAT, Channel.WEB, Channel.VOICE, Channel.EMAIL)


@dataclass(frozen=True)
class Asked:
    """One planned question: what, where and when."""

    question: str
    channel: Channel
    at: datetime


@dataclass(frozen=True)
class SeedReport:
    """What seeding wrote."""

    answers: int
    by_status: dict[str, int]
    feedback: int
    first_day: date
    last_day: date
    already_seeded: int = 0
    """Synthetic events the store already held (nothing was added unless forced)."""


def _phrasings(engine: Engine) -> list[tuple[list[str], list[Channel], bool]]:
    """(questions, channels, is internal) of every served article with questions."""
    with session_scope(engine) as session:
        rows = content_repository.served_article_versions(session)
        docs = [row.to_document() for row in rows]
    return [
        (list(d.questions), list(d.channels), d.audience == Audience.INTERNAL)
        for d in docs
        if d.questions
    ]


def plan_questions(
    phrasings: Sequence[tuple[list[str], list[Channel], bool]],
    *,
    today: date,
    days: int,
    rng: random.Random,
    now: datetime | None = None,
) -> list[Asked]:
    """A fortnight's questions: busier on weekdays, a few popular topics asked most, internal
    articles asked by agents only, about one question in twelve not covered at all.

    Questions are asked from 8:00 to 20:00 (UTC); on the day of ``now`` that day is squeezed
    into the part of it that has passed, so no question is asked after ``now`` (a demo seeded
    at 10:00 would otherwise show answers given at 19:00, listed before the ones asked since).
    The days end at ``today`` or at the day of ``now``, whichever comes first
    (:func:`last_day`).
    """
    popular = list(phrasings)
    rng.shuffle(popular)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(popular))]
    planned = []
    last = last_day(today, now)
    for back in range(days - 1, -1, -1):
        day = last - timedelta(days=back)
        for _ in range(rng.randint(28, 40) if day.weekday() < 5 else rng.randint(12, 18)):
            moment = _not_after(
                datetime.combine(day, time(rng.randint(8, 19), rng.randint(0, 59)), UTC), now
            )
            if rng.random() < 1 / 12 or not popular:
                channel = rng.choice((Channel.CHAT, Channel.WEB))
                planned.append(Asked(rng.choice(UNCOVERED), channel, moment))
                continue
            questions, channels, internal = rng.choices(popular, weights)[0]
            served = [Channel.AGENT] if internal else channels
            channel = rng.choice(served or list(_CUSTOMER_CHANNELS))
            planned.append(Asked(rng.choice(questions), channel, moment))
    return planned


def last_day(today: date, now: datetime | None) -> date:
    """The last day of the plan: ``today``, unless ``KS_TODAY`` set it after the day of ``now``.
    An answer's time is real (the clock's, not ``KS_TODAY``'s), so a demo shown as of a later
    day still has its traffic before ``now``, never a week after it; the insights page's
    default period ends on the same day (``clock.last_answer_day``)."""
    return today if now is None else min(today, now.date())


def _not_after(moment: datetime, now: datetime | None) -> datetime:
    """``moment`` of the day of ``now`` moved into the part of that day that has passed, keeping
    its order among that day's moments; any other moment as it is."""
    if now is None or moment.date() != now.date():
        return moment
    start = datetime.combine(moment.date(), time(), UTC)
    return start + (moment - start) * ((now - start) / timedelta(days=1))


@dataclass(frozen=True)
class Served:
    """One replayed answer as logged, and the runner-up article an agent might use instead."""

    event: LoggedAnswer
    runner_up: str | None


def _feedback(served: Served, rng: random.Random) -> FeedbackCreate | None:
    """Most answers go unrated; of the rated, most are helpful, stale ones often outdated, and
    an agent who finds one wrong sometimes says which article it used instead (an override)."""
    event = served.event
    if event.status != AnswerStatus.ANSWERED or event.receipt is None or rng.random() > 0.3:
        return None
    channel = Channel(event.channel) if event.channel else None  # one caller serves them all
    if event.stale and rng.random() < 0.5:
        return FeedbackCreate(receipt=event.receipt, rating=Rating.OUTDATED, channel=channel)
    rating = rng.choices([Rating.HELPFUL, Rating.UNCLEAR, Rating.WRONG], [0.78, 0.12, 0.1])[0]
    used = served.runner_up if rating == Rating.WRONG and rng.random() < 0.6 else None
    return FeedbackCreate(
        receipt=event.receipt, rating=rating, used_article_id=used, channel=channel
    )


def _answer_all(answers: AnswerService, planned: Sequence[Asked]) -> list[Served]:
    """Each planned question through the answer engine, logged as asked at its moment."""
    results = answers.answer_many([AnswerQuery(a.question, a.channel) for a in planned])
    return [
        Served(
            replace(
                answer_event(result, asked.question, latency_ms=0.0, caller=DEMO_CALLER),
                at=asked.at,
            ),
            result.alternatives[0].article_id if result.alternatives else None,
        )
        for asked, result in zip(planned, results, strict=True)
    ]


def _existing(engine: Engine, *, force: bool) -> int:
    """How many synthetic events the store holds; ConflictError if it holds real ones and no
    synthetic ones (a real store). Questions asked of a seeded demo since are its own traffic:
    the next ``make demo`` adds nothing and starts."""
    with session_scope(engine) as session:
        synthetic, real = repository.count_events_by_caller(session, DEMO_CALLER)
    if real and not synthetic and not force:
        raise ConflictError(
            f"the store has {real} real answer events: synthetic traffic would mix with them "
            "(--force to add it anyway)"
        )
    return synthetic


def seed_traffic(
    engine: Engine,
    answers: Callable[[], AnswerService],
    *,
    today: date,
    days: int = 14,
    seed: int = 7,
    force: bool = False,
    now: datetime | None = None,
) -> SeedReport:
    """Replay a plan of questions through the service ``answers()`` makes and record them,
    with some feedback. ``answers`` is called only when there is something to replay (loading
    the model and the index takes seconds; a refused or already seeded store needs neither).
    A store already seeded is left as it is (a second ``make demo`` adds nothing) unless
    ``force`` is set. Nothing is recorded as asked or rated after ``now`` (default: the clock's
    time; see :func:`plan_questions`), even when ``today`` (``KS_TODAY``) lies after it.

    Raises:
        InvalidRequestError: ``days`` is not 1 to :data:`MAX_DAYS`.
        ConflictError: the store holds real answer events and ``force`` is not set.
    """
    if not 1 <= days <= MAX_DAYS:
        raise InvalidRequestError("--days", f"must be 1 to {MAX_DAYS} (got {days})")
    now = now or datetime.now(UTC)
    last = last_day(today, now)
    first = last - timedelta(days=days - 1)
    already = _existing(engine, force=force)
    if already and not force:
        return SeedReport(0, {}, 0, first, last, already_seeded=already)
    rng = random.Random(seed)
    planned = plan_questions(_phrasings(engine), today=today, days=days, rng=rng, now=now)
    served = _answer_all(answers(), planned)
    log = AnswerLog(engine)  # the real recording path: the writer redacts every question
    for one in served:
        log.record(one.event)
    log.flush()
    rated = _rate_some(engine, served, rng, now)
    by_status = Counter(one.event.status or "unknown" for one in served)
    return SeedReport(len(served), dict(by_status), rated, first, last, already_seeded=already)


def _rate_some(engine: Engine, served: Sequence[Served], rng: random.Random, now: datetime) -> int:
    """Rate some answers a few minutes after they were given (never after ``now``); how many
    were rated."""
    rated = 0
    with session_scope(engine) as session:
        for one in served:
            data = _feedback(one, rng)
            if data is not None:
                later = one.event.at + timedelta(minutes=rng.randint(1, 20))
                at = min(later, max(now, one.event.at))
                record_feedback(session, data, caller=DEMO_CALLER, at=at)
                rated += 1
    return rated
