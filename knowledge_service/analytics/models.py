"""Tables of the analytics domain: what was asked and answered, with personal data redacted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge_service.content.models import UTCDateTime, utcnow


class AnswerEvent(SQLModel, table=True):
    """One answer or search served: the question is stored redacted, never raw."""

    __tablename__ = "answer_event"
    __table_args__ = (
        Index("ix_answer_event_receipt", "receipt"),
        Index("ix_answer_event_conversation", "conversation_id", "at"),
        Index("ix_answer_event_article", "article_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    kind: str = Field(max_length=16, description="answer or search")
    channel: str | None = Field(default=None, max_length=16, index=True)
    question: str
    intent: str | None = Field(default=None, index=True)
    article_id: str | None = Field(default=None, max_length=120)
    version: int | None = None
    status: str | None = Field(default=None, max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=40)
    confidence: float | None = None
    latency_ms: float
    stale: bool = Field(default=False, description="served while the article had a finding")
    receipt: str | None = Field(default=None, max_length=64)
    conversation_id: str | None = Field(default=None, max_length=200)
    caller: str | None = Field(default=None, max_length=200)
    handoff: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True), description="escalate/no_answer"
    )
    text_hash: str | None = Field(
        default=None,
        max_length=64,
        description="the text the channel received (a ``rendered_text`` key); None on a "
        "hand-off, and on answers logged before texts were kept",
    )


class RenderedText(SQLModel, table=True):
    """A text exactly as a channel received it, kept once however often it was served.

    A receipt's answer is proven with it months later, whatever a later release renders from
    the same version. It is article text rendered for a channel, never a customer's words, so
    the retention purge leaves it (it is shared by every serving that gave it).
    """

    __tablename__ = "rendered_text"

    text_hash: str = Field(primary_key=True, max_length=64, description="SHA-256 of the text")
    text: str


class Feedback(SQLModel, table=True):
    """A rating of one served answer (by its receipt); the comment is stored redacted."""

    __tablename__ = "feedback"
    __table_args__ = (
        # one rating per conversation and key (ratings naming no conversation never clash)
        Index("ux_feedback_conversation", "receipt", "conversation_id", "caller", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    receipt: str = Field(max_length=64, index=True)
    rating: str = Field(max_length=16, index=True)
    comment: str | None = None
    article_id: str | None = Field(default=None, max_length=120, index=True)
    version: int | None = None
    channel: str | None = Field(default=None, max_length=16)
    intent: str | None = Field(
        default=None,
        description="the intent of the serving it rates, kept with it: the measures of an "
        "intent count the rating after its answer's log entry is purged",
    )
    used_article_id: str | None = Field(
        default=None, max_length=120, description="the article an agent used instead (override)"
    )
    caller: str | None = Field(default=None, max_length=200)
    conversation_id: str | None = Field(
        default=None,
        max_length=200,
        description="the rater's conversation, as a pseudonym (one rating per conversation)",
    )


class DailyCount(SQLModel, table=True):
    """What the retention purge keeps of the rows it deletes: counts per day and dimension.

    ``source`` is ``answer`` or ``search`` (``label`` the status, ``flag`` stale), ``feedback``
    (``label`` the rating, ``flag`` an override) or ``repeat`` (repeat questions; counted again
    per channel, per intent and per both as ``repeat_channel``, ``repeat_intent`` and
    ``repeat_both``, for the measures filtered so).
    """

    __tablename__ = "daily_count"
    __table_args__ = (
        UniqueConstraint("day", "source", "channel", "intent", "label", "reason", "flag"),
    )

    id: int | None = Field(default=None, primary_key=True)
    day: str = Field(max_length=10, index=True)
    source: str = Field(max_length=16)
    channel: str | None = Field(default=None, max_length=16)
    intent: str | None = None
    label: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, max_length=40)
    flag: bool = False
    count: int = 0
