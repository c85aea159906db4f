"""A deterministic fake embedder for unit tests and demos without a model."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from knowledge_service.index.arrays import FloatArray, normalise_rows

_WORD_RE = re.compile(r"[a-z0-9]+")


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
