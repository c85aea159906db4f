"""The retention purge run by two processes at once (two ``purge-logs``, two replicas'
schedules): the daily counts it keeps are what one purge keeps. A purge that meets a busy
store is run again rather than failing until the next day. It works in pieces, each committed
on its own: other writers get in between, and a purge stopped between pieces or killed inside
one leaves the measures whole for the next to finish."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from knowledge_service import db
from knowledge_service.analytics import retention, service
from knowledge_service.analytics.log import conversation_key
from knowledge_service.analytics.models import AnswerEvent, DailyCount, Feedback
from knowledge_service.analytics.retention import RetentionScheduler
from knowledge_service.db import make_engine, session_scope
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from tests import crash
from tests.server import wait_for

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=200)
LABELS = ("helpful", "wrong", "unclear")
PER_LABEL = 20


def add_old_rows(engine: Engine, source: str) -> None:
    """``PER_LABEL`` feedback (or answer events) per label, 200 days old: three daily counts."""
    with session_scope(engine) as session:
        for label in LABELS:
            for i in range(PER_LABEL):
                at = OLD + timedelta(seconds=i)
                if source == "feedback":
                    session.add(Feedback(at=at, receipt="rcpt_x", rating=label, channel="chat"))
                else:
                    session.add(AnswerEvent(
                        at=at, kind="answer", channel="chat", question="q", intent="billing",
                        status=label, reason="confident", latency_ms=1.0,
                    ))  # fmt: skip


def kept_counts(engine: Engine) -> dict[str | None, list[int]]:
    with Session(engine) as session:
        rows = session.exec(select(DailyCount)).all()
    counts: dict[str | None, list[int]] = {}
    for row in rows:
        counts.setdefault(row.label, []).append(row.count)
    return counts


@pytest.mark.parametrize("source", ["feedback", "answer"])
def test_two_purges_at_once_keep_what_one_purge_keeps(
    engine: Engine, settings: Settings, source: str
) -> None:
    """The second purge (another replica: an engine of its own) starts while the first has
    rolled up and deleted but not committed, and reads the rows the first is deleting. It
    used to roll them up again: feedback counted twice (its key's NULL intent makes every row
    distinct to the unique constraint), answer events a duplicate key error. The first commits
    only once the second has read and reached its first write or lock, so the interleaving
    is the same on every run."""
    add_old_rows(engine, source)
    other = make_engine(settings.database_url)
    reached = threading.Event()

    @event.listens_for(other, "before_cursor_execute")
    def note_write_or_lock(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith("SELECT") or "lock" in statement.lower():
            reached.set()

    errors: list[BaseException] = []
    purged: list[tuple[int, int]] = []

    def second_purge() -> None:
        try:
            with session_scope(other) as session:
                purged.append(service.purge_old(session, now=NOW, retention_days=90))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    first = Session(engine)
    try:
        first_purged = service.purge_old(first, now=NOW, retention_days=90)
        thread = threading.Thread(target=second_purge)
        thread.start()
        assert reached.wait(timeout=60), "the second purge never reached a write"
        first.commit()
    finally:
        first.close()
    thread.join(timeout=60)
    other.dispose()
    assert errors == []
    deleted = len(LABELS) * PER_LABEL
    expected = (0, deleted) if source == "feedback" else (deleted, 0)
    assert (first_purged, purged) == (expected, [(0, 0)])
    assert kept_counts(engine) == {label: [PER_LABEL] for label in LABELS}


def test_a_purge_waits_out_a_store_busy_for_longer_than_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection (an import, another process's purge) holds SQLite's write lock for
    longer than the busy timeout (shortened here to 0.1 s from 10 s). The purge used to fail
    with "database is locked" after one busy timeout, and the server's schedule then waited a
    whole interval (a day) to try again; it is now run again, from the start, and succeeds once
    the lock is released."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    create_all_tables(engine)
    add_old_rows(engine, "feedback")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, released 0.3 s later
    release = threading.Timer(0.3, holder.rollback)
    release.start()
    try:
        purged = RetentionScheduler(engine, retention_days=90, interval=3600).purge()
    finally:
        release.join()
        holder.close()
    assert purged == (0, len(LABELS) * PER_LABEL)
    assert kept_counts(engine) == {label: [PER_LABEL] for label in LABELS}
    engine.dispose()


def test_a_failed_scheduled_purge_is_tried_again_soon_not_an_interval_later(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(retention, "RETRY_SECONDS", 0.05)
    calls: list[int] = []

    def purge_expired(_engine: object, *, retention_days: int, **_: object) -> tuple[int, int]:
        calls.append(retention_days)
        if len(calls) == 1:
            raise OperationalError("DELETE", {}, sqlite3.OperationalError("database is locked"))
        return (0, 0)

    monkeypatch.setattr(retention, "purge_expired", purge_expired)
    scheduler = RetentionScheduler(cast(Engine, None), retention_days=90, interval=3600)
    scheduler.start()
    try:
        wait_for(lambda: len(calls) >= 2, timeout=30)  # not an hour later
    finally:
        scheduler.stop()
    failed = [r for r in caplog.records if r.name == retention.logger.name]
    assert [r.levelname for r in failed] == ["WARNING"] and failed[0].exc_info is None
    assert "OperationalError" in failed[0].getMessage()


def _conversations(engine: Engine) -> list[str | None]:
    with session_scope(engine) as session:
        rows = session.exec(select(AnswerEvent).order_by(col(AnswerEvent.id))).all()
        return [row.conversation_id for row in rows]


def test_the_retention_pass_stores_ids_an_earlier_release_kept_as_sent_as_pseudonyms(
    engine: Engine,
) -> None:
    """Rows written before conversation ids were pseudonymised hold them as sent: the
    scheduled pass rewrites each to the pseudonym the answer log gives it now, so a
    conversation still groups together, and leaves pseudonyms and empty ids alone."""
    key = b"k" * 32
    now = datetime.now(UTC)
    ids = ["sarah.connor", "+61412345678", "sarah.connor", None, conversation_key("x", key)]
    with session_scope(engine) as session:
        for conversation in ids:
            session.add(AnswerEvent(kind="answer", question="q", latency_ms=1.0, channel="chat",
                                    at=now, conversation_id=conversation))  # fmt: skip
    scheduler = RetentionScheduler(engine, retention_days=90, interval=3600, pseudonym_key=key)
    assert scheduler.purge() == (0, 0)
    stored = _conversations(engine)
    assert stored == [conversation_key("sarah.connor", key), conversation_key("+61412345678", key),
                      conversation_key("sarah.connor", key), None, ids[4]]  # fmt: skip
    assert service.pseudonymise_stored_ids(engine, key) == 0  # nothing left to rewrite
    assert _conversations(engine) == stored


class Stopped(Exception):
    """A purge stopped between two pieces (a kill, a failure)."""


def add_conversations(engine: Engine, start: datetime, count: int = 60) -> tuple[date, date]:
    """``count`` answers and searches 47 minutes apart from ``start`` (over midnights), in four
    conversations asking again within a day and one whose questions are 30 hours apart, and a
    rating of every fifth; the first and last day they fall on."""
    with session_scope(engine) as session:
        for i in range(count):
            at = start + timedelta(minutes=47 * i)
            session.add(AnswerEvent(
                at=at, kind="search" if i % 9 == 4 else "answer", channel=("chat", "voice")[i % 2],
                question="q", intent=f"intent-{i % 3}", status=LABELS[i % 3], latency_ms=1.0,
                conversation_id=f"conv-{i % 4}", stale=i % 7 == 0,
            ))  # fmt: skip
            if i % 5 == 0:
                session.add(Feedback(at=at + timedelta(minutes=1), receipt=f"r{i}",
                                     rating=LABELS[i % 3], channel="chat"))  # fmt: skip
        for hours in (0, 30, 60):
            at = start + timedelta(hours=hours, minutes=1)
            session.add(AnswerEvent(at=at, kind="answer", question="q", latency_ms=1.0,
                                    conversation_id="far"))  # fmt: skip
    return start.date(), (start + timedelta(minutes=47 * count)).date()


def measures(engine: Engine, days: tuple[date, date]) -> Any:
    with Session(engine) as session:
        summary = service.summarize(session, *days)
    return summary.totals, summary.days, summary.demand


def old_rows(engine: Engine, before: datetime) -> int:
    with Session(engine) as session:
        return sum(
            len(session.exec(select(model).where(col(model.at) < before)).all())
            for model in (AnswerEvent, Feedback)
        )


def test_a_purge_commits_piece_by_piece_so_other_writers_get_in_between(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Purging a large backlog in one transaction held SQLite's write lock for as long as it
    took (19 s for 300,000 events), and the answer log's writes waited past their busy timeout
    and failed. Each piece is now committed on its own: after each commit, another connection
    that waits for no lock at all (busy timeout 0) writes, and reads the measures unchanged
    (every deleted row's counts kept in the same commit, repeat questions across pieces
    included)."""
    monkeypatch.setattr(service, "PURGE_PIECE_ROWS", 10, raising=False)
    monkeypatch.setattr(service, "PURGE_PAUSE_SECONDS", 0.0, raising=False)
    start = datetime.now(UTC).replace(hour=20, minute=0, second=0, microsecond=0)
    days = add_conversations(engine, start - timedelta(days=200))
    before = measures(engine, days)
    expired = start - timedelta(days=90)
    total = old_rows(engine, expired)
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 0)
    other = make_engine(settings.database_url)
    left: list[int] = []

    def after_a_piece(session: Session) -> None:
        if session.bind is not engine:
            return
        with session_scope(other) as writer:  # fails at once if the purge held the lock
            writer.add(AnswerEvent(kind="answer", question="q", latency_ms=1.0))
        assert measures(other, days) == before
        left.append(old_rows(other, expired))

    event.listen(Session, "after_commit", after_a_piece)
    try:
        purged = service.purge_expired(engine, retention_days=90)
    finally:
        event.remove(Session, "after_commit", after_a_piece)
        other.dispose()
    assert sum(purged) == total and 0 in left
    pieces = left[: left.index(0) + 1]  # then the look that finds nothing left commits too
    assert len(pieces) > 5 and pieces == sorted(set(pieces), reverse=True)
    assert measures(engine, days) == before


