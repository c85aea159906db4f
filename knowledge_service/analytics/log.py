"""The answer log: a bounded write-behind queue drained into ``answer_event`` in batches.

Recording costs the request a ``put_nowait`` on an in-memory queue; a writer thread redacts
each event and inserts what has queued in one statement per batch. A full queue never blocks or
fails an answer: the event is dropped and counted. What a crash can lose is bounded by what is
queued at that moment (at most ``queue_size`` events, in practice the last ``flush_interval``
seconds of traffic); :meth:`AnswerLog.close` flushes everything on a graceful shutdown. An
event whose redaction fails is dropped and counted, never written raw.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import queue
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from knowledge_service.analytics.models import AnswerEvent
from knowledge_service.analytics.stream import EventHub
from knowledge_service.content.models import utcnow
from knowledge_service.privacy import redact

logger = logging.getLogger(__name__)

OTHER_WRITERS_MARGIN = 1.0
"""Seconds beyond one flush interval that a lookup waits for an event another worker process
or replica may still hold in its queue (see :attr:`AnswerLog.patience`)."""
MAX_PATIENCE = 5.0
"""The longest a lookup waits, whatever the flush interval: a client asking about a receipt
nobody issued must not hold a request open for long."""


@dataclass(frozen=True)
class LoggedAnswer:
    """What the hot path hands to the log (raw question: redacted by the writer thread)."""

    kind: str
    question: str
    latency_ms: float
    channel: str | None = None
    intent: str | None = None
    article_id: str | None = None
    version: int | None = None
    status: str | None = None
    reason: str | None = None
    confidence: float | None = None
    stale: bool = False
    receipt: str | None = None
    conversation_id: str | None = None
    caller: str | None = None
    handoff: dict[str, Any] | None = None
    at: datetime = field(default_factory=utcnow)


@dataclass
class LogStats:
    """Counters for operations (exported as metrics)."""

    written: int = 0
    dropped_full: int = 0
    dropped_redaction: int = 0
    failed_batches: int = 0


PSEUDONYM_KEY_FILE = "conversation-pseudonym.key"
"""The data folder's key for :func:`conversation_key` (see :mod:`knowledge_service.keyfile`)."""


def conversation_key(raw: str, key: bytes | None) -> str:
    """What the log keeps of a conversation id: the id itself when it holds no personal data;
    otherwise a keyed pseudonym (``anon-`` and 24 hex digits of HMAC-SHA256 under ``key``).

    Redacting alone would merge different ids (``call-0412 345 678`` and ``call-0499 888 777``
    both read ``call-[PHONE]``), and repeat questions are counted per conversation. The key
    makes the pseudonym one that nobody without the data folder can reverse by trying every
    phone number. Without a key the redacted id is kept (such ids may then merge).
    """
    redacted = redact(raw)
    if redacted == raw or key is None:
        return redacted
    return "anon-" + hmac.new(key, raw.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def to_row(event: LoggedAnswer, pseudonym_key: bytes | None = None) -> dict[str, object]:
    """The row for ``event`` with every free-text field redacted (raises if redaction does);
    a conversation id that holds personal data becomes a pseudonym (:func:`conversation_key`)."""
    row = asdict(event)
    row["question"] = redact(event.question)
    if event.conversation_id is not None:
        row["conversation_id"] = conversation_key(event.conversation_id, pseudonym_key)
    return row


class AnswerLog:
    """Bounded write-behind log of answers and searches."""

    def __init__(
        self,
        engine: Engine,
        *,
        queue_size: int = 10_000,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        hub: EventHub | None = None,
        pseudonym_key: bytes | None = None,
    ) -> None:
        self._engine = engine
        self._pseudonym_key = pseudonym_key
        self._hub = hub
        self._queue: queue.Queue[LoggedAnswer] = queue.Queue(maxsize=queue_size)
        self._batch_size = batch_size
        self._interval = flush_interval
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one writer at a time (thread and close())
        self._thread = threading.Thread(target=self._run, name="answer-log", daemon=True)
        self.stats = LogStats()

    @property
    def patience(self) -> float:
        """How long a lookup of a receipt served a moment ago waits for it: every writer (each
        worker process and replica has its own) writes what it queued within one flush
        interval, so after that and a margin an event that is not in the store never was
        (at most :data:`MAX_PATIENCE` seconds: with a longer interval, another worker's
        events can take longer to be found)."""
        return min(self._interval + OTHER_WRITERS_MARGIN, MAX_PATIENCE)

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        self._thread.start()

    def record(self, event: LoggedAnswer) -> bool:
        """Queue ``event``; False (and counted) when the queue is full. Never blocks."""
        try:
            self._queue.put_nowait(event)
            return True
        except queue.Full:
            self.stats.dropped_full += 1
            return False

    def flush(self) -> int:
        """Write everything queued now; returns how many events were written."""
        written = 0
        with self._lock:
            while batch := self._take(self._batch_size):
                written += self._write(batch)
        return written

    def close(self) -> None:
        """Stop the writer and flush what is queued (a graceful shutdown loses nothing)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self.flush()

    def _take(self, limit: int) -> list[LoggedAnswer]:
        batch: list[LoggedAnswer] = []
        while len(batch) < limit:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _write(self, batch: list[LoggedAnswer]) -> int:
        rows = []
        for event in batch:
            try:
                rows.append(to_row(event, self._pseudonym_key))
            except Exception:  # never fail open: drop it, count it
                self.stats.dropped_redaction += 1
        if not rows:
            return 0
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(AnswerEvent), rows)
        except Exception:
            self.stats.failed_batches += 1
            logger.exception("writing %d answer events failed; they are lost", len(rows))
            return 0
        self.stats.written += len(rows)
        if self._hub is not None:
            for row in rows:
                at = row["at"]
                assert isinstance(at, datetime)
                self._hub.publish({**row, "at": at.isoformat()})
        return len(rows)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except Exception:  # keep the writer alive
                logger.exception("the answer log writer failed")
