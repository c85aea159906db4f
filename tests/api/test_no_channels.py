"""``channels: []``: a valid list that names no channel. The article is stored, checked and found
by staff searching without a channel, but no channel is ever answered with it or lists it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.answers.kb import ALL_CHANNELS, STANDARD_ARTICLES, AnswerKB, build_kb, open_client
from tests.api.conftest import auth

NOWHERE = "solar-export-credit"
QUESTION = "how much do I get for my solar panel exports"
ARTICLES: dict[str, dict[str, Any]] = {
    **STANDARD_ARTICLES,
    NOWHERE: {
        "title": "Solar export credit",
        "intents": ["billing.solar.export"],
        "channels": [],
        "questions": [QUESTION, "solar feed-in credit"],
        "answer": "Solar exports earn 8 cents per kWh on your next bill.",
    },
    "refund-timeframe-copy": {  # a copy of a served article: the duplicate rule meets []
        **STANDARD_ARTICLES["refund-timeframe"],
        "channels": [],
        "intents": ["billing.refund.copy"],
    },
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    kb: AnswerKB = build_kb(tmp_path_factory.mktemp("nowhere"), ARTICLES)
    with open_client(kb) as (client, keys):
        yield client, keys
    kb.close()


@pytest.mark.parametrize("channel", ALL_CHANNELS)
def test_no_channel_is_answered_with_an_article_that_names_none(
    api: tuple[TestClient, dict[str, str]], channel: str
) -> None:
    client, keys = api
    key = keys["agent"] if channel == "agent" else keys["bot"]
    response = client.post(
        "/v1/answer", json={"q": QUESTION, "channel": channel}, headers=auth(key)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["article_id"] != NOWHERE and NOWHERE not in response.text
    receipt = client.get(f"/v1/receipts/{body['receipt']}", headers=auth(keys["admin"]))
    assert receipt.status_code == 200, receipt.text


@pytest.mark.parametrize("channel", ALL_CHANNELS)
def test_search_on_a_channel_never_lists_it(
    api: tuple[TestClient, dict[str, str]], channel: str
) -> None:
    client, keys = api
    params = {"q": QUESTION, "channel": channel}
    response = client.get("/v1/search", params=params, headers=auth(keys["admin"]))
    assert response.status_code == 200, response.text
    assert NOWHERE not in [r["article_id"] for r in response.json()["results"]]


def test_staff_find_it_without_a_channel_and_read_it(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = api
    found = client.get("/v1/search", params={"q": QUESTION}, headers=auth(keys["admin"]))
    assert NOWHERE in [r["article_id"] for r in found.json()["results"]], found.text
    article = client.get(f"/v1/articles/{NOWHERE}", headers=auth(keys["admin"]))
    assert article.status_code == 200 and article.json()["channels"] == [], article.text
    findings = client.get("/v1/findings", headers=auth(keys["admin"]))
    assert findings.status_code == 200, findings.text
    assert not [f for f in findings.json()["items"] if f["kind"] == "invalid"]
