"""Findings of the governance check: list them, acknowledge one, accept a block's risk.

Who sees and changes which findings is the freshness service's rule
(:func:`~knowledge_service.freshness.service.list_visible_findings`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from knowledge_service import clock
from knowledge_service.access.schemas import Permission, Principal
from knowledge_service.content.schemas import ARTICLE_ID_PATTERN
from knowledge_service.db import MAX_VERSION
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.schemas import (
    FindingFilters,
    FindingKind,
    FindingPublic,
    FindingStatus,
    FindingStatusChange,
    Severity,
)
from knowledge_service.http.deps import PageDep, SessionDep, SettingsDep, require
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import Page
from knowledge_service.review import risk
from knowledge_service.review.queue_schemas import RiskAcceptanceCreate, RiskAcceptancePublic

router = APIRouter(prefix="/v1/findings", tags=["findings"])

Reader = Annotated[Principal, Depends(require(Permission.READ_FINDINGS))]
Updater = Annotated[Principal, Depends(require(Permission.UPDATE_FINDINGS))]


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
    filters = FindingFilters(status=status, kind=kind, severity=severity, article_id=article_id)
    items, total = freshness.list_visible_findings(
        session, principal, filters, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.patch(
    "/{finding_id}",
    summary="Acknowledge or reopen a finding",
    responses=problem_responses(400, 401, 403, 404, 409, 413),
)
def update_finding(
    session: SessionDep,
    principal: Updater,
    finding_id: Annotated[int, Path(ge=1, le=MAX_VERSION, description="The finding's id.")],
    change: FindingStatusChange,
) -> FindingPublic:
    """Acknowledge a finding (the owner has seen it: a block still blocks) or reopen it; owner
    keys only on findings that touch an article they own. ``resolved`` is refused (409): a
    finding resolves only when a re-check no longer finds it."""
    return freshness.change_finding_status(session, principal, finding_id, change)


Admin = Annotated[Principal, Depends(require(Permission.ADMINISTER))]
FindingId = Annotated[int, Path(ge=1, le=MAX_VERSION, description="The finding's id.")]


@router.post(
    "/{finding_id}/risk-acceptances",
    summary="Accept the risk of a blocking finding until a date",
    status_code=201,
    responses=problem_responses(400, 401, 403, 404, 409, 413),
)
def accept_risk(
    session: SessionDep,
    settings: SettingsDep,
    principal: Admin,
    finding_id: FindingId,
    request: RiskAcceptanceCreate,
) -> RiskAcceptancePublic:
    """Admins only, and never the last author of an article the finding touches: customers
    are served the article despite this block until ``expires_on`` (it lapses then, or when the
    finding resolves). Recorded in the audit log with the reason."""
    return risk.accept_risk(session, principal, finding_id, request, today=clock.today(settings))
