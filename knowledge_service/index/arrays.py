"""The array types shared across the index and row normalisation (pure numpy)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IdArray = npt.NDArray[np.int64]


def normalise_rows(vectors: npt.NDArray[Any]) -> FloatArray:
    """Return ``vectors`` as float32 with every non-zero row scaled to unit length."""
    out = np.ascontiguousarray(vectors, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"expected a 2-d array, got shape {out.shape}")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: FloatArray = out / norms
    return result
