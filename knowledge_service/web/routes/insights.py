"""Insights for leaders: the measures as charts over time, and the top content gaps."""

from __future__ import annotations

import csv
import io
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from knowledge_service import clock
from knowledge_service.analytics import service as analytics
from knowledge_service.analytics.export import ExportFormat, ExportTable, RowFilter
from knowledge_service.analytics.intents import unknown_intent
from knowledge_service.http.deps import SearchServiceDep, SessionDep, SettingsDep
from knowledge_service.http.downloads import export_download
from knowledge_service.web.auth import WebUser, page_user
from knowledge_service.web.insights_filters import (
    CHANNELS,
    PERIODS,
    InsightsFilters,
    filters_or_error,
    read_filters,
)
from knowledge_service.web.insights_view import (
    chart_data,
    content_gaps,
    escalation_reasons,
    measures_table,
    summarize,
)
from knowledge_service.web.pages import Page
from knowledge_service.web.templating import NO_STORE, render

router = APIRouter(prefix="/ui/insights", include_in_schema=False)

Leader = Annotated[WebUser, Depends(page_user(Page.INSIGHTS))]


@router.get("", response_class=HTMLResponse)
def insights_page(
    request: Request,
    user: Leader,
    session: SessionDep,
    settings: SettingsDep,
    search: SearchServiceDep,
) -> HTMLResponse:
    """The last ``days`` days up to today, or ``from`` to ``to``, on a ``channel`` and about an
    ``intent`` (all when not given). Today is the last day the answer log can hold
    (:func:`~knowledge_service.clock.last_answer_day`): a ``KS_TODAY`` after the real date does
    not move the period past it. A wrong value is a 400 showing the form and what is wrong
    with it, never the measures of a period nobody asked for."""
    filters, errors = read_filters(
        request.query_params, clock.last_answer_day(settings), partial(unknown_intent, session)
    )
    form = {name: request.query_params.get(name, "") for name in ("from", "to", "intent")}
    shared: dict[str, Any] = {"periods": PERIODS, "channels": CHANNELS}
    if filters is None:
        problems = {name: error.problem for name, error in errors.items()}
        return render(
            request, "insights.html", user=user, active="insights", status_code=400,
            filters=None, errors=problems,
            form=form, **shared,
        )  # fmt: skip
    summary = summarize(
        session, filters.start, filters.end, channel=filters.channel, intent=filters.intent
    )
    given = filters.given  # a date as the form's date field reads it (2026-11-24, not 20261124)
    form["from"] = filters.start.isoformat() if "from" in given else ""
    form["to"] = filters.end.isoformat() if "to" in given else ""
    return render(
        request, "insights.html", user=user, active="insights", summary=summary,
        filters=filters, errors={}, form=form,
        charts=chart_data(summary), reasons=escalation_reasons(summary),
        gaps=content_gaps(
            session, search, filters.start, filters.end,
            confidence_below=settings.answers.no_answer_threshold,
            channel=filters.channel, intent=filters.intent,
        ),
        **shared,
    )  # fmt: skip


def _file_name(what: str, filters: InsightsFilters) -> str:
    """``what``, the period, and the channel and intent when narrowed to them."""
    parts = [what, filters.start.isoformat(), "to", filters.end.isoformat()]
    parts += [v for v in (filters.channel, filters.intent) if v is not None]
    return "-".join(parts)


@router.get("/measures.csv")
def measures_csv(
    request: Request, _: Leader, session: SessionDep, settings: SettingsDep
) -> Response:
    """The page's measures for BI, with the page's filters: one row per day (counts, rates,
    escalations by reason)."""
    filters = filters_or_error(
        request.query_params, clock.last_answer_day(settings), partial(unknown_intent, session)
    )
    summary = summarize(
        session, filters.start, filters.end, channel=filters.channel, intent=filters.intent
    )
    header, rows = measures_table(summary)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    name = _file_name("measures", filters) + ".csv"
    return Response(
        out.getvalue(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )  # fmt: skip


@router.get("/{table}.csv")
def rows_csv(
    table: ExportTable, request: Request, _: Leader, session: SessionDep, settings: SettingsDep
) -> StreamingResponse:
    """The period's rows for BI, with the page's filters: the answer log (``answers.csv``) or
    the ratings (``feedback.csv``), redacted, as ``export-events`` writes them (from the
    period's first day, UTC, to the end of ``to``; to now when no ``to`` is given)."""
    filters = filters_or_error(
        request.query_params, clock.last_answer_day(settings), partial(unknown_intent, session)
    )
    since, end_of_to = analytics.day_bounds(filters.start, filters.end)
    only = RowFilter(
        until=end_of_to if "to" in filters.given else None,
        channel=filters.channel, intent=filters.intent,
    )  # fmt: skip
    return export_download(
        session, table, ExportFormat.CSV, since, _file_name(str(table), filters), only
    )
