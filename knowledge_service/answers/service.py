"""Resolve a question to one canonical article version and render it for a channel.

Resolution is channel-independent: the best published public article is *the* answer to a
question (agents fall back to internal articles only when no public one is confident), so every
channel that may see the article gets the same article and version. Channels then differ only
in rendering and in what they may see: a channel that may not see the canonical article, or a
customer channel facing a blocking finding, escalates to a human.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service import clock
from knowledge_service.answers import repository
from knowledge_service.answers.receipts import make_handoff_receipt, make_receipt
from knowledge_service.answers.render import format_for, render_answer
from knowledge_service.answers.rules import Thresholds, decide_status, is_visible
from knowledge_service.answers.sanitise import sanitise_answer
from knowledge_service.answers.schemas import (
    Alternative,
    AnswerReason,
    AnswerResult,
    AnswerStatus,
    Citation,
    FreshnessNote,
    Handoff,
    HandoffCandidate,
)
from knowledge_service.content.models import ArticleVersion
from knowledge_service.content.schemas import CUSTOMER_CHANNELS, Audience, Channel
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidRequestError
from knowledge_service.index.cache import LruCache
from knowledge_service.index.schemas import SearchFilters, SearchHit, SearchRequest
from knowledge_service.index.service import SearchService
from knowledge_service.settings import AnswerSettings, Settings


@dataclass(frozen=True)
class AnswerQuery:
    """One question to resolve."""

    question: str
    channel: Channel
    locale: str | None = None
    as_of: datetime | None = None


def confidence_of(hits: Sequence[SearchHit], best: SearchHit | None, cfg: AnswerSettings) -> float:
    """Calibrated probability that ``best`` is the right answer (see :class:`AnswerSettings`)."""
    if best is None:
        return 0.0
    runner_up = next((h.score for h in hits if h.article_id != best.article_id), 0.0)
    margin = max(0.0, best.score - runner_up)
    logit = (
        cfg.calib_score * best.score
        + cfg.calib_dense * best.dense_score
        + cfg.calib_margin * margin
        + cfg.calib_bias
    )
    return round(1.0 / (1.0 + math.exp(-logit)), 4)


def thresholds_of(cfg: AnswerSettings) -> Thresholds:
    return Thresholds(
        no_answer=cfg.no_answer_threshold,
        channel_minimum={Channel.VOICE: max(cfg.voice_minimum, cfg.no_answer_threshold)},
    )


def pick_canonical(
    hits: Sequence[SearchHit], channel: Channel, cfg: AnswerSettings
) -> tuple[SearchHit | None, list[SearchHit]]:
    """The canonical hit and the pool it was ranked in: public first; agents fall back to
    internal articles when no public one clears the no-answer threshold.

    An internal candidate is ranked against every hit: among the few internal articles alone,
    its lead over the runner-up (and so its confidence) would be inflated, and a weaker internal
    article would displace a better public one.
    """
    public = [h for h in hits if h.audience == Audience.PUBLIC]
    best = public[0] if public else None
    if channel == Channel.AGENT and confidence_of(public, best, cfg) < cfg.no_answer_threshold:
        internal = [h for h in hits if h.audience == Audience.INTERNAL]
        if internal and confidence_of(hits, internal[0], cfg) > confidence_of(public, best, cfg):
            return internal[0], list(hits)
    return best, public


def handoff_of(
    hits: Sequence[SearchHit], channel: Channel, reason: AnswerReason, cfg: AnswerSettings
) -> Handoff:
    """The hand-off for a human: the best candidates this channel may see, with confidence.

    A customer channel's hand-off never names an article that channel may not see (an internal
    one, or one not served on it).
    """
    seen = [
        h for h in hits
        if channel in h.channels
        and (channel not in CUSTOMER_CHANNELS or h.audience == Audience.PUBLIC)
    ]  # fmt: skip
    candidates = [
        HandoffCandidate(
            article_id=h.article_id,
            version=h.version,
            title=h.title,
            confidence=confidence_of(hits, h, cfg),
        )
        for h in seen[:3]
    ]
    pool = [h for h in hits if channel not in CUSTOMER_CHANNELS or h.audience == Audience.PUBLIC]
    intent = pool[0].intents[0] if pool and pool[0].intents else None
    return Handoff(reason=reason, intent=intent, candidates=candidates)


def alternatives_of(hits: Sequence[SearchHit], article_id: str) -> list[Alternative]:
    """The three best runner-up articles to ``article_id`` (shown to agents)."""
    return [
        Alternative(article_id=h.article_id, version=h.version, title=h.title, score=h.score)
        for h in hits
        if h.article_id != article_id
    ][:3]


class AnswerService:
    """The answer engine behind ``/v1/answer``.

    Args:
        settings: Service settings (``settings.answers`` holds calibration and thresholds).
        engine: The content store (and findings).
        search: The hybrid search service, already opened.
    """

    def __init__(self, settings: Settings, engine: Engine, search: SearchService) -> None:
        self.settings = settings
        self.cfg = settings.answers
        self.engine = engine
        self.search = search
        self.thresholds = thresholds_of(self.cfg)
        self._hits_cache: LruCache[tuple[str, str | None, int], list[SearchHit]] = LruCache(
            self.cfg.cache_size
        )
        self._versions: LruCache[tuple[str, int], ArticleVersion] = LruCache(self.cfg.cache_size)

    def answer(
        self,
        question: str,
        channel: Channel,
        *,
        locale: str | None = None,
        as_of: datetime | None = None,
    ) -> AnswerResult:
        """Resolve one question for one channel."""
        return self.answer_many([AnswerQuery(question, channel, locale, as_of)])[0]

    def answer_many(self, queries: Sequence[AnswerQuery]) -> list[AnswerResult]:
        """Resolve many questions; current-knowledge questions share one batched encode."""
        for query in queries:
            self.validate(query)
        hits = self._hits_for(queries)
        return [sanitise_answer(self._resolve(q, h)) for q, h in zip(queries, hits, strict=True)]

    def validate(self, query: AnswerQuery) -> None:
        """Raise InvalidRequestError for a question the engine will not try to answer."""
        text = query.question.strip()
        if not text:
            raise InvalidRequestError("q", "the question is empty")
        if len(text) > self.cfg.max_question_chars:
            raise InvalidRequestError(
                "q", f"the question is longer than {self.cfg.max_question_chars} characters"
            )
        if query.as_of is not None and query.as_of.tzinfo is None:
            raise InvalidRequestError("as_of", "the timestamp needs a time zone (e.g. Z)")
        if query.as_of is not None and query.as_of > datetime.now(UTC):
            raise InvalidRequestError("as_of", "the timestamp is in the future")

    def _hits_for(self, queries: Sequence[AnswerQuery]) -> list[list[SearchHit]]:
        watermark = self.search.watermark
        results: list[list[SearchHit]] = [[] for _ in queries]
        pending: dict[tuple[str, str | None, int], list[int]] = {}
        for i, query in enumerate(queries):
            if query.as_of is not None:
                results[i] = self._hits_as_of(query)
                continue
            key = (" ".join(query.question.lower().split()), query.locale, watermark)
            cached = self._hits_cache.get(key)
            if cached is not None:
                results[i] = cached
            else:
                pending.setdefault(key, []).append(i)
        requests = [
            SearchRequest(
                query=queries[positions[0]].question.strip(),
                top_k=self.cfg.candidates,
                filters=SearchFilters(locale=key[1]),
            )
            for key, positions in pending.items()
        ]
        found = self.search.search_requests(requests) if requests else []
        for (key, positions), hits in zip(pending.items(), found, strict=True):
            self._hits_cache.put(key, hits)
            for i in positions:
                results[i] = hits
        return results

    def _hits_as_of(self, query: AnswerQuery) -> list[SearchHit]:
        assert query.as_of is not None
        return self.search.search_as_of(
            query.question,
            query.as_of,
            top_k=self.cfg.candidates,
            filters=SearchFilters(locale=query.locale),
        )

    def _resolve(self, query: AnswerQuery, hits: list[SearchHit]) -> AnswerResult:
        as_of = query.as_of or datetime.now(UTC)
        best, pool = pick_canonical(hits, query.channel, self.cfg)
        confidence = confidence_of(pool, best, self.cfg)
        if best is None or confidence < self.thresholds.no_answer:
            reason = AnswerReason.NO_ARTICLE
            return AnswerResult(
                status=AnswerStatus.NO_ANSWER,
                channel=query.channel,
                confidence=confidence,
                as_of=as_of,
                reason=reason,
                receipt=make_handoff_receipt(),
                handoff=handoff_of(hits, query.channel, reason, self.cfg),
            )
        with session_scope(self.engine) as session:
            row = self._article_version(session, best.article_id, best.version)
            notes = repository.freshness_notes(
                session, best.article_id, query.as_of, today=clock.today(self.settings)
            )
            citations = repository.citations(session, row.to_document(), query.as_of)
        return self._build(query, best, hits, row, notes, citations, confidence, as_of)

    def _article_version(self, session: Session, article_id: str, version: int) -> ArticleVersion:
        """A stored article version; versions never change, so they are kept (LRU)."""
        row = self._versions.get((article_id, version))
        if row is None:
            row = repository.article_version(session, article_id, version)
            self._versions.put((article_id, version), row)
        return row

    def _build(
        self,
        query: AnswerQuery,
        best: SearchHit,
        hits: Sequence[SearchHit],
        row: ArticleVersion,
        notes: list[FreshnessNote],
        citations: list[Citation],
        confidence: float,
        as_of: datetime,
    ) -> AnswerResult:
        doc = row.to_document()
        channel = query.channel
        status, reason = decide_status(
            confidence=confidence,
            channel=channel,
            visible=is_visible(doc, channel),
            freshness=notes,
            thresholds=self.thresholds,
        )
        if status != AnswerStatus.ANSWERED:
            # A human takes it: nothing of an article the channel may not serve leaves here.
            return AnswerResult(
                status=status, channel=channel, confidence=confidence, as_of=as_of,
                reason=reason, receipt=make_handoff_receipt(),
                handoff=handoff_of(hits, channel, reason, self.cfg),
            )  # fmt: skip
        return AnswerResult(
            status=status,
            channel=channel,
            article_id=doc.id,
            version=row.version,
            title=doc.title,
            answer=render_answer(doc.answer, channel, content_hash=row.content_hash),
            answer_format=format_for(channel),
            confidence=confidence,
            intent=doc.intents[0],
            citations=citations,
            freshness=notes,
            receipt=make_receipt(doc.id, row.version, row.content_hash),
            as_of=as_of,
            reason=reason,
            alternatives=alternatives_of(hits, doc.id) if channel == Channel.AGENT else [],
        )
