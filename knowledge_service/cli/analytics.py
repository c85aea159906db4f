"""CLI commands for leaders and BI: ``report``, ``export-events``, ``purge-logs``."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from knowledge_service import clock
from knowledge_service.analytics import service as analytics
from knowledge_service.analytics.export import (
    ExportFormat,
    ExportTable,
    export_events,
)
from knowledge_service.analytics.log import PSEUDONYM_KEY_FILE
from knowledge_service.analytics.schemas import MetricsSummary, Rates
from knowledge_service.cli.common import file_errors
from knowledge_service.cli.config import settings
from knowledge_service.cli.options import day_option, instant_option, path_argument
from knowledge_service.cli.output import (
    TextTable,
    console,
    err_console,
    fail,
    phase_progress,
    print_table,
)
from knowledge_service.cli.store import existing_engine
from knowledge_service.content.schemas import Channel
from knowledge_service.db import session_scope
from knowledge_service.keyfile import load_key


def _percent(rates: Rates, name: str) -> str:
    """The rate ``name`` as a percentage with one decimal, from the counts (not the 4-place
    rate: that would round twice)."""
    rate = analytics.exact_rate(rates, name)
    return "-" if rate is None else f"{rate * 100:.1f}%"


def _print_summary(summary: MetricsSummary) -> None:
    totals = summary.totals
    console.print(
        f"{summary.start} to {summary.end}: {totals.answers} questions, {totals.searches} searches"
    )
    table = TextTable("day", "questions", "answered", "no answer", "escalated", "stale", "repeat",
                  "helpful", "wrong", "overrides", "risk")  # fmt: skip
    for d in [*summary.days, totals]:
        table.add_row(
            str(getattr(d, "day", "total")), str(d.answers), _percent(d, "answer_rate"),
            _percent(d, "no_answer_rate"), _percent(d, "escalation_rate"),
            _percent(d, "stale_answer_rate"), _percent(d, "repeat_rate"),
            _percent(d, "helpful_rate"), _percent(d, "wrong_rate"), _percent(d, "override_rate"),
            str(d.risk_incidents),
        )  # fmt: skip
    print_table(table)
    for reason, count in sorted(totals.escalations_by_reason.items()):
        console.print(escape(f"escalated, {reason}: {count}"))
    for incident in summary.risk_incidents:
        console.print(
            "[red]risk incident[/red] "
            + escape(
                f"{incident.article_id} v{incident.version}: {incident.customers_told} customers "
                f"({incident.answers} answers) before {incident.finding_kind} was found at "
                f"{incident.found_at:%Y-%m-%d %H:%M}"
            )
        )


def report(
    start: Annotated[
        str | None, typer.Option("--from", help="First day (ISO; default the 7 days ending --to).")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Last day (ISO; default today, UTC, or KS_TODAY when set, unless it lies after "
            "the real date: no answer is recorded after it).",
        ),
    ] = None,
    channel: Annotated[Channel | None, typer.Option(help="Only this channel.")] = None,
    intent: Annotated[str | None, typer.Option(help="Only this intent.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The measures leaders steer by: answer, escalation, override and wrong rates per day."""
    for option, value in (("--from", start), ("--to", end)):
        if value is not None:
            day_option(option, value)  # refused in the words of every command's day
    today = clock.last_answer_day(settings())
    first, last = analytics.day_range(start, end, today=today, names=("--from", "--to"))
    with session_scope(existing_engine()) as session:
        summary = analytics.summarize(session, first, last, channel=channel, intent=intent)
    if as_json:
        typer.echo(json.dumps(summary.model_dump(mode="json", by_alias=True), indent=2))
    else:
        _print_summary(summary)


def _typed_path(value: str) -> str:
    """A path argument as typed (refused when empty, as :func:`path_argument` does), kept as
    text: whether it ends with a separator says it names a folder."""
    path_argument(value)
    return value


def export_events_command(
    out_typed: Annotated[
        str, typer.Argument(metavar="OUT", help="File to write.", parser=_typed_path)
    ],
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format", help="csv, jsonl or parquet (default: the file's extension, else csv)."
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only rows at or after this ISO date or time.")
    ] = None,
    table: Annotated[
        ExportTable,
        typer.Option(
            "--table", help="answers (the answer log) or feedback (the ratings of answers)."
        ),
    ] = ExportTable.ANSWERS,
) -> None:
    """Write the answer log, or the feedback, (redacted) for BI tools."""
    start = instant_option("--since", since)
    out = Path(out_typed)
    # a trailing separator (exports/) names a folder, even one not made yet: Path drops it,
    # so such an OUT once became a file of the folder's name
    if out.is_dir() or out_typed.endswith(("/", os.sep)):
        raise fail(f"OUT {out_typed} is a folder: give the file to write")
    fmt = fmt or _format_of(out)
    with session_scope(existing_engine()) as session, file_errors(out, "write"):
        count = export_events(session, out, fmt, since=start, table=table)
    what = "events" if table == ExportTable.ANSWERS else "ratings"
    err_console.print(escape(f"{count} {what} written to {out}"))


def _format_of(out: Path) -> ExportFormat:
    """The format a file's extension names (``events.jsonl``: JSON lines); csv otherwise."""
    try:
        return ExportFormat(out.suffix.lower().removeprefix("."))
    except ValueError:
        return ExportFormat.CSV


def _on_terminal() -> bool:
    """Whether the messages go to a terminal (a pipe or a log gets no progress bar)."""
    return err_console.is_terminal


def purge_logs() -> None:
    """Delete answer logs and feedback older than KS_LOG_RETENTION_DAYS (and store as
    pseudonyms any conversation ids an earlier release kept as sent)."""
    days = settings().log_retention_days
    store = existing_engine()
    key = load_key(settings().data_dir, PSEUDONYM_KEY_FILE)  # one that is no key: before a purge
    with ExitStack() as stack:
        progress = None
        if _on_terminal():  # a large backlog takes minutes, in many pieces: a bar shows them
            update = stack.enter_context(phase_progress())

            def progress(done: int, total: int) -> None:
                update("Purging expired logs", done, total)

        events, feedback = analytics.purge_expired(store, retention_days=days, progress=progress)
    err_console.print(
        f"purged {events} answer events and {feedback} feedback older than {days} days"
    )
    if renamed := analytics.pseudonymise_stored_ids(store, key):
        err_console.print(f"stored {renamed} conversation ids kept as sent as pseudonyms")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("report")(report)
    app.command("export-events")(export_events_command)
    app.command("purge-logs")(purge_logs)
