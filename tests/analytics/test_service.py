"""Measures over a scripted day of traffic, feedback, risk incidents and retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from knowledge_service.analytics import service
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer
from knowledge_service.analytics.models import AnswerEvent, Feedback
from knowledge_service.analytics.schemas import FeedbackCreate, Rating
from knowledge_service.api.routers.answers import AnswerRequest
from knowledge_service.content.models import ArticleVersion
from knowledge_service.content.schemas import Channel
from knowledge_service.content.service import import_content
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidRequestError, NotFoundError, PayloadTooLargeError
from knowledge_service.freshness.models import Finding, FindingArticle
from tests.factories import write_article_md

DAY = date(2026, 11, 20)
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
RECEIPT = "rcpt_" + "a" * 32
HANDOFF = "rcpt_" + "c" * 32  # the hand-offs' receipt (a receipt of their own)


def event(minutes: int, **kw: object) -> LoggedAnswer:
    fields: dict[str, object] = {
        "kind": "answer",
        "question": "how long does a refund take",
        "latency_ms": 10.0,
        "channel": "chat",
        "intent": "billing.refund.timeframe",
        "status": "answered",
        "reason": "confident",
        "article_id": "refund-timeframe",
        "version": 1,
        "receipt": RECEIPT,
        "at": T0 + timedelta(minutes=minutes),
    }
    fields.update(kw)
    return LoggedAnswer(**fields)  # type: ignore[arg-type]


def script_day(engine: Engine) -> None:
    """Ten answer requests and two searches on one day: 6 answered (1 stale), 2 no_answer,
    2 escalated (1 blocked, 1 low confidence); conversation c1 asks three times, c2 once."""
    log = AnswerLog(engine)
    events = [
        event(0, conversation_id="c1"),
        event(5, conversation_id="c1", status="no_answer", reason="no_article", article_id=None,
              receipt=HANDOFF),
        event(10, conversation_id="c1"),
        event(20, conversation_id="c2"),
        event(30, stale=True),
        event(40),
        event(50, channel="agent"),
        event(60, status="no_answer", reason="low_confidence", article_id=None, receipt=HANDOFF),
        event(70, status="escalate", reason="blocked_by_finding", receipt=HANDOFF),
        event(80, status="escalate", reason="low_confidence", channel="voice", receipt=HANDOFF),
        event(90, kind="search", status=None, reason=None, channel="agent", receipt=None),
        event(95, kind="search", status=None, reason=None, channel="agent", receipt=None),
    ]  # fmt: skip
    for e in events:
        log.record(e)
    assert log.flush() == len(events)


def import_articles(engine: Engine, root: Path, *article_ids: str) -> None:
    for article_id in article_ids:
        write_article_md(root / "content", article_id)
    assert not import_content(engine, [root / "content"], max_file_bytes=10**6).invalid


def test_a_scripted_day_gives_the_right_rates(engine: Engine, tmp_path: Path) -> None:
    import_articles(engine, tmp_path, "refund-method")  # the article one agent used instead
    script_day(engine)
    with session_scope(engine) as session:
        for rating, used in [
            (Rating.HELPFUL, None),
            (Rating.HELPFUL, None),
            (Rating.WRONG, None),
            (Rating.OUTDATED, "refund-method"),
        ]:
            service.record_feedback(
                session,
                FeedbackCreate(receipt=RECEIPT, rating=rating, used_article_id=used),
                caller="agent-1",
            )
        session.execute(  # feedback given on the day of the answers
            Feedback.__table__.update().values(at=T0 + timedelta(hours=3))  # type: ignore[attr-defined]
        )
    with session_scope(engine) as session:
        summary = service.summarize(session, DAY, DAY)
    totals = summary.totals
    assert (totals.answers, totals.answered, totals.no_answer, totals.escalated) == (10, 6, 2, 2)
    assert totals.searches == 2
    assert totals.answer_rate == 0.6 and totals.escalation_rate == 0.2
    assert totals.escalations_by_reason == {"blocked_by_finding": 1, "low_confidence": 1}
    assert totals.stale_answers == 1 and totals.stale_answer_rate == round(1 / 6, 4)
    assert totals.repeat_questions == 2  # c1 asked again twice within the window
    assert (totals.feedback, totals.helpful, totals.wrong, totals.overrides) == (4, 2, 2, 1)
    assert totals.override_rate == 0.25
    assert [d.day for d in summary.days] == [DAY] and summary.days[0].answers == 10
    assert summary.demand[0].intent == "billing.refund.timeframe"
    assert sum(d.questions for d in summary.demand) == 10


def test_filters_by_channel(engine: Engine) -> None:
    script_day(engine)
    with session_scope(engine) as session:
        voice = service.summarize(session, DAY, DAY, channel="voice")
    assert (voice.totals.answers, voice.totals.escalated) == (1, 1)


def test_days_without_traffic_are_zero_and_the_range_is_checked(engine: Engine) -> None:
    script_day(engine)
    with session_scope(engine) as session:
        week = service.summarize(session, DAY - timedelta(days=3), DAY + timedelta(days=3))
        assert len(week.days) == 7 and week.days[0].answers == 0 and week.totals.answers == 10
        quiet = week.days[0]  # no answers and no feedback: counts are 0, rates are no measure
        rates = ["answer_rate", "no_answer_rate", "escalation_rate", "stale_answer_rate"]
        rates += ["repeat_rate", "helpful_rate", "wrong_rate", "override_rate"]
        assert {name: getattr(quiet, name) for name in rates} == dict.fromkeys(rates)
        # the busy day has answers but no feedback: its answer rates are measured, not the others
        busy = week.days[3]
        assert busy.answer_rate == 0.6 and busy.escalation_rate == 0.2
        assert (busy.helpful_rate, busy.wrong_rate, busy.override_rate) == (None, None, None)
        with pytest.raises(InvalidRequestError, match="'to'"):
            service.summarize(session, DAY, DAY - timedelta(days=1))


def test_trend_compares_halves_that_both_have_answers(engine: Engine) -> None:
    script_day(engine)  # DAY: 10 answers, 6 answered, 2 escalated
    log = AnswerLog(engine)
    for minutes, status in [(0, "answered"), (1, "no_answer"), (2, "no_answer"), (3, "answered")]:
        log.record(event(minutes - 24 * 60, status=status, receipt=None))  # the day before
    assert log.flush() == 4
    with session_scope(engine) as session:
        trend = service.summarize(session, DAY - timedelta(days=1), DAY).trend
    assert (trend.answer_rate, trend.escalation_rate) == (0.1, 0.2)  # 0.5 -> 0.6, 0 -> 0.2
    assert trend.wrong_rate is None  # no feedback in either half


def test_trend_is_the_change_of_the_exact_rates_rounded_once(engine: Engine) -> None:
    """1 of 3 answered, then 2 of 3: the change is 0.3333, not 0.6667 - 0.3333 = 0.3334."""
    log = AnswerLog(engine)
    for minutes, status in [(-1440, "answered"), (-1439, "no_answer"), (-1438, "no_answer"),
                            (0, "answered"), (1, "answered"), (2, "no_answer")]:  # fmt: skip
        log.record(event(minutes, status=status, receipt=None))
    assert log.flush() == 6
    with session_scope(engine) as session:
        summary = service.summarize(session, DAY - timedelta(days=1), DAY)
    assert (summary.days[0].answer_rate, summary.days[1].answer_rate) == (0.3333, 0.6667)
    assert summary.trend.answer_rate == 0.3333


@pytest.mark.parametrize(
    ("start", "end"),
    [(DAY - timedelta(days=3), DAY), (DAY, DAY + timedelta(days=1)), (DAY, DAY)],
    ids=["empty-first-half", "empty-second-half", "one-day"],
)
def test_trend_is_none_when_a_half_has_no_answers(engine: Engine, start: date, end: date) -> None:
    script_day(engine)
    with session_scope(engine) as session:
        summary = service.summarize(session, start, end)
    assert summary.totals.answers == 10
    assert summary.trend.model_dump() == {
        "answer_rate": None, "escalation_rate": None, "wrong_rate": None,
    }  # fmt: skip
    assert '"trend":{"answer_rate":null,' in summary.model_dump_json()


def test_feedback_needs_a_known_receipt_and_redacts_the_comment(engine: Engine) -> None:
    script_day(engine)
    with session_scope(engine) as session:
        with pytest.raises(NotFoundError):
            service.record_feedback(
                session, FeedbackCreate(receipt="rcpt_" + "b" * 32, rating=Rating.WRONG), caller="x"
            )
        out = service.record_feedback(
            session,
            FeedbackCreate(
                receipt=RECEIPT, rating=Rating.WRONG, comment="customer 0412 345 678 says no"
            ),
            caller="agent-1",
        )
        assert out.needs_review and out.article_id == "refund-timeframe"
        with pytest.raises(PayloadTooLargeError):
            service.record_feedback(
                session,
                FeedbackCreate(receipt=RECEIPT, rating=Rating.UNCLEAR, comment="x" * 2001),
                caller="agent-1",
            )
    with Session(engine) as session:
        (row,) = session.exec(select(Feedback)).all()
    assert row.comment == "customer [PHONE] says no"


def test_an_override_must_name_an_existing_article(engine: Engine, tmp_path: Path) -> None:
    import_articles(engine, tmp_path, "refund-method")
    script_day(engine)
    with session_scope(engine) as session:
        with pytest.raises(NotFoundError, match="article 'no-such-article' does not exist"):
            service.record_feedback(
                session,
                FeedbackCreate(
                    receipt=RECEIPT, rating=Rating.WRONG, used_article_id="no-such-article"
                ),
                caller="agent-1",
            )
        used = service.record_feedback(
            session,
            FeedbackCreate(receipt=RECEIPT, rating=Rating.WRONG, used_article_id="refund-method"),
            caller="agent-1",
        )
    assert used.used_article_id == "refund-method"
    with Session(engine) as session:  # the refused override was not stored (nor counted)
        stored = session.exec(select(Feedback.used_article_id)).all()
    assert stored == ["refund-method"]


def test_an_override_needs_review_whatever_it_rated(engine: Engine, tmp_path: Path) -> None:
    """An agent's override goes to the owner's review queue, so the response says so."""
    import_articles(engine, tmp_path, "refund-method")
    script_day(engine)
    with session_scope(engine) as session:
        for rating in (Rating.UNCLEAR, Rating.HELPFUL, Rating.NOT_HELPFUL):
            plain = service.record_feedback(
                session, FeedbackCreate(receipt=RECEIPT, rating=rating), caller="agent-1"
            )
            override = service.record_feedback(
                session,
                FeedbackCreate(receipt=RECEIPT, rating=rating, used_article_id="refund-method"),
                caller="agent-1",
            )
            # every rating but "helpful" reaches the owner; an override always does
            assert plain.needs_review is (rating != Rating.HELPFUL), rating
            assert override.needs_review, rating


def test_a_feedback_comment_is_stored_without_invisible_characters(engine: Engine) -> None:
    script_day(engine)
    typed = "a\x00b\u202e reversed\u200b\tand\nlines"
    with session_scope(engine) as session:
        out = service.record_feedback(
            session, FeedbackCreate(receipt=RECEIPT, rating=Rating.UNCLEAR, comment=typed),
            caller="agent-1",
        )  # fmt: skip
    assert out.comment == "ab reversed\tand\nlines"
    with pytest.raises(ValidationError, match="extra"):
        FeedbackCreate.model_validate({"receipt": RECEIPT, "rating": "wrong", "used_article": "x"})


@pytest.mark.parametrize("status", ["escalate", "no_answer"])
def test_feedback_on_a_hand_off_names_no_article_and_needs_no_review(
    engine: Engine, status: str
) -> None:
    handoff = "rcpt_" + "e" * 32  # its log entry keeps the best candidate, never served
    log = AnswerLog(engine)
    log.record(event(0, status=status, reason="low_confidence", receipt=handoff))
    log.record(event(1))
    assert log.flush() == 2
    with session_scope(engine) as session:
        out = service.record_feedback(
            session, FeedbackCreate(receipt=handoff, rating=Rating.WRONG), caller="agent-1"
        )
        assert (out.article_id, out.version, out.needs_review) == (None, None, False)
        answered = service.record_feedback(
            session, FeedbackCreate(receipt=RECEIPT, rating=Rating.WRONG), caller="agent-1"
        )
    assert answered.needs_review and (answered.article_id, answered.version) == (
        "refund-timeframe",
        1,
    )
    with Session(engine) as session:
        stored = session.exec(select(Feedback).where(Feedback.receipt == handoff)).one()
    assert (stored.article_id, stored.version) == (None, None)


def _versions_written_before_the_day(engine: Engine) -> None:
    """Every stored article version written 30 days before the scripted day's answers."""
    with session_scope(engine) as session:
        session.execute(
            ArticleVersion.__table__.update().values(created_at=T0 - timedelta(days=30))  # type: ignore[attr-defined]
        )


