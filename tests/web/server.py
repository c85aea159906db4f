"""A real server for the browser tests: the sample knowledge base, checked, indexed and served
by ``knowledge-service serve`` in a subprocess, with keys for every role and a week of answers
and feedback in the analytics log (the frozen week up to ``KS_TODAY``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.analytics import service as analytics
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer
from knowledge_service.analytics.models import Feedback
from knowledge_service.analytics.schemas import FeedbackCreate, Rating
from knowledge_service.content import service as content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.freshness.service import check_store
from knowledge_service.index.embedder import Embedder
from knowledge_service.index.service import SearchService
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from tests.conftest import REPO_ROOT, TODAY
from tests.server import Server as ServerProcess

OWNER = "payments-team@brightwater.example"
HANDOFF_RECEIPT = "rcpt_" + hashlib.sha256(b"bot hand-off").hexdigest()[:32]
GAP_QUESTIONS = [
    "can I pay my bill with bitcoin",
    "do you accept bitcoin payments",
    "pay with crypto currency bitcoin",
]
# (intent, article, channel, status, reason, per day, question): a plausible week of traffic.
TRAFFIC = [
    ("billing.due-date", "pay-by-date", "chat", "answered", None, 6, "when is my bill due"),
    ("payments.bpay", "bpay", "web", "answered", None, 4, "what is the BPAY biller code"),
    ("fees.late.payment", "late-payment-fee", "chat", "escalate", "blocked_by_finding", 3,
     "how much is the late fee"),
    ("fees.late.payment", "late-payment-fee", "agent", "answered", None, 2,
     "customer asks about the late payment fee"),
    ("outages.report", "report-an-outage", "voice", "escalate", "blocked_by_finding", 2,
     "my power is out"),
    ("refunds.timeframe", "refund-timeframe", "voice", "escalate", "low_confidence",
     1, "where is my refund"),
    ("payments.extension", "payment-extension", "email", "answered", None, 2,
     "can I get more time to pay"),
]  # fmt: skip


@dataclass
class Served:
    base: str
    keys: dict[str, str]
    database_url: str
    server: ServerProcess


def _receipt(*parts: object) -> str:
    return "rcpt_" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


REMINDER_LINE = (
    "- Turn on bill reminders in the Brightwater app: we send a reminder by e-mail or text "
    "message three days before the pay-by date and another on the day itself, so that there "
    "is time to pay or to ask for a payment extension before any late payment fee applies."
)
"""A line far wider than a phone or the review page's column: the diff must wrap it."""


def _edit_late_fee(engine: Engine) -> None:
    """A second version of late-payment-fee (the fee still wrong), so the review page has a
    diff to show, with a long line in it."""
    path = REPO_ROOT / "content" / "payments" / "late-payment-fee.md"
    text = path.read_text(encoding="utf-8").replace(
        "- If you can't pay on time,",
        f"{REMINDER_LINE}\n- If you can't pay on time,",
    )
    with session_scope(engine) as session:
        content.save_article_text(session, text, author=OWNER, source="web-tests")


def _week_of_events() -> list[LoggedAnswer]:
    events = []
    for offset in range(7):
        day = datetime.combine(TODAY - timedelta(days=6 - offset), day_time(9), UTC)
        for n, (intent, article, channel, status, reason, count, asked) in enumerate(TRAFFIC):
            for i in range(count + (offset % 3 if status == "answered" else 0)):
                answered = status == "answered"
                events.append(LoggedAnswer(
                    kind="answer", question=asked, latency_ms=12.0,
                    channel=channel, intent=intent, article_id=article if answered else None,
                    version=1 if answered else None, status=status, reason=reason,
                    confidence=0.9 if answered else 0.7, stale=article == "late-payment-fee",
                    receipt=_receipt(article, offset, n, i) if answered else None,
                    at=day + timedelta(minutes=7 * n + i),
                ))  # fmt: skip
        for i, question in enumerate(GAP_QUESTIONS):
            events.append(LoggedAnswer(
                kind="answer", question=question, latency_ms=10.0, channel="chat",
                status="no_answer", reason="no_article",
                confidence=0.2, at=day + timedelta(hours=3, minutes=i),
            ))  # fmt: skip
    events.append(LoggedAnswer(
        kind="answer", question="how much is the late payment charge? my card is 4111 1111 "
        "1111 1111", latency_ms=15.0, channel="chat", intent="fees.late.payment",
        article_id="late-payment-fee", version=2, status="escalate", reason="blocked_by_finding",
        confidence=0.93, receipt=HANDOFF_RECEIPT, caller="web-bot",
        at=datetime.combine(TODAY, day_time(10, 30), UTC),
    ))  # fmt: skip
    return events


def _seed_feedback(engine: Engine, events: list[LoggedAnswer]) -> None:
    """A few ratings of the week's answers, dated on the day of the answer."""
    rated = [e for e in events if e.receipt and e.status == "answered"][::9]
    ratings = [Rating.HELPFUL, Rating.WRONG, Rating.HELPFUL, Rating.OUTDATED, Rating.UNCLEAR]
    with session_scope(engine) as session:
        for i, event in enumerate(rated):
            assert event.receipt is not None
            data = FeedbackCreate(
                receipt=event.receipt, rating=ratings[i % len(ratings)],
                used_article_id="payment-extension" if i % 4 == 1 else None,
            )  # fmt: skip
            saved = analytics.record_feedback(session, data, caller="web-agent")
            session.execute(
                update(Feedback).where(Feedback.id == saved.id).values(at=event.at)  # type: ignore[arg-type]
            )


def seed_analytics(engine: Engine) -> None:
    log = AnswerLog(engine)
    events = _week_of_events()
    for event in events:
        assert log.record(event)
    log.flush()
    _seed_feedback(engine, events)


def prepare_store(root: Path, embedder: Embedder) -> tuple[Settings, dict[str, str]]:
    settings = Settings(
        database_url=f"sqlite:///{root / 'store.db'}",
        data_dir=root / "data",
        content_dir=REPO_ROOT / "content",
        policies_dir=REPO_ROOT / "policies",
    )
    engine = make_engine(settings.database_url)
    try:
        create_all_tables(engine)
        content.import_content(
            engine, [settings.content_dir, settings.policies_dir], max_file_bytes=1 << 20
        )
        _edit_late_fee(engine)
        check_store(engine, today=TODAY, settings=settings)
        SearchService(settings, engine, embedder).rebuild()
        seed_analytics(engine)
        with session_scope(engine) as session:
            keys = {
                role: access.create_key(
                    session, name=f"web-{role}", role=role,
                    owner=OWNER if role == Role.OWNER else None,
                ).secret
                for role in Role
            }  # fmt: skip
            keys["owner2"] = access.create_key(  # a second payments owner: races, four eyes
                session, name="web-owner-2", role=Role.OWNER, owner=OWNER
            ).secret
    finally:
        engine.dispose()
    return settings, keys
