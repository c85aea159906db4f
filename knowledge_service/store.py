"""The store's engine as the settings describe it (URL and, for PostgreSQL, pool sizes)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from knowledge_service.db import make_engine
from knowledge_service.settings import Settings


def engine_for(settings: Settings) -> Engine:
    return make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
