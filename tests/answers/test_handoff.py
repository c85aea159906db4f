"""Hand-offs that help, agents' details and the locale fallback, over a real store and index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from knowledge_service.answers.answer_text import agent_markdown
from knowledge_service.answers.handoff import LEAD_FLOOR, handoff_of
from knowledge_service.answers.schemas import AnswerReason, AnswerStatus
from knowledge_service.content.schemas import Channel
from tests.answers.kb import BOT_CHANNELS, AnswerKB, build_kb
from tests.answers.test_rules import hit
from tests.factories import make_article

MOVING_BODY = (
    "## What we need from you\nThe new address and your move-in date.\n\n"
    "## Details for agents\nCheck the premises status first: AGENT-DETAIL-1.\n\n"
    "### Same-day requests\nAfter 1 pm they are booked as standard: AGENT-DETAIL-2.\n\n"
    "## Fees\nA standard connection costs $42.50.\n"
)
ARTICLES: dict[str, dict[str, Any]] = {
    "moving-in": {
        "title": "Connecting energy at your new home",
        "intents": ["moving.in"],
        "locale": "en-AU",
        "questions": ["connect power at my new home", "moving into a new house"],
        "answer": "Ask us at least 3 business days before you move in.",
        "body": MOVING_BODY,
    },
    "solar-feed-in": {
        "title": "Solar feed-in tariff",
        "intents": ["solar.feed_in"],
        "locale": "en-AU",
        "questions": ["how much do I get for solar exports"],
        "answer": "We pay 5 cents for every kWh your panels export.",
    },
    "outage-procedure": {
        "title": "Handling outage calls",
        "intents": ["agent.outage"],
        "locale": "en-AU",
        "audience": "internal",
        "channels": ["agent"],
        "questions": ["customer calling about a blackout"],
        "answer": "Check for a disconnection order first, then give the distributor's number.",
    },
}
MOVING = "connect power at my new home"
OFF_TOPIC = "what is the capital of France"


@pytest.fixture(scope="module")
def au_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnswerKB]:
    built = build_kb(tmp_path_factory.mktemp("au-kb"), ARTICLES)
    yield built
    built.close()


def test_agent_answer_carries_the_details_for_agents_sections(au_kb: AnswerKB) -> None:
    agent = au_kb.service.answer(MOVING, Channel.AGENT)
    assert agent.status == AnswerStatus.ANSWERED and agent.answer is not None
    assert agent.answer == "Ask us at least 3 business days before you move in."  # copyable
    assert agent.agent_details is not None
    assert "AGENT-DETAIL-1" in agent.agent_details and "AGENT-DETAIL-2" in agent.agent_details
    assert "$42.50" not in agent.agent_details and "move-in date" not in agent.agent_details


@pytest.mark.parametrize("channel", BOT_CHANNELS)
def test_customers_never_get_the_details_for_agents(au_kb: AnswerKB, channel: str) -> None:
    result = au_kb.service.answer(MOVING, Channel(channel))
    assert result.status == AnswerStatus.ANSWERED and result.answer is not None
    assert result.agent_details is None
    assert "AGENT-DETAIL" not in result.model_dump_json()


def test_an_article_without_agent_details_gives_none(au_kb: AnswerKB) -> None:
    result = au_kb.service.answer("how much do I get for solar exports", Channel.AGENT)
    assert result.article_id == "solar-feed-in" and result.agent_details is None


def test_agent_markdown_is_empty_without_agent_sections() -> None:
    doc = make_article(answer="Lead.", body="## Steps\nDo this.\n")
    assert agent_markdown(doc) == ""


def test_agent_markdown_matches_the_heading_in_any_case() -> None:
    doc = make_article(answer="Lead.", body="## Steps\nDo this.\n\n## DETAILS FOR AGENTS\nStep.\n")
    assert agent_markdown(doc) == "## DETAILS FOR AGENTS\nStep."


def test_agents_get_the_best_guesses_on_no_answer(au_kb: AnswerKB) -> None:
    result = au_kb.service.answer(OFF_TOPIC, Channel.AGENT)
    assert (result.status, result.reason) == (AnswerStatus.NO_ANSWER, AnswerReason.NO_ARTICLE)
    assert {a.article_id for a in result.alternatives} == set(ARTICLES)  # agents' best guesses
    assert result.handoff is not None  # names only candidates that are a lead
    assert all(LEAD_FLOOR <= c.confidence < 1.0 for c in result.handoff.candidates)


@pytest.mark.parametrize("channel", BOT_CHANNELS)
def test_customer_no_answer_hands_off_without_internal_articles(
    au_kb: AnswerKB, channel: str
) -> None:
    result = au_kb.service.answer(OFF_TOPIC, Channel(channel))
    assert result.status == AnswerStatus.NO_ANSWER and result.alternatives == []
    assert result.handoff is not None and result.handoff.reason == AnswerReason.NO_ARTICLE
    names = {c.article_id for c in result.handoff.candidates}
    assert names <= {"moving-in", "solar-feed-in"}
    # an off-topic question's best article is no lead: no need is claimed for it either
    assert result.handoff.intent in (("moving.in", "solar.feed_in") if names else (None,))


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "EN-us"])
def test_another_region_falls_back_to_the_same_language_and_says_so(
    au_kb: AnswerKB, locale: str
) -> None:
    result = au_kb.service.answer(MOVING, Channel.CHAT, locale=locale)
    assert (result.status, result.article_id) == (AnswerStatus.ANSWERED, "moving-in")
    assert result.reason == AnswerReason.LOCALE_UNAVAILABLE and result.locale == "en-AU"
    assert result.confidence == au_kb.service.answer(MOVING, Channel.CHAT).confidence


@pytest.mark.parametrize("locale", [None, "en", "en-AU", "en-au"])
def test_a_locale_with_articles_answers_confidently(au_kb: AnswerKB, locale: str | None) -> None:
    result = au_kb.service.answer(MOVING, Channel.CHAT, locale=locale)
    assert (result.status, result.reason) == (AnswerStatus.ANSWERED, AnswerReason.CONFIDENT)
    assert result.locale == "en-AU"


@pytest.mark.parametrize("locale", ["fr-FR", "fr", "de"])
def test_a_language_without_articles_is_no_answer_locale_unavailable(
    au_kb: AnswerKB, locale: str
) -> None:
    result = au_kb.service.answer(MOVING, Channel.CHAT, locale=locale)
    assert (result.status, result.reason) == (
        AnswerStatus.NO_ANSWER,
        AnswerReason.LOCALE_UNAVAILABLE,
    )
    assert result.confidence == 0.0
    assert result.handoff is not None and result.handoff.reason == AnswerReason.LOCALE_UNAVAILABLE


def test_fallback_off_topic_question_is_still_no_article(au_kb: AnswerKB) -> None:
    result = au_kb.service.answer(OFF_TOPIC, Channel.CHAT, locale="en-US")
    assert (result.status, result.reason) == (AnswerStatus.NO_ANSWER, AnswerReason.NO_ARTICLE)


@pytest.mark.parametrize("channel", BOT_CHANNELS)
def test_a_customer_who_asks_for_a_person_is_handed_off_with_what_search_found(
    au_kb: AnswerKB, channel: str
) -> None:
    asked = "can I talk to a real person about connecting power at my new home"
    result = au_kb.service.answer(asked, Channel(channel))
    assert (result.status, result.reason) == (AnswerStatus.ESCALATE, AnswerReason.HUMAN_REQUESTED)
    assert result.article_id is None and result.answer is None
    assert result.handoff is not None and result.handoff.reason == AnswerReason.HUMAN_REQUESTED
    assert result.handoff.candidates[0].article_id == "moving-in"
    assert result.handoff.candidates[0].confidence == result.confidence  # scored the same way
    assert "outage-procedure" not in {c.article_id for c in result.handoff.candidates}
    assert result.confidence == au_kb.service.answer(asked, Channel.AGENT).confidence


def test_agents_and_a_switched_off_setting_get_the_answer_as_usual(au_kb: AnswerKB) -> None:
    asked = MOVING + ", or put me through to a person"
    assert au_kb.service.answer(asked, Channel.CHAT).reason == AnswerReason.HUMAN_REQUESTED
    agent = au_kb.service.answer(asked, Channel.AGENT)
    assert (agent.status, agent.article_id) == (AnswerStatus.ANSWERED, "moving-in")
    from knowledge_service.answers.service import AnswerService

    cfg = au_kb.settings.model_copy(deep=True)
    cfg.answers.hand_off_on_request = False
    off = AnswerService(cfg, au_kb.engine, au_kb.search)
    assert off.answer("transfer me to an agent", Channel.CHAT).reason == AnswerReason.NO_ARTICLE
    moving = off.answer(asked, Channel.CHAT)
    assert (moving.status, moving.article_id) == (AnswerStatus.ANSWERED, "moving-in")


@pytest.mark.parametrize("channel", BOT_CHANNELS)
def test_a_message_that_someone_is_at_risk_goes_to_a_person_before_any_answer(
    au_kb: AnswerKB, channel: str
) -> None:
    """Even with a confident article and a request for a person in it, at_risk comes first;
    agents get the answer (this knowledge base has no safety procedure: the message's own) with
    the reason at_risk; switched off, the message is a question like any other."""
    asked = MOVING + ", my partner hits me, can I talk to a person"
    result = au_kb.service.answer(asked, Channel(channel))
    assert (result.status, result.reason) == (AnswerStatus.ESCALATE, AnswerReason.AT_RISK)
    assert result.article_id is None and result.answer is None
    assert result.handoff is not None and result.handoff.reason == AnswerReason.AT_RISK
    assert result.handoff.candidates[0].article_id == "moving-in"
    agent = au_kb.service.answer(asked, Channel.AGENT)
    assert (agent.status, agent.article_id, agent.reason) == (
        AnswerStatus.ANSWERED, "moving-in", AnswerReason.AT_RISK
    )  # fmt: skip
    from knowledge_service.answers.service import AnswerService

    cfg = au_kb.settings.model_copy(deep=True)
    cfg.answers.hand_off_on_risk = False
    off = AnswerService(cfg, au_kb.engine, au_kb.search)
    assert off.answer(asked, Channel(channel)).reason == AnswerReason.HUMAN_REQUESTED
    assert off.answer(asked, Channel.AGENT).reason == AnswerReason.CONFIDENT
    plain = MOVING + ", my partner hits me"
    assert off.answer(plain, Channel(channel)).reason != AnswerReason.AT_RISK


@pytest.fixture(scope="module")
def mixed_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnswerKB]:
    """The en-AU articles plus one en-US article about something else."""
    us_article = {
        "title": "Paying by check",
        "intents": ["billing.check"],
        "locale": "en-US",
        "questions": ["can I mail a check to pay my bill"],
        "answer": "Mail your check to the address on your bill.",
    }
    built = build_kb(tmp_path_factory.mktemp("mixed-kb"), {**ARTICLES, "pay-by-check": us_article})
    yield built
    built.close()


def test_a_region_whose_articles_do_not_answer_falls_back_to_the_language(
    mixed_kb: AnswerKB,
) -> None:
    """One en-US article must not cut en-US questions off from the en-AU knowledge."""
    result = mixed_kb.service.answer(MOVING, Channel.CHAT, locale="en-US")
    assert (result.status, result.article_id) == (AnswerStatus.ANSWERED, "moving-in")
    assert result.reason == AnswerReason.LOCALE_UNAVAILABLE and result.locale == "en-AU"
    own = mixed_kb.service.answer("can I mail a check to pay my bill", Channel.CHAT, locale="en-US")
    assert (own.status, own.reason) == (AnswerStatus.ANSWERED, AnswerReason.CONFIDENT)
    assert (own.article_id, own.locale) == ("pay-by-check", "en-US")
    nothing = mixed_kb.service.answer(OFF_TOPIC, Channel.CHAT, locale="en-US")
    assert (nothing.status, nothing.reason) == (AnswerStatus.NO_ANSWER, AnswerReason.NO_ARTICLE)


def test_a_hand_off_names_only_candidates_that_are_a_lead() -> None:
    hits = [hit("operator-faq", 0.9), hit("moving-in", 0.5), hit("solar", 0.4)]
    confidence = {"operator-faq": 0.01, "moving-in": 0.3, "solar": LEAD_FLOOR}
    found = handoff_of(hits, Channel.CHAT, AnswerReason.HUMAN_REQUESTED,
                       lambda h: confidence[h.article_id])  # fmt: skip
    assert [c.article_id for c in found.candidates] == ["moving-in", "solar"]
