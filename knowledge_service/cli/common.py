"""Shared CLI wiring: settings, engine and a console, built once per command."""

from __future__ import annotations

from functools import lru_cache

from rich.console import Console
from sqlalchemy.engine import Engine

from knowledge_service.db import make_engine
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings, get_settings

console = Console()
err_console = Console(stderr=True)


def settings() -> Settings:
    return get_settings()


@lru_cache
def engine() -> Engine:
    """The store's engine with every table created."""
    eng = make_engine(settings().database_url)
    create_all_tables(eng)
    return eng
