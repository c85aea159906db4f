"""Every route the app serves, API and pages, by method, with the roles it admits: a route added
without a rule here fails :func:`test_every_route_has_a_rule`, and each rule is tried against the
real app for every role (and for a caller with no key or no session).

A refusal for the role is a 403 (an API problem saying what the role "may not do", or a page
saying the role may not use it or act there); an admitted caller gets anything but that, a 401
or a 500 (a 400 for the empty request, a 404, a 409 are the route's own answers). Which
documents an owner may change, and the workflow's states, have their own matrices
(tests/api/test_workflow_matrix.py, tests/api/test_auth.py): here the owner key acts on its own
article (refund-timeframe) and finding (1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine
from starlette.routing import Mount, Route

from knowledge_service.api.routers import ROUTERS as API_ROUTERS
from knowledge_service.app import create_app
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings
from knowledge_service.web.routes import ROUTERS as PAGE_ROUTERS
from tests.api.conftest import auth, issue_keys, seed_store
from tests.web.test_pages_unit import csrf_of, sign_in

PUBLIC = "public"
"""No key and no session needed."""
EVERYONE = frozenset({"bot", "agent", "owner", "leader", "admin"})
READERS = frozenset({"agent", "owner", "leader", "admin"})
EDITORS = frozenset({"owner", "admin"})
MEASURES = frozenset({"leader", "admin"})
ADMIN = frozenset({"admin"})
SIGNED_IN = READERS  # a bot key never signs in to pages

DOCUMENT_ACTIONS = ("submit", "approve", "reject", "retire", "restore", "discard")

API_RULES: dict[str, frozenset[str] | str] = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /openapi.json": PUBLIC,
    "GET /v1/answer": EVERYONE,
    "POST /v1/answer": EVERYONE,
    "POST /v1/feedback": EVERYONE,
    "GET /v1/search": READERS,
    "GET /v1/receipts/{receipt}": READERS,
    "GET /v1/findings": READERS,
    "PATCH /v1/findings/{finding_id}": EDITORS,
    "POST /v1/findings/{finding_id}/risk-acceptances": ADMIN,
    "GET /v1/metrics/summary": MEASURES,
    "GET /v1/metrics/gaps": MEASURES,
    "GET /v1/export/{table}": MEASURES,
    "GET /v1/events": MEASURES,
    "GET /metrics": MEASURES,
    "GET /v1/review-queue": EDITORS,
    "GET /v1/audit": EDITORS,
    "POST /v1/articles/{article_id}/verify": EDITORS,
    "POST /v1/articles:bulk-verify": EDITORS,
    **{
        rule: roles
        for plural, doc in (("articles", "{article_id}"), ("policies", "{policy_id}"))
        for rule, roles in {
            f"GET /v1/{plural}": READERS,
            f"GET /v1/{plural}/{doc}": READERS,
            f"GET /v1/{plural}/{doc}/workflow": READERS,
            f"GET /v1/{plural}/{doc}/diff": READERS,
            f"POST /v1/{plural}": EDITORS,
            f"PUT /v1/{plural}/{doc}": EDITORS,
            **{f"POST /v1/{plural}/{doc}/{action}": EDITORS for action in DOCUMENT_ACTIONS},
            f"POST /v1/{plural}/{doc}/reassign": ADMIN,
            f"POST /v1/{plural}:bulk-reassign": ADMIN,
        }.items()
    },
    "GET /v1/articles/{article_id}/versions": READERS,
    "GET /v1/articles/{article_id}/versions/{version}": READERS,
    "GET /v1/articles/{article_id}/check": READERS,
}
PAGE_RULES: dict[str, frozenset[str] | str] = {
    "GET /": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /redoc": PUBLIC,
    "GET /ui/static": PUBLIC,  # the vendored scripts and styles
    "GET /ui/login": PUBLIC,
    "POST /ui/login": PUBLIC,
    "GET /ui": SIGNED_IN,
    "POST /ui/logout": SIGNED_IN,
    "GET /ui/assist": READERS,
    "POST /ui/assist/answer": READERS,
    "POST /ui/assist/feedback": READERS,
    "GET /ui/assist/articles/{article_id}": READERS,
    "GET /ui/assist/handoff": READERS,
    "GET /ui/assist/handoff/{receipt}": READERS,
    "GET /ui/review": EDITORS,
    "GET /ui/review/findings/{finding_id}": EDITORS,
    "GET /ui/review/articles/{article_id}": EDITORS,
    "GET /ui/review/policies/{policy_id}": EDITORS,
    "POST /ui/review/findings/{finding_id}/status": EDITORS,
    "POST /ui/review/articles/{article_id}/{action}": EDITORS,
    "POST /ui/review/findings/{finding_id}/accept-risk": ADMIN,
    "GET /ui/insights": MEASURES,
    "GET /ui/insights/measures.csv": MEASURES,
    "GET /ui/insights/{table}.csv": MEASURES,
}
RULES = API_RULES | PAGE_RULES

RECEIPT = "rcpt_" + "0" * 32
VALUES = {
    "{article_id}": "refund-timeframe", "{policy_id}": "REFUNDS", "{finding_id}": "1",
    "{version}": "1", "{receipt}": RECEIPT, "{table}": "answers", "{action}": "verify",
}  # fmt: skip
CONCRETE = {"GET /ui/static": "/ui/static/app.js"}
STREAMS = {"GET /v1/events"}
"""Routes that answer an admitted caller with a stream that does not end: only their refusals
are tried here (tests/api/test_event_streams.py tries the rest)."""


def served_routes(app: FastAPI) -> set[str]:
    """Every ``METHOD /path`` the app answers: the routers' routes (in the API's schema or not),
    the schema's operations, and what the app serves outside any router (the schema itself,
    the static files)."""
    found: set[str] = set()
    for router in [*API_ROUTERS, *PAGE_ROUTERS]:
        for route in router.routes:
            assert isinstance(route, APIRoute), route
            found |= {f"{method} {route.path}" for method in route.methods}
    for path, item in app.openapi()["paths"].items():
        found |= {f"{method.upper()} {path}" for method in item}
    for route in app.router.routes:
        if isinstance(route, Mount):
            found.add(f"GET {route.path}")
        elif isinstance(route, Route):
            found |= {f"{method} {route.path}" for method in route.methods or ()}
    return {rule for rule in found if not rule.startswith("HEAD ")}


def _concrete(rule: str) -> tuple[str, str]:
    method, path = rule.split(" ", 1)
    path = CONCRETE.get(rule, path)
    for name, value in VALUES.items():
        path = path.replace(name, value)
    return method, path


@pytest.fixture
def app(settings: Settings, engine: Engine, tmp_path: Path) -> FastAPI:
    """The seeded store, with a real search service (hash embedder): /metrics reads its index."""
    seed_store(engine, tmp_path)
    search = SearchService(settings, engine, HashEmbedder())
    search.open()
    return create_app(settings, engine=engine, search_service=search)


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    return issue_keys(engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.sqlite_only("the app's routes: the store plays no part")
def test_every_route_has_a_rule(app: FastAPI) -> None:
    """A route (or a method on a path) added without a decision on who may use it."""
    served = served_routes(app)
    assert served - set(RULES) == set(), "routes without a rule"
    assert set(RULES) - served == set(), "rules for routes the app does not serve"


def _refused_for_the_role(response: Response) -> bool:
    """A 403 for the caller's role ("an owner key may not do this (needs: admin)"), not for
    another owner's document, which this matrix does not decide."""
    return response.status_code == 403 and "key may not do this" in response.json()["detail"]


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_api_route_admits_exactly_the_roles_its_rule_names(
    client: TestClient, keys: dict[str, str], role: str
) -> None:
    wrong = {}
    for rule, roles in API_RULES.items():
        admitted = roles == PUBLIC or role in roles
        if admitted and rule in STREAMS:
            continue
        method, path = _concrete(rule)
        headers = auth(keys[role]) | {"If-Match": '"refund-timeframe-v2"'}
        response = client.request(method, path, headers=headers, json={})
        if (
            response.status_code >= 500
            or (admitted and (response.status_code == 401 or _refused_for_the_role(response)))
            or (not admitted and response.status_code != 403)
        ):
            wrong[rule] = (response.status_code, response.text[:200])
    assert wrong == {}


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
def test_without_a_key_only_the_public_api_routes_answer(client: TestClient) -> None:
    wrong = {}
    for rule, roles in API_RULES.items():
        method, path = _concrete(rule)
        response = client.request(method, path, json={})
        expected_refusal = roles != PUBLIC
        if (response.status_code == 401) != expected_refusal or response.status_code >= 500:
            wrong[rule] = response.status_code
    assert wrong == {}


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
@pytest.mark.parametrize("role", sorted(SIGNED_IN))
def test_each_page_admits_exactly_the_roles_its_rule_names(
    client: TestClient, keys: dict[str, str], role: str
) -> None:
    sign_in(client, keys[role])
    wrong = {}
    for rule, roles in PAGE_RULES.items():
        if rule in ("POST /ui/logout", "POST /ui/login"):
            continue  # signing out, or in again: tried last, below
        admitted = roles == PUBLIC or role in roles
        method, path = _concrete(rule)
        data = {"csrf_token": csrf_of(client.get("/ui").text)} if method == "POST" else None
        response = client.request(method, path, data=data)
        refused = response.status_code == 403 or response.status_code == 401
        if response.status_code >= 500 or refused == admitted:
            wrong[rule] = (response.status_code, response.text[-300:])
    token = csrf_of(client.get("/ui").text)
    assert client.post("/ui/logout", data={"csrf_token": token}).status_code == 303
    sign_in(client, keys[role])  # the sign-in form answers a signed-out person
    assert wrong == {}


@pytest.mark.sqlite_only("a role matrix: the roles decide, not the store")
def test_without_a_session_only_the_public_pages_answer(client: TestClient) -> None:
    """A page asks for the sign-in form (a GET is sent to it; a form posted gets a 401 page)."""
    wrong = {}
    for rule, roles in PAGE_RULES.items():
        method, path = _concrete(rule)
        response = client.request(method, path, data={} if method == "POST" else None)
        to_sign_in = response.status_code == 303 and response.headers["location"].startswith(
            "/ui/login?next="
        )
        refused = to_sign_in or response.status_code == 401
        if roles == PUBLIC:
            refused = refused or (response.status_code == 403 and rule != "POST /ui/login")
        if response.status_code >= 500 or refused != (roles != PUBLIC):
            wrong[rule] = (response.status_code, response.headers.get("location"))
    assert wrong == {}
