"""The queries the answer engine needs: versions, policy labels and findings, now or as of."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, or_, select

from knowledge_service.answers.schemas import Citation, FreshnessNote
from knowledge_service.content import repository as content_repository
from knowledge_service.content.models import ArticleVersion
from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.errors import NotFoundError
from knowledge_service.freshness.acceptance import accepted_until
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.notes import notes_for_articles
from knowledge_service.freshness.repository import active_findings_of_kind, findings_of
from knowledge_service.freshness.schemas import FindingKind


def article_version(session: Session, article_id: str, version: int) -> ArticleVersion:
    row = content_repository.get_article_version(session, article_id, version)
    if row is None:
        raise NotFoundError("article", article_id, version)
    return row


def citations(session: Session, doc: ArticleDocument, as_of: datetime | None) -> list[Citation]:
    """The policy clauses behind an article, with the policy version in force then."""
    labels = content_repository.policy_labels(
        session, {ref.policy_id for ref in doc.policy_sources}, as_of
    )
    return [
        Citation(
            policy_id=ref.policy_id, clause=ref.clause, policy_version=labels.get(ref.policy_id)
        )
        for ref in doc.policy_sources
    ]


def duplicate_pairs(session: Session) -> dict[str, frozenset[str]]:
    """For each article an open or acknowledged ``duplicate`` finding names, the articles it
    says say the same thing."""
    found: dict[str, set[str]] = {}
    for finding in active_findings_of_kind(session, FindingKind.DUPLICATE):
        for article_id in finding.article_ids:
            found.setdefault(article_id, set()).update(finding.article_ids)
    return {article_id: frozenset(ids - {article_id}) for article_id, ids in found.items()}


def freshness_notes(
    session: Session, article_id: str, as_of: datetime | None, *, today: date
) -> list[FreshnessNote]:
    """The findings touching an article: the open ones now, or those open at ``as_of``; a
    block carries the expiry of the risk acceptance that lifts it (today, or at ``as_of``)."""
    if as_of is None:
        return notes_for_articles(session, [article_id], today=today).get(article_id, [])
    findings = session.exec(
        select(Finding).where(
            col(Finding.id).in_(findings_of([article_id])),
            Finding.first_seen_at <= as_of,
            or_(col(Finding.resolved_at).is_(None), col(Finding.resolved_at) > as_of),
        )
    ).all()
    lifted = accepted_until(session, [f.id for f in findings if f.id is not None], as_of=as_of)
    return [
        FreshnessNote(
            kind=f.kind,
            severity=f.severity,
            message=f.message,
            risk_accepted_until=lifted.get(f.id) if f.id is not None else None,
        )
        for f in findings
    ]
