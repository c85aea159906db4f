"""Findings of the governance check: list them, change a finding's status.

Owner keys see and change only findings on the articles they own; agents read all findings;
admins do everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Permission, Principal, Role
from knowledge_service.api.deps import MAX_VERSION, PageDep, SessionDep, require
from knowledge_service.api.errors import problem_responses
from knowledge_service.api.schemas import Page
from knowledge_service.content import repository as content_repository
from knowledge_service.content import service as content
from knowledge_service.content.schemas import ARTICLE_ID_PATTERN
from knowledge_service.errors import NotFoundError, PermissionDeniedError
from knowledge_service.freshness import repository as freshness_repository
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.schemas import Evidence, FindingKind, FindingStatus, Severity

router = APIRouter(prefix="/v1/findings", tags=["findings"])

Reader = Annotated[Principal, Depends(require(Permission.READ_FINDINGS))]
Updater = Annotated[Principal, Depends(require(Permission.UPDATE_FINDINGS))]
_BATCH = 1000  # the largest page freshness.list_findings serves


class FindingPublic(BaseModel):
    """One finding of the governance check."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    fingerprint: str = Field(description="Stable across check runs: the same cause, the same id.")
    kind: FindingKind
    severity: Severity
    status: FindingStatus
    article_ids: list[str] = Field(examples=[["refund-timeframe"]])
    policy_id: str | None = Field(default=None, examples=["REFUNDS"])
    clause: str | None = Field(default=None, examples=["2.1"])
    message: str
    evidence: list[Evidence]
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None = None


class FindingStatusChange(BaseModel):
    """A new status for a finding, with an optional note for its history."""

    model_config = ConfigDict(extra="forbid")

    status: FindingStatus
    note: str | None = Field(default=None, max_length=2000)


def to_public(findings: Iterable[Any]) -> list[FindingPublic]:
    return [FindingPublic.model_validate(f, from_attributes=True) for f in findings]


def findings_for_article(session: Session, article_id: str) -> list[FindingPublic]:
    """The open and acknowledged findings that touch one article."""
    return to_public(freshness.findings_for_article(session, article_id))


def _owned_article_ids(session: Session, principal: Principal) -> set[str] | None:
    """For owner keys, the ids of the articles they own; None when the caller sees everything."""
    if principal.role != Role.OWNER:
        return None
    return {row.article_id for row in content.list_articles(session, owner=principal.owner)}


def _all_findings(session: Session, **filters: Any) -> list[FindingPublic]:
    found: list[FindingPublic] = []
    while True:
        batch = freshness.list_findings(session, limit=_BATCH, offset=len(found), **filters)
        found.extend(to_public(batch))
        if len(batch) < _BATCH:
            return found


@router.get("", summary="List findings", responses=problem_responses(400, 401, 403))
def list_findings(
    session: SessionDep,
    principal: Reader,
    page: PageDep,
    status: Annotated[FindingStatus | None, Query(description="Only this status.")] = None,
    kind: Annotated[FindingKind | None, Query(description="Only this kind.")] = None,
    severity: Annotated[Severity | None, Query(description="Only this severity.")] = None,
    article_id: Annotated[
        str | None,
        Query(pattern=ARTICLE_ID_PATTERN, max_length=120, description="Only this article's."),
    ] = None,
) -> Page[FindingPublic]:
    """Findings, most recently seen first. Owner keys see findings on their own articles only."""
    owned = _owned_article_ids(session, principal)
    if owned is not None and article_id is not None and article_id not in owned:
        raise PermissionDeniedError(f"this owner key does not own the article {article_id!r}")
    items = _all_findings(
        session, status=status, kind=kind, article_id=article_id, severity=severity
    )
    if owned is not None:
        items = [f for f in items if owned.intersection(f.article_ids)]
    return Page.of(items, limit=page.limit, offset=page.offset)


def _article_owners(session: Session, article_ids: Iterable[str]) -> set[str]:
    rows = (content_repository.get_article_version(session, a) for a in article_ids)
    return {row.owner for row in rows if row is not None}


@router.patch(
    "/{finding_id}",
    summary="Acknowledge, resolve or reopen a finding",
    responses=problem_responses(400, 401, 403, 404, 413),
)
def update_finding(
    session: SessionDep,
    principal: Updater,
    finding_id: Annotated[int, Path(ge=1, le=MAX_VERSION, description="The finding's id.")],
    change: FindingStatusChange,
) -> FindingPublic:
    """Change a finding's status; owner keys only on findings that touch an article they own."""
    row = freshness_repository.get_finding(session, finding_id)
    if row is None or row.id != finding_id:
        raise NotFoundError("finding", str(finding_id))
    owners = _article_owners(session, row.article_ids)
    access.authorize_owner(principal, owners, "change this finding")
    updated = freshness.set_finding_status(
        session, finding_id, change.status, actor=f"key:{principal.name}", note=change.note
    )
    session.commit()
    return FindingPublic.model_validate(updated, from_attributes=True)
