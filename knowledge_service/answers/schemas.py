"""What every channel receives from ``/v1/answer`` (see the serving contract)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, Field, PrivateAttr

from knowledge_service.content.schemas import Channel
from knowledge_service.freshness.schemas import FreshnessNote as FreshnessNote  # also /v1/search


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    ESCALATE = "escalate"
    NO_ANSWER = "no_answer"


class AnswerReason(StrEnum):
    """Why a resolution got its status: a fixed list every channel can rely on."""

    AT_RISK = "at_risk"
    """escalate: the message says someone may be at risk of harm (customer channels)"""
    HUMAN_REQUESTED = "human_requested"
    """escalate: the customer asked for a person (customer channels)"""
    CONFIDENT = "confident"
    """answered: the best article is confident enough for the channel and not blocked"""
    LOW_CONFIDENCE = "low_confidence"
    """escalate: a candidate exists but the channel needs more confidence (voice)"""
    BLOCKED = "blocked_by_finding"
    """escalate: the best article has a blocking finding (customer channels)"""
    NOT_ON_CHANNEL = "not_on_channel"
    """escalate: the best article may not be served on this channel"""
    NO_ARTICLE = "no_article"
    """no_answer: no article answers the question confidently"""
    LOCALE_UNAVAILABLE = "locale_unavailable"
    """the asked locale has no articles: answered from another region's articles of the same
    language (``locale`` says which), or no_answer when the language has none either"""


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


class HandoffCandidate(BaseModel):
    article_id: str
    version: int
    title: str
    confidence: float = Field(ge=0.0, le=1.0)


class Handoff(BaseModel):
    """What the human who takes over needs (on ``escalate`` and ``no_answer``)."""

    reason: AnswerReason
    intent: str | None = Field(description="The intent of the best candidate, if any")
    candidates: list[HandoffCandidate] = Field(
        default_factory=list,
        description="Up to 3 articles this channel may see, most likely first, each with its "
        "confidence weighed as the response's (none with confidence 0)",
    )


class Weighed(NamedTuple):
    """The article a resolution weighed as its best (the one its ``confidence`` and ``reason``
    are about). Kept for the answer log only: on ``escalate`` and ``no_answer`` it never leaves
    the service on the channel (the channel may not be allowed to see it)."""

    article_id: str
    version: int
    intent: str | None


class AnswerResult(BaseModel):
    """One resolved answer: the contract's fields plus what helps a channel act on it."""

    status: AnswerStatus
    channel: Channel
    article_id: str | None = None
    version: int | None = None
    title: str | None = None
    answer: str | None = None
    answer_format: AnswerFormat | None = Field(default=None, description="'text' or 'markdown'")
    agent_details: str | None = Field(
        default=None,
        description="Agent channel only: the article's 'Details for agents' sections (Markdown)",
    )
    confidence: float = Field(ge=0.0, le=1.0)
    intent: str | None = None
    locale: str | None = Field(
        default=None, description="The locale of the article answered from (see reason)"
    )
    citations: list[Citation] = Field(default_factory=list)
    freshness: list[FreshnessNote] = Field(default_factory=list)
    receipt: str = Field(
        description="A stable id of this resolution: the same article, version and content give "
        "the same receipt; an escalation or no_answer gets its own (GET /v1/receipts/{receipt})"
    )
    as_of: datetime
    reason: AnswerReason = Field(description="Why the status is what it is (a fixed list)")
    handoff: Handoff | None = Field(
        default=None, description="On escalate and no_answer: what the human taking over needs"
    )
    alternatives: list[Alternative] = Field(
        default_factory=list, description="Runner-up articles (agent channel only)"
    )
    _weighed: Weighed | None = PrivateAttr(default=None)

    @property
    def weighed(self) -> Weighed | None:
        """The article this resolution weighed as its best, also on a hand-off (never
        serialised; see :class:`Weighed`)."""
        return self._weighed

    def weighing(self, best: Weighed | None) -> AnswerResult:
        """This result, noting the article it weighed as its best."""
        self._weighed = best
        return self
