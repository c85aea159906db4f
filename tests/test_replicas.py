"""Proof on one machine: three ``serve`` replicas on loopback share one PostgreSQL store.

Each replica has a data folder of its own (as on separate machines) and follows the store. An
article published through one is served by all three within the sync interval; the replica
holding the check lease (the advisory lock) is killed and another takes the lease over; no
finding is ever stored twice; a key revoked elsewhere stops working on every replica within
the key cache's bound.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from knowledge_service.access import service as access
from knowledge_service.access.key_cache import KEY_CACHE_SECONDS
from knowledge_service.access.schemas import Role
from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.freshness.lease import CHECK_LOCK_KEY
from knowledge_service.models_registry import create_all_tables
from tests.api.conftest import auth
from tests.api.test_workflow_server import OWNER, TEXT  # lost-card, overdue for review
from tests.factories import etag_of, write_article_md
from tests.postgres import fresh_database
from tests.server import Server, serving, wait_for

pytestmark = pytest.mark.slow

SYNC_INTERVAL = 1.0
HOLDER = """
SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = :key AND l.granted
"""


def _seed(engine: Engine, content: Path) -> dict[str, str]:
    create_all_tables(engine)
    write_article_md(
        content, "refund-timeframe", owner=OWNER, last_reviewed="2025-06-01",
        next_review="2026-01-01",
    )  # fmt: skip
    import_content(engine, [content], max_file_bytes=1 << 20)
    with session_scope(engine) as session:
        return {
            name: access.create_key(session, name=name, role=role, owner=owner).secret
            for name, role, owner in [
                ("ann", Role.OWNER, OWNER), ("bob", Role.OWNER, OWNER), ("agent", Role.AGENT, None),
                ("bot", Role.BOT, None),
            ]
        }  # fmt: skip


@pytest.fixture
def store(postgres_server: str, tmp_path: Path) -> Iterator[tuple[str, Engine, dict[str, str]]]:
    with fresh_database(postgres_server) as url:
        engine = make_engine(url)
        try:
            yield url, engine, _seed(engine, tmp_path / "content")
        finally:
            engine.dispose()


def lease_holder(engine: Engine) -> int | None:
    """The process id of the replica holding the check lease (from its connection's name)."""
    with engine.connect() as conn:
        names = conn.execute(text(HOLDER), {"key": CHECK_LOCK_KEY}).scalars().all()
    return int(names[0].rsplit(" ", 1)[1]) if names else None


def versions_found(server: Server, key: str) -> list[int]:
    response = httpx.get(
        f"{server.base}/v1/search", params={"q": "lost card freeze replacement", "top_k": 5},
        headers=auth(key), timeout=30,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return [
        hit["version"] for hit in response.json()["results"] if hit["article_id"] == "lost-card"
    ]


def publish(server: Server, keys: dict[str, str]) -> None:
    """Create lost-card through one replica; ann submits it and bob approves it (version 2)."""
    base = server.base + "/v1/articles"
    created = httpx.post(base, json={"text": TEXT}, headers=auth(keys["ann"]), timeout=60)
    assert created.status_code == 201, created.text
    for who, action in (("ann", "submit"), ("bob", "approve")):
        headers = auth(keys[who]) | {"If-Match": etag_of("lost-card", 1)}
        done = httpx.post(f"{base}/lost-card/{action}", headers=headers, timeout=60)
        assert done.status_code == 200, done.text


def answer_status(server: Server, key: str) -> int:
    response = httpx.get(
        f"{server.base}/v1/answer", params={"q": "refund", "channel": "chat"},
        headers=auth(key), timeout=30,
    )  # fmt: skip
    return response.status_code


def duplicated_findings(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT fingerprint, COUNT(*) FROM finding GROUP BY fingerprint HAVING COUNT(*) > 1"
        ))  # fmt: skip
        return [(row[0], row[1]) for row in rows]


def last_check(engine: Engine) -> str:
    """When a check last saw a finding (every check sees the two overdue reviews)."""
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT MAX(last_seen_at) FROM finding")).scalar())


def open_kinds(engine: Engine, article_id: str) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT kind, article_ids FROM finding WHERE status = 'open'")
        ).all()
    return sorted(kind for kind, ids in rows if article_id in str(ids))


def test_three_replicas_share_one_store_and_hand_the_check_over(
    store: tuple[str, Engine, dict[str, str]], tmp_path: Path
) -> None:
    url, engine, keys = store
    with ExitStack() as stack:
        replicas: list[Server] = []
        for n in range(3):
            root = tmp_path / f"replica{n}"
            root.mkdir()
            env = {"KS_DATABASE_URL": url, "KS_DATA_DIR": str(root / "data"),
                   "KS_EMBEDDING_MODEL": "hash",
                   "KS_INDEX__SYNC_INTERVAL": str(SYNC_INTERVAL)}  # fmt: skip
            replicas.append(stack.enter_context(serving(root, env)))
        pids = {server.process.pid: server for server in replicas}
        holder = lease_holder(engine)
        assert holder in pids  # exactly one replica checks
        assert open_kinds(engine, "refund-timeframe") == ["review_overdue"]

        publish(replicas[0], keys)
        published = time.monotonic()
        for server in replicas:
            wait_for(lambda s=server: versions_found(s, keys["agent"]) == [2], timeout=30)
        elapsed = time.monotonic() - published
        print(f"\nall three replicas served the new version {elapsed:.2f} s after the approval")
        assert elapsed < SYNC_INTERVAL + 10  # a generous bound (the watermark poll's interval)
        wait_for(lambda: "review_overdue" in open_kinds(engine, "lost-card"), timeout=30)

        checked = last_check(engine)
        os.kill(holder, signal.SIGKILL)  # the lease holder dies without a word
        pids.pop(holder).process.wait(timeout=30)
        wait_for(lambda: lease_holder(engine) in pids, timeout=60)  # another takes it over
        wait_for(lambda: last_check(engine) > checked, timeout=60)  # ...with a full check
        assert all(versions_found(server, keys["agent"]) == [2] for server in pids.values())

        assert all(answer_status(server, keys["bot"]) == 200 for server in pids.values())
        with session_scope(engine) as session:  # as `keys revoke` does, from another process
            access.revoke_key(session, "bot")
        revoked = time.monotonic()
        for server in pids.values():  # each cached the key: it stops within the cache's bound
            wait_for(lambda s=server: answer_status(s, keys["bot"]) == 401, timeout=30)
        elapsed = time.monotonic() - revoked
        print(f"both replicas refused the revoked key {elapsed:.2f} s after the revocation")
        assert elapsed < KEY_CACHE_SECONDS + 10  # a generous bound (KEY_CACHE_SECONDS)

    assert duplicated_findings(engine) == []
    assert open_kinds(engine, "lost-card") == ["review_overdue"]
    assert open_kinds(engine, "refund-timeframe") == ["review_overdue"]
