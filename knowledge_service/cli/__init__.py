"""The ``knowledge-service`` command: one Typer sub-module per command group."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from knowledge_service.cli.app import app, main

__all__ = ["app", "main"]
