"""Answer confidence: how likely the best candidate is the right answer, and which candidate is
canonical. Pure functions over search hits and the answer settings."""

from __future__ import annotations

import math
from collections.abc import Sequence

from knowledge_service.answers.rules import Thresholds
from knowledge_service.content.schemas import Audience, Channel
from knowledge_service.index.profile import ScoreProfile, log_share
from knowledge_service.index.schemas import SearchHit
from knowledge_service.settings import AnswerSettings


def confidence_of(
    hits: Sequence[SearchHit],
    best: SearchHit | None,
    cfg: AnswerSettings,
    profile: ScoreProfile | None = None,
    *,
    complete: bool = True,
) -> float:
    """Calibrated probability that ``best`` is the right answer (see :class:`AnswerSettings`).

    Scores are measured from where the knowledge base's own questions land (``profile``, its
    leave-one-out medians; the settings' defaults when it lists too few questions), so one set
    of settings holds on knowledge bases with many or few phrasings per article. Besides the
    lead over the runner-up, the best article's share of all the candidates counts: an article
    that leads a crowd of near-equal ones is less likely right than one that stands alone.
    When the search found fewer candidates than it asked for (``complete`` false: a small
    knowledge base, or a locale or moment with few articles), standing alone says nothing, so
    the share counts at most as much as a typical in-scope question's.
    """
    if best is None:
        return 0.0
    runner_up = next((h.score for h in hits if h.article_id != best.article_id), 0.0)
    margin = max(0.0, best.score - runner_up)
    share = log_share(best.article_id, best.score, ((h.article_id, h.score) for h in hits))
    score_median = profile.score_median if profile else cfg.profile_score_median
    dense_median = profile.dense_median if profile else cfg.profile_dense_median
    share_median = (
        profile.share_median
        if profile and profile.share_median is not None
        else cfg.profile_share_median
    )
    if not complete:
        share = min(share, share_median)
    logit = (
        cfg.calib_score * (best.score - score_median)
        + cfg.calib_dense * (best.dense_score - dense_median)
        + cfg.calib_margin * margin
        + cfg.calib_share * (share - share_median)
        + cfg.calib_bias
    )
    return round(1.0 / (1.0 + math.exp(-logit)), 4)


def candidate_confidence(
    hits: Sequence[SearchHit],
    candidate: SearchHit,
    cfg: AnswerSettings,
    profile: ScoreProfile | None = None,
    *,
    complete: bool = True,
) -> float:
    """How likely ``candidate`` is the right answer, scored as :func:`pick_canonical` scores it
    as the answer: a public article among the public hits, an internal one among every hit.

    So a hand-off's candidate has the response's own confidence when it is the best article.
    """
    if candidate.audience == Audience.INTERNAL:
        return confidence_of(hits, candidate, cfg, profile, complete=complete)
    public = [h for h in hits if h.audience == Audience.PUBLIC]
    return confidence_of(public, candidate, cfg, profile, complete=complete)


def thresholds_of(cfg: AnswerSettings) -> Thresholds:
    return Thresholds(
        no_answer=cfg.no_answer_threshold,
        channel_minimum={Channel.VOICE: max(cfg.voice_minimum, cfg.no_answer_threshold)},
    )


def pick_canonical(
    hits: Sequence[SearchHit],
    channel: Channel,
    cfg: AnswerSettings,
    profile: ScoreProfile | None = None,
    *,
    complete: bool = True,
) -> tuple[SearchHit | None, list[SearchHit]]:
    """The canonical hit and the pool it was ranked in: public first; agents fall back to
    internal articles when no public one clears the no-answer threshold.

    An internal candidate is ranked against every hit: among the few internal articles alone,
    its lead over the runner-up (and so its confidence) would be inflated, and a weaker internal
    article would displace a better public one.
    """
    public = [h for h in hits if h.audience == Audience.PUBLIC]
    best = public[0] if public else None
    public_confidence = confidence_of(public, best, cfg, profile, complete=complete)
    if channel == Channel.AGENT and public_confidence < cfg.no_answer_threshold:
        internal = [h for h in hits if h.audience == Audience.INTERNAL]
        if internal and (
            candidate_confidence(hits, internal[0], cfg, profile, complete=complete)
            > public_confidence
        ):
            return internal[0], list(hits)
    return best, public
