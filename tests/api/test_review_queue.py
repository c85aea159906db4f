"""``GET /v1/review-queue``: each caller's work items, what resolves them, and their order."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from knowledge_service.analytics.gaps import GapCache
from knowledge_service.analytics.models import AnswerEvent, Feedback
from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings
from tests.api.conftest import PAYMENTS, SUPPORT, auth, seed_findings
from tests.conftest import TODAY
from tests.factories import article_text, policy_text

MISMATCH, DUE_SOON = 1, 2


@pytest.fixture
def search_service(settings: Settings, engine: Engine) -> SearchService:
    """A real search service (hash embedder): the admins' queue clusters content gaps."""
    service = SearchService(settings, engine, HashEmbedder())
    service.open()
    return service


def _queue(client: TestClient, key: str, query: str = "") -> Any:
    response = client.get(f"/v1/review-queue{query}", headers=auth(key))
    assert response.status_code == 200, response.text
    return response.json()


def _feedback(engine: Engine, article_id: str, version: int, rating: str, comment: str) -> None:
    with session_scope(engine) as session:
        session.add(
            Feedback(
                receipt="rcpt_x", rating=rating, comment=comment, article_id=article_id,
                version=version, channel="agent",
            )
        )  # fmt: skip


def _served(engine: Engine, article_id: str, times: int, status: str = "answered") -> None:
    with session_scope(engine) as session:
        for _ in range(times):
            session.add(
                AnswerEvent(
                    kind="answer", question="q", article_id=article_id, latency_ms=1.0,
                    status=status,
                )
            )  # fmt: skip


def test_owner_sees_its_own_items_with_what_resolves_them(
    client: TestClient, keys: dict[str, str]
) -> None:
    page = _queue(client, keys["owner"])
    assert page["total"] == 1
    (item,) = page["items"]
    assert item == {
        **item,
        "kind": "finding",
        "article_id": "refund-timeframe",
        "owner": PAYMENTS,
        "severity": "block",
        "finding_id": MISMATCH,
        "status": "open",
        "actions": ["edit", "acknowledge"],  # accepting its risk is for admins: never offered
    }
    assert item["reason"].startswith("The article says 5 business days")
    assert item["evidence"] == ["within 5 business days"]
    assert item["due_on"] is not None


