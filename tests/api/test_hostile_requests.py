"""Hostile requests against a real ``serve`` process: unreadable request lines, oversized
chunked bodies, blank questions and slow clients all get a clear, bounded answer."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import auth, seeded_server_env
from tests.server import Server, serving

pytestmark = pytest.mark.slow

SLOW_CLIENT_BOUND = 20.0  # seconds: generous against the 1 s header timeout set below


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    root = tmp_path_factory.mktemp("hostile-requests")
    env, keys = seeded_server_env(root)
    with serving(root, env | {"KS_HEADER_TIMEOUT": "1", "KS_BODY_TIMEOUT": "2"}) as running:
        yield running, keys


def _connect(server: Server) -> socket.socket:
    host, port = server.base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=SLOW_CLIENT_BOUND)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _problem(raw: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"application/problem+json" in head.lower(), head
    return status, json.loads(body)


def test_a_100_kb_question_in_the_url_gets_problem_json(
    server: tuple[Server, dict[str, str]],
) -> None:
    running, keys = server
    with _connect(running) as sock:
        sock.sendall(
            b"GET /v1/answer?channel=chat&q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + keys["bot"].encode() + b"\r\n\r\n"
        )
        status, body = _problem(_read_all(sock))
    assert status == 400 and str(body["type"]).endswith(":invalid-request")


def _send_head(server: Server, key: str, size: int) -> bytes:
    """Send a request line and ``size`` bytes of headers that never end; what came back."""
    head = b"POST /v1/answer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key.encode()
    with _connect(server) as sock:
        sock.sendall(head + b"\r\n")
        for start in range(0, size, 8192):
            sock.sendall(b"X-Padding-%d: %s\r\n" % (start, b"p" * 8170))
        return _read_all(sock)


def test_headers_over_64_kib_get_problem_json_and_the_worker_goes_on(
    server: tuple[Server, dict[str, str]],
) -> None:
    """The parser bounds the request line but not the headers: the server bounds the head.
    (Without the bound the 70 kB head waits for its end until the header timeout closes it
    with no answer.)"""
    running, keys = server
    status, body = _problem(_send_head(running, keys["bot"], 70_000))
    assert status == 400 and str(body["type"]).endswith(":invalid-request")
    assert "headers" in str(body["detail"])
    # The server reads and drops the rest (up to 2 s), so even a 4 MiB head gets its 400
    # rather than a reset.
    assert _problem(_send_head(running, keys["bot"], 4 << 20))[0] == 400
    ok = httpx.post(
        f"{running.base}/v1/answer",
        json={"q": "how long does a refund take", "channel": "chat"},
        headers=auth(keys["bot"]),
    )
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("headers", "one_read"),
    [
        (b"X-Big: " + b"h" * 70_000 + b"\r\n", True),  # one header over the bound
        (b"".join(b"X-H%d: %s\r\n" % (i, b"h" * 1000) for i in range(70)), True),
        (b"X-Big: " + b"h" * 70_000 + b"\r\n", False),  # the same, byte runs of 4 KiB
    ],
    ids=["one-header-one-read", "many-headers-one-read", "one-header-chunked"],
)
def test_a_head_over_64_kib_gets_400_however_it_arrives(
    server: tuple[Server, dict[str, str]], headers: bytes, one_read: bool
) -> None:
    """A whole head in one read was never counted (its start and end fall in the same read):
    the bound must hold for it as for a head that trickles in."""
    running, _ = server
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n"
    with _connect(running) as sock:
        if one_read:
            sock.sendall(request)
        else:
            for start in range(0, len(request), 4096):
                sock.sendall(request[start : start + 4096])
        raw = _read_all(sock)
    status, body = _problem(raw)
    assert status == 400 and str(body["type"]).endswith(":invalid-request"), raw[:300]
    assert body["instance"] == "/healthz"
    assert b"connection: close" in raw.partition(b"\r\n\r\n")[0].lower()


def test_a_head_just_under_64_kib_is_served(server: tuple[Server, dict[str, str]]) -> None:
    running, _ = server
    with _connect(running) as sock:
        sock.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"X-Big: " + b"h" * 60_000 + b"\r\n\r\n"
        )
        assert _read_all(sock).startswith(b"HTTP/1.1 200")


def test_head_on_the_probes_is_answered_with_no_body(
    server: tuple[Server, dict[str, str]],
) -> None:
    running, _ = server
    for path in ("/healthz", "/readyz"):
        with _connect(running) as sock:
            sock.sendall(
                b"HEAD %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode()
            )
            head, _, body = _read_all(sock).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        assert body == b""


def test_a_10_mb_chunked_body_gets_413_like_a_sized_one(
    server: tuple[Server, dict[str, str]],
) -> None:
    running, keys = server
    chunk = b"x" * 65536
    with _connect(running) as sock:
        sock.sendall(
            b"POST /v1/answer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nAuthorization: Bearer "
            + keys["bot"].encode()
            + b"\r\n\r\n"
        )
        try:
            for _ in range(10 * 16):  # 10 MiB
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the end: the answer is already waiting
        status, body = _problem(sock.recv(65536))
    assert status == 413 and str(body["type"]).endswith(":payload-too-large")
    sized = httpx.post(
        f"{running.base}/v1/answer", content=b"x" * (10 << 20), headers=auth(keys["bot"])
    )
    assert sized.status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/v1/answer?channel=chat&q=%20%20%20",
        "/v1/search?q=%20%09",
        "/v1/search?q=%1F",  # a separator Python strips but the schema's \s keeps (schemathesis)
        "/v1/answer?channel=chat&q=%C2%85%00",
    ],
)
def test_a_question_of_only_spaces_is_refused_as_the_schema_says(
    server: tuple[Server, dict[str, str]], path: str
) -> None:
    running, keys = server
    response = httpx.get(running.base + path, headers=auth(keys["admin"]))
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "q"
    schema = httpx.get(f"{running.base}/openapi.json").json()
    operation = schema["paths"][path.split("?")[0]]["get"]
    q = next(p for p in operation["parameters"] if p["name"] == "q")
    pattern = q["schema"]["pattern"]  # what schema-driven clients and fuzzers read
    unquoted = httpx.URL(running.base + path).params["q"]
    assert re.search(pattern, unquoted) is None and re.search(pattern, " a ") is not None
    body = schema["components"]["schemas"]["AnswerRequest"]["properties"]["q"]
    assert body["pattern"] == pattern


def test_slow_clients_are_disconnected(server: tuple[Server, dict[str, str]]) -> None:
    running, _ = server
    idle = [_connect(running) for _ in range(10)]  # send nothing at all
    partial = [_connect(running) for _ in range(10)]  # headers that never end
    for sock in partial:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    for sock in [*idle, *partial]:
        with sock:
            assert _read_all(sock) == b""  # closed by the server, well within the bound
    assert httpx.get(f"{running.base}/healthz").status_code == 200


def test_an_open_event_stream_does_not_hold_a_stopping_server(
    tmp_path: Path,
) -> None:
    """SIGTERM ends the server although a client keeps the live feed open (it never ends by
    itself): open requests are ended after the graceful-shutdown bound."""
    env, keys = seeded_server_env(tmp_path)
    with serving(tmp_path, env) as running:
        opened = threading.Event()

        def listen() -> None:
            headers = auth(keys["admin"])
            with (
                contextlib.suppress(httpx.HTTPError),
                httpx.stream(
                    "GET", f"{running.base}/v1/events", headers=headers, timeout=None
                ) as stream,
            ):
                for _ in stream.iter_lines():
                    opened.set()

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert opened.wait(30), running.logs()
        running.process.terminate()
        try:
            running.process.wait(timeout=SLOW_CLIENT_BOUND * 3)
        except subprocess.TimeoutExpired:
            pytest.fail("the server waited for the event stream's client to leave")
        listener.join(timeout=SLOW_CLIENT_BOUND)
        assert not listener.is_alive()  # the stream was ended by the server