def _block_found(
    engine: Engine,
    letter: str,
    *,
    kind: str = "policy_mismatch",
    at: datetime = T0 + timedelta(hours=1),
) -> None:
    """A blocking finding about refund-timeframe first seen ``at`` (fingerprint: ``letter`` x64)."""
    with session_scope(engine) as session:
        finding = Finding(
            fingerprint=letter * 64, kind=kind, severity="block",
            article_ids=["refund-timeframe"], message="m", first_seen_at=at,
        )  # fmt: skip
        session.add(finding)
        session.flush()
        assert finding.id is not None
        session.add(FindingArticle(finding_id=finding.id, article_id="refund-timeframe"))


def test_a_later_blocking_finding_makes_earlier_answers_risk_incidents(
    engine: Engine, tmp_path: Path
) -> None:
    write_article_md(tmp_path / "content", "refund-timeframe")
    assert not import_content(engine, [tmp_path / "content"], max_file_bytes=10**6).invalid
    _versions_written_before_the_day(engine)
    script_day(engine)
    _block_found(engine, "f", at=T0 + timedelta(hours=5))
    with session_scope(engine) as session:
        summary = service.summarize(session, DAY, DAY)
    (incident,) = summary.risk_incidents
    # customer channels only: 5 answered on chat, none on agent (agents saw the findings);
    # c1 asked twice, c2 once, and two answers name no conversation: 4 customers told
    assert (incident.article_id, incident.version, incident.answers) == ("refund-timeframe", 1, 5)
    assert incident.customers_told == 4
    assert incident.receipts == [RECEIPT]
    assert summary.totals.risk_incidents == 1  # one incident, however many it reached
    assert [d.risk_incidents for d in summary.days] == [1]


