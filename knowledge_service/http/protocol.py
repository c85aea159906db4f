"""The HTTP/1.1 protocol the server speaks: uvicorn's httptools protocol with two additions.

- A request the parser cannot read (a request line or headers over the parser's limits, or
  malformed) gets problem+json, like every other error, instead of uvicorn's plain text.
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
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from knowledge_service.http.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_PREFIX
from knowledge_service.settings import get_settings

_UNREADABLE = json.dumps(
    {
        "type": PROBLEM_TYPE_PREFIX + "invalid-request",
        "title": "Invalid request",
        "status": 400,
        "detail": "the request line or headers could not be read: too long or malformed "
        "(a question belongs in a POST body)",
    }
).encode()


class DeadlineHttpToolsProtocol(HttpToolsProtocol):
    """httptools with header and body read deadlines and a problem+json 400."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout, self.body_timeout = settings.header_timeout, settings.body_timeout
        self._read_deadline: asyncio.TimerHandle | None = None

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

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.header_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(self.body_timeout)

    def on_message_complete(self) -> None:
        self._disarm()  # the request is read; the keep-alive timeout covers what follows
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        self._disarm()
        head = (
            "HTTP/1.1 400 Bad Request\r\n"
            f"content-type: {PROBLEM_MEDIA_TYPE}\r\n"
            f"content-length: {len(_UNREADABLE)}\r\n"
            "connection: close\r\n\r\n"
        )
        self.transport.write(head.encode("ascii") + _UNREADABLE)
        self.transport.close()
