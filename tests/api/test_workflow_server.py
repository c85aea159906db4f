"""Done-when, over a real server: one article from draft to published to verified to retired and
back through restore, with the index and the findings following each step; and two editors
racing with the same ETag (one wins, the other gets 412; no ETag gets 428).

A real uvicorn process (``knowledge-service serve``) over a temporary store, with the hash
embedder for speed: the workflow, the pipeline and the HTTP preconditions are all real.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.index.hash_embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from tests.api.conftest import auth
from tests.api.test_e2e_real_model import Served
from tests.factories import article_text, etag_of, write_article_md, write_policy_md
from tests.postgres import fresh_database
from tests.server import serving

pytestmark = pytest.mark.slow

OWNER = "payments@example.com"
TEXT = article_text(
    "lost-card", title="Lost card", intents=["cards.lost"], owner=OWNER,
    answer="Freeze a lost card straight away in the app; a replacement arrives in 5 days.",
    last_reviewed="2025-06-01", next_review="2026-01-01",  # overdue on the frozen today
)  # fmt: skip


def _prepare(root: Path, database_url: str) -> tuple[Settings, dict[str, str]]:
    settings = Settings(
        database_url=database_url, data_dir=root / "data",
        content_dir=root / "content", policies_dir=root / "policies", embedding_model="hash",
    )  # fmt: skip
    write_article_md(settings.content_dir, "refund-timeframe", owner=OWNER)
    write_policy_md(settings.policies_dir, "REFUNDS")
    engine = make_engine(settings.database_url)
    try:
        create_all_tables(engine)
        import_content(
            engine, [settings.content_dir, settings.policies_dir], max_file_bytes=1 << 20
        )
        SearchService(settings, engine, HashEmbedder()).rebuild()
        with session_scope(engine) as session:
            keys = {
                name: access.create_key(session, name=name, role=role, owner=owner).secret
                for name, role, owner in [
                    ("ann", Role.OWNER, OWNER), ("bob", Role.OWNER, OWNER),
                    ("agent", Role.AGENT, None),
                ]
            }  # fmt: skip
    finally:
        engine.dispose()
    return settings, keys


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One server per store kind: the lifecycle and the race run on SQLite and PostgreSQL."""
    root = tmp_path_factory.mktemp("workflow-server")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{root / 'store.db'}"
        else:
            url = stack.enter_context(fresh_database(request.getfixturevalue("postgres_server")))
        settings, keys = _prepare(root, url)
        env = {"KS_DATABASE_URL": settings.database_url, "KS_DATA_DIR": str(settings.data_dir),
               "KS_EMBEDDING_MODEL": "hash"}  # fmt: skip
        server = stack.enter_context(serving(root, env))
        yield Served(server.base, keys)


def call(served: Served, who: str, method: str, path: str, tag: str | None = None,
         **body: Any) -> httpx.Response:  # fmt: skip
    headers = auth(served.keys[who]) | ({"If-Match": tag} if tag else {})
    return httpx.request(method, served.base + path, headers=headers, json=body or None, timeout=60)


def found(served: Served) -> list[tuple[str, int]]:
    """The versions of lost-card that search finds."""
    response = call(served, "agent", "GET", "/v1/search?q=lost+card+freeze+replacement&top_k=5")
    assert response.status_code == 200, response.text
    hits = response.json()["results"]
    return [(h["article_id"], h["version"]) for h in hits if h["article_id"] == "lost-card"]


def finding_kinds(served: Served) -> set[str]:
    response = call(served, "ann", "GET", "/v1/findings?article_id=lost-card&status=open&limit=100")
    assert response.status_code == 200, response.text
    return {f["kind"] for f in response.json()["items"]}


def step(served: Served, who: str, action: str, at: int, **body: Any) -> dict[str, Any]:
    response = call(served, who, "POST", f"/v1/articles/lost-card/{action}",
                    etag_of("lost-card", at), **body)  # fmt: skip
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_article_lifecycle_over_a_real_server(served: Served) -> None:
    created = call(served, "ann", "POST", "/v1/articles", text=TEXT)
    assert created.status_code == 201, created.text
    assert found(served) == [] and finding_kinds(served) == set()  # a draft: not served
    step(served, "ann", "submit", 1)
    assert step(served, "bob", "approve", 1)["state"] == "published"
    assert found(served) == [("lost-card", 2)]
    assert "review_overdue" in finding_kinds(served)
    assert step(served, "ann", "verify", 2)["version"] == 3
    assert found(served) == [("lost-card", 3)]
    assert "review_overdue" not in finding_kinds(served)
    assert step(served, "ann", "retire", 3)["state"] == "retired"
    assert found(served) == []
    assert step(served, "ann", "restore", 4, version=3)["state"] == "draft"
    assert found(served) == []
    step(served, "ann", "submit", 5)
    assert step(served, "bob", "approve", 5)["version"] == 6
    assert found(served) == [("lost-card", 6)]


