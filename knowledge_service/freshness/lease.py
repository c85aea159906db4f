"""The governance-check lease: the one process (of all sharing a store) that runs the check.

Two kinds, chosen by the store (:func:`open_check_lease`):

- SQLite: an exclusive ``flock`` on ``<data_dir>/governance-check.lock``. The processes sharing a
  SQLite file share a machine, and the operating system drops the lock when its holder ends.
- PostgreSQL: a session-level advisory lock, held on a connection of its own. Replicas on any
  number of machines share one store; when the holder ends (or its connection drops), the server
  releases the lock and the next replica to look takes it over.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Protocol

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: every process checks (checks are retried)
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from knowledge_service.settings import Settings

logger = logging.getLogger(__name__)

# The advisory lock's key ("ks" + 1): one per store (a database is one store).
CHECK_LOCK_KEY = 0x6B73_0002


class Lease(Protocol):
    held: bool

    def try_acquire(self) -> bool:
        """Take the lease unless another process holds it; True when this process holds it."""
        ...

    def release(self) -> None: ...


class CheckLease:
    """An exclusive lock file: the process holding it runs the governance check.

    The lock is ``flock``-based, so it is released when its holder ends for any reason (a
    crash included). It coordinates the processes of one machine (a SQLite store).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.held = False
        self._handle: IO[str] | None = None

    def __str__(self) -> str:
        return str(self.path)

    def try_acquire(self) -> bool:
        """Take the lock unless another process holds it; True when this process holds it."""
        if self.held:
            return True
        if fcntl is None:  # nothing to coordinate with: this process checks
            self.held = True
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle, self.held = handle, True
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file drops the lock
        self._handle, self.held = None, False


class AdvisoryCheckLease:
    """A PostgreSQL session-level advisory lock on a connection kept for it.

    While held, every :meth:`try_acquire` first checks the connection is alive: a dropped
    connection means the server has released the lock (another replica may hold it now), so
    this process stops checking until it wins the lock again.
    """

    def __init__(self, engine: Engine, key: int = CHECK_LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self.held = False
        self._conn: Connection | None = None

    def __str__(self) -> str:
        # in hex: the log's redaction takes a 10-digit decimal number for a phone number
        return f"PostgreSQL advisory lock 0x{self.key:08X}"

    def try_acquire(self) -> bool:
        if self.held and self._is_alive():
            return True
        self._drop()
        conn = self.engine.connect()
        try:
            won = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
            )
            conn.commit()  # the lock outlives the transaction (session level)
        except DBAPIError:
            conn.close()
            raise
        if not won:
            conn.close()
            return False
        self._conn, self.held = conn, True
        return True

    def _is_alive(self) -> bool:
        assert self._conn is not None
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
            return True
        except DBAPIError:
            logger.warning("lost the connection holding the check lease; the lease is released")
            return False

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never back to the pool: its session held the lock
            finally:
                self._conn.close()
        self._conn, self.held = None, False

    def release(self) -> None:
        if self._conn is not None and self.held:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._conn.commit()
            except DBAPIError:
                pass  # a dropped connection has released it already
        self._drop()


def open_check_lease(settings: Settings, engine: Engine) -> Lease:
    """The lease for this store: an advisory lock on PostgreSQL, a lock file otherwise."""
    if engine.dialect.name == "postgresql":
        return AdvisoryCheckLease(engine)
    return CheckLease(settings.data_dir / "governance-check.lock")
