"""The answer engine over a real store: one canonical article, rendered and gated per channel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge_service.analytics.recording import answer_event
from knowledge_service.answers.schemas import AnswerReason, AnswerResult, AnswerStatus
from knowledge_service.answers.service import AnswerQuery, AnswerService
from knowledge_service.content.schemas import Channel
from knowledge_service.errors import InvalidRequestError
from knowledge_service.settings import AnswerSettings
from tests.answers.kb import (
    ALL_CHANNELS,
    BOT_CHANNELS,
    QUESTIONS,
    REFUND_ANSWER,
    STANDARD_ARTICLES,
    AnswerKB,
    build_kb,
    kb_settings,
)

ANSWERED, ESCALATE, NO_ANSWER = AnswerStatus.ANSWERED, AnswerStatus.ESCALATE, AnswerStatus.NO_ANSWER
BLOCKED = AnswerReason.BLOCKED.value
OFF_CHANNEL = AnswerReason.NOT_ON_CHANNEL.value
LOW = AnswerReason.LOW_CONFIDENCE.value


def _expected(question: str, channel: str) -> tuple[AnswerStatus, str | None, str | None]:
    """(status, reason, article_id) the serving rules give each question of the standard KB."""
    if question == "refund":
        return ANSWERED, "confident", "refund-timeframe"
    if question == "lost_card" and channel == "voice":  # not served on voice
        return ESCALATE, OFF_CHANNEL, None
    if question == "lost_card":
        return ANSWERED, "confident", "lost-card"
    if question == "blocked" and channel != "agent":  # overdue review: a block finding
        return ESCALATE, BLOCKED, None
    if question == "blocked":
        return ANSWERED, "confident", "meter-reading"
    if question == "internal" and channel == "agent":
        return ANSWERED, "confident", "fraud-procedure"
    return NO_ANSWER, "no_article", None  # drafts, retired...


TABLE = [(q, ch, *_expected(q, ch)) for q in QUESTIONS for ch in ALL_CHANNELS]


@pytest.mark.parametrize(("question", "channel", "status", "reason", "article_id"), TABLE)
def test_resolution_table(
    kb: AnswerKB,
    question: str,
    channel: str,
    status: AnswerStatus,
    reason: str | None,
    article_id: str | None,
) -> None:
    result = kb.service.answer(QUESTIONS[question], Channel(channel))
    assert (result.status, result.reason, result.article_id) == (status, reason, article_id)
    assert result.channel == channel
    if status != ANSWERED:
        _assert_carries_no_article(result)


def _assert_carries_no_article(result: AnswerResult) -> None:
    assert result.article_id is None and result.version is None and result.title is None
    assert result.answer is None and result.intent is None
    assert result.citations == []
    assert result.handoff is not None and result.handoff.reason == result.reason
    assert re.fullmatch(r"rcpt_[0-9a-f]{32}", result.receipt)  # a hand-off receipt of its own
    channel = Channel(result.channel)
    if channel == Channel.AGENT:  # agents get the best guesses instead of nothing
        assert result.alternatives
        # the hand-off names those of them that are a lead (at least LEAD_FLOOR confident)
        alternatives = {a.article_id for a in result.alternatives}
        assert {c.article_id for c in result.handoff.candidates} <= alternatives
    else:
        assert result.alternatives == []
    for candidate in result.handoff.candidates:  # never an article this channel may not see
        fields = STANDARD_ARTICLES[candidate.article_id]
        assert channel in fields.get("channels", ALL_CHANNELS)
        assert channel == Channel.AGENT or fields.get("audience", "public") == "public"


def test_an_off_channel_hand_off_logs_the_article_its_confidence_is_about(kb: AnswerKB) -> None:
    """The answer log's article, intent and confidence describe one article: the one the
    resolution weighed (here lost-card, not served on voice), never a hand-off candidate's id
    beside the best article's intent and confidence; the hand-off itself does not name it."""
    result = kb.service.answer(QUESTIONS["lost_card"], Channel.VOICE)
    assert (result.status, result.reason) == (ESCALATE, OFF_CHANNEL)
    event = answer_event(result, QUESTIONS["lost_card"], latency_ms=0.0, caller="test")
    assert (event.article_id, event.intent) == ("lost-card", "card.lost")
    assert event.version == 1 and event.confidence == result.confidence
    assert event.status == "escalate" and event.reason == OFF_CHANNEL
    assert "lost-card" not in result.model_dump_json()  # nothing of it reaches voice


