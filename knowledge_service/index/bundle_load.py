"""Loading a bundle written by :mod:`~knowledge_service.index.bundle`, its delta applied.

Units are re-derived from the documents (chunking is pure and deterministic) and checked against
the stored vector ids; BM25 is rebuilt (it is cheap). Delta records are applied in order while
they are complete and of the bundle's generation; a torn tail (a crash mid-append) stops the
replay, so the watermark loaded is always that of data actually read.
"""

from __future__ import annotations

import io
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.index.bundle import (
    BUNDLE_FORMAT,
    DELTA_FORMAT,
    DELTA_MAGIC,
    FRAME,
    delta_path,
)
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.chunking import chunk_article
from knowledge_service.index.fusion import FusionConfig
from knowledge_service.index.head import ArticleHead
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.protocols import Embedder
from knowledge_service.index.snapshot import IndexOptions
from knowledge_service.index.vectors import FaissVectorIndex


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
    while offset + FRAME.size <= len(data):
        magic, length, crc = FRAME.unpack_from(data, offset)
        payload = data[offset + FRAME.size : offset + FRAME.size + length]
        if magic != DELTA_MAGIC or len(payload) != length or zlib.crc32(payload) != crc:
            return records, False
        records.append(payload)
        offset += FRAME.size + length
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
