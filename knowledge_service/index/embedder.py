"""Text embedders: the ``Embedder`` protocol, the sentence-transformers model and a test fake.

Every embedder returns float32 arrays of shape ``(n, dimension)`` whose rows are L2-normalised,
so inner product is cosine similarity everywhere in the index.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from knowledge_service.settings import Settings

FloatArray = npt.NDArray[np.float32]

_WORD_RE = re.compile(r"[a-z0-9]+")


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


def normalise_rows(vectors: npt.NDArray[Any]) -> FloatArray:
    """Return ``vectors`` as float32 with every non-zero row scaled to unit length."""
    out = np.ascontiguousarray(vectors, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"expected a 2-d array, got shape {out.shape}")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: FloatArray = out / norms
    return result


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU (by default the packaged all-MiniLM-L6-v2).

    Args:
        model_path: A local model folder (loaded offline) or a model name.
        threads: When given, the number of torch intra-op threads (1 for serving, 2 for
            batch indexing on a 2-core machine).
    """

    def __init__(self, model_path: str, *, threads: int | None = None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            torch.set_num_threads(threads)
        self._model = SentenceTransformer(model_path, device="cpu")
        self.model_name: str = Path(model_path).name or model_path
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        get_dim = get_dim or self._model.get_sentence_embedding_dimension
        dimension = get_dim()
        if dimension is None:
            raise ValueError(f"model {model_path!r} does not report its embedding dimension")
        self.dimension: int = int(dimension)
        self._lock = threading.Lock()

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> FloatArray:
        """Encode ``texts`` in batches; see :class:`Embedder`."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # torch modules are not safe for concurrent forward passes
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return normalise_rows(np.asarray(vectors))


class HashEmbedder:
    """A deterministic fake embedder for unit tests.

    A text becomes a hashed bag of its lower-cased word tokens and character trigrams, so texts
    that share words are similar and unrelated texts are nearly orthogonal.

    Args:
        dimension: The vector size.
    """

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.model_name = f"hash-{dimension}"

    def _features(self, text: str) -> list[str]:
        words = _WORD_RE.findall(text.lower())
        grams = [f"#{w[i : i + 3]}" for w in words for i in range(max(1, len(w) - 2))]
        return words + words + grams  # words count double: they carry the meaning

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dimension, 1.0 if (value >> 63) & 1 else -1.0

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> FloatArray:
        """Encode ``texts``; ``batch_size`` and ``show_progress`` are accepted and ignored."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                index, sign = self._bucket(feature)
                out[row, index] += sign
        return normalise_rows(out)


def create_embedder(settings: Settings, *, threads: int | None = None) -> Embedder:
    """Build the embedder the settings name (``settings.embedding_model``).

    ``hash`` or ``hash:DIM`` selects the :class:`HashEmbedder` fake (tests and demos without a
    model); anything else is a sentence-transformers model folder or name, run by ONNX Runtime
    (``settings.index.backend == "onnx"``, the default: exported offline once into
    ``data_dir/models``) or by torch.

    Args:
        settings: The service settings.
        threads: Torch threads; defaults to ``settings.index.query_threads``.
    """
    name = settings.embedding_model
    if name == "hash" or name.startswith("hash:"):
        _, _, dim = name.partition(":")
        return HashEmbedder(int(dim) if dim else 256)
    threads = threads if threads is not None else settings.index.query_threads
    if settings.index.backend == "onnx":
        from knowledge_service.index.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(
            name,
            cache_dir=settings.data_dir / "models",
            variant=settings.index.onnx_variant,
            threads=threads,
            batch_threads=settings.index.index_threads,
        )
    return SentenceTransformerEmbedder(name, threads=threads)
