"""Resolve a question to one canonical article version and render it for a channel.

Resolution is channel-independent: the best published public article is *the* answer to a
question (agents fall back to internal articles only when no public one is confident), so every
channel that may see the article gets the same article and version. Channels then differ only
in rendering and in what they may see: a channel that may not see the canonical article, or a
customer channel facing a blocking finding, escalates to a human.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service import clock
from knowledge_service.answers import repository
from knowledge_service.answers.answer_text import agent_details
from knowledge_service.answers.confidence import (
    candidate_confidence,
    confidence_of,
    pick_canonical,
    thresholds_of,
)
from knowledge_service.answers.handoff import alternatives_of, handoff_of
from knowledge_service.answers.human_request import asks_for_a_person
from knowledge_service.answers.receipts import make_handoff_receipt, make_receipt
from knowledge_service.answers.render import format_for, render_answer
from knowledge_service.answers.risk import (
    RISK_WORDS,
    RiskKind,
    risk_kind,
    signals_risk,
    without_risk,
)
from knowledge_service.answers.rules import decide_status, is_visible
from knowledge_service.answers.sanitise import is_blank, sanitise_answer
from knowledge_service.answers.schemas import (
    AnswerReason,
    AnswerResult,
    AnswerStatus,
    Citation,
    FreshnessNote,
    Weighed,
)
from knowledge_service.content.models import ArticleVersion
from knowledge_service.content.schemas import CUSTOMER_CHANNELS, Channel
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidRequestError
from knowledge_service.index.cache import LruCache
from knowledge_service.index.profile import ScoreProfile
from knowledge_service.index.schemas import (
    SearchFilters,
    SearchHit,
    SearchRequest,
    fallback_locale,
)
from knowledge_service.index.service import SearchService
from knowledge_service.privacy import without_personal_data
from knowledge_service.settings import Settings

DUPLICATES_TTL = 5.0
"""Seconds a process trusts the duplicate findings it read (as it trusts a key it checked)."""


@dataclass(frozen=True)
class AnswerQuery:
    """One question to resolve."""

    question: str
    channel: Channel
    locale: str | None = None
    as_of: datetime | None = None


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
        # article -> (monotonic time it expires, its duplicates): see _duplicates_of
        self._duplicates: LruCache[str, tuple[float, frozenset[str]]] = LruCache(
            max(1, self.cfg.cache_size)
        )

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
        results = self._resolve_all(queries, hits, is_fallback=False)
        # A regional locale whose own articles do not answer (en-US asked of an en-AU knowledge
        # base, or of one with a few en-US articles about something else) falls back to the same
        # language's articles, and the answer says so.
        fallback = {
            i: replace(q, locale=language)
            for i, (q, r) in enumerate(zip(queries, results, strict=True))
            if r.status == AnswerStatus.NO_ANSWER and (language := fallback_locale(q.locale))
        }
        if fallback:
            asked = list(fallback.values())
            wider = self._resolve_all(asked, self._hits_for(asked), is_fallback=True)
            for i, result in zip(fallback, wider, strict=True):
                if result.status != AnswerStatus.NO_ANSWER or not hits[i]:
                    results[i] = result
        return results

    def _resolve_all(
        self, queries: Sequence[AnswerQuery], hits: Sequence[list[SearchHit]], *, is_fallback: bool
    ) -> list[AnswerResult]:
        results = [
            sanitise_answer(self._resolve(q, h, is_fallback=is_fallback))
            for q, h in zip(queries, hits, strict=True)
        ]
        self._procedures_first(queries, hits, results, is_fallback=is_fallback)
        return results

    def validate(self, query: AnswerQuery) -> None:
        """Raise InvalidRequestError for a question the engine will not try to answer."""
        text = query.question.strip()
        if is_blank(text):
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
        # cache key -> (the question as searched, the positions asking it)
        pending: dict[tuple[str, str | None, int], tuple[str, list[int]]] = {}
        for i, query in enumerate(queries):
            if query.as_of is not None:
                results[i] = self._hits_as_of(query)
                continue
            # the question as searched (no personal data, see HybridIndex.corrected_and_encoded)
            text = self._searched(query, without_personal_data(query.question).strip())
            key = (" ".join(text.lower().split()), query.locale, watermark)
            cached = self._hits_cache.get(key)
            if cached is not None:
                results[i] = cached
            else:
                pending.setdefault(key, (text, []))[1].append(i)
        requests = [
            SearchRequest(
                query=text, top_k=self.cfg.candidates, filters=SearchFilters(locale=key[1])
            )
            for key, (text, _) in pending.items()
        ]
        found = self.search.search_requests(requests) if requests else []
        for (key, (_, positions)), hits in zip(pending.items(), found, strict=True):
            self._hits_cache.put(key, hits)
            for i in positions:
                results[i] = hits
        return results

    def _hits_as_of(self, query: AnswerQuery) -> list[SearchHit]:
        assert query.as_of is not None
        return self.search.search_as_of(
            self._searched(query, query.question),
            query.as_of,
            top_k=self.cfg.candidates,
            filters=SearchFilters(locale=query.locale),
        )

    def _procedures_first(
        self,
        queries: Sequence[AnswerQuery],
        hits: Sequence[list[SearchHit]],
        results: list[AnswerResult],
        *,
        is_fallback: bool,
    ) -> None:
        """An agent's message that says someone is at risk is answered with the procedure for
        its kind of risk where the knowledge base has one: the article a search for what such
        procedures are called (:data:`RISK_WORDS`) answers confidently, whatever else the
        message asks, unless the search for another kind's procedures ranks it clearly higher
        (a family violence procedure is no answer to a customer at risk of suicide, though it
        is the nearest article to "crisis support"); the message's own best articles stay its
        alternatives. Without one, the agent is answered what the rest of the message asks
        (:func:`without_risk`), else gets no single article (``no_answer``, with those
        alternatives): an article that only shares a word with the risk ("life support" for
        "she wants to end her life") is never put forward as what to do."""
        at_risk = {i: kind for i, q in enumerate(queries) if (kind := self._agent_risk(q))}
        if not at_risk:
            return
        kinds = list(RiskKind)
        asked = [replace(queries[i], question=RISK_WORDS[k]) for i in at_risk for k in kinds]
        found = iter(self._hits_for(asked))
        rest: dict[int, AnswerQuery] = {}
        for i, kind in at_risk.items():
            by_kind = {k: next(found) for k in kinds}
            query = replace(queries[i], question=RISK_WORDS[kind])
            procedure = sanitise_answer(
                self._resolve(query, by_kind[kind], is_fallback=is_fallback)
            )
            if procedure.status == AnswerStatus.ANSWERED and _of_its_kind(
                procedure.article_id, kind, by_kind
            ):
                own = [hit for hit in hits[i] if hit.article_id != procedure.article_id]
                procedure.alternatives = alternatives_of(own, procedure.article_id)
                results[i] = procedure
            else:
                rest[i] = replace(queries[i], question=without_risk(queries[i].question))
        self._answer_the_rest(queries, hits, results, rest, is_fallback=is_fallback)

    def _answer_the_rest(
        self,
        queries: Sequence[AnswerQuery],
        hits: Sequence[list[SearchHit]],
        results: list[AnswerResult],
        rest: Mapping[int, AnswerQuery],
        *,
        is_fallback: bool,
    ) -> None:
        """At-risk agent messages with no procedure for their kind: answered what the rest of
        each asks, reason ``at_risk``; else a ``no_answer`` whose alternatives are the
        message's own best articles."""
        asked = {i: q for i, q in rest.items() if not is_blank(q.question)}
        found = dict(zip(asked, self._hits_for(list(asked.values())), strict=True))
        for i in rest:
            own = (
                sanitise_answer(self._resolve(asked[i], found[i], is_fallback=is_fallback))
                if i in asked
                else None
            )
            if own is not None and own.status == AnswerStatus.ANSWERED:
                own.reason = AnswerReason.AT_RISK
                results[i] = own
            elif results[i].status == AnswerStatus.ANSWERED:  # as a hand-off, not an answer
                shown = results[i]
                best = next((h for h in hits[i] if h.article_id == shown.article_id), None)
                results[i] = self._handoff(
                    queries[i], best, hits[i], AnswerStatus.NO_ANSWER, AnswerReason.AT_RISK,
                    shown.confidence, shown.as_of,
                )  # fmt: skip

    def _agent_risk(self, query: AnswerQuery) -> RiskKind | None:
        """What an agent's message says of someone at risk (None on other channels, or with the
        risk hand-off switched off): the agent is the person, so the message is answered, from a
        search that adds what vulnerable-customer procedures are called."""
        if query.channel != Channel.AGENT or not self.cfg.hand_off_on_risk:
            return None
        return risk_kind(query.question)

    def _searched(self, query: AnswerQuery, text: str) -> str:
        kind = self._agent_risk(query)
        if kind is None or text == RISK_WORDS[kind]:
            return text
        return f"{text}. {RISK_WORDS[kind]}"

    def _resolve(
        self, query: AnswerQuery, hits: list[SearchHit], *, is_fallback: bool
    ) -> AnswerResult:
        result = self._resolved(query, hits, is_fallback=is_fallback)
        if self._agent_risk(query) is not None:  # the sidebar says so, whatever was found
            result.reason = AnswerReason.AT_RISK
        return result

    def _resolved(
        self, query: AnswerQuery, hits: list[SearchHit], *, is_fallback: bool
    ) -> AnswerResult:
        as_of = query.as_of or datetime.now(UTC)
        profile = self.search.profile
        complete = self._complete(hits)
        best, pool = pick_canonical(hits, query.channel, self.cfg, profile, complete=complete)
        confidence = confidence_of(pool, best, self.cfg, profile, complete=complete)
        if (
            best is not None
            and query.as_of is None
            and confidence < self.thresholds.minimum(query.channel)
        ):
            confidence = self._beside_its_duplicates(best, pool, profile, complete, confidence)
        if query.channel in CUSTOMER_CHANNELS:  # a person first, if the message needs one
            reason = self._for_a_person(query.question)
            if reason is not None:  # the hand-off still carries what search found
                status = AnswerStatus.ESCALATE
                return self._handoff(query, best, hits, status, reason, confidence, as_of)
        if best is None or confidence < self.thresholds.no_answer:
            no_locale = not hits and query.locale is not None
            reason = AnswerReason.LOCALE_UNAVAILABLE if no_locale else AnswerReason.NO_ARTICLE
            status = AnswerStatus.NO_ANSWER
            return self._handoff(query, best, hits, status, reason, confidence, as_of)
        with session_scope(self.engine) as session:
            row = self._article_version(session, best.article_id, best.version)
            notes = repository.freshness_notes(
                session, best.article_id, query.as_of, today=clock.today(self.settings)
            )
            citations = repository.citations(session, row.to_document(), query.as_of)
        result = self._build(query, best, hits, row, notes, citations, confidence, as_of)
        if is_fallback and result.status == AnswerStatus.ANSWERED:
            result.reason = AnswerReason.LOCALE_UNAVAILABLE
        return result

    def _for_a_person(self, question: str) -> AnswerReason | None:
        """Why a customer's message goes to a person whatever an article says: it says someone
        may be at risk of harm, or it asks for a person; None when neither (or switched off)."""
        if self.cfg.hand_off_on_risk and signals_risk(question):
            return AnswerReason.AT_RISK
        if self.cfg.hand_off_on_request and asks_for_a_person(question):
            return AnswerReason.HUMAN_REQUESTED
        return None

    def _beside_its_duplicates(
        self,
        best: SearchHit,
        pool: Sequence[SearchHit],
        profile: ScoreProfile | None,
        complete: bool,
        confidence: float,
    ) -> float:
        """The best article's confidence with its duplicates left out of the pool.

        Articles a ``duplicate`` finding names say the same thing (the finding warns; it does
        not block), so a question either answers ranks them side by side, and the best one's
        lead over the runner-up and share of the candidates, split between the copies, would
        refuse it. Its lead is measured over the other articles instead. Only asked when the
        confidence is under what the channel needs, so a confident answer costs no store read.
        """
        others = {h.article_id for h in pool} - {best.article_id}
        if not others:
            return confidence
        copies = self._duplicates_of(best.article_id) & others
        if not copies:
            return confidence
        rest = [h for h in pool if h.article_id not in copies]
        return confidence_of(rest, best, self.cfg, profile, complete=complete)

    def _duplicates_of(self, article_id: str) -> frozenset[str]:
        """The articles an active duplicate finding pairs with ``article_id``, as the store said
        at most ``DUPLICATES_TTL`` seconds ago (one small read per article in that time, not
        one per refused or escalated question: they are most of a bot's traffic). Only this
        article's pairs are read: a store with tens of thousands of duplicate findings once
        made every refusal load them all."""
        now = time.monotonic()
        cached = self._duplicates.get(article_id)
        if cached is not None and now < cached[0]:
            return cached[1]
        with session_scope(self.engine) as session:
            copies = repository.duplicates_of(session, article_id)
        self._duplicates.put(article_id, (now + DUPLICATES_TTL, copies))
        return copies

    def _complete(self, hits: Sequence[SearchHit]) -> bool:
        """Whether the search found as many candidates as it asked for (else the knowledge base,
        or the locale or moment asked about, ran out of articles: see ``confidence_of``)."""
        return len(hits) >= self.cfg.candidates

    def _handoff(
        self,
        query: AnswerQuery,
        best: SearchHit | None,
        hits: Sequence[SearchHit],
        status: AnswerStatus,
        reason: AnswerReason,
        confidence: float,
        as_of: datetime,
    ) -> AnswerResult:
        """An escalation or no-answer: nothing of an article the channel may not serve leaves
        here; the hand-off names the candidates the channel may see, and agents get the best
        guesses as alternatives instead of nothing. ``best`` (the article ``confidence`` is
        about) is noted for the answer log only (``AnswerResult.weighed``)."""
        channel = query.channel
        profile = self.search.profile
        complete = self._complete(hits)
        return AnswerResult(
            status=status,
            channel=channel,
            confidence=confidence,
            as_of=as_of,
            reason=reason,
            receipt=make_handoff_receipt(),
            handoff=handoff_of(
                hits,
                channel,
                reason,
                lambda h: (
                    confidence  # the best article's, as weighed (beside its duplicates, say)
                    if best is not None and h.article_id == best.article_id
                    else candidate_confidence(hits, h, self.cfg, profile, complete=complete)
                ),
            ),
            alternatives=alternatives_of(hits, None) if channel == Channel.AGENT else [],
        ).weighing(
            None
            if best is None
            else Weighed(best.article_id, best.version, best.intents[0] if best.intents else None)
        )

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
            return self._handoff(query, best, hits, status, reason, confidence, as_of)
        return AnswerResult(
            status=status,
            channel=channel,
            article_id=doc.id,
            version=row.version,
            title=doc.title,
            answer=render_answer(doc.answer, channel, content_hash=row.content_hash),
            agent_details=agent_details(doc, channel),
            answer_format=format_for(channel),
            confidence=confidence,
            intent=doc.intents[0],
            locale=doc.locale,
            citations=citations,
            freshness=notes,
            receipt=make_receipt(doc.id, row.version, row.content_hash),
            as_of=as_of,
            reason=reason,
            alternatives=alternatives_of(hits, doc.id) if channel == Channel.AGENT else [],
        )


PROCEDURE_KIND_MARGIN = 0.1
"""How much more an article may score on another kind of risk's procedure words than on its
own kind's and still be that kind's procedure (:func:`_of_its_kind`): one procedure for every
vulnerable customer scores about alike on each."""


def _of_its_kind(
    article_id: str | None, kind: RiskKind, by_kind: Mapping[RiskKind, Sequence[SearchHit]]
) -> bool:
    """Whether ``article_id``, found by the search for ``kind``'s procedures, is one: no other
    kind's search ranks it more than :data:`PROCEDURE_KIND_MARGIN` higher."""

    def score(hits: Sequence[SearchHit]) -> float | None:
        return next((h.score for h in hits if h.article_id == article_id), None)

    own = score(by_kind[kind]) or 0.0
    return all(
        (other := score(hits)) is None or other <= own + PROCEDURE_KIND_MARGIN
        for other_kind, hits in by_kind.items()
        if other_kind != kind
    )
