"""``GET /v1/answer`` over the real app: the contract's fields, problems, roles, canaries and
one resolution for every channel (real SQLite store, hash-embedder search)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from knowledge_service.analytics.models import AnswerEvent
from tests.answers.kb import (
    ALL_CHANNELS,
    BOT_CHANNELS,
    CANARY_ARTICLES,
    CANARY_PUBLIC,
    NEVER_TO_BOTS,
    ONLY_ON,
    QUESTIONS,
    build_kb,
    canary_questions,
    open_client,
)
from tests.api.conftest import auth

Client = tuple[TestClient, dict[str, str]]
CONTRACT_FIELDS = {
    "status", "article_id", "version", "answer", "confidence", "citations", "freshness",
    "receipt",
}  # fmt: skip


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    kb = build_kb(tmp_path_factory.mktemp("answers-api"))
    with open_client(kb) as opened:
        yield opened
    kb.close()


def ask(api: Client, role: str = "agent", **params: Any) -> Any:
    client, keys = api
    return client.get("/v1/answer", params=params, headers=auth(keys[role]))


def test_answer_has_the_contract_fields(api: Client) -> None:
    response = ask(api, "bot", q=QUESTIONS["refund"], channel="chat")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["status"] == "answered"
    assert (body["article_id"], body["version"]) == ("refund-timeframe", 1)
    assert body["answer"].startswith("Refunds reach your account within 10 business days.")
    assert "**" not in body["answer"] and body["answer_format"] == "text"
    assert 0.5 <= body["confidence"] <= 1
    assert body["citations"] == [{"policy_id": "REFUNDS", "clause": "2.1", "policy_version": "3"}]
    assert body["freshness"] == []
    assert body["receipt"].startswith("rcpt_")
    assert datetime.fromisoformat(body["as_of"]).tzinfo is not None


def test_agent_gets_markdown_and_the_blocking_finding(api: Client) -> None:
    body = ask(api, q=QUESTIONS["blocked"], channel="agent").json()
    assert (body["status"], body["article_id"]) == ("answered", "meter-reading")
    assert body["answer_format"] == "markdown"
    assert [(f["kind"], f["severity"]) for f in body["freshness"]] == [("review_overdue", "block")]
    assert set(body["freshness"][0]) >= {"kind", "severity", "message"}


@pytest.mark.parametrize("channel", BOT_CHANNELS)
def test_blocked_article_escalates_on_customer_channels(api: Client, channel: str) -> None:
    body = ask(api, "bot", q=QUESTIONS["blocked"], channel=channel).json()
    assert (body["status"], body["reason"]) == ("escalate", "blocked_by_finding")
    assert body["article_id"] is None and body["answer"] is None
    assert body["handoff"]["reason"] == "blocked_by_finding"  # a receipt of its own, for a human
    assert body["receipt"].startswith("rcpt_")
    assert "meter display" not in str(body)


def test_off_topic_question_is_no_answer(api: Client) -> None:
    body = ask(api, "bot", q=QUESTIONS["off_topic"], channel="web").json()
    assert (body["status"], body["article_id"], body["answer"]) == ("no_answer", None, None)
    assert body["confidence"] < 0.5


def test_agent_no_answer_over_http_carries_best_guesses(api: Client) -> None:
    body = ask(api, q=QUESTIONS["off_topic"], channel="agent").json()
    assert body["status"] == "no_answer" and body["reason"] == "no_article"
    assert body["alternatives"] and len(body["alternatives"]) <= 3
    alternatives = {a["article_id"] for a in body["alternatives"]}  # the hand-off: the leads
    assert {c["article_id"] for c in body["handoff"]["candidates"]} <= alternatives
    if not body["handoff"]["candidates"]:  # no lead: no need claimed
        assert body["handoff"]["intent"] is None


def test_customer_no_answer_over_http_has_no_alternatives(api: Client) -> None:
    body = ask(api, "bot", q=QUESTIONS["off_topic"], channel="chat").json()
    assert body["alternatives"] == [] and body["agent_details"] is None
    assert all(c["article_id"] != "fraud-procedure" for c in body["handoff"]["candidates"])


@pytest.mark.parametrize(("locale", "status", "reason"), [
    ("en", "answered", "confident"),
    ("en-US", "answered", "locale_unavailable"),
    ("fr-FR", "no_answer", "locale_unavailable"),
])  # fmt: skip
def test_locale_fallback_over_http(api: Client, locale: str, status: str, reason: str) -> None:
    client, keys = api
    response = client.post(
        "/v1/answer",
        json={"q": QUESTIONS["refund"], "channel": "chat", "locale": locale},
        headers=auth(keys["bot"]),
    )
    body = response.json()
    assert (body["status"], body["reason"]) == (status, reason)
    assert body["locale"] == ("en-AU" if status == "answered" else None)  # the KB's locale


def test_a_request_for_a_person_over_http_escalates_with_the_candidates(api: Client) -> None:
    client, keys = api
    asked = f"can I talk to a real person: {QUESTIONS['refund']}"
    response = client.post(
        "/v1/answer", json={"q": asked, "channel": "chat"}, headers=auth(keys["bot"])
    )
    body = response.json()
    assert (response.status_code, body["status"], body["reason"]) == (
        200, "escalate", "human_requested"
    )  # fmt: skip
    assert body["answer"] is None and body["article_id"] is None
    assert body["handoff"]["reason"] == "human_requested" and body["handoff"]["candidates"]
    agent = ask(api, "agent", q=asked, channel="agent").json()
    assert agent["reason"] != "human_requested"


def test_a_message_that_someone_is_at_risk_escalates_at_once(api: Client) -> None:
    """However well an article matches, a person takes over: the hand-off keeps what the
    search found; an agent is answered (this knowledge base has no procedure for it: the
    message's own article), marked at_risk."""
    client, keys = api
    asked = f"my partner hits me and I'm scared. {QUESTIONS['refund']}"
    response = client.post(
        "/v1/answer", json={"q": asked, "channel": "chat"}, headers=auth(keys["bot"])
    )
    body = response.json()
    assert (response.status_code, body["status"], body["reason"]) == (200, "escalate", "at_risk")
    assert body["answer"] is None and body["article_id"] is None
    assert body["handoff"]["reason"] == "at_risk" and body["handoff"]["candidates"]
    agent = ask(api, "agent", q=asked, channel="agent").json()
    assert (agent["status"], agent["reason"]) == ("answered", "at_risk")
    assert agent["article_id"] == "refund-timeframe"


@pytest.mark.parametrize(("role", "channel", "expected"), [
    ("bot", "chat", 200), ("bot", "voice", 200), ("bot", "web", 200), ("bot", "email", 200),
    ("bot", "agent", 403),
    *[(role, ch, 200) for role in ("agent", "owner", "admin") for ch in ALL_CHANNELS],
])  # fmt: skip
def test_role_and_channel(api: Client, role: str, channel: str, expected: int) -> None:
    response = ask(api, role, q=QUESTIONS["refund"], channel=channel)
    assert response.status_code == expected, response.text
    if expected == 403:
        assert response.headers["content-type"] == "application/problem+json"
        assert "agent channel" in response.json()["detail"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}], ids=["none", "bad"])
