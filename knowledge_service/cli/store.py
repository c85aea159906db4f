"""The store a command opens: ``KS_DATABASE_URL`` checked (a supported database, a password
that is percent-encoded), its engine built once per command, and no store made by a command that
only reads or changes one."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from knowledge_service import migrations
from knowledge_service.cli.config import require_data_dir, settings
from knowledge_service.cli.output import fail
from knowledge_service.db import store_name
from knowledge_service.models_registry import create_all_tables
from knowledge_service.store import engine_for

__all__ = [
    "NO_STORE_HINT",
    "check_database_url",
    "engine",
    "existing_engine",
    "missing_sqlite_file",
    "store_engine",
]

_STORE_URLS = {
    "sqlite": "sqlite:///PATH",
    "postgresql": "postgresql+psycopg://USER:PASSWORD@HOST:5432/DB",
}


_STORE_DRIVERS = {"pysqlite", "psycopg"}
"""The database drivers installed with the service (SQLAlchemy's names)."""


def _bad_port(url: str, variable: str) -> str | None:
    """The error for a URL whose port, after the host, is no number (``HOST:54x2``), or None
    when the host has no such port (the fault is then a password's character). Only the text
    after the URL's last ``@`` is shown: no password is ever in it."""
    after = url.split("://", 1)[-1].rsplit("@", 1)[-1]
    host_port = after.split("/", 1)[0].split("?", 1)[0]
    if host_port.startswith("[") or ":" not in host_port:  # an IPv6 address, or no port
        return None
    host, port = host_port.rsplit(":", 1)
    if port.isdigit():
        return None
    return f"{variable}: the port {port!r} after the host {host!r} is not a number (such as 5432)"


def _unencoded_password(variable: str) -> str:
    """The error for a URL whose password holds a character that ends it early (never the URL:
    it holds the password)."""
    return (
        f"{variable}: cannot tell the password from the host; percent-encode the password's "
        "@ : / ? # % & characters (@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, "
        "& as %26)"
    )


def store_engine() -> Engine:
    """An engine for ``KS_DATABASE_URL``; a URL of another kind of database, or a SQLite file
    that cannot be created, exits 2 naming the variable."""
    check_database_url(settings().database_url, "KS_DATABASE_URL")
    try:
        return engine_for(settings())
    except OSError as exc:  # the SQLite file (or its folder) cannot be made
        path = make_url(settings().database_url).database or ""
        where = f": {exc.filename}" if exc.filename and str(exc.filename) != path else ""
        raise fail(
            f"KS_DATABASE_URL: cannot create the SQLite file {path}: {exc.strerror or exc}{where}"
        ) from None


def check_database_url(url: str, variable: str) -> None:
    """Exit 2 naming ``variable`` (never the URL: it may hold a password) when ``url`` is not a
    store URL of a database the service supports, or its password is not percent-encoded."""
    try:
        parsed = make_url(url)
        backend: str | None = parsed.get_backend_name()
        driver: str | None = parsed.get_driver_name()
    except ArgumentError:
        backend = driver = None
    except ValueError:  # a port that is no number: a password's ':' or '/' left as it is
        raise fail(_bad_port(url, variable) or _unencoded_password(variable)) from None
    # psycopg2 (postgresql+psycopg2://; postgresql:// before SQLAlchemy 2.1) is not installed
    if backend not in _STORE_URLS or driver not in _STORE_DRIVERS:
        scheme = url.split(":", 1)[0] if ":" in url else url[:20]  # never the password
        raise fail(
            f"{variable}: {scheme!r} is not a supported database; use "
            + " or ".join(_STORE_URLS.values())
        )
    if "@" in (parsed.host or ""):  # the host would be the end of the password
        raise fail(_unencoded_password(variable))


@lru_cache
def engine() -> Engine:
    """The store's engine with every table created (``KS_DATA_DIR`` checked first: nothing is
    written with a data folder that cannot be used). For the commands that make a store when
    there is none (``import``, ``keys create``, ``serve``); the others use
    :func:`existing_engine`."""
    require_data_dir()
    eng = store_engine()
    create_all_tables(eng)
    return eng


NO_STORE_HINT = (
    "check KS_DATABASE_URL, or create the store first (`knowledge-service import`, or "
    "`knowledge-service db upgrade`)"
)


def missing_sqlite_file(url: str) -> Path | None:
    """The file a SQLite store URL names when it does not exist (opening it would make it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def existing_engine() -> Engine:
    """:func:`engine` for a command that reads the store or changes what it holds: exit 2 with
    one line naming ``KS_DATABASE_URL``, creating nothing (no SQLite file, no tables), when no
    store is there yet: a SQLite file that does not exist, or a database with no tables. Such a
    command used to create an empty store and show nothing (or fail on it), which hid a
    mistyped URL and left a stray file behind. ``KS_DATA_DIR`` is checked first, as by
    :func:`engine`."""
    require_data_dir()
    url = settings().database_url
    check_database_url(url, "KS_DATABASE_URL")
    if (path := missing_sqlite_file(url)) is not None:
        raise fail(f"KS_DATABASE_URL: no store at {path}: {NO_STORE_HINT}")
    probe = store_engine()
    try:
        with probe.connect() as connection:
            is_empty = migrations.schema_status(connection).is_empty
    finally:
        probe.dispose()
    if is_empty:
        raise fail(
            f"KS_DATABASE_URL: the store ({store_name(url)}) is empty, with no tables: "
            f"{NO_STORE_HINT}"
        )
    return engine()
