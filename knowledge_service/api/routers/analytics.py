"""Receipts, feedback and the measures: ``/v1/receipts``, ``/v1/feedback``, ``/v1/metrics``.

``/v1/events`` streams answer events (redacted) to dashboards as server-sent events, and
``/metrics`` serves the operational metrics in the Prometheus text format.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from knowledge_service import clock
from knowledge_service.access.key_cache import KEY_CACHE_SECONDS
from knowledge_service.access.schemas import Permission, Principal, Role
from knowledge_service.analytics import service as analytics
from knowledge_service.analytics.export import (
    MEDIA_TYPES,
    ExportFormat,
    ExportTable,
)
from knowledge_service.analytics.receipts import lookup_receipt
from knowledge_service.analytics.schemas import (
    RECEIPT_PATTERN,
    FeedbackCreate,
    FeedbackPublic,
    Gap,
    MetricsSummary,
    ReceiptRecord,
)
from knowledge_service.content.schemas import INTENT_PATTERN, Channel
from knowledge_service.errors import PermissionDeniedError
from knowledge_service.http.deps import (
    AnswerLogDep,
    EventHubDep,
    PageDep,
    SearchServiceDep,
    SessionDep,
    SettingsDep,
    SupportedDay,
    key_still_valid,
    require,
)
from knowledge_service.http.downloads import export_download
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import json_response
from knowledge_service.settings import Settings

router = APIRouter(tags=["analytics"])

KEEP_ALIVE_SECONDS = 1.0
"""An idle ``/v1/events`` stream sends a comment line this often (and so notices a client that
has left)."""

KEY_CHECK_SECONDS = KEY_CACHE_SECONDS
"""How often a live ``/v1/events`` stream looks again at its key: a key revoked meanwhile ends
the stream within this (plus the key cache's own seconds), as it ends the key's page sessions;
it used to go on receiving every question for as long as the client kept it open."""

ReceiptPath = Annotated[str, Path(pattern=RECEIPT_PATTERN, description="An answer's receipt.")]
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
FromParam = Annotated[
    str | None,
    Query(
        alias="from", pattern=DATE_PATTERN, description="First day (default: 6 days before `to`)."
    ),
    SupportedDay,
]
ToParam = Annotated[
    str | None,
    Query(
        alias="to",
        pattern=DATE_PATTERN,
        description="Last day (default: today, UTC; KS_TODAY when set, unless it lies after "
        "the real date, after which no answer is recorded yet).",
    ),
    SupportedDay,
]


@router.get(
    "/v1/receipts/{receipt}",
    response_model=ReceiptRecord,
    summary="What exactly was answered under a receipt",
    responses=problem_responses(400, 401, 403, 404),
)
def get_receipt(
    receipt: ReceiptPath,
    session: SessionDep,
    page: PageDep,
    log: AnswerLogDep,
    principal: Annotated[Principal, Depends(require(Permission.READ_RECEIPTS))],
) -> Response:
    """The article version, the text as rendered for each channel it was served on, the
    citations, and each serving (newest first) with the findings open at that moment; for a
    hand-off, what the bot had (candidates, intent) and why it stopped."""
    record = lookup_receipt(
        session, receipt, limit=page.limit, offset=page.offset, log=log,
        with_questions=principal.role in (Role.OWNER, Role.ADMIN),
    )  # fmt: skip
    return json_response(record)


@router.post(
    "/v1/feedback",
    response_model=FeedbackPublic,
    status_code=201,
    summary="Rate a served answer (agents may name the article they used instead)",
    responses={
        200: {
            "model": FeedbackPublic,
            "description": "The conversation's earlier rating of this answer, replaced",
        },
        **problem_responses(400, 401, 403, 404, 413),
    },
)
def post_feedback(
    body: FeedbackCreate,
    session: SessionDep,
    log: AnswerLogDep,
    principal: Annotated[Principal, Depends(require(Permission.GIVE_FEEDBACK))],
) -> Response:
    """Wrong and outdated feedback puts the article in its owner's review queue. The comment
    is redacted before it is stored. Only staff (agent keys and up) name an article used
    instead, and rate an answer given on the agent channel: either would tell a bot which
    internal article ids exist."""
    if body.used_article_id is not None and principal.role == Role.BOT:
        raise PermissionDeniedError("a bot key may not name an article used instead")
    saved = analytics.record_feedback(
        session, body, caller=principal.name, log=log,
        customer_channels_only=principal.role == Role.BOT,
        published_only=principal.reads_served_only,
    )  # fmt: skip
    return json_response(saved, 200 if saved.replaced else 201)


def _range(settings: Settings, start: str | None, end: str | None) -> tuple[date, date]:
    """The days asked for; ``to`` defaults to the last day the answer log can hold
    (:func:`~knowledge_service.clock.last_answer_day`), as on the insights page."""
    return analytics.day_range(start, end, today=clock.last_answer_day(settings))


@router.get(
    "/v1/metrics/summary",
    response_model=MetricsSummary,
    summary="The measures leaders steer by, per day",
    responses=problem_responses(400, 401, 403),
)
def get_summary(
    session: SessionDep,
    settings: SettingsDep,
    _: Annotated[Principal, Depends(require(Permission.READ_MEASURES))],
    start: FromParam = None,
    end: ToParam = None,
    channel: Channel | None = None,
    intent: Annotated[str | None, Query(pattern=INTENT_PATTERN, max_length=200)] = None,
) -> Response:
    """Answer, no-answer and escalation rates (by reason), overrides, helpful and wrong rates,
    stale answers, repeat questions, risk incidents and demand by intent and channel."""
    first, last = _range(settings, start, end)
    summary = analytics.summarize(
        session, first, last, channel=str(channel) if channel else None, intent=intent
    )
    return json_response(summary, by_alias=True)


@router.get(
    "/v1/metrics/gaps",
    response_model=list[Gap],
    summary="Content gaps: clusters of the questions no article answers",
    responses=problem_responses(400, 401, 403),
)
def get_gaps(
    session: SessionDep,
    settings: SettingsDep,
    search: SearchServiceDep,
    _: Annotated[Principal, Depends(require(Permission.READ_MEASURES))],
    start: FromParam = None,
    end: ToParam = None,
    limit: Annotated[int, Query(ge=1, le=50, description="How many gaps (1..50).")] = 10,
    channel: Channel | None = None,
    intent: Annotated[str | None, Query(pattern=INTENT_PATTERN, max_length=200)] = None,
) -> list[Gap]:
    """The biggest clusters (by meaning) of questions no article answers (no_answer, or a
    confidence under the no-answer threshold; not an escalation above it, such as voice's
    low_confidence), each with its distinct questions (`size`), `asks`, redacted examples and
    the nearest article. `channel` and `intent` narrow the questions as they narrow the
    summary (a question's intent is that of the article it came nearest to)."""
    first, last = _range(settings, start, end)
    return analytics.content_gaps(
        session, search, first, last,
        confidence_below=settings.answers.no_answer_threshold, limit=limit,
        channel=str(channel) if channel else None, intent=intent,
    )  # fmt: skip


@router.get(
    "/v1/export/{table}",
    summary="The answer log or the feedback for BI (CSV, JSON Lines or Parquet, redacted)",
    responses={
        200: {
            "content": {media: {} for media in MEDIA_TYPES.values()},
            "description": "The rows, oldest first, as an attachment.",
        },
        **problem_responses(400, 401, 403),
    },
    response_class=StreamingResponse,
)
def export_rows(
    table: Annotated[
        ExportTable, Path(description="`answers` (the answer log) or `feedback` (the ratings).")
    ],
    session: SessionDep,
    _: Annotated[Principal, Depends(require(Permission.READ_MEASURES))],
    fmt: Annotated[
        ExportFormat, Query(alias="format", description="`csv`, `jsonl` or `parquet`.")
    ] = ExportFormat.CSV,
    since: Annotated[
        str | None,
        Query(max_length=40, json_schema_extra={"format": "date-time"},
              description="Only rows at or after this ISO 8601 date or timestamp (UTC when it "
              "names no zone), e.g. 2026-11-24T09:00:00Z; default: every row the store keeps."),
        SupportedDay,
    ] = None,
) -> StreamingResponse:  # fmt: skip
    """The same file `knowledge-service export-events` writes, with the same columns (README,
    "Measures, receipts and personal data"): questions and comments redacted, conversation ids
    as pseudonyms, formula cells inert in CSV."""
    start = None if since is None else clock.parse_instant("since", since)
    return export_download(session, table, fmt, start, name=str(table))


@router.get(
    "/v1/events",
    summary="A live stream of answer events (server-sent events, redacted)",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The stream."},
        **problem_responses(400, 401, 403, 503),
    },
    response_class=StreamingResponse,
)
async def stream_events(
    request: Request,
    hub: EventHubDep,
    _: Annotated[Principal, Depends(require(Permission.READ_MEASURES))],
) -> StreamingResponse:
    """One `answer` event per answer or search as it is written to the log. The stream ends
    when the client leaves, the server stops (a client reconnects, to another replica) or the
    key is revoked (looked at again every 5 s: the stream ends within about 10 s). A
    server process holds at most `KS_ANALYTICS__MAX_STREAMS` streams (default 100): one more is
    refused with 503 `service-busy` and `Retry-After`."""

    subscription = hub.add()  # refused (503) before the stream starts when the feed is full
    loop = asyncio.get_running_loop()

    async def events() -> AsyncIterator[str]:
        checked = loop.time()
        try:
            yield ": connected\n\n"
            while not await request.is_disconnected():
                event = await subscription.next(KEEP_ALIVE_SECONDS)  # holds no thread
                if subscription.is_closed:  # the server is stopping: end like any response
                    break
                if loop.time() - checked >= KEY_CHECK_SECONDS:
                    if not await key_still_valid(request):  # revoked: the stream ends
                        break
                    checked = loop.time()
                if event is None:
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: answer\ndata: {json.dumps(event, default=str)}\n\n"
                await asyncio.sleep(0)
        finally:
            hub.remove(subscription)

    return StreamingResponse(events(), media_type="text/event-stream")


@router.get(
    "/metrics",
    summary="Operational metrics (Prometheus text format)",
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text, version 0.0.4."},
        **problem_responses(400, 401, 403),
    },
    response_class=Response,
)
def prometheus_metrics(
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.READ_MEASURES))],
) -> Response:
    """Request latency per route, answers by status and reason, index size, open findings by
    kind, and the answer log's queue depth and drops."""
    return Response(request.app.state.metrics.render(), media_type="text/plain; version=0.0.4")
