"""API fixtures: a small store, one key per role and a TestClient over the real app.

Heavy objects are overridden through ``create_app``: the engine is the test's SQLite file and
the search service is :class:`FakeSearchService` (only ``status()`` is used by these routes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.app import create_app
from knowledge_service.content import service as content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from tests.factories import write_article_md, write_policy_md

PAYMENTS = "payments@example.com"
SUPPORT = "support@example.com"


@dataclass
class FakeIndexStatus:
    index_watermark: int
    store_watermark: int

    @property
    def is_current(self) -> bool:
        return self.index_watermark == self.store_watermark


class FakeSearchService:
    """Reports a settable index watermark against a fixed store watermark."""

    embedder = None  # the draft check then compares only articles sharing an intent or clause
    cache = None

    def __init__(self, index_watermark: int = 0, store_watermark: int = 0) -> None:
        self.index_watermark = index_watermark
        self.store_watermark = store_watermark

    def status(self) -> FakeIndexStatus:
        return FakeIndexStatus(self.index_watermark, self.store_watermark)


def seed_store(engine: Engine, root: Path) -> None:
    """Three articles (one with two versions, one internal, one draft) and one policy."""
    articles, policies = root / "content", root / "policies"
    write_article_md(articles, "refund-timeframe", owner=PAYMENTS, policy_sources=["REFUNDS#2.1"])
    write_article_md(
        articles,
        "escalation-process",
        owner=SUPPORT,
        audience="internal",
        title="How agents escalate",
        intents=["support.escalate"],
        answer="Escalate to a [team lead](javascript:alert(2)) with <script>alert(1)</script> "
        "**the case id**.",
    )
    write_article_md(
        articles,
        "new-fees",
        owner=SUPPORT,
        status="draft",
        title="New fees",
        intents=["billing.fees"],
    )
    write_policy_md(policies, "REFUNDS")
    content.import_content(engine, [articles, policies], max_file_bytes=1 << 20)
    write_article_md(
        articles,
        "refund-timeframe",
        owner=PAYMENTS,
        policy_sources=["REFUNDS#2.1"],
        answer="Refunds reach your account within 5 business days.",
    )
    content.import_content(engine, [articles, policies], max_file_bytes=1 << 20)
    seed_findings(engine)


def seed_findings(engine: Engine) -> None:
    """A blocking finding on refund-timeframe (payments) and an info one on escalation-process."""
    findings = [
        FindingData.create(
            FindingKind.POLICY_MISMATCH,
            ["refund-timeframe"],
            "The article says 5 business days; REFUNDS#2.1 says 10 business days.",
            [Evidence(article_id="refund-timeframe", version=2, text="within 5 business days")],
            policy_id="REFUNDS",
            clause="2.1",
            fact_key="duration",
        ),
        FindingData.create(
            FindingKind.REVIEW_DUE_SOON,
            ["escalation-process"],
            "The article is due for review within 14 days.",
            [Evidence(article_id="escalation-process", text="next_review: 2027-06-01")],
        ),
    ]
    with session_scope(engine) as session:
        freshness.sync_findings(session, findings, covered=lambda _row: False)


def issue_keys(engine: Engine) -> dict[str, str]:
    """One key per role (the owner key owns refund-timeframe) and a revoked admin key."""
    keys: dict[str, str] = {}
    with session_scope(engine) as session:
        for role in Role:
            owner = PAYMENTS if role == Role.OWNER else None
            keys[role] = access.create_key(
                session, name=f"test-{role}", role=role, owner=owner
            ).secret
        keys["revoked"] = access.create_key(session, name="old", role=Role.ADMIN).secret
        access.revoke_key(session, "old")
    return keys


@pytest.fixture
def search_service() -> FakeSearchService:
    return FakeSearchService()


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    return issue_keys(engine)


@pytest.fixture
def app(
    settings: Settings, engine: Engine, search_service: FakeSearchService, tmp_path: Path
) -> FastAPI:
    seed_store(engine, tmp_path)
    return create_app(settings, engine=engine, search_service=search_service)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def seeded_server_env(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A seeded SQLite store under ``root`` for a real server (hash embedder): the server's
    environment and the role keys."""
    url = f"sqlite:///{root / 'store.db'}"
    engine = make_engine(url)
    create_all_tables(engine)
    seed_store(engine, root)
    keys = issue_keys(engine)
    engine.dispose()
    env = {"KS_DATABASE_URL": url, "KS_DATA_DIR": str(root / "data"), "KS_EMBEDDING_MODEL": "hash"}
    return env, keys
