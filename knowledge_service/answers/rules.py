"""The serving rules, as pure functions: which status a resolution gets on a channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_service.answers.schemas import AnswerReason, AnswerStatus, FreshnessNote
from knowledge_service.content.schemas import (
    CUSTOMER_CHANNELS,
    ArticleDocument,
    ArticleStatus,
    Audience,
    Channel,
)
from knowledge_service.freshness.notes import is_blocking


@dataclass(frozen=True)
class Thresholds:
    """Confidence below ``no_answer`` means the knowledge base does not cover the question;
    below a channel's minimum, a human must take it."""

    no_answer: float
    channel_minimum: dict[Channel, float]

    def minimum(self, channel: Channel) -> float:
        """The confidence ``channel`` needs to be answered."""
        return self.channel_minimum.get(channel, self.no_answer)


def is_visible(doc: ArticleDocument, channel: Channel) -> bool:
    """Only published articles, only on their channels, internal ones only to agents."""
    if doc.status != ArticleStatus.PUBLISHED or channel not in doc.channels:
        return False
    return not (doc.audience == Audience.INTERNAL and channel in CUSTOMER_CHANNELS)


def is_blocked(freshness: Sequence[FreshnessNote]) -> bool:
    """A block finding that no active risk acceptance lifts: customer channels escalate.
    Acknowledging a finding never lifts its block (see ``freshness.notes.is_blocking``)."""
    return is_blocking(freshness)


def decide_status(
    *,
    confidence: float,
    channel: Channel,
    visible: bool,
    freshness: Sequence[FreshnessNote],
    thresholds: Thresholds,
) -> tuple[AnswerStatus, AnswerReason]:
    """The status of a resolution for one channel, and why."""
    if confidence < thresholds.no_answer:
        return AnswerStatus.NO_ANSWER, AnswerReason.NO_ARTICLE
    if not visible:
        return AnswerStatus.ESCALATE, AnswerReason.NOT_ON_CHANNEL
    if channel in CUSTOMER_CHANNELS and is_blocked(freshness):
        return AnswerStatus.ESCALATE, AnswerReason.BLOCKED
    if confidence < thresholds.minimum(channel):
        return AnswerStatus.ESCALATE, AnswerReason.LOW_CONFIDENCE
    return AnswerStatus.ANSWERED, AnswerReason.CONFIDENT
