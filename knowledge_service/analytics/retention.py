"""Retention inside a running service: answer logs and feedback past their period are purged
on a schedule (``KS_ANALYTICS__PURGE_INTERVAL_HOURS``), as ``knowledge-service purge-logs``
does by hand."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine

from knowledge_service.analytics.service import purge_old
from knowledge_service.db import session_scope, utcnow

logger = logging.getLogger(__name__)


class RetentionScheduler:
    """Purges once at start, then every ``interval`` seconds, from a daemon thread."""

    def __init__(self, engine: Engine, *, retention_days: int, interval: float) -> None:
        self._engine = engine
        self._days = retention_days
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-retention", daemon=True)

    def purge(self) -> tuple[int, int]:
        with session_scope(self._engine) as session:
            purged = purge_old(session, now=utcnow(), retention_days=self._days)
        if any(purged):
            logger.info("purged %d answer events and %d feedback past retention", *purged)
        return purged

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            try:
                self.purge()
            except Exception:  # retried at the next interval
                logger.exception("purging old answer logs failed")
            if self._stop.wait(self._interval):
                return
