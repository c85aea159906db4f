"""Keeps a running server level with its store: the search index and the findings.

Imports and edits land in the store from other processes (``knowledge-service import``), so
the server follows the store's watermarks: it syncs the index, re-checks what the change can
affect, and re-checks everything once a day, because review dates fall due without any edit.

Every worker process keeps its own index in step, but only one of the processes sharing a data
folder runs the governance check: the one holding an exclusive lock on
``<data_dir>/governance-check.lock`` (``serve --workers N`` would otherwise run N identical
checks, all writing the same findings). When that process ends, the operating system drops its
lock and the next worker to look takes it over, starting with a full check.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: every process checks (checks are retried)
    fcntl = None  # type: ignore[assignment]

from sqlalchemy.engine import Engine

from knowledge_service import clock
from knowledge_service.content import repository
from knowledge_service.db import session_scope
from knowledge_service.freshness.service import check_store
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

logger = logging.getLogger(__name__)


class CheckLease:
    """An exclusive lock file: the process holding it runs the governance check.

    The lock is ``flock``-based, so it is released when its holder ends for any reason (a
    crash included). It coordinates the processes of one machine; servers on several machines
    sharing one database each check (concurrent checks are retried, never merged wrongly).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.held = False
        self._handle: IO[str] | None = None

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


class StoreFollower:
    """Runs the governance check at start, then follows the store from a daemon thread.

    Args:
        settings: Service settings.
        engine: The store.
        search: The opened search service (its embedder and cache serve the check too).
        interval: Seconds between looks at the store's watermarks.
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        search: SearchService,
        interval: float,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._search = search
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="store-follower", daemon=True)
        self._marks = (0, 0)
        self._checked_on: date | None = None
        self.lease = CheckLease(settings.data_dir / "governance-check.lock")

    def _today(self) -> date:
        return clock.today(self._settings)

    def _watermarks(self) -> tuple[int, int]:
        with session_scope(self._engine) as session:
            return repository.article_watermark(session), repository.policy_watermark(session)

    def check(
        self, article_ids: set[str] | None = None, policy_ids: set[str] | None = None
    ) -> None:
        """Run the governance check on the store: all of it, or what the changes can affect."""
        today = self._today()
        result = check_store(
            self._engine,
            today=today,
            embedder=self._search.embedder,
            cache=self._search.cache,
            settings=self._settings,
            article_ids=article_ids,
            policy_ids=policy_ids,
        )
        logger.info("governance check: %s", result.summary)

    def start(self) -> None:
        """Check everything once (before serving) if this process holds the check lease, then
        follow changes in the background."""
        self._marks = self._watermarks()
        if self.lease.try_acquire():
            try:
                self.check()
                self._checked_on = self._today()
            except Exception:  # retried by step()
                logger.exception("the start-up governance check failed; retrying in the background")
        else:
            logger.info("another process runs the governance check (%s)", self.lease.path)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.lease.release()

    def step(self) -> None:
        """One look at the store: sync the index; with the lease, re-check what changed, or
        everything on a new day or on taking the lease over."""
        marks = self._watermarks()
        held_before = self.lease.held
        checking = self.lease.try_acquire()
        if marks != self._marks:
            with session_scope(self._engine) as session:
                articles, policies = repository.changed_since(session, *self._marks)
            self._search.sync()
            if checking and held_before:
                self.check(articles, policies)
            self._marks = marks
        if checking and (not held_before or self._today() != self._checked_on):
            self.check()  # a new day, or a lease just taken over from a process that ended
            self._checked_on = self._today()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.step()
            except Exception:  # keep following: a failed step is retried next interval
                logger.exception("following the store failed")
