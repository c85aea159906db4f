"""``kill -9`` of ``serve --workers 2``'s supervisor ends its workers too (Linux: each worker
asks the kernel for SIGTERM when its parent dies), so the port is free for a restart instead of
held by orphaned workers that go on serving."""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from tests.server import serving, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG: Linux"),
]

WORKERS = 2
DEADLINE = 60
"""Seconds the workers are given to end after their parent: generous, not a timing claim."""


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent id; None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]  # after the command name, which may hold ")"
    return state, int(ppid)


def _workers_of(parent: int) -> set[int]:
    """The parent's child processes that are uvicorn workers (multiprocessing spawn)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is None or stat[1] != parent:
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")  # a zombie serves nothing


def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    env = {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(tmp_path / "data"),
        "KS_EMBEDDING_MODEL": "hash",
    }
    workers: set[int] = set()
    try:
        with serving(tmp_path, env, args=("--workers", str(WORKERS))) as server:
            parent = server.process.pid
            opened = r"the search index is open at store version \d+ \(process (\d+)\)"
            wait_for(lambda: len(set(re.findall(opened, server.logs()))) == WORKERS, timeout=120)
            workers = _workers_of(parent)
            assert len(workers) == WORKERS, (workers, server.logs())
            port = int(server.base.rsplit(":", 1)[1])

            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            deadline = time.monotonic() + DEADLINE
            while time.monotonic() < deadline and any(_running(pid) for pid in workers):
                time.sleep(0.2)
            left = [pid for pid in workers if _running(pid)]
            assert not left, f"workers {left} outlived their parent:\n{server.logs()}"

            with socket.socket() as again:  # a restart can listen on the port
                again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
                again.bind(("127.0.0.1", port))
    finally:
        for pid in workers:  # never leave an orphan serving, whatever failed
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


class _FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[int, ...]] = []

    def prctl(self, *args: int) -> int:
        self.calls.append(args)
        return 0


@pytest.mark.parametrize("parent_alive", [True, False])
def test_a_worker_asks_for_sigterm_then_checks_its_parent_is_still_there(
    monkeypatch: pytest.MonkeyPatch, parent_alive: bool
) -> None:
    """The race: a parent that died before prctl took effect sends no signal, so the worker
    sees its parent id changed and exits itself (the kernel is not asked for real here: the
    test process must not end with its own parent)."""
    from types import SimpleNamespace

    from knowledge_service import app

    libc = _FakeLibc()
    monkeypatch.setattr(app.ctypes, "CDLL", lambda *a, **k: libc)
    monkeypatch.setattr(app.multiprocessing, "parent_process", lambda: SimpleNamespace(pid=4242))
    monkeypatch.setattr(app.os, "getppid", lambda: 4242 if parent_alive else 1)
    if parent_alive:
        app.end_with_parent()
    else:
        with pytest.raises(SystemExit):
            app.end_with_parent()
    assert libc.calls == [(app.PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)]
