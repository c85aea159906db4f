"""A receipt is usable the moment its answer is served, though the answer log writes behind.

A chatbot asks "was this helpful?" right after answering, and a contact-centre platform opens
the agent's hand-off page the moment a bot escalates: both name a receipt whose log entry may
still be queued. Real ``knowledge-service serve`` processes on a real SQLite file, with a flush
interval far longer than the test, so only the lookup's own flush or wait can find the event.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.analytics.models import Feedback
from knowledge_service.db import make_engine, session_scope
from knowledge_service.models_registry import create_all_tables
from tests.api.conftest import auth
from tests.api.test_analytics_server import REFUND_Q, server_env, write_kb
from tests.server import Server, run_cli, serving

pytestmark = pytest.mark.slow

SLOW_FLUSH = "3600"
"""Seconds between the answer log's writes: longer than any test here runs."""


def prepare(root: Path, flush_interval: str) -> tuple[dict[str, str], dict[str, str]]:
    write_kb(root)
    env = server_env(root, flush_interval)
    result = run_cli(root, env, "import")
    assert result.returncode == 0, result.stderr
    engine = make_engine(env["KS_DATABASE_URL"])
    create_all_tables(engine)
    with session_scope(engine) as session:
        keys = {
            str(role): access.create_key(session, name=f"k-{role}", role=role).secret
            for role in (Role.BOT, Role.AGENT)
        }
    engine.dispose()
    return env, keys


