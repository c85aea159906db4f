"""Retrieval evaluation and fusion tuning on the shared BEIR-style sets.

    .venv/bin/python scripts/eval.py ../shared/eval-data/stackfaq --sweep
    .venv/bin/python scripts/eval.py ../shared/eval-data/banking77 --sweep --dev

Imports the set through the real import and index path (``knowledge_service.index.evaluation``),
gathers every query's candidate evidence once, then scores fusion settings on it: dense alone,
lexical alone (bm25s), weighted fusion, article aggregation and the intent head. ``--dev`` tunes
without touching the test split: for a set with intents, every 10th training utterance of each
intent becomes a dev query and is left out of the articles. ``--fts5`` compares bm25s with SQLite
FTS5 (quality of lexical-only article ranking and query time). ``--hnsw`` measures HNSW
recall@10 against flat search on the set's unit vectors.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.evaluation import (
    evaluate_dataset,
    load_eval_set,
    relevant_articles,
    score_rankings,
)
from knowledge_service.index.evidence import gather_evidence
from knowledge_service.index.fusion import FusionConfig
from knowledge_service.index.lexical import Tokenizer
from knowledge_service.index.ranking import head_probabilities, score_evidence
from knowledge_service.index.schemas import SearchFilters
from knowledge_service.index.service import SearchService
from knowledge_service.index.vectors import FaissVectorIndex
from knowledge_service.settings import Settings


def write_dev_split(source: Path, target: Path, every: int = 10) -> Path:
    """A dev set from the training split: every ``every``-th exemplar per group is a query."""
    eval_set = load_eval_set(source)
    field = eval_set.group_field or "id"
    seen: dict[str, int] = defaultdict(int)
    corpus, queries = [], []
    for doc in eval_set.corpus:
        group = str(doc[field])
        seen[group] += 1
        if seen[group] % every == 0:
            queries.append({"id": "dev-" + doc["id"], "text": doc["text"], field: group})
        else:
            corpus.append(doc)
    target.mkdir(parents=True, exist_ok=True)
    with (target / "corpus.jsonl").open("w") as out:
        out.writelines(json.dumps(d) + "\n" for d in corpus)
    with (target / "queries.jsonl").open("w") as out:
        out.writelines(json.dumps(q) + "\n" for q in queries)
    by_group: dict[str, list[str]] = defaultdict(list)
    for doc in corpus:
        by_group[str(doc[field])].append(doc["id"])
    with (target / "qrels.tsv").open("w") as out:
        out.write("query-id\tcorpus-id\tscore\n")
        for q in queries:
            out.writelines(f"{q['id']}\t{d}\t1\n" for d in by_group[str(q[field])][:1])
    return target


def gather(service: SearchService, folder: Path, limit: int | None) -> list[Any]:
    """Per judged query: (evidence, head probabilities, gold articles)."""
    eval_set = load_eval_set(folder)
    gold = relevant_articles(eval_set)
    queries = [q for q in eval_set.queries if gold.get(q["id"])][: limit or None]
    index = service.index
    vectors = index.embedder.encode([q["text"] for q in queries], batch_size=64)
    filters = SearchFilters()
    snap = index.snapshot()
    table = snap.table
    admitted = np.asarray([filters.admits(index.articles[a].doc) for a in table.article_ids])
    allowed = admitted[table.article_pos]
    _, dense_ids = index.vectors.search(vectors, min(len(index.vectors), 1000))
    rows = []
    for n, q in enumerate(queries):
        ev = gather_evidence(snap, q["text"], vectors[n], dense_ids[n], allowed)
        rows.append((ev, head_probabilities(snap, vectors[n], ev.article_ids), gold[q["id"]]))
    return rows


def score_config(rows: list[Any], config: FusionConfig) -> dict[str, float]:
    rankings = []
    for ev, head, _ in rows:
        _, scores = score_evidence(ev, config, head)
        rankings.append([ev.article_ids[i] for i in np.argsort(-scores, kind="stable")[:10]])
    return score_rankings(rankings, [g for _, _, g in rows])


def sweep(rows: list[Any]) -> list[dict[str, Any]]:
    results = []
    for w in (1.0, 0.9, 0.85, 0.8, 0.7):
        for top_k, mix in ((1, 0.0), (3, 1.0), (10, 0.5)):
            for head in (0.0, 0.25, 0.5):
                for body in (1.0, 0.9):
                    for norm in ("max", "idf"):
                        config = FusionConfig(w, top_k, mix, head, body, norm)
                        scored = score_config(rows, config)
                        results.append({**dataclasses.asdict(config), **scored})
    return results


def fts5_compare(service: SearchService, folder: Path, limit: int | None) -> dict[str, Any]:
    """Lexical-only article Accuracy@1 / nDCG@10 and query time: bm25s against SQLite FTS5."""
    index = service.index
    eval_set = load_eval_set(folder)
    gold = relevant_articles(eval_set)
    queries = [q for q in eval_set.queries if gold.get(q["id"])][: limit or None]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE u USING fts5(text, article UNINDEXED, tokenize='porter')")
    conn.executemany(
        "INSERT INTO u (text, article) VALUES (?, ?)",
        [(u.index_text, u.article_id) for u in index.units.values()],
    )
    tokenize = Tokenizer(stem=False)
    out: dict[str, Any] = {}
    for name in ("bm25s", "fts5"):
        rankings, times = [], []
        for q in queries:
            start = time.perf_counter()
            if name == "bm25s":
                keys, scores = index.lexical.scores(q["text"])
                order = np.argsort(-scores)[:200]
                hits = [
                    (index.units[int(keys[i])].article_id, scores[i])
                    for i in order
                    if scores[i] > 0
                ]
            else:
                terms = " OR ".join(f'"{t}"' for t in tokenize(q["text"]))
                hits = (
                    conn.execute(
                        "SELECT article, bm25(u) FROM u WHERE u MATCH ? ORDER BY bm25(u) LIMIT 200",
                        (terms,),
                    ).fetchall()
                    if terms
                    else []
                )
            times.append(time.perf_counter() - start)
            rankings.append(list(dict.fromkeys(a for a, _ in hits))[:10])
        metrics = score_rankings(rankings, [gold[q["id"]] for q in queries])
        out[name] = {**metrics, "query_ms_median": 1000 * statistics.median(times)}
    return out


def hnsw_recall(service: SearchService, folder: Path, limit: int | None) -> dict[str, Any]:
    """Recall@10 of HNSW against flat search on the set's unit vectors and queries."""
    index = service.index
    eval_set = load_eval_set(folder)
    texts = [q["text"] for q in eval_set.queries][: limit or None]
    queries = index.encode_queries(texts)
    ids = index.vectors.all_ids()
    vectors = index.vectors.vectors_for(ids)
    flat = FaissVectorIndex(vectors.shape[1])
    flat.add(ids, vectors)
    _, truth = flat.search(queries, 10)
    out: dict[str, Any] = {"units": len(ids)}
    for ef in (16, 64, 128):
        ann = FaissVectorIndex(vectors.shape[1], kind="hnsw", ef_search=ef)
        start = time.perf_counter()
        ann.add(ids, vectors)
        built = time.perf_counter() - start
        _, found = ann.search(queries, 10)
        recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])
        out[f"ef{ef}"] = {"recall@10": float(recall), "build_s": built}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--dev", action="store_true", help="tune on a dev split of train")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--fts5", action="store_true")
    parser.add_argument("--hnsw", action="store_true")
    parser.add_argument("--cache", type=Path, help="embedding cache file kept across runs")
    args = parser.parse_args()
    settings = Settings()
    embedder = create_embedder(settings, threads=settings.index.index_threads)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_dev_split(args.dataset, Path(tmp) / "dev") if args.dev else args.dataset
        build = FusionConfig(head_weight=1.0) if args.sweep else None
        result, service = evaluate_dataset(
            folder,
            embedder,
            Path(tmp) / "work",
            limit=args.limit,
            config=build,
            cache=EmbeddingCache(args.cache) if args.cache else None,
        )
        report: dict[str, Any] = {"dataset": str(folder), "default": dataclasses.asdict(result)}
        if args.sweep:
            rows = gather(service, folder, args.limit)
            ranked = sorted(sweep(rows), key=lambda r: (-r["accuracy@1"], -r["ndcg@10"]))
            report["sweep"] = ranked
        if args.fts5:
            report["lexical"] = fts5_compare(service, folder, args.limit)
        if args.hnsw:
            report["hnsw"] = hnsw_recall(service, folder, args.limit)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
