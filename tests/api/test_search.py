"""``GET /v1/search`` over the real app: ranked published articles with freshness, for agents."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.answers.kb import QUESTIONS, build_kb, open_client
from tests.api.conftest import auth

Client = tuple[TestClient, dict[str, str]]
RESULT_FIELDS = {
    "article_id", "version", "title", "section", "snippet", "score", "freshness", "badge",
}  # fmt: skip


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    kb = build_kb(tmp_path_factory.mktemp("search-api"))
    with open_client(kb) as opened:
        yield opened
    kb.close()


def search(api: Client, role: str = "agent", **params: Any) -> Any:
    client, keys = api
    return client.get("/v1/search", params=params, headers=auth(keys[role]))


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["article_id"] for r in response.json()["results"]]


def test_results_have_the_contract_fields_ranked_by_score(api: Client) -> None:
    response = search(api, q=QUESTIONS["refund"])
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == QUESTIONS["refund"] and body["as_of"]
    results = body["results"]
    assert results[0]["article_id"] == "refund-timeframe"
    assert all(set(r) >= RESULT_FIELDS for r in results)
    assert results[0]["version"] == 1 and results[0]["title"] == "How long does a refund take?"
    assert results[0]["snippet"] and results[0]["badge"] == "current"
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


def test_blocked_article_is_found_with_its_finding_and_badge(api: Client) -> None:
    top = search(api, q=QUESTIONS["blocked"]).json()["results"][0]
    assert top["article_id"] == "meter-reading" and top["badge"] == "block"
    assert [(f["kind"], f["severity"]) for f in top["freshness"]] == [("review_overdue", "block")]


def test_agents_find_internal_articles_unless_they_ask_for_public_ones(api: Client) -> None:
    assert ids(search(api, q=QUESTIONS["internal"]))[0] == "fraud-procedure"
    assert "fraud-procedure" not in ids(search(api, q=QUESTIONS["internal"], audience="public"))
    assert ids(search(api, q=QUESTIONS["internal"], audience="internal")) == ["fraud-procedure"]


@pytest.mark.parametrize("question", ["draft", "retired"])
def test_drafts_and_retired_articles_are_never_found(api: Client, question: str) -> None:
    found = ids(search(api, q=QUESTIONS[question], top_k=50))
    assert not {"battery-rebate-2027", "paper-bill-fee"} & set(found)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": QUESTIONS["lost_card"], "channel": "voice"}, lambda got: "lost-card" not in got),
        ({"q": QUESTIONS["lost_card"], "channel": "chat"}, lambda got: got[0] == "lost-card"),
        ({"q": "card", "intent": "card.lost"}, lambda got: got == ["lost-card"]),
        ({"q": QUESTIONS["refund"], "locale": "fr-FR"}, lambda got: got == []),
        ({"q": QUESTIONS["refund"], "locale": "en"}, lambda got: got[0] == "refund-timeframe"),
        ({"q": QUESTIONS["refund"], "top_k": 1}, lambda got: got == ["refund-timeframe"]),
        ({"q": QUESTIONS["refund"], "top_k": 50}, lambda got: len(got) <= 4),
    ],
    ids=["channel-excludes", "channel-includes", "intent", "locale-none", "locale-lang", "top1",
         "top50"],
)  # fmt: skip
def test_filters(api: Client, params: dict[str, Any], expected: Any) -> None:
    assert expected(ids(search(api, **params)))


@pytest.mark.parametrize(("locale", "fallback"), [
    ("en-US", True),  # no en-US article: the language's (en-AU), and the response says so
    ("EN-us", True),
    ("en-AU", False),  # the knowledge base's own locale
    ("en", False),  # a language admits its regions: nothing to fall back from
])  # fmt: skip
def test_a_regional_locale_falls_back_to_its_language(
    api: Client, locale: str, fallback: bool
) -> None:
    response = search(api, q=QUESTIONS["refund"], locale=locale)
    assert ids(response)[0] == "refund-timeframe"
    body = response.json()
    assert body["locale_fallback"] is fallback
    assert {r["locale"] for r in body["results"]} == {"en-AU"}


def test_another_language_finds_nothing_and_claims_no_fallback(api: Client) -> None:
    body = search(api, q=QUESTIONS["refund"], locale="fr-FR").json()
    assert (body["results"], body["locale_fallback"]) == ([], False)


def test_the_openapi_document_describes_the_fallback(api: Client) -> None:
    client, _ = api
    document = client.get("/openapi.json").json()
    field = document["components"]["schemas"]["SearchResponse"]["properties"]["locale_fallback"]
    assert field["type"] == "boolean" and field["default"] is False
    assert "en-AU" in field["description"]
    assert "locale_fallback" in document["paths"]["/v1/search"]["get"]["description"]


def test_the_fallback_keeps_the_other_filters(api: Client) -> None:
    body = search(api, q="card", locale="en-US", intent="card.lost").json()
    assert [r["article_id"] for r in body["results"]] == ["lost-card"]
    assert body["locale_fallback"] is True
    nothing = search(api, q="card", locale="en-US", intent="no.such").json()
    assert (nothing["results"], nothing["locale_fallback"]) == ([], False)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "\u200b\u00a0\ufeff"}, "q"),  # nothing visible
        ({"q": "x" * 501}, "q"),
        ({"q": "refund", "top_k": 0}, "top_k"),
        ({"q": "refund", "top_k": -1}, "top_k"),
        ({"q": "refund", "top_k": 51}, "top_k"),
        ({"q": "refund", "top_k": "ten"}, "top_k"),
        ({"q": "refund", "top_k": 10**30}, "top_k"),
        ({"q": "refund", "audience": "everyone"}, "audience"),
        ({"q": "refund", "channel": "fax"}, "channel"),
        ({"q": "refund", "intent": "Not An Intent!"}, "intent"),
        ({"q": "refund", "locale": "en_AU!"}, "locale"),
    ],
)
def test_bad_input_is_a_400_problem_naming_the_parameter(
    api: Client, params: dict[str, Any], parameter: str
) -> None:
    response = search(api, **params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] and problem["detail"]
    assert parameter in [e["parameter"] for e in problem["errors"]]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"q": "   "}, "is empty or only spaces"),
        ({"q": "refund", "locale": "en_AU"}, "is not a BCP 47 language tag"),
        ({"q": "refund", "intent": "Not An Intent!"}, "is not an intent"),
    ],
)
def test_a_value_of_the_wrong_form_is_named_in_words_not_as_a_pattern(
    api: Client, params: dict[str, Any], words: str
) -> None:
    response = search(api, **params)
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["problem"].startswith(words) and "pattern" not in error["problem"]


def test_a_private_use_locale_is_a_bcp_47_tag(api: Client) -> None:
    assert search(api, q=QUESTIONS["refund"], locale="en-AU-x-contact").status_code == 200


@pytest.mark.parametrize(
    ("role", "expected"), [("bot", 403), ("agent", 200), ("owner", 200), ("admin", 200)]
)
def test_search_roles(api: Client, role: str, expected: int) -> None:
    response = search(api, role, q=QUESTIONS["refund"])
    assert response.status_code == expected
    if expected == 403:
        assert response.headers["content-type"] == "application/problem+json"
        assert "refund" not in response.text.lower()


def test_search_needs_a_key(api: Client) -> None:
    client, _ = api
    response = client.get("/v1/search", params={"q": "refund"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("question", ["???", "-", "a", "🙂", "SELECT * FROM article;", "é" * 500])
def test_odd_queries_never_fail(api: Client, question: str) -> None:
    response = search(api, q=question)
    assert response.status_code == 200, response.text


_WRITE_FINDING = """
import sys
from knowledge_service.db import make_engine, session_scope
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind

