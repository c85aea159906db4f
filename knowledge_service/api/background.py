"""Keeps a running server's search index level with the store after imports and edits."""

from __future__ import annotations

import logging
import threading

from knowledge_service.index.service import SearchService

logger = logging.getLogger(__name__)


class IndexFollower:
    """A daemon thread that syncs the index whenever the store's watermark moves ahead.

    Args:
        service: The opened search service.
        interval: Seconds between checks of the store watermark.
    """

    def __init__(self, service: SearchService, interval: float) -> None:
        self._service = service
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-follower", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                if not self._service.status().is_current:
                    status = self._service.sync()
                    logger.info("index synced to store watermark %d", status.index_watermark)
            except Exception:  # keep following: a failed sync is retried next interval
                logger.exception("index sync failed")
