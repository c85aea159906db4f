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
    """The log entry of one answer."""
    handoff = result.handoff.model_dump(mode="json") if result.handoff is not None else None
    candidates = result.handoff.candidates if result.handoff is not None else []
    article_id = result.article_id or (candidates[0].article_id if candidates else None)
    version = result.version or (candidates[0].version if candidates else None)
    return LoggedAnswer(
        kind="answer",
        question=question,
        latency_ms=latency_ms,
        channel=str(result.channel),
        intent=result.intent or (result.handoff.intent if result.handoff else None),
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
