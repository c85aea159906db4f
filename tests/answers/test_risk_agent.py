"""An agent whose customer is at risk is given the procedure for it (real model, real store).

A customer's own words ("my partner hits me") are far from how a procedure is written
("supporting customers affected by family violence"); on the agent channel such a message is
answered with the procedure where the knowledge base has one, whatever else it asks, with the
reason ``at_risk``; the message's own best articles stay its alternatives. Customer channels
hand the same messages to a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge_service.answers.evaluation import open_answer_service
from knowledge_service.answers.schemas import AnswerReason, AnswerStatus
from knowledge_service.answers.service import AnswerService
from knowledge_service.content.schemas import Channel
from knowledge_service.index.embedder import create_embedder
from knowledge_service.settings import Settings
from tests.conftest import TODAY

pytestmark = pytest.mark.slow

HEAD = """---
id: {id}
title: "{title}"
intents: [{intent}]
owner: care@water.example
last_reviewed: 2026-09-01
next_review: 2037-09-01
locale: en-AU
audience: {audience}
questions:
{questions}
---
{answer}
"""
ARTICLES = {
    "safe-contact": ("Agent procedure: customers affected by family violence", "agent.safety",
                     "internal", ["customer is experiencing family violence",
                                  "keep a customer's details private from an ex-partner"],
                     "Believe the customer, never ask for proof, and set the Safe contact flag."),
    "payment-plans": ("Payment plans", "hardship.plan", "public",
                      ["can I pay my bill off in instalments", "I can't afford my bill"],
                      "We can split your bill into fortnightly or monthly instalments."),
    "authorised-person": ("Letting someone else manage your account", "account.authorise",
                          "public", ["can my partner call about my account",
                                     "add my husband to the account"],
                          "Name up to two people who may talk to us about your account."),
    "moving-house": ("Moving house", "accounts.move", "public",
                     ["I'm moving out, how do I close my account", "we're moving house"],
                     "Tell us your move-out date at least 2 business days ahead."),
    "report-a-leak": ("Report a leak", "faults.leak", "public",
                      ["there's water leaking in the street", "how do I report a burst pipe"],
                      "Report a burst main or a leak in the street on 13 20 56, any time."),
}  # fmt: skip


def _open(root: Path, articles: dict[str, tuple[str, str, str, list[str], str]]) -> AnswerService:
    for article_id, (title, intent, audience, questions, answer) in articles.items():
        text = HEAD.format(
            id=article_id, title=title, intent=intent, audience=audience, answer=answer,
            questions="\n".join(f"  - {q}" for q in questions),
        )  # fmt: skip
        (root / "content").mkdir(parents=True, exist_ok=True)
        (root / "content" / f"{article_id}.md").write_text(text, encoding="utf-8")
    settings = Settings(today=TODAY)
    embedder = create_embedder(settings, threads=2)
    return open_answer_service(root / "kb", [root / "content"], embedder, settings)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnswerService]:
    yield _open(tmp_path_factory.mktemp("risk"), ARTICLES)


@pytest.fixture(scope="module")
def without_procedure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnswerService]:
    rest = {k: v for k, v in ARTICLES.items() if k != "safe-contact"}
    yield _open(tmp_path_factory.mktemp("risk-none"), rest)


@pytest.mark.parametrize(
    "asked",
    [
        "my partner hits me",
        "my partner hits me and I can't afford my bill",  # the procedure first, whatever else
        "customer says her husband hits her",  # an agent writes of the customer
        "my ex is stalking me and knows where I live",
        "he threatened to kill me if I leave",
    ],
)
def test_an_agent_is_given_the_procedure_for_a_customer_at_risk(
    service: AnswerService, asked: str
) -> None:
    agent = service.answer(asked, Channel.AGENT)
    assert (agent.status, agent.article_id, agent.reason) == (
        AnswerStatus.ANSWERED, "safe-contact", AnswerReason.AT_RISK
    )  # fmt: skip
    assert "safe-contact" not in {a.article_id for a in agent.alternatives}
    chat = service.answer(asked, Channel.CHAT)
    assert (chat.status, chat.reason) == (AnswerStatus.ESCALATE, AnswerReason.AT_RISK)


def test_the_rest_of_the_message_stays_among_the_alternatives(service: AnswerService) -> None:
    agent = service.answer("my partner hits me and I can't afford my bill", Channel.AGENT)
    assert "payment-plans" in [a.article_id for a in agent.alternatives][:3]


@pytest.mark.parametrize(
    ("asked", "article"),
    [
        ("they hit me with a late fee and I can't afford my bill", "payment-plans"),
        ("add my husband to the account", "authorised-person"),
    ],
)
def test_an_agent_message_without_risk_is_answered_as_asked(
    service: AnswerService, asked: str, article: str
) -> None:
    agent = service.answer(asked, Channel.AGENT)
    assert (agent.article_id, agent.reason) == (article, AnswerReason.CONFIDENT)


def test_without_a_procedure_the_message_is_answered_as_asked_and_marked(
    without_procedure: AnswerService,
) -> None:
    """Nothing unrelated is put forward as a procedure: the message's own answer, or none."""
    agent = without_procedure.answer("my partner hits me and I can't afford my bill", Channel.AGENT)
    assert agent.reason == AnswerReason.AT_RISK
    assert agent.article_id in {None, "payment-plans"}


