"""CLI commands: ``import`` and ``articles|policies list|show|history|diff``.

The read commands are written once for both kinds of document (:func:`build_kind_app`); each
kind adds its columns and its ``list`` options. Off a terminal (a pipe, a file) tables never
wrap: one document, one line, so ``articles list | grep ID`` finds every article.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer
from rich.text import Text

from knowledge_service.access.schemas import LOCAL_PREFIX, Principal, Role
from knowledge_service.cli.help import HelpGroup
from knowledge_service.cli.options import visible_filter, whole_number
from knowledge_service.cli.output import TextTable, console, print_table, visible_controls
from knowledge_service.cli.store import existing_engine
from knowledge_service.content import service
from knowledge_service.content.models import ArticleVersion, PolicyVersion
from knowledge_service.content.service import DocumentFilter, DocumentService
from knowledge_service.db import MAX_VERSION, session_scope
from knowledge_service.errors import InvalidRequestError

LOCAL_CALLER = Principal(name="cli", prefix=LOCAL_PREFIX, role=Role.ADMIN)
"""Who the CLI acts as: the operator of the machine the store is on."""


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _article_row(v: ArticleVersion) -> dict[str, Any]:
    return {
        "id": v.article_id, "version": v.version, "status": v.status, "audience": v.audience,
        "locale": v.locale, "title": v.title, "owner": v.owner, "content_hash": v.content_hash,
        "source": v.source, "author": v.author, "created_at": v.created_at.isoformat(),
    }  # fmt: skip


def _article_parts(v: ArticleVersion) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    doc = v.to_document()
    details = [
        ("intents", ", ".join(doc.intents)),
        ("policy_sources", ", ".join(map(str, doc.policy_sources))),
        ("channels", ", ".join(doc.channels) or "none"),
        ("review", f"{doc.last_reviewed} -> {doc.next_review}"),
    ]
    sections = [(" > ".join(s.path), s.text) for s in doc.sections]
    return details, [("Answer", doc.answer), *sections]


def _policy_row(v: PolicyVersion) -> dict[str, Any]:
    return {
        "id": v.policy_id, "version": v.version, "policy_version": v.policy_version,
        "status": v.status, "effective_date": v.document.get("effective_date"),
        "title": v.title, "owner": v.document.get("owner"), "content_hash": v.content_hash,
        "source": v.source, "author": v.author, "created_at": v.created_at.isoformat(),
    }  # fmt: skip


def _policy_parts(v: PolicyVersion) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    return [], [(f"{c.number} {c.heading}", c.text) for c in v.to_document().clauses]


@dataclass(frozen=True)
class KindCli:
    """One kind's own part of the read commands."""

    service: DocumentService[Any, Any, Any]
    row: Callable[[Any], dict[str, Any]]
    parts: Callable[[Any], tuple[list[tuple[str, str]], list[tuple[str, str]]]]
    """A version's extra details and its (heading, text) parts, for ``show``."""
    columns: dict[str, str]
    """Header -> row key of the ``list`` table."""


ARTICLES = KindCli(
    service.articles, _article_row, _article_parts,
    columns={"id": "id", "v": "version", "status": "status", "audience": "audience",
             "locale": "locale", "owner": "owner", "title": "title"},
)  # fmt: skip
POLICIES = KindCli(
    service.policies, _policy_row, _policy_parts,
    columns={"id": "id", "v": "version", "policy version": "policy_version",
             "status": "status", "effective": "effective_date", "owner": "owner",
             "title": "title"},
)  # fmt: skip


def list_documents(kind: KindCli, filters: DocumentFilter, as_json: bool) -> None:
    """Print the current version of every document matching ``filters``."""
    with session_scope(existing_engine()) as session:
        try:
            page = kind.service.list_page(session, LOCAL_CALLER, filters, limit=None)
        except InvalidRequestError as exc:  # a filter: named as the option that gave it
            raise InvalidRequestError(f"--{exc.parameter}", exc.problem) from None
        rows = [kind.row(v) for v in page.items]
    if as_json:
        _echo_json(rows)
        return
    table = TextTable(*kind.columns)
    for r in rows:
        table.add_row(*(str(r[key]) for key in kind.columns.values()))
    print_table(table)


