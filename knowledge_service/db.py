"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL for several replicas
(``KS_DATABASE_URL``); the few SQL constructs the two spell differently."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Boolean, DateTime, TypeDecorator, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import literal
from sqlalchemy.sql.expression import FunctionElement
from sqlmodel import Session, SQLModel, create_engine

logger = logging.getLogger(__name__)
T = TypeVar("T")


MAX_VERSION = 2**31 - 1
"""The highest version (or finding) number a request or command takes: the store's integers
hold no more, and a larger one is refused as out of range rather than failing in the store."""
MAX_OFFSET = 1_000_000
"""The most items a listing (API or CLI) may skip."""
WAL_SWITCH_SECONDS = 30.0
SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite statement waits for a lock another connection holds before it fails with
"database is locked" (a transaction that may repeat is then retried: :func:`retrying`)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _switch_to_wal(cursor: Any, *, within: float = WAL_SWITCH_SECONDS) -> None:
    """Put the database file in WAL mode (it stays so: every later connection only reads the
    mode). Switching a new file needs its exclusive lock, and when two processes open a new
    store at once (an import and ``serve``, two imports) both ask for it: SQLite then answers
    one of them "database is locked" at once, without its busy timeout, to break the deadlock.
    That one tries again, after a short pause, until ``within`` seconds have passed."""
    deadline = time.monotonic() + within
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> Engine:
    """Create an engine; for a SQLite file, create it (mode 0600) and its folder and switch on
    WAL.

    For PostgreSQL: a pool of ``pool_size`` connections (``max_overflow`` more at a peak), each
    tested before use (a connection the server or network dropped is replaced, not handed to a
    request), and named after this process (``application_name``: which replica a connection,
    or the check lease, belongs to shows in ``pg_stat_activity``).
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
    elif parsed.get_backend_name() == "postgresql":
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)
        kwargs["connect_args"] = {"application_name": f"knowledge-service pid {os.getpid()}"}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


_SECRET_PARAMETERS = ("password", "sslpassword")
"""libpq parameters a store URL's query may carry a secret in (``?password=...``)."""


def store_name(url: str) -> str:
    """``url`` fit to print or log: its password hidden, whether it is given before the host or
    as a query parameter."""
    parsed = make_url(url)
    shown = parsed.set(query={}).render_as_string(hide_password=True)
    pairs = [
        f"{key}={'***' if key.lower() in _SECRET_PARAMETERS else value}"
        for key, values in parsed.query.items()
        for value in ((values,) if isinstance(values, str) else values)
    ]  # as written, not percent-encoded: a socket folder reads as a folder
    return f"{shown}?{'&'.join(pairs)}" if pairs else shown


def _private_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by this user only, as the data folder's
    key files are; SQLite gives its WAL and shared-memory files the same mode. An existing file
    keeps its mode (an operator may have chosen another), but an empty one is a new database
    whose making was stopped (a Ctrl-C while the first command started): it is made private."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # empty: a new database
    elif path.is_file() and path.stat().st_size == 0:
        path.chmod(0o600)


def insert_ignoring_duplicates(table: Any, dialect: Dialect) -> Any:
    """``INSERT`` into ``table`` that skips rows whose primary key exists (SQLite ``INSERT OR
    IGNORE``, PostgreSQL ``ON CONFLICT DO NOTHING``): for rows that are equal when their key is."""
    if dialect.name == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing()
    if dialect.name == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"no insert-or-ignore for {dialect.name}")


# SQLSTATE classes and codes worth a retry: serialization failure and deadlock (40), a lost
# connection (08), a server shutting down (57P01-57P03).
_TRANSIENT_SQLSTATES = ("40", "08", "57P01", "57P02", "57P03")


def is_transient(error: BaseException) -> bool:
    """A database error that the same request, sent again, may well not meet: a serialization
    failure or deadlock, a dropped connection, a server restarting, a SQLite lock timeout."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith(_TRANSIENT_SQLSTATES)
    if _connection_failed(error):
        return True
    message = str(error.orig)
    return isinstance(error, OperationalError) and (
        "database is locked" in message or "database table is locked" in message
    )


def is_unreachable(error: BaseException) -> bool:
    """The store could not be reached: a dropped connection, or a server that refused, reset
    or is restarting (:func:`_connection_failed`); never an error a server answered."""
    return isinstance(error, DBAPIError) and (
        error.connection_invalidated or _connection_failed(error)
    )


def driver_message(error: BaseException) -> str:
    """The first line of a database error as its driver gave it (not SQLAlchemy's statement,
    parameters and link to its documentation): what one line of a log or an error says."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def _connection_failed(error: DBAPIError) -> bool:
    """psycopg could not reach the server (refused, reset, the server stopping or restarting):
    an operational or interface error with no SQLSTATE, as no server answered. A programming
    error or one the server answered with a SQLSTATE is never this."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(error, OperationalError | InterfaceError) and isinstance(
        error.orig, psycopg.OperationalError | psycopg.InterfaceError
    )


RETRY_BACKOFF_SECONDS = 0.2


def retrying(
    write: Callable[[], T],
    *,
    attempts: int = 3,
    also: tuple[type[DBAPIError], ...] = (),
) -> T:
    """Run ``write`` (one whole transaction, safe to repeat); run it again, after a short pause
    that grows with each attempt, when it meets a transient error (:func:`is_transient`) or one
    of ``also``. The last attempt's error is raised."""
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except DBAPIError as exc:
            if attempt == attempts or not (is_transient(exc) or isinstance(exc, also)):
                raise
            logger.info("retrying a transaction after %s", type(exc.orig).__name__)
            time.sleep(RETRY_BACKOFF_SECONDS * attempt)
    raise AssertionError("attempts must be at least 1")


def run_transaction(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    attempts: int = 3,
    also: tuple[type[DBAPIError], ...] = (),
) -> T:
    """Run ``work`` in one transaction (:func:`session_scope`), :func:`retrying` it from the
    start. Only for work that is safe to repeat."""

    def transaction() -> T:
        with session_scope(engine) as session:
            return work(session)

    return retrying(transaction, attempts=attempts, also=also)


def create_tables(engine: Engine) -> None:
    """Create the tables of every model module imported so far (idempotent).

    Domains import only their own models; adapters (API, CLI) use
    ``knowledge_service.models_registry.create_all_tables``, which imports every domain's.
    """
    SQLModel.metadata.create_all(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always gives back timezone-aware datetimes (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class json_array_contains(FunctionElement[bool]):
    """``column[key]`` (a JSON array of strings) contains ``value``, in each database's own SQL:
    SQLite looks inside with ``json_each``, PostgreSQL with ``jsonb`` containment."""

    type = Boolean()
    inherit_cache = True
    name = "json_array_contains"

    def __init__(self, column: Any, key: str, value: str) -> None:  # a column or attribute
        super().__init__(column, literal(key), literal(value))


@compiles(json_array_contains, "sqlite")
def _json_array_contains_sqlite(
    element: json_array_contains, compiler: SQLCompiler, **kw: Any
) -> str:
    column, key, value = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"EXISTS (SELECT 1 FROM json_each({column}, '$.' || {key}) AS item "
        f"WHERE item.value = {value})"
    )


@compiles(json_array_contains, "postgresql")
def _json_array_contains_pg(element: json_array_contains, compiler: SQLCompiler, **kw: Any) -> str:
    column, key, value = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({column} AS JSONB) -> {key}) @> jsonb_build_array(CAST({value} AS TEXT))"
