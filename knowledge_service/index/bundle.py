"""Persisting a :class:`HybridIndex` as a bundle file plus an append-only delta file.

The bundle holds the indexed article versions, the unit vectors (and HNSW graph), the intent
head, the store watermark it reflects and a random generation id. It is written to a temp file
in the same folder, fsynced and renamed over the old one, so a crash leaves either the old or
the new bundle. Loading is in
:mod:`~knowledge_service.index.bundle_load`.

A save after a few changes appends one record (the changed articles' documents and unit
vectors, the removed article ids, the watermark, the bundle's generation) to ``<bundle>.delta``
and fsyncs it, instead of rewriting the whole bundle; when the delta outgrows a fraction of the
bundle, the bundle is rewritten and the delta deleted. Records are framed with their length and
a CRC: loading applies the complete records of the bundle's generation in order and stops at a
torn one (a crash mid-append), so the watermark loaded is always that of data actually read.
"""

from __future__ import annotations

import io
import json
import os
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.leftovers import fsync_dir, write_atomic

BUNDLE_FORMAT = "ks-index-bundle-1"
DELTA_FORMAT = "ks-index-delta-1"
DELTA_MAGIC = b"KSDELTA1"
FRAME = struct.Struct("<8sQI")  # magic, payload length, payload crc32
DELTA_MAX_FRACTION = 0.125
"""Rewrite the bundle when the delta file exceeds this fraction of the bundle's size."""


def _json_bytes(value: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(value).encode("utf-8"), dtype=np.uint8)


def delta_path(path: Path) -> Path:
    """The delta file that goes with the bundle at ``path``."""
    return path.with_name(path.name + ".delta")


def bundle_bytes(index: HybridIndex, watermark: int, generation: str = "") -> bytes:
    """Serialise ``index`` with the store ``watermark`` it reflects."""
    with index.lock.read():
        return _bundle_bytes_locked(index, watermark, generation)


def _bundle_bytes_locked(index: HybridIndex, watermark: int, generation: str) -> bytes:
    header = {
        "format": BUNDLE_FORMAT,
        "generation": generation,
        "watermark": watermark,
        "model_name": index.embedder.model_name,
        "dimension": index.embedder.dimension,
    }
    articles = [
        {"version": e.version, "doc": e.doc.model_dump(mode="json")}
        for e in index.articles.values()
    ]
    arrays: dict[str, Any] = {
        "header": _json_bytes(header),
        "articles": _json_bytes(articles),
        "vectors": np.frombuffer(index.vectors.to_bytes(), dtype=np.uint8),
    }
    if index.head is not None:
        arrays["head_ids"] = _json_bytes(index.head.article_ids)
        arrays["head_weights"] = index.head.weights
        arrays["head_bias"] = index.head.bias
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _delta_bytes_locked(
    index: HybridIndex, watermark: int, generation: str, article_ids: list[str]
) -> bytes:
    """One framed delta record: the current state of ``article_ids`` (absent = removed)."""
    upserts, removed, ids = [], [], []
    for article_id in article_ids:
        entry = index.articles.get(article_id)
        if entry is None:
            removed.append(article_id)
            continue
        upserts.append({"version": entry.version, "doc": entry.doc.model_dump(mode="json")})
        ids.extend(entry.unit_ids)
    unit_ids = np.asarray(ids, dtype=np.int64)
    header = {
        "format": DELTA_FORMAT,
        "generation": generation,
        "watermark": watermark,
        "removed": removed,
        "articles": upserts,
    }
    buffer = io.BytesIO()
    np.savez(
        buffer,
        header=_json_bytes(header),
        ids=unit_ids,
        vectors=index.vectors.vectors_for(unit_ids),
    )
    payload = buffer.getvalue()
    return FRAME.pack(DELTA_MAGIC, len(payload), zlib.crc32(payload)) + payload


def _append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` and fsync it. The file is the owner's alone (0600, as the
    bundle and the database are: it holds articles' text, internal ones too), also when an
    older version left it readable by others."""
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "ab") as handle:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if created:
        fsync_dir(path.parent)


def _can_append(path: Path, index: HybridIndex) -> bool:
    if index.saved is None or index.head is not None or not path.exists():
        return False
    delta = delta_path(path)
    size = delta.stat().st_size if delta.exists() else 0
    return size <= DELTA_MAX_FRACTION * path.stat().st_size


def save_bundle(path: Path, index: HybridIndex, watermark: int) -> None:
    """Persist ``index`` at ``path``: append its changes to the delta file, or rewrite it all.

    Either way the data reaches the disk (fsync) before this returns, and what is on disk
    after a crash at any point loads as a consistent index with an honest watermark.
    """
    with index.lock.read():
        taken = dict(index.dirty)
        if index.saved is not None and not taken and index.saved[1] == watermark:
            return  # nothing changed since the last save
        if _can_append(path, index):
            assert index.saved is not None
            generation = index.saved[0]
            record = _delta_bytes_locked(index, watermark, generation, list(taken))
        else:
            generation, record = uuid.uuid4().hex, None
            data = _bundle_bytes_locked(index, watermark, generation)
    if record is not None:
        _append_durably(delta_path(path), record)
    else:
        write_atomic(path, data)
        delta_path(path).unlink(missing_ok=True)
    with index.lock.write():
        for article_id, change in taken.items():
            if index.dirty.get(article_id) == change:
                del index.dirty[article_id]
        index.saved = (generation, watermark)