def test_a_purge_stopped_between_pieces_leaves_the_measures_whole_and_the_next_finishes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A purge killed mid-way has committed some pieces, each rolled up and deleted at once:
    the measures are those before the purge, and the next purge deletes the rest and counts
    each row once, as one purge would have."""
    monkeypatch.setattr(service, "PURGE_PIECE_ROWS", 7)
    monkeypatch.setattr(service, "PURGE_PAUSE_SECONDS", 0.0)
    start = datetime.now(UTC).replace(hour=22, minute=30, second=0, microsecond=0)
    days = add_conversations(engine, start - timedelta(days=200))
    before = measures(engine, days)
    total = old_rows(engine, start - timedelta(days=90))
    done: list[int] = []

    def stop_after_three(purged: int, of: int) -> None:
        assert of == total
        done.append(purged)
        if len(done) == 3:
            raise Stopped

    with pytest.raises(Stopped):
        service.purge_expired(engine, retention_days=90, progress=stop_after_three)
    assert 0 < done[0] < done[1] < done[2] < total
    assert 0 < old_rows(engine, start - timedelta(days=90)) == total - done[-1]
    assert measures(engine, days) == before
    events, feedback = service.purge_expired(engine, retention_days=90)
    assert events + feedback == total - done[-1]
    assert old_rows(engine, start - timedelta(days=90)) == 0
    assert measures(engine, days) == before
    assert service.purge_expired(engine, retention_days=90) == (0, 0)


def test_a_stopping_server_ends_its_purge_after_the_piece_under_way(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server told to stop in the middle of a long purge does not purge to the end: the
    scheduler's thread ends after the piece under way (its stop waits at most 10 s for it),
    and the next purge deletes the rest."""
    monkeypatch.setattr(service, "PURGE_PIECE_ROWS", 7)
    # a purge as long as a big one, on either store
    monkeypatch.setattr(service, "pause_between_pieces", lambda _engine: 60.0)
    start = datetime.now(UTC).replace(hour=22, minute=30, second=0, microsecond=0)
    days = add_conversations(engine, start - timedelta(days=200))
    before = measures(engine, days)
    cutoff = start - timedelta(days=90)
    total = old_rows(engine, cutoff)
    scheduler = RetentionScheduler(engine, retention_days=90, interval=3600)
    scheduler.start()
    wait_for(lambda: old_rows(engine, cutoff) < total, timeout=60)  # the first piece is in
    scheduler.stop()
    assert not scheduler.running  # without the stop between pieces: asleep in the pause
    left = old_rows(engine, cutoff)
    assert 0 < left < total and measures(engine, days) == before
    monkeypatch.setattr(service, "pause_between_pieces", lambda _engine: 0.0)
    events, feedback = service.purge_expired(engine, retention_days=90)
    assert events + feedback == left and old_rows(engine, cutoff) == 0
    assert measures(engine, days) == before


