"""The answer log: a bounded write-behind queue drained into ``answer_event`` in batches.

Recording costs the request a ``put_nowait`` on an in-memory queue; a writer thread redacts
each event and inserts what has queued in one statement per batch. A full queue never blocks or
fails an answer: the event is dropped, counted and reported in the log. What a crash can lose
is bounded by what is queued at that moment (at most ``queue_size`` events, in practice the
last ``flush_interval`` seconds of traffic); :meth:`AnswerLog.close` flushes everything on a
graceful shutdown. An event whose redaction fails is dropped and counted, never written raw.

A batch whose write fails for a reason that passes (the store down or restarting, a dropped
connection, a lock timeout: :func:`~knowledge_service.db.is_transient`) is held and written
again, first, at the next attempt; attempts back off from one flush interval to
:data:`MAX_RETRY_PAUSE`. While a batch is held the queue is not drained, and the held events
count against ``queue_size``, so an outage costs bounded memory: once the queue is full, new
events are dropped and counted. A write can fail after its commit (the connection lost while
the commit was acknowledged), so before a held batch is written again the store is asked
whether its first event is there: a batch is one transaction, all of it or none. Any other
failure (the rows themselves refused) would fail again: that batch is dropped and counted.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import queue
import re
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from knowledge_service.analytics.models import AnswerEvent, RenderedText
from knowledge_service.analytics.stream import EventHub
from knowledge_service.content.models import utcnow
from knowledge_service.db import insert_ignoring_duplicates, is_transient
from knowledge_service.keyfile import KEY_BYTES
from knowledge_service.privacy import redact

logger = logging.getLogger(__name__)

OTHER_WRITERS_MARGIN = 1.0
"""Seconds beyond one flush interval that a lookup waits for an event another worker process
or replica may still hold in its queue (see :attr:`AnswerLog.patience`)."""
MAX_PATIENCE = 5.0
"""The longest a lookup waits, whatever the flush interval: a client asking about a receipt
nobody issued must not hold a request open for long."""
MAX_RETRY_PAUSE = 5.0
"""The longest the writer waits between attempts to write a held batch (see the module's
docstring): a store back from an outage is written to within this, or within one flush
interval when that is longer."""

Row = dict[str, object]


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
    text: str | None = None
    """The answer's text as the channel received it (kept once by its hash: see
    :class:`~knowledge_service.analytics.models.RenderedText`)."""
    at: datetime = field(default_factory=utcnow)


@dataclass
class LogStats:
    """Counters for operations (exported as metrics)."""

    written: int = 0
    dropped_full: int = 0
    dropped_redaction: int = 0
    dropped_write: int = 0
    failed_batches: int = 0


PSEUDONYM_KEY_FILE = "conversation-pseudonym.key"
"""The data folder's key for :func:`conversation_key` (see :mod:`knowledge_service.keyfile`)."""
_OWN_KEY = secrets.token_bytes(KEY_BYTES)
"""The key of a log made without the data folder's (tests, demo traffic, a one-off script):
this process's own, so one conversation still groups together and nobody can reverse it."""


PSEUDONYM_PREFIX, PSEUDONYM_DIGITS = "anon-", 24
PSEUDONYM = re.compile(rf"{PSEUDONYM_PREFIX}[0-9a-f]{{{PSEUDONYM_DIGITS}}}")
"""What :func:`conversation_key` makes: kept as it is wherever stored text is redacted again
(its hex digits may read as a phone number or an IBAN, and redacted would merge with others)."""


def conversation_key(raw: str, key: bytes | None) -> str:
    """What the log keeps of a conversation id: a keyed pseudonym, whatever the id (``anon-``
    and 24 hex digits of HMAC-SHA256 under ``key``; without one, under :data:`_OWN_KEY`).

    The id is the caller's own text, and it may name a customer in a form no redaction rule
    can tell from a machine id: ``sarah.connor``, ``+61412345678``, ``jane_doe_1985``,
    ``whatsapp:Sarah Connor``. Redacting would also merge different ids (``call-0412 345 678``
    and ``call-0499 888 777`` both read ``call-[PHONE]``), and repeat questions are counted per
    conversation: the same id always gives the same pseudonym, different ids different ones.
    The key makes the pseudonym one that nobody without the data folder can reverse by trying
    every phone number or name.
    """
    digest = hmac.new(key or _OWN_KEY, raw.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_DIGITS]


