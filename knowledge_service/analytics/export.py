"""The answer log and the feedback for BI: CSV, JSON Lines or Parquet, streamed in chunks.

Questions and comments are redacted when they are written to the store, so an export never
holds a raw one; the writer redacts each text field again anyway, so an export can never be
the place a raw value leaks through (a row written by an older release, or by hand).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, SQLModel, col, select

from knowledge_service.analytics.log import PSEUDONYM
from knowledge_service.analytics.models import AnswerEvent, Feedback
from knowledge_service.errors import InvalidRequestError
from knowledge_service.privacy import redact

CHUNK = 5000


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


class ExportTable(StrEnum):
    """What an export holds: the answer log (``answers``) or the ratings (``feedback``)."""

    ANSWERS = "answers"
    FEEDBACK = "feedback"


@dataclass(frozen=True)
class _Table:
    model: type[SQLModel]
    text_columns: tuple[str, ...]
    """Free text, redacted again on the way out (a conversation pseudonym is kept as it is)."""
    json_columns: tuple[str, ...]
    """Mappings: a JSON object in JSON Lines, JSON text in CSV and Parquet."""
    parquet: tuple[tuple[str, str], ...]
    """Each column's Parquet type, in column order (``int64``, ``float64``, ``bool_``,
    ``string``; ``at`` is a UTC timestamp)."""

    @property
    def columns(self) -> list[str]:
        return [name for name, _ in self.parquet]


_TABLES = {
    ExportTable.ANSWERS: _Table(
        AnswerEvent, ("question", "conversation_id"), ("handoff",),
        (
            ("id", "int64"), ("at", "timestamp"), ("kind", "string"), ("channel", "string"),
            ("question", "string"), ("intent", "string"), ("article_id", "string"),
            ("version", "int64"), ("status", "string"), ("reason", "string"),
            ("confidence", "float64"), ("latency_ms", "float64"), ("stale", "bool_"),
            ("receipt", "string"), ("conversation_id", "string"), ("caller", "string"),
            ("handoff", "string"), ("text_hash", "string"),
        ),
    ),
    ExportTable.FEEDBACK: _Table(
        Feedback, ("comment", "conversation_id"), (),
        (
            ("id", "int64"), ("at", "timestamp"), ("receipt", "string"), ("rating", "string"),
            ("comment", "string"), ("article_id", "string"), ("version", "int64"),
            ("channel", "string"), ("intent", "string"), ("used_article_id", "string"),
            ("caller", "string"), ("conversation_id", "string"),
        ),
    ),
}  # fmt: skip


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSONL: "application/x-ndjson",
    ExportFormat.PARQUET: "application/vnd.apache.parquet",
}


@dataclass(frozen=True)
class RowFilter:
    """Which rows an export holds besides ``since``: before ``until``, on ``channel``, about
    ``intent`` (None: any), as the measures count them (a rating kept before ratings kept
    their intent is about its answer's)."""

    until: datetime | None = None
    channel: str | None = None
    intent: str | None = None

    def narrow(self, query: Any, model: Any) -> Any:
        if self.until is not None:
            query = query.where(col(model.at) < self.until)
        if self.channel is not None:
            query = query.where(col(model.channel) == self.channel)
        if self.intent is not None:
            about = col(model.intent) == self.intent
            if model is Feedback:
                served = select(AnswerEvent.receipt).where(AnswerEvent.intent == self.intent)
                legacy = and_(col(Feedback.intent).is_(None), col(Feedback.receipt).in_(served))
                about = or_(about, legacy)
            query = query.where(about)
        return query


EVERY_ROW = RowFilter()


def columns_of(table: ExportTable) -> list[str]:
    """The columns an export of ``table`` holds, in order."""
    return _TABLES[table].columns


def iter_rows(
    session: Session,
    since: datetime | None,
    table: ExportTable = ExportTable.ANSWERS,
    only: RowFilter = EVERY_ROW,
) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` since ``since`` (all when None) that ``only`` keeps, oldest
    first, as plain dicts."""
    spec = _TABLES[table]
    model: Any = spec.model
    last_id = 0
    while True:
        query = select(model).where(col(model.id) > last_id)
        if since is not None:
            query = query.where(col(model.at) >= since)
        query = only.narrow(query, model)
        rows = session.exec(query.order_by(col(model.id)).limit(CHUNK)).all()
        if not rows:
            return
        for row in rows:
            data = row.model_dump()
            for name in spec.text_columns:
                if data[name] is not None and not PSEUDONYM.fullmatch(data[name]):
                    data[name] = redact(data[name])
            yield {name: data[name] for name in spec.columns}
        last_id = rows[-1].id or last_id


def export_events(
    session: Session,
    out: Path,
    fmt: ExportFormat,
    since: datetime | None,
    table: ExportTable = ExportTable.ANSWERS,
    only: RowFilter = EVERY_ROW,
) -> int:
    """Write the rows of ``table`` (the answer log by default) since ``since`` that ``only``
    keeps to ``out`` in ``fmt``; returns how many were written.

    The file is written beside ``out`` and renamed into place, so a failed export never
    leaves a half-written file under the requested name.
    """
    if out.is_symlink() or (out.exists() and not out.is_file()):
        # a device (/dev/full), a FIFO or a symlink would be replaced by the rename below
        raise InvalidRequestError(
            "OUT", f"{out} exists and is not a regular file: give a new path or a file's"
        )
    if not out.name or out.name == "-":
        raise InvalidRequestError("OUT", "give a file name (the export is written to a file)")
    tmp = out.with_name(f".{out.name}.partial")
    try:
        count = _WRITERS[fmt](iter_rows(session, since, table, only), tmp, _TABLES[table])
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _json_as_text(row: dict[str, Any], spec: _Table) -> dict[str, Any]:
    """``row`` with its mappings (the hand-off) as JSON text, the flat formats' only way to
    hold them (empty when there is none)."""
    for name in spec.json_columns:
        value = row[name]
        row[name] = None if value is None else json.dumps(value, ensure_ascii=False)
    return row


_FORMULA = re.compile(r"[\t\r]|[\s;,]*[=+\-@]")
"""A text cell a spreadsheet may run: one starting with a tab or a carriage return, or whose
first character past blanks and field separators (a spreadsheet may trim the one and split at
the other, ``;`` where it is the locale's separator) is ``=``, ``+``, ``-`` or ``@``."""


def _cell(value: Any) -> Any:
    """One CSV cell. A text cell a spreadsheet would run as a formula (``=HYPERLINK(...)``
    typed as a question, `` =1+1``, ``;=cmd``) gets a leading apostrophe, which spreadsheets
    show as text (OWASP's advice for CSV injection); a flag is ``true`` or ``false`` as in the
    other formats (not Python's ``True``); other values (numbers) as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def _write_csv(rows: Iterator[dict[str, Any]], path: Path, spec: _Table) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(spec.columns)  # the header as it always was: bare names
        # every text cell quoted (OWASP's advice): a separator inside one (``a;=cmd`` where
        # ``;`` is the locale's) can never start a cell of its own; numbers stay bare
        writer = csv.DictWriter(handle, fieldnames=spec.columns, quoting=csv.QUOTE_NONNUMERIC)
        for row in rows:
            row["at"] = row["at"].isoformat()
            writer.writerow({k: _cell(v) for k, v in _json_as_text(row, spec).items()})
            count += 1
    return count


def _write_jsonl(rows: Iterator[dict[str, Any]], path: Path, spec: _Table) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            row["at"] = row["at"].isoformat()
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_parquet(rows: Iterator[dict[str, Any]], path: Path, spec: _Table) -> int:
    import pyarrow as pa  # heavy: imported only when a Parquet export is asked for
    import pyarrow.parquet as pq

    def arrow_type(name: str) -> Any:
        return pa.timestamp("us", tz="UTC") if name == "timestamp" else getattr(pa, name)()

    schema = pa.schema([(column, arrow_type(kind)) for column, kind in spec.parquet])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(_json_as_text(row, spec))
            if len(batch) == CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


Writer = Callable[[Iterator[dict[str, Any]], Path, _Table], int]
_WRITERS: dict[ExportFormat, Writer] = {
    ExportFormat.CSV: _write_csv,
    ExportFormat.JSONL: _write_jsonl,
    ExportFormat.PARQUET: _write_parquet,
}
