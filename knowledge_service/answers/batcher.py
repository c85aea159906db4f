"""Micro-batching: concurrent callers share one call of a batch function.

Each request thread submits its item and waits; a worker thread takes whatever is queued (at
most ``max_batch`` items; optionally waiting ``max_wait`` seconds for more) and runs the batch
function once. While one batch runs, the next requests queue up, so under load concurrent
questions share one encode and a lone request waits for nothing. With ``workers=2`` two batches
run at once: the model and FAISS release the GIL, and on this model a batch costs about as much
per question as single questions do (encoding ~14-token questions is compute-bound), so under
load a second worker keeps the second core busy where one worker left it half idle.
When a batch fails, its items are retried one by one, so each caller gets its own result or
its own exception.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class MicroBatcher(Generic[T, R]):
    """Runs ``batch_fn`` over items submitted concurrently.

    Args:
        batch_fn: Maps a list of items to a list of results of the same length.
        max_batch: The most items in one call.
        max_wait: Seconds the worker waits for more items after the first one. The default 0
            adds no latency: a batch is whatever queued up while the previous one ran, which
            under load is exactly the concurrent requests.
        workers: Worker threads, each running one batch at a time.
    """

    def __init__(
        self,
        batch_fn: Callable[[Sequence[T]], list[R]],
        *,
        max_batch: int = 32,
        max_wait: float = 0.0,
        workers: int = 1,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._batch_fn = batch_fn
        self._max_batch = max_batch
        self._max_wait = max_wait
        self._queue: queue.Queue[tuple[T, Future[R]] | None] = queue.Queue()
        self._closed = False
        self._state_lock = threading.Lock()  # no item may be queued behind the stop marker
        self._workers = [
            threading.Thread(target=self._run, name=f"batcher-{n}", daemon=True)
            for n in range(workers)
        ]
        for worker in self._workers:
            worker.start()

    def submit(self, item: T) -> R:
        """Queue ``item`` and wait for its result (exceptions are re-raised here).

        Raises:
            RuntimeError: the batcher is closed.
        """
        future: Future[R] = Future()
        with self._state_lock:
            if self._closed:
                raise RuntimeError("the batcher is closed")
            self._queue.put((item, future))
        return future.result()

    def close(self) -> None:
        """Stop the workers after the items already queued."""
        with self._state_lock:
            if self._closed:
                return
            self._closed = True
            for _ in self._workers:
                self._queue.put(None)  # one stop marker per worker
        for worker in self._workers:
            worker.join(timeout=5)

    def _collect(self, first: tuple[T, Future[R]]) -> tuple[list[tuple[T, Future[R]]], bool]:
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                entry = (
                    self._queue.get(timeout=self._max_wait)
                    if self._max_wait > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            if entry is None:
                return batch, True
            batch.append(entry)
        return batch, False

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._collect(first)
            if not self._run_batch(batch) and len(batch) > 1:
                # One bad item must not fail its neighbours: retry each on its own.
                for entry in batch:
                    self._run_batch([entry])
            if stop:
                return

    def _run_batch(self, batch: list[tuple[T, Future[R]]]) -> bool:
        """Run ``batch_fn`` once and resolve the futures; False when it failed (a lone item's
        caller then gets the exception; a larger batch is left for a retry item by item)."""
        try:
            results = self._batch_fn([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"batch_fn returned {len(results)} results for {len(batch)}")
        except BaseException as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
            return False
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
        return True