url, action = sys.argv[1], sys.argv[2]
finding = FindingData.create(
    FindingKind.POLICY_MISMATCH, ["refund-timeframe"], "Written by another process.",
    [Evidence(article_id="refund-timeframe", text="within 5 business days")],
)
engine = make_engine(url)
with session_scope(engine) as session:
    fingerprint = finding.fingerprint
    freshness.sync_findings(
        session, [finding] if action == "open" else [],
        covered=lambda row: row.fingerprint == fingerprint,
    )
engine.dispose()
"""


def test_a_finding_another_process_writes_shows_in_the_next_search(tmp_path: Path) -> None:
    """The notes a search shows are the store's as it is now: a finding written (and then
    resolved) by another process, through its own engine, shows (and goes) at once."""
    kb = build_kb(tmp_path)

    def write(action: str) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        command = [sys.executable, "-c", _WRITE_FINDING, kb.settings.database_url, action]
        subprocess.run(command, check=True, env=env, timeout=120)

    def refund_notes(api: Client) -> tuple[str, list[str]]:
        top = search(api, q=QUESTIONS["refund"]).json()["results"][0]
        assert top["article_id"] == "refund-timeframe"
        return top["badge"], [f["message"] for f in top["freshness"]]

    try:
        with open_client(kb) as api:
            assert refund_notes(api) == ("current", [])  # read once: anything cached is now
            write("open")
            assert refund_notes(api) == ("block", ["Written by another process."])
            write("resolve")
            assert refund_notes(api) == ("current", [])
    finally:
        kb.close()
