"""Exporting a sentence-transformers model to ONNX once (the ONNX encoder's offline half).

The model folder is exported with ``torch.onnx.export`` of the transformer, then optionally
quantised by ``onnxruntime`` (dynamic int8, per-channel weights), cached under a folder named for
a hash of the model files and the variant, and loaded from there afterwards (see
:class:`~knowledge_service.index.onnx_embedder.OnnxEmbedder`). Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_service.index.leftovers import export_prefix
from knowledge_service.index.locks import taking_turns

logger = logging.getLogger(__name__)


class Variant(StrEnum):
    """The exported graph's precision."""

    INT8 = "int8"
    """Dynamic int8 (per-channel MatMul weights) on the plain graph: the first int8 export."""
    INT8_FUSED = "int8-fused"
    """Dynamic int8 on the fused graph (attention and MatMul weights per channel), with the
    most sensitive MatMuls kept in fp32 (see :func:`sensitive_nodes`)."""
    INT8_FUSED_4 = "int8-fused-4"
    """As ``int8-fused``, with the 4 most sensitive nodes of :data:`SENSITIVITY_RANK` in fp32."""
    INT8_FUSED_8 = "int8-fused-8"
    """As ``int8-fused``, with the 8 most sensitive nodes (every feed-forward node of layers 0-2,
    the up-projections of layers 3 and 4) in fp32."""
    INT8_FUSED_12 = "int8-fused-12"
    """As ``int8-fused``, with the 12 most sensitive nodes in fp32."""
    FP32 = "fp32"
    """The fused fp32 graph: the model's own vectors."""


class Pooling(StrEnum):
    """How token vectors become one text vector."""

    MEAN = "mean"
    CLS = "cls"


_EXPORT_FORMAT = "ks-onnx-2"  # 2: fp32 graphs are fused (attention, layer norm, GELU)
_OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MODEL_FILE = "model.onnx"
META_FILE = "meta.json"
_DEFAULT_MAX_LENGTH = 256
EXPORT_LOCK = ".export.lock"
"""The lock file (in the cache folder) the processes of one machine take turns on to export:
the first exports, the next ones wait and then find its export (server workers starting on a
new data folder would otherwise each export the same model, ~20 s of every core each)."""


def read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _module_folders(model_dir: Path) -> tuple[Path, Path | None]:
    """The transformer folder and the pooling folder named by ``modules.json``."""
    modules = model_dir / "modules.json"
    entries: list[dict[str, Any]] = (
        json.loads(modules.read_text(encoding="utf-8")) if modules.is_file() else []
    )
    transformer, pooling = model_dir, None
    for entry in entries:
        kind = str(entry.get("type", ""))
        if kind.endswith(".Transformer"):
            transformer = model_dir / str(entry.get("path", ""))
        elif kind.endswith(".Pooling"):
            pooling = model_dir / str(entry.get("path", ""))
    return transformer, pooling


def read_model_layout(model_dir: Path) -> dict[str, Any]:
    """Pooling, maximum sequence length and dimension of a sentence-transformers folder.

    Raises:
        ValueError: The folder is missing or uses a pooling mode this backend cannot reproduce.
    """
    if not model_dir.is_dir():
        raise ValueError(f"the ONNX backend needs a local model folder, got {str(model_dir)!r}")
    transformer, pooling_dir = _module_folders(model_dir)
    pool = read_json(pooling_dir / "config.json") if pooling_dir else {}
    if pool.get("pooling_mode_cls_token"):
        pooling = Pooling.CLS
    elif pool.get("pooling_mode_mean_tokens", True):
        pooling = Pooling.MEAN
    else:
        raise ValueError(f"unsupported pooling in {pooling_dir}: {pool}")
    config = read_json(transformer / "config.json")
    st_config = read_json(transformer / "sentence_bert_config.json") or read_json(
        model_dir / "sentence_bert_config.json"
    )
    max_length = int(st_config.get("max_seq_length") or _DEFAULT_MAX_LENGTH)
    max_length = min(max_length, int(config.get("max_position_embeddings", max_length)))
    return {
        "pooling": pooling,
        "max_length": max_length,
        "dimension": int(pool.get("word_embedding_dimension") or config["hidden_size"]),
        "transformer_dir": str(transformer),
    }


