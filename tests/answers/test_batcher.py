"""The micro-batcher: every caller gets its own result or its own exception, in any order."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from knowledge_service.answers.batcher import MicroBatcher


class Recorder:
    """A batch function that doubles numbers, records each batch and fails on negatives."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, items: Sequence[int]) -> list[int]:
        self.entered.set()
        self.gate.wait(timeout=30)
        self.batches.append(list(items))
        if any(i < 0 for i in items):
            raise ValueError(f"negative item in {list(items)}")
        return [i * 2 for i in items]


def _wait_for_queue(batcher: MicroBatcher[int, int], size: int) -> None:
    deadline = time.monotonic() + 30
    while batcher.queued < size and time.monotonic() < deadline:
        time.sleep(0.005)
    assert batcher.queued >= size


def test_single_item_gets_its_result() -> None:
    batcher = MicroBatcher(Recorder())
    try:
        assert batcher.submit(21) == 42
    finally:
        batcher.close()


def test_many_threads_each_get_their_own_result() -> None:
    recorder = Recorder()
    batcher = MicroBatcher(recorder, max_batch=8)
    try:
        with ThreadPoolExecutor(max_workers=32) as pool:
            results = list(pool.map(batcher.submit, range(500)))
        assert results == [i * 2 for i in range(500)]
        assert sorted(i for batch in recorder.batches for i in batch) == list(range(500))
        assert max(len(batch) for batch in recorder.batches) <= 8
    finally:
        batcher.close()


def test_waiting_callers_share_one_batch_call() -> None:
    recorder = Recorder()
    batcher = MicroBatcher(recorder, max_batch=32)
    try:
        recorder.gate.clear()  # hold the worker in its first call while the others queue
        with ThreadPoolExecutor(max_workers=10) as pool:
            futures = [pool.submit(batcher.submit, 100)]
            assert recorder.entered.wait(timeout=30)
            futures += [pool.submit(batcher.submit, i) for i in range(9)]
            _wait_for_queue(batcher, 9)
            recorder.gate.set()
            results = [f.result(timeout=30) for f in futures]
        assert results == [200, *[i * 2 for i in range(9)]]
        assert recorder.batches[0] == [100]
        assert sorted(recorder.batches[1]) == list(range(9))  # one call for the nine
    finally:
        batcher.close()


def test_a_failing_batch_gives_each_caller_the_exception() -> None:
    def always_fails(items: Sequence[int]) -> list[int]:
        raise RuntimeError("model crashed")

    batcher: MicroBatcher[int, int] = MicroBatcher(always_fails)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(batcher.submit, i) for i in range(20)]
            for future in futures:
                with pytest.raises(RuntimeError, match="model crashed"):
                    future.result(timeout=30)
    finally:
        batcher.close()


def test_one_bad_item_does_not_fail_its_neighbours() -> None:
    recorder = Recorder()
    batcher = MicroBatcher(recorder, max_batch=32)
    try:
        recorder.gate.clear()
        with ThreadPoolExecutor(max_workers=8) as pool:
            first = pool.submit(batcher.submit, 0)
            assert recorder.entered.wait(timeout=30)
            items = [1, 2, -3, 4, 5]
            futures = [pool.submit(batcher.submit, i) for i in items]
            _wait_for_queue(batcher, len(items))
            recorder.gate.set()
            assert first.result(timeout=30) == 0
            for item, future in zip(items, futures, strict=True):
                if item < 0:
                    with pytest.raises(ValueError, match="negative"):
                        future.result(timeout=30)
                else:
                    assert future.result(timeout=30) == item * 2
        assert any(len(batch) == len(items) for batch in recorder.batches)  # it was batched
    finally:
        batcher.close()


def test_a_batch_function_returning_too_few_results_is_an_error_not_a_hang() -> None:
    batcher: MicroBatcher[int, int] = MicroBatcher(lambda items: [])
    try:
        with pytest.raises(RuntimeError, match="0 results for 1"):
            batcher.submit(1)
    finally:
        batcher.close()


def test_submit_after_close_is_refused() -> None:
    batcher = MicroBatcher(Recorder())
    batcher.close()
    batcher.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        batcher.submit(1)


def test_two_workers_run_two_batches_at_once() -> None:
    both_inside = threading.Barrier(2, timeout=10)
    entered = threading.Event()

    def needs_a_neighbour(items: Sequence[int]) -> list[int]:
        entered.set()
        both_inside.wait()  # breaks (and fails the batch) unless a second batch runs meanwhile
        return [i + 1 for i in items]

    batcher = MicroBatcher(needs_a_neighbour, workers=2)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(batcher.submit, 1)
            assert entered.wait(timeout=30)  # the first batch holds one worker
            second = pool.submit(batcher.submit, 2)
            assert (first.result(timeout=30), second.result(timeout=30)) == (2, 3)
    finally:
        batcher.close()


def test_a_lone_item_runs_in_the_callers_own_thread() -> None:
    threads: list[threading.Thread] = []

    def where(items: Sequence[int]) -> list[int]:
        threads.append(threading.current_thread())
        return list(items)

    batcher = MicroBatcher(where, workers=2)
    assert batcher.submit(7) == 7
    assert threads == [threading.current_thread()]  # no hand-off to another thread


def test_no_more_batches_run_at_once_than_workers() -> None:
    inside = [0]
    most = [0]
    lock = threading.Lock()

    def slow(items: Sequence[int]) -> list[int]:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.002)
        with lock:
            inside[0] -= 1
        return [i + 1 for i in items]

    batcher = MicroBatcher(slow, workers=2, max_batch=4)
    with ThreadPoolExecutor(max_workers=16) as pool:
        assert list(pool.map(batcher.submit, range(300))) == [i + 1 for i in range(300)]
    assert most[0] <= 2


def test_workers_and_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="workers"):
        MicroBatcher(Recorder(), workers=0)
    with pytest.raises(ValueError, match="max_batch"):
        MicroBatcher(Recorder(), max_batch=0)
