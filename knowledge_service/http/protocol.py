"""The HTTP/1.1 protocol the server speaks: uvicorn's httptools protocol with these additions.

- A request the parser cannot read (a request line or headers over the parser's limits, or
  malformed) gets problem+json, like every other error, instead of uvicorn's plain text.
- A request line and headers together over ``MAX_HEAD_BYTES`` (64 KiB) get the same 400: the
  parser itself bounds the request line, not the headers, so a client could otherwise make a
  worker hold megabytes of headers. The head is measured twice, so that no chunking escapes:
  the bytes received while a head is unfinished (a head still arriving, which the parser
  buffers), and the request line and headers the parser hands over (a head that arrived
  whole in one read, whose end the first count never sees).
- After such a 400 the server closes its side and reads (and drops) what the client is still
  sending for up to ``LINGER_SECONDS``, then closes: closing at once with unread input would
  reset the connection, and the client could lose the 400 before reading it.
- When the server stops, the app hears of it before uvicorn waits for the open requests
  (:func:`~knowledge_service.http.shutdown.server_stopping`), so a live event stream ends
  at once instead of holding the stop for the whole graceful timeout.
- Read deadlines against slow clients (slowloris): a connection must send a request's headers
  within ``KS_HEADER_TIMEOUT`` seconds (default 10) of opening or of the request's first byte,
  and its body within ``KS_BODY_TIMEOUT`` seconds (default 30) of the headers; otherwise it is
  closed. Uvicorn has no such
  timeouts of its own (only the keep-alive one between requests).

``serve`` passes :class:`DeadlineHttpToolsProtocol` to uvicorn as its ``http`` implementation
(each worker process reads the timeouts from its settings).
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from knowledge_service.http.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_PREFIX
from knowledge_service.http.shutdown import server_stopping
from knowledge_service.settings import get_settings

_UNREADABLE_DETAIL = (
    "the request line or headers could not be read: too long or malformed "
    "(a question belongs in a POST body)"
)
_MAX_INSTANCE = 2048
"""The longest request path a refused request's problem names as its ``instance``."""


def _unreadable(url: bytes) -> bytes:
    """The 400 problem for a request whose head could not be read; ``instance`` is its path
    when the request line was read whole (and is not itself the excess)."""
    problem: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + "invalid-request",
        "title": "Invalid request",
        "status": 400,
        "detail": _UNREADABLE_DETAIL,
    }
    path = url.split(b"?", 1)[0]
    if path.startswith(b"/") and len(path) <= _MAX_INSTANCE:
        problem["instance"] = urllib.parse.unquote(path.decode("ascii", "replace"))
    return json.dumps(problem).encode()


class _HeadTooLongError(Exception):
    """Raised in a parser callback: the head passed ``MAX_HEAD_BYTES`` (the parser turns it into
    an ``HttpParserError``, which uvicorn answers with :meth:`send_400_response`)."""


MAX_HEAD_BYTES = 64 * 1024
"""The most a request line and its headers may take (browsers send a few KiB at most)."""
LINGER_SECONDS = 2.0
"""How long a refused connection's remaining input is read and dropped before it is closed."""


class DeadlineHttpToolsProtocol(HttpToolsProtocol):
    """httptools with header and body read deadlines and a problem+json 400."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout, self.body_timeout = settings.header_timeout, settings.body_timeout
        self._read_deadline: asyncio.TimerHandle | None = None
        self._head_bytes: int | None = None  # bytes of the head being read; None between heads
        self._head_parsed = 0  # the parsed request line's and headers' bytes of that head
        self._refused = False  # a 400 was sent: input is dropped until the connection ends

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(seconds, self._read_timed_out)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_timed_out(self) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        """uvicorn's graceful stop of this connection (after it stopped listening): first tell
        the app, which ends its never-ending responses, then let the request in flight finish
        and close the connection after it."""
        server_stopping()
        super().shutdown()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        if self._head_bytes is None or self._refused or self.transport.is_closing():
            return
        self._head_bytes += len(data)  # may count a pipelined request's start: bounded by a read
        if self._head_bytes > MAX_HEAD_BYTES:
            self.send_400_response("request head too long")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes, self._head_parsed = 0, len("GET  HTTP/1.1\r\n\r\n")
        self._arm(self.header_timeout)

    def _count_head(self, size: int) -> None:
        self._head_parsed += size
        if self._head_parsed > MAX_HEAD_BYTES:
            raise _HeadTooLongError

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + len(": \r\n"))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._head_bytes = None
        self._arm(self.body_timeout)

    def on_message_complete(self) -> None:
        self._disarm()  # the request is read; the keep-alive timeout covers what follows
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        self._disarm()
        body = _unreadable(getattr(self, "url", b""))
        head = (
            "HTTP/1.1 400 Bad Request\r\n"
            f"content-type: {PROBLEM_MEDIA_TYPE}\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        )
        self.transport.write(head.encode("ascii") + body)
        self._refused, self._head_bytes = True, None
        if self.transport.can_write_eof():
            self.transport.write_eof()  # the client reads the 400, then end of stream
            self._arm(LINGER_SECONDS)  # the deadline closes the connection
        else:
            self.transport.close()
