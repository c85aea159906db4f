"""Logging for the HTTP server: one line per event, each starting with its time (ISO 8601,
UTC, milliseconds), customers' personal data redacted on every handler.

Questions arrive in URLs (``GET /v1/answer?q=...``), bodies and error messages, so every
handler the server logs through carries a :class:`~knowledge_service.privacy.RedactingFilter`.
The access log is the app's own (:class:`AccessLogMiddleware`, logger
``knowledge_service.access``), written when a response is complete, with its duration; it keeps
the route and the parameter names, each query value and path segment redacted. ``serve`` turns
uvicorn's own access log off (it is written before the response's body, without a duration).
"""

from __future__ import annotations

import http
import logging
import time
import urllib.parse
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from knowledge_service.privacy import RedactingFilter, client_address, redact_url

ACCESS_LOGGER = "knowledge_service.access"
ACCESS_FORMAT = '%s - "%s %s HTTP/%s" %d %s %.1fms'
"""An access line's message: client address, method, target (redacted), HTTP version, status,
its phrase and the request's duration in milliseconds (``127.0.0.1:36170 - "GET /readyz
HTTP/1.1" 200 OK 1.9ms``). The target is the third argument, as in uvicorn's access records, so
:class:`~knowledge_service.privacy.RedactingFilter` redacts it as a URL."""

FILTER = "knowledge_service.privacy.RedactingFilter"
FORMATTER = "knowledge_service.http.logging.UtcFormatter"


class UtcFormatter(logging.Formatter):
    """``%(asctime)s`` as ISO 8601 in UTC with milliseconds: ``2026-12-04T09:15:02.481Z``."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def format(self, record: logging.LogRecord) -> str:
        # uvicorn logs its server's life under "uvicorn.error": "INFO uvicorn.error: Started
        # server process" reads as an error to whoever greps the log for one.
        if record.name == "uvicorn.error":
            record.name = "uvicorn"
        return super().format(record)


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's ``log_config``: a timestamp on every line, every handler redacting, the
    service's and uvicorn's loggers at ``level`` (``KS_LOG_LEVEL``); other libraries log
    warnings and worse (or only what ``level`` lets through, when it is stricter)."""
    name = level.upper()
    root = name if logging.getLevelName(name) > logging.WARNING else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": FILTER}},
        "formatters": {
            "default": {"()": FORMATTER, "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "access": {"()": FORMATTER, "fmt": "%(asctime)s %(levelname)s %(message)s"},
        },
        "handlers": {
            "default": {
                "formatter": "default",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["redact"],
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["redact"],
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": name, "propagate": False},
            "uvicorn.error": {"level": name},
            "uvicorn.access": {"handlers": ["access"], "level": name, "propagate": False},
            "knowledge_service": {"handlers": ["default"], "level": name, "propagate": False},
            ACCESS_LOGGER: {"handlers": ["access"], "level": name, "propagate": False},
        },
        "root": {"handlers": ["default"], "level": root},
    }


def redact_existing_handlers() -> None:
    """Add the redacting filter to every handler already configured (an embedding server)."""
    names = ["", "uvicorn", "uvicorn.error", "uvicorn.access", "knowledge_service", ACCESS_LOGGER]
    for name in names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


class AccessLogMiddleware:
    """One access line per HTTP request, written when its response is complete (or when the app
    ends without completing it): client, request line with its target redacted, status and the
    time from the request reaching the app to the response's last byte, in milliseconds. A
    request that raised is logged as the 500 the server answers it with."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        logged = False

        def log() -> None:
            nonlocal logged
            if logged:
                return
            logged = True
            elapsed = (time.perf_counter() - started) * 1000
            address = client_address(scope.get("client"))  # an IP address or "-"
            target = urllib.parse.quote(scope.get("root_path", "") + scope["path"])
            if scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            self.logger.info(
                ACCESS_FORMAT,
                address,
                scope["method"],
                redact_url(target),  # also when a handler without the filter formats it
                scope.get("http_version", "1.1"),
                status,
                _phrase(status),
                elapsed,
                extra={"status_code": status, "duration_ms": round(elapsed, 3)},
            )

        async def logging_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                log()

        try:
            await self.app(scope, receive, logging_send)
        finally:
            log()
