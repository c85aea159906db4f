"""The store's write lock: every writer of versions takes it before it reads what it changes.

Two writers (two imports, an import and an API edit) that each read a document's current
version and then append the next would both append the same number. Taking the lock first makes
them take turns: the second reads what the first wrote. On SQLite the lock is the database's
write lock, taken by a write that changes nothing (the driver begins the transaction right before
it, so every later read in the transaction sees the latest commit); on PostgreSQL a
transaction-scoped advisory lock does the same. Either is released at commit or rollback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from knowledge_service.db import is_transient, retrying
from knowledge_service.errors import ConflictError

T = TypeVar("T")

WRITE_LOCK_KEY = 0x6B73_7772  # "kswr": the advisory lock id on PostgreSQL
RETRIES = 3


def lock_store_for_write(session: Session) -> None:
    """Take the store's write lock for the rest of ``session``'s transaction (waits for a
    writer that holds it; SQLite's busy timeout bounds the wait)."""
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
    else:
        session.execute(text("UPDATE article SET id = id WHERE 0"))
    session.expire_all()  # rows read before the lock are read again, as they are now


def with_write_retries(write: Callable[[], T], what: str) -> T:
    """Run ``write`` (one whole transaction), trying again after a transient conflict
    (:func:`~knowledge_service.db.retrying`); when it keeps failing, a :class:`ConflictError`
    saying so (never the driver's traceback)."""
    try:
        return retrying(write, attempts=RETRIES)
    except DBAPIError as exc:
        if not is_transient(exc):
            raise
        raise ConflictError(f"{what}: the store stayed busy with another write; try again") from exc
