"""The sentence-transformers model run by torch on the CPU (the reference encoder)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge_service.index.arrays import FloatArray, normalise_rows


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

    def words(self) -> list[str]:
        """The tokenizer's whole words (letters only): a lexicon of common words."""
        return [w for w in self._model.tokenizer.get_vocab() if w.isalpha()]

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> FloatArray:
        """Encode ``texts`` in batches; see :class:`~knowledge_service.index.protocols.Embedder`."""
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
