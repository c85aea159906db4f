"""Property test over the whole app: generated personal data inside random questions and
comments never reaches the database, the application log or a response.

Runs the real app in process (TestClient) on a real SQLite store; the access log of a real
server is covered by ``tests/api/test_analytics_server.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from knowledge_service.analytics.models import AnswerEvent, Feedback
from tests.answers.kb import QUESTIONS, AnswerKB, build_kb, open_client
from tests.api.conftest import auth
from tests.test_privacy import PERSONAL, WORD


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnswerKB]:
    built = build_kb(tmp_path_factory.mktemp("pii"))
    yield built
    built.close()


@pytest.fixture(scope="module")
def api(kb: AnswerKB) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with open_client(kb) as opened:
        yield opened


def digits_of(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.lists(WORD, max_size=4),
    value=PERSONAL,
    channel=st.sampled_from(["chat", "web", "email", "voice"]),
)
def test_personal_data_never_stored_logged_or_returned(
    api: tuple[TestClient, dict[str, str]],
    kb: AnswerKB,
    caplog: pytest.LogCaptureFixture,
    before: list[str],
    value: str,
    channel: str,
) -> None:
    client, keys = api
    question = " ".join([*before, QUESTIONS["refund"], value])
    with caplog.at_level(logging.DEBUG):
        answer = client.post(
            "/v1/answer", json={"q": question, "channel": channel, "conversation_id": value},
            headers=auth(keys["bot"]),
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        client.app.state.answer_log.flush()  # type: ignore[attr-defined]
        feedback = client.post(
            "/v1/feedback",
            json={"receipt": answer.json()["receipt"], "rating": "wrong", "comment": f"re {value}"},
            headers=auth(keys["agent"]),
        )
        assert feedback.status_code == 201, feedback.text
    with Session(kb.engine) as session:
        stored = [e.question + (e.conversation_id or "") for e in session.exec(select(AnswerEvent))]
        stored += [f.comment or "" for f in session.exec(select(Feedback))]
    for text in [answer.text, feedback.text, caplog.text, *stored]:
        assert value not in text
    for text in stored:  # however it was spaced, no run of its digits was stored
        if len(digits_of(value)) >= 8:
            assert digits_of(value) not in digits_of(text)
