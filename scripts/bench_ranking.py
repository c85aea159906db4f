"""The ranking's own cost: one query's ranking (encoded already) with and without a part of it.

    .venv/bin/python scripts/bench_ranking.py [--set ../shared/eval-data/banking77] [--cache FILE]

Indexes the sample knowledge base (``content/``, ``policies/``; queries: the customer-worded
questions of ``tests/data/sample_questions.yaml``) or a BEIR-style set (its test queries),
encodes the queries once, then ranks them alternately with the shipped fusion settings and with
the coverage term and the smoothing switched off, round after round (interleaved, so load
drifts hit both alike). Prints each variant's median milliseconds per query and the ratio.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_service.answers.evaluation import load_labelled, open_answer_service
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.evaluation import evaluate_dataset, load_eval_set
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.ranking import search_encoded
from knowledge_service.index.schemas import SearchFilters
from knowledge_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def time_variants(index: HybridIndex, queries: list[str], rounds: int) -> dict[str, float]:
    """Median ms per query of each variant, the variants alternating within every round."""
    vectors = index.encode_queries(queries)
    shipped = index.config
    variants = {
        "shipped": shipped,
        "without coverage and smoothing": dataclasses.replace(
            shipped, coverage_weight=0.0, smooth_weight=0.0
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    with index.lock.read():
        snap = index.snapshot()
        for _ in range(rounds):
            for name, config in variants.items():
                view = dataclasses.replace(snap, config=config)
                for n, query in enumerate(queries):
                    start = time.perf_counter()
                    search_encoded(
                        view, [query], vectors[n : n + 1], top_k=10, filters=SearchFilters()
                    )
                    times[name].append(1000 * (time.perf_counter() - start))
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, help="a BEIR-style set (default: the sample KB)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--limit", type=int, default=500, help="queries of a set to time")
    parser.add_argument("--cache", type=Path, help="embedding cache file kept across runs")
    args = parser.parse_args()
    settings = Settings()
    embedder = create_embedder(settings)
    with tempfile.TemporaryDirectory() as tmp:
        if args.set is None:
            service = open_answer_service(
                Path(tmp), [ROOT / "content", ROOT / "policies"], embedder, settings
            )
            index = service.search.index
            labelled = load_labelled(ROOT / "tests/data/sample_questions.yaml")
            queries = [q.q for q in labelled]
        else:
            cache = EmbeddingCache(args.cache) if args.cache else None
            _, search = evaluate_dataset(args.set, embedder, Path(tmp), limit=1, cache=cache)
            index = search.index
            queries = [q["text"] for q in load_eval_set(args.set).queries][: args.limit]
        medians = time_variants(index, queries, args.rounds)
    base = medians["without coverage and smoothing"]
    for name, ms in medians.items():
        print(f"{name}: {ms:.3f} ms per query ({ms / base:.2f}x)")
    print(f"{len(queries)} queries x {args.rounds} rounds, {len(index.units)} units")


if __name__ == "__main__":
    main()