def test_answer_needs_a_key(api: Client, headers: dict[str, str]) -> None:
    client, _ = api
    response = client.get("/v1/answer", params={"q": "refund", "channel": "chat"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()
BAD_REQUESTS = [
    ({"q": "refund", "channel": "fax"}, "channel"),
    ({"q": "refund", "channel": "CHAT"}, "channel"),
    ({"q": "refund"}, "channel"),
    ({"channel": "chat"}, "q"),
    ({"q": "", "channel": "chat"}, "q"),
    ({"q": "   ", "channel": "chat"}, "q"),
    ({"q": "\u00a0\u200b\u3000\u202e", "channel": "chat"}, "q"),  # nothing visible
    ({"q": "x" * 501, "channel": "chat"}, "q"),
    ({"q": "refund", "channel": "chat", "as_of": "yesterday"}, "as_of"),
    ({"q": "refund", "channel": "chat", "as_of": "2026-13-01T00:00:00Z"}, "as_of"),
    ({"q": "refund", "channel": "chat", "as_of": "2026-01-01T00:00:00"}, "as_of"),
    ({"q": "refund", "channel": "chat", "as_of": "2026-01-01"}, "as_of"),
    ({"q": "refund", "channel": "chat", "as_of": FUTURE}, "as_of"),
    ({"q": "refund", "channel": "chat", "as_of": "9999-12-31T23:59:59Z"}, "as_of"),
    ({"q": "refund", "channel": "chat", "locale": "not a locale!"}, "locale"),
    ({"q": "refund", "channel": "chat", "locale": "x" * 40}, "locale"),
]


@pytest.mark.parametrize(("params", "parameter"), BAD_REQUESTS)
def test_bad_input_is_a_400_problem_naming_the_parameter(
    api: Client, params: dict[str, str], parameter: str
) -> None:
    response = ask(api, "bot", **params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] and problem["detail"]
    assert problem["type"].endswith(":invalid-request")
    assert ("query", parameter) in [(e["location"], e["parameter"]) for e in problem["errors"]]


@pytest.mark.parametrize(("params", "parameter"), BAD_REQUESTS)
def test_the_same_bad_input_in_a_body_is_located_in_the_body(
    api: Client, params: dict[str, str], parameter: str
) -> None:
    """One field, one name; its location says where it was sent (the query, or the body)."""
    client, keys = api
    response = client.post("/v1/answer", json=params, headers=auth(keys["bot"]))
    assert response.status_code == 400, response.text
    problem = response.json()
    assert ("body", parameter) in [(e["location"], e["parameter"]) for e in problem["errors"]]


def test_as_of_over_http_accepts_any_zone(api: Client) -> None:
    moment = datetime.now(UTC)
    for as_of in (moment.isoformat(), moment.astimezone().isoformat(), "2026-11-24T00:00:00+11:00"):
        body = ask(api, "bot", q=QUESTIONS["refund"], channel="chat", as_of=as_of).json()
        assert body["status"] in ("answered", "no_answer"), body
    body = ask(api, "bot", q=QUESTIONS["refund"], channel="chat", as_of=moment.isoformat()).json()
    now = ask(api, "bot", q=QUESTIONS["refund"], channel="chat").json()
    assert (body["article_id"], body["version"], body["receipt"]) == (
        now["article_id"], now["version"], now["receipt"],
    )  # fmt: skip
    long_ago = ask(api, "bot", q=QUESTIONS["refund"], channel="chat", as_of="2001-01-01T00:00:00Z")
    assert long_ago.json()["status"] == "no_answer"


def _recorded(client: TestClient) -> tuple[int, float]:
    """The answer log's rows and the answers the metrics counted."""
    state = client.app.state  # type: ignore[attr-defined]
    state.answer_log.flush()
    with Session(state.engine) as session:
        logged = session.exec(select(func.count()).select_from(AnswerEvent)).one()
    lines = state.metrics.render().decode().splitlines()
    counted = sum(float(line.split()[-1]) for line in lines if line.startswith("ks_answers_total{"))
    return logged, counted


def test_as_of_replays_are_not_recorded_as_live_traffic(api: Client) -> None:
    client, keys = api
    before = _recorded(client)
    moment = datetime.now(UTC).isoformat()
    for question in ("refund", "off_topic"):  # an answer and a hand-off
        got = ask(api, "bot", q=QUESTIONS[question], channel="chat", as_of=moment)
        posted = client.post(
            "/v1/answer",
            json={"q": QUESTIONS[question], "channel": "chat", "as_of": moment},
            headers=auth(keys["bot"]),
        )
        for response in (got, posted):
            assert response.status_code == 200 and response.json()["receipt"].startswith("rcpt_")
    assert _recorded(client) == before
    assert ask(api, "bot", q=QUESTIONS["refund"], channel="chat").status_code == 200
    assert _recorded(client) == (before[0] + 1, before[1] + 1)  # live traffic is recorded


@pytest.mark.parametrize("question", ["refund", "lost_card", "blocked", "internal"])
def test_same_question_same_resolution_on_every_channel_that_may_see_it(
    api: Client, question: str
) -> None:
    bodies = {ch: ask(api, q=QUESTIONS[question], channel=ch).json() for ch in ALL_CHANNELS}
    answered = {ch: b for ch, b in bodies.items() if b["status"] == "answered"}
    assert answered
    assert len({(b["article_id"], b["version"], b["receipt"]) for b in answered.values()}) == 1
    for body in bodies.values():
        if body["status"] != "answered":
            assert body["reason"] in ("not_on_channel", "blocked_by_finding") or (
                body["status"] == "no_answer"
            )


def test_concurrent_requests_are_batched_without_mixing_answers(api: Client) -> None:
    cases = [
        (q, ch) for q in ("refund", "lost_card", "blocked", "off_topic") for ch in BOT_CHANNELS
    ]
    expected = {c: ask(api, "bot", q=QUESTIONS[c[0]], channel=c[1]).json() for c in cases}

    def one(case: tuple[str, str]) -> tuple[tuple[str, str], Any]:
        return case, ask(api, "bot", q=QUESTIONS[case[0]], channel=case[1]).json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, cases * 4))
    for case, body in results:
        want = expected[case]
        assert (body["status"], body["article_id"], body["answer"], body["reason"]) == (
            want["status"], want["article_id"], want["answer"], want["reason"],
        ), case  # fmt: skip
        if body["status"] == "answered":
            assert body["receipt"] == want["receipt"], case


