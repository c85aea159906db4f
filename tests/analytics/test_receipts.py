"""A receipt shows the text each channel received, as kept when it was served: a later release
that renders the same version differently changes nothing in the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from knowledge_service.analytics.log import AnswerLog, LoggedAnswer, text_key
from knowledge_service.analytics.models import RenderedText
from knowledge_service.analytics.receipts import lookup_receipt
from knowledge_service.analytics.service import purge_old
from knowledge_service.content.service import import_content
from knowledge_service.db import session_scope
from tests.factories import write_article_md

RECEIPT = "rcpt_" + "b" * 32
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CURRENT = "Refunds reach your account within 10 business days."
"""How this release renders the article's answer on chat (the factory's answer)."""
OLD = "Refunds reach your account within ten business days."
"""What an earlier release gave chat for the same version (a rendering since changed)."""


def served(minutes: int, channel: str = "chat", text: str | None = CURRENT) -> LoggedAnswer:
    return LoggedAnswer(
        kind="answer", question="how long does a refund take", latency_ms=5.0,
        channel=channel, status="answered", reason="confident", article_id="refund-timeframe",
        version=1, receipt=RECEIPT, text=text, at=T0 + timedelta(minutes=minutes),
    )  # fmt: skip


def serve(engine: Engine, tmp_path: Path, *events: LoggedAnswer) -> None:
    write_article_md(tmp_path / "content")
    assert not import_content(engine, [tmp_path / "content"], max_file_bytes=10**6).invalid
    log = AnswerLog(engine)
    for event in events:
        log.record(event)
    assert log.flush() == len(events)


def kept_texts(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(RenderedText)).scalar_one())


def test_a_receipt_shows_the_text_served_not_the_running_release_s(
    engine: Engine, tmp_path: Path
) -> None:
    serve(engine, tmp_path, served(0, text=OLD), served(5, text=OLD), served(10))
    with session_scope(engine) as session:
        record = lookup_receipt(session, RECEIPT, limit=10, offset=0)
    texts = [(r.channel, r.text, r.recorded, r.servings) for r in record.renderings]
    assert texts == [("chat", OLD, True, 2), ("chat", CURRENT, True, 1)]
    old, new = record.renderings
    assert (old.first_served, old.last_served) == (T0, T0 + timedelta(minutes=5))
    assert old.text_hash == text_key(OLD) and new.text_hash == text_key(CURRENT)
    # each serving names the text it gave, newest first
    assert [s.text_hash for s in record.servings] == [text_key(t) for t in (CURRENT, OLD, OLD)]
    assert kept_texts(engine) == 2  # a text served twice is kept once


def test_servings_logged_before_texts_were_kept_render_the_version_again(
    engine: Engine, tmp_path: Path
) -> None:
    serve(engine, tmp_path, served(0, text=None), served(1, channel="voice", text=None))
    with session_scope(engine) as session:
        record = lookup_receipt(session, RECEIPT, limit=10, offset=0)
    rendered = {r.channel: (r.text, r.recorded, r.text_hash) for r in record.renderings}
    assert rendered == {"chat": (CURRENT, False, None), "voice": (CURRENT, False, None)}
    assert kept_texts(engine) == 0


def test_the_retention_purge_keeps_the_texts_of_the_servings_it_deletes(
    engine: Engine, tmp_path: Path
) -> None:
    """A kept text is article text, no customer's words, shared by every serving that gave it:
    the purge of old servings leaves it for the servings still to come."""
    serve(engine, tmp_path, served(0, text=OLD))
    with session_scope(engine) as session:
        assert purge_old(session, now=T0 + timedelta(days=400), retention_days=30) == (1, 0)
    assert kept_texts(engine) == 1
