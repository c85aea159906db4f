"""What a channel is told about the findings on an answer: customer channels a fixed,
customer-safe sentence per kind and severity (never the finding's own text), the agent channel
the finding's message; a receipt shows each serving's findings as its channel was told them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from knowledge_service.answers.customer_notes import customer_message
from knowledge_service.freshness.schemas import FindingKind, Severity
from tests.answers.kb import BOT_CHANNELS, build_kb, open_client
from tests.api.conftest import auth
from tests.conftest import TODAY

QUESTION = "how do I set up a payment plan"
DUE = "This answer is due for review; it was correct when last checked."
ARTICLES: dict[str, dict[str, Any]] = {
    "payment-plan": {
        "title": "Setting up a payment plan",
        "intents": ["billing.payment.plan"],
        "owner": "jane.owner@example.com",
        "next_review": (TODAY - timedelta(days=3)).isoformat(),  # overdue, within the grace
        "questions": [QUESTION],
        "answer": "Ask for a payment plan in the app and pick a weekly or monthly amount.",
    },
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    kb = build_kb(tmp_path_factory.mktemp("told"), ARTICLES)
    with open_client(kb) as (client, keys):
        yield client, keys
    kb.close()


def _ask(api: tuple[TestClient, dict[str, str]], channel: str) -> Any:
    client, keys = api
    key = keys["agent"] if channel == "agent" else keys["bot"]
    response = client.post(
        "/v1/answer", json={"q": QUESTION, "channel": channel}, headers=auth(key)
    )
    body = response.json()
    assert body["status"] == "answered" and body["article_id"] == "payment-plan", body
    return body


@pytest.mark.parametrize("channel", BOT_CHANNELS)
def test_a_customer_channel_gets_a_fixed_sentence_for_the_finding(
    api: tuple[TestClient, dict[str, str]], channel: str
) -> None:
    body = _ask(api, channel)
    assert body["freshness"] == [
        {"kind": "review_overdue", "severity": "warn", "message": DUE, "risk_accepted_until": None}
    ]
    assert "jane.owner" not in str(body) and "knowledge-service" not in str(body)


def test_the_agent_channel_gets_the_findings_own_message(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    (note,) = _ask(api, "agent")["freshness"]
    assert note["message"].startswith("Review overdue: next_review was ")


def test_a_receipt_shows_what_each_channel_was_told(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = api
    receipt = _ask(api, "chat")["receipt"]
    assert _ask(api, "agent")["receipt"] == receipt
    record = client.get(f"/v1/receipts/{receipt}", headers=auth(keys["admin"])).json()
    told = {s["channel"]: s["findings"] for s in record["servings"]}
    assert told["chat"] == [{"kind": "review_overdue", "severity": "warn", "message": DUE}]
    (agent,) = told["agent"]
    assert agent["message"].startswith("Review overdue: next_review was "), agent


@pytest.mark.parametrize("kind", list(FindingKind))
@pytest.mark.parametrize("severity", list(Severity))
def test_every_kind_and_severity_has_a_customer_sentence_naming_nothing_internal(
    kind: FindingKind, severity: Severity
) -> None:
    said = customer_message(kind, severity)
    assert said.startswith(("This answer", "A policy")) and said.endswith(".")
    for internal in ("article", "owner", "clause", "#", "`", "finding", "knowledge-service"):
        assert internal not in said.lower(), (kind, severity, said)
