"""Every /v1 route needs a key; each role reaches exactly the routes the role table allows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from knowledge_service.access import service as access
from knowledge_service.access.key_cache import key_cache
from knowledge_service.access.models import ApiKey
from knowledge_service.access.schemas import Role
from knowledge_service.app import create_app
from knowledge_service.content.models import utcnow
from knowledge_service.db import session_scope
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings
from tests.api.conftest import auth, seed_store

READ_ROUTES = [
    "/v1/articles",
    "/v1/articles/refund-timeframe",
    "/v1/articles/refund-timeframe/versions",
    "/v1/articles/refund-timeframe/versions/1",
    "/v1/policies",
    "/v1/policies/REFUNDS",
    "/v1/findings",
    "/v1/articles/refund-timeframe/workflow",
    "/v1/articles/refund-timeframe/diff?from=1&to=2",
    "/v1/policies/REFUNDS/workflow",
    "/v1/policies/REFUNDS/diff?from=1&to=1",
    "/v1/articles/refund-timeframe/check",  # agents: the served version's check
]
# The review queue and the audit trail: owner keys (their own articles) and admins.
OWNER_ROUTES = ["GET /v1/review-queue", "GET /v1/audit"]
# Finding 1 is on refund-timeframe, which the owner key's owner owns.
UPDATE_FINDING = "PATCH /v1/findings/1"
# Bots may only ask for answers (and never on the agent channel: see tests/api/test_answers.py).
ANSWER = "GET /v1/answer?q=how+long+does+a+refund+take&channel=chat"
SEARCH = "GET /v1/search?q=refund"
POST_ANSWER = "POST /v1/answer"
UNKNOWN_RECEIPT = "rcpt_" + "0" * 32
FEEDBACK = "POST /v1/feedback"  # an unknown receipt: 404 once the role may give feedback
RECEIPT = f"GET /v1/receipts/{UNKNOWN_RECEIPT}"  # likewise 404 once the role may read receipts
SUMMARY = "GET /v1/metrics/summary?from=2026-11-18&to=2026-11-24"
GAPS = "GET /v1/metrics/gaps"
PROMETHEUS = "GET /metrics"
EXPORT = "GET /v1/export/feedback"
EVENTS = "GET /v1/events"  # a stream: only its refusals are in the matrix (see test_analytics)
ROUTES = [f"GET {path}" for path in READ_ROUTES] + [
    UPDATE_FINDING, ANSWER, POST_ANSWER, SEARCH, FEEDBACK, RECEIPT, SUMMARY, GAPS, PROMETHEUS,
    EXPORT, *OWNER_ROUTES,
]  # fmt: skip
AGENT = {f"GET {path}" for path in READ_ROUTES} | {ANSWER, POST_ANSWER, SEARCH, FEEDBACK, RECEIPT}
ALLOWED = {
    "bot": {ANSWER, POST_ANSWER, FEEDBACK},
    "agent": AGENT,
    "owner": AGENT | {UPDATE_FINDING, *OWNER_ROUTES},
    # A team lead: an agent's reading and the measures, never an edit or a finding's status.
    "leader": AGENT | {SUMMARY, GAPS, PROMETHEUS, EXPORT},
    "admin": set(ROUTES),
}
SUCCESS = {FEEDBACK: 404, RECEIPT: 404}
BODIES = {
    UPDATE_FINDING: {"status": "acknowledged"},
    POST_ANSWER: {"q": "how long does a refund take", "channel": "chat"},
    FEEDBACK: {"receipt": UNKNOWN_RECEIPT, "rating": "helpful"},
}
MATRIX = [(role, route) for role in ALLOWED for route in ROUTES] + [
    (role, EVENTS) for role in ("bot", "agent", "owner")
]


@pytest.fixture
def app(settings: Settings, engine: Engine, tmp_path: Path) -> FastAPI:
    """The conftest app with a real search service (hash embedder), so that /v1/answer and
    /v1/search run end to end for the roles allowed to call them."""
    seed_store(engine, tmp_path)
    search = SearchService(settings, engine, HashEmbedder())
    search.open()
    return create_app(settings, engine=engine, search_service=search)


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
@pytest.mark.parametrize(("role", "route"), MATRIX, ids=[f"{r}:{p}" for r, p in MATRIX])
def test_role_matrix(client: TestClient, keys: dict[str, str], role: str, route: str) -> None:
    method, path = route.split(" ", 1)
    response = client.request(method, path, headers=auth(keys[role]), json=BODIES.get(route))
    expected = SUCCESS.get(route, 200) if route in ALLOWED[role] else 403
    assert response.status_code == expected, response.text
    if expected == 403:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 403


def test_every_v1_route_is_in_the_role_matrix(app: FastAPI) -> None:
    """A new route must be added to the matrix above (and so get a role decision)."""
    v1 = {path for path in app.openapi()["paths"] if path.startswith("/v1/")}
    covered = {
        "/v1/articles",
        "/v1/articles/{article_id}",
        "/v1/articles/{article_id}/versions",
        "/v1/articles/{article_id}/versions/{version}",
        "/v1/policies",
        "/v1/policies/{policy_id}",
        "/v1/findings",
        "/v1/findings/{finding_id}",
        "/v1/findings/{finding_id}/risk-acceptances",  # POST, admins: test_review_canary.py
        "/v1/answer",
        "/v1/search",
        "/v1/feedback",
        "/v1/receipts/{receipt}",
        "/v1/metrics/summary",
        "/v1/metrics/gaps",
        "/v1/events",
        "/v1/export/{table}",
        "/v1/articles/{article_id}/workflow",
        "/v1/articles/{article_id}/diff",
        "/v1/articles/{article_id}/check",
        "/v1/policies/{policy_id}/workflow",
        "/v1/policies/{policy_id}/diff",
        "/v1/review-queue",
        "/v1/audit",
    }
    # The workflow's writes have their own matrix (every role x action x own/another's
    # article): tests/api/test_workflow_matrix.py.
    workflow_writes = {
        f"/v1/{plural}{suffix}"
        for plural, doc in (("articles", "{article_id}"), ("policies", "{policy_id}"))
        for suffix in (
            "",
            f"/{doc}",
            *(
                f"/{doc}/{a}"
                for a in ("submit", "approve", "reject", "discard", "retire", "restore", "reassign")
            ),
            ":bulk-reassign",
        )
    } | {"/v1/articles/{article_id}/verify", "/v1/articles:bulk-verify"}
    assert v1 == covered | workflow_writes


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, None),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, None),
        ({"Authorization": "Bearer"}, None),
        ({"Authorization": "Bearer not-a-key"}, "invalid_token"),
        ({"Authorization": "Bearer ks_000000000000_" + "x" * 43}, "invalid_token"),
    ],
    ids=["missing", "basic-scheme", "empty-bearer", "malformed", "unknown"],
)
@pytest.mark.parametrize("route", ROUTES)
def test_missing_or_unknown_key_is_401_problem(
    client: TestClient, headers: dict[str, str], error: str | None, route: str
) -> None:
    method, path = route.split(" ", 1)
    response = client.request(method, path, headers=headers, json={"status": "resolved"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer")
    if error:
        assert f'error="{error}"' in challenge
    body = response.json()
    assert body["status"] == 401 and body["title"] and body["detail"] and body["type"]


def test_revoked_key_is_401(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get("/v1/articles", headers=auth(keys["revoked"]))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_expired_key_is_401_saying_it_expired(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    with session_scope(engine) as session:
        issued = access.create_key(session, name="temp", role=Role.AGENT, expires_in_days=7)
    assert client.get("/v1/articles", headers=auth(issued.secret)).status_code == 200
    with session_scope(engine) as session:
        key = session.exec(select(ApiKey).where(ApiKey.name == "temp")).one()
        key.expires_at = utcnow() - timedelta(seconds=1)
        session.add(key)
    key_cache(engine).forget(issued.key.prefix)
    response = client.get("/v1/articles", headers=auth(issued.secret))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("unauthenticated") and "has expired" in body["detail"]
    assert issued.key.prefix not in body["detail"] and "temp" not in body["detail"]


def test_two_authorization_headers_are_a_400(client: TestClient, keys: dict[str, str]) -> None:
    """An agent's key and a bot's in two headers was served with the first: a proxy checking
    the other would have let through a request its rules refuse."""
    for first, second in (("agent", "bot"), ("bot", "agent")):
        two = [
            ("Authorization", f"Bearer {keys[first]}"),
            ("Authorization", f"Bearer {keys[second]}"),
        ]
        response = client.get("/v1/articles", headers=two)
        assert response.status_code == 400, response.text
        (error,) = response.json()["errors"]
        assert error["parameter"] == "Authorization" and "more than once" in error["problem"]
    assert client.get("/v1/articles", headers=auth(keys["agent"])).status_code == 200


def test_probes_need_no_key(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)


def test_openapi_declares_bearer_security_on_every_v1_operation(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    for path, item in document["paths"].items():
        for operation in item.values():
            if path.startswith("/v1/") or path == "/metrics":  # /metrics: leaders and admins
                assert operation["security"] == [{"bearerAuth": []}], path
                assert {"401", "403"} <= set(operation["responses"]), path
            else:
                assert "security" not in operation, path


# Writes a role may not make are refused (403) whatever the request holds: FastAPI reads a
# JSON body before any dependency, so the role check runs again before a 400 is given.
CALLABLE_WRITES = {"POST /v1/answer", "POST /v1/feedback"}  # every role may call these
PATH_VALUES = {"{article_id}": "refund-timeframe", "{policy_id}": "REFUNDS", "{finding_id}": "1"}
BAD_REQUESTS: dict[str, dict[str, Any]] = {
    "wrong-shape": {"json": {"unexpected": [1]}},
    "malformed-json": {"content": b'{"text": ', "headers": {"Content-Type": "application/json"}},
    "a-list": {"json": [1, 2]},
    "undeclared-query": {"json": {}, "params": {"nonsense": "1"}},
}


def _write_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every write operation under /v1, with the seeded store's ids in its path."""
    routes = []
    for path, item in app.openapi()["paths"].items():
        for method in item:
            if path.startswith("/v1/") and method in ("post", "put", "patch", "delete"):
                for name, value in PATH_VALUES.items():
                    path = path.replace(name, value)
                routes.append((method.upper(), path))
    return routes


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
@pytest.mark.parametrize("bad", list(BAD_REQUESTS))
@pytest.mark.parametrize("role", ["bot", "agent", "leader"])
def test_a_write_the_role_may_not_make_is_403_whatever_the_body(
    app: FastAPI, client: TestClient, keys: dict[str, str], role: str, bad: str
) -> None:
    request = BAD_REQUESTS[bad]
    refused = {}
    for method, path in _write_routes(app):
        if f"{method} {path}" in CALLABLE_WRITES:
            continue
        headers = auth(keys[role]) | {"If-Match": '"x-v1"'} | request.get("headers", {})
        kwargs = {k: v for k, v in request.items() if k != "headers"}
        response = client.request(method, path, headers=headers, **kwargs)
        refused[f"{method} {path}"] = response.status_code
        if response.status_code == 403:
            assert response.headers["content-type"] == "application/problem+json"
    assert len(refused) >= 20
    assert {route: status for route, status in refused.items() if status != 403} == {}


