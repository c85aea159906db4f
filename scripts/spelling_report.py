"""What the question speller changes, and what it costs.

For each set, the speller is built from the knowledge base's texts (BANKING77's and StackFAQ's
corpus, the peers benchmark's units) with the served lexicons (the encoder tokenizer's words and
the English list), and every query is corrected: how many change, and each word changed. Then
the memory the English list keeps after loading (RSS in this process, the package already
imported), and the time to build the vocabulary from the peers units repeated ``--repeat``
times, and to correct one question.

With ``--check``, each changed query also shows the rule of the index's check
(``HybridIndex.corrected_and_encoded``): the cosine of its nearest text as asked and corrected,
and whether the correction is kept (not lower) or dropped. The texts are the ones the speller is
built from (the sets' corpus rows, the peers units), encoded by the served units' encoder, the
questions by the served question encoder; the index compares against its own units (the
articles' chunks), so a served decision can differ where two cosines are close.

    .venv/bin/python scripts/spelling_report.py [--peers-workdir DIR] [--repeat 8] [--check]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from eval_data import data_folder  # scripts/ is on the path when run as a script

from knowledge_service.index import spelling
from knowledge_service.index.arrays import normalise_rows
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


class Check:
    """The index's check on a correction: the nearest unit's cosine as asked and corrected."""

    def __init__(self, embedder: Any, texts: Sequence[str]) -> None:
        self.questions = query_embedder(embedder)
        self.units = normalise_rows(embedder.encode(list(texts), batch_size=64))

    def nearest(self, question: str) -> float:
        vector = normalise_rows(self.questions.encode([question]))[0]
        return float((self.units @ vector).max())


def changes(
    name: str, speller: spelling.Speller, queries: Sequence[str], check: Check | None = None
) -> None:
    changed = [(q, speller.correct(q)) for q in queries]
    changed = [(q, c) for q, c in changed if c != q]
    kept = 0
    lines = []
    for q, c in changed:
        words = [f"{a} -> {b}" for a, b in zip(q.split(), c.split(), strict=True) if a != b]
        line = f"  {', '.join(words)}"
        if check is not None:
            asked, corrected = check.nearest(q), check.nearest(c)
            kept += corrected >= asked
            verdict = "kept" if corrected >= asked else "dropped"
            line = f"{line:<44} nearest unit {asked:.3f} -> {corrected:.3f}: {verdict}"
        lines.append(line)
    counted = f", {kept} kept by the check" if check is not None else ""
    print(f"{name}: {len(changed)} of {len(queries)} queries changed{counted}")
    print("\n".join(lines))


def served_ranking(workdir: Path, lines: Sequence[str]) -> None:
    """The peers questions' first results from the work folder's own index, in process, with
    the speller on (and its check) and off: hit@1 and every question whose first result moves."""
    from bench_peers import product_settings
    from peers_corpus import page_id

    from knowledge_service.app import build_search_service
    from knowledge_service.db import make_engine

    pairs = [line.split(" | ", 1) for line in lines if line.strip() and not line.startswith("#")]
    settings = product_settings(workdir)
    service = build_search_service(settings, make_engine(settings.database_url))
    service.open()
    index = service.index
    first: dict[bool, list[str]] = {}
    for on in (True, False):
        index.options = dataclasses.replace(index.options, correct_spelling=on)
        found = index.search_many([q for _, q in pairs], top_k=1)
        first[on] = [hits[0].article_id if hits else "" for hits in found]
        right = sum(a == page_id(page) for a, (page, _) in zip(first[on], pairs, strict=True))
        print(f"served index, speller {'on' if on else 'off'}: hit@1 {right} of {len(pairs)}")
    for (page, question), a, b in zip(pairs, first[True], first[False], strict=True):
        if a != b:
            print(f"  {question!r} ({page_id(page)}): {a} with the speller, {b} without")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=data_folder("banking77", "stackfaq"),
        default=str(EVAL_DATA),
        help="the folder holding the evaluation sets (default: ../shared/eval-data)",
    )
    parser.add_argument("--peers-workdir", type=Path, default=Path("/tmp/i17-peers"))
    parser.add_argument("--repeat", type=int, default=8, help="copies of the peers units")
    parser.add_argument(
        "--check", action="store_true", help="show the index's check on each correction"
    )
    args = parser.parse_args()

    before = rss_mib()
    english = spelling.english_words()
    gc.collect()
    print(f"English list: {len(english)} words, {rss_mib() - before:.1f} MiB kept after loading")
    embedder = create_embedder(Settings())
    tokenizer = frozenset(w.lower() for w in tokenizer_words(query_embedder(embedder)))
    lexicons = (tokenizer, english)

    for name in ("banking77", "stackfaq"):
        folder = args.data / name
        rows = [json.loads(line) for line in (folder / "corpus.jsonl").open()]
        texts = [f"{r.get('title', '')} {r['text']}" for r in rows]
        queries = [json.loads(line)["text"] for line in (folder / "queries.jsonl").open()]
        check = Check(embedder, texts) if args.check else None
        changes(name, spelling.Speller.build(texts, lexicons), queries, check)

    units_file = args.peers_workdir / "units.jsonl"
    if not units_file.exists():
        print(f"peers: skipped ({units_file} is made by scripts/bench_peers.py)")
        return
    units = [json.loads(line).get("text", "") for line in units_file.open()]
    lines = (ROOT / "tests/data/peers/questions.txt").read_text().splitlines()
    questions = [  # "<page title> | <question>": the benchmark asks the question
        line.split(" | ", 1)[1] for line in lines if line.strip() and not line.startswith("#")
    ]
    check = Check(embedder, units) if args.check else None
    changes("peers questions", spelling.Speller.build(units, lexicons), questions, check)
    if args.check and (args.peers_workdir / "store.db").exists():
        served_ranking(args.peers_workdir, lines)

    many = units * args.repeat
    words = sum(len(t.split()) for t in many)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        speller = spelling.Speller.build(many, lexicons)
        times.append(time.perf_counter() - start)
    built = statistics.median(times) * 1000
    print(f"vocabulary of {len(many)} units ({words} words): median {built:.0f} ms to build")
    changed = units[:8]  # about one article's units changing: uncounted, then counted again
    times = []
    for _ in range(200):
        start = time.perf_counter()
        speller.vocabulary.remove(changed)
        speller.vocabulary.add(changed)
        times.append(time.perf_counter() - start)
    print(f"keeping it level when 8 units change: median {statistics.median(times) * 1000:.3f} ms")
    question = "how do i pay my bil and powr outage"
    start = time.perf_counter()
    for _ in range(1000):
        speller.correct(question)
    print(f"correcting a question: {(time.perf_counter() - start):.3f} ms (mean of 1000)")
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
