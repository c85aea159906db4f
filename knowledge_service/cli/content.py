"""CLI commands: ``import``, ``articles list|show|history|diff`` and ``policies list|show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from rich.text import Text

from knowledge_service.cli.common import (
    after_write,
    console,
    engine,
    err_console,
    print_finding_counts,
    settings,
    store_marks,
)
from knowledge_service.content import service
from knowledge_service.content.models import ArticleVersion, PolicyVersion
from knowledge_service.content.service import ImportReport
from knowledge_service.db import session_scope

articles_app = typer.Typer(help="Read articles and their versions.", no_args_is_help=True)
policies_app = typer.Typer(help="Read policy sources and their versions.", no_args_is_help=True)

_PHASES = {"read": "Reading files", "write": "Writing versions"}


def _default_paths() -> list[Path]:
    found = []
    for folder in (settings().content_dir, settings().policies_dir):
        if folder.exists():
            found.append(folder)
        else:
            err_console.print(f"[yellow]skipping {folder}: no such folder[/yellow]")
    return found


def _run_import(paths: list[Path]) -> ImportReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def on_progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(_PHASES.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        return service.import_content(
            engine(), paths, max_file_bytes=settings().max_file_bytes, progress=on_progress
        )


def _summary(report: ImportReport) -> Table:
    table = Table(title="Import summary")
    table.add_column("kind")
    for name in ("created", "updated", "unchanged", "retired", "invalid"):
        table.add_column(name, justify="right")
    kinds = (("articles", "article", report.articles), ("policies", "policy", report.policies))
    for kind, singular, part in kinds:
        invalid = sum(1 for f in report.invalid if f.kind == singular)
        counts = (part.created, part.updated, part.unchanged, part.retired)
        table.add_row(kind, *(str(len(ids)) for ids in counts), str(invalid))
    return table


def import_command(
    paths: list[Path] = typer.Argument(
        None, help="Folders or files (default: the content and policies folders)."
    ),
) -> None:
    """Import Markdown articles and policies into the versioned store, then sync the search
    index and re-check what changed."""
    marks = store_marks()
    report = _run_import(list(paths) if paths else _default_paths())
    for invalid in report.invalid:
        err_console.print(Text(f"invalid: {invalid.message}", style="red"), soft_wrap=True)
    console.print(_summary(report))
    print_finding_counts(after_write(marks))
    if report.has_invalid:
        raise typer.Exit(code=1)


def _article_row(v: ArticleVersion) -> dict[str, Any]:
    return {
        "id": v.article_id,
        "version": v.version,
        "status": v.status,
        "audience": v.audience,
        "locale": v.locale,
        "title": v.title,
        "owner": v.owner,
        "content_hash": v.content_hash,
        "source": v.source,
        "author": v.author,
        "created_at": v.created_at.isoformat(),
    }


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@articles_app.command("list")
def list_articles(
    status: str | None = typer.Option(None, help="Only this status (draft, published, retired)."),
    owner: str | None = typer.Option(None, help="Only articles of this owner."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the current version of every article."""
    with session_scope(engine()) as session:
        rows = [_article_row(v) for v in service.list_articles(session, status=status, owner=owner)]
    if as_json:
        _echo_json(rows)
        return
    table = Table(
        Column("id", overflow="fold"), "v", "status", "audience", "locale", "owner", "title"
    )
    for r in rows:
        table.add_row(
            r["id"],
            str(r["version"]),
            r["status"],
            r["audience"],
            r["locale"],
            r["owner"],
            r["title"],
        )
    console.print(table)


