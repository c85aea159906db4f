"""Insights for leaders: the measures as charts over time, and the top content gaps."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from knowledge_service import clock
from knowledge_service.analytics import service as analytics
from knowledge_service.analytics.export import ExportFormat, ExportTable
from knowledge_service.http.deps import SearchServiceDep, SessionDep, SettingsDep
from knowledge_service.http.downloads import export_download
from knowledge_service.settings import Settings
from knowledge_service.web.auth import WebUser, page_user
from knowledge_service.web.insights_view import (
    PERIODS,
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
Days = Annotated[int, Query(ge=1, le=366)]


def _period(settings: Settings, days: int) -> tuple[date, date]:
    """The first and last day of the last ``days`` days up to today."""
    end = clock.today(settings)
    return end - timedelta(days=days - 1), end


@router.get("", response_class=HTMLResponse)
def insights_page(
    request: Request,
    user: Leader,
    session: SessionDep,
    settings: SettingsDep,
    search: SearchServiceDep,
    days: Days = PERIODS[0],
) -> HTMLResponse:
    """The last ``days`` days up to today."""
    start, end = _period(settings, days)
    summary = summarize(session, start, end)
    return render(
        request, "insights.html", user=user, active="insights", summary=summary,
        charts=chart_data(summary), reasons=escalation_reasons(summary),
        gaps=content_gaps(
            session, search, start, end,
            confidence_below=settings.answers.no_answer_threshold,
        ),
        days=days, periods=PERIODS,
    )  # fmt: skip


@router.get("/measures.csv")
def measures_csv(
    _: Leader, session: SessionDep, settings: SettingsDep, days: Days = PERIODS[0]
) -> Response:
    """The page's measures for BI: one row per day (counts, rates, escalations by reason)."""
    start, end = _period(settings, days)
    header, rows = measures_table(summarize(session, start, end))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    name = f"measures-{start.isoformat()}-to-{end.isoformat()}.csv"
    return Response(
        out.getvalue(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )  # fmt: skip


@router.get("/{table}.csv")
def rows_csv(
    table: ExportTable, _: Leader, session: SessionDep, settings: SettingsDep,
    days: Days = PERIODS[0],
) -> StreamingResponse:  # fmt: skip
    """The period's rows for BI: the answer log (``answers.csv``) or the ratings
    (``feedback.csv``), redacted, as ``export-events`` writes them (from the period's first
    day, UTC, to now)."""
    start, end = _period(settings, days)
    since = analytics.day_bounds(start, end)[0]
    name = f"{table}-{start.isoformat()}-to-{end.isoformat()}"
    return export_download(session, table, ExportFormat.CSV, since, name)
