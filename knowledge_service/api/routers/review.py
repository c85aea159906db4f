"""``GET /v1/review-queue``: the caller's work items, most urgent first (owner and admin keys)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session

from knowledge_service import clock
from knowledge_service.access.schemas import Principal, Role
from knowledge_service.analytics.gaps import GapCache
from knowledge_service.analytics.schemas import Gap
from knowledge_service.content.schemas import SHOWS_TEXT_SCHEMA, NoNul, NotBlank, ShowsText
from knowledge_service.http.deps import PageDep, SessionDep, SettingsDep, require_roles
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import Page
from knowledge_service.review import queue
from knowledge_service.review.queue_schemas import QueueFilters, QueueItem, QueueKindFilter

router = APIRouter(prefix="/v1/review-queue", tags=["review"])

Owner = Annotated[Principal, Depends(require_roles(Role.OWNER))]


def recent_gaps(request: Request, session: Session, today: date) -> list[Gap]:
    """The content gaps of the week ending ``today``, from the app's cache (recomputed every 10
    min, and as soon as the week moves with the date)."""
    state = request.app.state
    if not hasattr(state, "gap_cache"):
        state.gap_cache = GapCache()
    settings = state.settings

    def compute() -> list[Gap]:
        return queue.recent_gaps(
            session, state.search_service, today,
            confidence_below=settings.answers.no_answer_threshold,
        )  # fmt: skip

    gaps: list[Gap] = state.gap_cache.get(today, compute)
    return gaps


@router.get("", summary="The review queue", responses=problem_responses(400, 401, 403))
def review_queue(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: Owner,
    page: PageDep,
    owner: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Admins: only this owner's items.",
            json_schema_extra=SHOWS_TEXT_SCHEMA,
        ),
        NoNul,
        NotBlank,
        ShowsText,
    ] = None,
    kind: Annotated[
        QueueKindFilter | None,
        Query(description="Only this kind of item, or of finding (policy_mismatch, invalid, ...)."),
    ] = None,
) -> Page[QueueItem]:
    """Open findings, reviews due and overdue, drafts waiting for approval and agents' wrong or
    outdated ratings, each with its article, reason, evidence, severity, due date and the
    actions that resolve it; sorted by severity, due date, then how often the article is
    served. An owner key sees its own articles' items; admins any owner's, and the content
    gaps of the last week (clusters of questions no article answered confidently)."""
    today = clock.today(settings)
    gaps = (  # the answer log's last week: it ends on the real date, never after it
        recent_gaps(request, session, clock.last_answer_day(settings))
        if principal.role == Role.ADMIN and not owner
        else []
    )
    items, total = queue.list_queue(
        session, principal, QueueFilters(owner=owner, kind=kind),
        today=today, limit=page.limit, offset=page.offset, gaps=gaps,
        workflow=settings.workflow,
    )  # fmt: skip
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