# -- canaries -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def canary_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    kb = build_kb(tmp_path_factory.mktemp("canary"), {**CANARY_PUBLIC, **CANARY_ARTICLES})
    with open_client(kb) as opened:
        yield opened
    kb.close()


def _forbidden(channel: str) -> list[str]:
    return [*NEVER_TO_BOTS, *(t for t, allowed in ONLY_ON.items() if channel not in allowed)]


@pytest.mark.parametrize("channel", BOT_CHANNELS)
def test_canaries_never_reach_a_bot(canary_api: Client, channel: str) -> None:
    as_of = datetime.now(UTC).isoformat()
    forbidden = [t.lower() for t in _forbidden(channel)]
    asked = 0
    for question in canary_questions():
        for extra in ({}, {"as_of": as_of}, {"locale": "en-AU"}):
            response = ask(canary_api, "bot", q=question, channel=channel, **extra)
            assert response.status_code == 200, response.text
            text = response.text.lower()
            leaked = [token for token in forbidden if token in text]
            assert not leaked, f"{leaked} leaked on {channel} for {question!r}: {text}"
            asked += 1
    assert asked >= 100


def test_bots_may_not_search(canary_api: Client) -> None:
    client, keys = canary_api
    for question in ("reconnection fee waiver", "CANARY-INTERNAL-7f3a", "gas meter reading"):
        response = client.get("/v1/search", params={"q": question}, headers=auth(keys["bot"]))
        assert response.status_code == 403
        assert "canary" not in response.text.lower()


