"""Freshness as serving responses show it: the active findings on articles, and badges.

``/v1/answer`` and ``/v1/search`` both read an article's freshness here, so an article shows the
same findings (and blocks the same way) whichever way it is found.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime

from sqlmodel import Session

from knowledge_service.freshness.repository import active_notes_for
from knowledge_service.freshness.schemas import (
    Badge,
    FreshnessNote,
    SearchResponse,
    SearchResult,
    Severity,
)
from knowledge_service.index.schemas import SearchHit, SearchRequest


def notes_for_articles(
    session: Session, article_ids: Collection[str]
) -> dict[str, list[FreshnessNote]]:
    """The open and acknowledged findings on each article (blocking first); absent: none."""
    notes: dict[str, list[FreshnessNote]] = {}
    for article_id, kind, severity, message in active_notes_for(session, article_ids):
        notes.setdefault(article_id, []).append(
            FreshnessNote(kind=kind, severity=severity, message=message)
        )
    return notes


def is_blocking(notes: Sequence[FreshnessNote]) -> bool:
    """Whether a blocking finding touches the article (customer channels escalate then)."""
    return any(note.severity == Severity.BLOCK for note in notes)


def badge_of(notes: Sequence[FreshnessNote]) -> Badge:
    """block: a blocking finding; warn: a warning; else current."""
    if is_blocking(notes):
        return Badge.BLOCK
    return Badge.WARN if any(n.severity == Severity.WARN for n in notes) else Badge.CURRENT


def search_with_freshness(
    session: Session,
    search: Callable[[SearchRequest], list[SearchHit]],
    request: SearchRequest,
) -> SearchResponse:
    """Run ``search`` (e.g. a batcher that shares one encode among concurrent searches) and
    give each hit its findings and badge."""
    hits = search(request)
    notes = notes_for_articles(session, [hit.article_id for hit in hits])
    results = [
        SearchResult(
            **hit.model_dump(),
            freshness=notes.get(hit.article_id, []),
            badge=badge_of(notes.get(hit.article_id, [])),
        )
        for hit in hits
    ]
    return SearchResponse(query=request.query, results=results, as_of=datetime.now(UTC))