def test_two_answers_in_one_conversation_are_one_customer_told_and_one_incident(
    engine: Engine, tmp_path: Path
) -> None:
    import_articles(engine, tmp_path, "refund-timeframe")
    _versions_written_before_the_day(engine)
    log = AnswerLog(engine)
    for minutes in (0, 3):
        log.record(event(minutes, conversation_id="conv-77"))
    assert log.flush() == 2
    _block_found(engine, "e")
    with session_scope(engine) as session:
        summary = service.summarize(session, DAY, DAY)
    (incident,) = summary.risk_incidents
    assert (incident.answers, incident.customers_told) == (2, 1)
    assert summary.totals.risk_incidents == 1


def test_retention_purges_old_events_and_feedback(engine: Engine) -> None:
    script_day(engine)
    with session_scope(engine) as session:
        service.record_feedback(
            session, FeedbackCreate(receipt=RECEIPT, rating=Rating.HELPFUL), caller="a"
        )
        session.execute(
            Feedback.__table__.update().values(at=T0 + timedelta(days=89))  # type: ignore[attr-defined]
        )
    now = T0 + timedelta(days=91)
    with session_scope(engine) as session:
        events, feedback = service.purge_old(session, now=now, retention_days=90)
    assert (events, feedback) == (12, 0)  # the feedback is inside the period
    with Session(engine) as session:
        assert session.exec(select(AnswerEvent)).all() == []


