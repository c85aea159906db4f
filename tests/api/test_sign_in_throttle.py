"""Too many failed keys from one address: the API and the sign-in page refuse it for a while
(429 with Retry-After), a right key included; other addresses are not touched."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.app import create_app
from knowledge_service.cli.serve import FORWARDED_ALLOW_IPS, proxy_options
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


def _as_served(app: FastAPI) -> Any:
    """``app`` as ``serve`` has uvicorn run it: with its proxy options."""
    config = uvicorn.Config(app, log_config=None, **proxy_options())
    config.load()
    return config.loaded_app


def test_a_local_client_cannot_escape_the_count_with_a_new_forwarded_address_each_time(
    app: FastAPI, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise: any process on
    the machine could name a new client with each wrong key and never be refused."""
    monkeypatch.delenv(FORWARDED_ALLOW_IPS, raising=False)
    keys = issue_keys(engine)
    with TestClient(_as_served(app), client=("127.0.0.1", 40000)) as local:
        for i in range(LIMIT):
            forged = {**auth(WRONG), "X-Forwarded-For": f"203.0.113.{i}"}
            assert local.get("/v1/articles", headers=forged).status_code == 401
        forged = {**auth(keys["agent"]), "X-Forwarded-For": "203.0.113.99"}
        assert local.get("/v1/articles", headers=forged).status_code == 429


def test_behind_a_named_proxy_the_client_is_the_address_the_proxy_appended(
    app: FastAPI, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy that appends to the client's own X-Forwarded-For: what the client wrote on the
    left changes nothing; the address the proxy saw is counted."""
    monkeypatch.setenv(FORWARDED_ALLOW_IPS, "127.0.0.1")
    keys = issue_keys(engine)
    with TestClient(_as_served(app), client=("127.0.0.1", 40000)) as proxied:
        for i in range(LIMIT):
            forged = {**auth(WRONG), "X-Forwarded-For": f"203.0.113.{i}, 198.51.100.9"}
            assert proxied.get("/v1/articles", headers=forged).status_code == 401
        same = {**auth(keys["agent"]), "X-Forwarded-For": "203.0.113.99, 198.51.100.9"}
        assert proxied.get("/v1/articles", headers=same).status_code == 429
        other = {**auth(keys["agent"]), "X-Forwarded-For": "198.51.100.9, 198.51.100.10"}
        assert proxied.get("/v1/articles", headers=other).status_code == 200


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
