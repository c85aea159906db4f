"""The answer log: redacted rows in a real SQLite file, bounded queue, flush on close."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from knowledge_service.analytics import log as log_module
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer, conversation_key
from knowledge_service.analytics.models import AnswerEvent
from knowledge_service.db import make_engine
from knowledge_service.models_registry import create_all_tables
from tests.postgres import cluster, stopped


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
    assert (row.conversation_id or "").startswith("anon-")  # no key: the log's own
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
    other_key = AnswerLog(engine, pseudonym_key=b"j" * 32)
    other_key.record(answered(conversation_id="call-0412 345 678"))
    other_key.flush()
    assert rows(engine)[-1].conversation_id not in stored  # keyed: not a plain hash of the id


def test_conversation_ids_with_white_space_become_pseudonyms_too(engine: Engine) -> None:
    """ "whatsapp:Sarah Connor" names a person that no redaction rule finds."""
    log = AnswerLog(engine, pseudonym_key=b"k" * 32)
    ids = ("whatsapp:Sarah Connor", "sarah connor", "whatsapp:Sarah Connor", "sess_9f2c-17")
    for conversation in ids:
        log.record(answered(conversation_id=conversation))
    log.flush()
    stored = [row.conversation_id or "" for row in rows(engine)]
    assert stored[0] == stored[2] != stored[1]
    assert all(s.startswith("anon-") for s in stored[:3])
    assert not any("arah" in s or "onnor" in s for s in stored)


@pytest.mark.parametrize(
    "conversation", ["sarah.connor", "+61412345678", "jane_doe_1985", "c-17", "sess_9f2c-17"]
)
def test_every_conversation_id_is_stored_as_a_keyed_pseudonym(
    engine: Engine, conversation: str
) -> None:
    """An id is the caller's text: "sarah.connor" or "jane_doe_1985" name a person in a form
    no rule tells from a machine id, so none is stored as sent; the same id still groups."""
    log = AnswerLog(engine, pseudonym_key=b"k" * 32)
    for _ in range(2):
        log.record(answered(conversation_id=conversation))
    log.flush()
    first, second = (row.conversation_id or "" for row in rows(engine))
    assert first == second == conversation_key(conversation, b"k" * 32)
    assert first.startswith("anon-") and len(first) == 29
    assert not any(part in first for part in ("sarah", "connor", "412345", "jane", "c-17"))


def test_a_log_without_the_data_folders_key_pseudonymises_under_its_own(engine: Engine) -> None:
    log = AnswerLog(engine)
    for conversation in ("sarah.connor", "sarah.connor", "jane_doe_1985"):
        log.record(answered(conversation_id=conversation))
    log.flush()
    stored = [row.conversation_id or "" for row in rows(engine)]
    assert stored[0] == stored[1] != stored[2]
    assert all(s.startswith("anon-") for s in stored)
    assert stored[0] != conversation_key("sarah.connor", b"k" * 32)


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

        async def read() -> list[dict[str, Any] | None]:
            return [await sub.next(timeout=timeout) for timeout in (1, 1, 0.01)]

        first, second, none = asyncio.run(read())
        assert none is None
    assert first is not None and second is not None
    assert [first["question"], second["question"]] == ["q1 [EMAIL]", "q2 [EMAIL]"]
    assert sub.dropped == 1 and hub.subscribers == 0


class FlakyStore:
    """The engine as the log sees it while the store is down: every transaction fails to
    begin, as a refused connection does, until :meth:`recover`. ``fail_after_commit`` makes
    the next transaction commit and then fail, as a connection lost before the commit's
    acknowledgement does."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_down = True
        self.fail_after_commit = False
        self.attempts = 0

    @staticmethod
    def lost_connection() -> OperationalError:
        return OperationalError("INSERT", {}, psycopg.OperationalError("connection refused"))

    def recover(self) -> None:
        self.is_down = False

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        self.attempts += 1
        if self.is_down:
            raise self.lost_connection()
        with self.engine.begin() as conn:
            yield conn
        if self.fail_after_commit:
            self.fail_after_commit = False
            raise self.lost_connection()


