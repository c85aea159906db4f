"""Receipts: a stable id of one exact resolution, so an answer can be proven later."""

from __future__ import annotations

import hashlib


def make_receipt(article_id: str, version: int, content_hash: str) -> str:
    """The same article, version and content always give the same receipt, on every channel."""
    digest = hashlib.sha256(f"{article_id}\x1f{version}\x1f{content_hash}".encode()).hexdigest()
    return f"rcpt_{digest[:32]}"
