"""``GET /v1/review-queue``: the caller's work items, most urgent first (owner and admin keys)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from knowledge_service import clock
from knowledge_service.access.schemas import Principal, Role
from knowledge_service.http.deps import PageDep, SessionDep, SettingsDep, require_roles
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import Page
from knowledge_service.review import queue
from knowledge_service.review.queue_schemas import QueueFilters, QueueItem, QueueItemKind

router = APIRouter(prefix="/v1/review-queue", tags=["review"])

Owner = Annotated[Principal, Depends(require_roles(Role.OWNER))]


@router.get("", summary="The review queue", responses=problem_responses(400, 401, 403))
def review_queue(
    session: SessionDep,
    settings: SettingsDep,
    principal: Owner,
    page: PageDep,
    owner: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Admins: only this owner's items."),
    ] = None,
    kind: Annotated[QueueItemKind | None, Query(description="Only this kind of item.")] = None,
) -> Page[QueueItem]:
    """Open findings, reviews due and overdue, drafts waiting for approval and agents' wrong or
    outdated ratings, each with its article, reason, evidence, severity, due date and the
    actions that resolve it; sorted by severity, due date, then how often the article is
    served. An owner key sees its own articles' items; admins any owner's."""
    items, total = queue.list_queue(
        session, principal, QueueFilters(owner=owner, kind=kind),
        today=clock.today(settings), limit=page.limit, offset=page.offset,
    )  # fmt: skip
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
