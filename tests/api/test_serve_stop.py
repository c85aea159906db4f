"""Stopping ``serve`` (SIGTERM, as a service manager does): it ends what is open, promptly and
without an error in its log, and exits.

Each test runs a real server on a temporary SQLite store, with the hash embedder.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from tests.server import Server, run_cli, serving, wait_for

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


def _unread_by_the_server(server_port: int, client_port: int) -> int | None:
    """Bytes our connection sent that the server has not read yet (Linux: the receive queue
    of the server's end in /proc/net/tcp); None while the kernel lists no such end."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, queues = fields[1], fields[2], fields[4]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == (
            client_port
        ):
            return int(queues.split(":")[1], 16)
    return None


def _admin_key(tmp_path: Path, env: dict[str, str]) -> str:
    created = run_cli(tmp_path, env, "keys", "create", "--role", "admin", "--name", "ops")
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def test_an_open_event_stream_ends_when_the_server_stops(tmp_path: Path) -> None:
    """A live ``/v1/events`` stream never ends by itself: it used to hold SIGTERM for the whole
    10 s graceful timeout, then uvicorn cancelled it with an ERROR line. Now the server ends the
    stream as it stops (a clean end of the response: the client may reconnect elsewhere)."""
    env = _env(tmp_path)
    with serving(tmp_path, env) as server:
        _stop_with_a_stream_open(server, _admin_key(tmp_path, env))
    assert server.process.returncode == 0
    logs = server.logs()
    assert "the server is stopping: ended 1 live event stream(s) (/v1/events)" in logs, logs
    assert " ERROR " not in logs and "Traceback" not in logs, logs
    assert '"GET /v1/events HTTP/1.1" 200 OK' in logs  # logged once complete, like any request


def test_under_a_plain_uvicorn_command_an_open_stream_ends_when_the_server_stops(
    tmp_path: Path,
) -> None:
    """Under uvicorn's own command (its protocol, not ``serve``'s) a stream used to hold the
    stop for uvicorn's graceful timeout, which that command leaves unbounded: the server never
    stopped. The app's lifespan now ends its streams on the stop signal too. uvicorn's command
    ends by raising SIGTERM again once it has stopped gracefully (status -15, 143 in a shell;
    ``serve`` turns that into 0)."""
    env = _env(tmp_path)
    command = ("-m", "uvicorn", "knowledge_service.app:create_app", "--factory")
    with serving(tmp_path, env, command=command) as server:
        _stop_with_a_stream_open(server, _admin_key(tmp_path, env))
    assert server.process.returncode == -signal.SIGTERM, server.logs()
    logs = server.logs()
    assert "Finished server process" in logs and "ERROR" not in logs, logs
    assert "Traceback" not in logs and '"GET /v1/events HTTP/1.1" 200' in logs, logs


def _stop_with_a_stream_open(server: Server, key: str) -> None:
    """Open a ``/v1/events`` stream, send SIGTERM, and require the server to exit within
    ``STOPPED_WITHIN`` s and the stream to end cleanly."""
    received: list[str] = []
    failed: list[Exception] = []
    connected = threading.Event()

    def listen() -> None:
        try:
            with httpx.stream(
                "GET", f"{server.base}/v1/events", headers={"Authorization": f"Bearer {key}"},
                timeout=30,
            ) as response:  # fmt: skip
                for line in response.iter_lines():
                    received.append(line)
                    connected.set()
        except Exception as exc:  # reported below
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
        pytest.fail(f"still running {STOPPED_WITHIN} s after SIGTERM:\n{server.logs()}")
    listener.join(timeout=30)
    assert not listener.is_alive() and not failed, failed  # the response ended cleanly


def _read_response(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_lets_the_request_in_flight_finish_then_exits_0(
    tmp_path: Path, workers: int
) -> None:
    """A request in flight when SIGTERM arrives is answered in full (the server drains, with one
    worker or several), and ``serve`` then exits 0 either way: with one worker it used to exit
    143 (killed by SIGTERM, which uvicorn raises again after its graceful stop) while
    ``--workers 2`` exited 0. The request is held open by its client, which sends half its body,
    and the signal is sent once the server has read what was sent, so "in flight" is a state
    the test controls, not a race."""
    env = _env(tmp_path)
    key = _admin_key(tmp_path, env)
    body = json.dumps({"q": "how do I pay a late fee?", "channel": "chat"}).encode()
    head = (
        f"POST /v1/answer HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with serving(tmp_path, env, args=("--workers", str(workers))) as server:
        port = int(server.base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            connection.sendall(head + body[:10])  # the app has the request, awaiting the rest
            # ... once the server has read it: under load, a SIGTERM sent before then found no
            # request in flight (the connection not yet accepted, or its head not yet parsed)
            client_port = connection.getsockname()[1]
            wait_for(lambda: _unread_by_the_server(port, client_port) == 0, timeout=60)
            server.process.send_signal(signal.SIGTERM)
            wait_for(lambda: "Waiting for connections to close" in server.logs(), timeout=30)
            connection.sendall(body[10:])
            response = _read_response(connection)
        server.process.wait(timeout=60)  # generous: a stop takes well under a second
    status_line, _, rest = response.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 200 OK", (response, server.logs())
    assert b"connection: close" in rest.lower()  # answered, then closed: the server is stopping
    assert json.loads(rest.split(b"\r\n\r\n", 1)[1])["status"]
    assert server.process.returncode == 0, server.logs()
    logs = server.logs()
    assert " ERROR " not in logs and "Traceback" not in logs, logs
    assert logs.count("Finished server process") == workers, logs  # each worker's clean stop
