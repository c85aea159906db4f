"""``GET /v1/search``: ranked articles for agents, each with its freshness."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from knowledge_service.access.schemas import Permission, Principal
from knowledge_service.answers.batcher import MicroBatcher
from knowledge_service.answers.schemas import FreshnessNote
from knowledge_service.api.deps import (
    DEFAULT_TOP_K,
    LocaleParam,
    QueryText,
    SessionDep,
    TopK,
    require,
)
from knowledge_service.api.errors import problem_responses
from knowledge_service.api.schemas import json_response
from knowledge_service.content.schemas import INTENT_PATTERN, Audience, Channel
from knowledge_service.errors import InvalidRequestError
from knowledge_service.freshness.repository import active_notes_for
from knowledge_service.index.schemas import SearchFilters, SearchHit, SearchRequest

router = APIRouter(prefix="/v1", tags=["search"])

Searcher = Annotated[Principal, Depends(require(Permission.SEARCH))]
Badge = Literal["current", "warn", "block"]


class SearchResult(SearchHit):
    """A ranked article with the findings that touch it and a one-word badge."""

    freshness: list[FreshnessNote] = Field(default_factory=list)
    badge: Badge = Field(description="block: a blocking finding; warn: a warning; else current")


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResult]
    as_of: datetime


def _badge(notes: list[FreshnessNote]) -> Badge:
    severities = {n.severity for n in notes}
    return "block" if "block" in severities else "warn" if "warn" in severities else "current"


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Search articles (agents)",
    responses=problem_responses(400, 401, 403, 503),
)
def search(
    request: Request,
    q: QueryText,
    principal: Searcher,
    session: SessionDep,
    top_k: TopK = DEFAULT_TOP_K,
    intent: Annotated[str | None, Query(pattern=INTENT_PATTERN, max_length=200)] = None,
    audience: Audience | None = None,
    channel: Channel | None = None,
    locale: LocaleParam = None,
) -> Response:
    """Published articles ranked by hybrid search, with their freshness findings."""
    if not q.strip():
        raise InvalidRequestError("q", "the query is empty")
    filters = SearchFilters(audience=audience, channel=channel, locale=locale, intent=intent)
    # Concurrent searches share one encode.
    batcher: MicroBatcher[SearchRequest, list[SearchHit]] = request.app.state.search_batcher
    hits = batcher.submit(SearchRequest(query=q, top_k=top_k, filters=filters))
    notes: dict[str, list[FreshnessNote]] = {}
    for article_id, kind, severity, message in active_notes_for(
        session, [h.article_id for h in hits]
    ):
        notes.setdefault(article_id, []).append(
            FreshnessNote(kind=kind, severity=severity, message=message)
        )
    results = [
        SearchResult(
            **hit.model_dump(),
            freshness=notes.get(hit.article_id, []),
            badge=_badge(notes.get(hit.article_id, [])),
        )
        for hit in hits
    ]
    return json_response(SearchResponse(query=q, results=results, as_of=datetime.now(UTC)))