ADMIN_ONLY_WRITES = ("reassign", "risk-acceptances")
"""What of the writes only an admin may make: an owner key, which may make the others."""


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
@pytest.mark.parametrize("bad", list(BAD_REQUESTS))
def test_an_owner_is_403_on_an_admins_write_whatever_the_body(
    app: FastAPI, client: TestClient, keys: dict[str, str], bad: str
) -> None:
    """Reassigning once told an owner key what was wrong with its body (400) before saying it
    may not reassign at all."""
    request = BAD_REQUESTS[bad]
    refused = {}
    for method, path in _write_routes(app):
        if not path.endswith(ADMIN_ONLY_WRITES):
            continue
        headers = auth(keys["owner"]) | {"If-Match": '"x-v1"'} | request.get("headers", {})
        kwargs = {k: v for k, v in request.items() if k != "headers"}
        refused[f"{method} {path}"] = client.request(method, path, headers=headers, **kwargs)
    assert len(refused) == 5  # reassign and bulk reassign of both kinds, a risk acceptance
    assert {route: r.status_code for route, r in refused.items() if r.status_code != 403} == {}
    assert all("owner key may not do this" in r.json()["detail"] for r in refused.values())


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
@pytest.mark.parametrize("bad", list(BAD_REQUESTS))
def test_a_write_without_a_key_is_401_whatever_the_body(
    app: FastAPI, client: TestClient, bad: str
) -> None:
    request = BAD_REQUESTS[bad]
    statuses = {}
    for method, path in _write_routes(app):
        kwargs = {k: v for k, v in request.items() if k != "headers"}
        response = client.request(method, path, headers=request.get("headers", {}), **kwargs)
        statuses[f"{method} {path}"] = response.status_code
    assert {route: status for route, status in statuses.items() if status != 401} == {}
