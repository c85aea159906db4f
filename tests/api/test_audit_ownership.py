"""``GET /v1/audit`` for owner keys: each sees the events of the documents it owns, articles
and policy sources, and of the findings touching them, whatever filter it gives; never another
owner's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.db import session_scope
from knowledge_service.http.deps import get_after_write
from tests.api.conftest import PAYMENTS, SUPPORT, auth
from tests.factories import etag_of, policy_text

LEGAL = "legal@example.com"  # the seeded REFUNDS policy's owner


@pytest.fixture
def owners(engine: Engine) -> dict[str, str]:
    """An owner key for each owner of the seeded store: payments (refund-timeframe, finding 1),
    support (escalation-process, new-fees, finding 2) and legal (the REFUNDS policy, which
    finding 1 cites)."""
    with session_scope(engine) as session:
        return {
            owner: access.create_key(session, name=name, role=Role.OWNER, owner=owner).secret
            for name, owner in (("pay", PAYMENTS), ("sup", SUPPORT), ("legal", LEGAL))
        }


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    app.dependency_overrides[get_after_write] = lambda: lambda _changes: None
    with TestClient(app) as test_client:
        yield test_client


def _objects(client: TestClient, key: str, query: str = "") -> set[tuple[str, str]]:
    response = client.get(f"/v1/audit?limit=100{query}", headers=auth(key))
    assert response.status_code == 200, response.text
    page: Any = response.json()
    assert page["total"] == len(page["items"]), query
    return {(e["object_type"], e["object_id"]) for e in page["items"]}


def _act(client: TestClient, owners: dict[str, str]) -> None:
    """Each owner does something on its own documents: payments and support acknowledge their
    findings; support writes a policy source of its own (FEES) and submits it."""
    for owner, finding in ((PAYMENTS, 1), (SUPPORT, 2)):
        change = {"status": "acknowledged", "note": f"seen by {owner}"}
        acked = client.patch(f"/v1/findings/{finding}", headers=auth(owners[owner]), json=change)
        assert acked.status_code == 200, acked.text
    text = policy_text("FEES", owner=SUPPORT)
    created = client.post("/v1/policies", headers=auth(owners[SUPPORT]), json={"text": text})
    assert created.status_code == 201, created.text
    submit = auth(owners[SUPPORT]) | {"If-Match": etag_of("FEES", 1)}
    assert client.post("/v1/policies/FEES/submit", headers=submit).status_code == 200


PAYMENTS_SEES = {("article", "refund-timeframe"), ("finding", "1")}
SUPPORT_SEES = {
    ("article", "escalation-process"), ("article", "new-fees"), ("finding", "2"),
    ("policy", "FEES"),
}  # fmt: skip
LEGAL_SEES = {("policy", "REFUNDS"), ("finding", "1")}


def test_each_owner_sees_its_own_articles_policies_and_their_findings_only(
    api: TestClient, owners: dict[str, str]
) -> None:
    _act(api, owners)
    seen = {owner: _objects(api, key) for owner, key in owners.items()}
    assert seen == {PAYMENTS: PAYMENTS_SEES, SUPPORT: SUPPORT_SEES, LEGAL: LEGAL_SEES}
    assert _objects(api, owners[SUPPORT], "&object_type=policy") == {("policy", "FEES")}
    assert _objects(api, owners[LEGAL], "&object_type=policy&object_id=REFUNDS") == {
        ("policy", "REFUNDS")
    }
    assert _objects(api, owners[LEGAL], "&object_type=finding") == {("finding", "1")}


FILTERS = [
    "",
    "&object_type=policy",
    "&object_type=finding",
    "&object_type=finding&object_id=2",
    "&object_type=api_key",
    "&object_type=article",
    "&actor=sup",
    "&actor=key:sup",
    f"&actor={SUPPORT}",
    "&actor=import",
    "&since=2000-01-01",
    "&until=2999-01-01",
    "&since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z",
]


def test_no_filter_shows_an_owner_another_owner_s_events(
    api: TestClient, owners: dict[str, str]
) -> None:
    """Support's events (its articles, its finding, its policy, its key's steps) stay hidden
    from payments and legal however they filter (one test: the seeding is the slow part)."""
    _act(api, owners)
    for query in FILTERS:
        assert _objects(api, owners[PAYMENTS], query) <= PAYMENTS_SEES, query
        assert _objects(api, owners[LEGAL], query) <= LEGAL_SEES, query


@pytest.mark.parametrize(
    ("owner", "query"),
    [
        (PAYMENTS, "&article_id=escalation-process"),
        (PAYMENTS, "&object_type=article&object_id=new-fees"),
        (PAYMENTS, "&object_type=policy&object_id=REFUNDS"),
        (PAYMENTS, "&object_type=policy&object_id=FEES"),
        (LEGAL, "&object_type=policy&object_id=FEES"),
        (LEGAL, "&article_id=refund-timeframe"),
    ],
)
def test_an_owner_naming_another_owner_s_document_is_refused(
    api: TestClient, owners: dict[str, str], owner: str, query: str
) -> None:
    _act(api, owners)
    response = api.get(f"/v1/audit?limit=10{query}", headers=auth(owners[owner]))
    assert response.status_code == 403, response.text
    assert "does not own" in response.json()["detail"]


def _actors(client: TestClient, key: str, query: str = "") -> set[tuple[str, str, str]]:
    response = client.get(f"/v1/audit?limit=100{query}", headers=auth(key))
    assert response.status_code == 200, response.text
    return {(e["actor"], e["object_type"], e["object_id"]) for e in response.json()["items"]}


def test_an_owner_keeps_its_own_events_of_a_document_reassigned_away_and_no_more(
    api: TestClient, keys: dict[str, str], owners: dict[str, str]
) -> None:
    """Payments acknowledges the finding on refund-timeframe and verifies it; an admin gives
    the article to support, which retires it and reopens the finding. Payments' own two
    events stay in its trail (they vanished with the article: the scope was its current
    documents only), whichever filter names them; support's later events on the article and the
    finding, and the admin's reassignment, never show to payments."""
    pay, sup, base = owners[PAYMENTS], owners[SUPPORT], "/v1/articles/refund-timeframe"
    change = {"status": "acknowledged"}
    assert api.patch("/v1/findings/1", headers=auth(pay), json=change).status_code == 200
    verify = auth(pay) | {"If-Match": etag_of("refund-timeframe", 2)}
    assert api.post(f"{base}/verify", headers=verify).status_code == 200
    moved = api.post(
        f"{base}/reassign", json={"owner": SUPPORT},
        headers=auth(keys["admin"]) | {"If-Match": etag_of("refund-timeframe", 3)},
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    retire = auth(sup) | {"If-Match": etag_of("refund-timeframe", 4)}
    assert api.post(f"{base}/retire", headers=retire).status_code == 200
    reopened = api.patch("/v1/findings/1", headers=auth(sup), json={"status": "open"})
    assert reopened.status_code == 200, reopened.text

    own = {("key:pay", "finding", "1"), ("pay", "article", "refund-timeframe")}
    assert _actors(api, pay) == own
    assert _actors(api, pay, "&article_id=refund-timeframe") == own
    named = "&object_type=article&object_id=refund-timeframe"
    assert _actors(api, pay, named) == {("pay", "article", "refund-timeframe")}
    assert _actors(api, pay, "&object_type=finding&object_id=1") == {("key:pay", "finding", "1")}
    for query in ("&actor=sup", "&actor=key:sup", "&actor=test-admin"):
        assert _actors(api, pay, query) == set(), query
    # the new owner reads the article's whole trail, payments' events included
    assert own | {("sup", "article", "refund-timeframe"), ("key:sup", "finding", "1")} <= (
        _actors(api, sup, "&article_id=refund-timeframe")
    )
    # a document payments never acted on stays another owner's: 403, as before
    other = api.get("/v1/audit?object_type=article&object_id=escalation-process", headers=auth(pay))
    assert other.status_code == 403, other.text
