"""Content gaps: clusters of unanswered and low-confidence questions, by meaning.

Questions that got ``no_answer``, an escalation for low confidence, or an answer below a
confidence floor are embedded and grouped greedily: a question joins the first cluster whose
centroid it is close to (cosine), else it starts one. Each cluster of at least ``min_size``
questions becomes a gap with its size, a few redacted examples and the article nearest to its
most central question, so an owner sees both what customers ask and where it nearly landed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
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
    vectors = embedder.encode([q.question for q in questions])
    gaps: list[Gap] = []
    for members in cluster_vectors(vectors, threshold):
        if len(members) < min_size:
            continue
        centre = vectors[members].mean(axis=0)
        central = members[int(np.argmax(vectors[members] @ centre))]
        best = nearest(questions[central].question)
        distinct = list(dict.fromkeys(questions[m].question for m in members))
        times = [questions[m].at for m in members]
        gaps.append(
            Gap(
                size=len(members),
                examples=distinct[:examples],
                nearest_article_id=best[0] if best else None,
                nearest_score=round(best[1], 4) if best else None,
                first_at=min(times),
                last_at=max(times),
            )
        )
    gaps.sort(key=lambda g: (-g.size, g.last_at))
    return gaps[:limit]


class GapCache:
    """The latest gaps, recomputed at most every ``ttl`` seconds (clustering embeds up to a
    few thousand questions: the review queue must not pay that on every request)."""

    def __init__(self, ttl: float = 600.0) -> None:
        self.ttl = ttl
        self._gaps: list[Gap] = []
        self._at: float | None = None
        self._lock = threading.Lock()

    def get(self, compute: Callable[[], list[Gap]]) -> list[Gap]:
        with self._lock:
            now = time.monotonic()
            if self._at is None or now - self._at > self.ttl:
                self._gaps, self._at = compute(), now
            return list(self._gaps)
