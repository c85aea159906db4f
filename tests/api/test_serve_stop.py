"""Stopping ``serve`` (SIGTERM, as a service manager does): it ends what is open, promptly and
without an error in its log, and exits.

Each test runs a real server on a temporary SQLite store, with the hash embedder.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from tests.server import run_cli, serving

pytestmark = pytest.mark.slow

STOPPED_WITHIN = 8
"""Seconds a stopping server is given to exit: generous (it takes well under one), but under
the 10 s graceful timeout that an open event stream used to use up."""


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(tmp_path / "data"),
        "KS_EMBEDDING_MODEL": "hash",
    }


def _admin_key(tmp_path: Path, env: dict[str, str]) -> str:
    created = run_cli(tmp_path, env, "keys", "create", "--role", "admin", "--name", "ops")
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def test_an_open_event_stream_ends_when_the_server_stops(tmp_path: Path) -> None:
    """A live ``/v1/events`` stream never ends by itself: it used to hold SIGTERM for the whole
    10 s graceful timeout, then uvicorn cancelled it with an ERROR line. Now the server ends the
    stream as it stops (a clean end of the response: the client may reconnect elsewhere)."""
    env = _env(tmp_path)
    headers = {"Authorization": f"Bearer {_admin_key(tmp_path, env)}"}
    with serving(tmp_path, env) as server:
        received: list[str] = []
        failed: list[Exception] = []
        connected = threading.Event()

        def listen() -> None:
            try:
                with httpx.stream(
                    "GET", f"{server.base}/v1/events", headers=headers, timeout=30
                ) as response:
                    for line in response.iter_lines():
                        received.append(line)
                        connected.set()
            except Exception as exc:  # reported by the test below
                failed.append(exc)
            finally:
                connected.set()

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert connected.wait(timeout=30) and received[:1] == [": connected"], (failed, received)

        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=STOPPED_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve still running {STOPPED_WITHIN} s after SIGTERM:\n{server.logs()}")
        listener.join(timeout=30)
        assert not listener.is_alive() and not failed, failed  # the response ended cleanly
    logs = server.logs()
    assert "the server is stopping: ended 1 live event stream(s) (/v1/events)" in logs, logs
    assert " ERROR " not in logs and "Traceback" not in logs, logs
    assert '"GET /v1/events HTTP/1.1" 200 OK' in logs  # logged once complete, like any request
