"""Articles: list, current version, version history and one version."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from knowledge_service.access.schemas import Permission, Principal, Role
from knowledge_service.answers.render import markdown_to_safe_html
from knowledge_service.content import service as content
from knowledge_service.content.models import ArticleVersion
from knowledge_service.content.schemas import (
    ARTICLE_ID_PATTERN,
    INTENT_PATTERN,
    ArticleDocument,
    ArticleStatus,
    Audience,
    Channel,
)
from knowledge_service.errors import NotFoundError, PermissionDeniedError
from knowledge_service.freshness.schemas import FindingPublic
from knowledge_service.freshness.service import findings_for_article
from knowledge_service.http.deps import MAX_VERSION, PageDep, SessionDep, require
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import Page

router = APIRouter(prefix="/v1/articles", tags=["articles"])

ArticleIdPath = Annotated[
    str, Path(pattern=ARTICLE_ID_PATTERN, max_length=120, description="The article id.")
]
Reader = Annotated[Principal, Depends(require(Permission.READ_ARTICLES))]
_LIST_ERRORS = problem_responses(400, 401, 403)
_READ_ERRORS = problem_responses(400, 401, 403, 404)


class ArticleSummary(BaseModel):
    """The current version of an article, in a list."""

    id: str = Field(examples=["refund-timeframe"])
    version: int = Field(examples=[3])
    title: str = Field(examples=["How long does a refund take?"])
    status: ArticleStatus
    audience: Audience
    locale: str = Field(examples=["en-AU"])
    owner: str = Field(examples=["payments-content@example.com"])
    intents: list[str] = Field(examples=[["billing.refund.timeframe"]])
    next_review: date


class SectionPublic(BaseModel):
    heading: str
    path: list[str]
    level: int
    text: str


class ArticlePublic(ArticleSummary):
    """One version of an article with its answer rendered to sanitised HTML."""

    channels: list[Channel]
    policy_sources: list[str] = Field(examples=[["REFUNDS#2.1"]])
    last_reviewed: date
    questions: list[str]
    answer: str = Field(description="The canonical answer (Markdown).")
    answer_html: str = Field(description="The answer as sanitised HTML.")
    body: str = Field(description="The whole body: the answer, then the detail (Markdown).")
    body_html: str = Field(description="The whole body as sanitised HTML.")
    sections: list[SectionPublic]
    content_hash: str
    created_at: datetime
    author: str
    is_current: bool
    findings: list[FindingPublic] | None = Field(
        default=None, description="Findings of the governance check (current version only)."
    )


class ArticleVersionSummary(BaseModel):
    """One entry of an article's history."""

    version: int
    status: ArticleStatus
    title: str
    content_hash: str
    author: str
    source: str
    created_at: datetime


def _summary(row: ArticleVersion, doc: ArticleDocument | None = None) -> ArticleSummary:
    doc = doc or row.to_document()
    return ArticleSummary(
        id=doc.id,
        version=row.version,
        title=doc.title,
        status=doc.status,
        audience=doc.audience,
        locale=doc.locale,
        owner=doc.owner,
        intents=doc.intents,
        next_review=doc.next_review,
    )


def _public(row: ArticleVersion, *, is_current: bool) -> ArticlePublic:
    doc = row.to_document()
    return ArticlePublic(
        **_summary(row, doc).model_dump(),
        channels=doc.channels,
        policy_sources=[str(ref) for ref in doc.policy_sources],
        last_reviewed=doc.last_reviewed,
        questions=doc.questions,
        answer=doc.answer,
        answer_html=markdown_to_safe_html(doc.answer),
        body=doc.body,
        body_html=markdown_to_safe_html(doc.body),
        sections=[
            SectionPublic(**s.model_dump(include={"heading", "path", "level", "text"}))
            for s in doc.sections
        ],
        content_hash=row.content_hash,
        created_at=row.created_at,
        author=row.author,
        is_current=is_current,
    )


def _check_visible(principal: Principal, current: ArticleVersion) -> None:
    """Agents read only articles that are published now; owners and admins read all."""
    if principal.role == Role.AGENT and current.status != ArticleStatus.PUBLISHED:
        raise NotFoundError("article", current.article_id)


@router.get("", summary="List articles", responses=_LIST_ERRORS)
def list_articles(
    session: SessionDep,
    principal: Reader,
    page: PageDep,
    status: Annotated[ArticleStatus | None, Query(description="Only this status.")] = None,
    owner: Annotated[str | None, Query(max_length=200, description="Only this owner.")] = None,
    intent: Annotated[
        str | None, Query(pattern=INTENT_PATTERN, max_length=200, description="Only this intent.")
    ] = None,
) -> Page[ArticleSummary]:
    """The current version of each article, ordered by id. Agents see published ones only."""
    if principal.role == Role.AGENT:
        if status not in (None, ArticleStatus.PUBLISHED):
            raise PermissionDeniedError("an agent key sees published articles only")
        status = ArticleStatus.PUBLISHED
    rows = content.list_articles(session, status=status, owner=owner)
    items = [_summary(row) for row in rows]
    if intent is not None:
        items = [item for item in items if intent in item.intents]
    return Page.of(items, limit=page.limit, offset=page.offset)


@router.get("/{article_id}", summary="The current version of an article", responses=_READ_ERRORS)
def get_article(session: SessionDep, principal: Reader, article_id: ArticleIdPath) -> ArticlePublic:
    """The current version with its answer rendered, its sections and its findings."""
    row = content.get_article(session, article_id)
    _check_visible(principal, row)
    article = _public(row, is_current=True)
    article.findings = findings_for_article(session, article_id)
    return article


@router.get(
    "/{article_id}/versions", summary="An article's version history", responses=_READ_ERRORS
)
def list_versions(
    session: SessionDep, principal: Reader, article_id: ArticleIdPath
) -> list[ArticleVersionSummary]:
    """Every version of the article, oldest first."""
    history = content.article_history(session, article_id)
    _check_visible(principal, content.get_article(session, article_id))
    return [
        ArticleVersionSummary(
            version=row.version,
            status=ArticleStatus(row.status),
            title=row.title,
            content_hash=row.content_hash,
            author=row.author,
            source=row.source,
            created_at=row.created_at,
        )
        for row in history
    ]


@router.get(
    "/{article_id}/versions/{version}",
    summary="One version of an article",
    responses=_READ_ERRORS,
)
def get_version(
    session: SessionDep,
    principal: Reader,
    article_id: ArticleIdPath,
    version: Annotated[int, Path(ge=1, le=MAX_VERSION, description="The version number.")],
) -> ArticlePublic:
    """Exactly the given version, as it was stored (findings are for the current one only)."""
    current = content.get_article(session, article_id)
    _check_visible(principal, current)
    row = content.get_article(session, article_id, version)
    return _public(row, is_current=row.version == current.version)
