"""The engine: dropped PostgreSQL connections are replaced, transient errors recognised, work
that met a conflict run again."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, select

from knowledge_service.access.models import ApiKey
from knowledge_service.db import is_transient, make_engine, run_transaction
from knowledge_service.settings import Settings
from knowledge_service.store import engine_for
from tests.postgres import fresh_database

KILL_OTHERS = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE application_name = :name AND pid <> pg_backend_pid()
"""


def test_pooled_connections_dropped_by_the_server_are_replaced(postgres_server: str) -> None:
    with fresh_database(postgres_server) as url:
        engine = make_engine(url, pool_size=2)
        admin = make_engine(url)
        try:
            with engine.connect() as conn:  # one pooled connection, idle after this block
                assert conn.execute(text("SELECT 1")).scalar() == 1
            with admin.connect() as conn:  # the server drops it (a restart, a proxy timeout)
                name = f"knowledge-service pid {os.getpid()}"
                assert conn.execute(text(KILL_OTHERS), {"name": name}).scalars().all() == [True]
            with engine.connect() as conn:  # checked before use: replaced, not handed out dead
                assert conn.execute(text("SELECT 2")).scalar() == 2
        finally:
            engine.dispose()
            admin.dispose()


def test_a_connection_lost_mid_transaction_is_transient(postgres_server: str) -> None:
    with fresh_database(postgres_server) as url:
        engine = make_engine(url)
        try:
            with engine.connect() as conn, pytest.raises(DBAPIError) as caught:
                conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
                conn.execute(text("SELECT 1"))
            assert is_transient(caught.value)
            with engine.connect() as conn, pytest.raises(DBAPIError) as caught:
                conn.execute(text("SELECT * FROM no_such_table"))
            assert not is_transient(caught.value)
        finally:
            engine.dispose()


def test_run_transaction_repeats_work_that_met_a_conflict_and_keeps_nothing_of_it(
    engine: Engine,
) -> None:
    """The second check of two racing ones meets the first's finding: it runs again."""
    tries: list[int] = []

    def work(session: Session) -> int:
        tries.append(len(tries) + 1)
        session.add(ApiKey(name=f"try-{len(tries)}", prefix=f"p{len(tries)}", key_hash="h",
                           role="bot", person="bot"))  # fmt: skip
        session.flush()
        if len(tries) == 1:  # a unique key another process took first
            session.add(ApiKey(name="try-1", prefix="px", key_hash="h", role="bot", person="bot"))
            session.flush()
        return len(tries)

    assert run_transaction(engine, work, also=(IntegrityError,)) == 2
    with Session(engine) as session:
        assert [k.name for k in session.exec(select(ApiKey))] == ["try-2"]  # the first rolled back


def test_run_transaction_raises_other_errors_at_once(engine: Engine) -> None:
    tries: list[int] = []

    def work(session: Session) -> None:
        tries.append(1)
        session.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(DBAPIError):
        run_transaction(engine, work, also=(IntegrityError,))
    assert tries == [1]


def test_a_new_sqlite_store_and_its_wal_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "store.db"  # the folder is not there yet either
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()}
    engine.dispose()
    assert modes == {"store.db": 0o600, "store.db-wal": 0o600, "store.db-shm": 0o600}, modes


def test_an_empty_store_file_left_by_a_stopped_start_is_made_private(tmp_path: Path) -> None:
    """A Ctrl-C while the first command started can leave an empty store file with the default
    mode; the next command makes it as a new store is (a store with data keeps its mode)."""
    empty, used = tmp_path / "empty.db", tmp_path / "used.db"
    empty.touch(mode=0o644)
    make_engine(f"sqlite:///{used}").dispose()
    with make_engine(f"sqlite:///{used}").begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    used.chmod(0o640)  # an operator's choice for a store with data
    for path in (empty, used):
        engine = make_engine(f"sqlite:///{path}")
        engine.dispose()
    assert stat.S_IMODE(empty.stat().st_mode) == 0o600
    assert stat.S_IMODE(used.stat().st_mode) == 0o640


def test_a_store_that_refuses_connections_is_transient(tmp_path: Path) -> None:
    """PostgreSQL down or restarting: the connect fails with no SQLSTATE; a request meeting it
    is answered 503 store-busy (retry elsewhere), not 500."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    engine = make_engine(f"postgresql+psycopg://ks:pw@127.0.0.1:{port}/ks")
    try:
        with pytest.raises(DBAPIError) as caught, engine.connect():
            pass
        assert is_transient(caught.value)
    finally:
        engine.dispose()
    sqlite = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with sqlite.connect() as conn, pytest.raises(DBAPIError) as caught:
            conn.execute(text("SELECT * FROM no_such_table"))
        assert not is_transient(caught.value)  # a programming error stays one
    finally:
        sqlite.dispose()


PASSWORD = "s3cr@t:/?#%&x"
"""A password holding every character that has a meaning in a URL."""


def test_a_percent_encoded_password_reaches_postgresql_as_written(postgres_server: str) -> None:
    """README, Configuration: a password's @ : / ? # % & are percent-encoded in
    KS_DATABASE_URL; the store's engine signs in with the password itself."""
    role = f"ks_password_{os.getpid()}"
    admin = make_engine(postgres_server)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'"))
        conn.commit()
    as_role = make_url(postgres_server).set(username=role, password=None).render_as_string()
    url = as_role.replace(f"//{role}@", f"//{role}:{quote(PASSWORD, safe='')}@", 1)
    assert "s3cr%40t%3A%2F%3F%23%25%26x" in url
    engine = engine_for(Settings(database_url=url))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == role
            assert conn.connection.dbapi_connection.info.password == PASSWORD  # type: ignore[union-attr]
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP ROLE {role}"))
            conn.commit()
        admin.dispose()


def test_a_new_sqlite_store_opened_while_another_process_writes_it_waits_for_wal(
    tmp_path: Path,
) -> None:
    """Two processes opening a new store at once: while one holds its write lock (before the
    file is in WAL mode), the other's switch to WAL is refused at once, with no busy wait
    ("database is locked": an import run beside another failed so). It now waits its turn."""
    path = tmp_path / "store.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")  # a new file, still in the rollback-journal mode
    other.execute("BEGIN IMMEDIATE")  # the other process's write lock
    threading.Timer(0.3, other.execute, args=("COMMIT",)).start()
    try:
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        engine.dispose()
    finally:
        other.close()