def model_fingerprint(model_dir: Path, variant: Variant) -> str:
    """A short hash of every model file (names and bytes), the variant and the export format."""
    digest = hashlib.sha256(f"{_EXPORT_FORMAT}\x00{_OPSET}\x00{variant}".encode())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(model_dir)
        if any(part.startswith(".") for part in rel.parts) or path.suffix == ".md":
            continue
        digest.update(str(rel.as_posix()).encode() + b"\x00")
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:16]


def _export_fp32(transformer_dir: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(transformer_dir), attn_implementation="eager").eval()

    class _Encoder(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "token_embeddings")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and legacy-exporter notices, not problems
        torch.onnx.export(
            _Encoder(model),
            (dummy, torch.ones_like(dummy), torch.zeros_like(dummy)),
            str(target),
            dynamo=False,
            input_names=list(INPUTS),
            output_names=["token_embeddings"],
            dynamic_axes=axes,
            opset_version=_OPSET,
        )


_FUSION_TOLERANCE = 1e-4
"""Largest difference from the plain graph's output a fused graph may show to be kept."""


def _fuse_transformer(source: Path, config: dict[str, Any]) -> None:
    """Rewrite ``source`` in place with ONNX Runtime's transformer fusions when they keep the
    outputs (attention, skip layer norm and GELU become single kernels: ~10% less time per query
    on MiniLM with the same vectors, max difference ~5e-7). Any model the fuser does not know,
    or whose fused outputs differ, keeps the plain graph."""
    candidate = source.with_name("fused.onnx")
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        fused = optimize_model(
            str(source),
            model_type="bert",
            num_heads=int(config.get("num_attention_heads", 0)),
            hidden_size=int(config.get("hidden_size", 0)),
            opt_level=1,
        )
        fused.save_model_to_file(str(candidate))
        if _same_outputs(source, candidate):
            os.replace(candidate, source)
        else:
            logger.info("kept the plain ONNX graph: the fused one changed the outputs")
    except Exception:  # an optimisation only: the plain graph always works
        logger.info("kept the plain ONNX graph: the transformer fuser failed", exc_info=True)
    finally:
        candidate.unlink(missing_ok=True)  # never left in the export folder beside model.onnx


