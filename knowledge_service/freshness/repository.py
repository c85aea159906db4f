"""All queries of the findings store."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from knowledge_service.audit import AuditEvent, Via, list_events, record_event, record_events
from knowledge_service.freshness.models import Finding, FindingArticle
from knowledge_service.freshness.schemas import (
    ACTIVE_STATUSES,
    FindingFilters,
    FindingKind,
    FindingStatus,
    Severity,
)

FINDING = "finding"
"""The audit log's object type of findings."""


def link_articles_of(session: Session, articles: Mapping[int, Sequence[str]]) -> None:
    """Index new findings (by id) under each of their articles, in one batched statement."""
    rows = [
        {"finding_id": finding_id, "article_id": article_id}
        for finding_id, article_ids in articles.items()
        for article_id in dict.fromkeys(article_ids)
    ]
    if rows:
        session.execute(insert(FindingArticle), rows)


def findings_of(article_ids: Collection[str]) -> SelectOfScalar[int]:
    """A subquery: the ids of the findings that involve any of ``article_ids``."""
    return select(FindingArticle.finding_id).where(
        col(FindingArticle.article_id).in_(list(article_ids))
    )


def get_finding(session: Session, fingerprint_or_id: str | int) -> Finding | None:
    """A finding by its numeric id or its fingerprint."""
    text = str(fingerprint_or_id)
    if text.isascii() and text.isdigit() and len(text) < 16:  # never "²": int() refuses it
        found = session.get(Finding, int(text))
        if found is not None:
            return found
    return session.exec(select(Finding).where(Finding.fingerprint == text)).first()


_LOOKUP_CHUNK = 500
_SCAN_FROM = 5_000
"""From this many fingerprints (a full check), one pass over the table beats chunked ``IN``
lookups: right after a first check wrote its findings, PostgreSQL's statistics still say the
table is empty, its planner scans the table for every chunk, and 20,000 fingerprints took a
minute."""


def findings_by_fingerprint(session: Session, fingerprints: Collection[str]) -> dict[str, Finding]:
    """Existing findings (any status) among ``fingerprints``."""
    wanted = list(fingerprints)
    if len(wanted) >= _SCAN_FROM:
        keep = set(wanted)
        rows = session.exec(select(Finding)).all()
        return {row.fingerprint: row for row in rows if row.fingerprint in keep}
    found: dict[str, Finding] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        rows = session.exec(select(Finding).where(col(Finding.fingerprint).in_(chunk))).all()
        found.update({row.fingerprint: row for row in rows})
    return found


def active_findings(session: Session) -> Sequence[Finding]:
    """Every finding that is open or acknowledged."""
    return session.exec(select(Finding).where(Finding.status != FindingStatus.RESOLVED)).all()


def active_findings_of_kind(session: Session, kind: FindingKind) -> Sequence[Finding]:
    """Every open or acknowledged finding of one kind."""
    query = select(Finding).where(Finding.kind == kind, Finding.status != FindingStatus.RESOLVED)
    return session.exec(query).all()


def readable_only(
    articles: SelectOfScalar[str], policies: SelectOfScalar[str]
) -> ColumnElement[bool]:
    """The findings a reader of only some documents sees: those whose articles are all in
    ``articles``, and those of no article whose policy is in ``policies`` (two subqueries of
    readable ids). A finding that names a document the reader is denied would show its id and
    quote its text."""
    linked = select(FindingArticle.finding_id)
    hidden = linked.where(col(FindingArticle.article_id).not_in(articles))
    of_articles = and_(col(Finding.id).in_(linked), col(Finding.id).not_in(hidden))
    of_policy = and_(col(Finding.id).not_in(linked), col(Finding.policy_id).in_(policies))
    return or_(of_articles, of_policy)


def active_findings_for(
    session: Session, article_ids: Collection[str], *where: ColumnElement[bool]
) -> list[Finding]:
    """Open or acknowledged findings that involve any of ``article_ids`` (and match ``where``)."""
    ids = list(article_ids)
    found: dict[int, Finding] = {}
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        query = select(Finding).where(
            Finding.status != FindingStatus.RESOLVED,
            col(Finding.id).in_(findings_of(chunk)),
            *where,
        )
        found.update({row.id: row for row in session.exec(query).all() if row.id is not None})
    return list(found.values())


_ACTIVE_NOTES = (
    sa_select(
        col(FindingArticle.article_id),
        col(Finding.id),
        col(Finding.kind),
        col(Finding.severity),
        col(Finding.message),
    )
    .join(Finding, col(Finding.id) == col(FindingArticle.finding_id))
    .where(
        col(FindingArticle.article_id).in_(bindparam("article_ids", expanding=True)),
        col(Finding.status) != FindingStatus.RESOLVED,
    )
    .order_by(col(Finding.severity) != Severity.BLOCK, col(Finding.kind), col(Finding.id))
)
"""Built once: constructing this statement cost ~1.5 ms of a search's ~1.8 ms notes read (the
query itself runs in ~0.1 ms); its compiled form is cached by SQLAlchemy."""


