"""Exports served as downloads: the answer log or the feedback, written whole by the export
module to a temporary file, then sent from it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session
from starlette.responses import StreamingResponse

from knowledge_service.analytics.export import (
    EVERY_ROW,
    MEDIA_TYPES,
    ExportFormat,
    ExportTable,
    RowFilter,
    export_events,
)

CHUNK_BYTES = 64 * 1024


def export_download(
    session: Session,
    table: ExportTable,
    fmt: ExportFormat,
    since: datetime | None,
    name: str,
    only: RowFilter = EVERY_ROW,
) -> StreamingResponse:
    """``table``'s rows since ``since`` that ``only`` keeps in ``fmt`` as an attachment named
    ``name`` and the format's extension.

    The file is written whole before a byte is sent, so a failure is an error response, never
    half a file. It is opened and its folder removed at once: the open file is read as it is
    sent, and nothing is left on disk whether the client reads it all or leaves."""
    folder = Path(tempfile.mkdtemp(prefix="ks-export-"))
    try:
        path = folder / f"{name}.{fmt}"
        export_events(session, path, fmt, since, table, only)
        handle = path.open("rb")
        size = path.stat().st_size
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    headers = {
        "Content-Disposition": f'attachment; filename="{path.name}"',
        "Content-Length": str(size),
        "Cache-Control": "no-store",  # the answer log: no proxy or browser disk may keep it
    }
    return StreamingResponse(_chunks(handle), media_type=MEDIA_TYPES[fmt], headers=headers)


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk
