"""Policy sources: list and one policy with its clauses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from knowledge_service.access.schemas import Permission, Principal
from knowledge_service.answers.render import markdown_to_safe_html
from knowledge_service.content import service as content
from knowledge_service.content.models import PolicyVersion
from knowledge_service.content.schemas import POLICY_ID_PATTERN, PolicyStatus
from knowledge_service.http.deps import MAX_VERSION, PageDep, SessionDep, require
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import Page

router = APIRouter(prefix="/v1/policies", tags=["policies"])

Reader = Annotated[Principal, Depends(require(Permission.READ_POLICIES))]
_LIST_ERRORS = problem_responses(400, 401, 403)
_READ_ERRORS = problem_responses(400, 401, 403, 404)


class PolicySummary(BaseModel):
    """The current version of a policy source, in a list."""

    id: str = Field(examples=["REFUNDS"])
    title: str = Field(examples=["Refunds and credits policy"])
    policy_version: str = Field(description="The policy's own version label.", examples=["3"])
    store_version: int = Field(description="The version number in this store.")
    effective_date: date
    owner: str
    status: PolicyStatus


class ClausePublic(BaseModel):
    number: str = Field(examples=["2.1"])
    heading: str = Field(examples=["Refund timeframe"])
    text: str
    level: int


class PolicyPublic(PolicySummary):
    """A policy source with its numbered clauses."""

    body: str = Field(description="The policy text (Markdown).")
    body_html: str = Field(description="The policy text as sanitised HTML.")
    clauses: list[ClausePublic]
    content_hash: str
    created_at: datetime


def _summary(row: PolicyVersion) -> PolicySummary:
    doc = row.to_document()
    return PolicySummary(
        id=doc.id,
        title=doc.title,
        policy_version=doc.version,
        store_version=row.version,
        effective_date=doc.effective_date,
        owner=doc.owner,
        status=doc.status,
    )


@router.get("", summary="List policy sources", responses=_LIST_ERRORS)
def list_policies(
    session: SessionDep,
    principal: Reader,
    page: PageDep,
    status: Annotated[PolicyStatus | None, Query(description="Only this status.")] = None,
) -> Page[PolicySummary]:
    """The current version of each policy source, ordered by id."""
    items = [_summary(row) for row in content.list_policies(session)]
    if status is not None:
        items = [item for item in items if item.status == status]
    return Page.of(items, limit=page.limit, offset=page.offset)


@router.get("/{policy_id}", summary="One policy source", responses=_READ_ERRORS)
def get_policy(
    session: SessionDep,
    principal: Reader,
    policy_id: Annotated[
        str, Path(pattern=POLICY_ID_PATTERN, max_length=120, description="The policy id.")
    ],
    version: Annotated[
        int | None,
        Query(ge=1, le=MAX_VERSION, description="A store version (default: the current one)."),
    ] = None,
) -> PolicyPublic:
    """The policy (current or the given store version) with its clauses."""
    row = content.get_policy(session, policy_id, version)
    doc = row.to_document()
    return PolicyPublic(
        **_summary(row).model_dump(),
        body=doc.body,
        body_html=markdown_to_safe_html(doc.body),
        clauses=[
            ClausePublic(**c.model_dump(include={"number", "heading", "text", "level"}))
            for c in doc.clauses
        ],
        content_hash=row.content_hash,
        created_at=row.created_at,
    )
