"""An intent head: a softmax classifier over articles, trained on their questions' embeddings.

The knowledge base's own ``questions`` are labelled training data: each says "a customer asking
this wants that article". A linear softmax over the (normalised) embeddings, fitted with Adam in
numpy at index time, generalises across phrasings better than nearest-neighbour matching alone;
its probability is added to the retrieval score of each article (see ``fusion.combine_head``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

MIN_ARTICLES = 2
"""Fewer articles with questions than this: no head (nothing to tell apart)."""


def _softmax(logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: npt.NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
    return result


class ArticleHead:
    """A linear softmax classifier from a query embedding to article ids.

    Args:
        article_ids: The classes, in order.
        weights: ``(dimension, n_classes)`` weights.
        bias: ``(n_classes,)`` biases.
    """

    def __init__(self, article_ids: Sequence[str], weights: FloatArray, bias: FloatArray) -> None:
        self.article_ids = list(article_ids)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)

    @classmethod
    def train(
        cls,
        vectors: FloatArray,
        labels: Sequence[str],
        *,
        epochs: int = 150,
        learning_rate: float = 0.05,
        l2: float = 1e-4,
        seed: int = 0,
    ) -> ArticleHead | None:
        """Fit the head on labelled question vectors; None when there is nothing to learn."""
        classes = sorted(set(labels))
        if len(classes) < MIN_ARTICLES or len(labels) != len(vectors):
            return None
        index = {c: n for n, c in enumerate(classes)}
        y = np.asarray([index[label] for label in labels])
        x = np.asarray(vectors, dtype=np.float64)
        onehot = np.eye(len(classes))[y]
        rng = np.random.default_rng(seed)
        w = rng.normal(0.0, 0.01, (x.shape[1], len(classes)))
        b = np.zeros(len(classes))
        m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
        for step in range(1, epochs + 1):
            grad = (_softmax(x @ w + b) - onehot) / len(x)
            g_w, g_b = x.T @ grad + l2 * w, grad.sum(axis=0)
            m_w, v_w = 0.9 * m_w + 0.1 * g_w, 0.999 * v_w + 0.001 * g_w**2
            m_b, v_b = 0.9 * m_b + 0.1 * g_b, 0.999 * v_b + 0.001 * g_b**2
            c1, c2 = 1 - 0.9**step, 1 - 0.999**step
            w -= learning_rate * (m_w / c1) / (np.sqrt(v_w / c2) + 1e-8)
            b -= learning_rate * (m_b / c1) / (np.sqrt(v_b / c2) + 1e-8)
        return cls(classes, w.astype(np.float32), b.astype(np.float32))

    def predict_proba(self, queries: FloatArray) -> FloatArray:
        """Class probabilities, shape ``(n_queries, n_classes)``."""
        logits = np.asarray(queries, dtype=np.float64) @ self.weights + self.bias
        result: FloatArray = _softmax(logits).astype(np.float32)
        return result