def test_only_an_admin_is_offered_accept_risk_and_an_owner_would_be_refused_it(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The queue offers only what the caller may do: the owner's accept_risk is a 403."""
    (owned,) = _queue(client, keys["owner"])["items"]
    (seen,) = [i for i in _queue(client, keys["admin"])["items"] if i["key"] == owned["key"]]
    assert "accept_risk" in seen["actions"] and "accept_risk" not in owned["actions"]
    refused = client.post(
        f"/v1/findings/{owned['finding_id']}/risk-acceptances", headers=auth(keys["owner"]),
        json={"reason": "fix under way", "expires_on": "2099-01-01"},
    )  # fmt: skip
    assert refused.status_code == 403, refused.text


def test_admin_sees_every_owner_and_filters_by_owner_and_kind(
    client: TestClient, keys: dict[str, str]
) -> None:
    everything = _queue(client, keys["admin"])
    kinds = [(i["kind"], i["article_id"], i["severity"]) for i in everything["items"]]
    assert kinds[0] == ("finding", "refund-timeframe", "block")  # the block comes first
    assert set(kinds[1:]) == {
        ("draft", "new-fees", "info"),  # due since it was written (a timestamp)
        ("review_due", "escalation-process", "info"),  # due on its next_review, 2027-06-01
    }
    dues = [i["due_on"] for i in everything["items"][1:]]
    assert dues == sorted(dues)  # same severity: the earlier due date first
    support = _queue(client, keys["admin"], f"?owner={SUPPORT}")
    assert {i["article_id"] for i in support["items"]} == {"escalation-process", "new-fees"}
    drafts = _queue(client, keys["admin"], "?kind=draft")
    (draft,) = drafts["items"]
    assert draft["actions"] == ["submit", "edit"] and draft["severity"] == "info"


def test_each_finding_item_names_its_own_kind_and_filters_by_it(
    client: TestClient, keys: dict[str, str]
) -> None:
    """``kind`` stays the item kind; ``finding_kind`` tells a mismatch from a review due, and
    a finding kind is a filter as the item kinds are."""
    items = _queue(client, keys["admin"])["items"]
    kinds = {(i["kind"], i["finding_kind"]) for i in items}
    assert kinds == {
        ("finding", "policy_mismatch"), ("review_due", "review_due_soon"), ("draft", None)
    }  # fmt: skip
    (mismatch,) = _queue(client, keys["admin"], "?kind=policy_mismatch")["items"]
    assert (mismatch["finding_id"], mismatch["kind"]) == (MISMATCH, "finding")
    (due,) = _queue(client, keys["admin"], "?kind=review_due_soon")["items"]
    assert due["finding_id"] == DUE_SOON
    assert _queue(client, keys["admin"], "?kind=invalid")["total"] == 0
    assert _queue(client, keys["admin"], "?kind=finding")["items"] == [mismatch]


def test_items_sort_by_severity_then_due_date_then_how_often_served(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    _served(engine, "new-fees", 3)
    _served(engine, "new-fees", 4, status="escalate")  # hand-offs name a candidate, untold
    _served(engine, "escalation-process", 1)
    items = _queue(client, keys["admin"])["items"]
    keys_ = [(i["severity"], i["due_on"], -i["served"]) for i in items]
    rank = {"block": 0, "warn": 1, "info": 2}
    assert keys_ == sorted(keys_, key=lambda k: (rank[k[0]], k[1] or "9999", k[2]))
    assert {i["article_id"]: i["served"] for i in items}["new-fees"] == 3


def test_wrong_feedback_is_an_item_until_a_new_version_answers_it(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    _feedback(engine, "refund-timeframe", 2, "wrong", "customer says 10 days")
    _feedback(engine, "refund-timeframe", 2, "helpful", "")
    _feedback(engine, "refund-timeframe", 1, "outdated", "old version")
    items = _queue(client, keys["owner"], "?kind=feedback")["items"]
    (item,) = items
    assert item["severity"] == "warn" and item["evidence"] == ["wrong: customer says 10 days"]
    assert item["actions"] == ["edit", "verify", "retire"]
    with session_scope(engine) as session:
        text = article_text(
            "refund-timeframe", owner=PAYMENTS, policy_sources=["REFUNDS#2.1"],
            answer="Refunds reach your account within 10 business days.",
        )  # fmt: skip
        content.save_article_text(session, text, author="key:test-owner", source="api")
    assert _queue(client, keys["owner"], "?kind=feedback")["total"] == 0


def test_feedback_names_the_article_agents_used_instead(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """The owner sees which article an agent used instead of the one rated wrong (another
    owner's here, and a draft: owners and admins read every article's title)."""
    with session_scope(engine) as session:
        for used, comment in [("escalation-process", "used the escalation one"),
                              ("escalation-process", None), ("new-fees", None),
                              ("gone-article", None)]:  # fmt: skip
            session.add(Feedback(receipt="rcpt_x", rating="wrong", comment=comment, version=2,
                                 article_id="refund-timeframe", channel="agent",
                                 used_article_id=used))  # fmt: skip
    for key in (keys["owner"], keys["admin"]):
        (item,) = _queue(client, key, "?kind=feedback")["items"]
        assert item["evidence"] == [
            "wrong: used the escalation one — agent used How agents escalate (escalation-process)",
            "wrong — agent used How agents escalate (escalation-process)",
            "wrong — agent used New fees (new-fees)",
            "wrong — agent used gone-article",
        ]
        assert item["used_instead"] == [
            {"article_id": "escalation-process", "title": "How agents escalate", "times": 2},
            {"article_id": "gone-article", "title": None, "times": 1},
            {"article_id": "new-fees", "title": "New fees", "times": 1},
        ]


def test_an_agents_override_reaches_the_owner_whatever_it_rated(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """An agent who used another article and pressed "Unclear" (or "Helpful") was never in
    the owner's queue: only `wrong` and `outdated` ratings were, overrides and all."""
    _feedback(engine, "refund-timeframe", 2, "helpful", "")  # no override: measures only
    with session_scope(engine) as session:
        for rating in ("unclear", "helpful"):
            session.add(Feedback(receipt="rcpt_x", rating=rating, version=2, channel="agent",
                                 article_id="refund-timeframe",
                                 used_article_id="escalation-process"))  # fmt: skip
    (item,) = _queue(client, keys["owner"], "?kind=feedback")["items"]
    assert item["severity"] == "warn"
    assert item["evidence"] == [
        "unclear — agent used How agents escalate (escalation-process)",
        "helpful — agent used How agents escalate (escalation-process)",
    ]
    assert item["used_instead"] == [
        {"article_id": "escalation-process", "title": "How agents escalate", "times": 2}
    ]


def test_an_unclear_or_unhelpful_answer_reaches_the_owner_as_information(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """The contract: feedback reaches the owner's review queue. "Unclear" and "not helpful"
    once counted in the measures only, so an owner never learnt that customers could not use an
    answer; they now make an ``info`` item (the answer may be right), ``helpful`` none."""
    _feedback(engine, "refund-timeframe", 2, "not_helpful", "too long to read")
    _feedback(engine, "refund-timeframe", 2, "unclear", "")
    _feedback(engine, "refund-timeframe", 2, "helpful", "")
    (item,) = _queue(client, keys["owner"], "?kind=feedback")["items"]
    assert item["severity"] == "info"
    assert "rated 2 times (" in item["reason"]  # each rating said one thing, not both
    assert item["reason"].endswith("): not helpful once, unclear once.")
    assert item["evidence"] == ["not_helpful: too long to read", "unclear"]
    _feedback(engine, "refund-timeframe", 2, "wrong", "it is 10 days")
    (item,) = _queue(client, keys["owner"], "?kind=feedback")["items"]
    assert item["severity"] == "warn"


def test_feedback_stays_while_a_draft_waits_and_the_rated_version_is_served(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    _feedback(engine, "refund-timeframe", 2, "outdated", "now 10 days")
    owner, admin = auth(keys["owner"]), auth(keys["admin"])
    text = article_text(
        "refund-timeframe", owner=PAYMENTS, policy_sources=["REFUNDS#2.1"],
        answer="Refunds reach your account within 10 business days.",
    )  # fmt: skip
    saved = client.put(
        "/v1/articles/refund-timeframe", headers=owner | {"If-Match": '"refund-timeframe-v2"'},
        json={"text": text},
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    (item,) = _queue(client, keys["owner"], "?kind=feedback")["items"]
    assert item["key"] == "feedback:refund-timeframe:2"
    assert "Version 3 is a draft" in item["reason"] and "verify" not in item["actions"]
    etag = {"If-Match": '"refund-timeframe-v3"'}
    assert client.post("/v1/articles/refund-timeframe/submit", headers=owner | etag).is_success
    assert _queue(client, keys["owner"], "?kind=feedback")["total"] == 1
    approved = client.post("/v1/articles/refund-timeframe/approve", headers=admin | etag)
    assert approved.status_code == 200, approved.text
    assert _queue(client, keys["owner"], "?kind=feedback")["total"] == 0


def test_discarding_a_draft_answers_no_feedback_on_the_text_served_again(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    """A discard serves the rated text again (as a new version): the rating still stands."""
    _feedback(engine, "refund-timeframe", 2, "outdated", "now 10 days")
    owner = auth(keys["owner"])
    text = article_text("refund-timeframe", owner=PAYMENTS, answer="Refunds take a year.")
    saved = client.put(
        "/v1/articles/refund-timeframe", headers=owner | {"If-Match": '"refund-timeframe-v2"'},
        json={"text": text},
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    drafts = _queue(client, keys["admin"], "?kind=draft")["items"]
    assert {d["article_id"]: d["actions"] for d in drafts} == {
        "refund-timeframe": ["submit", "edit", "discard"],  # version 2 is in force under it
        "new-fees": ["submit", "edit"],  # never approved: nothing to go back to
    }
    discarded = client.post(
        "/v1/articles/refund-timeframe/discard", headers=owner | {"If-Match": saved.json()["etag"]}
    )
    assert discarded.status_code == 200 and discarded.json()["version"] == 4, discarded.text
    (item,) = _queue(client, keys["owner"], "?kind=feedback")["items"]
    assert "was rated outdated once" in item["reason"] and "verify" in item["actions"]
    # the rating was of version 2's text: version 4 is that text again, never itself rated
    assert item["reason"].startswith("Version 2 (its text is served again as version 4) was")
    _feedback(engine, "refund-timeframe", 4, "wrong", "still 5 days")
    (item,) = _queue(client, keys["owner"], "?kind=feedback")["items"]
    assert item["reason"].startswith(
        "Versions 2 and 4 (the same text, served as version 4) were rated 2 times ("
    )
    assert item["reason"].endswith("): outdated once, wrong once.")


def test_a_review_due_under_a_waiting_draft_offers_no_verify_that_would_be_refused(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    admin = auth(keys["admin"])
    (due,) = _queue(client, keys["admin"], "?kind=review_due")["items"]
    assert due["article_id"] == "escalation-process" and "verify" in due["actions"]
    text = article_text(
        "escalation-process", owner=SUPPORT, audience="internal", intents=["support.escalate"],
        answer="Escalate to a team leader after two failed attempts.", next_review="2028-01-01",
    )  # fmt: skip
    saved = client.put(
        "/v1/articles/escalation-process",
        headers=admin | {"If-Match": '"escalation-process-v1"'}, json={"text": text},
    )  # fmt: skip
    assert saved.status_code == 200 and saved.json()["state"] == "draft", saved.text
    seed_findings(engine)  # due again: the edit's check, on the real dates, resolved the seeded one
    (due,) = _queue(client, keys["admin"], "?kind=review_due")["items"]
    tag = {"If-Match": saved.json()["etag"]}
    verify = client.post("/v1/articles/escalation-process/verify", headers=admin | tag)
    assert verify.status_code == 409  # so the queue does not offer it
    assert "verify" not in due["actions"] and "edit" in due["actions"], due
    assert due["due_on"] == "2027-06-01"  # the served version's review, not the draft's date


def test_pages_carry_the_total(client: TestClient, keys: dict[str, str]) -> None:
    page = _queue(client, keys["admin"], "?limit=1&offset=1")
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (3, 1, 1, 1)


@pytest.mark.parametrize(
    ("role", "query", "status"),
    [
        ("agent", "", 403),
        ("bot", "", 403),
        ("owner", f"?owner={SUPPORT}", 403),
        ("admin", "?limit=0", 400),
        ("admin", "?limit=101", 400),
        ("admin", "?offset=-1", 400),
        ("admin", "?kind=nope", 400),
        ("admin", "?owner=", 400),
        ("admin", "?owner=%20%20", 400),  # blank: an error, never an empty queue
        ("admin", "?owner=%E2%80%8B", 400),  # invisible characters only: blank too
        ("admin", "?owner=%20%E2%80%8B%E2%81%A0", 400),
        ("revoked", "", 401),
    ],
)
def test_bad_queue_requests_are_problems(
    client: TestClient, keys: dict[str, str], role: str, query: str, status: int
) -> None:
    response = client.get(f"/v1/review-queue{query}", headers=auth(keys[role]))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_risk_of_a_finding_that_does_not_block_cannot_be_accepted(
    client: TestClient, keys: dict[str, str]
) -> None:
    body = {"reason": "ok", "expires_on": (TODAY + timedelta(days=3)).isoformat()}
    response = client.post(
        f"/v1/findings/{DUE_SOON}/risk-acceptances", headers=auth(keys["admin"]), json=body
    )
    assert response.status_code == 409, response.text
    body = response.json()  # its state is its status; its severity is not a state
    assert body["state"] == "open" and "severity is info" in body["detail"]


def test_a_draft_waits_for_its_owner_to_submit_it_then_for_an_approver(
    client: TestClient, keys: dict[str, str]
) -> None:
    """Approving a draft never submitted is refused, so the queue never offers it."""
    (draft,) = _queue(client, keys["admin"], "?kind=draft")["items"]
    assert (draft["article_id"], draft["actions"]) == ("new-fees", ["submit", "edit"])
    assert _queue(client, keys["admin"], "?kind=awaiting_approval")["items"] == []
    submitted = client.post(
        "/v1/articles/new-fees/submit", headers=auth(keys["admin"]) | {"If-Match": '"new-fees-v1"'}
    )
    assert submitted.status_code == 200, submitted.text
    (waiting,) = _queue(client, keys["admin"], "?kind=awaiting_approval")["items"]
    assert waiting["actions"] == ["approve", "reject", "edit"] and "in review" in waiting["reason"]
    assert _queue(client, keys["admin"], "?kind=draft")["items"] == []


def test_a_rejected_draft_says_who_sent_it_back_and_why(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The queue said only "a draft, not yet submitted": an owner working it from the CLI or
    the API never learnt that the draft was rejected, nor what to change."""
    on_v1 = auth(keys["admin"]) | {"If-Match": '"new-fees-v1"'}
    assert client.post("/v1/articles/new-fees/submit", headers=on_v1).status_code == 200
    body = {"reason": "cite the fees policy."}
    rejected = client.post("/v1/articles/new-fees/reject", headers=on_v1, json=body)
    assert rejected.status_code == 200, rejected.text
    (draft,) = _queue(client, keys["admin"], "?kind=draft")["items"]
    assert draft["actions"] == ["submit", "edit"]
    assert "was sent back by" in draft["reason"]
    assert "cite the fees policy. Edit it as asked, then submit it again." in draft["reason"]


def test_a_policy_draft_waits_in_the_queue_of_those_who_may_approve_it(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The owner key owns the FEES policy; the admin sees every policy's draft."""
    text = policy_text("FEES", owner=PAYMENTS)
    created = client.post("/v1/policies", headers=auth(keys["owner"]), json={"text": text})
    assert created.status_code == 201, created.text
    (draft,) = _queue(client, keys["owner"], "?kind=draft")["items"]
    assert (draft["policy_id"], draft["article_id"], draft["owner"]) == ("FEES", None, PAYMENTS)
    assert draft["actions"] == ["submit", "edit"] and draft["key"] == "draft:policy:FEES:1"
    submitted = client.post(
        "/v1/policies/FEES/submit", headers=auth(keys["owner"]) | {"If-Match": '"FEES-v1"'}
    )
    assert submitted.status_code == 200, submitted.text
    for key, offered in (("owner", ["reject", "edit"]), ("admin", ["approve", "reject", "edit"])):
        (waiting,) = _queue(client, keys[key], "?kind=awaiting_approval")["items"]
        assert waiting["policy_id"] == "FEES" and "in review" in waiting["reason"]
        assert waiting["actions"] == offered  # the owner wrote it: four eyes, no approve
    assert _queue(client, keys["admin"], f"?owner={SUPPORT}&kind=awaiting_approval")["total"] == 0
    approved = client.post(
        "/v1/policies/FEES/approve", headers=auth(keys["admin"]) | {"If-Match": '"FEES-v1"'}
    )
    assert approved.status_code == 200, approved.text
    assert _queue(client, keys["admin"], "?kind=awaiting_approval")["total"] == 0


@pytest.mark.parametrize("ahead", [0, 10])
def test_admins_whole_queue_holds_content_gaps(
    client: TestClient, keys: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch,
    ahead: int,
) -> None:  # fmt: skip
    """The gaps are the last week's of the answer log; with KS_TODAY ``ahead`` days after the
    real date (a demo shown as of a later day) that week ends on the real date, as every
    answer's time is the real one (it ended on KS_TODAY and held none)."""
    real_now = datetime.combine(TODAY - timedelta(days=ahead), time(12), UTC)
    monkeypatch.setattr("knowledge_service.clock.now", lambda: real_now)
    at = datetime.combine(real_now.date(), time(9), UTC)
    questions = ["do you sell gas heaters", "do you sell gas heaters?", "do you sell gas heaters!"]
    with session_scope(engine) as session:
        for i, question in enumerate(questions):
            session.add(
                AnswerEvent(
                    kind="answer", question=question, latency_ms=1.0, channel="chat",
                    status="no_answer", reason="no_article", at=at + timedelta(minutes=i),
                )
            )  # fmt: skip
    body = _queue(client, keys["admin"], "?kind=content_gap")
    (gap,) = body["items"]
    assert gap["actions"] == ["write_article", "edit"] and gap["article_id"] is None
    # one question, asked three ways: one distinct question and three asks, not 3 questions
    assert gap["reason"].startswith("1 question, asked 3 times, found no confident answer")
    assert len(gap["evidence"]) == 1 and gap["evidence"][0] in questions
    owners_view = _queue(client, keys["admin"], f"?kind=content_gap&owner={PAYMENTS}")
    assert owners_view["items"] == []  # gaps belong to no owner


def test_the_cached_gaps_follow_the_week_when_the_date_moves(
    client: TestClient, keys: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server keeps the gaps for 10 minutes, but only for the week they were computed
    for: the day after, the week has moved and questions of the day that left it are no gap
    (the cache is kept for ever here, so only the date moves: no timing in the test)."""
    client.app.state.gap_cache = GapCache(ttl=math.inf)  # type: ignore[attr-defined]
    first = datetime.combine(TODAY - timedelta(days=1), time(12), UTC)
    monkeypatch.setattr("knowledge_service.clock.now", lambda: first)
    at = datetime.combine(first.date() - timedelta(days=6), time(9), UTC)  # the week's 1st day
    with session_scope(engine) as session:
        for i in range(3):
            session.add(
                AnswerEvent(
                    kind="answer", question="do you sell gas heaters", latency_ms=1.0,
                    channel="chat", status="no_answer", reason="no_article",
                    at=at + timedelta(minutes=i),
                )
            )  # fmt: skip
    assert _queue(client, keys["admin"], "?kind=content_gap")["total"] == 1
    monkeypatch.setattr("knowledge_service.clock.now", lambda: first + timedelta(days=1))
    assert _queue(client, keys["admin"], "?kind=content_gap")["total"] == 0


def test_the_last_editor_of_a_waiting_draft_is_not_offered_approve_four_eyes_refuse(
    client: TestClient, keys: dict[str, str]
) -> None:
    """A public article needs a second person to approve it: its last editor's queue offers
    reject and edit, never the approve the workflow would refuse them."""
    owner = auth(keys["owner"])
    text = article_text("refund-timeframe", owner=PAYMENTS, answer="Refunds take 10 days.")
    saved = client.put(
        "/v1/articles/refund-timeframe", headers=owner | {"If-Match": '"refund-timeframe-v2"'},
        json={"text": text},
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    etag = saved.json()["etag"]
    submitted = client.post(
        "/v1/articles/refund-timeframe/submit", headers=owner | {"If-Match": etag}
    )
    assert submitted.status_code == 200, submitted.text
    (mine,) = _queue(client, keys["owner"], "?kind=awaiting_approval")["items"]
    assert mine["actions"] == ["reject", "edit", "discard"]
    (theirs,) = _queue(client, keys["admin"], "?kind=awaiting_approval")["items"]
    assert theirs["actions"] == ["approve", "reject", "edit", "discard"]
    refused = client.post(
        "/v1/articles/refund-timeframe/approve", headers=owner | {"If-Match": etag}
    )
    assert refused.status_code in (403, 409), refused.text
