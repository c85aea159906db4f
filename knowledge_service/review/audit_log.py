"""The audit trail as content owners and admins read it: who, when, what, the versions before
and after, and why, filtered by object, actor and time range and paginated in SQL.

Admins see every event. An owner key sees the events of the articles and policy sources it
owns and of the findings (and risk acceptances) that touch them, and the events its owner's
keys performed on documents and findings it no longer owns (a document reassigned away); never
key changes, other owners' events on their documents, or the command line's events on them
that name one of its keys as the actor (``--actor``: whatever the operator typed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, String, and_, cast, false, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from knowledge_service import clock
from knowledge_service.access import service as access
from knowledge_service.audit import AuditEvent
from knowledge_service.content import service as content
from knowledge_service.content.schemas import ARTICLE_ID_PATTERN, PATTERN_WORDS, POLICY_ID_PATTERN
from knowledge_service.errors import InvalidRequestError, PermissionDeniedError
from knowledge_service.freshness.models import Finding, FindingArticle
from knowledge_service.freshness.schemas import Caller
from knowledge_service.review.queue_schemas import AuditEventPublic, AuditFilters, AuditObject

MAX_LIMIT = 1000
MAX_ID_CHARS = 120
"""The longest article or policy id (the store's id column)."""
_ID_PATTERNS = {AuditObject.ARTICLE: ARTICLE_ID_PATTERN, AuditObject.POLICY: POLICY_ID_PATTERN}
"""The form of the ids of the kinds that have one (a finding's id is a number, a key's its
prefix): an ``object_id`` no such object can have is a 400 naming it, as ``article_id`` is
and as the CLI's ``audit --article``/``--policy`` refuse it, never a filter matching nothing."""


def parse_instant(name: str, value: str | None) -> datetime | None:
    """An ISO 8601 timestamp or date (midnight) given as parameter ``name``; naive is UTC."""
    return None if value is None else clock.parse_instant(name, value)


def _utc(value: datetime | None) -> datetime | None:
    """A naive timestamp is taken as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def check_filters(filters: AuditFilters, limit: int, offset: int) -> AuditFilters:
    """``filters`` with UTC-aware bounds; InvalidRequestError names a bad parameter."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequestError("limit", f"must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise InvalidRequestError("offset", "must not be negative")
    if filters.object_id is not None and filters.object_type is None:
        raise InvalidRequestError("object_id", "needs object_type (article, policy, finding...)")
    _check_object_id(filters)
    since, until = _utc(filters.since), _utc(filters.until)
    if since is not None and until is not None and until < since:
        raise InvalidRequestError("until", "must not be before since")
    return replace(filters, since=since, until=until)


def _check_object_id(filters: AuditFilters) -> None:
    """Refuse an ``object_id`` that no object of ``object_type`` can have (see _ID_PATTERNS)."""
    pattern = _ID_PATTERNS.get(filters.object_type) if filters.object_type is not None else None
    if pattern is None or filters.object_id is None:
        return
    if len(filters.object_id) > MAX_ID_CHARS:
        raise InvalidRequestError("object_id", f"must be at most {MAX_ID_CHARS} characters")
    if not re.fullmatch(pattern, filters.object_id):
        raise InvalidRequestError("object_id", PATTERN_WORDS[pattern])


def _owned_scope(session: Session, owner: str, filters: AuditFilters) -> ColumnElement[bool]:
    """The events an owner key sees: those of the articles and policy sources it owns (their
    current owner, as the workflow routes check it) and of the findings touching them (naming
    one of its articles, or citing one of its policies), and those its owner's keys performed
    on any article, policy or finding (:func:`_own_events`).

    Raises:
        PermissionDeniedError: ``filters`` name an article or a policy of another owner, on
            which no key of this owner acted.
    """
    articles = [v.article_id for v in content.list_articles(session, owner=owner)]
    policies = [v.policy_id for v in content.list_policies(session, owner=owner)]
    own = _own_events(access.actors_of_owner(session, owner))
    owned = {AuditObject.ARTICLE: articles, AuditObject.POLICY: policies}
    asked = owned.get(filters.object_type) if filters.object_type is not None else None
    if asked is not None and filters.object_id is not None and filters.object_id not in asked:
        _refuse_unless_acted_on(session, own, filters)
    if not articles and not policies:
        return own
    findings = or_(
        col(Finding.id).in_(
            select(col(FindingArticle.finding_id)).where(
                col(FindingArticle.article_id).in_(articles)
            )
        ),
        col(Finding.policy_id).in_(policies),
    )
    return or_(_documents_and_their_findings(findings, articles=articles, policies=policies), own)


def _own_events(actors: Sequence[str]) -> ColumnElement[bool]:
    """The events of articles, policies and findings performed with one of ``actors`` (an
    owner's keys): its own trail of a document it no longer owns stays its own, while what the
    new owner (or an admin) does to it after the reassignment does not show. An event of the
    command line (``via`` ``cli``: ``--actor``, an import's author) is never a key's, whatever
    name it gives; one an earlier release wrote that does not say how it was made (``via``
    None) is read by its name, as it was."""
    if not actors:
        return false()
    kinds = [AuditObject.ARTICLE, AuditObject.POLICY, AuditObject.FINDING]
    with_key = or_(col(AuditEvent.via) == "key", col(AuditEvent.via).is_(None))
    return and_(col(AuditEvent.actor).in_(actors), col(AuditEvent.object_type).in_(kinds), with_key)


def _refuse_unless_acted_on(
    session: Session, own: ColumnElement[bool], filters: AuditFilters
) -> None:
    """Raise PermissionDeniedError unless the caller's keys acted on the document ``filters``
    name (one it owns no more: its own events of it are its to read)."""
    acted = select(col(AuditEvent.id)).where(
        own,
        col(AuditEvent.object_type) == str(filters.object_type),
        col(AuditEvent.object_id) == filters.object_id,
    )
    if session.exec(acted.limit(1)).first() is None:
        raise PermissionDeniedError(
            f"this owner key does not own the {filters.object_type} {filters.object_id!r}"
        )


def _documents_and_their_findings(
    findings: ColumnElement[bool], *, articles: Sequence[str], policies: Sequence[str] = ()
) -> ColumnElement[bool]:
    """The events of ``articles``, of ``policies`` and of the findings matching ``findings``
    (a condition on ``Finding``)."""
    finding_ids = select(cast(col(Finding.id), String)).where(findings)
    kind, object_id = col(AuditEvent.object_type), col(AuditEvent.object_id)
    return or_(
        and_(kind == AuditObject.ARTICLE, object_id.in_(articles)),
        and_(kind == AuditObject.POLICY, object_id.in_(policies)),
        and_(kind == AuditObject.FINDING, object_id.in_(finding_ids)),
    )


def _query(filters: AuditFilters, scope: ColumnElement[bool] | None) -> SelectOfScalar[AuditEvent]:
    query = select(AuditEvent)
    article = filters.object_id if filters.object_type == AuditObject.ARTICLE else None
    if filters.with_findings and article is not None:
        on_it = select(col(FindingArticle.finding_id)).where(
            col(FindingArticle.article_id) == article
        )
        query = query.where(
            _documents_and_their_findings(col(Finding.id).in_(on_it), articles=[article])
        )
    else:
        if filters.object_type is not None:
            query = query.where(col(AuditEvent.object_type) == str(filters.object_type))
        if filters.object_id is not None:
            query = query.where(col(AuditEvent.object_id) == filters.object_id)
    if filters.actor is not None:  # a key's name: its workflow steps, findings and risk too
        bare = filters.actor.removeprefix("key:")
        query = query.where(col(AuditEvent.actor).in_([bare, f"key:{bare}"]))
    if filters.since is not None:
        query = query.where(col(AuditEvent.at) >= filters.since)
    if filters.until is not None:
        query = query.where(col(AuditEvent.at) < filters.until)
    return query if scope is None else query.where(scope)


def list_audit_events(
    session: Session, caller: Caller, filters: AuditFilters, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEventPublic], int]:
    """One page of the events ``caller`` may see that match ``filters`` (newest first; ``since``
    inclusive, ``until`` exclusive) and how many match on all pages.

    Raises:
        PermissionDeniedError: neither an admin nor an owner key, or an owner key asking for an
            article or a policy it does not own.
        InvalidRequestError: a bad page or time range.
    """
    filters = check_filters(filters, limit, offset)
    scope = None
    if not caller.is_admin:
        if caller.owner is None:
            raise PermissionDeniedError("the audit log is for owner and admin keys")
        scope = _owned_scope(session, caller.owner, filters)
    query = _query(filters, scope)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = query.order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)
    rows = session.exec(page).all()
    return [AuditEventPublic.model_validate(r, from_attributes=True) for r in rows], int(total)
