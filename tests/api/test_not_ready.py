"""A server that listens before its index is loaded answers 503 ``index-not-ready`` (never a
wrong ``no_answer`` from an empty index) on answers and search, and is live meanwhile."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.app import create_app
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings
from tests.api.conftest import auth, issue_keys, seed_store


def test_routes_say_not_ready_until_the_index_is_loaded(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    seed_store(engine, tmp_path)
    keys = issue_keys(engine)
    search = SearchService(settings, engine, HashEmbedder())  # not opened yet
    app = create_app(settings, engine=engine, search_service=search, follow_store=False)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        asked = [
            client.get("/readyz"),
            client.post("/v1/answer", json={"q": "refund", "channel": "chat"},
                        headers=auth(keys["bot"])),
            client.get("/v1/search", params={"q": "refund"}, headers=auth(keys["agent"])),
        ]  # fmt: skip
        for response in asked:
            assert response.status_code == 503, response.text
            assert response.json()["type"].endswith(":index-not-ready")
        search.open()
        assert client.get("/readyz").status_code == 200
        answered = client.post(
            "/v1/answer", json={"q": "refund", "channel": "chat"}, headers=auth(keys["bot"])
        )
        assert answered.status_code == 200
