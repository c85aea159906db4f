"""Keeps a running server level with its store: the search index and the findings.

Imports and edits land in the store from other processes (``knowledge-service import``), so
the server follows the store's watermarks and hands each change to the after-write pipeline
(:func:`~knowledge_service.freshness.pipeline.apply_changes`): it syncs the index and re-checks
what the change can affect; and it re-checks everything once a day, because review dates fall
due without any edit.

Every worker process (and every replica) keeps its own index in step, but only one of the
processes sharing a store runs the governance check: the one holding the check lease
(:mod:`~knowledge_service.freshness.lease`: a lock file beside a SQLite store, an advisory lock
in PostgreSQL); N processes would otherwise run N identical checks, all writing the same
findings. When that process ends, its lease is released and the next process to look takes it
over, starting with a full check.

The first look also loads the index, and N workers starting together would each build it from
scratch (encoding every article N times at once). They take turns on a lock file in the index
folder (``index-open.lock``, :mod:`~knowledge_service.index.locks`): the first builds and saves
the bundle, the others load it.

A full check (at start, on a new day, on taking the lease over) runs in a child process
(:mod:`~knowledge_service.freshness.full_check`): a serving process that ran one in its own
memory kept most of the check's peak for good. A failed or dead child is logged and the check
retried on the next look; the server keeps serving meanwhile. Checks of what a change can
affect are small and run in the follower's thread; the check's module-level caches (words and
facts by sentence text, bounded by entries, not bytes) are emptied after each, so that they do
not fill up over the server's life (:func:`release_check_caches`).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from datetime import date

from sqlalchemy.engine import Engine

from knowledge_service import clock
from knowledge_service.db import driver_message, is_unreachable
from knowledge_service.freshness.full_check import FullCheckStopped, run_full_check
from knowledge_service.freshness.lease import CheckLease, open_check_lease
from knowledge_service.freshness.pipeline import (
    StoreChanges,
    StoreMarks,
    apply_changes,
    changes_since,
    read_marks,
)
from knowledge_service.index.locks import index_turn
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

logger = logging.getLogger(__name__)

__all__ = ["CheckLease", "StoreFollower", "release_check_caches"]


def release_check_caches() -> int:
    """Empty the ``functools`` caches of the governance check's modules; the entries emptied.

    After a full check of 10,000 articles in one process they held nearly all that the check
    left behind (3.8 million live allocations: the words of 31,000 sentences alone 3.3 million).
    """
    emptied = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith(f"{__package__}.") or module is None:
            continue
        for value in list(vars(module).values()):
            cached = callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info")
            if cached and getattr(value, "__module__", None) == name:  # defined there
                emptied += value.cache_info().currsize
                value.cache_clear()
    return emptied


class StoreFollower:
    """Follows the store from a daemon thread, starting with a governance check.

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
        self.first_look_done = threading.Event()
        """Set once the first check (or, without the lease, the first index sync) has run."""
        self._thread = threading.Thread(target=self._run, name="store-follower", daemon=True)
        self._marks = StoreMarks(0, 0)
        self._checked_on: date | None = None
        self._unreachable = False  # the last look could not reach the store
        self.lease = open_check_lease(settings, engine)

    def _today(self) -> date:
        return clock.today(self._settings)

    def check(self, changes: StoreChanges | None = None) -> None:
        """Sync the index and check the store: all of it (in a child process), or what
        ``changes`` can affect (here)."""
        if changes is not None:
            try:
                done = apply_changes(self._engine, self._search, changes, settings=self._settings)
            finally:
                release_check_caches()
            if done.check is not None:
                logger.info("governance check: %s", done.check.summary)
            return
        self._search.sync()
        summary = run_full_check(
            self._settings,
            today=self._today(),
            model_name=self._search.embedder.model_name,
            stop=self._stop,
        )
        logger.info("governance check: %s", summary)

    def sync(self) -> None:
        """Sync the index only (the lease holder checks)."""
        apply_changes(self._engine, self._search, settings=self._settings, check=False)

    def start(self) -> None:
        """Follow the store from a background thread, which first checks everything if this
        process holds the check lease (a full check takes minutes on a large store: the
        server listens meanwhile, and ``/readyz`` says whether its index is current)."""
        self._marks = read_marks(self._engine)
        self._thread.start()

    def _open_index(self) -> None:
        """Load the index (the server listened first), one process of the machine at a time:
        the first to come builds and saves it, the next ones load what it saved."""
        with index_turn(self._search.path):
            how = "loading" if self._search.path.exists() else "building"
            logger.info("%s the search index", how)
            status = self._search.open(warm=True)
        logger.info(
            "the search index is open at store version %d (process %d)",
            status.index_watermark,
            os.getpid(),
        )

    def _first_look(self) -> None:
        if not self._search.is_open:
            self._open_index()
        if self.lease.try_acquire():
            try:
                self.check()
                self._checked_on = self._today()
            except FullCheckStopped:
                logger.info("the start-up governance check was stopped")
            except Exception:  # retried by step()
                logger.exception("the start-up governance check failed; retrying in the background")
        else:
            logger.info("another process runs the governance check (%s)", self.lease)
            self.sync()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.lease.release()

    def step(self) -> None:
        """One look at the store: sync the index; with the lease, re-check what changed, or
        everything on a new day or on taking the lease over."""
        marks = read_marks(self._engine)
        held_before = self.lease.held
        checking = self.lease.try_acquire()
        if marks != self._marks:
            if checking and held_before:
                self.check(changes_since(self._engine, self._marks))
            else:
                self.sync()
            self._marks = marks
        if checking and (not held_before or self._today() != self._checked_on):
            self.check()  # a new day, or a lease just taken over from a process that ended
            self._checked_on = self._today()

    def _run(self) -> None:
        try:
            self._first_look()
        except Exception:  # keep following: the next step syncs again
            logger.exception("the first look at the store failed")
        finally:
            self.first_look_done.set()
        while not self._stop.wait(self._interval):
            self.look()

    def look(self) -> None:
        """One step, whatever it meets: a store that cannot be reached (PostgreSQL stopped or
        restarting) is said once, in one line, and its return once; another failure is logged
        with its traceback. The next interval tries again."""
        try:
            self.step()
        except FullCheckStopped:
            logger.info("the governance check was stopped")
        except Exception as exc:  # keep following: a failed step is retried next interval
            if not is_unreachable(exc):
                logger.exception("following the store failed")
                return
            if not self._unreachable:  # the store is away (PostgreSQL stopped): said once
                logger.warning(
                    "the store cannot be reached (%s): following it again every %g s",
                    driver_message(exc), self._interval,
                )  # fmt: skip
            self._unreachable = True
        else:
            if self._unreachable:
                logger.info("the store can be reached again: following it")
            self._unreachable = False
