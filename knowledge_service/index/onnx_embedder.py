"""A fast encoder backend: a sentence-transformers model run by ONNX Runtime (fp32 or int8).

The model is exported once (see :mod:`knowledge_service.index.onnx_export`). Tokenisation uses
the model's ``tokenizer.json``; pooling and normalisation run in numpy, so vectors match
:class:`~knowledge_service.index.torch_embedder.SentenceTransformerEmbedder` (cosine ~1.0 for
fp32, ~0.995 for int8) at a fraction of the cost per query.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge_service.index.arrays import FloatArray, normalise_rows
from knowledge_service.index.leftovers import write_atomic
from knowledge_service.index.onnx_export import (
    META_FILE,
    MODEL_FILE,
    Pooling,
    Variant,
    export_in_child,
    read_json,
)

_BATCH_SESSION_MIN_TEXTS = 16
"""Calls with at least this many texts use the batch session (``batch_threads``)."""
_BATCH_TOKENS = 1024
"""Most padded tokens in one batch: attention memory grows with batch x width squared."""

logger = logging.getLogger(__name__)

FIDELITY_MEAN = 0.997
"""A question encoder whose vectors' mean cosine to the units' encoder on :data:`PROBES` is
below this is not used. On MiniLM: int8-fused-8 0.9981 (it keeps every eval and answer figure
within 0.002); int8-fused 0.9959 (it lost 0.004 Accuracy@1 on StackFAQ as a question encoder);
plain int8 0.9935 (0.005 nDCG@10 on StackFAQ)."""
FIDELITY_LOWEST = 0.99
"""... nor one whose lowest cosine there is below this."""
FIDELITY_FILE = "fidelity.json"
ONE_TEXT_PER_RUN_SUFFIX = "+one-per-run"
"""Ends the name of an encoder that runs each text on its own (a quantised question encoder):
its vectors are not the batched ones of the same variant, and caches are keyed by name."""
PROBES = (
    "how do I get a refund",
    "my card was charged twice this month",
    "can I pay my bill in instalments",
    "what happens if I miss a payment",
    "the power is out in my street",
    "how do I change my address",
    "I forgot my password and cannot log in",
    "set an alarm for seven tomorrow morning",
    "is the store open on public holidays",
    "how long does delivery take to the countryside",
    "cancel my subscription please",
    "why is my bill so high this quarter",
    "Refunds are paid to the original payment method within 10 business days.",
    "Tell us as soon as someone at your home relies on life support equipment.",
    "If your card is lost or stolen, freeze it in the app and order a replacement.",
    "Late payment fees do not apply to customers on a hardship plan.",
)
"""Short questions and knowledge-base sentences of several domains: what a question encoder is
checked on against the units' encoder before it is used (:func:`check_fidelity`)."""


