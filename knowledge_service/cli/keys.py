"""CLI commands: ``keys create|list|revoke|set-person`` (API keys for the HTTP API)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.cli.common import local_operator
from knowledge_service.cli.help import HelpGroup
from knowledge_service.cli.options import named_as_options, whole_number
from knowledge_service.cli.output import TextTable, console, err_console, print_table
from knowledge_service.cli.store import engine, existing_engine
from knowledge_service.content import repository as content_repository
from knowledge_service.db import session_scope

_OPTIONS = {
    "name": "--name", "owner": "--owner", "person": "--person",
    "expires_in_days": "--expires-in-days",
}  # fmt: skip
"""The option of each field a key's creation may refuse."""
keys_app = typer.Typer(
    cls=HelpGroup, help="Manage API keys (only their hashes are stored).", no_args_is_help=True
)


@keys_app.command("create")
def create(
    role: Annotated[Role, typer.Option(help="What the key may do.", case_sensitive=False)],
    name: Annotated[str, typer.Option(help="A unique name: who or what uses the key.")],
    owner: Annotated[
        str | None,
        typer.Option(help="For owner keys: the article 'owner' value the key acts for."),
    ] = None,
    expires_in_days: Annotated[
        int | None,
        typer.Option(
            **whole_number(1, access.MAX_EXPIRY_DAYS),
            help="The key stops working this many days from now (default: never).",
        ),
    ] = None,
    person: Annotated[
        str | None,
        typer.Option(
            help="Who holds the key (their e-mail address, say), the same for each key one "
            "person holds: four eyes never let a person approve their own edit, whichever "
            "key made it (default: the key's name, a person of its own).",
        ),
    ] = None,
) -> None:  # fmt: skip
    """Create a key and print it once; it cannot be shown again."""
    with named_as_options(_OPTIONS), session_scope(engine()) as session:
        issued = access.create_key(
            session, name=name, role=role, owner=owner, expires_in_days=expires_in_days,
            person=person, actor=local_operator(),
        )  # fmt: skip
        owned = owner is not None and any(
            row.owner == owner for row in content_repository.current_article_versions(session)
        )
    expiry = issued.key.expires_at
    until = f", expires {_when(expiry)} UTC" if expiry else ""
    err_console.print(
        f"Created {issued.key.role} key [bold]{escape(issued.key.name)}[/] (prefix "
        f"{escape(issued.key.prefix)}{until}). Store it now: it is shown only once."
    )
    if owner is not None and not owned:  # a typo acts for nobody, silently
        err_console.print(
            f"warning: no article has owner {escape(owner)!r} yet; the key acts only for "
            "articles whose 'owner' is exactly that value."
        )
    typer.echo(issued.secret)


@keys_app.command("list")
def list_keys(
    include_revoked: Annotated[
        bool, typer.Option("--all/--active", help="Include revoked and expired keys.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List keys (never their secrets)."""
    with session_scope(existing_engine()) as session:
        keys = access.list_keys(session, include_revoked=include_revoked)
    if as_json:
        rows = [
            {"name": k.name, "prefix": k.prefix, "role": str(k.role), "owner": k.owner,
             "person": k.person, "created_at": k.created_at.isoformat(),
             "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
             "expires_at": k.expires_at.isoformat() if k.expires_at else None}
            for k in keys
        ]  # fmt: skip
        typer.echo(json.dumps(rows, indent=2))
        return
    table = TextTable(
        "name", "prefix", "role", "owner", "person", "created", "revoked", "expires"
    )  # fmt: skip
    for key in keys:
        table.add_row(
            key.name,
            key.prefix,
            str(key.role),
            key.owner or "",
            key.person,
            _when(key.created_at),
            _when(key.revoked_at),
            _when(key.expires_at),
        )
    print_table(table)


def _when(at: datetime | None) -> str:
    """A listing's time, UTC to the minute; empty for none."""
    return at.strftime("%Y-%m-%d %H:%M") if at else ""


@keys_app.command("revoke")
def revoke(
    name_or_prefix: Annotated[str, typer.Argument(help="The key's name or its prefix.")],
) -> None:
    """Revoke a key; every server refuses it within 5 seconds (their key caches)."""
    with session_scope(existing_engine()) as session:
        key = access.revoke_key(session, name_or_prefix, actor=local_operator())
    console.print(escape(f"Revoked key {key.name} ({key.prefix})."))


@keys_app.command("set-person")
def set_person(
    name_or_prefix: Annotated[str, typer.Argument(help="The key's name or its prefix.")],
    person: Annotated[
        str, typer.Option(help="Who holds the key: the same for each key one person holds.")
    ],
) -> None:
    """Say who holds a key (revoked ones too, for the edits they made); four eyes compare it."""
    with named_as_options(_OPTIONS), session_scope(existing_engine()) as session:
        key = access.set_person(session, name_or_prefix, person, actor=local_operator())
    console.print(escape(f"Key {key.name} ({key.prefix}) is held by {key.person}."))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(keys_app, name="keys")
