"""The index's capabilities as protocols: turning texts into vectors, searching vectors.

Every embedder returns float32 arrays of shape ``(n, dimension)`` whose rows are L2-normalised,
so inner product is cosine similarity everywhere in the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol, runtime_checkable

from knowledge_service.index.arrays import FloatArray, IdArray


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    model_name: str
    dimension: int

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> FloatArray:
        """Encode ``texts`` into an array of shape ``(len(texts), dimension)``."""
        ...


def query_embedder(embedder: Embedder) -> Embedder:
    """What encodes questions for ``embedder``: the faster question encoder it carries in
    ``queries`` (an ONNX encoder with ``KS_INDEX__QUERY_ONNX_VARIANT``), else itself."""
    queries = getattr(embedder, "queries", None)
    return queries if isinstance(queries, Embedder) else embedder


def tokenizer_words(embedder: Embedder) -> list[str]:
    """The whole words (letters only) of ``embedder``'s tokenizer vocabulary, when it exposes
    one (``words()``); empty for an embedder without a tokenizer (the hash fake)."""
    words = getattr(embedder, "words", None)
    return list(words()) if callable(words) else []


class VectorKind(StrEnum):
    """How a vector index searches: exactly, or approximately over an HNSW graph."""

    FLAT = "flat"
    HNSW = "hnsw"


class VectorIndex(Protocol):
    """Inner-product nearest-neighbour search over vectors keyed by int64 ids."""

    dimension: int
    kind: VectorKind

    def add(self, ids: IdArray, vectors: FloatArray) -> None: ...

    def remove(self, ids: IdArray) -> None: ...

    def search(self, queries: FloatArray, k: int) -> tuple[FloatArray, IdArray]: ...

    def vectors_for(self, ids: IdArray) -> FloatArray: ...

    def __len__(self) -> int: ...

    def to_bytes(self) -> bytes: ...