EVERY_QUESTION = [(q, ch) for q in QUESTIONS for ch in ALL_CHANNELS]


@pytest.mark.parametrize(("question", "channel"), EVERY_QUESTION)
def test_the_logged_article_intent_and_confidence_agree(
    kb: AnswerKB, question: str, channel: str
) -> None:
    result = kb.service.answer(QUESTIONS[question], Channel(channel))
    event = answer_event(result, QUESTIONS[question], latency_ms=0.0, caller="test")
    assert event.confidence == result.confidence
    if event.article_id is None:
        assert event.intent is None
    else:  # the intent is the logged article's own
        assert event.intent == STANDARD_ARTICLES[event.article_id]["intents"][0]
        again = kb.service.answer(QUESTIONS[question], Channel.AGENT)  # every article: agents
        if again.article_id == event.article_id:
            assert again.confidence == event.confidence


def test_every_hand_off_gets_its_own_receipt(kb: AnswerKB) -> None:
    first = kb.service.answer(QUESTIONS["blocked"], Channel.CHAT)
    second = kb.service.answer(QUESTIONS["blocked"], Channel.CHAT)
    assert first.status == second.status == "escalate"
    assert first.receipt != second.receipt
    assert first.handoff is not None and first.handoff.candidates


def test_answers_on_every_channel_share_one_receipt(kb: AnswerKB) -> None:
    receipts = {kb.service.answer(QUESTIONS["refund"], Channel(c)).receipt for c in ALL_CHANNELS}
    assert len(receipts) == 1


def test_blocked_article_shows_its_findings_to_the_agent(kb: AnswerKB) -> None:
    result = kb.service.answer(QUESTIONS["blocked"], Channel.AGENT)
    assert [(n.kind, n.severity) for n in result.freshness] == [("review_overdue", "block")]
    assert "2026-10-15" in result.freshness[0].message


@pytest.mark.parametrize("channel", BOT_CHANNELS)
def test_blocked_article_escalates_without_its_text(kb: AnswerKB, channel: str) -> None:
    result = kb.service.answer(QUESTIONS["blocked"], Channel(channel))
    assert result.model_dump_json().count("meter display") == 0


@pytest.mark.parametrize("question", ["refund", "lost_card", "blocked"])
def test_every_channel_that_may_see_the_article_resolves_it_identically(
    kb: AnswerKB, question: str
) -> None:
    results = [kb.service.answer(QUESTIONS[question], Channel(ch)) for ch in ALL_CHANNELS]
    answered = [r for r in results if r.status == ANSWERED]
    assert answered
    resolutions = {(r.article_id, r.version, r.receipt, r.confidence) for r in answered}
    assert len(resolutions) == 1
    assert len({r.confidence for r in results}) == 1  # even the escalations agree on it


def test_resolution_is_the_same_batched_or_alone(kb: AnswerKB, tmp_path: Path) -> None:
    queries = [AnswerQuery(QUESTIONS[q], Channel(ch)) for q in QUESTIONS for ch in ALL_CHANNELS]
    fresh = AnswerService(kb.settings, kb.engine, kb.search)  # no cached hits
    batched = fresh.answer_many(queries)
    alone = [kb.service.answer(q.question, q.channel) for q in queries]

    def comparable(r: AnswerResult) -> dict[str, object]:
        strip = {"as_of"} if r.status == ANSWERED else {"as_of", "receipt"}  # hand-offs: own
        return r.model_dump(exclude=strip)

    assert [comparable(r) for r in batched] == [comparable(r) for r in alone]


@pytest.mark.parametrize(
    ("channel", "answer", "answer_format"),
    [
        ("chat", "Refunds reach your account within 10 business days.", "text"),
        ("email", "Refunds reach your account within 10 business days.", "text"),
        ("voice", "Refunds reach your account within 10 business days.", "text"),
        ("agent", REFUND_ANSWER, "markdown"),
        ("web", REFUND_ANSWER, "markdown"),
    ],
)
def test_answer_is_rendered_for_the_channel(
    kb: AnswerKB, channel: str, answer: str, answer_format: str
) -> None:
    result = kb.service.answer(QUESTIONS["refund"], Channel(channel))
    assert result.answer is not None and result.answer.startswith(answer)
    assert result.answer_format == answer_format
    if channel == "voice":
        assert "\n" not in result.answer and "https://" not in result.answer
    if channel in ("chat", "email"):
        assert "**" not in result.answer and "(https://example.com/refunds)" in result.answer