def script_day_with_ratings(engine: Engine, tmp_path: Path) -> None:
    """:func:`script_day`, and two agent ratings of RECEIPT three hours in: helpful, and wrong
    with refund-method used instead."""
    import_articles(engine, tmp_path, "refund-method")
    script_day(engine)
    with session_scope(engine) as session:
        for rating, used in [(Rating.HELPFUL, None), (Rating.WRONG, "refund-method")]:
            service.record_feedback(
                session,
                FeedbackCreate(receipt=RECEIPT, rating=rating, used_article_id=used),
                caller="agent-1",
            )
        session.execute(
            Feedback.__table__.update().values(at=T0 + timedelta(hours=3))  # type: ignore[attr-defined]
        )


def test_the_measures_of_purged_days_survive_the_purge(engine: Engine, tmp_path: Path) -> None:
    script_day_with_ratings(engine, tmp_path)
    with session_scope(engine) as session:
        before = service.summarize(session, DAY, DAY)
        chat_before = service.summarize(session, DAY, DAY, channel="chat")
    with session_scope(engine) as session:
        assert service.purge_old(session, now=T0 + timedelta(days=91), retention_days=90) == (12, 2)
    with session_scope(engine) as session:
        after = service.summarize(session, DAY, DAY)
        chat_after = service.summarize(session, DAY, DAY, channel="chat")
        assert session.exec(select(AnswerEvent)).all() == []
    assert after.totals == before.totals and after.days == before.days
    assert after.demand == before.demand
    assert chat_after.totals.answers == chat_before.totals.answers
    with session_scope(engine) as session:  # purging again counts nothing twice
        service.purge_old(session, now=T0 + timedelta(days=92), retention_days=90)
        assert service.summarize(session, DAY, DAY).totals == before.totals


def test_the_feedback_to_an_intent_survives_the_purge(engine: Engine, tmp_path: Path) -> None:
    """The measures of one intent keep their feedback after a purge: the feedback was kept
    without its answer's intent, so ``intent=...`` lost every purged day's ratings (the
    unfiltered measures kept them)."""
    script_day_with_ratings(engine, tmp_path)
    refunds = "billing.refund.timeframe"
    with session_scope(engine) as session:
        before = service.summarize(session, DAY, DAY, intent=refunds)
        other = service.summarize(session, DAY, DAY, intent="waste.missed_bin")
    assert (before.totals.feedback, before.totals.wrong, before.totals.overrides) == (2, 1, 1)
    with session_scope(engine) as session:
        assert service.purge_old(session, now=T0 + timedelta(days=91), retention_days=90) == (12, 2)
    with session_scope(engine) as session:
        after = service.summarize(session, DAY, DAY, intent=refunds)
        assert service.summarize(session, DAY, DAY, intent="waste.missed_bin").totals == (
            other.totals
        )
    feedback = ("feedback", "helpful", "wrong", "overrides", "helpful_rate", "wrong_rate")
    for name in (*feedback, "answers", "answered", "escalated"):
        assert getattr(after.totals, name) == getattr(before.totals, name), name


