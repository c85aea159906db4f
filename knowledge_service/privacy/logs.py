"""Request targets, client addresses and log records, redacted before they are written."""

from __future__ import annotations

import ipaddress
import logging
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode

from knowledge_service.privacy.redaction import redact
from knowledge_service.privacy.text import Placeholder, fold

MAX_LOGGED_TARGET = 4096
"""A longer path or query string is named by its length in logs, not redacted and written: no
request the service answers needs one (a question is at most 500 characters), and
redacting tens of kilobytes for a log line would hold the event loop."""


def redact_url(target: str) -> str:
    """A request target (path and query) with its path and every query value redacted, each
    as the service reads it (percent-decoded: ``%40`` is an ``@``)."""
    path, sep, query = target.partition("?")
    if len(path) > MAX_LOGGED_TARGET:
        return f"[a path of {len(path)} characters, not logged]"
    if len(query) > MAX_LOGGED_TARGET:
        return f"{_redact_path(path)}?[a query string of {len(query)} characters, not logged]"
    if not sep:
        return _redact_path(path)
    pairs = [(redact(k), _redact_value(k, v)) for k, v in parse_qsl(query, keep_blank_values=True)]
    return f"{_redact_path(path)}?{urlencode(pairs, safe='[]')}"


OPAQUE_PARAMETERS = frozenset({"conversation_id"})
"""Query parameters whose value is the caller's own id, which may name a customer in a form no
rule finds ("sarah.connor", "jane_doe_1985"): a log keeps that one was sent (``[ID]``), not
what. The answer log keeps it as a keyed pseudonym instead. Read in any case and with any
separators or none (``conversationId``, ``Conversation-ID``): a client that misspells it is
refused (400), and the id it sent must not reach the log either."""
_OPAQUE_NAMES = frozenset(re.sub(r"[\W_]", "", name).lower() for name in OPAQUE_PARAMETERS)


def _redact_value(name: str, value: str) -> str:
    opaque = re.sub(r"[\W_]", "", fold(name)).lower() in _OPAQUE_NAMES
    return str(Placeholder.ID) if opaque and value else redact(value)


def redact_path(path: str) -> str:
    """A request's path as the service read it (percent-decoded), each segment redacted, for
    what an error body echoes (a card number sent as an article id); a path longer than
    :data:`MAX_LOGGED_TARGET` is named by its length."""
    if len(path) > MAX_LOGGED_TARGET:
        return f"[a path of {len(path)} characters]"
    return "/".join(redact(segment) for segment in path.split("/"))


def _redact_path(path: str) -> str:
    """``path`` with each segment redacted as the service reads it (percent-decoded); a segment
    with nothing to redact is kept as sent, a redacted one is percent-encoded again (decoded, it
    could carry a line break into the log)."""
    return "/".join(_redact_segment(segment) for segment in path.split("/"))


def _redact_segment(segment: str) -> str:
    decoded = unquote(segment)
    redacted = redact(decoded)
    return segment if redacted == decoded else quote(redacted, safe="[]")


_ACCESS_LOGGERS = frozenset({"uvicorn.access", "knowledge_service.access"})
"""Loggers whose records carry a client address as their first argument and a request target
as their third."""


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def client_address(client: object) -> str:
    """An access line's client: ``host:port`` when the host is an IP address (and the port a
    number), else ``-``. Behind a proxy the host comes from ``X-Forwarded-For``, which a caller
    writes: anything in it that is not an address (a card number, a name) never reaches a log.
    Takes the ASGI ``client`` pair or uvicorn's ``"host:port"`` text."""
    if isinstance(client, str):
        if _is_ip(client.strip("[]")):
            return client
        host, sep, port = client.rpartition(":")
        client = (host, port) if sep else None
    if not isinstance(client, (tuple, list)) or len(client) != 2:
        return "-"
    host, port = str(client[0]), str(client[1])
    if not _is_ip(host.strip("[]")):
        return "-"
    return f"{host}:{port}" if port.isdigit() else host


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record before any handler formats it.

    An access record (uvicorn's, or the service's own ``knowledge_service.access``) passes the
    client address as its first argument (kept only if it is an IP address:
    :func:`client_address`) and the request target as its third: its query string is parsed and
    each value redacted.
    Other records are formatted once and redacted whole. If redaction itself fails, the record
    is dropped (never written raw).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if record.name in _ACCESS_LOGGERS and isinstance(record.args, tuple):
                record.args = tuple(
                    client_address(a)
                    if i == 0
                    else redact_url(a)
                    if isinstance(a, str) and i == 2
                    else a
                    for i, a in enumerate(record.args)
                )
                return True
            record.msg, record.args = redact(record.getMessage()), None
            if record.exc_info and not record.exc_text:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            elif record.exc_text:
                record.exc_text = redact(record.exc_text)
            return True
        except Exception:  # never fail open
            return False
