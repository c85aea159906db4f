"""Content gaps: clusters of the questions no article answers, by meaning.

A question is a content gap when no article answers it: it got ``no_answer`` (``no_article``, or
``locale_unavailable``), or its confidence is under the floor the caller gives (the no-answer
threshold: the confidence every channel is measured against before its own minimum). An
escalation is not a gap by itself: voice's ``low_confidence`` (chat answers the same question at
the same confidence), ``not_on_channel`` and ``blocked_by_finding`` have an article, and
``human_requested`` asked for a person and ``at_risk`` said someone may be harmed, not for content
(see ``repository.gap_questions``).

The same question asked again (on any channel, in any case or spacing, with or without closing
punctuation) is one question: distinct questions are embedded and grouped greedily (a question
joins the first cluster whose centroid it is close to, by cosine, else it starts one). Each
cluster asked at least ``min_size`` times becomes a gap with its distinct questions (``size``),
how often they were asked (``asks``), a few redacted examples and the article nearest to its
most central question, so an owner sees both what customers ask and where it nearly landed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from knowledge_service.analytics.schemas import Gap
from knowledge_service.index.embedder import Embedder
from knowledge_service.index.schemas import SearchHit


class GapSearch(Protocol):
    """What finding gaps needs of the search service: its embedder and a top hit."""

    @property
    def embedder(self) -> Embedder: ...

    def search(self, query: str, *, top_k: int = ...) -> Sequence[SearchHit]: ...


Nearest = Callable[[str], tuple[str, float] | None]
"""The best article for a question and its score, or None (the search service's view)."""


@dataclass(frozen=True)
class GapQuestion:
    question: str  # already redacted (as stored)
    at: datetime


@dataclass
class _Cluster:
    members: list[int] = field(default_factory=list)
    total: npt.NDArray[np.float32] | None = None

    def centroid(self) -> npt.NDArray[np.float32]:
        assert self.total is not None
        norm = float(np.linalg.norm(self.total)) or 1.0
        return self.total / norm

    def add(self, index: int, vector: npt.NDArray[np.float32]) -> None:
        self.members.append(index)
        self.total = vector.copy() if self.total is None else self.total + vector


def cluster_vectors(vectors: npt.NDArray[np.float32], threshold: float) -> list[list[int]]:
    """Greedy single-pass clustering of unit vectors by cosine to each cluster's centroid."""
    clusters: list[_Cluster] = []
    for i, vector in enumerate(vectors):
        if clusters:
            centroids = np.stack([c.centroid() for c in clusters])
            scores = centroids @ vector
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                clusters[best].add(i, vector)
                continue
        cluster = _Cluster()
        cluster.add(i, vector)
        clusters.append(cluster)
    return [c.members for c in clusters]


def find_gaps(
    questions: Sequence[GapQuestion],
    embedder: Embedder,
    nearest: Nearest,
    *,
    threshold: float = 0.5,
    min_size: int = 2,
    examples: int = 5,
    limit: int = 20,
) -> list[Gap]:
    """The largest clusters of ``questions`` (at most ``limit``), biggest first."""
    if not questions:
        return []
    asked = _distinct(questions)
    vectors = embedder.encode([a[0].question for a in asked])
    gaps: list[Gap] = []
    for members in cluster_vectors(vectors, threshold):
        asks = sum(len(asked[m]) for m in members)
        if asks < min_size:
            continue
        centre = vectors[members].mean(axis=0)
        central = members[int(np.argmax(vectors[members] @ centre))]
        best = nearest(asked[central][0].question)
        times = [q.at for m in members for q in asked[m]]
        gaps.append(
            Gap(
                size=len(members),
                asks=asks,
                examples=[asked[m][0].question for m in members][:examples],
                nearest_article_id=best[0] if best else None,
                nearest_score=round(best[1], 4) if best else None,
                first_at=min(times),
                last_at=max(times),
            )
        )
    gaps.sort(key=lambda g: (-g.asks, -g.size, g.last_at))
    return gaps[:limit]


def same_question(text: str) -> str:
    """What makes two asks one question: case, spacing and the punctuation around it do not."""
    return " ".join(text.casefold().split()).strip(_AROUND)


_AROUND = " .,;:!?¿¡'\"“”‘’()[]"


def _distinct(questions: Sequence[GapQuestion]) -> list[list[GapQuestion]]:
    """``questions`` grouped by :func:`same_question`, in order of first appearance (each
    group's first ask stands for it)."""
    groups: dict[str, list[GapQuestion]] = {}
    for question in questions:
        groups.setdefault(same_question(question.question), []).append(question)
    return list(groups.values())


class GapCache:
    """The latest gaps, recomputed at most every ``ttl`` seconds (clustering embeds up to a
    few thousand questions: the review queue must not pay that on every request), and at once
    when they are asked for under another ``key`` (the last day of the week they cover): the
    week's gaps of yesterday are never served for today's week.

    ``clock``: monotonic seconds (tests pass their own)."""

    def __init__(self, ttl: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._gaps: list[Gap] = []
        self._at: float | None = None
        self._key: Hashable = None
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], list[Gap]]) -> list[Gap]:
        """The gaps ``compute`` gives for ``key``: those cached, if computed for the same key
        within ``ttl`` seconds."""
        with self._lock:
            now = self.clock()
            if self._at is None or key != self._key or now - self._at > self.ttl:
                self._gaps, self._at, self._key = compute(), now, key
            return list(self._gaps)
