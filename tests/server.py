"""A real ``knowledge-service serve`` process on a free port, for tests that stand for a user.

The server's output goes to files (``stdout.log``: the access log; ``stderr.log``: the
application log), so a test can read what the server logged.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

CLI = "from knowledge_service.cli import main; main()"


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def logs(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(
    root: Path, env: dict[str, str], *args: str, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``knowledge-service ARGS`` in a separate process (as an operator would run it); one still
    running after ``timeout`` seconds (a server that started) is killed and fails the test."""
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], env={**os.environ, **env}, cwd=root,
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


@contextmanager
def serving(
    root: Path,
    env: dict[str, str],
    timeout: float = 180,
    *,
    args: Sequence[str] = (),
    until: str = "/readyz",
    command: Sequence[str] = ("-c", CLI, "serve"),
) -> Iterator[Server]:
    """Start ``serve ARGS`` (or Python's ``COMMAND --port PORT ARGS``) with ``env`` added to the
    environment, once ``until`` answers 200; stop it gracefully at the end."""
    port = free_port()
    stdout, stderr = root / "stdout.log", root / "stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, *command, "--port", str(port), *args],
            env={**os.environ, **env}, cwd=root, stdout=out, stderr=err,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, stdout, stderr)
    try:
        _wait_until_ok(server, until, timeout)
        yield server
    finally:
        process.terminate()  # SIGTERM: uvicorn shuts down gracefully (the answer log flushes)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ok(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            if httpx.get(f"{server.base}{path}", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{path} never answered 200:\n{server.logs()}")


def wait_for(predicate: object, timeout: float = 30, interval: float = 0.1) -> None:
    """Poll ``predicate()`` until it is truthy (the store is followed asynchronously)."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
