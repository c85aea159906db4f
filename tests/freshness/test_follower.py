"""The store follower: a server's index and findings follow imports, new days and each other.

Real SQLite store, real import path, the fake hash embedder; each test drives ``step()`` by hand
(the background thread waits an hour between looks). Full checks run in a real child process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from knowledge_service.content.importer import import_content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.errors import IndexNotReadyError
from knowledge_service.freshness.follower import StoreFollower, release_check_caches
from knowledge_service.freshness.lease import AdvisoryCheckLease, CheckLease, open_check_lease
from knowledge_service.freshness.pipeline import StoreChanges
from knowledge_service.freshness.repository import active_notes_for
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.privacy import RedactingFilter
from knowledge_service.settings import Settings
from tests.factories import write_article_md
from tests.postgres import fresh_database
from tests.server import wait_for

FIRST_LOOK_BOUND = 120  # seconds: a generous bound on a small store's first check


class CountingFollower(StoreFollower):
    """A follower that records each check it runs: None for a full one, else the ids."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.checks: list[set[str] | None] = []

    def check(self, changes: StoreChanges | None = None) -> None:
        self.checks.append(None if changes is None else set(changes.article_ids))
        super().check(changes)


def do_import(engine: Engine, settings: Settings) -> None:
    report = import_content(engine, [settings.content_dir], max_file_bytes=settings.max_file_bytes)
    assert not report.invalid


def write_solar_export(settings: Settings, **fields: str) -> None:
    """An article of its own intent, written to the content folder (not imported yet)."""
    write_article_md(
        settings.content_dir,
        "solar-export",
        **{
            "title": "When is solar export credited?",
            "intents": ["solar.export.credit"],
            "answer": "Solar export credits appear on your next bill.",
            **fields,
        },
    )


def kinds_for(engine: Engine, article_id: str) -> set[str]:
    with session_scope(engine) as session:
        return {kind for _, _, kind, _, _ in active_notes_for(session, [article_id])}


def start(follower: StoreFollower) -> None:
    """Start following and wait for the first look (the start-up check) to finish."""
    follower.start()
    assert follower.first_look_done.wait(FIRST_LOOK_BOUND)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The followers here serve with the hash embedder: the settings name it, because a full
    check runs in a child process that builds its embedder from them."""
    settings.embedding_model = "hash"
    return settings


def make_follower(settings: Settings, engine: Engine) -> CountingFollower:
    search = SearchService(settings, engine, HashEmbedder(), cache=EmbeddingCache())  # type: ignore[arg-type]
    search.open()
    return CountingFollower(settings, engine, search, interval=3600)


@pytest.fixture
def follower(settings: Settings, engine: Engine) -> Iterator[CountingFollower]:
    write_article_md(settings.content_dir, "refund-timeframe")
    write_article_md(
        settings.content_dir,
        "meter-reading",
        title="How do I send a meter reading?",
        intents=["metering.reading.submit"],
        answer="Send your meter reading in the app before the 5th of the month.",
        next_review="2026-11-30",
    )
    do_import(engine, settings)
    follower = make_follower(settings, engine)
    start(follower)
    yield follower
    follower.stop()


class BlockedFollower(StoreFollower):
    """A follower whose check waits until the test lets it go."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.release = threading.Event()
        self.checking = threading.Event()

    def check(self, changes: StoreChanges | None = None) -> None:
        self.checking.set()
        assert self.release.wait(FIRST_LOOK_BOUND)
        super().check(changes)


def test_start_returns_before_the_first_check_ends(settings: Settings, engine: Engine) -> None:
    write_article_md(settings.content_dir, "refund-timeframe")
    do_import(engine, settings)
    search = SearchService(settings, engine, HashEmbedder(), cache=EmbeddingCache())  # type: ignore[arg-type]
    search.open()
    follower = BlockedFollower(settings, engine, search, interval=3600)
    follower.start()  # returns although the check cannot finish yet
    try:
        assert follower.checking.wait(FIRST_LOOK_BOUND)  # the check runs in the background
        assert not follower.first_look_done.is_set()
        follower.release.set()
        assert follower.first_look_done.wait(FIRST_LOOK_BOUND)
    finally:
        follower.release.set()
        follower.stop()


def test_start_checks_the_whole_store(follower: CountingFollower) -> None:
    assert follower.checks == [None]
    assert follower.lease.held


def test_an_import_while_serving_is_indexed_and_checked(
    follower: CountingFollower, settings: Settings, engine: Engine
) -> None:
    write_solar_export(settings, last_reviewed="2025-06-01", next_review="2026-01-01")  # overdue
    do_import(engine, settings)
    follower.step()
    assert follower.checks[-1] == {"solar-export"}  # only what the import changed
    assert follower._search.search("solar export credit")[0].article_id == "solar-export"
    assert "review_overdue" in kinds_for(engine, "solar-export")

    write_solar_export(settings, next_review="2027-06-01")  # reviewed: the finding goes
    do_import(engine, settings)
    follower.step()
    assert "review_overdue" not in kinds_for(engine, "solar-export")


