"""Choosing the embedder the settings name; the embedder names other packages import.

The implementations live in modules of their own (:mod:`~knowledge_service.index.hash_embedder`,
:mod:`~knowledge_service.index.torch_embedder`, :mod:`~knowledge_service.index.onnx_embedder`)
and the ``Embedder`` protocol in :mod:`~knowledge_service.index.protocols`; this module only
picks one, so no implementation depends on another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge_service.index.arrays import FloatArray, normalise_rows
from knowledge_service.index.hash_embedder import HashEmbedder
from knowledge_service.index.leftovers import models_dir
from knowledge_service.index.onnx_embedder import OnnxEmbedder
from knowledge_service.index.onnx_export import Variant
from knowledge_service.index.protocols import Embedder
from knowledge_service.index.torch_embedder import SentenceTransformerEmbedder

if TYPE_CHECKING:
    from knowledge_service.settings import Settings

__all__ = [
    "Embedder",
    "FloatArray",
    "HashEmbedder",
    "SentenceTransformerEmbedder",
    "create_embedder",
    "normalise_rows",
]

_HASH = "hash"
_ONNX = "onnx"


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
    if name == _HASH or name.startswith(f"{_HASH}:"):
        _, _, dim = name.partition(":")
        return HashEmbedder(int(dim) if dim else 256)
    threads = threads if threads is not None else settings.index.query_threads
    if settings.index.backend == _ONNX:
        return OnnxEmbedder(
            name,
            cache_dir=models_dir(settings),
            variant=Variant(settings.index.onnx_variant),
            threads=threads,
            batch_threads=settings.index.index_threads,
        )
    return SentenceTransformerEmbedder(name, threads=threads)
