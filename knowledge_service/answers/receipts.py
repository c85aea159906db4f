"""Receipts: a stable id of one exact resolution, so an answer can be proven later."""

from __future__ import annotations

import hashlib
import uuid


def make_receipt(article_id: str, version: int, content_hash: str) -> str:
    """The same article, version and content always give the same receipt, on every channel."""
    digest = hashlib.sha256(f"{article_id}\x1f{version}\x1f{content_hash}".encode()).hexdigest()
    return f"rcpt_{digest[:32]}"


def make_handoff_receipt() -> str:
    """A new receipt for one escalation or no_answer: each hand-off is its own event."""
    return f"rcpt_{uuid.uuid4().hex}"
