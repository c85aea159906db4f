"""Export the embedding model to ONNX (into the cache the service uses) and compare backends.

    .venv/bin/python scripts/export_onnx.py                  # export int8 and fp32, then exit
    .venv/bin/python scripts/export_onnx.py --compare        # + latency, throughput, quality

``--compare`` encodes an evaluation set (StackFAQ by default) with torch, ONNX fp32 and ONNX int8
and prints per-query p50 (1 thread), batch throughput, cosine to torch fp32, top-10 agreement with
torch and nDCG@10 / thread accuracy@1. Absolute times are noisy on shared cores: compare the
ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from eval_data import set_folder  # scripts/ is on the path when run as a script

from knowledge_service.index.embedder import Embedder, FloatArray, SentenceTransformerEmbedder
from knowledge_service.index.onnx_embedder import OnnxEmbedder
from knowledge_service.index.onnx_export import Variant, export_onnx_model
from knowledge_service.settings import Settings

EVAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval-data"


def load_eval_set(root: Path, n_queries: int) -> tuple[list[str], list[str], list[str], list[str]]:
    """Doc texts, doc labels, query texts and query labels (every k-th query).

    The label is the StackFAQ thread or the BANKING77 intent; StackFAQ docs are embedded with
    their title, as in the eval-data baselines.
    """
    docs = [json.loads(line) for line in (root / "corpus.jsonl").open(encoding="utf-8")]
    queries = [json.loads(line) for line in (root / "queries.jsonl").open(encoding="utf-8")]
    step = max(1, len(queries) // n_queries)
    queries = queries[::step][:n_queries]
    label = "thread_id" if "thread_id" in docs[0] else "intent"
    with_title = label == "thread_id"
    return (
        [f"{d['title']}\n{d['text']}" if with_title else d["text"] for d in docs],
        [d[label] for d in docs],
        [q["text"] for q in queries],
        [q[label] for q in queries],
    )


def query_p50_ms(embedder: Embedder, queries: Sequence[str]) -> float:
    """Median milliseconds to encode one query at a time."""
    embedder.encode(queries[:5])
    times = []
    for text in queries:
        start = time.perf_counter()
        embedder.encode([text])
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def throughput(encode: Callable[[], FloatArray], n: int, repeats: int = 3) -> float:
    """Texts per second of the best of ``repeats`` runs."""
    best = min(_timed(encode) for _ in range(repeats))
    return n / best


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def quality(
    doc_vecs: FloatArray, query_vecs: FloatArray, doc_threads: list[str], query_threads: list[str]
) -> tuple[np.ndarray, float, float]:
    """Top-10 doc rows per query, nDCG@10 (same-thread docs relevant) and thread accuracy@1."""
    top = np.argsort(-(query_vecs @ doc_vecs.T), axis=1)[:, :10]
    ndcgs, hits = [], []
    for row, thread in zip(top, query_threads, strict=True):
        rel = [doc_threads[i] == thread for i in row]
        n_rel = min(10, doc_threads.count(thread))
        ideal = sum(1 / np.log2(k + 2) for k in range(n_rel))
        ndcgs.append(sum(r / np.log2(k + 2) for k, r in enumerate(rel)) / ideal)
        hits.append(rel[0])
    return top, float(np.mean(ndcgs)), float(np.mean(hits))


def compare(
    model: str, cache_dir: Path, eval_set: Path, n_queries: int, batch_threads: int, torch_ref: bool
) -> None:
    """Print one table row per backend, all measured in this run (the first is the reference)."""
    import torch

    docs, doc_threads, queries, query_threads = load_eval_set(eval_set, n_queries)
    backends: dict[str, Embedder] = {
        **({"torch fp32": SentenceTransformerEmbedder(model, threads=1)} if torch_ref else {}),
        "onnx fp32": OnnxEmbedder(
            model, cache_dir=cache_dir, variant=Variant.FP32, threads=1, batch_threads=batch_threads
        ),
        "onnx int8": OnnxEmbedder(
            model, cache_dir=cache_dir, variant=Variant.INT8, threads=1, batch_threads=batch_threads
        ),
    }
    print(
        f"{len(docs)} docs, {len(queries)} queries, load {os.getloadavg()[0]:.2f}, "
        f"batch threads {batch_threads}"
    )
    header = (
        "backend",
        "query p50 ms",
        "docs/s b32",
        "cos min",
        "cos mean",
        "top10 overlap",
        "top1 same",
        "nDCG@10",
        "acc@1",
    )
    print(" | ".join(header))
    reference: tuple[FloatArray, FloatArray, np.ndarray] | None = None
    for name, embedder in backends.items():
        torch.set_num_threads(1)
        p50 = query_p50_ms(embedder, queries)
        torch.set_num_threads(batch_threads)
        rate = throughput(partial(embedder.encode, docs, batch_size=32), len(docs))
        doc_vecs, query_vecs = embedder.encode(docs), embedder.encode(queries)
        top, ndcg, acc = quality(doc_vecs, query_vecs, doc_threads, query_threads)
        ref_docs, ref_queries, ref_top = reference or (doc_vecs, query_vecs, top)
        reference = (ref_docs, ref_queries, ref_top)
        cos = np.concatenate([(doc_vecs * ref_docs).sum(1), (query_vecs * ref_queries).sum(1)])
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top, ref_top, strict=True)])
        same1 = np.mean(top[:, 0] == ref_top[:, 0])
        print(
            f"{name} | {p50:.2f} | {rate:.0f} | {cos.min():.4f} | {cos.mean():.4f} | "
            f"{overlap:.3f} | {same1:.3f} | {ndcg:.3f} | {acc:.3f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model folder (default: settings)")
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="export cache (default: KS_DATA_DIR/models)"
    )
    parser.add_argument("--compare", action="store_true", help="measure against torch")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--eval-set", type=set_folder, default=str(EVAL_DATA / "stackfaq"))
    parser.add_argument(
        "--no-torch",
        action="store_true",
        help="skip torch (ONNX fp32 then serves as the exact reference)",
    )
    parser.add_argument("--batch-threads", type=int, default=2)
    args = parser.parse_args(argv)
    settings = Settings()
    model = args.model or settings.embedding_model
    cache_dir = args.cache_dir or settings.data_dir / "models"
    for variant in (Variant.INT8, Variant.FP32):
        print(f"{variant}: {export_onnx_model(model, cache_dir, variant=variant)}")
    if args.compare:
        compare(
            model, cache_dir, args.eval_set, args.queries, args.batch_threads, not args.no_torch
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
