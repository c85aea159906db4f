"""Freshness test helpers: the labelled knowledge base."""

from __future__ import annotations

from pathlib import Path

KB = Path(__file__).resolve().parent.parent / "data" / "freshness_kb"
