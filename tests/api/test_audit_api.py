"""``GET /v1/audit``: who, when, what, the versions and why; scoped, filtered and paged in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth


def _audit(client: TestClient, key: str, query: str = "") -> Any:
    response = client.get(f"/v1/audit{query}", headers=auth(key))
    assert response.status_code == 200, response.text
    return response.json()


def test_admin_sees_every_event_newest_first_with_versions_and_actor(
    client: TestClient, keys: dict[str, str]
) -> None:
    page = _audit(client, keys["admin"], "?object_type=article&object_id=refund-timeframe")
    assert [(e["action"], e["version_before"], e["version_after"]) for e in page["items"]] == [
        ("updated", 1, 2),
        ("created", None, 1),
    ]
    assert page["total"] == 2
    assert all(e["actor"] == "import" and e["at"] for e in page["items"])
    everything = _audit(client, keys["admin"], "?limit=100")
    types = {e["object_type"] for e in everything["items"]}
    assert {"article", "policy", "finding", "api_key"} <= types


def test_an_article_s_events_include_what_was_decided_on_its_findings(
    client: TestClient, keys: dict[str, str]
) -> None:
    """Who acknowledged a finding on an article (or accepted its risk) is recorded against the
    finding: asking for the article's events must show it, to its owner as to an admin."""
    change = {"status": "acknowledged", "note": "seen"}
    assert client.patch("/v1/findings/1", headers=auth(keys["owner"]), json=change).is_success
    for key in ("admin", "owner"):
        page = _audit(client, keys[key], "?article_id=refund-timeframe&limit=100")
        objects = [(e["object_type"], e["object_id"], e["action"]) for e in page["items"]]
        assert ("finding", "1", "acknowledged") in objects, key
        assert ("article", "refund-timeframe", "updated") in objects, key
        assert {t for t, _, _ in objects} == {"article", "finding"}, key
    other = _audit(client, keys["admin"], "?article_id=escalation-process&limit=100")
    objects = {(e["object_type"], e["object_id"]) for e in other["items"]}
    assert ("finding", "2") in objects and ("finding", "1") not in objects


def test_owner_sees_only_its_own_articles_and_their_findings(
    client: TestClient, keys: dict[str, str]
) -> None:
    page = _audit(client, keys["owner"], "?limit=100")
    objects = {(e["object_type"], e["object_id"]) for e in page["items"]}
    assert objects == {("article", "refund-timeframe"), ("finding", "1")}
    assert page["total"] == len(page["items"])


def test_filters_by_actor_object_and_time_range(client: TestClient, keys: dict[str, str]) -> None:
    change = {"status": "acknowledged", "note": "seen"}
    client.patch("/v1/findings/1", headers=auth(keys["owner"]), json=change)
    by_actor = _audit(client, keys["admin"], "?actor=key:test-owner")
    (event,) = by_actor["items"]
    assert (event["action"], event["object_id"], event["reason"]) == ("acknowledged", "1", "seen")
    assert _audit(client, keys["admin"], "?actor=test-owner")["items"] == by_actor["items"]
    findings = _audit(client, keys["admin"], "?object_type=finding&object_id=1")
    assert [e["action"] for e in findings["items"]] == ["acknowledged", "created"]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _audit(client, keys["admin"], f"?since={later.replace('+', '%2B')}")["total"] == 0
    assert _audit(client, keys["admin"], f"?until={later.replace('+', '%2B')}&limit=1")["total"] > 1
    paged = _audit(client, keys["admin"], "?limit=2&offset=1")
    assert len(paged["items"]) == 2 and paged["total"] > 3


@pytest.mark.parametrize(
    ("role", "query", "status", "parameter"),
    [
        ("agent", "", 403, None),
        ("bot", "", 403, None),
        ("owner", "?article_id=escalation-process", 403, None),
        ("admin", "?since=yesterday", 400, "since"),
        ("admin", "?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", 400, "until"),
        ("admin", "?object_id=1", 400, "object_id"),
        ("admin", "?object_type=widget", 400, "object_type"),
        ("admin", "?article_id=Bad%20Id", 400, "article_id"),
        ("admin", "?article_id=x&object_type=policy", 400, "article_id"),
        ("admin", "?object_type=article&object_id=Bad%20Id", 400, "object_id"),
        ("admin", "?object_type=article&object_id=REFUND", 400, "object_id"),
        ("admin", "?object_type=policy&object_id=refund-policy", 400, "object_id"),
        ("admin", f"?object_type=policy&object_id={'P' * 121}", 400, "object_id"),
        ("owner", "?object_type=policy&object_id=not%20a%20policy", 400, "object_id"),
        ("admin", "?limit=0", 400, "limit"),
    ],
)
def test_bad_audit_queries_are_problems_naming_the_parameter(
    client: TestClient, keys: dict[str, str], role: str, query: str, status: int,
    parameter: str | None,
) -> None:  # fmt: skip
    response = client.get(f"/v1/audit{query}", headers=auth(keys[role]))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if parameter is not None:
        assert parameter in [e["parameter"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?object_type=article&object_id=Refund%20Timeframe", "is not an article id"),
        ("?object_type=policy&object_id=refund-policy", "is not a policy id"),
    ],
)
def test_a_malformed_article_or_policy_object_id_says_what_an_id_is(
    client: TestClient, keys: dict[str, str], query: str, problem: str
) -> None:
    response = client.get(f"/v1/audit{query}", headers=auth(keys["admin"]))
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["parameter"] == "object_id" and error["problem"].startswith(problem)


def test_finding_and_key_object_ids_keep_their_own_forms(
    client: TestClient, keys: dict[str, str]
) -> None:
    for query in ("?object_type=finding&object_id=1", "?object_type=api_key&object_id=ks_AbC"):
        response = client.get(f"/v1/audit{query}", headers=auth(keys["admin"]))
        assert response.status_code == 200, response.text
