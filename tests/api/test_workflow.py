"""The workflow routes in process: lifecycle, ETags, four eyes, bad input, no half-applies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.audit import AuditEvent
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.freshness.pipeline import StoreChanges
from knowledge_service.http.deps import get_after_write
from tests.api.conftest import PAYMENTS, auth
from tests.factories import article_text, etag_of, policy_text


@pytest.fixture
def written(app: FastAPI) -> list[StoreChanges]:
    """What the routes handed to the after-write pipeline."""
    calls: list[StoreChanges] = []
    app.dependency_overrides[get_after_write] = lambda: calls.append
    return calls


@pytest.fixture
def wf(app: FastAPI, written: list[StoreChanges]) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def editor_key(engine: Engine) -> str:
    """A second owner key for payments: four eyes need two people."""
    with session_scope(engine) as session:
        return access.create_key(session, name="editor", role=Role.OWNER, owner=PAYMENTS).secret


def events(engine: Engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent)).all())


def post(client: TestClient, key: str, path: str, tag: str | None, **body: Any) -> Any:
    headers = auth(key) | ({"If-Match": tag} if tag else {})
    return client.post(path, headers=headers, json=body or None)


NEW = article_text(
    "card-fees",
    title="Card fees",
    intents=["billing.card.fees"],
    owner=PAYMENTS,
    answer="A card payment costs 1.5 percent.",
    status="published",
)


def test_article_walks_from_draft_to_published_to_verified_to_retired_and_back(
    wf: TestClient, keys: dict[str, str], editor_key: str, written: list[StoreChanges]
) -> None:
    created = wf.post("/v1/articles", headers=auth(editor_key), json={"text": NEW})
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "draft" and created.headers["ETag"] == etag_of("card-fees", 1)
    base = "/v1/articles/card-fees"
    submitted = post(wf, editor_key, f"{base}/submit", etag_of("card-fees", 1))
    assert submitted.json()["state"] == "in_review", submitted.text
    approved = post(wf, keys["owner"], f"{base}/approve", etag_of("card-fees", 1))
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["version"]) == ("published", 2)
    verified = post(wf, keys["owner"], f"{base}/verify", etag_of("card-fees", 2))
    assert verified.json()["version"] == 3, verified.text
    assert verified.json()["unchanged"] is False
    again = post(wf, keys["owner"], f"{base}/verify", etag_of("card-fees", 3))  # the same day
    assert (again.json()["version"], again.json()["unchanged"]) == (3, True), again.text
    shown = wf.get(base, headers=auth(keys["agent"]))
    assert shown.json()["last_reviewed"] == "2026-11-24" and shown.headers["ETag"] == etag_of(
        "card-fees", 3
    )
    assert shown.json()["next_review"] == "2027-05-23"
    retired = post(wf, keys["owner"], f"{base}/retire", etag_of("card-fees", 3))
    assert retired.json()["state"] == "retired"
    restored = post(wf, keys["owner"], f"{base}/restore", etag_of("card-fees", 4), version=2)
    assert (restored.json()["state"], restored.json()["version"]) == ("draft", 5), restored.text
    assert [sorted(c.article_ids) for c in written] == [["card-fees"]] * 5
    diff = wf.get(f"{base}/diff", params={"from": 2, "to": 3}, headers=auth(keys["owner"]))
    assert {f["field"] for f in diff.json()["fields"]} == {"last_reviewed", "next_review"}


def _served_then_drafted(wf: TestClient, keys: dict[str, str], editor_key: str) -> str:
    """card-fees created and approved (version 2 is served), then edited into draft version 3
    by its editor; the article's API path."""
    wf.post("/v1/articles", headers=auth(editor_key), json={"text": NEW})
    base = "/v1/articles/card-fees"
    post(wf, editor_key, f"{base}/submit", etag_of("card-fees", 1))
    post(wf, keys["owner"], f"{base}/approve", etag_of("card-fees", 1))
    edited = wf.put(
        base, headers=auth(editor_key) | {"If-Match": etag_of("card-fees", 2)},
        json={"text": NEW.replace("1.5 percent", "2 percent")},
    )  # fmt: skip
    assert edited.json()["version"] == 3, edited.text
    return base


def test_discarding_a_draft_brings_back_the_version_in_force_and_keeps_the_draft_in_history(
    wf: TestClient, keys: dict[str, str], editor_key: str, engine: Engine,
    written: list[StoreChanges],
) -> None:  # fmt: skip
    base = _served_then_drafted(wf, keys, editor_key)
    post(wf, editor_key, f"{base}/submit", etag_of("card-fees", 3))  # in review: discardable too
    listed = wf.get(f"{base}/workflow", headers=auth(keys["owner"])).json()["allowed_actions"]
    assert "discard" in listed, listed
    assert post(wf, keys["owner"], f"{base}/discard", None).status_code == 428
    assert post(wf, keys["owner"], f"{base}/discard", etag_of("card-fees", 2)).status_code == 412
    before = len(events(engine))
    discarded = post(wf, keys["owner"], f"{base}/discard", etag_of("card-fees", 3),
                     reason="the fee is not changing after all")  # fmt: skip
    assert discarded.status_code == 200, discarded.text
    body = discarded.json()
    assert (body["state"], body["version"], body["submitted_by"]) == ("published", 4, None)
    assert discarded.headers["ETag"] == etag_of("card-fees", 4)
    assert "discard" not in body["allowed_actions"] and "verify" in body["allowed_actions"]
    with session_scope(engine) as session:
        v2, v3, v4 = (content.get_article(session, "card-fees", n) for n in (2, 3, 4))
        assert (v4.raw, v4.content_hash, str(v4.status)) == (v2.raw, v2.content_hash, "published")
        assert str(v3.status) == "draft" and "2 percent" in v3.raw  # kept in the history
    new = events(engine)[before:]
    assert [(e.actor, e.action, e.version_before, e.version_after) for e in new] == [
        ("test-owner", "discarded", 3, 4)
    ]
    assert new[0].reason == "the fee is not changing after all"
    shown = wf.get(base, headers=auth(keys["agent"]))
    assert shown.json()["version"] == 4 and "1.5 percent" in shown.json()["answer"], shown.text
    assert sorted(written[-1].article_ids) == ["card-fees"]  # the index and findings follow
    again = post(wf, keys["owner"], f"{base}/discard", etag_of("card-fees", 4))
    assert again.status_code == 409, again.text  # no draft now
    assert again.json()["state"] == "published" and "discard" not in again.json()["allowed_actions"]
    diff = wf.get(f"{base}/diff", params={"from": 2, "to": 4}, headers=auth(keys["owner"]))
    assert (diff.json()["status"], diff.json()["unified"]) == (None, "")


