"""Liveness and readiness: /readyz is 200 only while the index matches the store."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from anyio import CapacityLimiter, to_thread
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service import __version__
from knowledge_service.app import create_app
from knowledge_service.content import service as content
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings
from tests.api.conftest import FakeIndexStatus, FakeSearchService, seed_store
from tests.factories import write_article_md


def test_healthz_is_always_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def _hold_every_thread(limiter: CapacityLimiter, holders: list[object]) -> None:
    """Take every token of the app loop's thread limiter (as that many slow requests would)."""
    holders.extend(object() for _ in range(int(limiter.total_tokens)))
    for holder in holders:
        limiter.acquire_on_behalf_of_nowait(holder)


def _release(limiter: CapacityLimiter, holders: list[object]) -> None:
    for holder in holders:
        limiter.release_on_behalf_of(holder)


def test_healthz_answers_while_every_worker_thread_is_busy(client: TestClient) -> None:
    """Liveness needs no worker thread, store or model: with anyio's threadpool saturated (every
    token held, as under 200 concurrent clients) /healthz, GET and HEAD, still answers. It used
    to be a sync route, queued behind the busy threads. The probe runs beside the test, so a
    probe that waits fails the test (after a generous 30 s) instead of hanging it."""
    limiter = client.portal.call(to_thread.current_default_thread_limiter)
    holders: list[object] = []
    client.portal.call(_hold_every_thread, limiter, holders)
    with ThreadPoolExecutor(max_workers=2) as probes:
        get = probes.submit(client.get, "/healthz")
        head = probes.submit(client.head, "/healthz")
        try:
            answered = get.result(timeout=30), head.result(timeout=30)
        finally:
            client.portal.call(_release, limiter, holders)  # lets a waiting probe end
    assert [r.status_code for r in answered] == [200, 200]
    assert answered[0].json() == {"status": "ok", "version": __version__}


def test_the_probes_answer_head_as_they_answer_get(
    client: TestClient, search_service: FakeSearchService
) -> None:
    """Load balancers probe with HEAD: the same status as GET (it was a 405)."""
    assert client.head("/healthz").status_code == 200
    search_service.store_watermark = 5
    assert client.head("/readyz").status_code == client.get("/readyz").status_code == 503
    search_service.index_watermark = 5
    assert client.head("/readyz").status_code == client.get("/readyz").status_code == 200


def test_readyz_follows_a_fake_index(client: TestClient, search_service: FakeSearchService) -> None:
    search_service.store_watermark = 5
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(":index-not-ready")
    assert response.json()["store_watermark"] == 5
    search_service.index_watermark = 5
    assert client.get("/readyz").json() == {
        "status": "ready",
        "index_watermark": 5,
        "store_watermark": 5,
    }


def test_readyz_with_the_real_search_service(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    """Not ready before the index is opened or after the store moves on; ready once level."""
    seed_store(engine, tmp_path)
    service = SearchService(settings, engine, HashEmbedder())
    with TestClient(create_app(settings, engine=engine, search_service=service)) as client:
        assert client.get("/readyz").status_code == 503
        service.open()
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["index_watermark"] > 0
        write_article_md(tmp_path / "content", "late-article", intents=["billing.late"])
        content.import_content(engine, [tmp_path / "content"], max_file_bytes=1 << 20)
        assert client.get("/readyz").status_code == 503
        service.sync()
        assert client.get("/readyz").status_code == 200


def test_readyz_says_an_index_level_with_the_store_is_still_opening(
    client: TestClient, search_service: FakeSearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the index loads and warms up, its watermark already equals the store's: the 503
    says it is opening (it read "at store version 81, the store at 81", which reads as ready)."""
    search_service.index_watermark = search_service.store_watermark = 81
    monkeypatch.setattr(FakeIndexStatus, "is_current", property(lambda self: False))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["detail"] == (
        "the index holds store version 81 and is still opening (loading and warming up)"
    )