def test_a_quiet_step_checks_nothing(follower: CountingFollower) -> None:
    follower.step()
    assert follower.checks == [None]


def test_a_new_day_rechecks_everything(
    follower: CountingFollower, settings: Settings, engine: Engine
) -> None:
    assert "review_overdue" not in kinds_for(engine, "meter-reading")  # due on 30 November
    settings.today = date(2026, 12, 1)
    follower.step()
    assert follower.checks == [None, None]
    assert "review_overdue" in kinds_for(engine, "meter-reading")


def test_only_one_follower_of_a_data_folder_checks_and_another_takes_over(
    follower: CountingFollower, settings: Settings, engine: Engine
) -> None:
    second = make_follower(settings, engine)
    start(second)
    try:
        assert second.checks == []
        assert not second.lease.held
        write_article_md(
            settings.content_dir, "new-article", intents=["misc.new"], title="Something new"
        )
        do_import(engine, settings)
        second.step()  # syncs its own index, leaves the check to the lease holder
        assert second.checks == []
        assert second._search.search("Something new")[0].article_id == "new-article"

        follower.stop()  # the holder ends: its lock goes with it
        second.step()
        assert second.checks == [None]  # took the lease over with a full check
        assert second.lease.held
    finally:
        second.stop()


class RedactedLines(logging.Handler):
    """The messages of the records it handles, redacted as the server's log handlers do."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RedactingFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_log_names_the_lease_another_process_holds_after_redaction(
    follower: CountingFollower,
    settings: Settings,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The advisory lock's key, a 10-digit number in decimal, was redacted as [PHONE]."""
    caplog.set_level(logging.INFO, logger="knowledge_service.freshness.follower")
    log, handler = logging.getLogger("knowledge_service.freshness.follower"), RedactedLines()
    log.addHandler(handler)
    second = make_follower(settings, engine)
    try:
        start(second)  # its first look finds the lease held by ``follower``
    finally:
        second.stop()
        log.removeHandler(handler)
    assert f"another process runs the governance check ({second.lease})" in handler.lines
    lease = "governance-check.lock" if engine.dialect.name == "sqlite" else "lock 0x6B730002"
    assert str(second.lease).endswith(lease)  # the name docs/deployment.md looks it up by


def test_a_lease_is_exclusive_until_released(settings: Settings, engine: Engine) -> None:
    """A lock file beside a SQLite store; an advisory lock in PostgreSQL."""
    first, second = open_check_lease(settings, engine), open_check_lease(settings, engine)
    assert isinstance(
        first, AdvisoryCheckLease if engine.dialect.name == "postgresql" else CheckLease
    )
    assert first.try_acquire()
    assert first.try_acquire()  # re-entrant for its holder
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_advisory_lease_is_released_when_its_connection_drops(postgres_server: str) -> None:
    with fresh_database(postgres_server) as url:
        engine = make_engine(url)
        try:
            first, second = AdvisoryCheckLease(engine), AdvisoryCheckLease(engine)
            assert first.try_acquire() and not second.try_acquire()
            with engine.connect() as admin:  # the holder's connection drops
                admin.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_locks "
                         "WHERE locktype = 'advisory' AND objid = :key"),
                    {"key": first.key},
                )  # fmt: skip
            # pg_terminate_backend only signals: the server releases the lock once it is gone
            wait_for(second.try_acquire)
            assert not first.try_acquire() and not first.held  # the old holder noticed
            second.release()
            assert first.try_acquire()
            first.release()
        finally:
            engine.dispose()


