"""End to end with the real model: the sample knowledge base served by ``knowledge-service serve``.

The bundled Brightwater sample (``content/``, ``policies/``) is imported into a temporary SQLite
file, checked by the governance check and indexed with the real all-MiniLM-L6-v2 (loaded once);
a real uvicorn server then loads that index from the same folder and is asked over HTTP. The
questions are customer paraphrases, not copies of the articles' ``questions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.freshness.service import check_store
from knowledge_service.index.embedder import Embedder, create_embedder
from knowledge_service.index.service import SearchService
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings, default_model_path
from tests.api.conftest import auth
from tests.conftest import REPO_ROOT, TODAY
from tests.server import serving

pytestmark = pytest.mark.slow


# Customer paraphrases (not copies of the articles' `questions`) and the article each needs.
PARAPHRASES = [
    ("how many business days does it take to get a refund?", "refund-timeframe"),
    ("what number do I use to pay through my bank's BPAY?", "bpay"),
    ("why does my bill say it is estimated?", "estimated-bills"),
    ("how much will I get paid for the electricity my solar panels export?",
     "solar-feed-in-tariff"),
    ("is it safe to go near a power line that has come down?", "fallen-powerlines"),
]  # fmt: skip
BLOCKED = [
    # (question, article, the blocking finding it must show the agent): see content/README.md
    ("my power has gone out, who do I call?", "report-an-outage", "review_overdue"),
    ("how much is the late payment charge?", "late-payment-fee", "policy_mismatch"),
]
# A customer's way of asking for an internal agent procedure, and text only that procedure holds.
INTERNAL = [
    ("can you take the late fee off my bill", "reason code EXEMPT"),
    ("how do you approve a refund", "never to a third party"),
    ("customer calling about a blackout", "check for a disconnection order first"),
    ("cancel a disconnection order", "recall it by phone"),
]


@dataclass
class Served:
    base: str
    keys: dict[str, str]


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The real all-MiniLM-L6-v2, loaded once (2 threads: this fixture indexes)."""
    return create_embedder(Settings(), threads=2)


def _prepare_store(root: Path, embedder: Embedder) -> tuple[Settings, dict[str, str]]:
    settings = Settings(
        database_url=f"sqlite:///{root / 'store.db'}",
        data_dir=root / "data",
        content_dir=REPO_ROOT / "content",
        policies_dir=REPO_ROOT / "policies",
    )
    engine = make_engine(settings.database_url)
    try:
        create_all_tables(engine)
        import_content(
            engine, [settings.content_dir, settings.policies_dir], max_file_bytes=1 << 20
        )
        check_store(engine, today=TODAY, settings=settings)  # no duplicate pass: faster
        SearchService(settings, engine, embedder).rebuild()  # the server loads this bundle
        with session_scope(engine) as session:
            keys = {
                role: access.create_key(session, name=f"e2e-{role}", role=role).secret
                for role in (Role.BOT, Role.AGENT)
            }
    finally:
        engine.dispose()
    return settings, keys


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("e2e")
    settings, keys = _prepare_store(root, real_embedder)
    env = {
        "KS_DATABASE_URL": settings.database_url,
        "KS_DATA_DIR": str(settings.data_dir),
        "KS_EMBEDDING_MODEL": default_model_path(),  # the real model, whatever the caller set
    }
    with serving(root, env) as server:
        yield Served(server.base, keys)


def ask(served: Served, role: str, **params: str) -> dict[str, Any]:
    response = httpx.get(
        f"{served.base}/v1/answer", params=params, headers=auth(served.keys[role]), timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(("question", "article_id"), PARAPHRASES)
def test_customer_paraphrase_gets_the_right_article(
    served: Served, question: str, article_id: str
) -> None:
    body = ask(served, "bot", q=question, channel="chat")
    assert (body["status"], body["article_id"]) == ("answered", article_id), body
    assert body["answer"] and body["receipt"] and body["confidence"] >= 0.5
    voice = ask(served, "bot", q=question, channel="voice")
    if voice["status"] == "answered":
        assert (voice["article_id"], voice["receipt"]) == (article_id, body["receipt"])


@pytest.mark.parametrize(("question", "article_id", "kind"), BLOCKED)
def test_blocked_article_escalates_on_chat_and_answers_the_agent(
    served: Served, question: str, article_id: str, kind: str
) -> None:
    chat = ask(served, "bot", q=question, channel="chat")
    assert (chat["status"], chat["reason"]) == ("escalate", "blocked_by_finding"), chat
    assert chat["answer"] is None and chat["article_id"] is None
    agent = ask(served, "agent", q=question, channel="agent")
    assert (agent["status"], agent["article_id"]) == ("answered", article_id), agent
    kinds = {(f["kind"], f["severity"]) for f in agent["freshness"]}
    assert (kind, "block") in kinds


def test_off_topic_question_is_no_answer(served: Served) -> None:
    body = ask(served, "bot", q="what is the capital of France", channel="chat")
    assert (body["status"], body["article_id"], body["answer"]) == ("no_answer", None, None)


@pytest.mark.parametrize("channel", ["chat", "voice"])
def test_a_customer_asking_for_a_person_is_handed_off_with_the_billing_candidates(
    served: Served, channel: str
) -> None:
    body = ask(served, "bot", q="can I talk to a real person about my bill", channel=channel)
    assert (body["status"], body["reason"], body["answer"]) == (
        "escalate", "human_requested", None
    ), body  # fmt: skip
    candidates = [c["article_id"] for c in body["handoff"]["candidates"]]
    assert candidates and any("bill" in c for c in candidates), candidates
    greeting = ask(served, "bot", q="hello", channel=channel)
    assert greeting["reason"] == "no_article"  # a greeting is not a request for a person


@pytest.mark.parametrize(("question", "internal_text"), INTERNAL)
def test_internal_procedures_never_reach_chat(
    served: Served, question: str, internal_text: str
) -> None:
    for channel in ("chat", "voice", "web", "email"):
        body = ask(served, "bot", q=question, channel=channel)
        assert internal_text not in str(body), (channel, body)


def test_internal_procedures_do_reach_agents(served: Served) -> None:
    """The control for the test above: those questions do find the procedures, for agents.

    Agents get the canonical public answer from /v1/answer like every channel; the internal
    procedures reach them through agent search.
    """
    found = []
    for question, text in INTERNAL:
        response = httpx.get(
            f"{served.base}/v1/search",
            params={"q": question, "top_k": 3, "audience": "internal"},
            headers=auth(served.keys["agent"]),
            timeout=30,
        )
        assert response.status_code == 200, response.text
        ids = [r["article_id"] for r in response.json()["results"]]
        articles = [
            httpx.get(
                f"{served.base}/v1/articles/{i}", headers=auth(served.keys["agent"]), timeout=30
            ).text
            for i in ids
        ]
        found.append(any(text in body for body in articles))
    assert sum(found) >= 3, found


def test_agent_search_over_http_ranks_the_sample(served: Served) -> None:
    response = httpx.get(
        f"{served.base}/v1/search",
        params={"q": "when is my bill due", "top_k": 5},
        headers=auth(served.keys["agent"]),
        timeout=30,
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert 1 <= len(results) <= 5
    assert "pay-by-date" in [r["article_id"] for r in results[:3]]
