"""CLI commands: ``db upgrade|status|revision`` (the store's schema migrations) and ``db copy``
(the whole store into another database)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from knowledge_service import migrations, store_copy
from knowledge_service import models_registry as _tables  # noqa: F401 - every table's model
from knowledge_service.cli.config import settings
from knowledge_service.cli.help import HelpGroup
from knowledge_service.cli.output import (
    TextTable,
    console,
    err_console,
    fail,
    phase_progress,
    print_table,
)
from knowledge_service.cli.store import (
    NO_STORE_HINT,
    check_database_url,
    missing_sqlite_file,
    store_engine,
)
from knowledge_service.db import driver_message, make_engine, store_name
from knowledge_service.errors import KnowledgeServiceError
from knowledge_service.store_copy import CopyMismatchError, TableCopy

db_app = typer.Typer(
    cls=HelpGroup, help="The store's schema: migrations; copying a store.", no_args_is_help=True
)


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
    check_database_url(settings().database_url, "KS_DATABASE_URL")
    if (path := missing_sqlite_file(settings().database_url)) is not None:  # made by no look
        typer.echo(f"store: none (no store at {path})\nthis release: {migrations.head_revision()}")
        raise typer.Exit(1)
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


@db_app.command("copy")
def copy_command(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The target database's URL (as KS_DATABASE_URL): an empty database, or an "
            "empty store at this release's revision.",
        ),
    ],
) -> None:
    """Copy the whole store (KS_DATABASE_URL) into another database, SQLite or PostgreSQL:
    every table's rows (versions, workflow, findings, audit trail, answer log, keys, ...), in
    one transaction on the target (all or nothing). Stop the servers first."""
    check_database_url(to, "--to")
    check_database_url(settings().database_url, "KS_DATABASE_URL")
    if _same_database(settings().database_url, to):
        raise fail("--to names the store KS_DATABASE_URL names: give another database")
    made = missing_sqlite_file(to)  # made by the copy: removed again if the copy fails
    _check_folder(made)
    target = _open_target(to, made)
    source: Engine | None = None
    copied = False
    try:
        _reach_target(target, to)
        if (path := missing_sqlite_file(settings().database_url)) is not None:
            raise fail(f"KS_DATABASE_URL: no store at {path} to copy: {NO_STORE_HINT}")
        source = store_engine()
        with phase_progress() as update:
            copies = store_copy.copy_store(source, target, update)
        copied = True
    except KeyboardInterrupt:
        err_console.print("Stopped: nothing was copied; the target database is as it was.")
        raise typer.Exit(130) from None
    except CopyMismatchError as exc:  # rolled back: the check found a difference (exit 1)
        print_table(_summary(exc.copies))
        fail(exc.message)
        raise typer.Exit(1) from None
    except KnowledgeServiceError as exc:  # a source behind, a target holding data
        raise fail(exc.message) from None
    finally:
        if source is not None:
            source.dispose()
        target.dispose()
        if made is not None and not copied:
            for path in (made, *(made.with_name(made.name + end) for end in ("-wal", "-shm"))):
                path.unlink(missing_ok=True)
    print_table(_summary(copies))
    where = store_name(to)
    console.print(
        f"Copied {sum(c.target_rows for c in copies)} rows in {len(copies)} tables to {where}; "
        "every table's row count matches the source's. Copy the data folder's key files too "
        '(README: "Moving a store"), then run `knowledge-service db status` on the target.',
        highlight=False,
        markup=False,
    )


def _check_folder(file: Path | None) -> None:
    """Exit 2 naming ``--to`` and the folder at fault when the folder of a new SQLite file does
    not exist (a typo in the path: the copy makes no folder, so nothing lands in a tree nobody
    asked for) or is no folder; nothing is made."""
    if file is None:
        return
    folder = file.absolute().parent
    if folder.is_dir():
        return
    missing = folder
    while not missing.parent.is_dir():  # the outermost folder missing: where a typo lies
        missing = missing.parent
    if missing.exists():
        raise fail(f"--to: {missing} is not a folder: give the path of a SQLite file in a folder")
    raise fail(
        f"--to: no folder {missing} for the SQLite file {file}: create the folder first, or "
        "correct the path (the copy makes no folder)"
    )


def _open_target(to: str, file: Path | None) -> Engine:
    """The target's engine; a SQLite file that cannot be made is one line naming ``--to`` and
    the path, exit 2."""
    try:
        return make_engine(to)
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else file
        cause = exc.strerror or exc
        raise fail(f"--to: cannot create the SQLite file {file}: {where}: {cause}") from None


def _reach_target(target: Engine, to: str) -> None:
    """Exit 2 naming the target (a fault there would otherwise be reported against the store
    being copied) when it cannot be opened."""
    try:
        with target.connect():
            pass
    except SQLAlchemyError as exc:
        cause = driver_message(exc)
        raise fail(f"--to: the database ({store_name(to)}) cannot be opened: {cause}") from None


def _same_database(url: str, other: str) -> bool:
    first, second = make_url(url), make_url(other)
    if first.get_backend_name() == second.get_backend_name() == "sqlite":
        return Path(first.database or "").resolve() == Path(second.database or "").resolve()
    return first.set(password=None) == second.set(password=None)


def _summary(copies: list[TableCopy]) -> TextTable:
    table = TextTable("table", "source rows", "target rows", "check", title="Copied rows")
    for copy in copies:
        check = "same" if copy.matches else "DIFFERENT"
        table.add_row(copy.table, str(copy.source_rows), str(copy.target_rows), check)
    return table


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(db_app, name="db")