@articles_app.command("show")
def show_article(
    article_id: str = typer.Argument(..., metavar="ID"),
    version: int | None = typer.Option(None, "--version", "-v", help="A stored version number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one version of an article (the current one by default)."""
    with session_scope(engine()) as session:
        found = service.get_article(session, article_id, version)
    if as_json:
        _echo_json({**_article_row(found), "document": found.document, "raw": found.raw})
        return
    doc = found.to_document()
    meta = Table.grid(padding=(0, 2))
    for key, value in _article_row(found).items():
        meta.add_row(Text(key, style="bold"), Text(str(value)))
    meta.add_row(Text("intents", style="bold"), Text(", ".join(doc.intents)))
    meta.add_row(
        Text("policy_sources", style="bold"), Text(", ".join(map(str, doc.policy_sources)))
    )
    meta.add_row(Text("channels", style="bold"), Text(", ".join(doc.channels)))
    meta.add_row(Text("review", style="bold"), Text(f"{doc.last_reviewed} -> {doc.next_review}"))
    console.print(meta)
    console.print(Text("\nAnswer", style="bold"))
    console.print(Text(doc.answer), soft_wrap=True)
    for section in doc.sections:
        console.print(Text("\n" + " > ".join(section.path), style="bold"))
        console.print(Text(section.text), soft_wrap=True)


@articles_app.command("history")
def article_history(article_id: str = typer.Argument(..., metavar="ID")) -> None:
    """List every version of an article, oldest first."""
    with session_scope(engine()) as session:
        versions = service.article_history(session, article_id)
    table = Table("version", "created_at", "status", "author", "source", "hash", title=article_id)
    for v in versions:
        table.add_row(
            str(v.version),
            v.created_at.isoformat(timespec="seconds"),
            v.status,
            v.author,
            v.source,
            v.content_hash[:12],
        )
    console.print(table)


@articles_app.command("diff")
def diff_article(
    article_id: str = typer.Argument(..., metavar="ID"),
    v1: int = typer.Argument(..., metavar="V1"),
    v2: int = typer.Argument(..., metavar="V2"),
) -> None:
    """Unified diff of the stored text of two versions (coloured on a terminal)."""
    with session_scope(engine()) as session:
        diff = service.diff_article(session, article_id, v1, v2)
    if not console.is_terminal:
        typer.echo(diff, nl=False)
        return
    styles = {"+": "green", "-": "red", "@": "cyan"}
    for line in diff.splitlines():
        style = "bold" if line.startswith(("+++", "---")) else styles.get(line[:1], "")
        console.print(Text(line, style=style), soft_wrap=True, highlight=False)


def _policy_row(v: PolicyVersion) -> dict[str, Any]:
    return {
        "id": v.policy_id,
        "version": v.version,
        "policy_version": v.policy_version,
        "status": v.status,
        "effective_date": v.document.get("effective_date"),
        "title": v.title,
        "content_hash": v.content_hash,
        "source": v.source,
        "created_at": v.created_at.isoformat(),
    }


@policies_app.command("list")
def list_policies(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the current version of every policy source."""
    with session_scope(engine()) as session:
        rows = [_policy_row(v) for v in service.list_policies(session)]
    if as_json:
        _echo_json(rows)
        return
    table = Table(
        Column("id", overflow="fold"), "v", "policy version", "status", "effective", "title"
    )
    for r in rows:
        table.add_row(
            r["id"],
            str(r["version"]),
            r["policy_version"],
            r["status"],
            str(r["effective_date"]),
            r["title"],
        )
    console.print(table)


@policies_app.command("show")
def show_policy(
    policy_id: str = typer.Argument(..., metavar="ID"),
    version: int | None = typer.Option(None, "--version", "-v", help="A stored version number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one version of a policy source and its clauses."""
    with session_scope(engine()) as session:
        found = service.get_policy(session, policy_id, version)
    if as_json:
        _echo_json({**_policy_row(found), "document": found.document, "raw": found.raw})
        return
    meta = Table.grid(padding=(0, 2))
    for key, value in _policy_row(found).items():
        meta.add_row(Text(key, style="bold"), Text(str(value)))
    console.print(meta)
    for clause in found.to_document().clauses:
        console.print(Text(f"\n{clause.number} {clause.heading}", style="bold"))
        console.print(Text(clause.text), soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``import`` and the ``articles`` and ``policies`` groups to the root app."""
    app.command("import")(import_command)
    app.add_typer(articles_app, name="articles")
    app.add_typer(policies_app, name="policies")
