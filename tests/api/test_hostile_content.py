"""Hostile content through the real app: every field of every response, on every channel, is
safe for its format (answers by GET and POST, search, and the agent's assist page), and the
customer bot channels get no finding text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from knowledge_service.answers.customer_notes import customer_message
from knowledge_service.db import session_scope
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind
from tests.answers.kb import ALL_CHANNELS, AnswerKB, build_kb, open_client
from tests.answers.xss import PAYLOADS, markdown_problems, page_problems, plain_problems

# Payloads spread over a few articles: each article carries several in every free-text field.
GROUPS = [PAYLOADS[n::6] for n in range(6)]
TOPICS = ["zebra", "volcano", "saxophone", "glacier", "origami", "lighthouse"]
Hostile = tuple[AnswerKB, TestClient, dict[str, str]]


def _no_nul(text: str) -> str:
    return text.replace("\x00", "")


def _one_line(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "", text)


def _article(n: int) -> dict[str, Any]:
    # a NUL makes a content file invalid (tests/content/test_loader.py), and so does any
    # control character in a title (a tab or an escape: tests/content/test_parser.py): the
    # rest of the payload is what an article may carry
    payload = _no_nul(" ".join(GROUPS[n]))
    topic = TOPICS[n]
    return {
        "title": _one_line(f"All about the {topic} {payload}")[:200],
        "intents": [f"topics.{topic}"],
        "questions": [f"tell me about the {topic}"],
        "answer": f"The {topic} answer. {payload}\n\n- {topic} item {_no_nul(GROUPS[n][0])}",
        "body": f"## The {topic} detail {_no_nul(GROUPS[n][-1])}\n{payload}\n",
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    kb = build_kb(tmp_path_factory.mktemp("hostile"), {f"topic-{n}": _article(n) for n in range(6)})
    findings = [
        FindingData.create(
            FindingKind.DUPLICATE,
            [f"topic-{n}"],
            f"Duplicates other-article-{n}: {' '.join(GROUPS[n])} (POLICY#1.2 says so)",
            [Evidence(article_id=f"topic-{n}", text="x")],
            fact_key=f"dup{n}",
        )
        for n in range(6)
    ]
    with session_scope(kb.engine) as session:
        freshness.sync_findings(session, findings, covered=lambda _row: False)
    with open_client(kb) as (client, keys):
        yield kb, client, keys
    kb.close()


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, f"{path}[]")


def _answer_problems(body: dict[str, Any]) -> list[str]:
    problems = []
    for path, text in _strings(body):
        is_markdown = path == ".answer" and body["answer_format"] == "markdown"
        found = markdown_problems(text) if is_markdown else plain_problems(text)
        problems += [f"{path}: {p} in {text!r}" for p in found]
    return problems


@pytest.mark.parametrize("channel", ALL_CHANNELS)
@pytest.mark.parametrize("n", range(6))
def test_every_answer_field_is_safe_on_every_channel(
    hostile: Hostile, n: int, channel: str
) -> None:
    _, client, keys = hostile
    key = keys["agent"] if channel == "agent" else keys["bot"]
    auth = {"Authorization": f"Bearer {key}"}
    question = f"tell me about the {TOPICS[n]}"
    by_get = client.get("/v1/answer", params={"q": question, "channel": channel}, headers=auth)
    by_post = client.post("/v1/answer", json={"q": question, "channel": channel}, headers=auth)
    for response in (by_get, by_post):
        assert response.status_code == 200, response.text
        body = response.json()
        if channel != "voice":  # voice needs more confidence than the hash embedder gives
            assert body["status"] == "answered" and body["article_id"] == f"topic-{n}", body
        assert _answer_problems(body) == []


@pytest.mark.parametrize("channel", ALL_CHANNELS)
def test_bots_get_finding_kind_severity_and_a_fixed_sentence_never_its_text(
    hostile: Hostile, channel: str
) -> None:
    _, client, keys = hostile
    key = keys["agent"] if channel == "agent" else keys["bot"]
    body = client.post(
        "/v1/answer",
        json={"q": "tell me about the zebra", "channel": channel},
        headers={"Authorization": f"Bearer {key}"},
    ).json()
    assert body["status"] == "answered", body
    assert [(f["kind"], f["severity"]) for f in body["freshness"]] == [("duplicate", "warn")]
    message = body["freshness"][0]["message"]
    if channel != "agent":  # every customer channel, the website included
        assert message == customer_message("duplicate", "warn")
        assert "other-article" not in str(body) and "POLICY#1.2" not in str(body)
    else:
        assert message.startswith("Duplicates other-article-0:")


@pytest.mark.parametrize("n", range(6))
def test_every_search_field_is_safe(hostile: Hostile, n: int) -> None:
    _, client, keys = hostile
    response = client.get(
        "/v1/search",
        params={"q": f"{TOPICS[n]} detail {GROUPS[n][0]}"[:400]},
        headers={"Authorization": f"Bearer {keys['agent']}"},
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert {r["article_id"] for r in results} >= {f"topic-{n}"}
    problems = [
        f"{path}: {p} in {text!r}" for path, text in _strings(results) for p in plain_problems(text)
    ]
    assert problems == []


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def assist_token(hostile: Hostile) -> str:
    """Sign the module's client in to the pages as an agent; the page's CSRF token."""
    _, client, keys = hostile
    login = CSRF.search(client.get("/ui/login").text)
    assert login is not None
    client.post("/ui/login", data={"api_key": keys["agent"], "csrf_token": login.group(1)})
    token = CSRF.search(client.get("/ui/assist").text)
    assert token is not None
    return token.group(1)


@pytest.mark.parametrize("n", range(6))
def test_assist_page_renders_hostile_articles_safely(
    hostile: Hostile, assist_token: str, n: int
) -> None:
    client = hostile[1]
    answer = client.post(
        "/ui/assist/answer",
        data={"q": f"tell me about the {TOPICS[n]}", "csrf_token": assist_token},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200, answer.text
    assert f"topic-{n}" in answer.text
    assert page_problems(answer.text) == []
    assert "<script" not in answer.text.lower() and "<img" not in answer.text.lower()
