"""How a knowledge base's own questions score against the rest of it (leave-one-out).

Scores differ between knowledge bases: one whose articles list 100 phrasings each gives its
in-scope questions higher scores than one listing five, and a fixed confidence threshold then
refuses too much on the second. The articles' ``questions`` are free labelled data: a few of
each article's questions are held out, the rest indexed, and the held-out ones searched. Their
median best score and cosine say where this knowledge base's in-scope questions land, and the
answer engine measures confidence from there (see ``answers.confidence``).

``questions`` are optional, and many knowledge bases list none. Then the titles stand in for
them: up to :data:`MAX_TITLES` articles lose their title (its unit and the context it gives the
body's units), and their titles are searched against that probe. Without this, such a knowledge
base fell back to the defaults fitted on sets whose articles list many customer phrasings, and
refused most of its answerable questions (docs/benchmarks.md, "Knowledge bases without questions").

The profile also holds where the best article's *share* of the candidates lands
(:func:`log_share`): a question that one article answers stands apart from the others, one that
several articles half-answer (or none answers) has its best article in a crowd, and how crowded
an in-scope question's candidates are depends on how many near-neighbour articles a knowledge
base has, so that is measured from the knowledge base's own questions too.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.index.cache import encode_cached
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.memory import return_free_memory
from knowledge_service.index.protocols import query_embedder
from knowledge_service.index.ranking import search_encoded
from knowledge_service.index.schemas import SearchFilters

PER_ARTICLE = 3
"""Questions held out of each article (at most; an article keeps at least one)."""
MIN_QUESTIONS = 10
"""Fewer held-out questions than this: no profile (too few to say anything)."""
SHARE_ARTICLES = 8
"""How many of the best candidate articles :func:`log_share` weighs the best one against (the
answer engine's default ``candidates``)."""
SHARE_TEMPERATURE = 0.07
"""Temperature of the softmax over the candidates' fused scores in :func:`log_share`: a rival
0.07 below the best weighs ``1/e`` as much (chosen on the dev splits, docs/benchmarks.md)."""
MAX_TITLES = 300
"""Titles held out at most, when the articles list too few questions (a fixed sample by article
id): their articles' body units are embedded again without the title as context, once (the
embedding cache keeps them), so a large knowledge base pays for a sample, not for all."""


@dataclass(frozen=True)
class ScoreProfile:
    """The knowledge base's in-scope score distribution (leave-one-out medians)."""

    score_median: float
    dense_median: float
    questions: int
    share_median: float | None = None
    """Median :func:`log_share` of the held-out questions' best article; None when titles were
    held out. A title crowds among its neighbours more than a customer's question does (medians
    -0.48 to -1.16 on four knowledge bases, against -0.27 and -0.59 for questions), so a
    share measured from titles made weak matches look apart: the settings' default stands in
    (docs/benchmarks.md, "The best article's share")."""
    held_out: str = "questions"
    """What was held out and searched: the articles' ``questions``, or their ``titles``."""


def log_share(best_id: str, best_score: float, scores: Iterable[tuple[str, float]]) -> float:
    """The log of the best article's share of the candidates: ``-log sum(exp((s - best) / T))``
    over the best article and ``SHARE_ARTICLES - 1`` rivals, the first other articles in
    ``scores`` (``(article id, fused score)`` pairs, best first; an article's later hits are
    skipped). 0 when no rival is near; about ``-log k`` when ``k`` articles score alike.

    A rival that is not among the candidates (a knowledge base, or a filter, with fewer
    articles) scores 0, as the runner-up of the margin does: a weak best article does not
    stand apart just because nothing else was found."""
    rivals: dict[str, float] = {}
    for article_id, score in scores:
        if len(rivals) == SHARE_ARTICLES - 1:
            break
        if article_id != best_id and article_id not in rivals:
            rivals[article_id] = score
    missing = SHARE_ARTICLES - 1 - len(rivals)
    total = 1.0 + sum(math.exp((s - best_score) / SHARE_TEMPERATURE) for s in rivals.values())
    total += missing * math.exp(-best_score / SHARE_TEMPERATURE)
    return -math.log(total)


def _held_out_positions(doc: ArticleDocument, per_article: int) -> set[int]:
    """Which questions of ``doc`` are held out: fixed by the article id, so a profile is
    reproducible and changes only with the content."""
    n = min(per_article, len(doc.questions) - 1)
    if n <= 0:
        return set()
    rng = np.random.default_rng(_seed_of(doc.id))
    picked = rng.choice(len(doc.questions), size=n, replace=False)
    return set(picked.tolist())


def split_questions(
    docs: Sequence[tuple[ArticleDocument, int]], per_article: int = PER_ARTICLE
) -> tuple[list[tuple[ArticleDocument, int]], list[str]]:
    """The documents without their held-out questions, and the held-out questions."""
    kept, held = [], []
    for doc, version in docs:
        out = _held_out_positions(doc, per_article)
        held += [q for i, q in enumerate(doc.questions) if i in out]
        rest = [q for i, q in enumerate(doc.questions) if i not in out]
        kept.append((doc.model_copy(update={"questions": rest}), version))
    return kept, held


def _seed_of(article_id: str) -> int:
    return int(hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:8], 16)