def test_feedback_kept_after_its_answer_was_purged_keeps_its_intent(
    engine: Engine, tmp_path: Path
) -> None:
    """A rating given after its answer (an agent rating three hours later) outlives the answer
    by a purge: the daily purge that deletes the answer leaves the rating, and the next rolls
    it up. Its intent was read from the answer's log entry, so from the first purge on the
    measures of the intent lost it (the unfiltered measures kept it). A rating now keeps the
    intent of the serving it rates."""
    script_day_with_ratings(engine, tmp_path)
    refunds = "billing.refund.timeframe"
    with session_scope(engine) as session:
        before = service.summarize(session, DAY, DAY, intent=refunds).totals
    assert (before.feedback, before.wrong, before.overrides) == (2, 1, 1)
    feedback = ("feedback", "helpful", "wrong", "overrides", "helpful_rate", "wrong_rate")
    for now in (T0 + timedelta(days=90, hours=2), T0 + timedelta(days=91)):
        with session_scope(engine) as session:
            service.purge_old(session, now=now, retention_days=90)
        with session_scope(engine) as session:
            after = service.summarize(session, DAY, DAY, intent=refunds).totals
            other = service.summarize(session, DAY, DAY, intent="waste.missed_bin").totals
        for name in feedback:
            assert getattr(after, name) == getattr(before, name), (now, name)
        assert other.feedback == 0
    with Session(engine) as session:
        assert session.exec(select(Feedback)).all() == []


def test_a_draft_waiting_for_approval_leaves_the_served_version_the_incident(
    engine: Engine, tmp_path: Path
) -> None:
    """A blocking finding is judged against the version customers were served, not a newer
    draft waiting for approval: the draft (written before the finding) was taken for the
    current version, no answer served it, and the served version's incident was lost."""
    import_articles(engine, tmp_path, "refund-timeframe")
    write_article_md(tmp_path / "content", "refund-timeframe", status="draft", answer="Soon.")
    assert not import_content(engine, [tmp_path / "content"], max_file_bytes=10**6).invalid
    with Session(engine) as session:
        statuses = session.exec(
            select(ArticleVersion.version, ArticleVersion.status).order_by(
                col(ArticleVersion.version)
            )
        ).all()
    assert [(v, str(s)) for v, s in statuses] == [(1, "published"), (2, "draft")]
    _versions_written_before_the_day(engine)
    log = AnswerLog(engine)
    log.record(event(0, conversation_id="conv-1"))  # version 1: what customers are served
    assert log.flush() == 1
    _block_found(engine, "9")
    with session_scope(engine) as session:
        summary = service.summarize(session, DAY, DAY)
    (incident,) = summary.risk_incidents
    assert (incident.version, incident.answers, incident.customers_told) == (1, 1, 1)
    assert summary.totals.risk_incidents == 1


def test_risk_incidents_follow_the_intent_filter(engine: Engine, tmp_path: Path) -> None:
    """An intent with no answers has no risk incidents: only the answers to that intent count,
    as for every other measure."""
    import_articles(engine, tmp_path, "refund-timeframe")
    _versions_written_before_the_day(engine)
    log = AnswerLog(engine)
    log.record(event(0, conversation_id="conv-1"))
    log.record(event(5, conversation_id="conv-2", intent="billing.refund.other"))
    assert log.flush() == 2
    _block_found(engine, "d")
    with session_scope(engine) as session:
        nothing = service.summarize(session, DAY, DAY, intent="waste.missed_bin")
        refunds = service.summarize(session, DAY, DAY, intent="billing.refund.timeframe")
        both = service.summarize(session, DAY, DAY)
    assert nothing.totals.answers == 0
    assert nothing.risk_incidents == [] and nothing.totals.risk_incidents == 0
    assert [d.risk_incidents for d in nothing.days] == [0]
    (incident,) = refunds.risk_incidents
    assert (incident.answers, incident.customers_told) == (1, 1)
    assert [i.answers for i in both.risk_incidents] == [2]


def test_risk_incidents_on_the_agent_channel_are_none(engine: Engine, tmp_path: Path) -> None:
    """An incident is what customers were told: ``channel=agent`` (staff, who saw the findings)
    has none. It used to count the agent channel's answers as customers told, so the agent
    channel alone showed an incident the unfiltered measures (customer channels) did not."""
    import_articles(engine, tmp_path, "refund-timeframe")
    _versions_written_before_the_day(engine)
    log = AnswerLog(engine)
    for minutes in (0, 5):
        log.record(event(minutes, channel="agent", conversation_id=f"agent-{minutes}"))
    assert log.flush() == 2
    _block_found(engine, "a")
    with session_scope(engine) as session:
        everyone = service.summarize(session, DAY, DAY)
        agents = service.summarize(session, DAY, DAY, channel="agent")
    assert everyone.risk_incidents == [] and everyone.totals.risk_incidents == 0
    assert agents.risk_incidents == [] and agents.totals.risk_incidents == 0
    assert [d.risk_incidents for d in agents.days] == [0]
    assert agents.totals.answers == 2  # the agent channel's other measures stay


