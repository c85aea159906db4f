"""Persisting a :class:`HybridIndex` as a bundle file plus an append-only delta file.

The bundle holds the indexed article versions, the unit vectors (and HNSW graph), the intent
head, the store watermark it reflects and a random generation id. It is written to a temp file
in the same folder, fsynced and renamed over the old one, so a crash leaves either the old or
the new bundle. Units are re-derived from the documents on load (chunking is pure and
deterministic) and checked against the stored vector ids; BM25 is rebuilt (it is cheap).

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
import tempfile
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.chunking import chunk_article
from knowledge_service.index.embedder import Embedder
from knowledge_service.index.fusion import FusionConfig
from knowledge_service.index.head import ArticleHead
from knowledge_service.index.hybrid import HybridIndex, IndexOptions
from knowledge_service.index.vectors import FaissVectorIndex

BUNDLE_FORMAT = "ks-index-bundle-1"
DELTA_FORMAT = "ks-index-delta-1"
DELTA_MAGIC = b"KSDELTA1"
_FRAME = struct.Struct("<8sQI")  # magic, payload length, payload crc32
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
    return _FRAME.pack(DELTA_MAGIC, len(payload), zlib.crc32(payload)) + payload


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a fsynced temp file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _append_durably(path: Path, data: bytes) -> None:
    created = not path.exists()
    with path.open("ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if created:
        _fsync_dir(path.parent)


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


@dataclass
class _Loaded:
    """A bundle's contents with its delta records applied."""

    docs: dict[str, tuple[ArticleDocument, int]]
    vectors: FaissVectorIndex
    head: ArticleHead | None
    generation: str
    watermark: int
    clean: bool = True
    stale: set[int] = field(default_factory=set)
    fresh: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]] = field(
        default_factory=dict
    )


def _read_bundle(path: Path, embedder: Embedder, options: IndexOptions | None) -> _Loaded:
    data = path.read_bytes()
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            header = json.loads(npz["header"].tobytes())
            if header.get("format") != BUNDLE_FORMAT:
                raise ValueError(f"not an index bundle ({header.get('format')!r})")
            if header.get("model_name") != embedder.model_name:
                raise ValueError(f"built with model {header.get('model_name')!r}")
            articles = json.loads(npz["articles"].tobytes())
            vectors = FaissVectorIndex.from_bytes(
                npz["vectors"].tobytes(), ef_search=(options or IndexOptions()).ef_search
            )
            head = None
            if "head_ids" in npz.files:
                head = ArticleHead(
                    json.loads(npz["head_ids"].tobytes()), npz["head_weights"], npz["head_bias"]
                )
        docs = [(ArticleDocument.model_validate(a["doc"]), int(a["version"])) for a in articles]
    except Exception as exc:  # a truncated zip, a foreign file or a bad document: rebuild
        raise ValueError(f"unreadable index bundle: {exc}") from exc
    return _Loaded(
        {d.id: (d, v) for d, v in docs},
        vectors,
        head,
        str(header.get("generation", "")),
        int(header["watermark"]),
    )


def _delta_records(path: Path) -> tuple[list[bytes], bool]:
    """The complete records of a delta file, and whether the file held nothing else."""
    data = path.read_bytes() if path.exists() else b""
    records: list[bytes] = []
    offset = 0
    while offset + _FRAME.size <= len(data):
        magic, length, crc = _FRAME.unpack_from(data, offset)
        payload = data[offset + _FRAME.size : offset + _FRAME.size + length]
        if magic != DELTA_MAGIC or len(payload) != length or zlib.crc32(payload) != crc:
            return records, False
        records.append(payload)
        offset += _FRAME.size + length
    return records, offset == len(data)


def _unit_ids(loaded: _Loaded, article_id: str) -> list[int]:
    if article_id in loaded.fresh:
        return [int(i) for i in loaded.fresh[article_id][0]]
    if article_id in loaded.docs:
        doc, version = loaded.docs[article_id]
        return [u.unit_id for u in chunk_article(doc, version)]
    return []


def _apply_record(loaded: _Loaded, payload: bytes) -> None:
    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        header = json.loads(npz["header"].tobytes())
        ids, vectors = npz["ids"], npz["vectors"]
    if header.get("format") != DELTA_FORMAT or header.get("generation") != loaded.generation:
        return  # another bundle's record (a rewrite raced a stale writer): not ours
    for article_id in header["removed"]:
        loaded.stale.update(_unit_ids(loaded, article_id))
        loaded.docs.pop(article_id, None)
        loaded.fresh.pop(article_id, None)
    start = 0
    for item in header["articles"]:
        doc, version = ArticleDocument.model_validate(item["doc"]), int(item["version"])
        count = len(chunk_article(doc, version))
        loaded.stale.update(_unit_ids(loaded, doc.id))
        loaded.docs[doc.id] = (doc, version)
        loaded.fresh[doc.id] = (ids[start : start + count], vectors[start : start + count])
        start += count
    loaded.watermark = int(header["watermark"])


def _apply_delta(loaded: _Loaded, path: Path) -> None:
    records, clean = _delta_records(delta_path(path))
    for payload in records:
        try:
            _apply_record(loaded, payload)
        except Exception:  # a record that passed its CRC but does not parse: stop here
            clean = False
            break
    loaded.clean = clean
    if loaded.stale:
        loaded.vectors.remove(np.fromiter(loaded.stale, dtype=np.int64))
    if loaded.fresh:
        loaded.vectors.add(
            np.concatenate([i for i, _ in loaded.fresh.values()]),
            np.concatenate([v for _, v in loaded.fresh.values()]),
        )
    if loaded.stale or loaded.fresh:
        loaded.head = None  # the head is retrained for the changed articles


def load_bundle(
    path: Path,
    embedder: Embedder,
    *,
    config: FusionConfig | None = None,
    options: IndexOptions | None = None,
    cache: EmbeddingCache | None = None,
) -> tuple[HybridIndex, int]:
    """Load a bundle written by :func:`save_bundle`, with its delta records applied.

    Raises:
        FileNotFoundError: There is no bundle.
        ValueError: The bundle is unreadable, of another format or another model, or its
            vectors do not match its documents.
    """
    loaded = _read_bundle(path, embedder, options)
    _apply_delta(loaded, path)
    index = HybridIndex(embedder, config=config, options=options, cache=cache)
    index.restore(list(loaded.docs.values()), loaded.vectors, loaded.head)
    # A torn delta tail (or a bundle without a generation) is never appended to: the next save
    # rewrites the bundle.
    appendable = loaded.clean and loaded.generation
    index.saved = (loaded.generation, loaded.watermark) if appendable else None
    return index, loaded.watermark