SUICIDE_RISK = (
    "Agent procedure: a customer at risk of suicide", "agent.suicide", "internal",
    ["customer talks about ending their life", "customer mentions suicide or self-harm"],
    "Stay on the line, ask if they are safe right now, and give Lifeline, 13 11 14.",
)  # fmt: skip
VULNERABLE = (
    "Agent procedure: customers in vulnerable circumstances", "agent.vulnerable", "internal",
    ["customer is experiencing family violence", "customer talks about suicide or self-harm",
     "customer is in a mental health crisis"],
    "Put their safety first: for family violence set the Safe contact flag and offer "
    "1800RESPECT; for suicide or self-harm stay on the line and give Lifeline, 13 11 14.",
)  # fmt: skip
SELF_HARM_MESSAGES = [
    "customer says she wants to end her life",
    "caller says he is going to kill himself",
    "I want to kill myself, I can't pay this bill",
]


@pytest.fixture(scope="module")
def both_procedures(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnswerService]:
    yield _open(tmp_path_factory.mktemp("risk-both"), ARTICLES | {"suicide-risk": SUICIDE_RISK})


@pytest.fixture(scope="module")
def one_for_all(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnswerService]:
    rest = {k: v for k, v in ARTICLES.items() if k != "safe-contact"}
    yield _open(tmp_path_factory.mktemp("risk-one"), rest | {"vulnerable": VULNERABLE})


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ("customer says she wants to end her life", None),
        ("caller says he is going to kill himself", None),
        ("I want to kill myself, I can't pay this bill", "payment-plans"),  # what else it asks
    ],
)
def test_another_kind_of_risk_procedure_is_not_given_as_the_answer(
    service: AnswerService, asked: str, answered: str | None
) -> None:
    """With only a family violence procedure, a customer at risk of suicide was answered with
    it (it is the nearest article to "crisis support"), and on the sample knowledge base with
    "Life support customers and power outages" (its "life"). The agent gets what the rest of
    the message asks, or no single article: the reason and the message's best articles."""
    agent = service.answer(asked, Channel.AGENT)
    assert agent.reason == AnswerReason.AT_RISK
    assert agent.article_id == answered
    if answered is None:
        assert agent.status == AnswerStatus.NO_ANSWER
        assert agent.alternatives  # what the search found, for the agent to judge


@pytest.mark.parametrize("asked", SELF_HARM_MESSAGES)
def test_each_kind_of_risk_gets_its_own_procedure(
    both_procedures: AnswerService, asked: str
) -> None:
    agent = both_procedures.answer(asked, Channel.AGENT)
    assert (agent.status, agent.article_id) == (AnswerStatus.ANSWERED, "suicide-risk")
    violence = both_procedures.answer("my partner hits me", Channel.AGENT)
    assert violence.article_id == "safe-contact"


@pytest.mark.parametrize("asked", [*SELF_HARM_MESSAGES, "my partner hits me"])
def test_one_procedure_for_every_kind_of_risk_answers_each(
    one_for_all: AnswerService, asked: str
) -> None:
    agent = one_for_all.answer(asked, Channel.AGENT)
    assert (agent.status, agent.article_id, agent.reason) == (
        AnswerStatus.ANSWERED, "vulnerable", AnswerReason.AT_RISK
    )  # fmt: skip
