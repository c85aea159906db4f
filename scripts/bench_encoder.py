"""Encoder variants (fp32, dynamic and static int8) measured for speed and quality in one run.

    nice -n 19 .venv/bin/python scripts/bench_encoder.py --workdir /tmp/bench-encoder
    nice -n 19 .venv/bin/python scripts/bench_encoder.py --workdir /tmp/bench-encoder \\
        --sensitivity --static --rounds 3

Every variant is built from the model the settings name (``KS_EMBEDDING_MODEL``): the shipped
ones (``fp32``, ``int8``, ``int8-fused``) through the service's own export, the others from the
same plain and fused fp32 graphs into ``--workdir``. For each variant, round by round
(interleaved, so load changes hit all alike), it measures the median per-query encode time with
1 thread on short test questions and the units/s of batch encoding knowledge-base texts with 2
threads; then the cosine of its vectors to fp32 on the test questions of BANKING77, StackFAQ and
HWU64-OOS (mean and minimum per set). ``--sensitivity`` first quantises one node at a time and
prints how far each moves the vectors of knowledge-base texts (mean 1 - cosine to fp32), most
sensitive first; the ``excl-topN`` variants keep the N most sensitive in fp32. ``--static`` adds
static (QDQ) int8 calibrated on knowledge-base texts (never the test questions) with MinMax and
Percentile ranges and int8 or uint8 activations. Calibration and timing texts are the sets'
corpora (the knowledge bases' own texts). ``--only`` times fp32 and the shipped variants named;
``--answers fp32 int8-fused-8`` prints instead ``calibrate_answers.py``'s answer figures for each
encoder (shipped settings as they are, refitted, transferred; hit@1 in scope).
Eval figures (Acc@1, nDCG) come from
``knowledge-service eval`` with ``KS_INDEX__ONNX_VARIANT`` set; see docs/benchmarks.md, "Speed".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from eval_data import data_folder  # scripts/ is on the path when run as a script
from export_onnx import query_p50_ms  # scripts/ is on the path when run as a script

from knowledge_service.index.onnx_embedder import OnnxEmbedder
from knowledge_service.index.onnx_export import (
    MODEL_FILE,
    Variant,
    _export_fp32,
    export_onnx_model,
    quantise_dynamic,
    read_model_layout,
)
from knowledge_service.settings import Settings

EVAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval-data"
QUANTISED_OPS = ("MatMul", "Attention")
FP32 = "fp32 (fused)"


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_questions(data: Path) -> dict[str, list[str]]:
    """Each set's test questions (quality is measured on these, never calibrated on them)."""
    return {
        "banking77": [q["text"] for q in _jsonl(data / "banking77" / "queries.jsonl")],
        "stackfaq": [q["text"] for q in _jsonl(data / "stackfaq" / "queries.jsonl")],
        "hwu64": [q["text"] for q in _jsonl(data / "hwu64_oos" / "queries.jsonl")],
    }