def test_without_flock_the_process_checks_and_stays_the_checker(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge_service.freshness import lease as lease_module

    monkeypatch.setattr(lease_module, "fcntl", None)
    write_article_md(settings.content_dir, "refund-timeframe")
    do_import(engine, settings)
    follower = make_follower(settings, engine)
    start(follower)
    try:
        follower.step()
        follower.step()
        assert follower.checks == [None]  # one full check, not one per look
        assert follower.lease.held
    finally:
        follower.stop()
    assert not follower.lease.held


def test_the_first_look_loads_an_index_the_server_did_not_wait_for(
    settings: Settings, engine: Engine
) -> None:
    write_article_md(settings.content_dir, "refund-timeframe")
    do_import(engine, settings)
    search = SearchService(settings, engine, HashEmbedder(), cache=EmbeddingCache())  # type: ignore[arg-type]
    assert not search.status().is_current  # /readyz: 503 while the server listens
    with pytest.raises(IndexNotReadyError):
        search.search("refund")
    follower = CountingFollower(settings, engine, search, interval=3600)
    start(follower)
    try:
        assert search.status().is_current
        assert search.index._speller is not None  # warmed up before it said ready
        assert search.search("How long does a refund take?")[0].article_id == "refund-timeframe"
        assert follower.checks == [None]
    finally:
        follower.stop()


def test_a_failed_full_check_is_logged_the_server_serves_and_the_next_look_retries(
    settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    write_article_md(
        settings.content_dir,
        "refund-timeframe",
        last_reviewed="2025-06-01",
        next_review="2026-01-01",  # overdue
    )
    do_import(engine, settings)
    search = SearchService(settings, engine, HashEmbedder(128), cache=EmbeddingCache())  # type: ignore[arg-type]
    follower = CountingFollower(settings, engine, search, interval=3600)
    start(follower)  # the child refuses: the settings name another model than the one served
    try:
        failed = [r for r in caplog.records if "start-up governance check failed" in r.message]
        assert failed and failed[0].exc_info is not None
        assert "'hash-128'" in str(failed[0].exc_info[1])  # says why, naming the model served
        assert kinds_for(engine, "refund-timeframe") == set()  # nothing written
        assert search.search("How long does a refund take?")[0].article_id == "refund-timeframe"

        settings.embedding_model = "hash:128"  # the configuration fixed
        follower.step()
        assert follower.checks == [None, None]  # retried on the next look
        assert "review_overdue" in kinds_for(engine, "refund-timeframe")
    finally:
        follower.stop()


def test_an_incremental_check_leaves_no_cached_sentences_behind(
    follower: CountingFollower, settings: Settings, engine: Engine
) -> None:
    from knowledge_service.freshness import text

    write_solar_export(settings, answer="Solar export credits appear on your next bill in 30 days.")
    do_import(engine, settings)
    follower.step()
    assert follower.checks[-1] == {"solar-export"}  # checked here, in the follower's thread
    assert text.words_with_positions.cache_info().currsize == 0  # emptied after the check
    assert release_check_caches() == 0  # every cache of the check's modules was


def test_an_edit_through_the_api_leaves_no_cached_sentences_behind(
    follower: CountingFollower, settings: Settings, engine: Engine
) -> None:
    import asyncio
    from types import SimpleNamespace

    from knowledge_service.freshness import text
    from knowledge_service.freshness.pipeline import StoreChanges
    from knowledge_service.http.deps import get_after_write

    write_solar_export(settings, answer="Solar export credits appear on your next bill in 30 days.")
    do_import(engine, settings)
    state = SimpleNamespace(engine=engine, search_service=follower._search, settings=settings)
    run = asyncio.run(get_after_write(SimpleNamespace(app=SimpleNamespace(state=state))))  # type: ignore[arg-type]
    run(StoreChanges(article_ids=frozenset({"solar-export"})))
    assert "solar-export" in {hit.article_id for hit in follower._search.search("solar export")}
    assert text.words_with_positions.cache_info().currsize == 0  # the request's check emptied them


class AwayFollower(StoreFollower):
    """A follower whose store is away for its first looks (PostgreSQL stopped)."""

    def __init__(self, *args: object, away: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.away = away

    def step(self) -> None:
        if self.away:
            self.away -= 1
            refused = psycopg.OperationalError('connection to server at "127.0.0.1" failed\nmore')
            raise OperationalError("SELECT 1", {}, refused)


def test_a_store_out_of_reach_is_one_line_and_its_return_another(
    settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A PostgreSQL restart logged about 125 lines of traceback at every look, and nothing
    when the store was back."""
    search = SearchService(settings, engine, HashEmbedder(128), cache=EmbeddingCache())  # type: ignore[arg-type]
    follower = AwayFollower(settings, engine, search, interval=5, away=3)
    caplog.set_level(logging.INFO, logger="knowledge_service.freshness.follower")
    for _ in range(5):
        follower.look()
    said = [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records]
    assert said == [
        ("WARNING", 'the store cannot be reached (connection to server at "127.0.0.1" failed): '
         "following it again every 5 s", None),
        ("INFO", "the store can be reached again: following it", None),
    ]  # fmt: skip
    follower.lease.release()


def test_a_database_error_the_server_answered_is_logged_with_its_traceback(
    settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Only a store out of reach is one quiet line: a missing table is a fault to see whole."""

    class Broken(StoreFollower):
        def step(self) -> None:
            raise OperationalError("SELECT 1", {}, Exception("no such table: check_mark"))

    search = SearchService(settings, engine, HashEmbedder(128), cache=EmbeddingCache())  # type: ignore[arg-type]
    follower = Broken(settings, engine, search, interval=5)
    follower.look()
    (record,) = [r for r in caplog.records if r.name == "knowledge_service.freshness.follower"]
    assert record.getMessage() == "following the store failed" and record.exc_info is not None
    follower.lease.release()
