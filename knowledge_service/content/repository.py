"""All queries of the content store. Functions take a session and return rows or documents."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from knowledge_service.content.models import (
    Article,
    ArticleVersion,
    AuditEvent,
    Policy,
    PolicyVersion,
)


def get_article(session: Session, article_id: str) -> Article | None:
    return session.get(Article, article_id)


def list_articles(session: Session, status: str | None = None) -> Sequence[Article]:
    query = select(Article).order_by(col(Article.id))
    if status is not None:
        query = query.where(Article.status == status)
    return session.exec(query).all()


def get_article_version(
    session: Session, article_id: str, version: int | None = None
) -> ArticleVersion | None:
    """A given version, or the current one when ``version`` is None."""
    if version is None:
        article = session.get(Article, article_id)
        if article is None:
            return None
        version = article.current_version
    return session.exec(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article_id, ArticleVersion.version == version
        )
    ).first()


def list_article_versions(session: Session, article_id: str) -> Sequence[ArticleVersion]:
    return session.exec(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(col(ArticleVersion.version))
    ).all()


def current_article_versions(
    session: Session, statuses: Sequence[str] | None = None
) -> Sequence[ArticleVersion]:
    """The current version of every article (optionally only those in ``statuses``)."""
    query = select(ArticleVersion).join(
        Article,
        and_(
            col(Article.id) == col(ArticleVersion.article_id),
            col(Article.current_version) == col(ArticleVersion.version),
        ),
    )
    if statuses is not None:
        query = query.where(col(ArticleVersion.status).in_(list(statuses)))
    return session.exec(query.order_by(col(ArticleVersion.article_id))).all()


def article_versions_as_of(session: Session, as_of: datetime) -> Sequence[ArticleVersion]:
    """The version of every article that was current at ``as_of``."""
    latest = (
        select(ArticleVersion.article_id, func.max(ArticleVersion.seq).label("seq"))
        .where(ArticleVersion.created_at <= as_of)
        .group_by(col(ArticleVersion.article_id))
        .subquery()
    )
    query = select(ArticleVersion).join(latest, col(ArticleVersion.seq) == latest.c.seq)
    return session.exec(query.order_by(col(ArticleVersion.article_id))).all()


def article_versions_since(session: Session, seq: int) -> Sequence[ArticleVersion]:
    """Every article version written after watermark ``seq``, oldest first."""
    return session.exec(
        select(ArticleVersion)
        .where(col(ArticleVersion.seq) > seq)
        .order_by(col(ArticleVersion.seq))
    ).all()


def article_watermark(session: Session) -> int:
    """The largest article version ``seq`` (0 for an empty store)."""
    return int(session.exec(select(func.max(ArticleVersion.seq))).one() or 0)


def changed_since(session: Session, article_seq: int, policy_seq: int) -> tuple[set[str], set[str]]:
    """Ids of the articles and policies with a version written after the given watermarks."""
    articles = session.exec(
        select(ArticleVersion.article_id).where(col(ArticleVersion.seq) > article_seq)
    ).all()
    policies = session.exec(
        select(PolicyVersion.policy_id).where(col(PolicyVersion.seq) > policy_seq)
    ).all()
    return set(articles), set(policies)


def policy_watermark(session: Session) -> int:
    """The largest policy version ``seq`` (0 for an empty store)."""
    return int(session.exec(select(func.max(PolicyVersion.seq))).one() or 0)


def get_policy(session: Session, policy_id: str) -> Policy | None:
    return session.get(Policy, policy_id)


def list_policies(session: Session) -> Sequence[Policy]:
    return session.exec(select(Policy).order_by(col(Policy.id))).all()


def get_policy_version(
    session: Session, policy_id: str, version: int | None = None
) -> PolicyVersion | None:
    if version is None:
        policy = session.get(Policy, policy_id)
        if policy is None:
            return None
        version = policy.current_version
    return session.exec(
        select(PolicyVersion).where(
            PolicyVersion.policy_id == policy_id, PolicyVersion.version == version
        )
    ).first()


def current_policy_versions(session: Session) -> Sequence[PolicyVersion]:
    return session.exec(
        select(PolicyVersion)
        .join(
            Policy,
            and_(
                col(Policy.id) == col(PolicyVersion.policy_id),
                col(Policy.current_version) == col(PolicyVersion.version),
            ),
        )
        .order_by(col(PolicyVersion.policy_id))
    ).all()


def policy_labels(
    session: Session, policy_ids: Collection[str], as_of: datetime | None = None
) -> dict[str, str]:
    """``policy_id -> the policy's own version label``, current or in force at ``as_of``."""
    ids = list(policy_ids)
    if not ids:
        return {}
    query = select(PolicyVersion.policy_id, PolicyVersion.policy_version)
    if as_of is None:
        query = query.join(
            Policy,
            and_(
                col(Policy.id) == col(PolicyVersion.policy_id),
                col(Policy.current_version) == col(PolicyVersion.version),
            ),
        )
    else:
        latest = (
            select(func.max(PolicyVersion.seq))
            .where(PolicyVersion.created_at <= as_of)
            .group_by(col(PolicyVersion.policy_id))
        )
        query = query.where(col(PolicyVersion.seq).in_(latest))
    rows = session.exec(query.where(col(PolicyVersion.policy_id).in_(ids))).all()
    return {policy_id: label for policy_id, label in rows}


