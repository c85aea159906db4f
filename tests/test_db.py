"""The engine on PostgreSQL: dropped connections are replaced, transient errors recognised."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from knowledge_service.db import is_transient, make_engine
from tests.postgres import fresh_database

KILL_OTHERS = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE application_name = :name AND pid <> pg_backend_pid()
"""


def test_pooled_connections_dropped_by_the_server_are_replaced(postgres_server: str) -> None:
    with fresh_database(postgres_server) as url:
        engine = make_engine(url, pool_size=2)
        admin = make_engine(url)
        try:
            with engine.connect() as conn:  # one pooled connection, idle after this block
                assert conn.execute(text("SELECT 1")).scalar() == 1
            with admin.connect() as conn:  # the server drops it (a restart, a proxy timeout)
                name = f"knowledge-service pid {os.getpid()}"
                assert conn.execute(text(KILL_OTHERS), {"name": name}).scalars().all() == [True]
            with engine.connect() as conn:  # checked before use: replaced, not handed out dead
                assert conn.execute(text("SELECT 2")).scalar() == 2
        finally:
            engine.dispose()
            admin.dispose()


def test_a_connection_lost_mid_transaction_is_transient(postgres_server: str) -> None:
    with fresh_database(postgres_server) as url:
        engine = make_engine(url)
        try:
            with engine.connect() as conn, pytest.raises(DBAPIError) as caught:
                conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
                conn.execute(text("SELECT 1"))
            assert is_transient(caught.value)
            with engine.connect() as conn, pytest.raises(DBAPIError) as caught:
                conn.execute(text("SELECT * FROM no_such_table"))
            assert not is_transient(caught.value)
        finally:
            engine.dispose()
