"""Boundary schemas of the index domain: search filters, hits and index status."""

from __future__ import annotations

from pydantic import BaseModel, Field

from knowledge_service.content.schemas import (
    CUSTOMER_CHANNELS,
    ArticleDocument,
    ArticleStatus,
    Audience,
    Channel,
)

MAX_TOP_K = 50
"""The most results one search returns to a caller (the API's and the CLI's ``top_k``)."""
DEFAULT_TOP_K = 10


class SearchFilters(BaseModel):
    """Which articles a search may return. ``status`` None means any status."""

    status: ArticleStatus | None = ArticleStatus.PUBLISHED
    audience: Audience | None = None
    channel: Channel | None = None
    locale: str | None = None
    intent: str | None = None

    def key(self) -> tuple[object, ...]:
        """The filters' values, equal exactly when two filter sets admit the same articles (a
        dictionary key: cached masks, requests ranked together), read without serialising."""
        return (self.status, self.audience, self.channel, self.locale, self.intent)

    def admits(self, doc: ArticleDocument) -> bool:
        """Whether an article passes every filter.

        ``locale`` matches the tag or its language (``en`` admits ``en-AU``). ``channel`` admits
        the articles served on it: an internal article is never served on a customer channel,
        whatever its ``channels`` list.
        """
        if self.status is not None and doc.status != self.status:
            return False
        if self.audience is not None and doc.audience != self.audience:
            return False
        if self.channel is not None and not _served_on(doc, self.channel):
            return False
        if self.locale is not None and not _locale_matches(self.locale, doc.locale):
            return False
        return self.intent is None or self.intent in doc.intents


def _served_on(doc: ArticleDocument, channel: Channel) -> bool:
    if channel not in doc.channels:
        return False
    return doc.audience != Audience.INTERNAL or channel not in CUSTOMER_CHANNELS


def _locale_matches(wanted: str, actual: str) -> bool:
    wanted, actual = wanted.lower(), actual.lower()
    return actual == wanted or actual.startswith(wanted + "-")


def language_of(locale: str) -> str:
    """The language part of a BCP 47 tag (``en-US`` -> ``en``), lower-case."""
    return locale.split("-", 1)[0].lower()


def fallback_locale(locale: str | None) -> str | None:
    """Where a search or an answer for ``locale`` turns when that locale's own articles give
    nothing: a regional tag's language (``en-US`` -> ``en``, which admits ``en-AU``); None for
    no locale or a bare language (nothing wider to try)."""
    if locale is None:
        return None
    language = language_of(locale)
    return None if language == locale.lower() else language


class SearchRequest(BaseModel):
    """One search among many answered together (see ``SearchService.search_requests``)."""

    query: str
    top_k: int = DEFAULT_TOP_K
    filters: SearchFilters = Field(default_factory=SearchFilters)


class SearchHit(BaseModel):
    """One ranked article (its best unit gives ``section`` and ``snippet``)."""

    article_id: str
    version: int
    title: str
    section: str | None = None
    snippet: str
    score: float = Field(description="Fused article score, about 0..1 (higher is better).")
    dense_score: float = Field(description="Cosine of the query with the best unit.")
    lexical_score: float = Field(description="Normalised BM25 of the best unit, 0..1.")
    unit_kind: str
    intents: list[str]
    audience: Audience
    channels: list[Channel]
    locale: str


class IndexStatus(BaseModel):
    """How the search index stands against the store."""

    index_watermark: int
    store_watermark: int
    articles: int
    units: int
    vector_kind: str
    is_current: bool
    path: str | None = None
    model_name: str | None = None
    """The name the vectors are keyed by: the model folder's name (``model`` for the packaged
    all-MiniLM-L6-v2) with its encoder variant, or a tuned model's version."""
    model: str | None = None
    """Where the base model comes from (``KS_EMBEDDING_MODEL``: a folder or a name)."""
    answer_profile: str | None = None
    """Where answer confidence is measured from: the held-out ``questions`` or ``titles`` and
    their medians, or the settings' defaults when the knowledge base is too small for either."""