@pytest.mark.parametrize(
    ("kind", "incident"),
    [
        ("policy_mismatch", True),
        ("conflict", True),
        ("policy_missing", True),
        ("policy_retired", True),
        ("invalid", False),  # about a file the store did not take: the served version is valid
        ("review_overdue", False),  # a date passed: says nothing about what the text told
    ],
)
def test_only_findings_about_what_customers_were_told_are_risk_incidents(
    engine: Engine, tmp_path: Path, kind: str, incident: bool
) -> None:
    import_articles(engine, tmp_path, "refund-timeframe")
    _versions_written_before_the_day(engine)
    log = AnswerLog(engine)
    log.record(event(0, conversation_id="conv-1"))
    assert log.flush() == 1
    _block_found(engine, "b", kind=kind)
    with session_scope(engine) as session:
        summary = service.summarize(session, DAY, DAY)
    assert [i.finding_kind for i in summary.risk_incidents] == ([kind] if incident else [])
    assert summary.totals.risk_incidents == int(incident)


def test_a_receipt_queued_in_another_workers_log_is_waited_for(engine: Engine) -> None:
    """Each worker process (or replica) has its own write-behind queue: a lookup that finds
    nothing writes its own and reads the store again until the others have written theirs."""
    mine = AnswerLog(engine, flush_interval=3600)
    other = AnswerLog(engine, flush_interval=0.3)  # another worker: writes on its own thread
    other.record(event(0, receipt=HANDOFF, status="no_answer", reason="no_article"))
    mine.record(event(1))
    other.start()
    try:
        with Session(engine) as session:
            assert service.served_event(session, RECEIPT, None) is None  # nothing written yet
            assert service.served_event(session, RECEIPT, mine, wait=False) is not None
            found = service.served_event(session, HANDOFF, mine)
            assert found is not None and found.status == "no_answer"
            assert service.served_event(session, "rcpt_" + "0" * 32, mine) is None
    finally:
        other.close()


def test_to_an_agent_a_draft_is_no_article_to_name(engine: Engine, tmp_path: Path) -> None:
    """Agents see published articles only: naming a draft as the article used instead is a
    404 to them, as it is when they ask for the draft; staff who see drafts may name it."""
    write_article_md(tmp_path / "content", "refund-draft", status="draft")
    assert not import_content(engine, [tmp_path / "content"], max_file_bytes=10**6).invalid
    script_day(engine)
    override = FeedbackCreate(receipt=RECEIPT, rating=Rating.WRONG, used_article_id="refund-draft")
    with session_scope(engine) as session:
        with pytest.raises(NotFoundError, match="article 'refund-draft' does not exist"):
            service.record_feedback(session, override, caller="agent-1", published_only=True)
        used = service.record_feedback(session, override, caller="owner-1")
    assert used.used_article_id == "refund-draft"


def test_to_a_bot_a_receipt_of_the_agent_channel_is_unknown(engine: Engine) -> None:
    script_day(engine)  # the answer at minute 50 was given on the agent channel
    agent_receipt = "rcpt_" + "d" * 32
    log = AnswerLog(engine)
    log.record(event(55, channel="agent", receipt=agent_receipt))
    assert log.flush() == 1
    rating = FeedbackCreate(receipt=agent_receipt, rating=Rating.HELPFUL)
    with session_scope(engine) as session:
        with pytest.raises(NotFoundError, match="does not exist"):
            service.record_feedback(session, rating, caller="bot", customer_channels_only=True)
        on_chat = FeedbackCreate(receipt=agent_receipt, rating=Rating.HELPFUL, channel=Channel.CHAT)
        with pytest.raises(NotFoundError, match="does not exist"):  # never told it was served
            service.record_feedback(session, on_chat, caller="bot", customer_channels_only=True)
        assert service.record_feedback(session, rating, caller="agent-1").article_id


def test_a_comment_of_only_spaces_is_no_comment(engine: Engine) -> None:
    script_day(engine)
    with session_scope(engine) as session:
        for text in ("", "   ", "\u200b \n"):
            rating = FeedbackCreate(receipt=RECEIPT, rating=Rating.UNCLEAR, comment=text)
            assert service.record_feedback(session, rating, caller="agent-1").comment is None
        kept = FeedbackCreate(receipt=RECEIPT, rating=Rating.UNCLEAR, comment="  says 5 days ")
        assert service.record_feedback(session, kept, caller="agent-1").comment == "says 5 days"


