"""Copy a whole store into another database (``knowledge-service db copy --to URL``): every
table's rows as they are (primary keys, timestamps, JSON and binary columns), SQLite to
PostgreSQL or back.

The source is read in one read transaction (a snapshot: ``REPEATABLE READ`` on PostgreSQL, one
read transaction in WAL mode on SQLite) and streamed in batches, so a long answer log is never
held in memory whole. The target is written in one transaction: its schema is created at the
newest revision (as a new store is, :func:`migrations.create_store`) unless it is an empty store
at that revision already, every table is copied in foreign-key order, PostgreSQL's id sequences
are moved past the copied ids, and each table's rows are counted against the source's before
the commit. An error or Ctrl-C anywhere rolls the whole transaction back: the target is left
as it was.

Rows are read and written through the models' column types, which are what make the two
databases agree (SQLite keeps datetimes as naive text and booleans as 0/1; PostgreSQL has its own
types): a value comes out of the source as the Python value the service itself sees and goes
into the target as the service would write it. A JSON column keeps SQL ``NULL`` apart from a
JSON ``null``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Integer, Table, false, func, null, select, text
from sqlalchemy.engine import Connection, Engine, Row
from sqlmodel import SQLModel

from knowledge_service import models_registry as _tables  # noqa: F401 - every table's model
from knowledge_service.errors import StoreCopyError
from knowledge_service.migrations import (
    create_store,
    lock_schema,
    schema_error,
    schema_status,
)

BATCH_ROWS = 500
"""Rows read and written at a time: what the copy holds in memory."""

Progress = Callable[[str, int, int], None]
"""Called as ``progress(table, done, total)`` while a table's rows are copied."""


@dataclass(frozen=True)
class TableCopy:
    """One table's rows: in the source's snapshot, and in the target after the copy."""

    table: str
    source_rows: int
    target_rows: int

    @property
    def matches(self) -> bool:
        return self.source_rows == self.target_rows


class CopyMismatchError(StoreCopyError):
    """The copy's row counts differ from the source's; the target was rolled back."""

    def __init__(self, copies: Sequence[TableCopy]) -> None:
        differ = ", ".join(
            f"{c.table} ({c.source_rows} in the source, {c.target_rows} copied)"
            for c in copies
            if not c.matches
        )
        super().__init__(f"the copy does not match the source in {differ}: nothing was kept")
        self.copies = list(copies)


def copied_tables() -> list[Table]:
    """Every table of the service, parents before the tables whose foreign keys name them."""
    return list(SQLModel.metadata.sorted_tables)


def copy_store(source: Engine, target: Engine, progress: Progress | None = None) -> list[TableCopy]:
    """Copy every row of the store at ``source`` into ``target`` (all or nothing).

    Raises:
        StoreSchemaError: the source is not at this release's schema revision.
        StoreCopyError: the source is empty; the target holds rows or tables of its own;
            :class:`CopyMismatchError`: a table's row count differs after the copy.
    """
    tables = copied_tables()
    with _snapshot(source) as reading:
        _check_source(reading)
        totals = {table.name: _count(reading, table) for table in tables}
        with target.begin() as writing:
            _prepare_target(writing, tables)
            for table in tables:
                _copy_rows(reading, writing, table, totals[table.name], progress)
            if writing.dialect.name == "postgresql":
                _reset_sequences(writing, tables)
            copies = [TableCopy(t.name, totals[t.name], _count(writing, t)) for t in tables]
            if not all(copy.matches for copy in copies):
                raise CopyMismatchError(copies)  # leaving the block rolls the copy back
    return copies


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction on ``engine``: every table is read as of one moment."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            connection.begin()
            connection.execute(text("SET TRANSACTION READ ONLY"))
        else:  # the driver opens no transaction for a read: open one (WAL: a snapshot)
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def _check_source(connection: Connection) -> None:
    status = schema_status(connection)
    if status.is_empty:
        raise StoreCopyError(
            "the store KS_DATABASE_URL names is empty (it has no tables): nothing to copy"
        )
    if not status.is_current:
        raise schema_error(status)


def _prepare_target(connection: Connection, tables: Sequence[Table]) -> None:
    """Create the store's schema in an empty target; accept an empty store at head; refuse a
    target that holds rows, or tables of another schema."""
    lock_schema(connection)
    status = schema_status(connection)
    if status.is_empty:
        create_store(connection)
        return
    if not status.is_current:
        at = f"at revision {status.current}" if status.current else "with no store revision"
        raise StoreCopyError(
            f"the target database (--to) already holds tables {at}; this release's store is at "
            f"revision {status.head}: copy into an empty database"
        )
    for table in tables:
        rows = _count(connection, table)
        if rows:
            raise StoreCopyError(
                f"the target store (--to) already holds data: table {table.name} has {rows} "
                f"row(s); copy into an empty database, or an empty store at revision "
                f"{status.head}"
            )


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _null_flags(table: Table) -> list[Any]:
    """For each nullable JSON column, whether it holds SQL ``NULL`` (read back, both it and a
    JSON ``null`` are ``None``)."""
    return [
        column.is_(None).label(f"{column.name} is null")
        for column in table.columns
        if isinstance(column.type, JSON) and column.nullable
    ]


def _as_parameters(table: Table, flags: Sequence[Any], row: Row[Any]) -> dict[str, Any]:
    values = row._mapping
    parameters = {column.name: values[column] for column in table.columns}
    for flag in flags:
        if values[flag.name]:
            parameters[flag.name.removesuffix(" is null")] = null()
    return parameters


def _copy_rows(
    reading: Connection,
    writing: Connection,
    table: Table,
    total: int,
    progress: Progress | None,
) -> None:
    """Stream ``table``'s rows from the source, in primary-key order, into the target."""
    flags = _null_flags(table)
    query = select(table, *flags).order_by(*table.primary_key.columns)
    done = 0
    if progress is not None:
        progress(table.name, done, total)
    rows = reading.execution_options(yield_per=BATCH_ROWS).execute(query)
    for batch in rows.partitions():
        insert_rows(writing, table, [_as_parameters(table, flags, row) for row in batch])
        done += len(batch)
        if progress is not None:
            progress(table.name, done, total)


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write one batch of copied rows (a seam the tests use to fail a copy midway)."""
    if rows:  # no rows: executing the insert would write one row of defaults
        connection.execute(table.insert(), rows)


def _reset_sequences(connection: Connection, tables: Sequence[Table]) -> None:
    """Move each PostgreSQL id sequence past the largest copied id, so that the next row a
    server writes does not take an id that is already there."""
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        (key,) = keys
        sequence = connection.execute(
            select(func.pg_get_serial_sequence(table.name, key.name))
        ).scalar_one()
        if sequence is None:  # an id the service chooses itself (check_mark)
            continue
        largest = select(func.coalesce(func.max(key), 0)).scalar_subquery()
        connection.execute(select(func.setval(sequence, largest + 1, false())))
