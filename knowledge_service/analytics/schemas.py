"""Pydantic shapes of the analytics domain: feedback in, measures out."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from knowledge_service.content.schemas import Channel

MAX_COMMENT_CHARS = 2000
RECEIPT_PATTERN = r"^rcpt_[0-9a-f]{8,64}$"
ARTICLE_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"


def _blank_as_none(value: Any) -> Any:
    """An empty or blank id is none: clients send "" for a conversation they have no id for,
    and one pseudonym for every such request would make them all one conversation."""
    return None if isinstance(value, str) and not value.strip() else value


ConversationId = Annotated[str | None, BeforeValidator(_blank_as_none)]
"""A caller's conversation id: empty or blank is none."""


class Rating(StrEnum):
    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"
    WRONG = "wrong"
    OUTDATED = "outdated"
    UNCLEAR = "unclear"


WRONG_RATINGS = frozenset({Rating.WRONG, Rating.OUTDATED})
"""Ratings that say the answer is wrong (the measures' wrong rate); in the review queue, a
``warn`` item."""

NEEDS_REVIEW = WRONG_RATINGS | {Rating.NOT_HELPFUL, Rating.UNCLEAR}
"""Ratings that put the article in its owner's review queue (as does any rating that names an
article used instead: :func:`needs_review`): every rating but ``helpful``. ``not_helpful`` and
``unclear`` alone make an ``info`` item, as the answer may be right but hard to use."""


def needs_review(rating: str, used_article_id: str | None) -> bool:
    """Whether a rating of an article puts it in its owner's review queue: it says the answer
    is wrong, outdated, unclear or not helpful, or an agent used another article instead (an
    override), whatever it rated the answer: the owner should learn which article agents reach
    for."""
    return rating in NEEDS_REVIEW or used_article_id is not None


class FeedbackCreate(BaseModel):
    """``POST /v1/feedback``: a rating of one served answer."""

    model_config = ConfigDict(extra="forbid")  # a misspelt used_article_id must not vanish

    receipt: str = Field(pattern=RECEIPT_PATTERN, description="The answer's receipt")
    rating: Rating
    comment: str | None = Field(
        default=None,
        description=f"Free text (redacted before it is stored; at most "
        f"{MAX_COMMENT_CHARS} characters)",
    )
    used_article_id: str | None = Field(
        default=None,
        max_length=120,
        pattern=ARTICLE_ID_PATTERN,
        description="Agents (not bot keys): the article used instead (an override)",
    )
    channel: Channel | None = Field(
        default=None,
        description="The channel the rated answer was given on, for a key that serves several "
        "(default: the channel of this key's newest serving of the receipt)",
    )
    conversation_id: ConversationId = Field(
        default=None,
        max_length=200,
        description="The conversation the rater was given the answer in (as sent with "
        "`POST /v1/answer`): a conversation rates an answer once, and rating it again "
        "replaces its rating (200 instead of 201); kept only as a pseudonym; empty or blank "
        "is none",
    )


class FeedbackPublic(BaseModel):
    id: int
    at: datetime
    receipt: str
    rating: Rating
    comment: str | None
    article_id: str | None
    version: int | None
    used_article_id: str | None
    needs_review: bool
    replaced: bool = Field(
        default=False,
        description="This rating replaced the conversation's earlier rating of the receipt",
    )


class Rates(BaseModel):
    """Counts and rates of one period (a day, or the whole range)."""

    answers: int = 0
    answered: int = 0
    no_answer: int = 0
    escalated: int = 0
    searches: int = 0
    stale_answers: int = 0
    repeat_questions: int = 0
    feedback: int = 0
    helpful: int = 0
    wrong: int = 0
    overrides: int = 0
    risk_incidents: int = Field(
        default=0,
        description="Risk incidents: article versions served to customers in the range that a "
        "later check found blocking for what they told customers (policy_mismatch, conflict, "
        "policy_missing, policy_retired), one per version and finding (the summary's "
        "`risk_incidents` list; its answers and customers told are there). A day counts those "
        "found that day; the totals count every one in the list, also one found after the "
        "range's last day.",
    )
    escalations_by_reason: dict[str, int] = Field(default_factory=dict)
    answer_rate: float | None = None
    no_answer_rate: float | None = None
    escalation_rate: float | None = None
    stale_answer_rate: float | None = None
    repeat_rate: float | None = None
    helpful_rate: float | None = None
    wrong_rate: float | None = None
    override_rate: float | None = None


