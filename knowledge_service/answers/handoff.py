"""What a human gets when the engine does not answer alone, and what agents see beside an answer.

Pure functions over search hits: the hand-off (resolved intent, best candidates with their
confidence) and the alternatives agents see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from knowledge_service.answers.schemas import Alternative, AnswerReason, Handoff, HandoffCandidate
from knowledge_service.content.schemas import CUSTOMER_CHANNELS, Audience, Channel
from knowledge_service.index.schemas import SearchHit

ConfidenceOf = Callable[[SearchHit], float]
LEAD_FLOOR = 0.05
"""A candidate under this confidence is no lead for the human who takes over ("I want a real
person" would otherwise name whatever article came first, at 1%)."""


def may_see(hit: SearchHit, channel: Channel) -> bool:
    """Whether ``channel`` may be shown ``hit`` at all (its channels; internal only to agents)."""
    if channel not in hit.channels:
        return False
    return channel not in CUSTOMER_CHANNELS or hit.audience == Audience.PUBLIC


def handoff_of(
    hits: Sequence[SearchHit], channel: Channel, reason: AnswerReason, confidence: ConfidenceOf
) -> Handoff:
    """The hand-off for a human: the three most likely candidates this channel may see, most
    likely first; a candidate under ``LEAD_FLOOR`` (5%) is no lead and is left out (agents still
    get their alternatives).

    A customer channel's hand-off never names an article that channel may not see (an internal
    one, or one not served on it); its intent is the need of the best article of its audience
    (which may be one not served on this channel: a need names no article), None when that
    article is no lead either.
    """
    pool = [h for h in hits if channel not in CUSTOMER_CHANNELS or h.audience == Audience.PUBLIC]
    shown = [h for h in hits if may_see(h, channel)]
    confidences = {h.article_id: confidence(h) for h in [*pool[:1], *shown]}  # each once
    scored = [
        HandoffCandidate(
            article_id=h.article_id,
            version=h.version,
            title=h.title,
            confidence=confidences[h.article_id],
        )
        for h in shown
    ]
    candidates = sorted(
        (c for c in scored if c.confidence >= LEAD_FLOOR), key=lambda c: c.confidence, reverse=True
    )[:3]
    intent = None  # the need of the best article, if it is a lead: an intent names no article
    if pool and pool[0].intents and confidences[pool[0].article_id] >= LEAD_FLOOR:
        intent = pool[0].intents[0]
    return Handoff(reason=reason, intent=intent, candidates=candidates)


def alternatives_of(hits: Sequence[SearchHit], article_id: str | None) -> list[Alternative]:
    """The three best articles other than ``article_id`` that an agent may see (for agents:
    the runners-up beside an answer, the best guesses instead of nothing on ``no_answer``)."""
    return [
        Alternative(article_id=h.article_id, version=h.version, title=h.title, score=h.score)
        for h in hits
        if h.article_id != article_id and may_see(h, Channel.AGENT)
    ][:3]