def kb_texts(data: Path, n: int, seed: int) -> list[str]:
    """``n`` knowledge-base texts: BANKING77 training utterances and StackFAQ answers."""
    rng = np.random.default_rng(seed)
    banking = [d["text"] for d in _jsonl(data / "banking77" / "corpus.jsonl")]
    faq = [f"{d['title']}\n{d['text']}" for d in _jsonl(data / "stackfaq" / "corpus.jsonl")]
    picked = [*rng.choice(banking, n // 2), *rng.choice(faq, n - n // 2)]
    return [str(text) for text in picked]


class Graph:
    """An ONNX file run through :class:`OnnxEmbedder`'s tokenisation, batching and pooling."""

    def __init__(self, reference: OnnxEmbedder, path: Path, threads: int) -> None:
        self.inner = reference
        self.session = reference._new_session(path, threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        inner = self.inner
        saved = inner._session, inner._batch_session
        inner._session = inner._batch_session = self.session
        try:
            return inner.encode(texts)
        finally:
            inner._session, inner._batch_session = saved


def units_per_s(graph: Graph, texts: Sequence[str]) -> float:
    start = time.perf_counter()
    graph.encode(texts)
    return len(texts) / (time.perf_counter() - start)


def graph_nodes(path: Path) -> list[str]:
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return [node.name for node in model.graph.node if node.op_type in QUANTISED_OPS]


def sensitivity(
    reference: OnnxEmbedder, fused: Path, work: Path, texts: Sequence[str]
) -> list[tuple[str, float, float]]:
    """(node, mean 1 - cosine, largest 1 - cosine) with only that node quantised, worst first."""
    ref = Graph(reference, fused, 2).encode(texts)
    rows = []
    for name in graph_nodes(fused):
        one = work / "one-node.onnx"
        quantise_dynamic(fused, one, op_types=QUANTISED_OPS, include=(name,))
        drop = 1 - (Graph(reference, one, 2).encode(texts) * ref).sum(axis=1)
        rows.append((name, float(drop.mean()), float(drop.max())))
        print(f"  {name}: mean {drop.mean():.6f}, max {drop.max():.6f}", flush=True)
    return sorted(rows, key=lambda row: -row[1])


def static_int8(
    reference: OnnxEmbedder, source: Path, target: Path, texts: Sequence[str], method: str, act: str
) -> Path:
    """Static QDQ int8 of ``source``'s MatMuls with activation ranges from ``texts``."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    tokenizer = reference._tokenizer
    feeds = []
    # one width for every batch: the Percentile and Entropy calibrators stack the batches
    width = max(len(e.ids) for e in tokenizer.encode_batch(list(texts)))
    for start in range(0, len(texts), 16):
        encodings = tokenizer.encode_batch(list(texts[start : start + 16]))
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)], mask[row, : len(enc.ids)] = enc.ids, 1
        feeds.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids})

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter(feeds)

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.batches, None)

    activation = QuantType.QInt8 if act == "s8" else QuantType.QUInt8
    quantize_static(
        str(source),
        str(target),
        Reader(),
        quant_format=QuantFormat.QDQ,
        activation_type=activation,
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        calibrate_method=getattr(CalibrationMethod, method),
        extra_options={"DefaultTensorType": 1, "ActivationSymmetric": act == "s8"},
    )
    return target


def build_variants(
    model: str, cache: Path, work: Path, args: argparse.Namespace, calib: Sequence[str]
) -> tuple[OnnxEmbedder, dict[str, Path]]:
    """The variants to measure, fp32 (the reference) first."""
    shipped = {v: export_onnx_model(model, cache, variant=v) / MODEL_FILE for v in Variant}
    reference = OnnxEmbedder(model, cache_dir=cache, variant=Variant.FP32)
    fused = shipped[Variant.FP32]
    plain = work / "plain.onnx"
    if not plain.is_file():
        _export_fp32(Path(read_model_layout(Path(model))["transformer_dir"]), plain)
    variants: dict[str, Path] = {
        FP32: fused,
        "int8: dynamic, plain graph, MatMul": shipped[Variant.INT8],
        "int8-fused: dynamic, fused, FFN down-proj of layers < half in fp32": shipped[
            Variant.INT8_FUSED
        ],
        **{
            f"{v}: int8-fused, {v.rsplit('-', 1)[1]} most sensitive nodes in fp32": shipped[v]
            for v in Variant
            if v.startswith("int8-fused-")
        },
    }
    builders: dict[str, Callable[[Path], None]] = (
        {}
        if args.shipped_only
        else {
            "dynamic, fused, all": lambda t: quantise_dynamic(fused, t, op_types=QUANTISED_OPS),
            "dynamic, fused, all, reduce_range": lambda t: quantise_dynamic(
                fused, t, op_types=QUANTISED_OPS, reduce_range=True
            ),
            "dynamic, fused, all, per-tensor": lambda t: quantise_dynamic(
                fused, t, op_types=QUANTISED_OPS, per_channel=False
            ),
        }
    )
    if args.sensitivity:
        print("sensitivity (one node quantised at a time, knowledge-base texts):", flush=True)
        order = [name for name, _, _ in sensitivity(reference, fused, work, calib)]
        print("most sensitive first:", ", ".join(order[:8]), flush=True)
        for k in (2, 4, 8):
            builders[f"dynamic, fused, excl-top{k}"] = lambda t, k=k: quantise_dynamic(
                fused, t, op_types=QUANTISED_OPS, exclude=tuple(order[:k])
            )
    if args.static:
        for method in ("MinMax", "Percentile"):
            for act in ("s8", "u8"):
                builders[f"static QDQ, plain, {method}, {act} activations"] = (
                    lambda t, m=method, a=act: (
                        static_int8(reference, plain, t, calib, m, a) and None
                    )
                )
    for index, (name, build) in enumerate(builders.items()):
        target = work / f"variant-{index}.onnx"
        try:
            build(target)
        except Exception as exc:  # a route the quantiser refuses is a finding, not a crash
            print(f"{name}: not built ({type(exc).__name__}: {exc})", flush=True)
            continue
        variants[name] = target
    return reference, variants


def answer_figures(
    model: str,
    cache: Path,
    work: Path,
    data: Path,
    names: Sequence[str],
    question_variant: str | None = None,
) -> None:
    """``calibrate_answers.py``'s answer figures for each variant in one run: the shipped
    settings as they are (their coefficients, threshold and the KB's own measured profile: what
    a user switching the encoder gets), the shipped method refitted on the variant's dev splits,
    and its two transfer directions. Each variant gathers into a cache folder of its own. The
    variant encodes units and questions alike, or only units with ``question_variant`` set
    (questions then take that one, as ``KS_INDEX__QUERY_ONNX_VARIANT`` does)."""
    import calibrate_answers as ca  # scripts/ is on the path when run as a script

    shipped = Settings().answers
    coef = np.array([shipped.calib_score, shipped.calib_dense, shipped.calib_margin])
    coef = np.r_[coef, shipped.calib_bias]
    print(
        "| variant | shipped as is: B77 / HWU (in right, refused, OOS-aware) | refitted: B77 / HWU"
        " | transfer B77->HWU / HWU->B77 | refit coefficients, threshold"
        " | hit@1 in scope, test: B77 / HWU |"
    )
    with tempfile.TemporaryDirectory() as tmp:
        kbs = [ca.banking77(data / "banking77", Path(tmp)), ca.hwu64(data / "hwu64_oos")]
        for name in names:
            embedder = OnnxEmbedder(
                model,
                cache_dir=cache,
                variant=Variant(name),
                threads=2,
                query_variant=Variant(question_variant) if question_variant else None,
            )
            label = f"{name}, questions {question_variant}" if question_variant else name
            suffix = f"-q-{question_variant}" if question_variant else ""
            folder = work / f"answers-{name}{suffix}"
            gathered = {kb.name: ca.gather(kb, embedder, folder) for kb in kbs}
            fixed, hit1 = [], []
            for kb in kbs:
                test = gathered[kb.name]["test"]
                top = [row[0][0] if row else None for row in test["hits"]]
                x = ca._normalised(test, gathered[kb.name]["profile"])
                conf = ca.confidence(x, coef)
                split = ca.scored(test, top)
                fixed.append(ca.outcomes(conf, split, shipped.no_answer_threshold))
                hit1.append(f"{split.correct[split.in_scope].mean():.4f}")
            system = ca.evaluate(gathered)["systems"][ca.SHIPPED]

            def cells(rows: Sequence[dict[str, float]]) -> str:
                return " / ".join(
                    f"{o['in_scope_accuracy']:.3f}, {o['oos_rejection']:.3f}, "
                    f"**{o['oos_aware_accuracy']:.4f}**"
                    for o in rows
                )

            print(
                f"| {label} | {cells(fixed)} | {cells(list(system['test'].values()))} | "
                f"{cells(list(system['transfer'].values()))} | "
                f"{system['coefficients']}, {system['threshold']} | {' / '.join(hit1)} |",
                flush=True,
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument(
        "--data",
        type=data_folder("banking77", "stackfaq", "hwu64_oos"),
        default=str(EVAL_DATA),
        help="the folder holding the evaluation sets (default: ../shared/eval-data)",
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--queries", type=int, default=200, help="short questions timed")
    parser.add_argument("--units", type=int, default=400, help="knowledge-base texts timed")
    parser.add_argument("--every", type=int, default=1, help="use every n-th test question")
    parser.add_argument("--shipped-only", action="store_true", help="the Variant values only")
    parser.add_argument("--sensitivity", action="store_true")
    parser.add_argument("--static", action="store_true")
    parser.add_argument(
        "--only", nargs="+", metavar="VARIANT", help="time only fp32 and these shipped variants"
    )
    parser.add_argument(
        "--answers",
        nargs="+",
        choices=[str(v) for v in Variant],
        help="only print calibrate_answers.py's figures for these variants, one row each",
    )
    parser.add_argument(
        "--question-variant",
        choices=[str(v) for v in Variant],
        help="with --answers: questions take this variant, units the row's",
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    model = Settings().embedding_model
    if args.answers:
        answer_figures(
            model,
            args.workdir / "models",
            args.workdir,
            args.data,
            args.answers,
            args.question_variant,
        )
        return 0
    calib = kb_texts(args.data, 300, seed=0)
    reference, variants = build_variants(model, args.workdir / "models", args.workdir, args, calib)
    if args.only:  # fp32 stays: it is the reference
        variants = {k: v for k, v in variants.items() if k == FP32 or k.split(":")[0] in args.only}
    tests = {name: texts[:: args.every] for name, texts in test_questions(args.data).items()}
    short = [q for q in tests["hwu64"] + tests["banking77"] if len(q) < 80]
    short = short[:: max(1, len(short) // args.queries)][: args.queries]
    units = kb_texts(args.data, args.units, seed=7)
    print(f"start load {os.getloadavg()[0]:.2f}; {len(short)} timed questions, {len(units)} units")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for round_ in range(args.rounds):
        for name, path in variants.items():
            p50 = query_p50_ms(Graph(reference, path, 1), short)
            rate = units_per_s(Graph(reference, path, 2), units)
            times[name].append((p50, rate))
        print(f"round {round_ + 1} done, load {os.getloadavg()[0]:.2f}", flush=True)
    ref = {set_: Graph(reference, variants[FP32], 2).encode(t) for set_, t in tests.items()}
    base_p50 = statistics.median(p for p, _ in times[FP32])
    base_rate = statistics.median(r for _, r in times[FP32])
    print(
        "| variant | query p50 ms, 1 thread | x fp32 | units/s, 2 threads | x fp32 | "
        + " | ".join(f"cos {s} mean / min" for s in tests)
        + " |"
    )
    for name, path in variants.items():
        graph = Graph(reference, path, 2)
        cos = {s: (graph.encode(t) * ref[s]).sum(axis=1) for s, t in tests.items()}
        p50 = statistics.median(p for p, _ in times[name])
        rate = statistics.median(r for _, r in times[name])
        print(
            f"| {name} | {p50:.2f} | {base_p50 / p50:.2f} | {rate:.1f} | {rate / base_rate:.2f} | "
            + " | ".join(f"{c.mean():.5f} / {c.min():.4f}" for c in cos.values())
            + " |",
            flush=True,
        )
    print(f"end load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