def text_key(text: str) -> str:
    """The key a served text is kept under: its SHA-256, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_row(event: LoggedAnswer, pseudonym_key: bytes | None = None) -> dict[str, object]:
    """The row for ``event`` with every free-text field redacted (raises if redaction does);
    its conversation id becomes a pseudonym (:func:`conversation_key`). The answer's text
    stays under ``text`` beside its key (``text_hash``): :func:`write_rows` keeps it apart."""
    row = asdict(event)
    row["question"] = redact(event.question)
    if event.conversation_id is not None:
        row["conversation_id"] = conversation_key(event.conversation_id, pseudonym_key)
    row["text_hash"] = None if event.text is None else text_key(event.text)
    return row


def event_columns(row: Row) -> Row:
    """The ``answer_event`` columns of a row made by :func:`to_row`: all but its ``text``."""
    return {k: v for k, v in row.items() if k != "text"}


def write_rows(target: Connection | Session, rows: list[Row]) -> None:
    """Insert the answer events of ``rows`` (made by :func:`to_row`) and each text they name
    that the store does not hold yet, in the transaction of ``target`` (a connection, or a
    request's session, which then knows it wrote)."""
    dialect = target.dialect if isinstance(target, Connection) else target.get_bind().dialect
    texts = {r["text_hash"]: r["text"] for r in rows if r.get("text_hash") is not None}
    if texts:
        kept = [{"text_hash": key, "text": text} for key, text in texts.items()]
        target.execute(insert_ignoring_duplicates(RenderedText, dialect), kept)
    events = [event_columns(r) for r in rows]
    target.execute(insert(AnswerEvent), events)


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
        self._bound = queue_size
        self._held: list[Row] = []  # a batch whose write failed, redacted, to be written first
        self._batch_size = batch_size
        self._interval = flush_interval
        self._pause = flush_interval
        self._reported_full = 0
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
        """Events waiting to be written: queued, and held after a failed write."""
        return self._queue.qsize() + len(self._held)

    def start(self) -> None:
        self._thread.start()

    def record(self, event: LoggedAnswer) -> bool:
        """Queue ``event``; False (and counted) when the queue is full, held events included.
        Never blocks."""
        if self._held and self._queue.qsize() + len(self._held) >= self._bound:
            self.stats.dropped_full += 1
            return False
        try:
            self._queue.put_nowait(event)
            return True
        except queue.Full:
            self.stats.dropped_full += 1
            return False

    @property
    def pseudonym_key(self) -> bytes | None:
        """The key this log's conversation pseudonyms are made with (:func:`conversation_key`)."""
        return self._pseudonym_key

    def flush(self) -> int:
        """Write what is held and everything queued now; returns how many events were written.
        Stops at a write that fails for a passing reason: that batch is held for the next."""
        written = 0
        with self._lock:
            if self._held:
                rows, self._held = self._held, []
                written += self._write(rows, maybe_stored=True)
                if self._held:
                    return 0
                logger.info("%d answer events held after a failed write are written", written)
            while not self._held and (batch := self._take(self._batch_size)):
                rows = self._redacted(batch)
                written += self._write(rows) if rows else 0
        return written

    def close(self) -> None:
        """Stop the writer and flush what is queued (a graceful shutdown loses nothing while
        the store can be written; what it cannot write then is lost, and logged)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self.flush()
        self._report_dropped()
        if self.depth:
            logger.error("%d answer events could not be written before shutdown", self.depth)

    def _take(self, limit: int) -> list[LoggedAnswer]:
        batch: list[LoggedAnswer] = []
        while len(batch) < limit:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _redacted(self, batch: list[LoggedAnswer]) -> list[Row]:
        rows = []
        for event in batch:
            try:
                rows.append(to_row(event, self._pseudonym_key))
            except Exception:  # never fail open: drop it, count it
                self.stats.dropped_redaction += 1
        return rows

    def _write(self, rows: list[Row], *, maybe_stored: bool = False) -> int:
        """Insert ``rows`` in one transaction (unless ``maybe_stored`` and they are there
        already); how many were written. When that failed for a passing reason they are held;
        a batch that cannot succeed is dropped and counted."""
        try:
            with self._engine.begin() as conn:
                if not (maybe_stored and _is_stored(conn, rows[0])):
                    write_rows(conn, rows)
        except Exception as exc:
            self.stats.failed_batches += 1
            if not (is_transient(exc) or isinstance(exc, PoolTimeoutError)):
                self.stats.dropped_write += len(rows)
                logger.exception("writing %d answer events failed; they are lost", len(rows))
                return 0
            self._held = rows
            self._pause = min(max(self._pause * 2, self._interval), MAX_RETRY_PAUSE)
            logger.warning(
                "writing %d answer events failed (%s); held, trying again in %.1f s",
                len(rows), type(exc).__name__, max(self._pause, self._interval),
            )  # fmt: skip
            return 0
        self._pause = self._interval
        self.stats.written += len(rows)
        if self._hub is not None:
            for row in rows:
                at = row["at"]
                assert isinstance(at, datetime)
                published = event_columns(row)
                self._hub.publish({**published, "at": at.isoformat()})
        return len(rows)

    def _report_dropped(self) -> None:
        dropped = self.stats.dropped_full - self._reported_full
        if dropped:
            self._reported_full += dropped
            logger.warning("the answer log's queue was full: %d answer events dropped", dropped)

    def _run(self) -> None:
        while not self._stop.wait(max(self._pause, self._interval)):
            try:
                self.flush()
                self._report_dropped()
            except Exception:  # keep the writer alive
                logger.exception("the answer log writer failed")


def _is_stored(conn: Connection, row: Row) -> bool:
    """Whether the event of ``row`` is in the store: its time (to the microsecond), kind,
    redacted question and latency together are taken to name it."""
    e = AnswerEvent.__table__.c  # type: ignore[attr-defined]
    query = select(e.id).where(
        e.at == row["at"], e.kind == row["kind"], e.question == row["question"],
        e.latency_ms == row["latency_ms"],
    ).limit(1)  # fmt: skip
    return conn.execute(query).first() is not None
