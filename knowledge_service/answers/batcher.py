"""Micro-batching: concurrent callers share one call of a batch function.

The callers run the batches themselves (flat combining): a caller queues its item, and while it
waits, if fewer than ``workers`` batches are running, it takes what is queued (at most
``max_batch`` items, its own among them) and runs the batch function once in its own thread.
A lone request therefore pays no hand-off to another thread (two thread switches and a wake-up
each way, which on a busy 2-core machine cost milliseconds), and under load the requests that
queued while a batch ran share one encode. With ``workers=2`` two batches run at once: the model
and FAISS release the GIL, so a second batch keeps the second core busy.
When a batch fails, its items are retried one by one, so each caller gets its own result or
its own exception.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Entry(Generic[T, R]):
    """One caller's item and, once its batch has run, its result or exception."""

    __slots__ = ("done", "error", "item", "queued", "result")

    def __init__(self, item: T) -> None:
        self.item = item
        self.queued = True  # in the queue, not yet taken into a batch
        self.done = False
        self.result: R | None = None
        self.error: BaseException | None = None


class MicroBatcher(Generic[T, R]):
    """Runs ``batch_fn`` over items submitted concurrently, in the callers' own threads.

    Args:
        batch_fn: Maps a list of items to a list of results of the same length.
        max_batch: The most items in one call.
        workers: Batches running at once (each in the thread of one of its callers).
    """

    def __init__(
        self,
        batch_fn: Callable[[Sequence[T]], list[R]],
        *,
        max_batch: int = 32,
        workers: int = 1,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        self._batch_fn = batch_fn
        self._max_batch = max_batch
        self._workers = workers
        self._queue: deque[_Entry[T, R]] = deque()
        self._running = 0
        self._cond = threading.Condition()
        self._closed = False

    @property
    def queued(self) -> int:
        """Items waiting for a batch (not yet taken)."""
        with self._cond:
            return len(self._queue)

    def submit(self, item: T) -> R:
        """Queue ``item`` and wait for its result, running batches meanwhile when a slot is
        free (exceptions of ``batch_fn`` for this item are re-raised here).

        Raises:
            RuntimeError: the batcher is closed.
        """
        entry: _Entry[T, R] = _Entry(item)
        with self._cond:
            if self._closed:
                raise RuntimeError("the batcher is closed")
            self._queue.append(entry)
        while True:
            with self._cond:
                while not entry.done and not (entry.queued and self._running < self._workers):
                    self._cond.wait()
                if entry.done:
                    break
                take = min(self._max_batch, len(self._queue))
                batch = [self._queue.popleft() for _ in range(take)]
                for taken in batch:
                    taken.queued = False
                self._running += 1
            try:
                if not self._run_batch(batch) and len(batch) > 1:
                    for one in batch:  # one bad item must not fail its neighbours
                        self._run_batch([one])
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()
        if entry.error is not None:
            raise entry.error
        return entry.result  # type: ignore[return-value]

    def close(self) -> None:
        """Refuse new items; the items already queued are still run by their callers."""
        with self._cond:
            self._closed = True

    def _run_batch(self, batch: list[_Entry[T, R]]) -> bool:
        """Run ``batch_fn`` once and resolve the entries; False when it failed (a lone item's
        caller then gets the exception; a larger batch is left for a retry item by item)."""
        try:
            results = self._batch_fn([entry.item for entry in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"batch_fn returned {len(results)} results for {len(batch)}")
        except BaseException as exc:
            if len(batch) == 1:
                batch[0].error = exc
                batch[0].done = True
            return False
        for entry, result in zip(batch, results, strict=True):
            entry.result = result
            entry.done = True
        return True