def _same_outputs(plain: Path, fused: Path) -> bool:
    import onnxruntime as ort

    ids = np.array([[101, 200, 300, 400, 500, 600, 700, 102, 0, 0]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    outputs = []
    for path in (plain, fused):
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        names = {i.name for i in session.get_inputs()}
        outputs.append(session.run(None, {k: v for k, v in feeds.items() if k in names})[0])
    same_shape = outputs[0].shape == outputs[1].shape
    return same_shape and float(np.abs(outputs[0] - outputs[1]).max()) <= _FUSION_TOLERANCE


_FFN_DOWN = re.compile(r"layer\.(\d+)/output/dense/MatMul$")
"""A layer's feed-forward down-projection (not ``attention/output/dense``) in the exported graph."""


def sensitive_nodes(graph: Path, layers: int) -> list[str]:
    """The MatMuls :attr:`Variant.INT8_FUSED` keeps in fp32: the feed-forward down-projections of
    the first half of the layers. Quantising one node at a time on MiniLM (``scripts/
    bench_encoder.py --sensitivity``) these moved the sentence vectors most (their input, the GELU
    output, has the widest range); a tuned copy of the model has the same graph."""
    import onnx

    model = onnx.load(str(graph), load_external_data=False)
    keep = []
    for node in model.graph.node:
        match = _FFN_DOWN.search(node.name)
        if node.op_type == "MatMul" and match and int(match.group(1)) < (layers + 1) // 2:
            keep.append(node.name)
    return keep


SENSITIVITY_RANK = (
    r"layer\.0/output/dense/MatMul$",  # mean 1 - cosine 0.00110 with only this node in int8
    r"layer\.2/output/dense/MatMul$",  # 0.00065
    r"layer\.1/output/dense/MatMul$",  # 0.00052
    r"layer\.4/intermediate/dense/MatMul$",  # 0.00047
    r"layer\.3/intermediate/dense/MatMul$",  # 0.00040
    r"layer\.1/intermediate/dense/MatMul$",  # 0.00034
    r"layer\.2/intermediate/dense/MatMul$",  # 0.00034
    r"layer\.0/intermediate/dense/MatMul$",  # 0.00031
    r"^Attention_4$",  # 0.00028
    r"^Attention_5$",  # 0.00025
    r"layer\.0/attention/output/dense/MatMul$",  # 0.00023
    r"^Attention_3$",  # 0.00022
)
"""The fused MiniLM graph's nodes, most sensitive to int8 first, as name patterns (``scripts/
bench_encoder.py --sensitivity``: one node quantised at a time, mean 1 - cosine to fp32 on 300
knowledge-base texts). A model from ``knowledge-service tune`` has the same graph and names."""

_KEPT_BY_RANK = {Variant.INT8_FUSED_4: 4, Variant.INT8_FUSED_8: 8, Variant.INT8_FUSED_12: 12}
"""How many nodes of :data:`SENSITIVITY_RANK` each ``int8-fused-N`` variant keeps in fp32."""


def ranked_sensitive_nodes(graph: Path, count: int) -> list[str]:
    """The graph's nodes matching the first ``count`` patterns of :data:`SENSITIVITY_RANK`."""
    import onnx

    model = onnx.load(str(graph), load_external_data=False)
    patterns = [re.compile(pattern) for pattern in SENSITIVITY_RANK[:count]]
    keep = [
        node.name
        for node in model.graph.node
        if node.op_type in ("MatMul", "Attention") and any(p.search(node.name) for p in patterns)
    ]
    if len(keep) < count:
        logger.info("only %d of the %d most sensitive nodes found in %s", len(keep), count, graph)
    return keep


def quantise_dynamic(
    source: Path,
    target: Path,
    *,
    op_types: tuple[str, ...] = ("MatMul",),
    per_channel: bool = True,
    reduce_range: bool = False,
    exclude: tuple[str, ...] = (),
    include: tuple[str, ...] = (),
) -> None:
    """Dynamic int8 quantisation of ``source`` into ``target`` (int8 weights, activations
    quantised per call). ``include`` limits it to those nodes, ``exclude`` keeps nodes in fp32."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser logs one root INFO line per tensor
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=per_channel,
            reduce_range=reduce_range,
            op_types_to_quantize=list(op_types),
            nodes_to_quantize=list(include) or None,
            nodes_to_exclude=list(exclude),
            # fused nodes (com.microsoft domain) defeat shape inference: their outputs are float
            extra_options={"DefaultTensorType": 1},
        )
    finally:
        root.setLevel(level)


def _quantise_int8(source: Path, target: Path) -> None:
    # Per-channel int8 weights on MatMul only: per-tensor weights or a quantised embedding
    # Gather cost ~0.04 cosine to fp32 on this model; per-channel MatMul keeps ~0.99.
    quantise_dynamic(source, target)


def _quantise_int8_fused(source: Path, target: Path, variant: Variant, layers: int) -> None:
    count = _KEPT_BY_RANK.get(variant)
    if count is None:
        keep = sensitive_nodes(source, layers)
    else:
        keep = ranked_sensitive_nodes(source, count)
    quantise_dynamic(source, target, op_types=("MatMul", "Attention"), exclude=tuple(keep))


def exported_folder(model_path: str | Path, cache_dir: Path, variant: Variant) -> Path:
    """Where :func:`export_onnx_model` keeps ``variant`` of the model (whether or not it is
    there yet)."""
    model_dir = Path(model_path)
    fingerprint = model_fingerprint(model_dir, Variant(variant))
    return cache_dir / f"{model_dir.name or 'model'}-{variant}-{fingerprint}"


def export_in_child(model_path: str | Path, cache_dir: Path, *, variant: Variant) -> Path:
    """:func:`export_onnx_model` in a fresh interpreter when the export is not there yet.

    An export loads torch and the whole model, traces, fuses and quantises it: about 800 MiB
    that the process keeps after it (the allocators do not give it back). A server or command
    that only needs the exported graph runs the export in a child process, which ends with it.
    """
    final = exported_folder(model_path, cache_dir, variant)
    if (final / META_FILE).is_file():
        return final
    read_model_layout(Path(model_path))  # a folder that is no model is refused here, as before
    with _export_turn(cache_dir, variant):
        if (final / META_FILE).is_file():  # another process exported it while this one waited
            return final
        # the child exports without the lock: this process holds it for the child's run
        code = (
            "import sys; from pathlib import Path; "
            "from knowledge_service.index.onnx_export import Variant, export_onnx_model; "
            "print(export_onnx_model(sys.argv[1], Path(sys.argv[2]), variant=Variant(sys.argv[3]), "
            "take_turn=False))"
        )
        logger.info(
            "exporting %s to ONNX (%s) in a child process; this runs once", model_path, variant
        )
        done = subprocess.run(
            [sys.executable, "-c", code, str(model_path), str(cache_dir), str(variant)],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"exporting {model_path} to ONNX ({variant}) failed:\n{tail}")
    return Path(done.stdout.strip().splitlines()[-1])


def _export_turn(cache_dir: Path, variant: Variant) -> AbstractContextManager[None]:
    """This process's turn to export into ``cache_dir`` (one line logged while it waits; the
    variant, not the folder's name, whose fingerprint the log's redaction may take for a phone
    number)."""
    return taking_turns(
        cache_dir / EXPORT_LOCK,
        waiting=lambda: logger.info(
            "waiting for another process's ONNX export into %s (%s)", cache_dir, variant
        ),
    )


def export_onnx_model(
    model_path: str | Path,
    cache_dir: Path,
    *,
    variant: Variant = Variant.INT8,
    take_turn: bool = True,
) -> Path:
    """Export a sentence-transformers folder to ONNX once and return the cached folder.

    The folder holds ``model.onnx``, ``tokenizer.json`` and ``meta.json``. It is built in a
    temporary folder and renamed into place, so a crash never leaves a half-written cache; the
    processes of one machine take turns on a lock file in ``cache_dir`` (:data:`EXPORT_LOCK`),
    so concurrent first uses export once: the others wait, then use that export.

    Args:
        model_path: A local sentence-transformers model folder.
        cache_dir: Where exported models live (e.g. ``settings.data_dir / "models"``).
        variant: ``fp32`` (exact), ``int8`` or ``int8-fused[-N]`` (quantised; see :class:`Variant`).
        take_turn: False when the caller holds the turn already (:func:`export_in_child`'s
            child, whose parent took it).
    """
    model_dir = Path(model_path)
    layout = read_model_layout(model_dir)
    final = exported_folder(model_dir, cache_dir, variant)
    if (final / META_FILE).is_file():
        return final
    with _export_turn(cache_dir, variant) if take_turn else nullcontext():
        if (final / META_FILE).is_file():  # another process exported it while this one waited
            return final
        logger.info("exporting %s to ONNX (%s) into %s; this runs once", model_dir, variant, final)
        cache_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=export_prefix(), dir=cache_dir))
        try:
            _export_into(work, model_dir, layout, Variant(variant))
            try:
                os.replace(work, final)
            except OSError:  # without flock (not POSIX) two processes may both have exported
                if not (final / META_FILE).is_file():
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return final


def _export_into(work: Path, model_dir: Path, layout: dict[str, Any], variant: Variant) -> None:
    """Write ``model.onnx``, ``tokenizer.json`` and ``meta.json`` of ``variant`` into ``work``."""
    transformer_dir = Path(layout["transformer_dir"])
    config = read_json(transformer_dir / "config.json")
    fp32 = work / (MODEL_FILE if variant == Variant.FP32 else "fp32.onnx")
    _export_fp32(transformer_dir, fp32)
    if variant != Variant.INT8:
        _fuse_transformer(fp32, config)
    if variant == Variant.INT8:
        _quantise_int8(fp32, work / MODEL_FILE)
    elif variant != Variant.FP32:
        layers = int(config.get("num_hidden_layers", 0))
        _quantise_int8_fused(fp32, work / MODEL_FILE, variant, layers)
    if variant != Variant.FP32:
        fp32.unlink()
    shutil.copyfile(transformer_dir / "tokenizer.json", work / "tokenizer.json")
    meta = {**layout, "format": _EXPORT_FORMAT, "variant": variant, "source": str(model_dir)}
    (work / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    work.chmod(0o755)
