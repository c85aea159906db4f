"""A live feed of answer events for dashboards: redacted rows fanned out to subscribers.

The answer log's writer publishes each row after redaction, so a subscriber never sees a raw
question. Each subscriber has a bounded queue; a slow one loses its oldest events (counted)
rather than holding anything up. A closed hub (the server is stopping) ends every subscription
at once and refuses new ones.

A subscriber awaits its next event on the event loop (:meth:`Subscription.next`): an open
stream holds no worker thread, so streams never crowd out the requests served in the pool
(each used to wait in a thread of it, 40 by default, so 40 idle dashboards filled it).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from knowledge_service.errors import ServiceBusyError

_WAKE: dict[str, Any] = {}
"""Put in a closed subscription's queue to end a :meth:`Subscription.next` that is waiting."""


STREAM_RETRY_SECONDS = 10
"""The ``Retry-After`` of a stream refused because the feed has its most subscribers."""


class Subscription:
    """One subscriber's queue."""

    def __init__(self, size: int) -> None:
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=size)
        self.dropped = 0
        self.is_closed = False
        self._ready: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def close(self) -> None:
        """End the subscription: a waiting :meth:`next` returns None at once, as do later ones."""
        self.is_closed = True
        self.put(_WAKE)

    def put(self, event: dict[str, Any]) -> None:
        """Queue ``event`` (from any thread) and wake the awaiting :meth:`next`."""
        while True:
            try:
                self.queue.put_nowait(event)
                break
            except queue.Full:
                try:
                    self.queue.get_nowait()  # drop the oldest
                    self.dropped += 1
                except queue.Empty:
                    pass
        loop, ready = self._loop, self._ready
        if loop is not None and ready is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody awaits
                loop.call_soon_threadsafe(ready.set)

    async def next(self, timeout: float) -> dict[str, Any] | None:
        """The next event, or None after ``timeout`` seconds without one (or a spurious wake)
        and once closed. Awaited on the event loop: waiting holds no thread."""
        if self._ready is None:  # bound to the awaiting loop first; put() wakes it from then
            self._ready = asyncio.Event()
            self._loop = asyncio.get_running_loop()
        self._ready.clear()  # an event queued from here on sets it again
        event = self._take()
        if event is None and not self.is_closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), timeout)
            event = self._take()
        return None if self.is_closed else event

    def _take(self) -> dict[str, Any] | None:
        try:
            event = self.queue.get_nowait()
        except queue.Empty:
            return None
        return None if event is _WAKE else event


class EventHub:
    """Fans events out to every current subscriber."""

    def __init__(self, queue_size: int = 1000, max_subscribers: int = 100) -> None:
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()
        self._queue_size = queue_size
        self.max_subscribers = max_subscribers
        self.is_closed = False

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def add(self) -> Subscription:
        """A new subscription (ServiceBusyError when ``max_subscribers`` are listening, or once
        the hub is closed)."""
        sub = Subscription(self._queue_size)
        with self._lock:
            if self.is_closed:
                raise ServiceBusyError(
                    "the server is stopping: subscribe to another one", retry_after=1
                )
            if len(self._subscribers) >= self.max_subscribers:
                raise ServiceBusyError(
                    f"the live feed has {self.max_subscribers} subscribers, its most "
                    "(KS_ANALYTICS__MAX_STREAMS)",
                    retry_after=STREAM_RETRY_SECONDS,
                )
            self._subscribers.add(sub)
        return sub

    def close(self) -> int:
        """End every subscription and refuse new ones (the server is stopping); returns how
        many were open."""
        with self._lock:
            self.is_closed = True
            subscribers = list(self._subscribers)
        for sub in subscribers:
            sub.close()
        return len(subscribers)

    def remove(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    @contextmanager
    def subscribe(self) -> Iterator[Subscription]:
        """A subscription for the duration of the block."""
        sub = self.add()
        try:
            yield sub
        finally:
            self.remove(sub)

    def publish(self, event: dict[str, Any]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for sub in subscribers:
            sub.put(event)
