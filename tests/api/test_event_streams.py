"""Many live ``/v1/events`` streams on a real server: they hold no worker thread, so answers
keep coming while they are open, and the per-process cap refuses one more stream cleanly.

Each open stream used to wait for its next event in a thread of the server's pool (anyio's,
40 threads) for a second at a time, so 40 idle dashboards filled it and every request served
in the pool queued behind their waits (measured once: with 45 streams open, ``GET
/v1/metrics/summary`` took about 1 s, against under 0.15 s now).
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import httpx
import pytest

from knowledge_service.db import make_engine
from tests.api.conftest import auth, issue_keys
from tests.factories import write_article_md
from tests.server import run_cli, serving, wait_for

pytestmark = pytest.mark.slow

THREAD_POOL = 40
"""The size of the server's thread pool (anyio's default)."""
STREAMS = THREAD_POOL + 5
"""Open streams: more than the pool has threads, and the cap the server is given."""


def open_stream(base: str, key: str) -> tuple[socket.socket, bytes]:
    """A ``GET /v1/events`` on its own connection, and what came back until the stream's first
    line (or the whole of a refusal's head)."""
    host, port = base.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=30)
    connection.sendall(
        f"GET /v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n\r\n".encode()
    )
    return connection, read_until(connection, b"\r\n\r\n")


def read_until(connection: socket.socket, marker: bytes, received: bytes = b"") -> bytes:
    """``received`` and what the connection sends next, until ``marker`` (or its end)."""
    while marker not in received:
        chunk = connection.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def read_to_end(connection: socket.socket, received: bytes, within: float) -> bytes:
    """``received`` and what the connection sends until it ends, failing if it has not ended
    ``within`` seconds (a live stream sends a keep-alive every second, so no read waits long)."""
    deadline = time.monotonic() + within
    while chunk := connection.recv(65536):
        received += chunk
        assert time.monotonic() < deadline, f"still open after {within} s: {received[-200:]!r}"
    return received


def imported_store(tmp_path: Path, **settings: str) -> tuple[dict[str, str], dict[str, str]]:
    """A store under ``tmp_path`` with one article imported (the hash embedder) and one key per
    role: the server's environment (with ``settings``) and the keys."""
    env = {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(tmp_path / "data"),
        "KS_EMBEDDING_MODEL": "hash",
        **settings,
    }
    write_article_md(tmp_path / "content", "refund-timeframe")
    assert run_cli(tmp_path, env, "import", str(tmp_path / "content")).returncode == 0
    engine = make_engine(env["KS_DATABASE_URL"])
    keys = issue_keys(engine)
    engine.dispose()
    return env, keys


def threads_of(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_open_streams_hold_no_thread_and_the_cap_refuses_one_more(tmp_path: Path) -> None:
    env, keys = imported_store(
        tmp_path, KS_ANALYTICS__MAX_STREAMS=str(STREAMS), KS_ANALYTICS__FLUSH_INTERVAL="0.05"
    )
    question = {"q": "How long does a refund take?", "channel": "chat"}
    streams: list[tuple[socket.socket, bytes]] = []
    with serving(tmp_path, env) as server:

        def answer() -> httpx.Response:  # a generous timeout: no time is asserted
            return httpx.post(
                f"{server.base}/v1/answer", json=question, headers=auth(keys["agent"]), timeout=60
            )

        assert answer().status_code == 200  # the threads an answer needs are started
        before = threads_of(server.process.pid)
        try:
            for _ in range(STREAMS):
                connection, head = open_stream(server.base, keys["admin"])
                assert head.startswith(b"HTTP/1.1 200 "), head
                streams.append((connection, head))
            # every stream has waited for an event at least once (a keep-alive after it)
            streams = [(c, read_until(c, b": keep-alive", head)) for c, head in streams]
            during = threads_of(server.process.pid)
            assert during - before < 10, (before, during)  # used to grow by the pool's 40

            answered = answer()  # while every stream is open
            assert answered.status_code == 200 and answered.json()["status"] == "answered"
            summary = httpx.get(  # a route served in the thread pool, with its dependencies
                f"{server.base}/v1/metrics/summary", headers=auth(keys["admin"]), timeout=60
            )
            assert summary.status_code == 200, summary.text
            for connection, received in streams:  # each stream got the answer's event
                assert b"event: answer" in read_until(connection, b"event: answer", received)

            refused, head = open_stream(server.base, keys["admin"])
            refused.close()
            status, _, rest = head.partition(b"\r\n")
            assert status == b"HTTP/1.1 503 Service Unavailable", head
            assert b"content-type: application/problem+json" in rest.lower()
            assert b"retry-after: 10" in rest.lower()

            first, _ = streams.pop(0)
            first.close()  # a place frees up once the server sees the client has left

            def reopened() -> bool:
                connection, head = open_stream(server.base, keys["admin"])
                streams.append((connection, head))
                return head.startswith(b"HTTP/1.1 200 ")

            wait_for(reopened, timeout=30, interval=0.5)
        finally:
            for connection, _ in streams:
                connection.close()
    assert "Traceback" not in server.logs()


def test_revoking_the_key_ends_its_open_stream(tmp_path: Path) -> None:
    """A leader's dashboard kept receiving every question after its key was revoked (by the
    CLI, another process): a stream never ends by itself, and its key was read only once. Now
    the stream looks at its key again every few seconds and ends once it is revoked; another
    key's stream goes on."""
    env, keys = imported_store(tmp_path)
    with serving(tmp_path, env) as server:
        revoked, head = open_stream(server.base, keys["leader"])
        kept, kept_head = open_stream(server.base, keys["admin"])
        try:
            assert head.startswith(b"HTTP/1.1 200 ") and kept_head.startswith(b"HTTP/1.1 200 ")
            result = run_cli(tmp_path, env, "keys", "revoke", "test-leader")
            assert result.returncode == 0, result.stderr
            received = read_to_end(revoked, head, within=30)  # the key cache's 5 s, the
            assert received.endswith(b"0\r\n\r\n"), received[-200:]  # stream's own 5 s
            httpx.post(
                f"{server.base}/v1/answer", json={"q": "refund", "channel": "chat"},
                headers=auth(keys["bot"]), timeout=60,
            )  # fmt: skip
            assert b"event: answer" in read_until(kept, b"event: answer", kept_head)
        finally:
            revoked.close()
            kept.close()
    assert "Traceback" not in server.logs()
