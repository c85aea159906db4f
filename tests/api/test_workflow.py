"""The workflow routes in process: the lifecycle, ETags, four eyes, bad input, nothing half-applies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.api.routers.workflow_support import get_after_write
from knowledge_service.audit import AuditEvent
from knowledge_service.db import session_scope
from knowledge_service.freshness.pipeline import StoreChanges
from tests.api.conftest import PAYMENTS, auth
from tests.factories import article_text, etag_of, policy_text


@pytest.fixture
def written(app: FastAPI) -> list[StoreChanges]:
    """What the routes handed to the after-write pipeline."""
    calls: list[StoreChanges] = []
    app.dependency_overrides[get_after_write] = lambda: calls.append
    return calls


@pytest.fixture
def wf(app: FastAPI, written: list[StoreChanges]) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def editor_key(engine: Engine) -> str:
    """A second owner key for payments: four eyes need two people."""
    with session_scope(engine) as session:
        return access.create_key(session, name="editor", role=Role.OWNER, owner=PAYMENTS).secret


def events(engine: Engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent)).all())


def post(client: TestClient, key: str, path: str, tag: str | None, **body: Any) -> Any:
    headers = auth(key) | ({"If-Match": tag} if tag else {})
    return client.post(path, headers=headers, json=body or None)


NEW = article_text("card-fees", title="Card fees", intents=["billing.card.fees"], owner=PAYMENTS,
                   answer="A card payment costs 1.5 percent.", status="published")  # fmt: skip


def test_article_walks_from_draft_to_published_to_verified_to_retired_and_back(
    wf: TestClient, keys: dict[str, str], editor_key: str, written: list[StoreChanges]
) -> None:
    created = wf.post("/v1/articles", headers=auth(editor_key), json={"text": NEW})
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "draft" and created.headers["ETag"] == etag_of("card-fees", 1)
    base = "/v1/articles/card-fees"
    submitted = post(wf, editor_key, f"{base}/submit", etag_of("card-fees", 1))
    assert submitted.json()["state"] == "in_review", submitted.text
    approved = post(wf, keys["owner"], f"{base}/approve", etag_of("card-fees", 1))
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["version"]) == ("published", 2)
    verified = post(wf, keys["owner"], f"{base}/verify", etag_of("card-fees", 2))
    assert verified.json()["version"] == 3, verified.text
    shown = wf.get(base, headers=auth(keys["agent"]))
    assert shown.json()["last_reviewed"] == "2026-11-24" and shown.headers["ETag"] == etag_of("card-fees", 3)
    assert shown.json()["next_review"] == "2027-05-23"
    retired = post(wf, keys["owner"], f"{base}/retire", etag_of("card-fees", 3))
    assert retired.json()["state"] == "retired"
    restored = post(wf, keys["owner"], f"{base}/restore", etag_of("card-fees", 4), version=2)
    assert (restored.json()["state"], restored.json()["version"]) == ("draft", 5), restored.text
    assert [sorted(c.article_ids) for c in written] == [["card-fees"]] * 5
    diff = wf.get(f"{base}/diff", params={"from": 2, "to": 3}, headers=auth(keys["owner"]))
    assert {f["field"] for f in diff.json()["fields"]} == {"last_reviewed", "next_review"}


def test_policy_walks_the_same_lifecycle(wf: TestClient, keys: dict[str, str]) -> None:
    text = policy_text("FEES", owner="legal@example.com")
    created = wf.post("/v1/policies", headers=auth(keys["admin"]), json={"text": text})
    assert created.json()["state"] == "draft", created.text
    post(wf, keys["admin"], "/v1/policies/FEES/submit", etag_of("FEES", 1))
    own = post(wf, keys["admin"], "/v1/policies/FEES/approve", etag_of("FEES", 1))
    assert own.status_code == 409 and "four eyes" in own.json()["detail"]
