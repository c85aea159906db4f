"""``serve`` on a store with nothing in it says so: a mistyped KS_DATABASE_URL makes a new,
empty store, and every request would then be a 401 with no hint why."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.cli.serve import _warn_if_empty
from knowledge_service.db import session_scope


def test_an_empty_store_is_named_with_a_warning(
    engine: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="knowledge_service.cli.serve"):
        _warn_if_empty(engine, database_url)
    (said,) = [r.getMessage() for r in caplog.records]
    assert said.startswith("the store (") and "holds no articles and no keys" in said
    assert "KS_DATABASE_URL" in said


def test_a_store_with_a_key_serves_without_a_warning(
    engine: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with session_scope(engine) as session:
        access.create_key(session, name="k", role=Role.ADMIN)
    with caplog.at_level(logging.WARNING, logger="knowledge_service.cli.serve"):
        _warn_if_empty(engine, database_url)
    assert caplog.records == []