def split_titles(
    docs: Sequence[tuple[ArticleDocument, int]], most: int = MAX_TITLES
) -> tuple[list[tuple[ArticleDocument, int]], list[str]]:
    """The documents with up to ``most`` of them (a fixed sample by article id) stripped of
    their title, and those titles (searched as questions)."""
    picked = {d.id for d, _ in sorted(docs, key=lambda dv: (_seed_of(dv[0].id), dv[0].id))[:most]}
    kept = [
        (doc.model_copy(update={"title": ""}) if doc.id in picked else doc, version)
        for doc, version in docs
    ]
    return kept, [doc.title for doc, _ in docs if doc.id in picked]


def score_profile(index: HybridIndex, per_article: int = PER_ARTICLE) -> ScoreProfile | None:
    """Leave-one-out profile of the published articles in ``index``: from their held-out
    ``questions``, or from their titles when they list too few (None when there are too few
    articles for either). Held-out questions and the units come from the embedding cache."""
    with index.lock.read():
        docs = [(e.doc, e.version) for e in index.articles.values() if e.doc.is_published]
    kept, held = split_questions(docs, per_article)
    held_out = "questions"
    if len(held) < MIN_QUESTIONS:
        kept, held = split_titles(docs)
        held_out = "titles"
    if len(held) < MIN_QUESTIONS:
        return None
    profile = _measure(index, kept, held, held_out)
    return_free_memory()  # the probe index is gone: its pages go back to the system
    return profile


def _measure(
    index: HybridIndex, kept: list[tuple[ArticleDocument, int]], held: list[str], held_out: str
) -> ScoreProfile | None:
    """Search ``held`` against a probe index of ``kept``; the medians of the best hits."""
    probe = HybridIndex(
        index.embedder, config=index.config, options=index.options, cache=index.cache
    )
    probe.upsert(kept)
    # the held-out texts are encoded as questions are when served
    vectors = encode_cached(
        query_embedder(index.embedder), held, index.cache, batch_size=index.options.batch_size
    )
    with probe.lock.read():
        ranked = search_encoded(
            probe.snapshot(), held, vectors, top_k=SHARE_ARTICLES, filters=SearchFilters()
        )
    ranked = [hits for hits in ranked if hits]
    if len(ranked) < MIN_QUESTIONS:
        return None
    best = [hits[0] for hits in ranked]
    share_median = None  # titles crowd unlike questions: the settings' default stands in
    if held_out == "questions":
        pairs = [[(h.article_id, h.score) for h in hits] for hits in ranked]
        share_median = float(np.median([log_share(*p[0], p) for p in pairs]))
    return ScoreProfile(
        score_median=float(np.median([h.score for h in best])),
        dense_median=float(np.median([h.dense_score for h in best])),
        questions=len(best),
        held_out=held_out,
        share_median=share_median,
    )


def describe_profile(profile: ScoreProfile | None) -> str:
    """One line for ``index status``: what the profile was measured from, and its medians."""
    if profile is None:
        return "the settings' defaults (too few articles or questions to hold out)"
    return (
        f"{profile.questions} held-out {profile.held_out}: score {profile.score_median:.3f}, "
        f"cosine {profile.dense_median:.3f}"
        + (
            f", best article's log share {profile.share_median:.2f}"
            if profile.share_median is not None
            else ""
        )
        + " (medians)"
    )
