"""``GET /v1/search``: ranked articles for agents, each with its freshness."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from knowledge_service import clock
from knowledge_service.access.schemas import Permission, Principal
from knowledge_service.analytics.recording import search_event
from knowledge_service.answers.batcher import MicroBatcher
from knowledge_service.answers.sanitise import is_blank, sanitise_search
from knowledge_service.content.schemas import INTENT_PATTERN, MAX_INTENT_CHARS, Audience, Channel
from knowledge_service.errors import InvalidRequestError
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.schemas import SearchResponse
from knowledge_service.http.deps import LocaleParam, QueryText, TopK, recorder_of, require
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import json_response
from knowledge_service.index.schemas import DEFAULT_TOP_K, SearchFilters, SearchHit, SearchRequest
from knowledge_service.settings import Settings

router = APIRouter(prefix="/v1", tags=["search"])

Searcher = Annotated[Principal, Depends(require(Permission.SEARCH))]


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Search articles (agents)",
    responses=problem_responses(400, 401, 403, 503),
)
async def search(
    http: Request,
    q: QueryText,
    principal: Searcher,
    top_k: TopK = DEFAULT_TOP_K,
    intent: Annotated[
        str | None, Query(pattern=INTENT_PATTERN, max_length=MAX_INTENT_CHARS)
    ] = None,
    audience: Audience | None = None,
    channel: Channel | None = None,
    locale: LocaleParam = None,
) -> Response:
    """Published articles ranked by hybrid search, with their freshness findings.

    `locale` takes a tag or a language (`en` also finds `en-AU`). A regional tag whose own
    articles give no results falls back to the same language's articles from other regions
    (`en-US` asked of an `en-AU` knowledge base finds the `en-AU` articles), as answers do;
    the response then says `locale_fallback: true`, and each result's `locale` names its
    region. Another language (`fr-FR`) finds nothing, with `locale_fallback: false`."""
    if is_blank(q):
        raise InvalidRequestError("q", "the query is empty")
    filters = SearchFilters(audience=audience, channel=channel, locale=locale, intent=intent)
    request = SearchRequest(query=q, top_k=top_k, filters=filters)
    # The app's parts are read from its state, not through dependencies: each dependency
    # costs FastAPI's resolution on the event loop, on every request.
    state = http.app.state
    batcher: MicroBatcher[SearchRequest, list[SearchHit]] = state.search_batcher
    settings: Settings = state.settings

    def run() -> Response:  # everything that blocks, in one hop to a worker thread
        started = time.perf_counter()
        with Session(state.engine) as session:  # reads only: the findings on the hits
            found = freshness.search_with_freshness(
                session, batcher.submit, request, today=clock.today(settings)
            )
        response = sanitise_search(found)
        latency_ms = (time.perf_counter() - started) * 1000
        recorder_of(state).record(
            search_event(
                response, q, latency_ms=latency_ms, caller=principal.name,
                channel=str(channel) if channel else None,
            )
        )  # fmt: skip
        return json_response(response)

    return await run_in_threadpool(run)
