"""Logging for the HTTP server with customers' personal data redacted on every handler.

Questions arrive in URLs (``GET /v1/answer?q=...``), bodies and error messages, so every
handler the server logs through, uvicorn's access log included, carries a
:class:`~knowledge_service.privacy.RedactingFilter`: the access log keeps the
route and the parameter names, each query value redacted.
"""

from __future__ import annotations

import logging
from typing import Any

from knowledge_service.privacy import RedactingFilter

FILTER = "knowledge_service.privacy.RedactingFilter"

LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": FILTER}},
    "formatters": {
        "default": {
            "()": "uvicorn.logging.DefaultFormatter",
            "fmt": "%(levelprefix)s %(name)s: %(message)s",
            "use_colors": None,
        },
        "access": {
            "()": "uvicorn.logging.AccessFormatter",
            "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
        },
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
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "knowledge_service": {"handlers": ["default"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["default"], "level": "WARNING"},
}
"""uvicorn's ``log_config``: its own formats, every handler redacting."""


def redact_existing_handlers() -> None:
    """Add the redacting filter to every handler already configured (an embedding server)."""
    names = ["", "uvicorn", "uvicorn.error", "uvicorn.access", "knowledge_service"]
    for name in names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
