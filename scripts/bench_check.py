"""Benchmark the governance check on generated knowledge bases (10k and 50k articles).

    .venv/bin/python scripts/bench_check.py                  # 10k and 50k, store, model sample
    .venv/bin/python scripts/bench_check.py --sizes 2000 --no-store --model-sample 0
    .venv/bin/python scripts/bench_check.py --sizes 10000 --no-store --model-sample 0 --serial

The similarity stage uses precomputed vectors (384-d, like MiniLM: random topic vectors plus
planted near-duplicates), so the figures measure the check itself; the real model's encode
time is an indexing cost and is reported separately, from a sample, as articles per second.
Timings are medians of ``--repeat`` runs; compare the ratios printed in one run. The full check
also prints its CPU time (this process, all threads, and the worker processes that read facts
from 2,000 articles on): on a shared machine, wall time grows with the others' load, CPU time
much less; on a quiet machine with two cores or more, wall time is below CPU time.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import yaml

from knowledge_service.content.parser import parse_policy
from knowledge_service.content.schemas import ArticleDocument, PolicyDocument, PolicyRef, Section
from knowledge_service.content.service import import_content
from knowledge_service.db import create_tables, make_engine
from knowledge_service.freshness import rules
from knowledge_service.freshness.checker import ArticleEmbedding, embedding_texts, run_check
from knowledge_service.freshness.facts import read_sentence
from knowledge_service.freshness.rules import _article_facts, clause_contradictions, clause_facts
from knowledge_service.freshness.service import check_store
from knowledge_service.freshness.text import content_terms, words_with_positions
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.settings import Settings

TODAY = date(2026, 11, 24)
DIM = 384
TOPICS = [
    "refund",
    "late fee",
    "reconnection",
    "modem",
    "SIM",
    "roaming",
    "data pack",
    "installation",
    "extension",
    "payment plan",
    "voicemail",
    "porting",
]
N_POLICIES = 20


def front_matter(meta: dict[str, object], body: str) -> str:
    return f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n{body}"


def policy_text(policy_id: str, clauses: dict[str, str]) -> str:
    meta = {
        "id": policy_id,
        "title": f"Policy {policy_id}",
        "version": "1",
        "effective_date": "2026-01-01",
        "owner": "legal@example.com",
    }
    return front_matter(meta, "".join(f"## {h}\n{t}\n\n" for h, t in clauses.items()))


def policies() -> list[PolicyDocument]:
    """20 policies of 10 clauses; each clause states an amount and a duration."""
    docs = []
    for p in range(N_POLICIES):
        clauses = {
            f"{c + 1}.1 {TOPICS[c % len(TOPICS)].title()} rule {p}": (
                f"The {TOPICS[c % len(TOPICS)]} charge is ${10 + c}.00 and it is processed "
                f"within {c + 2} business days."
            )
            for c in range(10)
        }
        text = policy_text(f"POL{p}", clauses=clauses)
        docs.append(parse_policy(text, f"pol{p}.md"))
    return docs


def article(n: int, rng: random.Random) -> tuple[ArticleDocument, str]:
    """One generated article (and its Markdown): topic, facts, a citation, sometimes a slip."""
    topic = TOPICS[n % len(TOPICS)]
    p, c = rng.randrange(N_POLICIES), n % 10
    fee = 10 + c if rng.random() > 0.05 else 10 + c + 3  # 5% disagree with their clause
    intent = f"kb.i{n - 1 if n % 40 == 1 else n}"
    answer = (
        f"The {topic} charge is ${fee}.00 and we process it within {c + 2} business days "
        f"(case {n}). Call 13 22 55 for help."
    )
    body = f"## Details {n}\nAgents can check item {n} in the system; see section {c + 1}.1.\n"
    fields = {
        "title": f"{topic.title()} question {n}",
        "intents": [intent],
        "policy_sources": [f"POL{p}#{c + 1}.1"],
        "next_review": "2026-11-01" if n % 50 == 0 else "2027-06-01",
    }
    meta = {
        "id": f"a{n}",
        **fields,
        "owner": "bench@example.com",
        "last_reviewed": "2026-06-01",
        "locale": "en-AU",
    }
    text = front_matter(meta, f"{answer}\n\n{body}")
    heading = f"Details {n}"
    section_text = body.split("\n", 1)[1].strip()
    sections = [
        Section(heading=heading, path=[heading], level=2, text=section_text, start=0, end=len(body))
    ]
    doc = ArticleDocument(
        id=f"a{n}",
        owner="bench@example.com",
        last_reviewed=date(2026, 6, 1),
        status="published",
        audience="public",
        locale="en-AU",
        answer=answer,
        body=f"{answer}\n\n{body}",
        sections=sections,
        **{**fields, "policy_sources": [PolicyRef.parse(fields["policy_sources"][0])]},
    )
    return doc, text


def vectors(n: int, rng: np.random.Generator) -> dict[str, ArticleEmbedding]:
    """Random topic vectors; every 100th article gets a near-duplicate twin."""
    base = rng.standard_normal((n, DIM)).astype(np.float32)
    for i in range(0, n - 1, 100):
        base[i + 1] = base[i] + 0.05 * rng.standard_normal(DIM).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    return {f"a{i}": ArticleEmbedding(base[i], base[i], base[i]) for i in range(n)}


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of its ended child processes (the check's
    pool of fact readers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def time_full_check(size: int, repeat: int, settings: Settings) -> tuple[float, float, int, int]:
    rng = random.Random(size)
    docs = [article(n, rng)[0] for n in range(size)]
    pols = policies()
    vecs = vectors(size, np.random.default_rng(size))
    times, cpu, findings, pairs = [], [], 0, 0
    for _ in range(repeat):
        _article_facts.cache_clear()
        clause_facts.cache_clear()
        clause_contradictions.cache_clear()
        words_with_positions.cache_clear()
        content_terms.cache_clear()
        read_sentence.cache_clear()
        start, start_cpu = time.perf_counter(), cpu_seconds()
        result = run_check(docs, pols, today=TODAY, settings=settings, vectors=vecs)
        times.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - start_cpu)
        findings, pairs = result.summary.findings, result.summary.candidate_pairs
    return statistics.median(times), statistics.median(cpu), findings, pairs


class SeededEmbedder:
    """Stands in for a model: a fixed random unit vector per distinct text (fast, like a cache)."""

    model_name = "seeded-384"
    dimension = DIM

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> np.ndarray:
        out = np.stack(
            [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(DIM) for t in texts]
        ).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def store_incremental(size: int, settings: Settings) -> None:
    """Import ``size`` articles, run a full store check, edit one, run the incremental check."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "content").mkdir()
        (root / "policies").mkdir()
        rng = random.Random(7)
        for n in range(size):
            (root / "content" / f"a{n}.md").write_text(article(n, rng)[1], encoding="utf-8")
        for p, doc in enumerate(policies()):
            clauses = {f"{c.number} {c.heading}": c.text for c in doc.clauses}
            (root / "policies" / f"pol{p}.md").write_text(policy_text(doc.id, clauses=clauses))
        engine = make_engine(f"sqlite:///{root / 'store.db'}")
        create_tables(engine)
        start = time.perf_counter()
        import_content(engine, [root / "content", root / "policies"], max_file_bytes=1 << 20)
        print(f"store: imported {size} articles in {time.perf_counter() - start:.1f} s")
        cache, embedder = EmbeddingCache(), SeededEmbedder()
        start = time.perf_counter()
        full = check_store(engine, today=TODAY, settings=settings, embedder=embedder, cache=cache)
        took = time.perf_counter() - start
        print(
            f"store: full check_store (seeded vectors, cold cache) {took:.2f} s, "
            f"{full.summary.articles_checked} articles examined"
        )
        edited = article(size // 2, rng)[1].replace("within", "in under")
        (root / "content" / f"a{size // 2}.md").write_text(edited, encoding="utf-8")
        report = import_content(engine, [root / "content"], max_file_bytes=1 << 20)
        start = time.perf_counter()
        inc = check_store(
            engine,
            today=TODAY,
            settings=settings,
            embedder=embedder,
            cache=cache,
            article_ids=report.changed_article_ids,
        )
        print(
            f"store: incremental check after editing {report.changed_article_ids} "
            f"{time.perf_counter() - start:.2f} s, {inc.summary.articles_checked} articles "
            f"examined of {size}"
        )
        engine.dispose()


def model_encode_rate(sample: int) -> None:
    from knowledge_service.index.embedder import SentenceTransformerEmbedder
    from knowledge_service.settings import default_model_path

    rng = random.Random(1)
    docs = [article(n, rng)[0] for n in range(sample)]
    texts = embedding_texts([d.model_dump() for d in docs])
    model = SentenceTransformerEmbedder(default_model_path(), threads=2)
    model.encode(texts[:8])
    start = time.perf_counter()
    model.encode(texts)
    rate = sample / (time.perf_counter() - start)
    print(
        f"real model (MiniLM, torch, 2 threads): {rate:.1f} articles/s (whole, answer, need) -> "
        f"~{10_000 / rate:.0f} s to embed 10k articles once (cached by text afterwards)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store-size", type=int, default=10_000)
    parser.add_argument("--no-store", action="store_true")
    parser.add_argument("--model-sample", type=int, default=128)
    parser.add_argument(
        "--serial", action="store_true", help="read facts in this process only (no pool)"
    )
    args = parser.parse_args()
    settings = Settings(embedding_model="hash")
    if args.serial:
        rules.PARALLEL_MIN_ARTICLES = sys.maxsize
    medians = {}
    for size in args.sizes:
        seconds, cpu, findings, pairs = time_full_check(size, args.repeat, settings)
        medians[size] = seconds
        print(
            f"full run_check {size:>6} articles: median {seconds:.2f} s of {args.repeat} "
            f"(CPU time {cpu:.2f} s, all threads and worker processes; {findings} findings, "
            f"{pairs} candidate pairs; precomputed vectors)"
        )
    if len(medians) > 1:
        small, large = min(medians), max(medians)
        ratio = medians[large] / medians[small]
        print(
            f"time ratio {large}/{small}: {ratio:.1f}x for {large / small:.0f}x the articles "
            f"(quadratic would be {(large / small) ** 2:.0f}x)"
        )
    if not args.no_store:
        store_incremental(args.store_size, settings)
    if args.model_sample:
        model_encode_rate(args.model_sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
