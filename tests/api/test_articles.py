"""Article and policy read routes: filters, paging, versions, rendering and visibility."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from tests.api.conftest import PAYMENTS, SUPPORT, auth
from tests.factories import article_text, policy_text


def _ids(response_json: dict) -> list[str]:  # type: ignore[type-arg]
    return [item["id"] for item in response_json["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["escalation-process", "new-fees", "refund-timeframe"]),
        ("?status=draft", ["new-fees"]),
        ("?status=published", ["escalation-process", "refund-timeframe"]),
        (f"?owner={PAYMENTS}", ["refund-timeframe"]),
        (f"?owner={SUPPORT}&status=published", ["escalation-process"]),
        ("?intent=billing.refund.timeframe", ["refund-timeframe"]),
        ("?intent=no.such.intent", []),
        ("?limit=1", ["escalation-process"]),
        ("?limit=2&offset=2", ["refund-timeframe"]),
        ("?offset=10", []),
    ],
)
def test_list_articles_filters_and_pages(
    client: TestClient, keys: dict[str, str], query: str, expected: list[str]
) -> None:
    response = client.get(f"/v1/articles{query}", headers=auth(keys["admin"]))
    assert response.status_code == 200
    assert _ids(response.json()) == expected


def test_list_reports_total_across_pages(client: TestClient, keys: dict[str, str]) -> None:
    body = client.get("/v1/articles?limit=1&offset=1", headers=auth(keys["admin"])).json()
    assert body == {**body, "total": 3, "limit": 1, "offset": 1}


def test_agent_sees_published_articles_only(client: TestClient, keys: dict[str, str]) -> None:
    agent = auth(keys["agent"])
    assert _ids(client.get("/v1/articles", headers=agent).json()) == [
        "escalation-process",
        "refund-timeframe",
    ]
    assert client.get("/v1/articles?status=draft", headers=agent).status_code == 403
    assert client.get("/v1/articles/new-fees", headers=agent).status_code == 404
    assert client.get("/v1/articles/new-fees", headers=auth(keys["owner"])).status_code == 200


def test_article_shows_current_version_with_sanitised_html(
    client: TestClient, keys: dict[str, str]
) -> None:
    body = client.get("/v1/articles/escalation-process", headers=auth(keys["agent"])).json()
    assert body["version"] == 1 and body["is_current"] is True
    assert "<script>" in body["answer"]  # the stored Markdown is returned verbatim
    html = body["answer_html"]
    assert "<script" not in html and 'href="javascript' not in html
    assert "<strong>the case id</strong>" in body["answer_html"]
    assert body["audience"] == "internal"
    assert [f["kind"] for f in body["findings"]] == ["review_due_soon"]


def test_article_detail_has_sections_and_citations(
    client: TestClient, keys: dict[str, str]
) -> None:
    body = client.get("/v1/articles/refund-timeframe", headers=auth(keys["agent"])).json()
    assert body["version"] == 2
    assert body["answer"] == "Refunds reach your account within 5 business days."
    assert body["policy_sources"] == ["REFUNDS#2.1"]
    assert [s["heading"] for s in body["sections"]] == ["Details"]


def test_versions_are_listed_and_each_can_be_read(client: TestClient, keys: dict[str, str]) -> None:
    headers = auth(keys["agent"])
    history = client.get("/v1/articles/refund-timeframe/versions", headers=headers).json()
    assert [v["version"] for v in history] == [1, 2]
    # imported from tmp/.../content/refund-timeframe.md: named under its content folder
    assert [v["source"] for v in history] == ["refund-timeframe.md"] * 2
    old = client.get("/v1/articles/refund-timeframe/versions/1", headers=headers).json()
    assert old["answer"] == "Refunds reach your account within 10 business days."
    assert old["is_current"] is False and old["findings"] is None
    assert old["content_hash"] == history[0]["content_hash"] != history[1]["content_hash"]


DRAFT_ANSWER = "Refunds will reach your account within 3 business days (unannounced)."


@pytest.fixture
def draft_v3(client: TestClient, engine: Engine) -> str:
    """refund-timeframe (v1, v2 published) gets an unpublished draft, version 3."""
    text = article_text(answer=DRAFT_ANSWER, status="draft", policy_sources=["REFUNDS#2.1"])
    with session_scope(engine) as session:
        content.save_article_text(session, text, author="key:editor", source="api")
    return "/v1/articles/refund-timeframe"


@pytest.mark.parametrize("path", ["/versions/3", "?version=3", "/diff?from=2&to=3"])
def test_agent_cannot_read_a_drafts_text(
    client: TestClient, keys: dict[str, str], draft_v3: str, path: str
) -> None:
    response = client.get(draft_v3 + path, headers=auth(keys["agent"]))
    assert response.status_code == 404, response.text
    assert response.json()["detail"] == "article 'refund-timeframe' version 3 does not exist"
    assert DRAFT_ANSWER not in response.text
    for role in ("owner", "admin"):
        response = client.get(draft_v3 + path, headers=auth(keys[role]))
        assert response.status_code == 200 and "3 business days" in response.text, role


def test_agent_history_omits_drafts_and_still_serves_the_approved_version(
    client: TestClient, keys: dict[str, str], draft_v3: str
) -> None:
    agent = auth(keys["agent"])
    history = client.get(draft_v3 + "/versions", headers=agent).json()
    assert [(v["version"], v["status"]) for v in history] == [(1, "published"), (2, "published")]
    shown = client.get(draft_v3, headers=agent).json()
    assert shown["version"] == 2 and DRAFT_ANSWER not in str(shown)
    assert client.get(draft_v3 + "/versions/1", headers=agent).status_code == 200
    owner_history = client.get(draft_v3 + "/versions", headers=auth(keys["owner"])).json()
    assert [v["version"] for v in owner_history] == [1, 2, 3]


DRAFT_CLAUSE = "Approved refunds are paid within 2 business days."


def test_agent_reads_the_policy_in_force_never_a_drafts_text(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    draft = policy_text(version="2", status="draft", clauses={"2.1 Refund timeframe": DRAFT_CLAUSE})
    with session_scope(engine) as session:
        content.policies.save_text(session, draft, author="key:editor", source="api")
        content.policies.save_text(
            session, policy_text("NEWPOL", status="draft"), author="key:editor", source="api"
        )
    agent = auth(keys["agent"])
    shown = client.get("/v1/policies/REFUNDS", headers=agent)
    assert shown.status_code == 200 and shown.json()["store_version"] == 1
    assert DRAFT_CLAUSE not in shown.text
    for path in ("/v1/policies/REFUNDS?version=2", "/v1/policies/NEWPOL"):
        hidden = client.get(path, headers=agent)
        assert hidden.status_code == 404 and DRAFT_CLAUSE not in hidden.text, path
    assert _ids(client.get("/v1/policies", headers=agent).json()) == ["REFUNDS"]
    refused = client.get("/v1/policies?status=draft", headers=agent)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "an agent key sees active or retired policies only"
    owner = client.get("/v1/policies/REFUNDS", headers=auth(keys["admin"]))
    assert owner.json()["store_version"] == 2 and DRAFT_CLAUSE in owner.text
    assert _ids(client.get("/v1/policies", headers=auth(keys["admin"])).json()) == [
        "NEWPOL", "REFUNDS",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles/no-such-article",
        "/v1/articles/no-such-article/versions",
        "/v1/articles/no-such-article/versions/1",
        "/v1/articles/refund-timeframe/versions/3",
        "/v1/policies/NOPE",
        "/v1/policies/REFUNDS?version=2",
    ],
)
def test_unknown_resources_are_404_problems(
    client: TestClient, keys: dict[str, str], path: str
) -> None:
    response = client.get(path, headers=auth(keys["admin"]))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:knowledge-service:problem:not-found"
    assert body["instance"] == path.split("?")[0]
    assert "does not exist" in body["detail"]


def test_policies_list_and_detail(client: TestClient, keys: dict[str, str]) -> None:
    headers = auth(keys["agent"])
    listing = client.get("/v1/policies", headers=headers).json()
    assert [p["id"] for p in listing["items"]] == ["REFUNDS"] and listing["total"] == 1
    assert client.get("/v1/policies?status=retired", headers=headers).json()["items"] == []
    policy = client.get("/v1/policies/REFUNDS", headers=headers).json()
    assert policy["policy_version"] == "1" and policy["store_version"] == 1
    assert [c["number"] for c in policy["clauses"]] == ["2.1"]
    assert "10 business days" in policy["clauses"][0]["text"]
    assert "<h2>" in policy["body_html"]
