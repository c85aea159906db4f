"""Answer events for BI: CSV, JSON Lines or Parquet, streamed in chunks.

The events are redacted when they are written to the store, so an export never holds a raw
question; the writer redacts each text field again anyway, so an export can never be the
place a raw value leaks through (a row written by an older release, or by hand).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from knowledge_service.analytics.log import PSEUDONYM
from knowledge_service.analytics.models import AnswerEvent
from knowledge_service.errors import InvalidRequestError
from knowledge_service.privacy import redact

COLUMNS = [name for name in AnswerEvent.model_fields]
TEXT_COLUMNS = ("question", "conversation_id")
CHUNK = 5000


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


def iter_events(session: Session, since: datetime | None) -> Iterator[dict[str, Any]]:
    """Every answer event since ``since`` (all when None), oldest first, as plain dicts."""
    last_id = 0
    while True:
        query = select(AnswerEvent).where(col(AnswerEvent.id) > last_id)
        if since is not None:
            query = query.where(col(AnswerEvent.at) >= since)
        rows = session.exec(query.order_by(col(AnswerEvent.id)).limit(CHUNK)).all()
        if not rows:
            return
        for row in rows:
            data = row.model_dump()
            for name in TEXT_COLUMNS:
                if data[name] is not None and not PSEUDONYM.fullmatch(data[name]):
                    data[name] = redact(data[name])
            yield data
        last_id = rows[-1].id or last_id


def export_events(session: Session, out: Path, fmt: ExportFormat, since: datetime | None) -> int:
    """Write the events since ``since`` to ``out`` in ``fmt``; returns how many were written.

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
        count = _WRITERS[fmt](iter_events(session, since), tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _handoff_as_json(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its hand-off (a mapping) as JSON text, the flat formats' only way to hold it
    (empty when there is none)."""
    handoff = row["handoff"]
    row["handoff"] = None if handoff is None else json.dumps(handoff, ensure_ascii=False)
    return row


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(...)`` typed as a
    question) gets a leading apostrophe, which spreadsheets show as text (OWASP's advice for
    CSV injection); other values as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write_csv(rows: Iterator[dict[str, Any]], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            row["at"] = row["at"].isoformat()
            writer.writerow({k: _inert(v) for k, v in _handoff_as_json(row).items()})
            count += 1
    return count


def _write_jsonl(rows: Iterator[dict[str, Any]], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            row["at"] = row["at"].isoformat()
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_parquet(rows: Iterator[dict[str, Any]], path: Path) -> int:
    import pyarrow as pa  # heavy: imported only when a Parquet export is asked for
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("id", pa.int64()), ("at", pa.timestamp("us", tz="UTC")), ("kind", pa.string()),
            ("channel", pa.string()), ("question", pa.string()), ("intent", pa.string()),
            ("article_id", pa.string()), ("version", pa.int64()), ("status", pa.string()),
            ("reason", pa.string()), ("confidence", pa.float64()), ("latency_ms", pa.float64()),
            ("stale", pa.bool_()), ("receipt", pa.string()), ("conversation_id", pa.string()),
            ("caller", pa.string()), ("handoff", pa.string()),
        ]
    )  # fmt: skip
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(_handoff_as_json(row))
            if len(batch) == CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


_WRITERS = {
    ExportFormat.CSV: _write_csv,
    ExportFormat.JSONL: _write_jsonl,
    ExportFormat.PARQUET: _write_parquet,
}