class DayMeasures(Rates):
    day: date


class Demand(BaseModel):
    intent: str | None
    channel: str | None
    questions: int


class RiskIncident(BaseModel):
    """Answers served from a version that a later check found blocking."""

    article_id: str
    version: int
    finding_kind: str
    found_at: datetime
    answers: int = Field(description="Answers served to customers from that version.")
    customers_told: int = Field(
        description="How many customers were told: distinct conversations (`conversation_id`); "
        "each answer without a conversation id counts as a customer of its own."
    )
    receipts: list[str]


class Trend(BaseModel):
    """Change from the first half of the range to the second (rates, in points); None when
    either half has no answers (answer and escalation rates) or no feedback (wrong rate)."""

    answer_rate: float | None
    escalation_rate: float | None
    wrong_rate: float | None


class MetricsSummary(BaseModel):
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    channel: str | None
    intent: str | None
    totals: Rates
    days: list[DayMeasures]
    trend: Trend
    demand: list[Demand]
    risk_incidents: list[RiskIncident]


class Gap(BaseModel):
    """A cluster of questions no article answers (see ``analytics.gaps``)."""

    size: int = Field(
        description="Distinct questions in the cluster: the same words asked again (on any "
        "channel, in any case or spacing) are one question."
    )
    asks: int = Field(description="How many times the cluster's questions were asked.")
    examples: list[str] = Field(description="Redacted distinct questions from the cluster")
    nearest_article_id: str | None
    nearest_score: float | None
    first_at: datetime
    last_at: datetime


class Serving(BaseModel):
    """One time a receipt's resolution was served."""

    at: datetime
    channel: str | None
    status: str | None
    reason: str | None
    confidence: float | None
    question: str | None = Field(
        description="The question as stored (redacted); null for an agent key: a receipt is "
        "shared by every customer told the same answer"
    )
    findings: list[dict[str, str]] = Field(
        default_factory=list,
        description="kind, severity and message of the findings open at that moment, the "
        "message as this serving's channel was told it (a customer channel's fixed sentence, "
        "the finding's own text on agent)",
    )
    text_hash: str | None = Field(
        default=None,
        description="The text this serving gave (a rendering's ``text_hash``); null on a "
        "hand-off, and for a serving logged before texts were kept",
    )


class Rendering(BaseModel):
    """A text one channel received under a receipt."""

    channel: str
    format: str
    text: str
    recorded: bool = Field(
        description="true: the text kept when it was served, exactly as the channel received "
        "it; false: servings logged before texts were kept, whose text is the version "
        "rendered again by the running release"
    )
    text_hash: str | None = Field(
        description="SHA-256 of a recorded text (servings name it); null when not recorded"
    )
    first_served: datetime
    last_served: datetime
    servings: int = Field(description="How many servings gave this text on this channel")


class ReceiptRecord(BaseModel):
    """What exactly was answered under a receipt, and when and where it was served."""

    receipt: str
    kind: str = Field(description="answer (an article version) or handoff (escalate, no_answer)")
    article_id: str | None
    version: int | None
    title: str | None
    content_hash: str | None
    renderings: list[Rendering] = Field(
        description="Each text a channel received, oldest first per channel: one per channel "
        "unless a release changed how that channel's text is rendered"
    )
    citations: list[dict[str, str | None]]
    handoff: dict[str, object] | None
    servings: list[Serving]
    total_servings: int