class OnnxEmbedder:
    """An :class:`~knowledge_service.index.embedder.Embedder` backed by ONNX Runtime.

    Args:
        model_path: A local sentence-transformers model folder.
        cache_dir: Where the exported model is cached (created on first use).
        variant: ``fp32`` (the model's own vectors), ``int8-fused[-4|-8|-12]`` or ``int8``
            (quantised: faster, vectors slightly off; see ``onnx_export.Variant``).
        threads: ONNX Runtime intra-op threads for small calls while another call is
            running (1 for serving: concurrent requests each keep one core).
        batch_threads: Threads for calls of 16 texts or more (batch indexing), and for any call
            while no other call of this encoder runs (a lone query then has every core the
            index build would use, instead of leaving one idle); defaults to ``threads``.
        query_variant: The variant that encodes questions (:attr:`queries`), when it differs
            from ``variant``: the knowledge base's units keep ``variant``'s vectors while each
            question, encoded on every request, takes the faster graph.
        units_only: This encoder encodes no questions (the governance check): no question
            encoder, whatever ``query_variant`` says, and one session (``batch_threads``)
            opened at its first encode, so a check whose texts are all in the embedding cache
            never loads the graph.
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        cache_dir: Path,
        variant: Variant = Variant.INT8,
        threads: int = 1,
        batch_threads: int | None = None,
        query_variant: Variant | None = None,
        units_only: bool = False,
    ) -> None:
        from tokenizers import Tokenizer

        variant = Variant(variant)
        folder = export_in_child(model_path, cache_dir, variant=variant)
        meta = read_json(folder / META_FILE)
        name = Path(model_path).name or str(model_path)
        # int8 vectors differ slightly from the model's own: a distinct name per variant keeps
        # them out of caches and indexes built by another encoder (the index records the name
        # and is rebuilt when it changes); torch and fp32 give the same vectors and share one.
        self.model_name: str = name if variant == Variant.FP32 else f"{name}+onnx-{variant}"
        self.dimension: int = int(meta["dimension"])
        self.variant: Variant = variant
        self._pooling = Pooling(meta["pooling"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(meta["max_length"]))
        padding = self._tokenizer.padding or {}
        self._pad_id = int(padding.get("pad_id", 0))
        self._tokenizer.no_padding()  # batches are padded in numpy, after sorting by length
        self.model_file: Path = folder / MODEL_FILE
        self._running = 0  # calls of encode in progress, in any thread
        self._running_lock = threading.Lock()
        self.queries: OnnxEmbedder = self
        """What encodes questions: this encoder, or one of ``query_variant`` (its vectors carry
        that variant's name, so caches never mix them with the units')."""
        self.one_text_per_run = False
        """Run each text on its own. A quantised graph scales its activations over the whole
        batch (dynamic int8), so a text's vector would depend on the texts beside it (cosine
        about 0.9987 on MiniLM): a question encoder must give a question the same vector, and
        so the same answer, whatever other customers ask at the same moment."""
        self._session: Any = None
        self._batch_session: Any = None
        self._input_names: set[str] = set()
        # With a question encoder of its own, this encoder only encodes units: one session
        # (batch threads), opened at its first use, so a server that only answers never holds
        # the units' graph.
        self._unit_threads = batch_threads or threads
        if query_variant is not None and Variant(query_variant) != variant and not units_only:
            queries = OnnxEmbedder(
                model_path,
                cache_dir=cache_dir,
                variant=Variant(query_variant),
                threads=threads,
                batch_threads=batch_threads,
            )
            if queries.variant != Variant.FP32:
                queries.run_one_text_at_a_time()
            mean, lowest = check_fidelity(self.model_file, queries)
            if mean >= FIDELITY_MEAN and lowest >= FIDELITY_LOWEST:
                self.queries = queries
                self._input_names = queries._input_names  # the same graph inputs
            else:
                logger.warning(
                    "questions are encoded by the units' encoder (%s): the %s encoder moves this "
                    "model's vectors too far (cosine to it on %d probe texts: mean %.4f, lowest "
                    "%.4f; it needs %.3f and %.2f)",
                    variant, query_variant, len(PROBES), mean, lowest, FIDELITY_MEAN,
                    FIDELITY_LOWEST,
                )  # fmt: skip
        if self.queries is self and not units_only:  # questions and units: both sessions
            self._session = self._new_session(self.model_file, threads)
            self._batch_session = (
                self._new_session(self.model_file, batch_threads)
                if batch_threads and batch_threads != threads
                else self._session
            )
            self._input_names = {i.name for i in self._session.get_inputs()}

    def run_one_text_at_a_time(self) -> None:
        """Encode each text in a run of its own (see ``one_text_per_run``). The vectors then
        differ from this variant's batched ones, so the name says so: an embedding cache that
        an earlier version filled with batched vectors under the plain name is not reused."""
        if not self.one_text_per_run:
            self.one_text_per_run = True
            self.model_name += ONE_TEXT_PER_RUN_SUFFIX

    @staticmethod
    def _new_session(model_file: Path, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Spinning workers steal the shared cores from other processes for little gain.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])

    def _run(self, encodings: Sequence[Any], session: Any) -> npt.NDArray[np.float32]:
        """Pooled (not yet normalised) vectors of one batch of tokenised texts."""
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)], types[row, : len(enc.ids)] = enc.ids, enc.type_ids
            mask[row, : len(enc.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        feeds = {name: value for name, value in feeds.items() if name in self._input_names}
        hidden: npt.NDArray[np.float32] = session.run(None, feeds)[0]
        if self._pooling == Pooling.CLS:
            return hidden[:, 0, :]
        weights = mask.astype(np.float32)[:, :, None]
        counts = np.maximum(weights.sum(axis=1), 1.0)
        pooled: npt.NDArray[np.float32] = (hidden * weights).sum(axis=1) / counts
        return pooled

    def words(self) -> list[str]:
        """The tokenizer's whole words (letters only): a lexicon of common words."""
        return [w for w in self._tokenizer.get_vocab() if w.isalpha()]

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> FloatArray:
        """Encode ``texts``; see the ``Embedder`` protocol.

        Texts are sorted by token count and batched up to ``batch_size`` texts and
        ``_BATCH_TOKENS`` padded tokens, so padding and attention memory stay small.
        ``show_progress`` is accepted for the protocol and ignored. A call runs on
        ``batch_threads`` when it is large or no other call is running, else on ``threads``.
        """
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        with self._running_lock:
            alone = self._running == 0
            self._running += 1
            if self._session is None:  # the units' session, opened at first use
                self._session = self._batch_session = self._new_session(
                    self.model_file, self._unit_threads
                )
                self._input_names = self._input_names or {
                    i.name for i in self._session.get_inputs()
                }
        try:
            wide = alone or len(texts) >= _BATCH_SESSION_MIN_TEXTS
            session = self._batch_session if wide else self._session
            return self._encode(texts, out, session, batch_size)
        finally:
            with self._running_lock:
                self._running -= 1

    def _encode(
        self, texts: Sequence[str], out: FloatArray, session: Any, batch_size: int
    ) -> FloatArray:
        encodings = (
            self._tokenizer.encode_batch(list(texts))
            if len(texts) > 1
            else [self._tokenizer.encode(texts[0])]
        )
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable").tolist()
        while order:
            width = max(1, len(encodings[order[0]].ids))  # the longest left sets the width
            take = 1 if self.one_text_per_run else max(1, min(batch_size, _BATCH_TOKENS // width))
            rows, order = order[:take], order[take:]
            out[rows] = self._run([encodings[i] for i in rows], session)
        return normalise_rows(out)


def check_fidelity(reference: Path, queries: OnnxEmbedder) -> tuple[float, float]:
    """Mean and lowest cosine, on :data:`PROBES`, between ``queries``' vectors and those of the
    graph ``reference`` (the units' encoder): measured once per pair of exports and kept in the
    question encoder's export folder, so a restart reads it. The reference graph is opened in a
    session of its own for the measure and closed after it."""
    record = queries.model_file.parent / FIDELITY_FILE
    # measured as the encoder runs: one text per run or in batches
    key = reference.parent.name + ("/one-text-per-run" if queries.one_text_per_run else "")
    try:
        known = json.loads(record.read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError):
        known = None
    if isinstance(known, list) and len(known) == 2:
        return float(known[0]), float(known[1])
    session = OnnxEmbedder._new_session(reference, 1)
    expected = np.zeros((len(PROBES), queries.dimension), dtype=np.float32)
    expected = queries._encode(PROBES, expected, session, 64)
    got = queries.encode(PROBES)
    del session
    cosines = (expected * got).sum(axis=1)
    mean, lowest = round(float(cosines.mean()), 6), round(float(cosines.min()), 6)
    try:  # written whole or not at all; a failure only means measuring again next time
        entries = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
        entries[key] = [mean, lowest]
        write_atomic(record, json.dumps(entries).encode("utf-8"))
    except (OSError, ValueError) as exc:
        logger.info("could not keep the question encoder's check in %s: %s", record, exc)
    return mean, lowest
