"""The governance check's verbs, as every adapter (API, CLI, pages) calls them.

Checking: :func:`run_check` checks documents (a folder check); :func:`check_store` checks the
store and keeps the findings table in step; :mod:`~knowledge_service.freshness.pipeline` runs it
after every write. Findings: who sees and changes which findings is decided here, once: an owner
key sees and changes only findings on the articles it owns, other readers see all, admins change
any. Verbs take an open session; the caller's transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import Session

from knowledge_service.content import repository as content_repository
from knowledge_service.content import service as content
from knowledge_service.content.kinds import ARTICLE, POLICY
from knowledge_service.content.models import ArticleVersion
from knowledge_service.content.sync_marks import SyncedFile, relative_path, synced_files
from knowledge_service.errors import InvalidRequestError, NotFoundError, PermissionDeniedError
from knowledge_service.freshness import repository
from knowledge_service.freshness.checker import run_check
from knowledge_service.freshness.findings import set_finding_status, sync_findings
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.notes import notes_for_articles, search_with_freshness
from knowledge_service.freshness.schemas import (
    Acknowledgement,
    Caller,
    Evidence,
    FindingCounts,
    FindingData,
    FindingFilters,
    FindingKind,
    FindingPublic,
    FindingStatus,
    FindingStatusChange,
    Severity,
)
from knowledge_service.freshness.store import check_store
from knowledge_service.freshness.store import check_version as _check_version
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import Embedder
from knowledge_service.settings import Settings

__all__ = [
    "change_finding_status",
    "check_store",
    "check_version",
    "clear_unfiled_paths",
    "count_findings",
    "findings_for_article",
    "list_findings",
    "list_visible_findings",
    "notes_for_articles",
    "run_check",
    "search_with_freshness",
    "set_finding_status",
    "sync_findings",
]

MAX_LIMIT = 1000


def _public(session: Session, rows: Iterable[Finding]) -> list[FindingPublic]:
    """The findings as readers see them (:func:`_show_paths`)."""
    found = [FindingPublic.model_validate(row, from_attributes=True) for row in rows]
    _show_paths(session, found)
    return found


def _show_paths(session: Session, findings: Sequence[FindingData | FindingPublic]) -> None:
    """Name each evidence's file by its path under the content root (as the import recorded
    it), never where the file lies on the server, and no file for an article version that none
    holds (:func:`clear_unfiled_paths`)."""
    files = clear_unfiled_paths(session, findings)
    for span in (span for finding in findings for span in finding.evidence if span.path):
        key = _document_of(span)
        file = files.get(key) if key else None
        span.path = (file.relative_path if file else None) or relative_path(span.path)


def check_version(
    session: Session,
    row: ArticleVersion,
    *,
    today: date,
    settings: Settings,
    embedder: Embedder | None = None,
    cache: EmbeddingCache | None = None,
) -> list[FindingData]:
    """What the check would find about ``row`` were it its article's served version
    (:func:`knowledge_service.freshness.store.check_version`), its evidence naming files as
    stored findings name them (:func:`_show_paths`)."""
    found = _check_version(
        session, row, today=today, settings=settings, embedder=embedder, cache=cache
    )
    _show_paths(session, found)
    return found


def clear_unfiled_paths(
    session: Session, findings: Sequence[FindingData | FindingPublic]
) -> dict[tuple[str, str], SyncedFile]:
    """Leave out the file of each evidence span about an article version its file does not
    hold: one written in the service (an edit or a workflow step through the API, the CLI or
    the pages) since the file was last imported or exported. Such a span names its ``version``
    and no ``path``, rather than a file whose text is another version's. Returns the files the
    spans' documents have (see :func:`~knowledge_service.content.sync_marks.synced_files`)."""
    spans = [span for finding in findings for span in finding.evidence if span.path]
    files = synced_files(session, [key for span in spans if (key := _document_of(span))])
    for span in spans:
        key = _document_of(span)
        file = files.get(key) if key else None
        if file is not None and _is_unfiled(span, file):
            span.path = None
    return files


def _is_unfiled(span: Evidence, file: SyncedFile) -> bool:
    return span.article_id is not None and span.version not in (None, file.version)


