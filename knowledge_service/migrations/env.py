"""Alembic's environment: runs revisions on the connection the caller passes in
(:func:`knowledge_service.migrations.alembic_config`); there is no ``alembic.ini``."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import String, TypeDecorator


def render_item(kind: str, obj: Any, _context: Any) -> str | Literal[False]:
    """Revisions name plain SQLAlchemy types (``sa.String(length=16)``), never the models' own
    Python-side types (enums, UTC datetimes): a revision stays valid when those change."""
    if kind != "type":
        return False
    plain = obj.impl_instance if isinstance(obj, TypeDecorator) else obj
    if isinstance(plain, String) and type(plain).__module__.startswith("sqlmodel."):  # AutoString
        plain = String(length=plain.length)
    if plain is obj and type(obj).__module__.startswith("sqlalchemy."):
        return False  # Alembic's own rendering
    return f"sa.{plain!r}"


def skip_empty(_context: Any, _revision: Any, directives: list[Any]) -> None:
    """Write no revision when the models and the store do not differ (``db revision`` says so)."""
    if directives and directives[0].upgrade_ops.is_empty():
        directives[:] = []


config = context.config
connection = config.attributes["connection"]
if connection is None:  # pragma: no cover - the package always passes a connection
    raise RuntimeError("run migrations through knowledge_service.migrations (db upgrade)")
context.configure(
    connection=connection,
    target_metadata=config.attributes["metadata"],
    render_as_batch=True,  # SQLite alters tables by copying them: batch ops work on both
    compare_type=True,
    render_item=render_item,
    process_revision_directives=skip_empty,
)
with context.begin_transaction():
    context.run_migrations()
