"""Retention inside a running service: answer logs and feedback past their period are purged
on a schedule (``KS_ANALYTICS__PURGE_INTERVAL_HOURS``), as ``knowledge-service purge-logs``
does by hand, and conversation ids an earlier release stored as sent become pseudonyms."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine

from knowledge_service.analytics.service import pseudonymise_stored_ids, purge_expired
from knowledge_service.db import is_transient

logger = logging.getLogger(__name__)

RETRY_SECONDS = 300.0
"""How soon a purge that failed is tried again (rather than a whole interval later)."""


class RetentionScheduler:
    """Purges once at start, then every ``interval`` seconds, from a daemon thread; a purge
    that failed (the store still busy after every attempt) again after ``RETRY_SECONDS``."""

    def __init__(
        self,
        engine: Engine,
        *,
        retention_days: int,
        interval: float,
        pseudonym_key: bytes | None = None,
    ) -> None:
        self._engine = engine
        self._days = retention_days
        self._key = pseudonym_key
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-retention", daemon=True)

    def purge(self) -> tuple[int, int]:
        purged = purge_expired(self._engine, retention_days=self._days, stop=self._stop)
        if any(purged):
            logger.info("purged %d answer events and %d feedback past retention", *purged)
        if self._key is not None and (renamed := pseudonymise_stored_ids(self._engine, self._key)):
            logger.info("stored %d conversation ids kept as sent as pseudonyms", renamed)
        return purged

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the scheduler's thread is still alive (purging or waiting for the next)."""
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self.running:  # a purge under way ends after its piece
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            wait = self._interval
            try:
                self.purge()
            except Exception as exc:
                wait = min(self._interval, RETRY_SECONDS)
                if is_transient(exc):  # one line: the store was busy, not broken
                    logger.warning("purging old answer logs failed (%s); trying again in %d s",
                                   type(getattr(exc, "orig", exc)).__name__, wait)  # fmt: skip
                else:
                    logger.exception("purging old answer logs failed")
            if self._stop.wait(wait):
                return