def active_notes_for(
    session: Session, article_ids: Collection[str]
) -> list[tuple[str, int, FindingKind, Severity, str]]:
    """(article id, finding id, kind, severity, message) of the open or acknowledged findings
    involving ``article_ids``: the columns a serving request shows, without loading evidence."""
    ids = list(dict.fromkeys(article_ids))
    rows: list[tuple[str, int, FindingKind, Severity, str]] = []
    connection = session.connection()
    for start in range(0, len(ids), 500):
        # Core rows, not ORM ones: a search asks for up to 50 articles' notes on every request.
        chunk = {"article_ids": ids[start : start + 500]}
        rows.extend(tuple(row) for row in connection.execute(_ACTIVE_NOTES, chunk).all())  # type: ignore[misc]
    return rows


def _filtered(
    filters: FindingFilters, involving: Collection[str] | None, where: Sequence[ColumnElement[bool]]
) -> SelectOfScalar[Finding]:
    query = select(Finding).where(*where)
    if filters.status is not None:
        query = query.where(Finding.status == filters.status)
    if filters.kind is not None:
        query = query.where(Finding.kind == filters.kind)
    if filters.severity is not None:
        query = query.where(Finding.severity == filters.severity)
    if filters.article_id is not None:
        query = query.where(col(Finding.id).in_(findings_of([filters.article_id])))
    if involving is not None:
        query = query.where(col(Finding.id).in_(findings_of(involving)))
    return query


def list_findings(
    session: Session,
    filters: FindingFilters,
    *,
    involving: Collection[str] | None = None,
    where: Sequence[ColumnElement[bool]] = (),
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Finding]:
    """Findings matching every filter and condition (and involving one of ``involving``, when
    given), most recently seen first."""
    query = _filtered(filters, involving, where)
    query = query.order_by(col(Finding.last_seen_at).desc(), col(Finding.id)).offset(offset)
    return session.exec(query.limit(limit)).all()


def count_findings(
    session: Session,
    filters: FindingFilters,
    *,
    involving: Collection[str] | None = None,
    where: Sequence[ColumnElement[bool]] = (),
) -> int:
    """How many findings :func:`list_findings` would list on all pages."""
    query = _filtered(filters, involving, where).with_only_columns(func.count(col(Finding.id)))
    return int(session.exec(query).one())  # type: ignore[call-overload]


def count_active(session: Session) -> dict[tuple[FindingStatus, Severity], int]:
    """Active findings counted by status and severity."""
    query = (
        select(Finding.status, Finding.severity, func.count(col(Finding.id)))
        .where(col(Finding.status).in_(ACTIVE_STATUSES))
        .group_by(col(Finding.status), col(Finding.severity))
    )
    rows = session.exec(query).all()
    return {(FindingStatus(status), Severity(severity)): n for status, severity, n in rows}


def add_event(
    session: Session,
    finding: Finding,
    action: str,
    *,
    actor: str,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one step in a finding's history (in the audit log; ``note`` is its reason)."""
    assert finding.id is not None
    return record_event(
        session, actor=actor, via=_via(actor), action=action, object_type=FINDING,
        object_id=str(finding.id),
        reason=note, detail={"status": str(finding.status), **(detail or {})},
    )  # fmt: skip


_MARK_SEEN_CHUNK = 1000


def mark_seen(session: Session, rows: Sequence[Finding], now: datetime) -> None:
    """Set ``last_seen_at`` of the findings a check found again, a thousand per statement (the
    loaded rows get the value too, without making them dirty)."""
    for start in range(0, len(rows), _MARK_SEEN_CHUNK):
        chunk = rows[start : start + _MARK_SEEN_CHUNK]
        session.execute(
            update(Finding)
            .where(col(Finding.id).in_([row.id for row in chunk]))
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        for row in chunk:
            set_committed_value(row, "last_seen_at", now)


def add_events(
    session: Session, finding_ids: Sequence[int], action: str, *, actor: str, status: str
) -> None:
    """Record the same step in the history of many findings (in ``status``), batched."""
    record_events(
        session, actor=actor, via=_via(actor), action=action, object_type=FINDING,
        object_ids=[str(i) for i in finding_ids], detail={"status": str(status)},
    )  # fmt: skip


def _via(actor: str) -> Via:
    """A finding's step is a key's (``key:<name>``: the API or the pages) or the check's."""
    return "key" if actor.startswith("key:") else "system"


def finding_events(session: Session, finding_id: int) -> Sequence[AuditEvent]:
    """A finding's history, oldest first."""
    return list_events(session, object_type=FINDING, object_id=str(finding_id))
