"""What the question speller changes, and what it costs.

For each set, the speller is built from the knowledge base's texts (BANKING77's and StackFAQ's
corpus, the peers benchmark's units) with the served lexicons (the encoder tokenizer's words and
the English list), and every query is corrected: how many change, and each word changed. Then
the memory the English list keeps after loading (RSS in this process, the package already
imported), and the time to build the vocabulary from the peers units repeated ``--repeat``
times, and to correct one question.

    .venv/bin/python scripts/spelling_report.py [--peers-workdir /tmp/i17-peers] [--repeat 8]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_service.index import spelling
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.protocols import query_embedder, tokenizer_words
from knowledge_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
EVAL_DATA = ROOT.parent / "shared" / "eval-data"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def changes(name: str, speller: spelling.Speller, queries: Sequence[str]) -> None:
    changed = [(q, speller.correct(q)) for q in queries]
    changed = [(q, c) for q, c in changed if c != q]
    print(f"{name}: {len(changed)} of {len(queries)} queries changed")
    for q, c in changed:
        words = [f"{a} -> {b}" for a, b in zip(q.split(), c.split(), strict=True) if a != b]
        print(f"  {', '.join(words)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=EVAL_DATA)
    parser.add_argument("--peers-workdir", type=Path, default=Path("/tmp/i17-peers"))
    parser.add_argument("--repeat", type=int, default=8, help="copies of the peers units")
    args = parser.parse_args()

    before = rss_mib()
    english = spelling.english_words()
    gc.collect()
    print(f"English list: {len(english)} words, {rss_mib() - before:.1f} MiB kept after loading")
    tokenizer = frozenset(w.lower() for w in tokenizer_words(query_embedder(create_embedder(
        Settings()))))  # fmt: skip
    lexicons = (tokenizer, english)

    for name in ("banking77", "stackfaq"):
        folder = args.data / name
        rows = [json.loads(line) for line in (folder / "corpus.jsonl").open()]
        texts = [f"{r.get('title', '')} {r['text']}" for r in rows]
        queries = [json.loads(line)["text"] for line in (folder / "queries.jsonl").open()]
        changes(name, spelling.Speller.build(texts, lexicons), queries)

    units_file = args.peers_workdir / "units.jsonl"
    if not units_file.exists():
        print(f"peers: skipped ({units_file} is made by scripts/bench_peers.py)")
        return
    units = [json.loads(line).get("text", "") for line in units_file.open()]
    lines = (ROOT / "tests/data/peers/questions.txt").read_text().splitlines()
    questions = [  # "<page title> | <question>": the benchmark asks the question
        line.split(" | ", 1)[1] for line in lines if line.strip() and not line.startswith("#")
    ]
    changes("peers questions", spelling.Speller.build(units, lexicons), questions)

    many = units * args.repeat
    words = sum(len(t.split()) for t in many)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        speller = spelling.Speller.build(many, lexicons)
        times.append(time.perf_counter() - start)
    built = statistics.median(times) * 1000
    print(f"vocabulary of {len(many)} units ({words} words): median {built:.0f} ms to build")
    question = "how do i pay my bil and powr outage"
    start = time.perf_counter()
    for _ in range(1000):
        speller.correct(question)
    print(f"correcting a question: {(time.perf_counter() - start):.3f} ms (mean of 1000)")
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
