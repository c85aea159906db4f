"""Titles in the articles API are plain text, as search and answers give them: the words of
the title's Markdown, never its marks or raw HTML."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.answers.kb import AnswerKB, build_kb, open_client
from tests.answers.xss import plain_problems
from tests.api.conftest import auth

TITLE = "**Zebra** crossings <script>alert(1)</script> [the rules](https://x.example) &amp; _fees_"
SHOWN = "Zebra crossings the rules & fees"
Api = tuple[TestClient, dict[str, str]]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    article = {
        "title": TITLE,
        "intents": ["topics.zebra"],
        "questions": ["tell me about zebra crossings"],
        "answer": "Zebra crossings give way to people on foot.",
        "body": "## Detail\nZebra crossing rules.\n",
    }
    kb: AnswerKB = build_kb(tmp_path_factory.mktemp("titles"), {"zebra-crossings": article})
    with open_client(kb) as opened:
        yield opened
    kb.close()


def _titles(client: TestClient, key: str) -> dict[str, Any]:
    headers = auth(key)
    listed = client.get("/v1/articles", headers=headers).json()["items"]
    path = "/v1/articles/zebra-crossings"
    search = client.get("/v1/search", params={"q": "zebra crossings"}, headers=headers)
    answer = client.post(
        "/v1/answer", json={"q": "tell me about zebra crossings", "channel": "agent"},
        headers=headers,
    )  # fmt: skip
    return {
        "list": next(a["title"] for a in listed if a["id"] == "zebra-crossings"),
        "get": client.get(path, headers=headers).json()["title"],
        "versions": client.get(f"{path}/versions", headers=headers).json()[0]["title"],
        "version": client.get(f"{path}/versions/1", headers=headers).json()["title"],
        "search": search.json()["results"][0]["title"],
        "answer": answer.json()["title"],
    }


@pytest.mark.parametrize("role", ["agent", "owner"])
def test_article_titles_are_plain_text_as_in_search(api: Api, role: str) -> None:
    client, keys = api
    titles = _titles(client, keys[role])
    assert titles == dict.fromkeys(titles, SHOWN)
    assert all(plain_problems(title) == [] for title in titles.values())


def test_review_queue_titles_are_plain_text_as_in_search(api: Api) -> None:
    """The owners' queue (its JSON and the review page read the same items) names an article
    by the title search gives, in the item, in what agents used instead and in the quoted
    rating: never the title's raw HTML for a client to render."""
    client, keys = api
    headers = auth(keys["admin"])
    answer = client.post(
        "/v1/answer", json={"q": "tell me about zebra crossings", "channel": "agent"},
        headers=headers,
    ).json()  # fmt: skip
    rating = {"receipt": answer["receipt"], "rating": "wrong", "used_article_id": "zebra-crossings"}
    rated = client.post("/v1/feedback", headers=headers, json=rating)
    assert rated.status_code == 201, rated.text
    queue = client.get("/v1/review-queue", params={"kind": "feedback"}, headers=headers).json()
    (item,) = [i for i in queue["items"] if i["article_id"] == "zebra-crossings"]
    assert item["title"] == SHOWN
    assert [u["title"] for u in item["used_instead"]] == [SHOWN]
    assert item["evidence"] == [f"wrong — agent used {SHOWN} (zebra-crossings)"]
