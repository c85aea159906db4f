"""Persisting a :class:`HybridIndex` as one bundle file, written atomically.

The bundle holds the indexed article versions, the unit vectors (and HNSW graph), the intent
head and the store watermark it reflects. It is written to a temp file in the same folder,
fsynced and renamed over the old one, so a crash leaves either the old or the new bundle. Units
are re-derived from the documents on load (chunking is pure and deterministic) and checked
against the stored vector ids; BM25 is rebuilt (it is cheap).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import Embedder
from knowledge_service.index.fusion import FusionConfig
from knowledge_service.index.head import ArticleHead
from knowledge_service.index.hybrid import HybridIndex, IndexOptions
from knowledge_service.index.vectors import FaissVectorIndex

BUNDLE_FORMAT = "ks-index-bundle-1"


def _json_bytes(value: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(value).encode("utf-8"), dtype=np.uint8)


def bundle_bytes(index: HybridIndex, watermark: int) -> bytes:
    """Serialise ``index`` with the store ``watermark`` it reflects."""
    with index.lock.read():
        header = {
            "format": BUNDLE_FORMAT,
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
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def save_bundle(path: Path, index: HybridIndex, watermark: int) -> None:
    """Persist ``index`` atomically at ``path``."""
    write_atomic(path, bundle_bytes(index, watermark))


def load_bundle(
    path: Path,
    embedder: Embedder,
    *,
    config: FusionConfig | None = None,
    options: IndexOptions | None = None,
    cache: EmbeddingCache | None = None,
) -> tuple[HybridIndex, int]:
    """Load a bundle written by :func:`save_bundle`.

    Raises:
        FileNotFoundError: There is no bundle.
        ValueError: The bundle is unreadable, of another format or another model, or its
            vectors do not match its documents.
    """
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
    index = HybridIndex(embedder, config=config, options=options, cache=cache)
    index.restore(docs, vectors, head)
    return index, int(header["watermark"])
