"""Schema migrations (Alembic): the store's schema revision, new stores at head, upgrades.

Every store records its schema revision in Alembic's ``alembic_version`` table. A new (empty)
store is created at the newest revision (``head``) straight from the models; a store at an
older revision is upgraded only by ``knowledge-service db upgrade`` (never implicitly by a
server or a command that reads it, so replicas of an older release keep working until the
operator migrates). A store made before migrations existed has tables but no revision: it has
the baseline schema (revision ``0001``), which ``db upgrade`` records before upgrading.

Revisions live in ``versions/``; ``knowledge-service db revision -m "what"`` writes the next one
from the difference between the models and a store at head (README: "Schema migrations").

The caller imports every table module first (``knowledge_service.models_registry``), so that
``SQLModel.metadata`` knows all tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from knowledge_service.errors import StoreSchemaError

BASELINE = "0001"
VERSION_TABLE = "alembic_version"
# One key for PostgreSQL's advisory lock around schema changes: replicas starting together
# on an empty store create it once.
_SCHEMA_LOCK_KEY = 0x6B73_0001


@dataclass(frozen=True)
class SchemaStatus:
    """Where a store's schema stands: ``current`` is None for a store without a revision."""

    current: str | None
    head: str
    is_empty: bool

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration of the package's revisions (no ``alembic.ini`` needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    cfg.attributes["connection"] = connection
    cfg.attributes["metadata"] = SQLModel.metadata
    return cfg


@lru_cache(maxsize=1)
def _revisions() -> tuple[str, frozenset[str]]:
    """This release's head and every revision it knows (read from ``versions/`` once)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    assert head is not None, "the migrations package has no revision"
    return head, frozenset(script.revision for script in scripts.walk_revisions())


def head_revision() -> str:
    return _revisions()[0]


def schema_status(connection: Connection) -> SchemaStatus:
    tables = set(inspect(connection).get_table_names())
    current = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(current, head_revision(), is_empty=not tables - {VERSION_TABLE})


def _known(revision: str) -> bool:
    return revision in _revisions()[1]


def lock_schema(connection: Connection) -> None:
    """Serialise schema changes between processes: an advisory lock on PostgreSQL; on SQLite
    the file's write lock, taken now (the driver would run each ``CREATE TABLE`` on its own, so
    a second process starting on a new store could see the tables before the revision stamp)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def prepare_store(engine: Engine) -> None:
    """Create an empty store at head; accept a store at head; refuse any other.

    Raises:
        StoreSchemaError: the store is at an older revision (or has none: made before
            migrations), or at one this release does not know (a newer release's).
    """
    # A store at head (every start but the first) is only read: taking the write lock here
    # made every command, a read-only one too, wait for (and, after SQLite's busy timeout,
    # fail on) a long write of another process.
    with engine.connect() as connection:
        if schema_status(connection).is_current:
            return
    with engine.begin() as connection:
        lock_schema(connection)
        status = schema_status(connection)
        if status.is_current:  # another process prepared it meanwhile
            return
        if status.is_empty:
            create_store(connection)
            return
    raise schema_error(status)


def create_store(connection: Connection) -> None:
    """Create every table at head in the caller's transaction, on an empty store (the caller
    holds :func:`lock_schema`)."""
    SQLModel.metadata.create_all(connection)
    command.stamp(alembic_config(connection), "head")


def schema_error(status: SchemaStatus) -> StoreSchemaError:
    """The error for a store that is not at head: behind (``db upgrade``), or at a revision
    this release does not know (a newer release's)."""
    is_behind = status.current is None or _known(status.current)
    return StoreSchemaError(status.current, status.head, is_behind=is_behind)


def upgrade_store(engine: Engine) -> SchemaStatus:
    """Bring the store to head by running its missing revisions (all of them on an empty store;
    a store made before migrations has the baseline's). Returns where the store stood before."""
    with engine.begin() as connection:
        lock_schema(connection)
        status = schema_status(connection)
        if status.current is not None and not _known(status.current):
            raise StoreSchemaError(status.current, status.head, is_behind=False)
        cfg = alembic_config(connection)
        if status.current is None and not status.is_empty:
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, "head")  # an empty store: every revision, as `db revision` needs
    return status


def new_revision(engine: Engine, message: str) -> str | None:
    """Write the next revision file (numbered after the newest) from the difference between the
    models and the store, which must be at head. Returns the new file's path, or None when the
    models and the store do not differ (no file is written)."""
    with engine.begin() as connection:
        cfg = alembic_config(connection)
        count = sum(1 for _ in ScriptDirectory.from_config(cfg).walk_revisions())
        scripts = command.revision(
            cfg, message=message, autogenerate=True, rev_id=f"{count + 1:04d}"
        )
    written = scripts if isinstance(scripts, list) else [scripts]
    return str(written[0].path) if written and written[0] is not None else None