def serve_receipt_twice(engine: Engine) -> None:
    """RECEIPT told on chat to the chat bot, then (newest) on voice to the voice bot."""
    log = AnswerLog(engine)
    log.record(event(0, caller="chat-bot"))
    log.record(event(10, channel="voice", caller="voice-bot"))
    assert log.flush() == 2


def test_feedback_counts_on_the_channel_its_rater_was_given_the_answer(engine: Engine) -> None:
    """A receipt is shared by everyone told the same answer: a chat bot's rating was recorded
    on voice, the receipt's newest serving, and counted in voice's measures."""
    serve_receipt_twice(engine)
    rating = FeedbackCreate(receipt=RECEIPT, rating=Rating.WRONG)
    with session_scope(engine) as session:
        service.record_feedback(
            session, rating, caller="chat-bot", at=T0 + timedelta(hours=1),
            customer_channels_only=True,
        )  # fmt: skip
    with session_scope(engine) as session:
        (row,) = session.exec(select(Feedback)).all()
        chat = service.summarize(session, DAY, DAY, channel="chat").totals
        voice = service.summarize(session, DAY, DAY, channel="voice").totals
    assert row.channel == "chat"
    assert (chat.feedback, chat.wrong, voice.feedback) == (1, 1, 0)


def test_feedback_waits_for_its_raters_serving_held_by_another_worker(engine: Engine) -> None:
    """The rater's own serving may still be queued in the worker that answered it while an
    older serving of the receipt, to someone else, is in the store: it is waited for."""
    mine = AnswerLog(engine, flush_interval=3600)
    other = AnswerLog(engine, flush_interval=0.3)  # the worker that answered the chat bot
    mine.record(event(0, channel="voice", caller="voice-bot"))
    assert mine.flush() == 1
    other.record(event(10, caller="chat-bot"))
    other.start()
    try:
        with session_scope(engine) as session:
            rating = FeedbackCreate(receipt=RECEIPT, rating=Rating.HELPFUL)
            out = service.record_feedback(session, rating, caller="chat-bot", log=mine)
            assert session.get(Feedback, out.id).channel == "chat"  # type: ignore[union-attr]
    finally:
        other.close()


def test_a_rater_may_name_its_channel_and_staff_get_the_newest_serving(engine: Engine) -> None:
    """A key that serves several channels names the one it rates; a caller never given the
    receipt (staff looking into a complaint) rates its newest serving; a channel the receipt
    was never served on makes it unknown."""
    serve_receipt_twice(engine)
    log = AnswerLog(engine)
    log.record(event(20, channel="voice", caller="chat-bot"))
    assert log.flush() == 1
    with session_scope(engine) as session:
        named = FeedbackCreate(receipt=RECEIPT, rating=Rating.HELPFUL, channel=Channel.CHAT)
        first = service.record_feedback(session, named, caller="chat-bot")
        plain = FeedbackCreate(receipt=RECEIPT, rating=Rating.HELPFUL)
        second = service.record_feedback(session, plain, caller="chat-bot")
        third = service.record_feedback(session, plain, caller="agent-1")
        email = FeedbackCreate(receipt=RECEIPT, rating=Rating.HELPFUL, channel=Channel.EMAIL)
        with pytest.raises(NotFoundError, match=f"'{RECEIPT}' was never served on channel 'email'"):
            service.record_feedback(session, email, caller="chat-bot")
        channels = [session.get(Feedback, f.id).channel for f in (first, second, third)]  # type: ignore[union-attr]
    assert channels == ["chat", "voice", "voice"]


def test_feedback_counts_on_the_raters_newest_serving_still_queued_here(engine: Engine) -> None:
    """A key given the receipt on email (written), then on voice (still queued in this
    process), rates at once: the rating is voice's, not the older serving's in the store."""
    log = AnswerLog(engine, flush_interval=3600)
    log.record(event(0, channel="email", caller="bot"))
    assert log.flush() == 1
    log.record(event(10, channel="voice", caller="bot"))
    with session_scope(engine) as session:
        rating = FeedbackCreate(receipt=RECEIPT, rating=Rating.UNCLEAR)
        service.record_feedback(session, rating, caller="bot", log=log)
    with session_scope(engine) as session:
        (row,) = session.exec(select(Feedback)).all()
    assert row.channel == "voice"


def test_a_day_range_holds_at_most_366_days_counting_both_ends() -> None:
    """A leap year's 366 days are one range; a 367th day is refused, naming 'from'."""
    first = date(2028, 1, 1)
    assert service.day_range("2028-01-01", "2028-12-31", today=first) == (first, date(2028, 12, 31))
    with pytest.raises(InvalidRequestError, match=r"'from'.*at most 366 days"):
        service.day_range("2028-01-01", "2029-01-01", today=first)


