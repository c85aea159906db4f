"""What the API and the CLI show of stored documents: summaries, whole versions, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, Field

from knowledge_service.content.schemas.documents import (
    ArticleStatus,
    Audience,
    Channel,
    PolicyStatus,
)


class ArticleSummary(BaseModel):
    """The current version of an article, in a list."""

    id: str = Field(examples=["refund-timeframe"])
    version: int = Field(examples=[3])
    title: str = Field(examples=["How long does a refund take?"])
    status: ArticleStatus
    audience: Audience
    locale: str = Field(examples=["en-AU"])
    owner: str = Field(examples=["payments-content@example.com"])
    intents: list[str] = Field(examples=[["billing.refund.timeframe"]])
    next_review: date


class SectionPublic(BaseModel):
    heading: str
    path: list[str]
    level: int
    text: str


class VersionFacts(BaseModel):
    """What every shown version says about itself."""

    content_hash: str
    created_at: datetime
    author: str
    is_current: bool = Field(description="Whether this is the current version.")


class ArticlePublic(VersionFacts, ArticleSummary):
    """One version of an article with its answer rendered to sanitised HTML."""

    channels: list[Channel]
    policy_sources: list[str] = Field(examples=[["REFUNDS#2.1"]])
    last_reviewed: date
    questions: list[str]
    answer: str = Field(description="The canonical answer (Markdown).")
    answer_html: str = Field(description="The answer as sanitised HTML.")
    body: str = Field(description="The whole body: the answer, then the detail (Markdown).")
    body_html: str = Field(description="The whole body as sanitised HTML.")
    sections: list[SectionPublic]


class PolicySummary(BaseModel):
    """The current version of a policy source, in a list."""

    id: str = Field(examples=["REFUNDS"])
    title: str = Field(examples=["Refunds and credits policy"])
    policy_version: str = Field(description="The policy's own version label.", examples=["3"])
    store_version: int = Field(description="The version number in this store.")
    effective_date: date
    owner: str
    status: PolicyStatus


class ClausePublic(BaseModel):
    number: str = Field(examples=["2.1"])
    heading: str = Field(examples=["Refund timeframe"])
    text: str
    level: int


class PolicyPublic(VersionFacts, PolicySummary):
    """A policy source with its numbered clauses."""

    body: str = Field(description="The policy text (Markdown).")
    body_html: str = Field(description="The policy text as sanitised HTML.")
    clauses: list[ClausePublic]


class VersionSummary(BaseModel):
    """One entry of a document's history (each kind narrows ``status``)."""

    version: int
    title: str
    content_hash: str
    author: str
    source: str
    created_at: datetime


class ArticleVersionSummary(VersionSummary):
    """One entry of an article's history."""

    status: ArticleStatus


class PolicyVersionSummary(VersionSummary):
    """One entry of a policy source's history."""

    status: PolicyStatus
    policy_version: str = Field(description="The policy's own version label.")


class Caller(Protocol):
    """Who calls a verb, as far as content needs to know (``access.schemas.Principal`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...


V = TypeVar("V")


@dataclass(frozen=True)
class DocumentPage(Generic[V]):
    """One page of current versions and how many match on all pages."""

    items: list[V]
    total: int


@dataclass(frozen=True)
class VersionRead(Generic[V]):
    """A version as a caller reads it, whether it is the current one, and whether it is the
    one the caller is shown by default (for agents and bots while an edit is in review: the
    approved version still served, which the governance check's findings are about)."""

    version: V
    is_current: bool
    is_shown: bool
