"""The ``knowledge-service`` command: one Typer sub-module per command group."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

try:  # loading the command takes a second or two: a Ctrl-C meanwhile is no traceback
    from knowledge_service.cli.app import app, main
except KeyboardInterrupt:
    raise SystemExit(130) from None

__all__ = ["app", "main"]