def ask(server: Server, key: str, q: str, channel: str = "chat") -> dict[str, Any]:
    response = httpx.post(
        f"{server.base}/v1/answer", json={"q": q, "channel": channel}, headers=auth(key), timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def rate(server: Server, key: str, receipt: str) -> httpx.Response:
    return httpx.post(
        f"{server.base}/v1/feedback",
        json={"receipt": receipt, "rating": "helpful"},
        headers=auth(key),
        timeout=30,
    )


@pytest.fixture(scope="module")
def one_worker_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("one-worker")


@pytest.fixture(scope="module")
def one_worker(one_worker_root: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    root = one_worker_root
    env, keys = prepare(root, SLOW_FLUSH)
    with serving(root, env) as server:
        yield server, keys


def test_an_answer_is_rated_and_its_receipt_read_at_once(
    one_worker: tuple[Server, dict[str, str]],
) -> None:
    server, keys = one_worker
    answer = ask(server, keys["bot"], REFUND_Q)
    assert answer["status"] == "answered"
    response = rate(server, keys["bot"], answer["receipt"])
    assert response.status_code == 201, response.text
    assert response.json()["article_id"] == "refund-timeframe"
    record = httpx.get(
        f"{server.base}/v1/receipts/{answer['receipt']}", headers=auth(keys["agent"]), timeout=30
    )
    assert record.status_code == 200, record.text
    assert record.json()["article_id"] == "refund-timeframe"
    assert [s["channel"] for s in record.json()["servings"]] == ["chat"]


def test_a_receipt_read_at_once_lists_the_serving_just_given(
    one_worker: tuple[Server, dict[str, str]],
) -> None:
    """An answer's receipt is in the store from its earlier servings: a lookup found it there
    and listed those, without the serving given a moment ago (still queued)."""
    server, keys = one_worker

    def servings(receipt: str) -> int:
        url = f"{server.base}/v1/receipts/{receipt}"
        record = httpx.get(url, headers=auth(keys["agent"]), timeout=30)
        assert record.status_code == 200, record.text
        total: int = record.json()["total_servings"]
        return total

    receipt = ask(server, keys["bot"], REFUND_Q)["receipt"]
    before = servings(receipt)
    assert ask(server, keys["bot"], REFUND_Q)["receipt"] == receipt
    assert servings(receipt) == before + 1


def test_a_hand_off_is_found_the_moment_the_bot_makes_it(
    one_worker: tuple[Server, dict[str, str]],
) -> None:
    server, keys = one_worker
    handoff = ask(server, keys["bot"], "what is the capital of France")
    assert handoff["status"] == "no_answer"
    record = httpx.get(
        f"{server.base}/v1/receipts/{handoff['receipt']}", headers=auth(keys["agent"]), timeout=30
    )
    assert record.status_code == 200, record.text
    assert record.json()["kind"] == "handoff"
    assert record.json()["handoff"]["reason"] == "no_article"


def test_a_conversation_rates_an_answer_once(
    one_worker: tuple[Server, dict[str, str]], one_worker_root: Path
) -> None:
    """A customer double-clicking "wrong" (two requests at once), then changing their mind:
    one rating of the conversation, its last; the stored conversation is a pseudonym."""
    server, keys = one_worker
    conversation = "whatsapp:+61412345678"
    answer = httpx.post(
        f"{server.base}/v1/answer", headers=auth(keys["bot"]), timeout=30,
        json={"q": REFUND_Q, "channel": "chat", "conversation_id": conversation},
    ).json()  # fmt: skip

    def rate_in_conversation(rating: str) -> httpx.Response:
        body = {"receipt": answer["receipt"], "rating": rating, "conversation_id": conversation}
        return httpx.post(f"{server.base}/v1/feedback", json=body, headers=auth(keys["bot"]),
                          timeout=30)  # fmt: skip

    with ThreadPoolExecutor(max_workers=2) as pool:
        clicks = list(pool.map(rate_in_conversation, ["wrong", "wrong"]))
    assert sorted(r.status_code for r in clicks) == [200, 201], [r.text for r in clicks]
    assert sorted(r.json()["replaced"] for r in clicks) == [False, True]
    last = rate_in_conversation("helpful")
    assert last.status_code == 200 and last.json()["replaced"] is True
    assert len({r.json()["id"] for r in [*clicks, last]}) == 1
    engine = make_engine(f"sqlite:///{one_worker_root / 'store.db'}")
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(Feedback).where(Feedback.receipt == answer["receipt"],
                                       col(Feedback.conversation_id).is_not(None))
            ).all()  # fmt: skip
    finally:
        engine.dispose()
    assert [r.rating for r in rows] == ["helpful"]
    assert rows[0].conversation_id and rows[0].conversation_id.startswith("anon-")
    assert "61412345678" not in rows[0].conversation_id


def test_an_unknown_receipt_is_still_not_found(one_worker: tuple[Server, dict[str, str]]) -> None:
    server, keys = one_worker
    response = rate(server, keys["bot"], "rcpt_" + "0" * 32)
    assert response.status_code == 404
    assert "rcpt_" + "0" * 32 in response.json()["detail"]


def test_two_workers_find_each_others_answers(tmp_path: Path) -> None:
    """Each worker process has its own queue: a rating that reaches the other worker waits
    for that worker's next write (half a second here) instead of answering 404."""
    env, keys = prepare(tmp_path, "0.5")
    questions = [(REFUND_Q, channel) for channel in ("chat", "web", "email")]
    questions += [(f"capital of country number {i}", "chat") for i in range(5)]
    with serving(tmp_path, env, args=("--workers", "2")) as server:
        _wait_for_every_worker(server)
        statuses = [
            rate(server, keys["bot"], ask(server, keys["bot"], q, channel)["receipt"]).status_code
            for q, channel in questions
        ]
    assert statuses == [201] * len(questions)


def _wait_for_every_worker(server: Server, in_a_row: int = 20, timeout: float = 120) -> None:
    """``serving`` waits for one worker's ``/readyz``; the other may still be opening its index
    (503 index-not-ready, which a client retries). Many ready answers in a row, each on a new
    connection, mean both workers are."""
    deadline, ready = time.monotonic() + timeout, 0
    while ready < in_a_row:
        assert time.monotonic() < deadline, "a worker never became ready"
        ok = httpx.get(f"{server.base}/readyz", timeout=30).status_code == 200
        ready = ready + 1 if ok else 0
        if not ok:
            time.sleep(0.2)