def _document_of(span: Evidence) -> tuple[str, str] | None:
    if span.article_id is not None:
        return ARTICLE.name, span.article_id
    if span.policy_id is not None:
        return POLICY.name, span.policy_id
    return None


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequestError("limit", f"must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise InvalidRequestError("offset", "must not be negative")


_Choice = TypeVar("_Choice", FindingKind, Severity, FindingStatus)


def _choice(name: str, value: str | None, enum: type[_Choice]) -> _Choice | None:
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(sorted(enum))
        raise InvalidRequestError(name, f"must be one of {choices} (got {value!r})") from None


def list_findings(
    session: Session,
    *,
    status: FindingStatus | str | None = None,
    kind: FindingKind | str | None = None,
    article_id: str | None = None,
    severity: Severity | str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Finding]:
    """Stored findings matching every given filter, most recently seen first (``limit``
    1..1000); InvalidRequestError names a filter that is not one of its choices."""
    _check_page(limit, offset)
    filters = FindingFilters(
        status=_choice("status", status, FindingStatus),
        kind=_choice("kind", kind, FindingKind),
        severity=_choice("severity", severity, Severity),
        article_id=article_id,
    )
    return list(repository.list_findings(session, filters, limit=limit, offset=offset))


def _visible_articles(session: Session, caller: Caller) -> set[str] | None:
    """The articles whose findings ``caller`` sees: for an owner key, the ones it owns; None
    when it sees every finding."""
    if caller.owner is None or caller.is_admin:
        return None
    return {row.article_id for row in content.list_articles(session, owner=caller.owner)}


def _readable(session: Session, caller: Caller) -> list[ColumnElement[bool]]:
    """The condition on the findings ``caller`` may read at all: an agent reads only findings
    whose articles (or, without articles, whose policy) it may read; others read every one."""
    articles = content.articles.readable_ids(session, caller)
    policies = content.policies.readable_ids(session, caller)
    if articles is None or policies is None:
        return []
    return [repository.readable_only(articles, policies)]


def list_visible_findings(
    session: Session, caller: Caller, filters: FindingFilters, *, limit: int, offset: int
) -> tuple[list[FindingPublic], int]:
    """One page of the findings ``caller`` lists that match ``filters``, and how many match on
    all pages (most recently seen first). An owner key's list is its own articles' findings
    unless ``filters`` names an article: any article's findings are readable by every reader
    who may read the article (its article and search results show them too). An agent never
    lists a finding on a draft or retired article, which it may not read."""
    _check_page(limit, offset)
    visible = None if filters.article_id is not None else _visible_articles(session, caller)
    where = _readable(session, caller)
    rows = repository.list_findings(
        session, filters, involving=visible, where=where, limit=limit, offset=offset
    )
    total = repository.count_findings(session, filters, involving=visible, where=where)
    return _public(session, rows), total


def _article_owners(session: Session, article_ids: Iterable[str]) -> set[str]:
    rows = (content_repository.get_article_version(session, a) for a in article_ids)
    return {row.owner for row in rows if row is not None}


def change_finding_status(
    session: Session, caller: Caller, finding_id: int, change: FindingStatusChange
) -> FindingPublic:
    """Acknowledge or reopen a finding for ``caller``: an admin, or an owner of one of the
    finding's articles. Nobody resolves one by hand (a re-check does).

    Raises:
        NotFoundError: no finding has that id.
        PermissionDeniedError: the caller owns none of the finding's articles.
        InvalidStateError: ``resolved`` was asked for, or the finding is resolved.
    """
    row = repository.get_finding(session, finding_id)
    if row is None or row.id != finding_id:
        raise NotFoundError("finding", str(finding_id))
    owners = _article_owners(session, row.article_ids)
    if not caller.is_admin and (caller.owner is None or caller.owner not in owners):
        raise PermissionDeniedError(
            "only an owner of the article or an admin may change this finding"
        )
    updated = set_finding_status(
        session, finding_id, change.status, actor=f"key:{caller.name}", note=change.note
    )
    return _public(session, [updated])[0]


def last_acknowledgement(session: Session, finding_id: int) -> Acknowledgement | None:
    """Who last acknowledged the finding, when and with what note, from its history (None
    when nobody ever did)."""
    events = repository.finding_events(session, finding_id)
    last = next((e for e in reversed(events) if e.action == "acknowledged"), None)
    if last is None:
        return None
    return Acknowledgement(by=last.actor.removeprefix("key:"), at=last.at, note=last.reason)


def findings_for_article(
    session: Session, article_id: str, caller: Caller | None = None
) -> list[FindingPublic]:
    """The open and acknowledged findings that involve ``article_id``, blocking ones first
    (for ``caller``, if given, only those it may read: see :func:`list_visible_findings`)."""
    where = _readable(session, caller) if caller is not None else []
    rows = repository.active_findings_for(session, [article_id], *where)
    rows.sort(key=lambda r: (r.severity != Severity.BLOCK, r.kind, r.id or 0))
    return _public(session, rows)


def count_findings(session: Session) -> FindingCounts:
    """How many findings are open and acknowledged in the store, and how many of them block."""
    counts = repository.count_active(session)
    return FindingCounts(
        open=sum(n for (status, _), n in counts.items() if status == FindingStatus.OPEN),
        acknowledged=sum(
            n for (status, _), n in counts.items() if status == FindingStatus.ACKNOWLEDGED
        ),
        blocking=sum(n for (_, severity), n in counts.items() if severity == Severity.BLOCK),
    )
