"""Root Typer app: registers every command group and turns domain errors into one clear line."""

from __future__ import annotations

import os
import sqlite3
import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from knowledge_service.cli import (
    analytics,
    check,
    content,
    db,
    demo,
    imports,
    index,
    keys,
    review,
    serve,
    workflow,
)
from knowledge_service.cli.help import HelpGroup
from knowledge_service.db import driver_message, store_name
from knowledge_service.errors import KnowledgeServiceError
from knowledge_service.settings import get_settings, unknown_settings

app = typer.Typer(
    cls=HelpGroup,
    name="knowledge-service",
    help="A governed knowledge service for customer-contact teams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
imports.register(app)
content.register(app)
workflow.register(app)
index.register(app)
check.register(app)
serve.register(app)
keys.register(app)
analytics.register(app)
review.register(app)
demo.register(app)
db.register(app)


@app.command()
def version() -> None:
    """Print the installed version."""
    from knowledge_service import __version__

    typer.echo(__version__)


def _store_named() -> str:
    """`` (URL)``: the store a fault is about, its password hidden; empty when the setting
    cannot be read (that has its own error)."""
    try:
        return f" ({store_name(get_settings().database_url)})"
    except Exception:
        return ""


def warn_unknown_settings() -> None:
    """One warning line on stderr for each ``KS_`` variable of the environment that is no
    setting (a misspelt one would otherwise be ignored silently), naming the setting it is
    closest to; the command runs on."""
    for variable, close in unknown_settings(os.environ):
        hint = f" (did you mean {close}?)" if close else ""
        typer.secho(
            f"warning: {variable} is not a setting and is ignored{hint}", err=True, fg="yellow"
        )


def main() -> None:
    """Console entry point."""
    warn_unknown_settings()
    try:
        app()
    except KnowledgeServiceError as exc:
        typer.secho(f"error: {exc.message}", err=True, fg=typer.colors.RED)
        sys.exit(2)
    except SQLAlchemyError as exc:  # a store fault: one line, never the driver's traceback
        cause = driver_message(exc)
        typer.secho(
            f"error: the store{_store_named()} refused the operation: {cause}", err=True, fg="red"
        )
        sys.exit(2)
    except sqlite3.DatabaseError as exc:  # a data-folder cache that is no database
        typer.secho(f"error: a database file could not be used: {exc}", err=True, fg="red")
        sys.exit(2)
    except OSError as exc:  # a file or folder the command needs: one line naming it
        where = f": {exc.filename}" if exc.filename else ""
        typer.secho(f"error: {exc.strerror or exc}{where}", err=True, fg="red")
        sys.exit(2)
    except KeyboardInterrupt:  # Ctrl-C before a command's own handling: no traceback
        typer.secho("interrupted", err=True, fg="red")
        sys.exit(130)
