"""Nearest neighbours of article vectors, exact for small sets, sub-quadratic for large ones.

Up to ``FLAT_SEARCH_LIMIT`` vectors the search is exact (FAISS flat, through the index domain's
wrapper). Past it, an inverted-file index (``sqrt(n)`` k-means cells, a few probed per query)
makes the all-articles neighbour search grow like ``n^1.5`` instead of ``n^2``; near-identical
articles share a cell, so the pairs the check needs are kept.
"""

from __future__ import annotations

import math
from typing import Any

import faiss
import numpy as np

from knowledge_service.index.embedder import FloatArray
from knowledge_service.index.vectors import FaissVectorIndex, IdArray

FLAT_SEARCH_LIMIT = 5_000
PROBES = 8


def nearest(vectors: FloatArray, rows: IdArray, k: int) -> tuple[FloatArray, IdArray]:
    """The ``k`` most similar rows of ``vectors`` to each of ``rows`` (inner product).

    Returns:
        ``(scores, ids)`` of shape ``(len(rows), k)``; missing results have id -1.
    """
    n, dimension = vectors.shape
    if n <= FLAT_SEARCH_LIMIT:
        index = FaissVectorIndex(dimension, kind="flat")
        index.add(np.arange(n, dtype=np.int64), vectors)
        return index.search(vectors[rows], k)
    ivf = _ivf_index(vectors)
    scores, ids = ivf.search(np.ascontiguousarray(vectors[rows]), k)
    return np.asarray(scores, dtype=np.float32), np.asarray(ids, dtype=np.int64)


def _ivf_index(vectors: FloatArray) -> Any:
    n, dimension = vectors.shape
    cells = max(16, int(math.sqrt(n)))
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFFlat(quantizer, dimension, cells, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = 10
    index.cp.max_points_per_centroid = 64
    index.cp.seed = 1234
    index.train(vectors)
    index.add(vectors)
    index.nprobe = PROBES
    return index