@pytest.mark.parametrize(
    ("question", "token"),
    [
        ("can you waive my reconnection fee", "CANARY-INTERNAL-7f3a"),
        ("can I get a goodwill credit", "CANARY-INTERNAL-ALL-2b9d"),
        ("how do I read my gas meter", "CANARY-BLOCKED-5e8b"),
    ],
)
def test_canary_questions_do_find_their_articles_for_agents(
    canary_api: Client, question: str, token: str
) -> None:
    """The control: the canary questions really retrieve the canary articles."""
    body = ask(canary_api, "agent", q=question, channel="agent").json()
    assert body["status"] == "answered" and token in body["answer"]


def test_channel_restricted_canary_reaches_only_its_channels(canary_api: Client) -> None:
    question = "when is online chat open"
    for channel in BOT_CHANNELS:
        body = ask(canary_api, "bot", q=question, channel=channel).json()
        shown = "CANARY-NOVOICE-c07e" in str(body)
        assert shown is (channel in ONLY_ON["CANARY-NOVOICE-c07e"]), (channel, body)
        if not shown:
            assert (body["status"], body["reason"]) == ("escalate", "not_on_channel")


def test_draft_and_retired_canaries_are_no_answer_even_for_agents(canary_api: Client) -> None:
    for question in ("do you have an electric vehicle plan", "is there a fee for paying by cheque"):
        body = ask(canary_api, "agent", q=question, channel="agent").json()
        assert "canary" not in str(body).lower()
        assert body["status"] == "no_answer" or body["article_id"] in CANARY_PUBLIC


def test_answer_route_is_in_the_openapi_document(api: Client) -> None:
    client, _ = api
    operation = client.get("/openapi.json").json()["paths"]["/v1/answer"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "channel", "locale", "as_of"} <= names
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    post = client.get("/openapi.json").json()["paths"]["/v1/answer"]["post"]
    assert {"200", "400", "401", "403", "413", "415"} <= set(post["responses"])  # a body's limits