def test_a_default_week_does_not_start_before_the_earliest_supported_day() -> None:
    """``to`` on the first supported day: the default week is that day alone, not days the
    parameters themselves may not name (1899-12-26)."""
    assert service.day_range(None, "1900-01-03", today=date(2026, 1, 1)) == (
        date(1900, 1, 1), date(1900, 1, 3),
    )  # fmt: skip


def test_a_conversation_rates_an_answer_once_its_last_word_counting(engine: Engine) -> None:
    """A customer pressing "wrong" again, or changing their mind, is one rating per conversation
    and key; ratings naming no conversation, or another one, or sent by another key, each count."""
    script_day(engine)

    def rate(rating: Rating, conversation: str | None, caller: str = "bot-1") -> bool:
        with session_scope(engine) as session:
            body = FeedbackCreate(receipt=RECEIPT, rating=rating, conversation_id=conversation)
            return service.record_feedback(session, body, caller=caller).replaced

    assert [rate(Rating.WRONG, "chat-7"), rate(Rating.WRONG, "chat-7")] == [False, True]
    assert rate(Rating.HELPFUL, "chat-7") is True
    assert rate(Rating.WRONG, "chat-8") is False
    assert rate(Rating.WRONG, "chat-7", caller="bot-2") is False
    assert [rate(Rating.UNCLEAR, None), rate(Rating.UNCLEAR, None)] == [False, False]
    with Session(engine) as session:
        rows = session.exec(select(Feedback).order_by(Feedback.id)).all()  # type: ignore[arg-type]
    assert [(r.rating, r.caller) for r in rows] == [
        ("helpful", "bot-1"), ("wrong", "bot-1"), ("wrong", "bot-2"),
        ("unclear", "bot-1"), ("unclear", "bot-1"),
    ]  # fmt: skip
    conversations = [r.conversation_id for r in rows]
    assert conversations[0] == conversations[2] != conversations[1]  # one pseudonym per id
    assert conversations[3:] == [None, None]
    assert all(c.startswith("anon-") and "chat" not in c for c in conversations[:3] if c)


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_conversation_id_is_none(engine: Engine, blank: str) -> None:
    """Clients send "" for a conversation they have no id for: it was one conversation for all
    of them, so each customer's rating replaced the last one's."""
    script_day(engine)
    with session_scope(engine) as session:
        body = FeedbackCreate(receipt=RECEIPT, rating=Rating.WRONG, conversation_id=blank)
        assert body.conversation_id is None
        firsts = [service.record_feedback(session, body, caller="bot-1") for _ in range(2)]
    assert [f.replaced for f in firsts] == [False, False]
    with Session(engine) as session:
        assert session.exec(select(Feedback.conversation_id)).all() == [None, None]
    asked = AnswerRequest(q="late fee", channel=Channel.CHAT, conversation_id=blank)
    assert asked.conversation_id is None


def test_a_conversation_rating_counts_on_that_conversation_serving(engine: Engine) -> None:
    """A receipt given to one key in two conversations, on chat and on voice: naming the
    conversation rates the answer where that conversation was given it."""
    log = AnswerLog(engine)
    log.record(event(0, channel="voice", conversation_id="call-1", caller="bot-1"))
    log.record(event(1, channel="chat", conversation_id="chat-1", caller="bot-1"))
    assert log.flush() == 2
    with session_scope(engine) as session:
        body = FeedbackCreate(receipt=RECEIPT, rating=Rating.WRONG, conversation_id="call-1")
        service.record_feedback(session, body, caller="bot-1", log=log)
    with Session(engine) as session:
        assert session.exec(select(Feedback.channel)).all() == ["voice"]


def test_a_rating_racing_its_conversation_earlier_one_replaces_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests of one conversation at once (a double click): the second looked for an
    earlier rating before the first was stored, so its insert clashes; it replaces it instead."""
    script_day(engine)
    body = FeedbackCreate(receipt=RECEIPT, rating=Rating.WRONG, conversation_id="chat-9")
    with session_scope(engine) as session:
        first = service.record_feedback(session, body, caller="bot-1")
    real, calls = service.repository.conversation_feedback, []

    def racing(*args: Any) -> Feedback | None:  # the first look-up ran before it was stored
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(service.repository, "conversation_feedback", racing)
    with session_scope(engine) as session:
        again = body.model_copy(update={"rating": Rating.OUTDATED})
        second = service.record_feedback(session, again, caller="bot-1")
    assert (second.id, second.replaced, second.rating) == (first.id, True, Rating.OUTDATED)
    assert len(calls) == 2  # the clash made it look again
    with Session(engine) as session:
        assert session.exec(select(Feedback.rating)).all() == ["outdated"]