def flaky_log(engine: Engine, **kw: Any) -> tuple[AnswerLog, FlakyStore]:
    store = FlakyStore(engine)
    return AnswerLog(store, **kw), store  # type: ignore[arg-type]


def test_events_whose_write_failed_are_written_once_the_store_is_back(engine: Engine) -> None:
    log, store = flaky_log(engine, batch_size=2)
    for i in range(3):
        log.record(answered(f"question {i}"))
    assert log.flush() == 0 and log.flush() == 0  # down: the first batch is held, not lost
    assert (log.depth, log.stats.failed_batches) == (3, 2)
    store.recover()
    log.record(answered("question 3"))
    assert log.flush() == 4
    assert [r.question for r in rows(engine)] == [f"question {i}" for i in range(4)]
    assert (log.stats.written, log.depth) == (4, 0)


def test_a_write_that_failed_after_its_commit_is_not_written_twice(engine: Engine) -> None:
    log, store = flaky_log(engine)
    store.recover()
    store.fail_after_commit = True
    log.record(answered("question 0"))
    log.record(answered("question 1"))
    assert log.flush() == 0 and log.depth == 2  # committed, but the log cannot know it
    assert log.flush() == 2
    assert [r.question for r in rows(engine)] == ["question 0", "question 1"]


def test_held_events_count_against_the_queue_bound_and_drops_are_logged(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    log, store = flaky_log(engine, queue_size=4, batch_size=3)
    for i in range(3):
        log.record(answered(f"question {i}"))
    assert log.flush() == 0  # three held
    accepted = [log.record(answered(f"later {i}")) for i in range(3)]
    assert accepted == [True, False, False] and log.depth == 4
    store.recover()
    log.close()
    assert len(rows(engine)) == 4 and log.stats.dropped_full == 2
    assert "queue was full: 2 answer events dropped" in caplog.text


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition``; fail (rather than hang) if it is still false after a minute."""
    for _ in range(6000):
        if condition():
            return
        threading.Event().wait(0.01)
    raise AssertionError("the condition never held")


def test_the_writer_thread_retries_until_the_store_is_back(engine: Engine) -> None:
    log, store = flaky_log(engine, flush_interval=0.01)
    log.record(answered())
    log.start()
    try:
        wait_until(lambda: store.attempts >= 3)  # the writer tries again on its own
        store.recover()
        wait_until(lambda: log.stats.written == 1)
        assert len(rows(engine)) == 1
    finally:
        log.close()


def test_a_batch_the_store_refuses_is_dropped_and_counted_not_retried(engine: Engine) -> None:
    class Refusing(FlakyStore):
        @staticmethod
        def lost_connection() -> OperationalError:
            return IntegrityError("INSERT", {}, Exception("value too long"))  # type: ignore[return-value]

    store = Refusing(engine)
    log = AnswerLog(store, batch_size=1)  # type: ignore[arg-type]
    log.record(answered("refused"))
    assert log.flush() == 0 and log.depth == 0
    assert log.stats.dropped_write == 1
    store.recover()
    log.record(answered("accepted"))
    assert log.flush() == 1 and [r.question for r in rows(engine)] == ["accepted"]


def test_events_logged_while_postgresql_is_stopped_are_written_when_it_is_back() -> None:
    """A real outage: a cluster of the test's own is stopped (connections ended, new ones
    refused) and started again; the log's pool replaces its dead connections."""
    if os.environ.get("KS_TEST_POSTGRES_URL"):
        pytest.skip("stops its PostgreSQL server: needs a cluster started by the tests")
    with cluster() as server:
        engine = make_engine(server)
        create_all_tables(engine)
        log = AnswerLog(engine)
        try:
            log.record(answered("before"))
            assert log.flush() == 1
            with stopped(server):
                log.record(answered("during"))
                assert log.flush() == 0 and log.depth == 1
            log.record(answered("after"))
            assert log.flush() == 2
            assert [r.question for r in rows(engine)] == ["before", "during", "after"]
        finally:
            engine.dispose()
