"""Freshness test helpers: the real model (once per session) and the labelled knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

KB = Path(__file__).resolve().parent.parent / "data" / "freshness_kb"


@pytest.fixture(scope="session")
def freshness_minilm() -> Any:
    """The real all-MiniLM-L6-v2 embedder, loaded once per test session."""
    from knowledge_service.index.embedder import SentenceTransformerEmbedder
    from knowledge_service.settings import default_model_path

    return SentenceTransformerEmbedder(default_model_path(), threads=2)
