"""Blocks mean something, over the real app and answer engine: acknowledging a blocking finding
never serves the article to a bot; only an admin's risk acceptance does, until it lapses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.answers.kb import BOT_CHANNELS, QUESTIONS, AnswerKB, build_kb, open_client
from tests.api.conftest import auth
from tests.conftest import TODAY

BLOCKED = "meter-reading"  # review_overdue far past its grace period: a block


@pytest.fixture
def api(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str], AnswerKB]]:
    kb = build_kb(tmp_path_factory.mktemp("canary"))
    with open_client(kb) as (client, keys):
        yield client, keys, kb
    kb.close()


def _block_id(client: TestClient, keys: dict[str, str]) -> int:
    query = f"/v1/findings?article_id={BLOCKED}&severity=block"
    (finding,) = client.get(query, headers=auth(keys["admin"])).json()["items"]
    return int(finding["id"])


def _ask(client: TestClient, key: str, channel: str) -> Any:
    params = {"q": QUESTIONS["blocked"], "channel": channel}
    return client.get("/v1/answer", params=params, headers=auth(key)).json()


def _accept(client: TestClient, key: str, finding: int, **body: Any) -> Any:
    return client.post(f"/v1/findings/{finding}/risk-acceptances", headers=auth(key), json=body)


def _search_badge(client: TestClient, key: str) -> tuple[str, str | None]:
    """The blocked article's search badge and its finding's risk acceptance expiry."""
    results = client.get("/v1/search", params={"q": QUESTIONS["blocked"]}, headers=auth(key))
    (hit,) = [r for r in results.json()["results"] if r["article_id"] == BLOCKED]
    return hit["badge"], hit["freshness"][0]["risk_accepted_until"]


def _acceptances(client: TestClient, keys: dict[str, str], finding: int) -> int:
    query = f"/v1/audit?object_type=finding&object_id={finding}"
    events = client.get(query, headers=auth(keys["admin"])).json()["items"]
    return sum(1 for e in events if e["action"] == "risk_accepted")


def test_an_acknowledged_block_is_never_served_to_a_bot(api: Any) -> None:
    client, keys, _ = api
    finding = _block_id(client, keys)
    for role in ("owner", "admin"):
        response = client.patch(
            f"/v1/findings/{finding}", headers=auth(keys[role]),
            json={"status": "acknowledged", "note": "seen, fixing next sprint"},
        )  # fmt: skip
        assert response.status_code in (200, 403), response.text
    assert _acceptances(client, keys, finding) == 0
    for channel in BOT_CHANNELS:
        body = _ask(client, keys["bot"], channel)
        assert (body["status"], body["reason"]) == ("escalate", "blocked_by_finding"), channel
        assert body.get("article_id") is None and body.get("answer") is None
    agent = _ask(client, keys["agent"], "agent")
    assert agent["status"] == "answered" and agent["freshness"][0]["severity"] == "block"


def test_a_risk_acceptance_serves_customers_until_it_lapses(api: Any) -> None:
    client, keys, kb = api
    finding = _block_id(client, keys)
    expires = TODAY + timedelta(days=7)
    assert _search_badge(client, keys["agent"]) == ("block", None)
    response = _accept(
        client,
        keys["admin"],
        finding,
        reason="outage FAQ checked by ops",
        expires_on=expires.isoformat(),
    )
    assert response.status_code == 201, response.text
    assert response.json()["is_active"] is True
    queue = client.get("/v1/review-queue?kind=review_overdue", headers=auth(keys["admin"])).json()
    assert queue["items"][0]["risk_accepted_until"] == expires.isoformat()
    assert "accept_risk" not in queue["items"][0]["actions"]
    for channel in BOT_CHANNELS:
        body = _ask(client, keys["bot"], channel)
        assert (body["status"], body["article_id"]) == ("answered", BLOCKED), channel
        assert body["freshness"][0]["risk_accepted_until"] == expires.isoformat()
    # search shows the same: the accepted block is a warning, with its expiry
    assert _search_badge(client, keys["agent"]) == ("warn", expires.isoformat())
    events = client.get(
        f"/v1/audit?object_type=finding&object_id={finding}", headers=auth(keys["admin"])
    ).json()
    accepted = [e for e in events["items"] if e["action"] == "risk_accepted"]
    assert accepted[0]["actor"] == "key:test-admin"
    assert accepted[0]["reason"] == "outage FAQ checked by ops"
    assert accepted[0]["detail"]["expires_on"] == expires.isoformat()
    kb.settings.today = expires  # it lapses on its expiry date
    for channel in BOT_CHANNELS:
        assert _ask(client, keys["bot"], channel)["status"] == "escalate", channel
    assert _search_badge(client, keys["agent"]) == ("block", None)
    queue = client.get("/v1/review-queue?kind=review_overdue", headers=auth(keys["admin"])).json()
    assert "accept_risk" in queue["items"][0]["actions"]  # lapsed: it may be accepted again


@pytest.mark.parametrize(
    ("role", "body", "status", "parameter"),
    [
        ("owner", {"reason": "ok", "expires_on": "2026-12-01"}, 403, None),
        ("agent", {"reason": "ok", "expires_on": "2026-12-01"}, 403, None),
        ("leader", {"reason": "ok", "expires_on": "2026-12-01"}, 403, None),
        ("admin", {"reason": "ok", "expires_on": TODAY.isoformat()}, 400, "expires_on"),
        ("admin", {"reason": "ok", "expires_on": "2028-01-01"}, 400, "expires_on"),
        ("admin", {"reason": "   ", "expires_on": "2026-12-01"}, 400, "reason"),
        ("admin", {"expires_on": "2026-12-01"}, 400, "reason"),
        ("admin", {"reason": "ok", "expires_on": "soon"}, 400, "expires_on"),
        ("admin", {"reason": "ok", "expires_on": "2026-12-01", "x": 1}, 400, "x"),
    ],
)
def test_bad_risk_acceptances_are_refused_and_change_nothing(
    api: Any, role: str, body: dict[str, Any], status: int, parameter: str | None
) -> None:
    client, keys, _ = api
    finding = _block_id(client, keys)
    response = _accept(client, keys[role], finding, **body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if parameter is not None:
        assert parameter in [e["parameter"] for e in response.json()["errors"]]
    assert _acceptances(client, keys, finding) == 0
    assert _ask(client, keys["bot"], "chat")["status"] == "escalate"


def test_risk_of_an_unknown_finding_cannot_be_accepted(api: Any) -> None:
    client, keys, _ = api
    body = {"reason": "ok", "expires_on": (TODAY + timedelta(days=3)).isoformat()}
    response = _accept(client, keys["admin"], 9999, **body)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_last_author_may_not_accept_the_risk(api: Any) -> None:
    from knowledge_service.access import service as access
    from knowledge_service.access.schemas import Role
    from knowledge_service.content import service as content
    from knowledge_service.db import session_scope

    client, keys, kb = api
    finding = _block_id(client, keys)
    with session_scope(kb.engine) as session:
        secret = access.create_key(session, name="editor", role=Role.ADMIN).secret
        current = content.get_article(session, BLOCKED)
        text = current.raw.replace("from left to right", "left to right")
        content.save_article_text(session, text, author="key:editor", source="api")
    response = _accept(client, secret, finding, reason="mine", expires_on=str(date(2026, 12, 1)))
    assert response.status_code == 403, response.text
    assert "last author" in response.json()["detail"]
