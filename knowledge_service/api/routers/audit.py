"""``GET /v1/audit``: who did what, when and why (admins: everything; owner keys: the events
of their own articles and policy sources and of the findings touching them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from knowledge_service.access.schemas import Principal, Role
from knowledge_service.content.schemas import (
    ARTICLE_ID_PATTERN,
    SHOWS_TEXT_SCHEMA,
    NoNul,
    NotBlank,
    ShowsText,
)
from knowledge_service.errors import InvalidRequestError
from knowledge_service.http.deps import PageDep, SessionDep, SupportedDay, require_roles
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import Page
from knowledge_service.review import audit_log
from knowledge_service.review.queue_schemas import AuditEventPublic, AuditFilters, AuditObject

router = APIRouter(prefix="/v1/audit", tags=["audit"])

Owner = Annotated[Principal, Depends(require_roles(Role.OWNER))]


def _instant(description: str) -> Any:
    """An ISO 8601 timestamp (or date) parameter: parsed by the audit verb, so that a number
    is refused instead of read as seconds since 1970, and text that is no date or time at all
    ("yesterday") is told the format it needs (no length bound of its own before that)."""
    return Query(
        max_length=40, json_schema_extra={"format": "date-time"},
        description=f"{description} ISO 8601, e.g. 2026-11-24T09:00:00Z.",
    )  # fmt: skip


@router.get("", summary="The audit log", responses=problem_responses(400, 401, 403))
def list_audit(
    session: SessionDep,
    principal: Owner,
    page: PageDep,
    article_id: Annotated[
        str | None,
        Query(
            pattern=ARTICLE_ID_PATTERN,
            max_length=120,
            description="Only this article's, and its findings' (acknowledgements, risk "
            "acceptances); object_type=article&object_id= gives the article's own only.",
        ),
    ] = None,
    object_type: Annotated[AuditObject | None, Query(description="Only this kind.")] = None,
    object_id: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Only this object.",
            json_schema_extra=SHOWS_TEXT_SCHEMA,
        ),
        NoNul,
        NotBlank,
        ShowsText,
    ] = None,
    actor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Only this actor's.",
            json_schema_extra=SHOWS_TEXT_SCHEMA,
        ),
        NoNul,
        NotBlank,
        ShowsText,
    ] = None,
    since: Annotated[
        str | None, _instant(description="From this instant (inclusive)."), SupportedDay
    ] = None,
    until: Annotated[str | None, _instant(description="Before this instant."), SupportedDay] = None,
) -> Page[AuditEventPublic]:
    """Events newest first: who (actor), when (at), what (action on object), the versions
    before and after, and why (reason). An owner key sees its own articles' and policy
    sources' events and those of the findings touching them; naming another owner's article
    or policy is a 403."""
    if article_id is not None:
        if object_type is not None or object_id is not None:
            raise InvalidRequestError("article_id", "use either article_id or object_type/_id")
        object_type, object_id = AuditObject.ARTICLE, article_id
    filters = AuditFilters(
        object_type, object_id, actor,
        audit_log.parse_instant("since", since), audit_log.parse_instant("until", until),
        with_findings=article_id is not None,
    )  # fmt: skip
    items, total = audit_log.list_audit_events(
        session, principal, filters, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
