"""CLI commands ``review`` (the review queue), ``audit`` (the audit trail) and ``export`` (the
store written back as Markdown files). They call the same services as the HTTP API."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.markup import escape

from knowledge_service import clock
from knowledge_service.analytics.schemas import Gap
from knowledge_service.cli.after_write import open_search_service
from knowledge_service.cli.common import file_errors, sigterm_as_interrupt
from knowledge_service.cli.config import settings
from knowledge_service.cli.content import LOCAL_CALLER
from knowledge_service.cli.options import (
    article_id_filter,
    instant_option,
    named_as_options,
    path_argument,
    policy_id_filter,
    visible_filter,
    whole_number,
)
from knowledge_service.cli.output import TextTable, console, err_console, print_table
from knowledge_service.cli.store import existing_engine
from knowledge_service.db import MAX_OFFSET, session_scope
from knowledge_service.errors import InvalidRequestError
from knowledge_service.index.protocols import Embedder
from knowledge_service.index.schemas import SearchHit
from knowledge_service.index.service import SearchService
from knowledge_service.review import audit_log, queue
from knowledge_service.review.export import export_knowledge
from knowledge_service.review.export_files import PlacedNotRecorded
from knowledge_service.review.queue_schemas import (
    AuditFilters,
    AuditObject,
    QueueFilters,
    QueueKindFilter,
)

_JSON = typer.Option(False, "--json", help="Print JSON.")
_LIMIT = typer.Option(50, "--limit", **whole_number(1, 1000), help="Items per page (1..1000).")
_OFFSET = typer.Option(0, "--offset", **whole_number(0, MAX_OFFSET), help="Items to skip.")


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class _SearchWhenNeeded:
    """The search service, opened (the model loaded, the index brought level) only if finding
    the content gaps needs it: a store with no weak questions in the week never does."""

    def __init__(self) -> None:
        self._service: SearchService | None = None

    def _open(self) -> SearchService:
        if self._service is None:
            self._service = open_search_service()
        return self._service

    @property
    def embedder(self) -> Embedder:
        return self._open().embedder

    def search(self, query: str, *, top_k: int = 10) -> Sequence[SearchHit]:
        return self._open().search(query, top_k=top_k)


def review_command(
    owner: str | None = typer.Option(
        None, "--owner", help="Only this owner's items.", callback=visible_filter
    ),
    kind: QueueKindFilter | None = typer.Option(
        None, "--kind", help="Only this kind of item, or of finding (policy_mismatch, ...)."
    ),
    limit: int = _LIMIT,
    offset: int = _OFFSET,
    as_json: bool = _JSON,
) -> None:
    """The review queue: what needs a content owner's attention, most urgent first (with the
    whole queue, the content gaps of the last week: questions no article answered confidently)."""
    cfg = settings()
    today = clock.today(cfg)
    with session_scope(existing_engine()) as session:
        gaps: list[Gap] = []
        if owner is None and kind in (None, QueueKindFilter.CONTENT_GAP):
            gaps = queue.recent_gaps(  # the answer log's week: never after the real date
                session, _SearchWhenNeeded(), clock.last_answer_day(cfg),
                confidence_below=cfg.answers.no_answer_threshold,
            )  # fmt: skip
        items, total = queue.list_queue(
            session, LOCAL_CALLER, QueueFilters(owner=owner, kind=kind),
            today=today, limit=limit, offset=offset, gaps=gaps, workflow=cfg.workflow,
        )  # fmt: skip
    if as_json:
        _echo({"items": [i.model_dump(mode="json") for i in items], "total": total})
        return
    table = TextTable("severity", "due", "kind", "article", "owner", "served", "reason", "actions")
    for i in items:
        due = i.due_on.isoformat() if i.due_on else "-"
        actions = ", ".join(i.actions)
        table.add_row(
            str(i.severity), due, str(i.finding_kind or i.kind),
            i.article_id or (f"policy {i.policy_id}" if i.policy_id else "-"),
            i.owner or "-", str(i.served), i.reason, actions,
        )  # fmt: skip
    print_table(table)
    console.print(f"{len(items)} of {total} item(s).", highlight=False)


def _object(article: str | None, policy: str | None) -> tuple[AuditObject | None, str | None]:
    if article is not None and policy is not None:
        raise InvalidRequestError("--article", "give --article or --policy, not both")
    if article is not None:
        return AuditObject.ARTICLE, article
    return (AuditObject.POLICY, policy) if policy is not None else (None, None)


def audit_command(
    article: str | None = typer.Option(
        None,
        "--article",
        help="Only this article's events and its findings' (acknowledgements, risk acceptances).",
        callback=article_id_filter,
    ),
    policy: str | None = typer.Option(
        None, "--policy", help="Only this policy's events.", callback=policy_id_filter
    ),
    actor: str | None = typer.Option(
        None, "--actor", help="Only this actor's events.", callback=visible_filter
    ),
    since: str | None = typer.Option(None, "--since", help="From this ISO date or timestamp."),
    until: str | None = typer.Option(None, "--until", help="Before this ISO date or timestamp."),
    limit: int = _LIMIT,
    offset: int = _OFFSET,
    as_json: bool = _JSON,
) -> None:
    """The audit trail, newest first: who, when, what, the versions before and after, why."""
    object_type, object_id = _object(article, policy)
    start, end = instant_option("--since", since), instant_option("--until", until)
    if start is not None and end is not None and end < start:  # named as the options are
        raise InvalidRequestError("--until", "must not be before --since")
    filters = AuditFilters(
        object_type, object_id, actor, start, end, with_findings=article is not None
    )
    with session_scope(existing_engine()) as session:
        events, total = audit_log.list_audit_events(
            session, LOCAL_CALLER, filters, limit=limit, offset=offset
        )
    if as_json:
        _echo({"items": [e.model_dump(mode="json") for e in events], "total": total})
        return
    table = TextTable("at", "actor", "via", "action", "object", "before", "after", "reason")
    for e in events:
        table.add_row(
            e.at.isoformat(timespec="seconds"), e.actor, e.via or "-", e.action,
            f"{e.object_type}:{e.object_id}", str(e.version_before or "-"),
            str(e.version_after or "-"), e.reason or "",
        )  # fmt: skip
    print_table(table)
    console.print(f"{len(events)} of {total} event(s).", highlight=False)


def export_command(
    directory: Path = typer.Argument(
        ..., metavar="DIR", help="Where to write the files.", parser=path_argument
    ),
) -> None:
    """Write the current knowledge as DIR/content/**.md and DIR/policies/**.md (importing them
    back changes nothing). The files are written beside DIR and put in place only when all are
    written: an export stopped part-way (Ctrl-C, SIGTERM, an error) leaves DIR as it was."""
    try:
        with (
            file_errors(directory, "export to"),
            sigterm_as_interrupt(),
            named_as_options({"dir": "DIR"}),  # as an empty DIR is named
        ):
            report = export_knowledge(existing_engine(), directory)
    except KeyboardInterrupt as stop:
        _stopped(
            f"Export stopped after its files were put in {directory}, before they were "
            f"recorded: run `knowledge-service export {directory}` again."
            if isinstance(stop, PlacedNotRecorded)
            else f"Export stopped: {directory} was left as it was (nothing exported)."
        )
    console.print(
        escape(
            f"Exported {len(report.articles)} "
            f"{'article' if len(report.articles) == 1 else 'articles'} to {directory / 'content'}"
            f" and {len(report.policies)} "
            f"{'policy' if len(report.policies) == 1 else 'policies'} to {directory / 'policies'}."
        ),
        highlight=False,
    )


def _stopped(line: str) -> NoReturn:
    err_console.print(line, style="red", highlight=False, soft_wrap=True, markup=False)
    raise typer.Exit(130)


def register(app: typer.Typer) -> None:
    """Add ``review``, ``audit`` and ``export`` to the root app."""
    app.command("review")(review_command)
    app.command("audit")(audit_command)
    app.command("export")(export_command)
