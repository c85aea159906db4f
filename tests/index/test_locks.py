"""The readers-writer lock: readers share, a writer is alone."""

from __future__ import annotations

import threading

from knowledge_service.index.locks import ReadWriteLock


def test_readers_share_and_a_writer_waits_for_them() -> None:
    lock = ReadWriteLock()
    events: list[str] = []
    inside = threading.Event()
    release = threading.Event()

    def reader() -> None:
        with lock.read():
            events.append("read")
            inside.set()
            release.wait(5)
        events.append("read-done")

    def writer() -> None:
        with lock.write():
            events.append("write")

    r = threading.Thread(target=reader)
    r.start()
    inside.wait(5)
    with lock.read():  # a second reader gets in while the first holds the lock
        events.append("read2")
    w = threading.Thread(target=writer)
    w.start()
    w.join(0.2)
    assert "write" not in events  # the writer waits for the first reader
    release.set()
    r.join(5)
    w.join(5)
    assert events == ["read", "read2", "read-done", "write"]
