"""Freshness as serving responses show it: the active findings on articles, and badges.

``/v1/answer`` and ``/v1/search`` both read an article's freshness here, so an article shows the
same findings (and blocks the same way) whichever way it is found.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime

from sqlmodel import Session

from knowledge_service.freshness.acceptance import accepted_until
from knowledge_service.freshness.repository import active_notes_for
from knowledge_service.freshness.schemas import (
    Badge,
    FreshnessNote,
    SearchResponse,
    SearchResult,
    Severity,
)
from knowledge_service.index.schemas import SearchHit, SearchRequest, fallback_locale


def notes_for_articles(
    session: Session, article_ids: Collection[str], *, today: date | None = None
) -> dict[str, list[FreshnessNote]]:
    """The open and acknowledged findings on each article (blocking first); absent: none.

    With ``today``, a blocking finding under an active risk acceptance carries its expiry
    (``risk_accepted_until``) and no longer blocks; without it, every block blocks.
    """
    rows = active_notes_for(session, article_ids)
    blocking = {finding_id for _, finding_id, _, severity, _ in rows if severity == Severity.BLOCK}
    lifted = accepted_until(session, blocking, today=today) if blocking else {}
    notes: dict[str, list[FreshnessNote]] = {}
    for article_id, finding_id, kind, severity, message in rows:
        notes.setdefault(article_id, []).append(
            FreshnessNote(
                kind=kind,
                severity=severity,
                message=message,
                risk_accepted_until=lifted.get(finding_id),
            )
        )
    return notes


def is_blocking(notes: Sequence[FreshnessNote]) -> bool:
    """Whether a block that no active risk acceptance lifts touches the article (customer
    channels escalate then). Acknowledged findings block like open ones."""
    return any(note.blocks for note in notes)


def badge_of(notes: Sequence[FreshnessNote]) -> Badge:
    """block: a blocking finding; warn: a warning (or a block whose risk is accepted); else
    current."""
    if is_blocking(notes):
        return Badge.BLOCK
    return Badge.WARN if any(n.severity != Severity.INFO for n in notes) else Badge.CURRENT


def search_with_freshness(
    session: Session,
    search: Callable[[SearchRequest], list[SearchHit]],
    request: SearchRequest,
    *,
    today: date,
) -> SearchResponse:
    """Run ``search`` (e.g. a batcher that shares one encode among concurrent searches) and
    give each hit its findings and badge (a block whose risk is accepted on ``today`` is a
    warning, as in answers).

    A regional locale whose own articles give no hits falls back to the same language's
    articles, as answers do (``en-US`` finds ``en-AU``), and the response says so
    (``locale_fallback``)."""
    hits = search(request)
    wider = None if hits else fallback_locale(request.filters.locale)
    if wider is not None:
        filters = request.filters.model_copy(update={"locale": wider})
        hits = search(request.model_copy(update={"filters": filters}))
    notes = notes_for_articles(session, [hit.article_id for hit in hits], today=today)
    return SearchResponse(
        query=request.query,
        results=[_with_freshness(hit, notes.get(hit.article_id, [])) for hit in hits],
        as_of=datetime.now(UTC),
        locale_fallback=wider is not None and bool(hits),
    )


def _with_freshness(hit: SearchHit, notes: list[FreshnessNote]) -> SearchResult:
    """``hit`` with its findings and badge: validated from the hit's field values as they are
    (validation copies the lists), not from a dump of them (the same values, one copy less)."""
    return SearchResult(**hit.__dict__, freshness=notes, badge=badge_of(notes))