_KILLED_PURGE = """
import os, signal, sys
from knowledge_service.analytics import repository, service
from knowledge_service.db import make_engine

service.PURGE_PIECE_ROWS, service.PURGE_PAUSE_SECONDS = 7, 0.0
real, pieces = repository.purge_before, []
def purge_before(session, end):
    pieces.append(real(session, end))
    if len(pieces) == 3:  # the third piece rolled up and deleted, not yet committed
        os.kill(os.getpid(), signal.SIGKILL)
    return pieces[-1]
repository.purge_before = purge_before
service.purge_expired(make_engine(sys.argv[1]), retention_days=90)
"""


def test_a_purge_killed_inside_a_piece_keeps_the_pieces_before_and_the_next_finishes(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """kill -9 while a piece has rolled up and deleted its rows but not committed: the two
    pieces before it stay purged and counted, the third is neither, and the next purge deletes
    the rest, counting each row once."""
    start = datetime.now(UTC).replace(hour=23, minute=0, second=0, microsecond=0)
    days = add_conversations(engine, start - timedelta(days=200))
    before = measures(engine, days)
    expired = start - timedelta(days=90)
    total = old_rows(engine, expired)
    assert crash.run_child(_KILLED_PURGE, database_url, cwd=tmp_path) != 0  # killed mid-way
    left = old_rows(engine, expired)
    assert 0 < left <= total - 2 * 7 and measures(engine, days) == before
    assert sum(service.purge_expired(engine, retention_days=90)) == left
    assert old_rows(engine, expired) == 0 and measures(engine, days) == before


def test_two_purges_in_pieces_at_once_count_each_row_once(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two replicas purge the same backlog at once, piece by piece: each piece is chosen under
    the purge lock, so the two take turns and neither counts a row the other has deleted."""
    monkeypatch.setattr(service, "PURGE_PIECE_ROWS", 5)
    monkeypatch.setattr(service, "PURGE_PAUSE_SECONDS", 0.001)
    start = datetime.now(UTC).replace(hour=21, minute=0, second=0, microsecond=0)
    days = add_conversations(engine, start - timedelta(days=200), count=120)
    before = measures(engine, days)
    total = old_rows(engine, start - timedelta(days=90))
    other = make_engine(settings.database_url)
    ready = threading.Barrier(2)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def purge(store: Engine) -> None:
        try:
            ready.wait(timeout=30)
            results.append(service.purge_expired(store, retention_days=90))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=purge, args=(e,)) for e in (engine, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    other.dispose()
    assert errors == [] and len(results) == 2
    assert sum(e + f for e, f in results) == total
    assert old_rows(engine, start - timedelta(days=90)) == 0
    assert measures(engine, days) == before


def filtered_measures(engine: Engine, days: tuple[date, date]) -> dict[Any, Any]:
    """The totals and days of every channel and intent filter of ``add_conversations``."""
    filters = [(c, i) for c in (None, "chat", "voice") for i in (None, *INTENTS)]
    with Session(engine) as session:
        return {
            (c, i): (s.totals, s.days)
            for c, i in filters
            for s in [service.summarize(session, *days, channel=c, intent=i)]
        }


INTENTS = ("intent-0", "intent-1", "intent-2")


@pytest.mark.parametrize("piece_rows", [7, 5_000])
def test_repeat_questions_filtered_by_channel_or_intent_survive_the_purge(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, piece_rows: int
) -> None:
    """A purged day's repeat questions were kept with no channel or intent: a leader who
    filtered the measures by channel or intent saw none on that day (the unfiltered measures
    kept them). They are now kept for each channel and intent too, counted as the filtered
    measures count them (a repeat is a question asked again within a day in the same
    conversation on that channel, or of that intent), in one piece or many."""
    monkeypatch.setattr(service, "PURGE_PIECE_ROWS", piece_rows)
    monkeypatch.setattr(service, "PURGE_PAUSE_SECONDS", 0.0)
    start = datetime.now(UTC).replace(hour=21, minute=0, second=0, microsecond=0)
    days = add_conversations(engine, start - timedelta(days=200))
    with session_scope(engine) as session:  # at the same instant, one on no channel
        for channel in (None, "chat"):
            session.add(AnswerEvent(
                at=start - timedelta(days=200, minutes=-5), kind="answer", question="q",
                latency_ms=1.0, conversation_id="tie", channel=channel,
            ))  # fmt: skip
    before = filtered_measures(engine, days)
    assert before[("chat", None)][0].repeat_questions > 0
    assert before[(None, "intent-1")][0].repeat_questions > 0
    assert before[("voice", "intent-2")][0].repeat_questions > 0
    service.purge_expired(engine, retention_days=90)
    assert old_rows(engine, start - timedelta(days=90)) == 0
    after = filtered_measures(engine, days)
    for key, (totals, per_day) in before.items():
        assert after[key][0].repeat_questions == totals.repeat_questions, key
        assert after[key] == (totals, per_day), key
