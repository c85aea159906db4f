"""Findings: agents read those on documents they may read; owners list their own articles'
findings (any article's when they name it) and change only those."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from knowledge_service.audit import AuditEvent
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.models import RiskAcceptance
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind
from tests.api.conftest import auth
from tests.conftest import TODAY
from tests.factories import etag_of

MISMATCH, DUE_SOON = 1, 2  # refund-timeframe (payments), escalation-process (support)


def _ids(client: TestClient, key: str, query: str = "") -> list[int]:
    response = client.get(f"/v1/findings{query}", headers=auth(key))
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["items"])


@pytest.mark.parametrize(
    ("role", "query", "expected"),
    [
        ("agent", "", [MISMATCH, DUE_SOON]),
        ("admin", "", [MISMATCH, DUE_SOON]),
        ("owner", "", [MISMATCH]),
        ("admin", "?severity=block", [MISMATCH]),
        ("admin", "?kind=review_due_soon", [DUE_SOON]),
        ("admin", "?article_id=escalation-process", [DUE_SOON]),
        ("admin", "?status=resolved", []),
        ("owner", "?article_id=refund-timeframe", [MISMATCH]),
        ("admin", "?limit=1&offset=1", [DUE_SOON]),
    ],
)
def test_list_findings_filters_and_scopes_owners(
    client: TestClient, keys: dict[str, str], role: str, query: str, expected: list[int]
) -> None:
    assert _ids(client, keys[role], query) == expected


def test_owner_reads_another_articles_findings_as_its_article_shows_them(
    client: TestClient, keys: dict[str, str]
) -> None:
    owner = keys["owner"]  # owns refund-timeframe, not escalation-process
    assert _ids(client, owner, "?article_id=escalation-process") == [DUE_SOON]
    article = client.get("/v1/articles/escalation-process", headers=auth(owner)).json()
    assert [f["id"] for f in article["findings"]] == [DUE_SOON]
    change = client.patch(
        f"/v1/findings/{DUE_SOON}", json={"status": "acknowledged"}, headers=auth(owner)
    )
    assert change.status_code == 403  # reading it does not make it the owner's to change


def test_finding_shape(client: TestClient, keys: dict[str, str]) -> None:
    finding = client.get("/v1/findings?severity=block", headers=auth(keys["agent"])).json()
    item = finding["items"][0]
    assert item == {
        **item,
        "kind": "policy_mismatch",
        "severity": "block",
        "status": "open",
        "article_ids": ["refund-timeframe"],
        "policy_id": "REFUNDS",
        "clause": "2.1",
    }
    assert item["evidence"][0]["text"] == "within 5 business days"


def test_article_detail_carries_its_findings(client: TestClient, keys: dict[str, str]) -> None:
    article = client.get("/v1/articles/refund-timeframe", headers=auth(keys["agent"])).json()
    assert [(f["kind"], f["severity"]) for f in article["findings"]] == [
        ("policy_mismatch", "block")
    ]


def test_owner_acknowledges_a_finding_on_their_article(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.patch(
        f"/v1/findings/{MISMATCH}",
        headers=auth(keys["owner"]),
        json={"status": "acknowledged", "note": "fix in next release"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "acknowledged"
    assert _ids(client, keys["admin"], "?status=acknowledged") == [MISMATCH]


CUSTOMER = "customer jo.bloggs@example.com on 0412 345 678"


def test_finding_notes_and_risk_reasons_are_stored_redacted(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    note = client.patch(
        f"/v1/findings/{MISMATCH}",
        headers=auth(keys["owner"]),
        json={"status": "acknowledged", "note": f"{CUSTOMER} says 10 days"},
    )
    assert note.status_code == 200, note.text
    accepted = client.post(
        f"/v1/findings/{MISMATCH}/risk-acceptances",
        headers=auth(keys["admin"]),
        json={"reason": f"{CUSTOMER} confirmed", "expires_on": str(TODAY + timedelta(days=30))},
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["reason"] == "customer [EMAIL] on [PHONE] confirmed"
    with Session(engine) as session:
        reasons = [e.reason or "" for e in session.exec(select(AuditEvent))]
        reasons += [a.reason for a in session.exec(select(RiskAcceptance))]
    assert "customer [EMAIL] on [PHONE] says 10 days" in reasons
    assert reasons.count("customer [EMAIL] on [PHONE] confirmed") == 2  # acceptance, audit
    assert not [r for r in reasons if "jo.bloggs" in r or "345 678" in r]


def test_owner_may_not_change_someone_elses_finding(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.patch(
        f"/v1/findings/{DUE_SOON}", headers=auth(keys["owner"]), json={"status": "acknowledged"}
    )
    assert response.status_code == 403
    assert _ids(client, keys["admin"], "?status=open") == [MISMATCH, DUE_SOON]


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_nobody_resolves_a_finding_by_hand(
    client: TestClient, keys: dict[str, str], role: str
) -> None:
    response = client.patch(
        f"/v1/findings/{MISMATCH}", headers=auth(keys[role]), json={"status": "resolved"}
    )
    assert response.status_code == 409, response.text
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["state"] == "open" and body["allowed_actions"] == ["acknowledged"]
    assert "re-check" in body["detail"]
    assert _ids(client, keys["admin"], "?status=open") == [MISMATCH, DUE_SOON]
    events = client.get("/v1/findings?status=resolved", headers=auth(keys["admin"])).json()
    assert events["total"] == 0


def test_admin_reopens_an_acknowledged_finding(client: TestClient, keys: dict[str, str]) -> None:
    for status in ("acknowledged", "open"):
        response = client.patch(
            f"/v1/findings/{DUE_SOON}", headers=auth(keys["admin"]), json={"status": status}
        )
        assert response.json()["status"] == status


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/findings/99", {"status": "resolved"}, 404),
        ("/v1/findings/1", {"status": "done"}, 400),
        ("/v1/findings/1", {"status": "acknowledged", "extra": 1}, 400),
        ("/v1/findings/1", {"status": "acknowledged", "note": "x" * 2001}, 400),
        ("/v1/findings/1", {"status": "resolved"}, 409),
        ("/v1/findings/1", None, 400),
        ("/v1/findings/0", {"status": "resolved"}, 400),
    ],
)
def test_bad_status_changes_are_problems(
    client: TestClient, keys: dict[str, str], path: str, body: object, status: int
) -> None:
    response = client.patch(path, headers=auth(keys["admin"]), json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("role", "query", "total", "count"),
    [
        ("admin", "?limit=1", 2, 1),
        ("admin", "?limit=1&offset=5", 2, 0),
        ("owner", "?limit=1", 1, 1),
        ("agent", "?severity=info&limit=5", 1, 1),
    ],
)
def test_pages_count_every_match_the_caller_may_see(
    client: TestClient, keys: dict[str, str], role: str, query: str, total: int, count: int
) -> None:
    page = client.get(f"/v1/findings{query}", headers=auth(keys[role])).json()
    assert (page["total"], len(page["items"])) == (total, count)


def _seed_findings_on_unreadable_documents(engine: Engine) -> None:
    """A conflict between refund-timeframe and the draft new-fees, a duplicate on the draft
    alone, and an invalid file of a policy the store never held."""
    draft_text = Evidence(article_id="new-fees", text="The new fee is $9 (draft wording)")
    findings = [
        FindingData.create(
            FindingKind.CONFLICT, ["refund-timeframe", "new-fees"], "They disagree.",
            [Evidence(article_id="refund-timeframe", text="within 5 business days"), draft_text],
            fact_key="fee",
        ),
        FindingData.create(FindingKind.DUPLICATE, ["new-fees"], "Twice.", [draft_text]),
        FindingData.create(
            FindingKind.INVALID, [], "Bad YAML.",
            [Evidence(policy_id="FEES", text="malformed YAML", path="/srv/kb/policies/fees.md")],
            policy_id="FEES",
        ),
    ]  # fmt: skip
    with session_scope(engine) as session:
        freshness.sync_findings(session, findings, covered=lambda _row: False)


def _kinds(client: TestClient, key: str, query: str = "") -> list[str]:
    response = client.get(f"/v1/findings{query}", headers=auth(key))
    assert response.status_code == 200, response.text
    return sorted(item["kind"] for item in response.json()["items"])


def test_agents_never_read_findings_on_documents_they_may_not_read(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    _seed_findings_on_unreadable_documents(engine)
    agent, admin = keys["agent"], keys["admin"]
    assert client.get("/v1/articles/new-fees", headers=auth(agent)).status_code == 404
    assert _kinds(client, agent) == ["policy_mismatch", "review_due_soon"]
    assert _kinds(client, agent, "?article_id=new-fees") == []
    assert _kinds(client, agent, "?article_id=refund-timeframe") == ["policy_mismatch"]
    page = client.get("/v1/findings", headers=auth(agent)).json()
    assert page["total"] == 2
    assert "draft wording" not in client.get("/v1/findings", headers=auth(agent)).text
    article = client.get("/v1/articles/refund-timeframe", headers=auth(agent)).json()
    assert [f["kind"] for f in article["findings"]] == ["policy_mismatch"]
    # owners and admins, who may read drafts, read every one of them
    assert _kinds(client, admin) == [
        "conflict", "duplicate", "invalid", "policy_mismatch", "review_due_soon"
    ]  # fmt: skip
    article = client.get("/v1/articles/refund-timeframe", headers=auth(admin)).json()
    assert sorted(f["kind"] for f in article["findings"]) == ["conflict", "policy_mismatch"]
    assert _kinds(client, keys["owner"], "?article_id=new-fees") == ["conflict", "duplicate"]


def test_evidence_names_a_file_by_its_path_under_the_content_root(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    with session_scope(engine) as session:
        finding = FindingData.create(
            FindingKind.DUPLICATE, ["refund-timeframe"], "Twice.",
            [
                Evidence(article_id="refund-timeframe", text="a", path="/srv/kb/x/refund.md"),
                Evidence(text="b", path="/home/someone/kb/content/billing/stray.md"),
                Evidence(text="c", path="/var/lib/secret/folder/notes.md"),
            ],
        )  # fmt: skip
        freshness.sync_findings(session, [finding], covered=lambda _row: False)
    found = client.get("/v1/findings?kind=duplicate", headers=auth(keys["admin"])).json()
    paths = [span["path"] for span in found["items"][0]["evidence"]]
    # the import recorded refund-timeframe.md at the root of its content folder
    assert paths == ["refund-timeframe.md", "billing/stray.md", "notes.md"]
    article = client.get("/v1/articles/refund-timeframe", headers=auth(keys["agent"])).json()
    shown = [s["path"] for f in article["findings"] for s in f["evidence"] if s["path"]]
    assert shown == paths


def test_evidence_of_a_version_edited_in_the_service_names_the_version_not_a_stale_file(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    with session_scope(engine) as session:
        imported = content.get_article(session, "refund-timeframe")  # version 2, from its file
    edited = client.put(
        "/v1/articles/refund-timeframe",
        headers=auth(keys["owner"]) | {"If-Match": etag_of("refund-timeframe", 2)},
        json={"text": imported.raw.replace("5 business days", "7 business days")},
    )
    assert edited.json()["version"] == 3, edited.text
    file = str(imported.document["source_path"])
    with session_scope(engine) as session:
        finding = FindingData.create(
            FindingKind.DUPLICATE, ["refund-timeframe"], "Twice.",
            [
                Evidence(article_id="refund-timeframe", version=3, text="7 days", path=file),
                Evidence(article_id="refund-timeframe", version=2, text="5 days", path=file),
            ],
        )  # fmt: skip
        freshness.sync_findings(session, [finding], covered=lambda _row: False)
    found = client.get("/v1/findings?kind=duplicate", headers=auth(keys["admin"])).json()
    spans = [(s["version"], s["path"]) for s in found["items"][0]["evidence"]]
    # version 3 was written through the API: its file still holds version 2's text
    assert spans == [(3, None), (2, "refund-timeframe.md")]