def test_answer_carries_the_contract_fields(kb: AnswerKB) -> None:
    result = kb.service.answer(QUESTIONS["refund"], Channel.CHAT)
    assert result.status == ANSWERED
    assert (result.article_id, result.version) == ("refund-timeframe", 1)
    assert result.title == STANDARD_ARTICLES["refund-timeframe"]["title"]
    assert result.intent == "billing.refund.timeframe"
    assert 0.5 <= result.confidence <= 1.0
    assert [c.model_dump() for c in result.citations] == [
        {"policy_id": "REFUNDS", "clause": "2.1", "policy_version": "3"}
    ]
    assert result.freshness == []
    assert result.receipt is not None and result.receipt.startswith("rcpt_")
    assert result.as_of.tzinfo is not None


def test_only_the_agent_sees_alternatives(kb: AnswerKB) -> None:
    agent = kb.service.answer(QUESTIONS["refund"], Channel.AGENT)
    assert agent.alternatives and len(agent.alternatives) <= 3
    assert all(a.article_id != "refund-timeframe" for a in agent.alternatives)
    assert kb.service.answer(QUESTIONS["refund"], Channel.CHAT).alternatives == []


def test_voice_minimum_escalates_only_voice(kb: AnswerKB) -> None:
    cfg = AnswerSettings(voice_minimum=0.99999)
    strict = AnswerService(kb_settings(kb.root, answers=cfg), kb.engine, kb.search)
    voice = strict.answer(QUESTIONS["refund"], Channel.VOICE)
    assert (voice.status, voice.reason) == (ESCALATE, LOW)
    _assert_carries_no_article(voice)
    for channel in ("chat", "web", "email", "agent"):
        assert strict.answer(QUESTIONS["refund"], Channel(channel)).status == ANSWERED


def test_no_answer_threshold_comes_from_the_settings(kb: AnswerKB) -> None:
    cfg = AnswerSettings(no_answer_threshold=0.99999, voice_minimum=0.0)
    strict = AnswerService(kb_settings(kb.root, answers=cfg), kb.engine, kb.search)
    result = strict.answer(QUESTIONS["refund"], Channel.CHAT)
    assert result.status == NO_ANSWER and result.confidence < 0.99999


def test_agent_prefers_a_confident_public_article_over_an_internal_one(tmp_path: Path) -> None:
    articles = {
        "refund-timeframe": STANDARD_ARTICLES["refund-timeframe"],
        "refund-procedure": {
            **STANDARD_ARTICLES["fraud-procedure"],
            "title": "How long does a refund take? (agents)",
            "intents": ["agent.refund"],
            "questions": ["when will I get my money back"],
            "answer": "Approve the refund in the billing system.",
        },
    }
    kb = build_kb(tmp_path, articles)
    try:
        results = [kb.service.answer(QUESTIONS["refund"], Channel(ch)) for ch in ALL_CHANNELS]
        assert {r.article_id for r in results} == {"refund-timeframe"}
    finally:
        kb.close()


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ("", "empty"),
        ("   \t\n", "empty"),
        ("x" * 501, "longer than 500"),
        (" " + "x" * 501, "longer than 500"),
    ],
)
def test_questions_the_engine_refuses(kb: AnswerKB, question: str, problem: str) -> None:
    with pytest.raises(InvalidRequestError, match=problem) as caught:
        kb.service.answer(question, Channel.CHAT)
    assert caught.value.parameter == "q"


def test_longest_allowed_question_is_answered(kb: AnswerKB) -> None:
    question = (QUESTIONS["refund"] + " ") * 20
    result = kb.service.answer(question[:500], Channel.CHAT)
    assert result.status in (ANSWERED, NO_ANSWER)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("WHEN WILL I GET MY MONEY BACK", "refund-timeframe"),
        ("  when   will I get my money back  ", "refund-timeframe"),
        ("I LOST MY CARD", "lost-card"),
    ],
)
def test_case_and_spacing_do_not_change_the_answer(
    kb: AnswerKB, question: str, expected: str
) -> None:
    assert kb.service.answer(question, Channel.CHAT).article_id == expected


def test_locale_filter_excludes_other_locales(kb: AnswerKB) -> None:
    assert kb.service.answer(QUESTIONS["refund"], Channel.CHAT, locale="en").status == ANSWERED
    assert kb.service.answer(QUESTIONS["refund"], Channel.CHAT, locale="fr-FR").status == NO_ANSWER
