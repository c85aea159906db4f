"""Choosing the embedder the settings name; the embedder names other packages import.

The implementations live in modules of their own (:mod:`~knowledge_service.index.hash_embedder`,
:mod:`~knowledge_service.index.torch_embedder`, :mod:`~knowledge_service.index.onnx_embedder`)
and the ``Embedder`` protocol in :mod:`~knowledge_service.index.protocols`; this module only
picks one, so no implementation depends on another.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge_service.index.arrays import FloatArray, normalise_rows
from knowledge_service.index.hash_embedder import HashEmbedder
from knowledge_service.index.leftovers import models_dir
from knowledge_service.index.onnx_embedder import OnnxEmbedder
from knowledge_service.index.onnx_export import Variant
from knowledge_service.index.protocols import Embedder, query_embedder
from knowledge_service.index.torch_embedder import SentenceTransformerEmbedder
from knowledge_service.index.tuned_models import choose_model

if TYPE_CHECKING:
    from knowledge_service.settings import Settings

__all__ = [
    "Embedder",
    "FloatArray",
    "HashEmbedder",
    "ModelFolderError",
    "SentenceTransformerEmbedder",
    "check_model_folder",
    "create_embedder",
    "normalise_rows",
]

logger = logging.getLogger(__name__)

_HASH = "hash"
_ONNX = "onnx"
MODEL_FOLDER_FILES = ("modules.json", "config.json")
"""What a sentence-transformers model folder holds at its top (either is enough)."""


class ModelFolderError(ValueError):
    """``KS_EMBEDDING_MODEL`` names no model folder (the message says which and why)."""


def check_model_folder(name: str) -> None:
    """Refuse an embedding model setting that is neither ``hash``/``hash:DIM`` nor a folder
    holding a sentence-transformers model (``modules.json`` or ``config.json`` at its top).

    Only the top of the folder is looked at: a big folder such as ``/tmp`` is never walked.

    Raises:
        ModelFolderError: The setting, the path and what a model folder must hold.
    """
    if name == _HASH or name.startswith(f"{_HASH}:"):
        return
    folder = Path(name)
    if not folder.exists():
        problem = "does not exist"
    elif not folder.is_dir():
        problem = "is not a folder"
    elif not any((folder / file).is_file() for file in MODEL_FOLDER_FILES):
        problem = "is not a model folder"
    else:
        return
    raise ModelFolderError(
        f"KS_EMBEDDING_MODEL={name} {problem}; it must be a local sentence-transformers model "
        f"folder, holding {' or '.join(MODEL_FOLDER_FILES)} (or 'hash' for the model-free fake)"
    )


def create_embedder(
    settings: Settings, *, threads: int | None = None, units_only: bool = False
) -> Embedder:
    """Build the embedder the settings name (``settings.embedding_model``).

    ``hash`` or ``hash:DIM`` selects the :class:`HashEmbedder` fake (tests and demos without a
    model); anything else is a local sentence-transformers model folder, run by ONNX Runtime
    (``settings.index.backend == "onnx"``, the default: exported offline once into
    ``data_dir/models``) or by torch. With ``settings.index.use_tuned_model`` (``true``; or
    ``auto``, the default, when its validation showed a gain) the newest ``knowledge-service
    tune`` version in ``data_dir/models`` replaces that model; a missing or broken one falls
    back to it with a log line.

    Args:
        settings: The service settings.
        threads: Torch threads; defaults to ``settings.index.query_threads``.
        units_only: An encoder for units alone (the governance check): with ONNX, no question
            encoder and the model's session opened at the first encode, not at once (see
            :class:`OnnxEmbedder`); torch loads the model either way.

    Raises:
        ModelFolderError: ``settings.embedding_model`` is no model folder
            (:func:`check_model_folder`).
    """
    name = settings.embedding_model
    check_model_folder(name)
    if name == _HASH or name.startswith(f"{_HASH}:"):
        _, _, dim = name.partition(":")
        return HashEmbedder(int(dim) if dim else 256)
    threads = threads if threads is not None else settings.index.query_threads
    tuned = choose_model(settings.data_dir, name, use_tuned=settings.index.use_tuned_model)
    if tuned is not None:
        try:
            embedder = _model_embedder(settings, str(tuned.path), threads, units_only)
        except Exception as exc:  # a broken tuned model must not take the service down
            logger.warning(
                "tuned model %s failed to load (%s); using the base model %s", tuned.path, exc, name
            )
        else:
            queries = query_embedder(embedder)  # the questions' encoder, when it is another
            for encoder in [embedder] if queries is embedder else [embedder, queries]:
                suffix = encoder.model_name.removeprefix(tuned.path.name)  # e.g. "+onnx-int8"
                encoder.model_name = tuned.model_name + suffix
            logger.info("using the tuned model %s", tuned.path)
            return embedder
    return _model_embedder(settings, name, threads, units_only)


def _model_embedder(
    settings: Settings, name: str, threads: int, units_only: bool = False
) -> OnnxEmbedder | SentenceTransformerEmbedder:
    if settings.index.backend == _ONNX:
        return OnnxEmbedder(
            name,
            cache_dir=models_dir(settings),
            variant=Variant(settings.index.onnx_variant),
            threads=threads,
            batch_threads=settings.index.index_threads,
            query_variant=_query_variant(settings),
            units_only=units_only,
        )
    return SentenceTransformerEmbedder(name, threads=threads)


def _query_variant(settings: Settings) -> Variant | None:
    """The ONNX variant that encodes questions (None: the units' own)."""
    name = settings.index.query_onnx_variant
    return None if name == "same" else Variant(name)
