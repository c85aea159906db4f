"""Keeps a running server level with its store: the search index and the findings.

Imports and edits land in the store from other processes (``knowledge-service import``), so
the server follows the store's watermarks: it syncs the index, re-checks what the change can
affect, and re-checks everything once a day, because review dates fall due without any edit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine

from knowledge_service.content import repository
from knowledge_service.db import session_scope
from knowledge_service.freshness.service import check_store
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

logger = logging.getLogger(__name__)


def utc_today() -> date:
    return datetime.now(UTC).date()


class StoreFollower:
    """Runs the governance check at start, then follows the store from a daemon thread.

    Args:
        settings: Service settings.
        engine: The store.
        search: The opened search service (its embedder and cache serve the check too).
        interval: Seconds between looks at the store's watermarks.
        today: The clock (tests pass their own).
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        search: SearchService,
        interval: float,
        today: Callable[[], date] = utc_today,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._search = search
        self._interval = interval
        self._today = today
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="store-follower", daemon=True)
        self._marks = (0, 0)
        self._checked_on: date | None = None

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
        """Check everything once (before serving), then follow changes in the background."""
        self._marks = self._watermarks()
        try:
            self.check()
            self._checked_on = self._today()
        except Exception:  # e.g. another worker checking the same store: retried by step()
            logger.exception("the start-up governance check failed; retrying in the background")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def step(self) -> None:
        """One look at the store: sync the index, re-check what changed or a new day."""
        marks = self._watermarks()
        if marks != self._marks:
            with session_scope(self._engine) as session:
                articles, policies = repository.changed_since(session, *self._marks)
            self._search.sync()
            self.check(articles, policies)
            self._marks = marks
        if self._today() != self._checked_on:
            self.check()
            self._checked_on = self._today()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.step()
            except Exception:  # keep following: a failed step is retried next interval
                logger.exception("following the store failed")