def test_discarding_needs_a_draft_and_a_version_in_force_to_go_back_to(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    wf.post("/v1/articles", headers=auth(keys["owner"]), json={"text": NEW})
    before = _counts(engine)
    never = post(wf, keys["owner"], "/v1/articles/card-fees/discard", etag_of("card-fees", 1))
    assert never.status_code == 409, never.text
    assert "retire it instead" in never.json()["detail"]
    assert "discard" not in never.json()["allowed_actions"]
    listed = wf.get("/v1/articles/card-fees/workflow", headers=auth(keys["owner"])).json()
    assert "discard" not in listed["allowed_actions"]
    missing = post(wf, keys["owner"], "/v1/articles/no-such-article/discard", '"x-v1"')
    assert missing.status_code == 404, missing.text
    published = post(
        wf, keys["owner"], "/v1/articles/refund-timeframe/discard", etag_of("refund-timeframe", 2)
    )
    assert published.status_code == 409 and published.json()["state"] == "published"
    assert _counts(engine) == before


def test_discarding_a_restored_draft_of_a_retired_article_leaves_it_retired(
    wf: TestClient, keys: dict[str, str]
) -> None:
    base = "/v1/articles/refund-timeframe"
    post(wf, keys["owner"], f"{base}/retire", etag_of("refund-timeframe", 2))
    restored = post(wf, keys["owner"], f"{base}/restore", etag_of("refund-timeframe", 3), version=2)
    assert restored.json()["state"] == "draft" and "discard" in restored.json()["allowed_actions"]
    discarded = post(wf, keys["owner"], f"{base}/discard", etag_of("refund-timeframe", 4))
    assert discarded.status_code == 200, discarded.text
    assert (discarded.json()["state"], discarded.json()["version"]) == ("retired", 5)
    assert discarded.json()["allowed_actions"] == ["restore"]
    assert wf.get(base, headers=auth(keys["agent"])).status_code == 404  # still not served


def test_verifying_while_a_draft_waits_says_to_approve_or_discard_the_draft(
    wf: TestClient, keys: dict[str, str], editor_key: str, engine: Engine
) -> None:
    """A verify writes the current version's text with new dates: under a draft that would be
    the draft's, so it is refused, and the refusal says what to do."""
    base = _served_then_drafted(wf, keys, editor_key)
    before = _counts(engine)
    refused = post(wf, keys["owner"], f"{base}/verify", etag_of("card-fees", 3))
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "draft" in detail and "submit and approve it or discard it, then verify" in detail
    assert "discard" in refused.json()["allowed_actions"]
    post(wf, editor_key, f"{base}/submit", etag_of("card-fees", 3))
    in_review = post(wf, keys["owner"], f"{base}/verify", etag_of("card-fees", 3))
    assert "first approve it or discard it, then verify" in in_review.json()["detail"]
    assert _counts(engine) == (before[0], before[1] + 1)  # the submission's event only
    post(wf, keys["owner"], f"{base}/discard", etag_of("card-fees", 3))
    verified = post(wf, keys["owner"], f"{base}/verify", etag_of("card-fees", 4))
    assert verified.status_code == 200 and verified.json()["version"] == 5, verified.text


def test_the_workflow_says_when_approving_a_draft_gives_customers_its_whole_text(
    wf: TestClient, keys: dict[str, str], editor_key: str
) -> None:
    """A new public article, and an internal one made public, are new to customers (the
    latter's diff shows only its audience line); a draft of a served public article is not."""
    internal = NEW.replace("audience: public", "audience: internal")
    assert internal != NEW
    created = wf.post("/v1/articles", headers=auth(editor_key), json={"text": NEW})
    assert created.json()["new_to_customers"] is True, created.text
    wf.post("/v1/articles", headers=auth(editor_key),
            json={"text": internal.replace("card-fees", "card-rules")})  # fmt: skip
    base = "/v1/articles/card-rules"
    post(wf, editor_key, f"{base}/submit", etag_of("card-rules", 1))
    post(wf, keys["owner"], f"{base}/approve", etag_of("card-rules", 1))  # internal, served
    made_public = wf.put(
        base, headers=auth(editor_key) | {"If-Match": etag_of("card-rules", 2)},
        json={"text": NEW.replace("card-fees", "card-rules")},
    )  # fmt: skip
    assert made_public.json()["new_to_customers"] is True, made_public.text
    status = wf.get(f"{base}/workflow", headers=auth(keys["owner"]))
    assert status.json()["new_to_customers"] is True, status.text
    post(wf, editor_key, "/v1/articles/card-fees/submit", etag_of("card-fees", 1))
    post(wf, keys["owner"], "/v1/articles/card-fees/approve", etag_of("card-fees", 1))
    edited = wf.put(
        "/v1/articles/card-fees", headers=auth(editor_key) | {"If-Match": etag_of("card-fees", 2)},
        json={"text": NEW.replace("1.5 percent", "2 percent")},
    )  # fmt: skip
    assert edited.json()["new_to_customers"] is False, edited.text  # customers read version 2


def test_a_diff_gives_the_workflow_status_apart_from_the_changes_to_the_text(
    wf: TestClient, keys: dict[str, str], editor_key: str
) -> None:
    base = _served_then_drafted(wf, keys, editor_key)
    draft = wf.get(f"{base}/diff", params={"from": 2, "to": 3}, headers=auth(keys["owner"]))
    assert draft.status_code == 200, draft.text
    body = draft.json()
    assert body["status"] == {"before": "published", "after": "draft"}
    assert body["fields"] == [] and [s["section"] for s in body["sections"]] == ["(answer)"]
    assert "-A card payment costs 1.5 percent." in body["unified"]
    assert "+A card payment costs 2 percent." in body["unified"]
    assert "status:" not in body["unified"], body["unified"]
    approval = wf.get(f"{base}/diff", params={"from": 1, "to": 2}, headers=auth(keys["owner"]))
    assert approval.json()["status"] == {"before": "draft", "after": "published"}
    assert (approval.json()["fields"], approval.json()["unified"]) == ([], "")
    same = wf.get(f"{base}/diff", params={"from": 2, "to": 2}, headers=auth(keys["owner"]))
    assert same.json()["status"] is None


def test_an_edit_with_raw_html_says_which_html_no_channel_shows_and_keeps_the_rest(
    wf: TestClient, keys: dict[str, str], editor_key: str, engine: Engine
) -> None:
    wf.post("/v1/articles", headers=auth(editor_key), json={"text": NEW})
    text = NEW.replace("1.5 percent.", "<b>2 percent</b>.").replace(
        "## Details", '<div class="note">\nNo fee for debit cards.\n</div>\n\n## Details'
    )
    lines = text.splitlines()
    edited = wf.put(
        "/v1/articles/card-fees", headers=auth(editor_key) | {"If-Match": etag_of("card-fees", 1)},
        json={"text": text},
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert edited.json()["raw_html"] == [
        {"line": lines.index("A card payment costs <b>2 percent</b>.") + 1,
         "tags": ["<b>", "</b>"], "hides_text": False},
        {"line": lines.index('<div class="note">') + 1,
         "tags": ['<div class="note">', "</div>"], "hides_text": True},
    ]  # fmt: skip
    with session_scope(engine) as session:
        stored = content.get_article(session, "card-fees")
    assert stored.version == 2 and "<b>2 percent</b>" in stored.raw  # saved as sent
    assert "No fee for debit cards." in stored.raw
    plain = wf.put(
        "/v1/articles/card-fees", headers=auth(editor_key) | {"If-Match": etag_of("card-fees", 2)},
        json={"text": NEW},
    )  # fmt: skip
    assert plain.json()["raw_html"] == [], plain.text


def test_verifying_a_blocked_article_says_which_findings_still_block_it(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    base = "/v1/articles/refund-timeframe"
    verified = post(wf, keys["owner"], f"{base}/verify", etag_of("refund-timeframe", 2))
    assert verified.status_code == 200, verified.text
    assert verified.json()["version"] == 3  # the verification is recorded...
    blocks = verified.json()["still_blocked_by"]  # ...and the block it does not lift is named
    assert [(b["id"], b["kind"]) for b in blocks] == [(1, "policy_mismatch")], verified.text
    assert "REFUNDS#2.1 says 10 business days" in blocks[0]["message"]
    escalation = wf.get("/v1/articles/escalation-process/workflow", headers=auth(keys["admin"]))
    bulk = wf.post(
        "/v1/articles:bulk-verify", headers=auth(keys["admin"]),
        json={"items": [{"id": "refund-timeframe", "etag": etag_of("refund-timeframe", 3)},
                        {"id": "escalation-process", "etag": escalation.headers["ETag"]}]},
    )  # fmt: skip
    assert bulk.status_code == 200, bulk.text
    assert [len(s["still_blocked_by"]) for s in bulk.json()] == [1, 0]  # an info finding: none


def test_approving_an_article_its_check_finds_blocking_names_the_blocks(
    wf: TestClient, keys: dict[str, str], editor_key: str
) -> None:
    """An approval publishes, and lifts no block: the approver learns at once that customer
    channels will hand the article to a person (refund-timeframe's policy_mismatch stays)."""
    base = "/v1/articles/refund-timeframe"
    text = article_text(
        "refund-timeframe", owner=PAYMENTS, policy_sources=["REFUNDS#2.1"], status="published",
        answer="Refunds reach your account within 5 business days, by card or transfer.",
    )  # fmt: skip
    edited = wf.put(
        base, headers=auth(editor_key) | {"If-Match": etag_of("refund-timeframe", 2)},
        json={"text": text},
    )  # fmt: skip
    assert edited.json()["version"] == 3, edited.text
    assert post(wf, editor_key, f"{base}/submit", etag_of("refund-timeframe", 3)).is_success
    approved = post(wf, keys["owner"], f"{base}/approve", etag_of("refund-timeframe", 3))
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "published"
    blocks = approved.json()["still_blocked_by"]
    assert [(b["id"], b["kind"]) for b in blocks] == [(1, "policy_mismatch")], approved.text


def test_an_agent_sees_the_workflow_of_the_served_version_never_of_a_draft(
    wf: TestClient, keys: dict[str, str], editor_key: str
) -> None:
    base = _served_then_drafted(wf, keys, editor_key)
    agent = wf.get(f"{base}/workflow", headers=auth(keys["agent"]))
    assert agent.status_code == 200 and agent.headers["ETag"] == etag_of("card-fees", 2)
    assert (agent.json()["version"], agent.json()["state"]) == (2, "published")
    owner = wf.get(f"{base}/workflow", headers=auth(keys["owner"])).json()
    assert (owner["version"], owner["state"]) == (3, "draft")


def test_policy_walks_the_same_lifecycle(wf: TestClient, keys: dict[str, str]) -> None:
    text = policy_text("FEES", owner="legal@example.com")
    created = wf.post("/v1/policies", headers=auth(keys["admin"]), json={"text": text})
    assert created.json()["state"] == "draft", created.text
    post(wf, keys["admin"], "/v1/policies/FEES/submit", etag_of("FEES", 1))
    own = post(wf, keys["admin"], "/v1/policies/FEES/approve", etag_of("FEES", 1))
    assert own.status_code == 409 and "four eyes" in own.json()["detail"]


def test_a_policy_draft_is_discarded_the_same_way(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    base = "/v1/policies/REFUNDS"
    with session_scope(engine) as session:
        active = content.policies.get(session, "REFUNDS")
    text = active.raw.replace("10 business days", "30 business days")
    assert text != active.raw
    edited = wf.put(base, headers=auth(keys["admin"]) | {"If-Match": etag_of("REFUNDS", 1)},
                    json={"text": text})  # fmt: skip
    assert edited.json()["state"] == "draft", edited.text
    discarded = post(wf, keys["admin"], f"{base}/discard", etag_of("REFUNDS", 2))
    assert discarded.status_code == 200, discarded.text
    assert (discarded.json()["state"], discarded.json()["version"]) == ("published", 3)
    with session_scope(engine) as session:
        current = content.policies.get(session, "REFUNDS")
    assert (current.version, current.raw, str(current.status)) == (3, active.raw, "active")


def _counts(engine: Engine) -> tuple[int, int]:
    from knowledge_service.content.models import ArticleVersion

    with session_scope(engine) as session:
        versions = len(session.exec(select(ArticleVersion)).all())
    return versions, len(events(engine))


def test_stale_etag_gets_412_with_the_current_version(wf: TestClient, keys: dict[str, str]) -> None:
    response = post(
        wf, keys["owner"], "/v1/articles/refund-timeframe/retire", etag_of("refund-timeframe", 1)
    )
    assert response.status_code == 412
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["current_version"], body["current_etag"]) == (2, etag_of("refund-timeframe", 2))


def test_missing_if_match_gets_428(wf: TestClient, keys: dict[str, str]) -> None:
    response = post(wf, keys["owner"], "/v1/articles/refund-timeframe/retire", None)
    assert response.status_code == 428
    assert response.json()["type"].endswith("precondition-required")


def test_an_edit_that_changes_nothing_writes_nothing_and_says_so(
    wf: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    base = "/v1/articles/refund-timeframe"
    with session_scope(engine) as session:
        raw = content.get_article(session, "refund-timeframe").raw
    before = len(events(engine))
    headers = auth(keys["owner"]) | {"If-Match": etag_of("refund-timeframe", 2)}
    same = wf.put(base, headers=headers, json={"text": raw})
    assert same.status_code == 200, same.text
    body = same.json()
    assert (body["unchanged"], body["version"], body["state"]) == (True, 2, "published")
    assert same.headers["ETag"] == etag_of("refund-timeframe", 2)
    assert len(events(engine)) == before and not any(c.article_ids for c in written)
    changed = raw.replace("5 business days", "6 business days")
    edited = wf.put(base, headers=headers, json={"text": changed})
    assert (edited.json()["unchanged"], edited.json()["version"]) == (False, 3), edited.text
    again = wf.put(
        base, headers=auth(keys["owner"]) | {"If-Match": etag_of("refund-timeframe", 3)},
        json={"text": changed},
    )  # fmt: skip
    assert (again.json()["unchanged"], again.json()["version"]) == (True, 3), again.text


def test_restoring_the_current_versions_text_writes_nothing_and_says_so(
    wf: TestClient, keys: dict[str, str], engine: Engine, written: list[StoreChanges]
) -> None:
    """Restoring the version in force once wrote a draft of the same text: the published
    article went to draft, with its restorer as last editor, and needed an approval to change
    nothing. It is now what an edit to the same text is: nothing written, the state kept."""
    base = "/v1/articles/refund-timeframe"
    before = len(events(engine))
    restored = post(wf, keys["owner"], f"{base}/restore", etag_of("refund-timeframe", 2), version=2)
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert (body["unchanged"], body["version"], body["state"]) == (True, 2, "published")
    assert len(events(engine)) == before and not any(c.article_ids for c in written)
    older = post(wf, keys["owner"], f"{base}/restore", etag_of("refund-timeframe", 2), version=1)
    assert (older.json()["unchanged"], older.json()["version"]) == (False, 3), older.text


def test_a_text_with_a_byte_order_mark_and_crlf_is_read_as_its_file_would_be(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """A text saved by an editor that writes a byte order mark and CRLF line endings, sent
    through the API, is what ``import`` takes from the same file: created as it reads, and the
    same text sent again as an edit changes nothing."""
    text = "\ufeff" + article_text("bom-article", owner=PAYMENTS).replace("\n", "\r\n")
    created = wf.post("/v1/articles", headers=auth(keys["owner"]), json={"text": text})
    assert created.status_code == 201, created.text
    with session_scope(engine) as session:
        raw = content.get_article(session, "bom-article").raw
    assert "\ufeff" not in raw and "\r" not in raw
    again = wf.put(
        "/v1/articles/bom-article", json={"text": text},
        headers=auth(keys["owner"]) | {"If-Match": etag_of("bom-article", 1)},
    )  # fmt: skip
    assert (again.status_code, again.json()["unchanged"]) == (200, True), again.text


def test_if_match_star_gets_428_naming_the_current_etag(
    wf: TestClient, keys: dict[str, str]
) -> None:
    response = post(wf, keys["owner"], "/v1/articles/refund-timeframe/retire", "*")
    assert response.status_code == 428, response.text
    assert "If-Match: * names no version" in response.json()["detail"]
    assert etag_of("refund-timeframe", 2) in response.json()["detail"]


def test_edit_without_if_match_gets_428(wf: TestClient, keys: dict[str, str]) -> None:
    text = article_text("refund-timeframe", owner=PAYMENTS)
    response = wf.put(
        "/v1/articles/refund-timeframe", headers=auth(keys["owner"]), json={"text": text}
    )
    assert response.status_code == 428


@pytest.mark.parametrize(
    ("article_id", "action", "version", "state"),
    [
        ("new-fees", "approve", 1, "draft"),  # publishing a draft that was never approved
        ("new-fees", "verify", 1, "draft"),
        ("refund-timeframe", "submit", 2, "published"),
        ("refund-timeframe", "reject", 2, "published"),
    ],
)
def test_illegal_transition_gets_409_naming_state_and_allowed_actions(
    wf: TestClient,
    keys: dict[str, str],
    engine: Engine,
    written: list[StoreChanges],
    article_id: str,
    action: str,
    version: int,
    state: str,
) -> None:
    before = _counts(engine)
    response = post(
        wf,
        keys["admin"],
        f"/v1/articles/{article_id}/{action}",
        etag_of(article_id, version),
        reason="because",
    )
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["state"] == state and state in body["detail"]
    assert action not in body["allowed_actions"] and body["allowed_actions"]
    assert _counts(engine) == before and written == []


def test_verifying_a_retired_article_gets_409(wf: TestClient, keys: dict[str, str]) -> None:
    post(wf, keys["owner"], "/v1/articles/refund-timeframe/retire", etag_of("refund-timeframe", 2))
    response = post(
        wf, keys["owner"], "/v1/articles/refund-timeframe/verify", etag_of("refund-timeframe", 3)
    )
    assert response.status_code == 409
    assert response.json()["allowed_actions"] == ["restore"]  # reassigning is for admins


def test_approving_your_own_edit_gets_409_and_changes_nothing(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    text = article_text("refund-timeframe", owner=PAYMENTS, answer="Refunds take 10 business days.")
    edited = wf.put(
        "/v1/articles/refund-timeframe",
        json={"text": text},
        headers=auth(keys["owner"]) | {"If-Match": etag_of("refund-timeframe", 2)},
    )
    assert (edited.status_code, edited.json()["state"]) == (200, "draft"), edited.text
    post(wf, keys["owner"], "/v1/articles/refund-timeframe/submit", etag_of("refund-timeframe", 3))
    before = _counts(engine)
    own = post(
        wf, keys["owner"], "/v1/articles/refund-timeframe/approve", etag_of("refund-timeframe", 3)
    )
    assert own.status_code == 409 and "four eyes" in own.json()["detail"]
    assert _counts(engine) == before
    other = post(
        wf, keys["admin"], "/v1/articles/refund-timeframe/approve", etag_of("refund-timeframe", 3)
    )
    assert other.json()["approved_by"] == "test-admin" and other.json()["author"] == "test-admin"


def test_an_article_customers_read_is_not_made_internal_by_its_editor_alone(
    wf: TestClient, keys: dict[str, str], editor_key: str, engine: Engine
) -> None:
    """A security audit took a public article internal with a new text and approved it alone
    (internal drafts need no second person), then edited it back to public: the second owner
    then saw only the audience change and approved a text nobody else had read."""
    text = article_text("refund-timeframe", owner=PAYMENTS, audience="internal",
                        answer="SELF-APPROVED: refunds go to account 999999.")  # fmt: skip
    edited = wf.put(
        "/v1/articles/refund-timeframe",
        json={"text": text},
        headers=auth(keys["owner"]) | {"If-Match": etag_of("refund-timeframe", 2)},
    )
    assert edited.status_code == 200, edited.text
    post(wf, keys["owner"], "/v1/articles/refund-timeframe/submit", etag_of("refund-timeframe", 3))
    before = _counts(engine)
    own = post(
        wf, keys["owner"], "/v1/articles/refund-timeframe/approve", etag_of("refund-timeframe", 3)
    )
    assert own.status_code == 409 and "four eyes" in own.json()["detail"]
    assert "approve" not in own.json()["allowed_actions"]
    assert _counts(engine) == before
    other = post(
        wf, editor_key, "/v1/articles/refund-timeframe/approve", etag_of("refund-timeframe", 3)
    )
    assert other.status_code == 200 and other.json()["approved_by"] == "editor"


def test_allowed_actions_are_the_steps_this_caller_may_take_now(
    wf: TestClient, keys: dict[str, str], editor_key: str
) -> None:
    """Role, ownership and four eyes, as the step itself would check them: every action listed
    is one the caller may take, and none it would get a 403 or a 409 for."""
    base = "/v1/articles/refund-timeframe"
    text = article_text("refund-timeframe", owner=PAYMENTS, answer="Refunds take 10 business days.")
    edited = wf.put(
        base, json={"text": text},
        headers=auth(keys["owner"]) | {"If-Match": etag_of("refund-timeframe", 2)},
    )  # fmt: skip
    assert edited.json()["allowed_actions"] == ["edit", "submit", "discard", "retire", "restore"]
    submitted = post(wf, keys["owner"], f"{base}/submit", etag_of("refund-timeframe", 3))
    assert submitted.json()["allowed_actions"] == [
        "edit", "reject", "discard", "retire", "restore"
    ]  # fmt: skip

    def listed(key: str) -> list[str]:
        return list(wf.get(f"{base}/workflow", headers=auth(key)).json()["allowed_actions"])

    assert listed(keys["owner"]) == ["edit", "reject", "discard", "retire", "restore"]  # four eyes
    assert listed(editor_key) == ["edit", "approve", "reject", "discard", "retire", "restore"]
    assert listed(keys["admin"]) == [
        "edit", "approve", "reject", "discard", "retire", "restore", "reassign"
    ]  # fmt: skip
    assert listed(keys["agent"]) == []  # agents never write
    approved = post(wf, editor_key, f"{base}/approve", etag_of("refund-timeframe", 3))
    assert approved.status_code == 200, approved.text
    assert approved.json()["allowed_actions"] == ["edit", "verify", "retire", "restore"]
    refused = post(wf, keys["owner"], f"{base}/submit", etag_of("refund-timeframe", 4))
    assert refused.status_code == 409  # the 409 lists the caller's steps too
    assert refused.json()["allowed_actions"] == ["edit", "verify", "retire", "restore"]


def test_another_owners_key_is_offered_nothing(wf: TestClient, engine: Engine) -> None:
    with session_scope(engine) as session:
        other = access.create_key(session, name="other", role=Role.OWNER, owner="x@example.com")
    shown = wf.get("/v1/articles/refund-timeframe/workflow", headers=auth(other.secret))
    assert shown.status_code == 200 and shown.json()["allowed_actions"] == []


def test_internal_article_needs_no_second_pair_of_eyes_by_default(
    wf: TestClient, keys: dict[str, str]
) -> None:
    base = "/v1/articles/escalation-process"
    text = article_text(
        "escalation-process",
        owner="support@example.com",
        audience="internal",
        intents=["support.escalate"],
    )
    wf.put(
        base,
        json={"text": text},
        headers=auth(keys["admin"]) | {"If-Match": etag_of("escalation-process", 1)},
    )
    post(wf, keys["admin"], f"{base}/submit", etag_of("escalation-process", 2))
    assert (
        post(wf, keys["admin"], f"{base}/approve", etag_of("escalation-process", 2)).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/articles/refund-timeframe/reject", {}, "reason"),
        ("/v1/articles/refund-timeframe/restore", {"version": "two"}, "version"),
        ("/v1/articles/refund-timeframe/reassign", {"owner": ""}, "owner"),
        ("/v1/articles:bulk-verify", {"items": [{"id": "x"}]}, "etag"),
    ],
)
def test_malformed_body_names_the_field(
    wf: TestClient, keys: dict[str, str], path: str, body: dict[str, Any], field: str
) -> None:
    response = wf.post(
        path, json=body, headers=auth(keys["admin"]) | {"If-Match": etag_of("refund-timeframe", 2)}
    )
    assert response.status_code == 400, response.text
    assert field in response.json()["detail"]


def test_text_breaking_the_content_contract_gets_422_naming_the_field(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    before = _counts(engine)
    text = article_text("card-fees", owner=PAYMENTS, intents=[])
    response = wf.post("/v1/articles", headers=auth(keys["owner"]), json={"text": text})
    assert response.status_code == 422 and "intents" in response.json()["detail"]
    assert _counts(engine) == before


def test_a_review_date_before_the_last_review_is_created_and_edited(
    wf: TestClient, keys: dict[str, str]
) -> None:
    """Every entry point agrees with the file contract: the review date is a date, overdue
    after it, and may be earlier than the last review."""
    dates = {"last_reviewed": "2026-06-01", "next_review": "2026-05-01"}
    text = article_text("card-fees", owner=PAYMENTS, intents=["billing.card.fees"], **dates)
    created = wf.post("/v1/articles", headers=auth(keys["owner"]), json={"text": text})
    assert created.status_code == 201, created.text
    edited = wf.put(
        "/v1/articles/refund-timeframe",
        json={"text": article_text("refund-timeframe", owner=PAYMENTS, **dates)},
        headers=auth(keys["owner"]) | {"If-Match": etag_of("refund-timeframe", 2)},
    )
    assert edited.status_code == 200, edited.text


def test_edit_naming_another_id_is_refused(wf: TestClient, keys: dict[str, str]) -> None:
    text = article_text("other-id", owner=PAYMENTS)
    response = wf.put(
        "/v1/articles/refund-timeframe",
        json={"text": text},
        headers=auth(keys["owner"]) | {"If-Match": etag_of("refund-timeframe", 2)},
    )
    assert response.status_code == 400 and "other-id" in response.json()["detail"]


def test_creating_an_existing_article_gets_409(wf: TestClient, keys: dict[str, str]) -> None:
    text = article_text("refund-timeframe", owner=PAYMENTS)
    response = wf.post("/v1/articles", headers=auth(keys["owner"]), json={"text": text})
    assert response.status_code == 409


def test_reject_sends_the_draft_back_with_the_reason(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    post(wf, keys["admin"], "/v1/articles/new-fees/submit", etag_of("new-fees", 1))
    rejected = post(
        wf,
        keys["admin"],
        "/v1/articles/new-fees/reject",
        etag_of("new-fees", 1),
        reason="cite FEES",
    )
    assert (rejected.json()["state"], rejected.json()["rejection_reason"]) == ("draft", "cite FEES")
    assert [e.action for e in events(engine)][-2:] == ["submitted", "rejected"]
    status = wf.get("/v1/articles/new-fees/workflow", headers=auth(keys["admin"]))
    assert status.json()["rejected_by"] == "test-admin" and status.headers["ETag"] == etag_of(
        "new-fees", 1
    )


@pytest.mark.parametrize("reason", ["   ", "cite FEES"])
def test_another_owners_draft_is_refused_before_the_rejection_s_reason_is_read(
    wf: TestClient, keys: dict[str, str], reason: str
) -> None:
    """An owner rejecting another owner's draft without a reason was told "say what must
    change" (400), as if adding one would let them: who may act is asked first."""
    post(wf, keys["admin"], "/v1/articles/new-fees/submit", etag_of("new-fees", 1))
    refused = post(
        wf, keys["owner"], "/v1/articles/new-fees/reject", etag_of("new-fees", 1), reason=reason
    )
    assert refused.status_code == 403, refused.text


@pytest.mark.parametrize(
    ("reason", "tag"),
    [
        ("", etag_of("refund-timeframe", 2)),
        ("   ", etag_of("refund-timeframe", 2)),  # published: no draft in review to reject
        ("   ", etag_of("refund-timeframe", 1)),  # and a stale ETag
        ("   ", None),  # and none
    ],
)
def test_a_rejection_without_a_reason_is_a_400_naming_it_whatever_the_state(
    wf: TestClient, keys: dict[str, str], engine: Engine, reason: str, tag: str | None
) -> None:
    """A blank reason was a 409 on a published article (or a 412, a 428), so the owner fixed
    the state and the ETag only to be told then that the reason was missing, though an empty
    one was a 400 at once: a rejection without a reason is a 400 naming it before the state
    and the ETag are looked at (after who may act, above)."""
    before = _counts(engine)
    refused = post(wf, keys["owner"], "/v1/articles/refund-timeframe/reject", tag, reason=reason)
    assert refused.status_code == 400, refused.text
    assert "reason" in refused.json()["detail"]
    assert _counts(engine) == before


def test_workflow_reasons_are_stored_redacted(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """A reviewer may quote a customer: the reason is redacted in the record and the audit."""
    quoted = "as jo@example.com said on 0412 345 678"
    post(wf, keys["admin"], "/v1/articles/new-fees/submit", etag_of("new-fees", 1), reason=quoted)
    rejected = post(
        wf, keys["admin"], "/v1/articles/new-fees/reject", etag_of("new-fees", 1), reason=quoted
    )
    assert rejected.json()["rejection_reason"] == "as [EMAIL] said on [PHONE]"
    assert [e.reason for e in events(engine)][-2:] == ["as [EMAIL] said on [PHONE]"] * 2


def test_every_version_names_the_key_and_writes_one_audit_event(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    before = len(events(engine))
    post(wf, keys["owner"], "/v1/articles/refund-timeframe/verify", etag_of("refund-timeframe", 2))
    new = events(engine)[before:]
    assert [(e.actor, e.action, e.version_before, e.version_after) for e in new] == [
        ("test-owner", "verified", 2, 3)
    ]
    history = wf.get("/v1/articles/refund-timeframe/versions", headers=auth(keys["admin"])).json()
    assert history[-1]["author"] == "test-owner"


def test_bulk_verify_past_the_limit_is_refused_with_a_clear_error(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    items = [{"id": f"a{i}", "etag": etag_of(f"a{i}", 1)} for i in range(101)]
    response = wf.post(
        "/v1/articles:bulk-verify", json={"items": items}, headers=auth(keys["admin"])
    )
    assert response.status_code == 400 and "at most 100" in response.json()["detail"]


def test_bulk_verify_is_all_or_nothing(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    before = _counts(engine)
    items = [
        {"id": "refund-timeframe", "etag": etag_of("refund-timeframe", 2)},
        {"id": "new-fees", "etag": etag_of("new-fees", 1)},  # a draft: cannot be verified
    ]
    response = wf.post(
        "/v1/articles:bulk-verify", json={"items": items}, headers=auth(keys["admin"])
    )
    assert response.status_code == 409
    assert _counts(engine) == before
    ok = wf.post("/v1/articles:bulk-verify", json={"items": items[:1]}, headers=auth(keys["admin"]))
    assert [s["version"] for s in ok.json()] == [3]


def test_bulk_reassign_moves_ownership_for_admins_only(
    wf: TestClient, keys: dict[str, str]
) -> None:
    items = [{"id": "refund-timeframe", "etag": etag_of("refund-timeframe", 2)}]
    body = {"items": items, "owner": "billing@example.com"}
    denied = wf.post("/v1/articles:bulk-reassign", json=body, headers=auth(keys["owner"]))
    assert denied.status_code == 403
    done = wf.post("/v1/articles:bulk-reassign", json=body, headers=auth(keys["admin"]))
    assert [(s["owner"], s["state"]) for s in done.json()] == [("billing@example.com", "published")]


@pytest.mark.parametrize("version", [True, "2", 2.0])
def test_restore_takes_a_version_number_only(
    wf: TestClient, keys: dict[str, str], engine: Engine, version: Any
) -> None:
    """JSON's true was read as version 1 and "2" as 2 (pydantic's lax mode): a client's slip
    restored a version nobody named."""
    before = _counts(engine)
    response = post(
        wf, keys["admin"], "/v1/articles/refund-timeframe/restore",
        etag_of("refund-timeframe", 2), version=version,
    )  # fmt: skip
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["parameter"] == "version" and "integer" in error["problem"]
    assert _counts(engine) == before


@pytest.mark.parametrize(
    ("owner", "problem"),
    [
        *(
            (o, "control character")
            for o in ["billing@example.com\nadmin", "billing\x1b[2J", "a\tb"]
        ),
        *((o, "invisible") for o in ["\u200b", "\u200b \ufeff", " \u2060\u00ad "]),
    ],
)
def test_a_new_owner_is_one_line_of_text_that_shows(
    wf: TestClient, keys: dict[str, str], engine: Engine, owner: str, problem: str
) -> None:
    """An owner is quoted on one line in front matter, lists and the audit log: one holding a
    line break or a terminal escape was stored (YAML-escaped) as sent. An owner of zero-width
    spaces, a byte order mark or a soft hyphen shows nothing: the reassignment wrote it and
    the content check then refused the version (422, about front matter the caller never
    sent). Each is a 400 naming ``owner``, single or bulk, and nothing is written."""
    before = _counts(engine)
    headers = auth(keys["admin"]) | {"If-Match": etag_of("refund-timeframe", 2)}
    one = wf.post("/v1/articles/refund-timeframe/reassign", json={"owner": owner}, headers=headers)
    items = [{"id": "refund-timeframe", "etag": etag_of("refund-timeframe", 2)}]
    bulk = wf.post(
        "/v1/articles:bulk-reassign", json={"items": items, "owner": owner},
        headers=auth(keys["admin"]),
    )  # fmt: skip
    for response in (one, bulk):
        assert response.status_code == 400, response.text
        (error,) = response.json()["errors"]
        assert error["parameter"] == "owner" and problem in error["problem"]
    assert _counts(engine) == before


def test_an_approver_reads_what_the_check_finds_in_a_version_before_approving_it(
    wf: TestClient, keys: dict[str, str], editor_key: str
) -> None:
    """The served version 2 says 5 business days where REFUNDS#2.1 says 10; a draft fixes it."""
    base = "/v1/articles/refund-timeframe"
    text = article_text(
        "refund-timeframe", owner=PAYMENTS, policy_sources=["REFUNDS#2.1"], status="published"
    )  # "within 10 business days", as the clause says
    edited = wf.put(
        base, headers=auth(editor_key) | {"If-Match": etag_of("refund-timeframe", 2)},
        json={"text": text},
    )  # fmt: skip
    assert edited.json()["version"] == 3, edited.text
    draft = wf.get(f"{base}/check", headers=auth(keys["owner"]))
    assert draft.status_code == 200, draft.text
    assert (draft.json()["version"], draft.json()["status"]) == (3, "draft")
    assert "policy_mismatch" not in {f["kind"] for f in draft.json()["findings"]}
    assert draft.json()["blocking"] is False
    served = wf.get(f"{base}/check", params={"version": 2}, headers=auth(keys["owner"]))
    mismatch = [f for f in served.json()["findings"] if f["kind"] == "policy_mismatch"]
    assert served.json()["blocking"] is True and mismatch, served.text
    assert mismatch[0]["severity"] == "block" and mismatch[0]["clause"] == "2.1"
    # an agent never reads a draft's text, nor what the check finds in it
    hidden = wf.get(f"{base}/check", params={"version": 3}, headers=auth(keys["agent"]))
    assert hidden.status_code == 404
    missing = wf.get("/v1/articles/no-such-article/check", headers=auth(keys["owner"]))
    assert missing.status_code == 404 and "no-such-article" in missing.json()["detail"]
    bad = wf.get(f"{base}/check", params={"version": 0}, headers=auth(keys["owner"]))
    assert bad.status_code == 400


def test_a_version_check_names_files_as_findings_do_never_where_they_lie_on_the_server(
    wf: TestClient, keys: dict[str, str], editor_key: str
) -> None:
    """The check of a version gave each evidence span the absolute path the server read its
    file from (`/srv/kb/content/...`), unlike the findings list; a version edited in the
    service, which no file holds, named its article's file all the same."""
    base = "/v1/articles/refund-timeframe"
    served = wf.get(f"{base}/check", params={"version": 2}, headers=auth(keys["agent"]))
    (mismatch,) = [f for f in served.json()["findings"] if f["kind"] == "policy_mismatch"]
    paths = [span["path"] for span in mismatch["evidence"]]
    assert paths and all(path and not path.startswith("/") for path in paths), paths
    assert paths == ["refund-timeframe.md", "refunds.md"]
    text = article_text(
        "refund-timeframe", owner=PAYMENTS, policy_sources=["REFUNDS#2.1"], status="published"
    ).replace("10 business days", "7 business days")
    edited = wf.put(
        base, headers=auth(editor_key) | {"If-Match": etag_of("refund-timeframe", 2)},
        json={"text": text},
    )  # fmt: skip
    assert edited.json()["version"] == 3, edited.text
    draft = wf.get(f"{base}/check", headers=auth(keys["owner"])).json()
    (mismatch,) = [f for f in draft["findings"] if f["kind"] == "policy_mismatch"]
    spans = [(s["article_id"], s["version"], s["path"]) for s in mismatch["evidence"]]
    assert spans[0] == ("refund-timeframe", 3, None), spans
    assert [path for _, _, path in spans[1:]] == ["refunds.md"], spans


@pytest.mark.parametrize(
    ("method", "path", "body", "parameter"),
    [
        ("GET", "/v1/articles?owner=pay%00ments", None, "owner"),
        ("GET", "/v1/review-queue?owner=pay%00ments", None, "owner"),
        ("GET", "/v1/audit?actor=a%00b", None, "actor"),
        ("GET", "/v1/audit?object_type=article&object_id=a%00b", None, "object_id"),
        ("POST", "/v1/articles/refund-timeframe/reassign", {"owner": "pay\x00ments"}, "owner"),
        ("POST", "/v1/articles:bulk-verify",
         {"items": [{"id": "refund\x00", "etag": '"refund-timeframe-v2"'}]}, "items.0.id"),
    ],
)  # fmt: skip
def test_a_nul_in_a_filter_or_an_owner_is_a_400_on_either_store(
    wf: TestClient, keys: dict[str, str], method: str, path: str, body: Any, parameter: str
) -> None:
    """PostgreSQL stores no NUL and refuses one in a query's parameter: these were a 500 there
    (and stored or looked up as sent on SQLite)."""
    headers = auth(keys["admin"]) | {"If-Match": etag_of("refund-timeframe", 2)}
    response = wf.request(method, path, headers=headers, json=body)
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["parameter"] == parameter and "NUL" in error["problem"]


def test_a_nul_written_as_a_yaml_escape_is_invalid_content_naming_the_field(
    wf: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """A raw NUL in a file is refused; so is one its YAML spells ("Late\\0 fee"), which reached
    the store (a 500 on PostgreSQL) as the title, the owner or a question."""
    before = _counts(engine)
    for field, value in [("title", "Late\x00 fee"), ("owner", "pay\x00ments")]:
        text = article_text("nul-fields", intents=["billing.nul"], **{field: value})
        assert "\\0" in text  # yaml.safe_dump escapes it
        response = wf.post("/v1/articles", headers=auth(keys["admin"]), json={"text": text})
        assert response.status_code == 422, response.text
        assert f"field '{field}': holds a NUL character" in response.json()["detail"]
    text = article_text("nul-fields", intents=["billing.nul"], questions=["is there\x00 a fee"])
    response = wf.post("/v1/articles", headers=auth(keys["admin"]), json={"text": text})
    assert response.status_code == 422 and "field 'questions'" in response.json()["detail"]
    assert _counts(engine) == before


@pytest.mark.parametrize(
    ("retire_first", "version"),
    [
        (True, 3),  # retired: no edit allowed, with the right ETag
        (False, 1),  # published, with a stale ETag
    ],
)
@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("---\nid: refund-timeframe\ntitle: [unclosed\n---\nAnswer.\n", "malformed YAML"),
        (
            article_text("refund-timeframe", owner=PAYMENTS, last_reviewed="2026-02-30"),
            "last_reviewed",
        ),
        (article_text("card-fees", owner=PAYMENTS), "'card-fees'"),  # another article's id
    ],
)
def test_an_edit_whose_text_breaks_the_format_says_so_whatever_the_state(
    wf: TestClient,
    keys: dict[str, str],
    engine: Engine,
    retire_first: bool,
    version: int,
    text: str,
    named: str,
) -> None:
    """A text that cannot be read was a 409 on a retired article and a 412 with a stale ETag,
    so the owner fixed the state or the ETag only to be told then that the text was wrong: it
    names what is wrong in the text before the ETag and the state are looked at (after who may
    act), as a rejection's blank reason does."""
    if retire_first:
        path, tag = "/v1/articles/refund-timeframe/retire", etag_of("refund-timeframe", 2)
        retired = post(wf, keys["owner"], path, tag)
        assert retired.status_code == 200, retired.text
    before = _counts(engine)
    refused = wf.put(
        "/v1/articles/refund-timeframe",
        headers=auth(keys["owner"]) | {"If-Match": etag_of("refund-timeframe", version)},
        json={"text": text},
    )
    assert refused.status_code in (400, 422), refused.text
    assert named in refused.json()["detail"]
    assert _counts(engine) == before
