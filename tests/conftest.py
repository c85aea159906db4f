"""Shared fixtures: a fresh store per test (SQLite and PostgreSQL) and settings that point at
tmp folders.

Every test that uses ``settings``, ``engine`` or ``database_url`` runs twice, once per store
(``[sqlite]`` and ``[postgresql]`` in its id); ``@pytest.mark.sqlite_only("why")`` keeps an
expensive test that exercises nothing store-specific to SQLite. The PostgreSQL cluster is
started once per session, on first use (:mod:`tests.postgres`); each test gets its own database.

The suite never reads the calendar: ``KS_TODAY`` freezes "today" at :data:`TODAY` for every
``Settings()`` built here and every server or CLI process a test starts (they inherit the
environment). A test that needs another day sets ``settings.today`` or passes ``--today``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy.engine import Engine

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

os.environ["KS_TODAY"] = "2026-11-24"  # the sample knowledge base's reference date

from knowledge_service.db import make_engine
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from tests.postgres import cluster, fresh_database

REPO_ROOT = Path(__file__).resolve().parent.parent


def load_script(name: str) -> ModuleType:
    """``scripts/NAME.py`` as a module (the scripts are no package), registered under its name
    so that its dataclasses and pickles can find it."""
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


TODAY = date.fromisoformat(os.environ["KS_TODAY"])


STORES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_kind" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("store_kind", STORES[:1] if marked else STORES, scope="function")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for the session: its superuser URL."""
    with cluster() as url:
        yield url


@pytest.fixture
def store_kind() -> str:
    return "sqlite"  # replaced by pytest_generate_tests' parameter


@pytest.fixture
def database_url(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty store of the test's kind: a SQLite file or a PostgreSQL database."""
    yield from _empty_database(store_kind, tmp_path / "store.db", request)


@pytest.fixture
def other_database_url(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A fresh, empty database of the other kind than the test's store (``db copy``'s target):
    a PostgreSQL database for a ``[sqlite]`` test, a SQLite file for a ``[postgresql]`` one."""
    other = STORES[1 - STORES.index(store_kind)]
    yield from _empty_database(other, tmp_path / "other" / "store.db", request)


def _empty_database(kind: str, sqlite_file: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if kind == "sqlite":
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)  # `db copy` makes no folder
        yield f"sqlite:///{sqlite_file}"
        return
    with fresh_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
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
