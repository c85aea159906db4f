"""Too many failed keys from one address: the API and the sign-in page refuse it for a while
(429 with Retry-After), a right key included; other addresses are not touched."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.app import create_app
from knowledge_service.settings import Settings
from tests.api.conftest import FakeSearchService, auth, issue_keys, seed_store, seeded_server_env
from tests.server import serving

LIMIT = 3
WRONG = "ks_" + "x" * 8 + "_" + "y" * 43  # the shape of a key, not one
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(settings: Settings, engine: Engine, tmp_path: Path) -> FastAPI:
    seed_store(engine, tmp_path)
    limited = settings.model_copy(update={"sign_in_failures": LIMIT, "sign_in_window": 600.0})
    return create_app(limited, engine=engine, search_service=FakeSearchService())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False, client=("198.51.100.7", 40000)) as test_client:
        yield test_client


def test_an_address_that_keeps_sending_wrong_keys_is_refused_even_a_right_one(
    app: FastAPI, client: TestClient, engine: Engine
) -> None:
    keys = issue_keys(engine)
    for _ in range(LIMIT):
        assert client.get("/v1/articles", headers=auth(WRONG)).status_code == 401
    refused = client.get("/v1/articles", headers=auth(keys["agent"]))
    assert refused.status_code == 429, refused.text
    assert refused.json()["type"].endswith(":too-many-attempts")
    assert "too many failed sign-in attempts" in refused.json()["detail"]
    assert 590 <= int(refused.headers["Retry-After"]) <= 600
    # no key is not a guess: still the 401 that says what to send
    assert client.get("/v1/articles").status_code == 401
    with TestClient(app, client=("203.0.113.20", 40000)) as elsewhere:  # another address
        assert elsewhere.get("/v1/articles", headers=auth(keys["agent"])).status_code == 200


def test_a_right_key_clears_the_failures_before_the_limit(
    client: TestClient, engine: Engine
) -> None:
    keys = issue_keys(engine)
    for _ in range(LIMIT - 1):
        assert client.get("/v1/articles", headers=auth(WRONG)).status_code == 401
    assert client.get("/v1/articles", headers=auth(keys["agent"])).status_code == 200
    for _ in range(LIMIT - 1):
        assert client.get("/v1/articles", headers=auth(WRONG)).status_code == 401
    assert client.get("/v1/articles", headers=auth(keys["agent"])).status_code == 200


def test_a_body_refused_before_its_route_runs_still_counts_the_wrong_key(
    client: TestClient, engine: Engine
) -> None:
    """A request refused for its body is authorised first, on the same count."""
    keys = issue_keys(engine)
    for _ in range(LIMIT):
        bad = client.post("/v1/answer", json={"q": 5}, headers=auth(WRONG))
        assert bad.status_code == 401, bad.text
    refused = client.post("/v1/answer", json={"q": 5}, headers=auth(keys["bot"]))
    assert refused.status_code == 429, refused.text


def _sign_in(client: TestClient, key: str) -> httpx.Response:
    form = client.get("/ui/login")
    token = CSRF.search(form.text)
    assert token, form.text
    return client.post("/ui/login", data={"api_key": key, "csrf_token": token.group(1)})


def test_the_sign_in_page_refuses_an_address_that_keeps_guessing(
    client: TestClient, engine: Engine
) -> None:
    keys = issue_keys(engine)
    for _ in range(LIMIT):
        assert _sign_in(client, WRONG).status_code == 401
    refused = _sign_in(client, keys["agent"])
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "too many failed sign-in attempts" in refused.text
    assert "set-cookie" not in refused.headers or "ks_session" not in refused.headers["set-cookie"]


@pytest.mark.slow
def test_a_real_server_refuses_a_guessing_client(tmp_path: Path) -> None:
    env, keys = seeded_server_env(tmp_path)
    with (
        serving(tmp_path, env | {"KS_SIGN_IN_FAILURES": "2"}) as server,
        httpx.Client(base_url=server.base) as http,
    ):
        assert http.get("/v1/articles", headers=auth(keys["agent"])).status_code == 200
        statuses = [http.get("/v1/articles", headers=auth(WRONG)).status_code for _ in range(3)]
        assert statuses == [401, 401, 429]
        refused = http.get("/v1/articles", headers=auth(keys["agent"]))
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert "429" in str(http.get("/openapi.json").json()["paths"]["/v1/articles"]["get"]
                            ["responses"])  # fmt: skip
