"""What every channel receives from ``/v1/answer`` (see the serving contract)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from knowledge_service.content.schemas import Channel
from knowledge_service.freshness.schemas import FreshnessNote as FreshnessNote  # also /v1/search


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    ESCALATE = "escalate"
    NO_ANSWER = "no_answer"


class EscalationReason(StrEnum):
    BLOCKED = "blocked_by_finding"
    LOW_CONFIDENCE = "low_confidence_for_channel"
    NOT_ON_CHANNEL = "not_available_on_channel"


class NoAnswerReason(StrEnum):
    NOT_COVERED = "no article answers this question confidently"


AnswerReason = EscalationReason | NoAnswerReason
"""Why a resolution is not answered."""


class AnswerFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"


class Citation(BaseModel):
    policy_id: str
    clause: str | None
    policy_version: str | None = Field(description="The policy's own version label, if known")


class Alternative(BaseModel):
    article_id: str
    version: int
    title: str
    score: float


class AnswerResult(BaseModel):
    """One resolved answer: the contract's fields plus what helps a channel act on it."""

    status: AnswerStatus
    channel: Channel
    article_id: str | None = None
    version: int | None = None
    title: str | None = None
    answer: str | None = None
    answer_format: AnswerFormat | None = Field(default=None, description="'text' or 'markdown'")
    confidence: float = Field(ge=0.0, le=1.0)
    intent: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    freshness: list[FreshnessNote] = Field(default_factory=list)
    receipt: str | None = None
    as_of: datetime
    reason: AnswerReason | None = Field(
        default=None, description="Why the status is escalate or no_answer"
    )
    alternatives: list[Alternative] = Field(
        default_factory=list, description="Runner-up articles (agent channel only)"
    )