def test_two_editors_racing_with_one_etag_one_wins_the_other_gets_412(served: Served) -> None:
    current = call(served, "agent", "GET", "/v1/articles/refund-timeframe")
    tag = current.headers["ETag"]
    results: dict[str, httpx.Response] = {}
    barrier = threading.Barrier(2)

    def edit(who: str, answer: str) -> None:
        text = article_text("refund-timeframe", owner=OWNER, answer=answer)
        barrier.wait()
        results[who] = call(served, who, "PUT", "/v1/articles/refund-timeframe", tag, text=text)

    threads = [threading.Thread(target=edit, args=(who, f"Refunds take {n} days."))
               for who, n in (("ann", 7), ("bob", 9))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 412], {k: r.text for k, r in results.items()}
    loser = next(r for r in results.values() if r.status_code == 412).json()
    winner = next(r for r in results.values() if r.status_code == 200)
    assert loser["current_etag"] == winner.headers["ETag"]
    mine = article_text("refund-timeframe", owner=OWNER, answer="Refunds take 4 days.")
    no_tag = call(served, "ann", "PUT", "/v1/articles/refund-timeframe", None, text=mine)
    assert no_tag.status_code == 428, no_tag.text


def test_published_version_is_served_while_its_edit_is_in_review(served: Served) -> None:
    text = TEXT.replace("lost-card", "stolen-card").replace("Lost card", "Stolen card")
    base = "/v1/articles/stolen-card"

    def versions() -> list[int]:
        response = call(served, "agent", "GET", "/v1/search?q=stolen+card+freeze&top_k=5")
        assert response.status_code == 200, response.text
        return [
            h["version"] for h in response.json()["results"] if h["article_id"] == "stolen-card"
        ]

    def open_kinds() -> set[str]:
        response = call(served, "ann", "GET", "/v1/findings?article_id=stolen-card&status=open")
        return {f["kind"] for f in response.json()["items"]}

    assert call(served, "ann", "POST", "/v1/articles", text=text).status_code == 201
    assert call(served, "ann", "POST", f"{base}/submit", etag_of("stolen-card", 1)).is_success
    assert call(served, "bob", "POST", f"{base}/approve", etag_of("stolen-card", 1)).is_success
    assert versions() == [2] and "review_overdue" in open_kinds()
    fixed = text.replace("2026-01-01", "2027-03-01").replace("5 days", "3 days")
    edited = call(served, "ann", "PUT", base, etag_of("stolen-card", 2), text=fixed)
    assert edited.status_code == 200 and edited.json()["state"] == "draft", edited.text
    assert call(served, "ann", "POST", f"{base}/submit", etag_of("stolen-card", 3)).is_success
    assert versions() == [2]  # the approved version is served while version 3 is in review
    shown = call(served, "agent", "GET", base)  # and it is what an agent reads
    assert shown.status_code == 200 and shown.json()["version"] == 2, shown.text
    # with the findings of the governance check on it, as agents see them beside an answer
    assert "review_overdue" in {f["kind"] for f in shown.json()["findings"]}
    assert call(served, "agent", "GET", f"{base}/versions/2").json()["findings"] is None
    assert "review_overdue" in open_kinds()  # and its finding stays until the fix is approved
    assert call(served, "bob", "POST", f"{base}/approve", etag_of("stolen-card", 3)).is_success
    assert versions() == [4] and "review_overdue" not in open_kinds()


def test_a_discarded_draft_leaves_the_published_version_served(served: Served) -> None:
    text = TEXT.replace("lost-card", "spare-card").replace("Lost card", "Spare card")
    base = "/v1/articles/spare-card"

    def searched() -> list[tuple[int, str]]:
        """The versions search finds, each with the answer an agent reads."""
        response = call(served, "agent", "GET", "/v1/search?q=spare+card+freeze&top_k=5")
        assert response.status_code == 200, response.text
        shown = call(served, "agent", "GET", base).json()
        return [
            (h["version"], shown["answer"])
            for h in response.json()["results"]
            if h["article_id"] == "spare-card"
        ]

    assert call(served, "ann", "POST", "/v1/articles", text=text).status_code == 201
    assert call(served, "ann", "POST", f"{base}/submit", etag_of("spare-card", 1)).is_success
    assert call(served, "bob", "POST", f"{base}/approve", etag_of("spare-card", 1)).is_success
    served_before = searched()
    assert [v for v, _ in served_before] == [2] and "5 days" in served_before[0][1]
    draft = text.replace("5 days", "a year")
    assert call(served, "ann", "PUT", base, etag_of("spare-card", 2), text=draft).is_success
    refused = call(served, "ann", "POST", f"{base}/verify", etag_of("spare-card", 3))
    assert refused.status_code == 409 and "or discard it" in refused.json()["detail"]
    gone = call(served, "bob", "POST", f"{base}/discard", etag_of("spare-card", 3),
                reason="not this change")  # fmt: skip
    assert gone.status_code == 200, gone.text
    assert (gone.json()["state"], gone.json()["version"]) == ("published", 4)
    assert searched() == [(4, served_before[0][1])]  # the same text, served on
    audit = call(served, "ann", "GET", "/v1/audit?article_id=spare-card&limit=1")
    assert audit.status_code == 200, audit.text
    (event,) = audit.json()["items"]
    assert (event["actor"], event["action"]) == ("bob", "discarded")
    assert event["reason"] == "not this change"
    again = call(served, "ann", "POST", f"{base}/discard", etag_of("spare-card", 4))
    assert again.status_code == 409 and again.json()["state"] == "published"
