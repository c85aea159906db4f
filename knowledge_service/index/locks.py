"""Locks around the index: within a process, a readers-writer lock (searches share the index, a
mutation has it to itself); between the processes of one machine, turns on a lock file in the
index folder (the first to come builds and saves the bundle, the next ones load it)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: each process opens the index on its own
    fcntl = None  # type: ignore[assignment]

INDEX_OPEN_LOCK = "index-open.lock"
"""The lock file (in the index folder) the processes of one machine take turns on to build or
open the index: server workers at start, and the CLI's ``index rebuild``/``status``/``search``
and after-write index syncs."""


@contextmanager
def taking_turns(path: Path, waiting: Callable[[], object] | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (waiting for the process that holds it, after
    calling ``waiting`` if there is one); the operating system drops it when its holder ends, a
    kill -9 included."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield  # closing the file drops the lock


def index_turn(bundle: Path) -> AbstractContextManager[None]:
    """Take this machine's turn on the index whose bundle is at ``bundle``."""
    return taking_turns(bundle.parent / INDEX_OPEN_LOCK)


class ReadWriteLock:
    """Many readers or one writer; a waiting writer goes before new readers (no starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: self._writers_waiting == 0)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                self._cond.wait_for(lambda: self._readers == 0)
            finally:
                self._writers_waiting -= 1
            try:
                yield
            finally:
                self._cond.notify_all()
