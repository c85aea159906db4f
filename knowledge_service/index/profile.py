"""How a knowledge base's own questions score against the rest of it (leave-one-out).

Scores differ between knowledge bases: one whose articles list 100 phrasings each gives its
in-scope questions higher scores than one listing five, and a fixed confidence threshold then
refuses too much on the second. The articles' ``questions`` are free labelled data: a few of
each article's questions are held out, the rest indexed, and the held-out ones searched. Their
median best score and cosine say where this knowledge base's in-scope questions land, and the
answer engine measures confidence from there (see ``answers.confidence``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.index.cache import encode_cached
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.protocols import query_embedder
from knowledge_service.index.ranking import search_encoded
from knowledge_service.index.schemas import SearchFilters

PER_ARTICLE = 3
"""Questions held out of each article (at most; an article keeps at least one)."""
MIN_QUESTIONS = 10
"""Fewer held-out questions than this: no profile (too few to say anything)."""


@dataclass(frozen=True)
class ScoreProfile:
    """The knowledge base's in-scope score distribution (leave-one-out medians)."""

    score_median: float
    dense_median: float
    questions: int


def _held_out_positions(doc: ArticleDocument, per_article: int) -> set[int]:
    """Which questions of ``doc`` are held out: fixed by the article id, so a profile is
    reproducible and changes only with the content."""
    n = min(per_article, len(doc.questions) - 1)
    if n <= 0:
        return set()
    seed = int(hashlib.sha256(doc.id.encode("utf-8")).hexdigest()[:8], 16)
    picked = np.random.default_rng(seed).choice(len(doc.questions), size=n, replace=False)
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


def score_profile(index: HybridIndex, per_article: int = PER_ARTICLE) -> ScoreProfile | None:
    """Leave-one-out profile of the published articles in ``index`` (None when the knowledge
    base lists too few questions). Nothing is embedded twice: units and held-out questions come
    from the embedding cache."""
    with index.lock.read():
        docs = [(e.doc, e.version) for e in index.articles.values() if e.doc.is_published]
    kept, held = split_questions(docs, per_article)
    if len(held) < MIN_QUESTIONS:
        return None
    probe = HybridIndex(
        index.embedder, config=index.config, options=index.options, cache=index.cache
    )
    probe.upsert(kept)
    # the held-out questions are encoded as questions are when served
    vectors = encode_cached(
        query_embedder(index.embedder), held, index.cache, batch_size=index.options.batch_size
    )
    with probe.lock.read():
        ranked = search_encoded(probe.snapshot(), held, vectors, top_k=1, filters=SearchFilters())
    best = [hits[0] for hits in ranked if hits]
    if len(best) < MIN_QUESTIONS:
        return None
    return ScoreProfile(
        score_median=float(np.median([h.score for h in best])),
        dense_median=float(np.median([h.dense_score for h in best])),
        questions=len(best),
    )