def policy_versions_as_of(session: Session, as_of: datetime) -> Sequence[PolicyVersion]:
    latest = (
        select(PolicyVersion.policy_id, func.max(PolicyVersion.seq).label("seq"))
        .where(PolicyVersion.created_at <= as_of)
        .group_by(col(PolicyVersion.policy_id))
        .subquery()
    )
    query = select(PolicyVersion).join(latest, col(PolicyVersion.seq) == latest.c.seq)
    return session.exec(query.order_by(col(PolicyVersion.policy_id))).all()


def list_audit_events(
    session: Session, entity_id: str | None = None, limit: int = 100
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return session.exec(query).all()


def current_article_states(session: Session) -> dict[str, tuple[str, str]]:
    """``article_id -> (content_hash, status)`` of every article's current version."""
    rows = session.exec(
        select(ArticleVersion.article_id, ArticleVersion.content_hash, ArticleVersion.status).join(
            Article,
            and_(
                col(Article.id) == col(ArticleVersion.article_id),
                col(Article.current_version) == col(ArticleVersion.version),
            ),
        )
    ).all()
    return {article_id: (digest, status) for article_id, digest, status in rows}


def current_policy_states(session: Session) -> dict[str, tuple[str, str]]:
    """``policy_id -> (content_hash, status)`` of every policy's current version."""
    rows = session.exec(
        select(PolicyVersion.policy_id, PolicyVersion.content_hash, PolicyVersion.status).join(
            Policy,
            and_(
                col(Policy.id) == col(PolicyVersion.policy_id),
                col(Policy.current_version) == col(PolicyVersion.version),
            ),
        )
    ).all()
    return {policy_id: (digest, status) for policy_id, digest, status in rows}


def query_current_article_versions(
    session: Session,
    *,
    status: str | None = None,
    owner: str | None = None,
    audience: str | None = None,
    locale: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Sequence[ArticleVersion]:
    """Current article versions filtered by the given fields, ordered by id, one page."""
    query = select(ArticleVersion).join(
        Article,
        and_(
            col(Article.id) == col(ArticleVersion.article_id),
            col(Article.current_version) == col(ArticleVersion.version),
        ),
    )
    filters = [
        (ArticleVersion.status, status),
        (ArticleVersion.owner, owner),
        (ArticleVersion.audience, audience),
        (ArticleVersion.locale, locale),
    ]
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(col(ArticleVersion.article_id)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return session.exec(query).all()


def list_policy_versions(session: Session, policy_id: str) -> Sequence[PolicyVersion]:
    return session.exec(
        select(PolicyVersion)
        .where(PolicyVersion.policy_id == policy_id)
        .order_by(col(PolicyVersion.version))
    ).all()
