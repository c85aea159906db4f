"""CLI commands: ``db upgrade|status|revision`` (the store's schema migrations)."""

from __future__ import annotations

from typing import Annotated

import typer

from knowledge_service import migrations
from knowledge_service import models_registry as _tables  # noqa: F401 - every table's model
from knowledge_service.cli.common import store_engine
from knowledge_service.cli.help import HelpGroup

db_app = typer.Typer(cls=HelpGroup, help="The store's schema: migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Bring the store's schema to this release's revision (creates an empty store)."""
    engine = store_engine()
    try:
        before = migrations.upgrade_store(engine)
    finally:
        engine.dispose()
    if before.is_current:
        typer.echo(f"The store is at revision {before.head} already.")
    elif before.is_empty:
        typer.echo(f"Created the store at revision {before.head}.")
    else:
        since = before.current or f"{migrations.BASELINE} (made before migrations)"
        typer.echo(f"Upgraded the store from revision {since} to {before.head}.")


@db_app.command("status")
def status() -> None:
    """Print the store's schema revision and this release's; exit 1 when they differ."""
    engine = store_engine()
    try:
        with engine.connect() as connection:
            found = migrations.schema_status(connection)
    finally:
        engine.dispose()
    current = found.current or ("none (empty store)" if found.is_empty else "none (baseline)")
    typer.echo(f"store: {current}\nthis release: {found.head}")
    if not found.is_current:
        raise typer.Exit(1)


@db_app.command("revision")
def revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the revision changes.")],
) -> None:
    """For developers: write the next revision from the difference between the models and a
    store at the newest revision (``db upgrade`` it first)."""
    engine = store_engine()
    try:
        with engine.connect() as connection:
            found = migrations.schema_status(connection)
        if not found.is_current:
            typer.secho("error: the store is not at the newest revision: run `db upgrade` first",
                        err=True, fg=typer.colors.RED)  # fmt: skip
            raise typer.Exit(2)
        path = migrations.new_revision(engine, message)
    finally:
        engine.dispose()
    if path is None:
        typer.echo(f"No change: the models match revision {found.head}; no revision written.")
        return
    typer.echo(f"Wrote {path}: read it, adjust it, and test it (tests/test_migrations.py).")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(db_app, name="db")
