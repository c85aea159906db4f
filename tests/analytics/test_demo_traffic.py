"""Synthetic demo traffic: the plan (pure), and seeding a store through the real answer path
(hash embedder here; the real model runs in tests/cli/test_demo_cli.py)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from knowledge_service.analytics.demo_traffic import (
    DEMO_CALLER,
    UNCOVERED,
    plan_questions,
    seed_traffic,
)
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer
from knowledge_service.analytics.models import AnswerEvent, Feedback
from knowledge_service.answers.service import AnswerService
from knowledge_service.content.importer import import_content
from knowledge_service.content.schemas import Channel
from knowledge_service.db import session_scope
from knowledge_service.errors import ConflictError, InvalidRequestError
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings
from tests.conftest import TODAY
from tests.factories import write_article_md

PHRASINGS = [
    (["when is my bill due", "what is the pay-by date"], [Channel.CHAT, Channel.WEB], False),
    (["how do I report an outage"], [Channel.VOICE, Channel.CHAT, Channel.AGENT], False),
    (["how do I waive a late fee"], [Channel.AGENT], True),
]


def test_the_plan_spans_the_days_up_to_today_and_is_the_same_for_the_same_seed() -> None:
    plan = plan_questions(PHRASINGS, today=TODAY, days=14, rng=random.Random(3))
    again = plan_questions(PHRASINGS, today=TODAY, days=14, rng=random.Random(3))
    assert plan == again
    days = Counter(a.at.date() for a in plan)
    assert sorted(days)[0].isoformat() == "2026-11-11" and max(days) == TODAY and len(days) == 14
    weekdays = [n for d, n in days.items() if d.weekday() < 5]
    weekends = [n for d, n in days.items() if d.weekday() >= 5]
    assert min(weekdays) > max(weekends)  # contact centres are busier on weekdays


def test_the_plan_asks_internal_articles_on_the_agent_channel_only_and_includes_gaps() -> None:
    plan = plan_questions(PHRASINGS, today=TODAY, days=14, rng=random.Random(1))
    internal = [a for a in plan if a.question == "how do I waive a late fee"]
    assert internal and {a.channel for a in internal} == {Channel.AGENT}
    gaps = [a for a in plan if a.question in UNCOVERED]
    assert 0 < len(gaps) < len(plan) / 5
    billing = [a for a in plan if a.question in PHRASINGS[0][0]]
    assert {a.channel for a in billing} <= {Channel.CHAT, Channel.WEB}


@pytest.fixture
def answers(settings: Settings, engine: Engine) -> AnswerService:
    write_article_md(settings.content_dir, "refund-timeframe", questions=["where is my refund"])
    write_article_md(
        settings.content_dir, "lost-card", title="Report a lost card", intents=["card.lost"],
        answer="Freeze the card in the app.", questions=["my card was stolen"],
    )  # fmt: skip
    import_content(engine, [settings.content_dir], max_file_bytes=1 << 20)
    search = SearchService(settings, engine, HashEmbedder(), cache=EmbeddingCache())
    search.open()
    return AnswerService(settings, engine, search)


def test_seeding_records_synthetic_answers_and_ratings_once(
    engine: Engine, answers: AnswerService
) -> None:
    report = seed_traffic(engine, lambda: answers, today=TODAY, days=7)
    with session_scope(engine) as session:
        events = session.exec(select(AnswerEvent)).all()
        ratings = session.exec(select(Feedback)).all()
    assert len(events) == report.answers > 7 * 12
    assert {e.caller for e in events} == {DEMO_CALLER} and {f.caller for f in ratings} == {
        DEMO_CALLER
    }
    assert len(ratings) == report.feedback > 0
    assert min(e.at for e in events).date() == report.first_day and report.last_day == TODAY
    assert {e.question for e in events} & set(UNCOVERED)
    assert {"where is my refund", "my card was stolen"} & {e.question for e in events}
    again = seed_traffic(engine, lambda: answers, today=TODAY, days=7)  # a second make demo
    assert (again.answers, again.already_seeded) == (0, report.answers)


def test_seeding_refuses_a_store_with_real_traffic_unless_forced(
    engine: Engine, answers: AnswerService
) -> None:
    log = AnswerLog(engine)
    log.record(LoggedAnswer(kind="answer", question="a real question", latency_ms=3.0,
                            caller="chat-bot-key"))  # fmt: skip
    log.flush()
    with pytest.raises(ConflictError, match="1 real answer events"):
        seed_traffic(engine, lambda: answers, today=TODAY)
    assert seed_traffic(engine, lambda: answers, today=TODAY, days=2, force=True).answers > 0


def test_a_seeded_demo_that_has_been_used_is_left_as_it_is(
    engine: Engine, answers: AnswerService
) -> None:
    """Questions asked of the demo after it was seeded are real events in a demo store: the next
    ``make demo`` adds nothing and goes on to start the server."""
    first = seed_traffic(engine, lambda: answers, today=TODAY, days=2)
    log = AnswerLog(engine)
    log.record(LoggedAnswer(kind="answer", question="asked of the demo", latency_ms=3.0,
                            caller="demo-admin"))  # fmt: skip
    log.flush()
    again = seed_traffic(engine, lambda: answers, today=TODAY, days=2)
    assert (again.answers, again.already_seeded) == (0, first.answers)


@pytest.mark.parametrize("days", [0, 61])
def test_seeding_refuses_a_period_out_of_range(
    engine: Engine, answers: AnswerService, days: int
) -> None:
    with pytest.raises(InvalidRequestError, match="--days"):
        seed_traffic(engine, lambda: answers, today=TODAY, days=days)


def test_a_refused_or_seeded_store_never_loads_the_answer_engine(
    engine: Engine, answers: AnswerService
) -> None:
    """Loading the model and the index takes seconds: the checks that refuse or skip come first."""
    made: list[AnswerService] = []

    def make() -> AnswerService:
        made.append(answers)
        return answers

    seed_traffic(engine, make, today=TODAY, days=2)
    assert len(made) == 1
    assert seed_traffic(engine, make, today=TODAY, days=2).already_seeded > 0
    with pytest.raises(InvalidRequestError):
        seed_traffic(engine, make, today=TODAY, days=0)
    assert len(made) == 1


def test_the_plan_asks_nothing_after_now_and_keeps_todays_questions() -> None:
    """Seeded at 10:30, today's questions (planned from 8:00 to 20:00) all come before 10:30,
    in their order; the days before are as planned."""
    now = datetime.combine(TODAY, time(10, 30), UTC)
    plan = plan_questions(PHRASINGS, today=TODAY, days=3, rng=random.Random(5), now=now)
    as_planned = plan_questions(PHRASINGS, today=TODAY, days=3, rng=random.Random(5))
    assert len(plan) == len(as_planned)
    today = [a.at for a in plan if a.at.date() == TODAY]
    planned_today = [a.at for a in as_planned if a.at.date() == TODAY]
    assert len(today) == len(planned_today) > 0 and max(planned_today) > now
    assert max(today) <= now
    assert [a for a in plan if a.at.date() < TODAY] == [
        a for a in as_planned if a.at.date() < TODAY
    ]


def test_seeding_records_no_answer_or_rating_after_now(
    engine: Engine, answers: AnswerService
) -> None:
    now = datetime.combine(TODAY, time(9, 5), UTC)
    report = seed_traffic(engine, lambda: answers, today=TODAY, days=2, now=now)
    with session_scope(engine) as session:
        events = session.exec(select(AnswerEvent)).all()
        ratings = session.exec(select(Feedback)).all()
    assert report.answers > 0 and ratings
    assert any(_utc(e.at).date() == TODAY for e in events)
    assert max(_utc(e.at) for e in events) <= now
    assert max(_utc(f.at) for f in ratings) <= now


def _utc(at: datetime) -> datetime:
    """A stored time as UTC (SQLite gives it back without its zone)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def test_a_later_ks_today_plans_nothing_after_now() -> None:
    """KS_TODAY a week after the clock's day (a demo shown as of a later date): the plan still
    ends at ``now``, its days the ones up to the clock's day, not a week of answers ahead."""
    now = datetime.combine(TODAY, time(10, 30), UTC)
    later = TODAY + timedelta(days=7)
    plan = plan_questions(PHRASINGS, today=later, days=3, rng=random.Random(5), now=now)
    assert plan and max(a.at for a in plan) <= now
    assert sorted({a.at.date() for a in plan}) == [TODAY - timedelta(days=n) for n in (2, 1, 0)]


def test_seeding_under_a_later_ks_today_records_nothing_after_now(
    engine: Engine, answers: AnswerService
) -> None:
    now = datetime.combine(TODAY, time(9, 5), UTC)
    report = seed_traffic(engine, lambda: answers, today=TODAY + timedelta(days=7), days=2, now=now)
    with session_scope(engine) as session:
        events = session.exec(select(AnswerEvent)).all()
        ratings = session.exec(select(Feedback)).all()
    assert report.answers > 0 and ratings
    assert (report.first_day, report.last_day) == (TODAY - timedelta(days=1), TODAY)
    assert max(_utc(e.at) for e in events) <= now
    assert max(_utc(f.at) for f in ratings) <= now
