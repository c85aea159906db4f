"""The answer log: redacted rows in a real SQLite file, bounded queue, flush on close."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from knowledge_service.analytics import log as log_module
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer
from knowledge_service.analytics.models import AnswerEvent


def answered(question: str = "how long does a refund take", **kw: object) -> LoggedAnswer:
    fields: dict[str, object] = {
        "kind": "answer",
        "question": question,
        "latency_ms": 12.5,
        "channel": "chat",
        "status": "answered",
        "article_id": "refund-timeframe",
        "version": 1,
        "receipt": "rcpt_x",
    }
    fields.update(kw)
    return LoggedAnswer(**fields)  # type: ignore[arg-type]


def rows(engine: Engine) -> list[AnswerEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AnswerEvent).order_by(AnswerEvent.id)))  # type: ignore[arg-type]


def test_questions_are_stored_redacted(engine: Engine) -> None:
    log = AnswerLog(engine)
    log.record(
        answered(
            "refund to card 4111 1111 1111 1111, mail jo@example.com",
            conversation_id="call from 0412 345 678",
        )
    )
    assert log.flush() == 1
    (row,) = rows(engine)
    assert row.question == "refund to card [CARD], mail [EMAIL]"
    assert row.conversation_id == "call from [PHONE]"  # no key: the redacted id
    assert (row.article_id, row.version, row.status, row.channel) == (
        "refund-timeframe",
        1,
        "answered",
        "chat",
    )
    assert row.at.tzinfo is not None


def test_a_control_character_in_a_question_loses_no_event(engine: Engine) -> None:
    """PostgreSQL cannot store a NUL: one in a question made the whole batch fail and be lost.
    Control characters (but tab and line breaks) are dropped with the personal data."""
    log = AnswerLog(engine)
    log.record(answered("late\x00 fee\x07?", conversation_id="call\x00-7"))
    log.record(answered("how long does a refund take"))
    assert log.flush() == 2
    first, second = rows(engine)
    assert first.question == "late fee?" and "\x00" not in (first.conversation_id or "")
    assert second.question == "how long does a refund take"


def test_conversation_ids_with_personal_data_become_distinct_keyed_pseudonyms(
    engine: Engine,
) -> None:
    """Redacting alone would merge these ids (both ``call-[PHONE]``); repeats count per id."""
    log = AnswerLog(engine, pseudonym_key=b"k" * 32)
    for conversation in ("call-0412 345 678", "call-0499 888 777", "call-0412 345 678", "c-17"):
        log.record(answered(conversation_id=conversation))
    log.flush()
    stored = [row.conversation_id or "" for row in rows(engine)]
    assert stored[0] == stored[2] != stored[1]
    assert all(s.startswith("anon-") and "0412" not in s for s in stored[:3])
    assert stored[3] == "c-17"  # an id with no personal data is kept as it was sent
    other_key = AnswerLog(engine, pseudonym_key=b"j" * 32)
    other_key.record(answered(conversation_id="call-0412 345 678"))
    other_key.flush()
    assert rows(engine)[-1].conversation_id not in stored  # keyed: not a plain hash of the id


def test_a_full_queue_drops_and_counts_without_blocking(engine: Engine) -> None:
    log = AnswerLog(engine, queue_size=2)
    accepted = [log.record(answered()) for _ in range(5)]
    assert accepted == [True, True, False, False, False]
    assert log.stats.dropped_full == 3
    assert log.flush() == 2 and len(rows(engine)) == 2


def test_close_flushes_everything_queued(engine: Engine) -> None:
    log = AnswerLog(engine, batch_size=7, flush_interval=3600)
    log.start()
    for i in range(100):
        log.record(answered(f"question {i}"))
    log.close()
    assert [r.question for r in rows(engine)] == [f"question {i}" for i in range(100)]
    assert log.stats.written == 100 and log.depth == 0


def test_the_writer_thread_drains_the_queue(engine: Engine) -> None:
    log = AnswerLog(engine, flush_interval=0.01)
    log.start()
    log.record(answered())
    try:
        for _ in range(500):
            if log.stats.written:
                break
            log._stop.wait(0.01)
        assert len(rows(engine)) == 1
    finally:
        log.close()


def test_a_failed_redaction_drops_the_event_never_writes_it_raw(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(log_module, "redact", broken)
    log = AnswerLog(engine)
    log.record(answered("card 4111 1111 1111 1111"))
    assert log.flush() == 0
    assert rows(engine) == []
    assert log.stats.dropped_redaction == 1


def test_subscribers_receive_written_events_redacted(engine: Engine) -> None:
    from knowledge_service.analytics.stream import EventHub

    hub = EventHub(queue_size=2)
    log = AnswerLog(engine, hub=hub)
    with hub.subscribe() as sub:
        for i in range(3):
            log.record(answered(f"q{i} jo@example.com"))
        log.flush()
        first, second = sub.get(timeout=1), sub.get(timeout=1)
        assert sub.get(timeout=0.01) is None
    assert first is not None and second is not None
    assert [first["question"], second["question"]] == ["q1 [EMAIL]", "q2 [EMAIL]"]
    assert sub.dropped == 1 and hub.subscribers == 0
