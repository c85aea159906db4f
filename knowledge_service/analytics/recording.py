"""What the answer log records of an answer or a search (the raw question is redacted later,
on the log's writer thread, before anything is written)."""

from __future__ import annotations

from knowledge_service.analytics.log import LoggedAnswer
from knowledge_service.answers.schemas import AnswerResult, AnswerStatus
from knowledge_service.freshness.schemas import SearchResponse


def answer_event(
    result: AnswerResult,
    question: str,
    *,
    latency_ms: float,
    caller: str,
    conversation_id: str | None = None,
) -> LoggedAnswer:
    """The log entry of one answer. Its article, intent and confidence describe one article:
    the one served, or on a hand-off the one the resolution weighed as its best (whose
    ``confidence`` it is, and which the ``reason`` is about, even when the channel may not see
    it). The hand-off itself, as the channel got it, is kept whole in ``handoff``."""
    handoff = result.handoff.model_dump(mode="json") if result.handoff is not None else None
    weighed = result.weighed
    if result.article_id is not None:
        article_id, version, intent = result.article_id, result.version, result.intent
    elif weighed is not None:
        article_id, version, intent = weighed.article_id, weighed.version, weighed.intent
    else:
        article_id, version, intent = None, None, None
    return LoggedAnswer(
        kind="answer",
        question=question,
        latency_ms=latency_ms,
        channel=str(result.channel),
        intent=intent,
        article_id=article_id,
        version=version,
        status=str(result.status),
        reason=str(result.reason),
        confidence=result.confidence,
        stale=result.status == AnswerStatus.ANSWERED and bool(result.freshness),
        receipt=result.receipt,
        conversation_id=conversation_id,
        caller=caller,
        handoff=handoff,
        text=result.answer if result.status == AnswerStatus.ANSWERED else None,
    )


def search_event(
    response: SearchResponse, question: str, *, latency_ms: float, caller: str, channel: str | None
) -> LoggedAnswer:
    """The log entry of one search (its best result, if any)."""
    best = response.results[0] if response.results else None
    return LoggedAnswer(
        kind="search",
        question=question,
        latency_ms=latency_ms,
        channel=channel,
        article_id=best.article_id if best else None,
        version=best.version if best else None,
        confidence=best.score if best else None,
        caller=caller,
    )
