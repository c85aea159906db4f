"""An owner key on another owner's documents, everywhere it could act: the policy workflow, a bulk
verify naming its own article and another's, a finding's status and its risk, another owner's
review queue, a reassignment of another's policy to itself, and the review page's forms. Each is
refused (403, or a 404 page for a finding outside its queue) and nothing is written. The role
matrix (tests/web/test_route_matrix.py) tries the owner on its own documents only, and the
workflow matrix (tests/api/test_workflow_matrix.py) articles through the API only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from knowledge_service.audit import AuditEvent
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.freshness.models import Finding
from knowledge_service.http.deps import get_after_write
from tests.api.conftest import PAYMENTS, SUPPORT, auth
from tests.factories import article_text, etag_of, policy_text
from tests.web.test_pages_unit import csrf_of, sign_in

LEGAL = "legal@example.com"  # the seeded policy REFUNDS's owner
OTHERS_ARTICLE = "escalation-process"  # SUPPORT's; the owner key acts for PAYMENTS
OTHERS_FINDING = 2  # on escalation-process


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    app.dependency_overrides[get_after_write] = lambda: lambda _changes: None
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _written(engine: Engine) -> tuple[Any, ...]:
    """What a refused request must leave as it was: the documents' versions, the findings'
    statuses and the audit trail's length."""
    with session_scope(engine) as session:
        versions = tuple(
            content.get_article(session, a).version for a in ("refund-timeframe", OTHERS_ARTICLE)
        )
        policy = content.get_policy(session, "REFUNDS").version
        findings = tuple(f.status for f in session.exec(select(Finding).order_by(Finding.id)))
        audit = len(session.exec(select(AuditEvent)).all())
    return versions, policy, findings, audit


POLICY_TAG = {"If-Match": etag_of("REFUNDS", 1)}
API_REQUESTS: dict[str, dict[str, Any]] = {
    "edit another's policy": {
        "method": "PUT", "url": "/v1/policies/REFUNDS", "headers": POLICY_TAG,
        "json": {"text": policy_text("REFUNDS", clauses={"2.1 Refunds": "Within 3 days."})},
    },
    **{
        f"{action} another's policy": {
            "method": "POST", "url": f"/v1/policies/REFUNDS/{action}", "headers": POLICY_TAG,
            "json": {"reason": "no"} if action == "reject" else None,
        }
        for action in ("submit", "approve", "reject", "discard", "retire")
    },
    "restore another's policy": {
        "method": "POST", "url": "/v1/policies/REFUNDS/restore", "headers": POLICY_TAG,
        "json": {"version": 1},
    },
    "create a policy for another owner": {
        "method": "POST", "url": "/v1/policies", "json": {"text": policy_text("NEW", owner=LEGAL)},
    },
    "create an article for another owner": {
        "method": "POST", "url": "/v1/articles",
        "json": {"text": article_text("brand-new", owner=SUPPORT, intents=["billing.new"])},
    },
    "bulk verify its own article and another's": {
        "method": "POST", "url": "/v1/articles:bulk-verify",
        "json": {"items": [
            {"id": "refund-timeframe", "etag": etag_of("refund-timeframe", 2)},
            {"id": OTHERS_ARTICLE, "etag": etag_of(OTHERS_ARTICLE, 1)},
        ]},
    },
    "acknowledge another's finding": {
        "method": "PATCH", "url": f"/v1/findings/{OTHERS_FINDING}",
        "json": {"status": "acknowledged"},
    },
    "read another owner's review queue": {
        "method": "GET", "url": f"/v1/review-queue?owner={SUPPORT}",
    },
    "reassign another's policy to itself": {
        "method": "POST", "url": "/v1/policies/REFUNDS/reassign", "headers": POLICY_TAG,
        "json": {"owner": PAYMENTS},
    },
    "bulk reassign another's policy to itself": {
        "method": "POST", "url": "/v1/policies:bulk-reassign",
        "json": {"items": [{"id": "REFUNDS", "etag": etag_of("REFUNDS", 1)}], "owner": PAYMENTS},
    },
    "accept the risk of another's finding": {
        "method": "POST", "url": f"/v1/findings/{OTHERS_FINDING}/risk-acceptances",
        "json": {"expires_on": "2026-12-01", "reason": "accepted by another owner"},
    },
}  # fmt: skip


@pytest.mark.sqlite_only("an ownership matrix: the keys decide, not the store")
@pytest.mark.parametrize("name", list(API_REQUESTS))
def test_an_owner_key_is_refused_another_owners_documents_and_writes_nothing(
    client: TestClient, keys: dict[str, str], engine: Engine, name: str
) -> None:
    request = API_REQUESTS[name]
    before = _written(engine)
    headers = auth(keys["owner"]) | request.get("headers", {})
    response = client.request(**{**request, "headers": headers})
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert _written(engine) == before


@pytest.mark.sqlite_only("an ownership matrix: the keys decide, not the store")
def test_the_same_requests_pass_for_an_admin(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """The refusals above are the owner's, not the requests': an admin's bulk verify and status
    change are served."""
    for name in ("bulk verify its own article and another's", "acknowledge another's finding"):
        request = API_REQUESTS[name]
        response = client.request(**{**request, "headers": auth(keys["admin"])})
        assert response.status_code == 200, (name, response.text)


PAGE_FORMS = {
    "verify": {"expected_version": "1"},
    "retire": {"expected_version": "1", "reason": "gone"},
    "edit": {
        "expected_version": "1",
        "text": article_text(
            OTHERS_ARTICLE, owner=SUPPORT, audience="internal", intents=["support.escalate"],
            answer="Changed by another owner.",
        ),
    },
}  # fmt: skip


@pytest.mark.sqlite_only("an ownership matrix: the keys decide, not the store")
def test_the_review_page_refuses_an_owner_another_owners_article_and_finding(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    sign_in(client, keys["owner"])
    token = csrf_of(client.get("/ui/review").text)
    before = _written(engine)
    refused = {}
    for action, form in PAGE_FORMS.items():
        response = client.post(
            f"/ui/review/articles/{OTHERS_ARTICLE}/{action}", data={**form, "csrf_token": token}
        )
        refused[action] = response.status_code
    response = client.post(
        f"/ui/review/findings/{OTHERS_FINDING}/status",
        data={"status": "acknowledged", "csrf_token": token},
    )
    refused["status"] = response.status_code
    assert refused == {"verify": 403, "retire": 403, "edit": 403, "status": 403}
    assert client.get(f"/ui/review/findings/{OTHERS_FINDING}").status_code == 404
    assert client.get(f"/ui/review/articles/{OTHERS_ARTICLE}").status_code == 404
    assert _written(engine) == before