def show_document(kind: KindCli, doc_id: str, version: int | None, as_json: bool) -> None:
    """Print one version of a document: its fields, then its parts."""
    with session_scope(existing_engine()) as session:
        found = kind.service.read(session, LOCAL_CALLER, doc_id, version).version
    if as_json:
        _echo_json({**kind.row(found), "document": found.document, "raw": found.raw})
        return
    details, parts = kind.parts(found)
    meta = TextTable.grid(padding=(0, 2))
    for key, value in [*kind.row(found).items(), *details]:
        meta.add_row(Text(key, style="bold"), Text(str(value)))
    console.print(meta)
    for heading, text in parts:
        console.print(Text("\n" + heading, style="bold"))
        console.print(Text(text), soft_wrap=True)


def show_history(kind: KindCli, doc_id: str, as_json: bool) -> None:
    """Print every version of a document, oldest first."""
    with session_scope(existing_engine()) as session:
        versions = kind.service.read_history(session, LOCAL_CALLER, doc_id)
    if as_json:
        _echo_json([kind.row(v) for v in versions])
        return
    table = TextTable("version", "created_at", "status", "author", "source", "hash", title=doc_id)
    for v in versions:
        when = v.created_at.isoformat(timespec="seconds")
        table.add_row(str(v.version), when, str(v.status), v.author, v.source, v.content_hash[:12])
    print_table(table)


def show_diff(kind: KindCli, doc_id: str, v1: int, v2: int) -> None:
    """Unified diff of the stored text of two versions (coloured on a terminal)."""
    with session_scope(existing_engine()) as session:
        diff = kind.service.diff(session, doc_id, v1, v2)
    if not console.is_terminal:
        typer.echo(visible_controls(diff), nl=False)  # piped: not through the console
        return
    styles = {"+": "green", "-": "red", "@": "cyan"}
    for line in diff.splitlines():
        style = "bold" if line.startswith(("+++", "---")) else styles.get(line[:1], "")
        console.print(Text(line, style=style), soft_wrap=True, highlight=False)


_JSON = typer.Option(False, "--json", help="Print JSON.")
_ID = typer.Argument(..., metavar="ID")


def list_articles(
    status: str | None = typer.Option(None, help="Only this status (draft, published, retired)."),
    owner: str | None = typer.Option(
        None, help="Only articles of this owner.", callback=visible_filter
    ),
    as_json: bool = _JSON,
) -> None:
    """List the current version of every article."""
    list_documents(ARTICLES, DocumentFilter(status=status, owner=owner), as_json)


def list_policies(
    status: str | None = typer.Option(None, help="Only this status (active, draft, retired)."),
    as_json: bool = _JSON,
) -> None:
    """List the current version of every policy source."""
    list_documents(POLICIES, DocumentFilter(status=status), as_json)


def build_kind_app(kind: KindCli, list_command: Callable[..., None]) -> typer.Typer:
    """The ``list`` (the kind's own options), ``show``, ``history`` and ``diff`` commands."""
    plural = kind.service.kind.plural
    verify = "verify, " if kind.service.kind.name == "article" else ""  # articles only
    app = typer.Typer(
        cls=HelpGroup,
        help=f"Read {plural} and their versions; take them through the workflow (draft, edit, "
        f"submit, approve, reject, discard, retire, restore, {verify}reassign).",
        no_args_is_help=True,
    )
    app.command("list")(list_command)

    @app.command("show")
    def show(
        doc_id: str = _ID,
        version: int | None = typer.Option(
            None, "--version", "-v", **whole_number(1, MAX_VERSION), help="A stored version."
        ),
        as_json: bool = _JSON,
    ) -> None:
        """Show one version (the current one by default)."""
        show_document(kind, doc_id, version, as_json)

    @app.command("history")
    def history(doc_id: str = _ID, as_json: bool = _JSON) -> None:
        """List every version, oldest first."""
        show_history(kind, doc_id, as_json)

    @app.command("diff")
    def diff(
        doc_id: str = _ID,
        v1: int = typer.Argument(..., metavar="V1", **whole_number(1, MAX_VERSION)),
        v2: int = typer.Argument(..., metavar="V2", **whole_number(1, MAX_VERSION)),
    ) -> None:
        """Unified diff of the stored text of two versions (coloured on a terminal)."""
        show_diff(kind, doc_id, v1, v2)

    return app


articles_app = build_kind_app(ARTICLES, list_articles)
policies_app = build_kind_app(POLICIES, list_policies)


def register(app: typer.Typer) -> None:
    """Add ``import`` and the ``articles`` and ``policies`` groups to the root app."""
    app.add_typer(articles_app, name="articles")
    app.add_typer(policies_app, name="policies")
