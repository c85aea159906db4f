"""Shared fixtures: a fresh SQLite store per test and settings that point at tmp folders.

The suite never reads the calendar: ``KS_TODAY`` freezes "today" at :data:`TODAY` for every
``Settings()`` built here and every server or CLI process a test starts (they inherit the
environment). A test that needs another day sets ``settings.today`` or passes ``--today``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

os.environ["KS_TODAY"] = "2026-11-24"  # the sample knowledge base's reference date

from knowledge_service.db import make_engine
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
TODAY = date.fromisoformat(os.environ["KS_TODAY"])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        data_dir=tmp_path / "data",
        content_dir=tmp_path / "content",
        policies_dir=tmp_path / "policies",
        today=TODAY,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings.database_url)
    create_all_tables(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The real all-MiniLM-L6-v2 (torch), loaded once for the whole test session."""
    from knowledge_service.index.embedder import SentenceTransformerEmbedder
    from knowledge_service.settings import default_model_path

    return SentenceTransformerEmbedder(default_model_path(), threads=2)
