"""Benchmark in-process search and indexing on a generated energy/telco knowledge base.

    .venv/bin/python scripts/bench_search.py                          # 10k articles, onnx fp32
    .venv/bin/python scripts/bench_search.py --articles 2000 --backend torch

Generates N articles (title, 1-3 questions, an answer, 1-2 sections: ~5.3 units each), imports
them into a temporary store, builds the index through ``SearchService.rebuild`` and prints
medians measured in this one run:

* search p50/p95 over distinct queries (1 thread) against the bare pipeline (one ``encode`` and a
  FAISS flat search over the same unit vectors) for the same queries, and their ratio;
* indexing throughput (units/s of ``rebuild``) against the bare ``encode`` of a sample of the
  same units with the same embedder, batch size and threads;
* re-indexing one changed article (``SearchService.sync``, which also saves the bundle).

Absolute times are noisy on shared cores: read the ratios, and the load printed with them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import faiss
import numpy as np
from sqlalchemy.engine import Engine

from knowledge_service.content.parser import parse_article
from knowledge_service.content.service import import_content, save_article_text
from knowledge_service.db import create_tables, make_engine, session_scope
from knowledge_service.index.bundle import save_bundle
from knowledge_service.index.chunking import chunk_article
from knowledge_service.index.embedder import Embedder, SentenceTransformerEmbedder
from knowledge_service.index.onnx_embedder import OnnxEmbedder
from knowledge_service.index.onnx_export import Variant
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings


def _options(text: str) -> list[str]:
    return text.split("|")


ACTIONS = [
    ("change", "update"),
    ("cancel", "close"),
    ("pay", "settle"),
    ("dispute", "query"),
    ("upgrade", "improve"),
    ("transfer", "move"),
    ("set up", "start"),
    ("report a fault with", "fix a problem with"),
    ("get a refund for", "be refunded for"),
    ("pause", "suspend"),
    ("check the status of", "track"),
    ("add a second person to", "share"),
]
OBJECTS = _options(
    "electricity plan|gas account|solar feed-in tariff|smart meter|NBN service|"
    "mobile plan|prepaid SIM|eSIM|international roaming pack|home phone line|"
    "direct debit|paper bill|concession discount|hardship payment plan|modem|data add-on|"
    "landline number|green energy option|meter reading|final bill|bond deposit|"
    "late payment fee|connection fee|5G home internet|streaming bundle|"
    "business broadband|EV charging tariff|battery rebate"
)
QUALIFIERS = _options(
    "|after moving house|while travelling overseas|on a business account|"
    "for a deceased customer|in Victoria|in New South Wales|in Queensland|"
    "during an outage|on a concession card|as a new customer|online|by phone|in the app|"
    "before the contract ends|after a price rise|for a rental property|"
    "with a power of attorney|in a remote area|when the bill is overdue|on a family plan|"
    "after a missed payment|for a small business|for a tenant who is leaving|"
    "with a disability support plan|after a bushfire or flood|for a student|"
    "when I am not the account holder|for a holiday home|with a prepaid balance|"
    "after identity theft|in Western Australia"
)
SENTENCES = [
    "You can {a} your {o} {q} in the app under Account > {menu}.",
    "It usually takes {n} business days before the change shows on your next bill.",
    "A fee of ${fee} applies unless you hold a valid concession or hardship arrangement.",
    "If you need help, call us on 13 {n}{n} {n}{fee} between 8am and 8pm on weekdays.",
    "We send a confirmation by email and SMS once the request for your {o} is complete.",
    "Customers on legacy plans may need to switch to a current plan first.",
    "Agents should verify the account holder with two identity checks before any change.",
    "Check the customer's open orders: an active {o} order blocks a second request.",
    "If the request fails, log a case with the {team} team and quote the order number.",
    "Refunds go back to the original payment method within {n} business days.",
    "Outages in your area are listed on the network status page and in the app.",
    "For a {o} {q}, the regulator's code requires written notice of {n} days.",
]
MENUS = ["Billing", "Plans", "Services", "Payments", "Settings", "Moving"]
TEAMS = ["billing", "provisioning", "retention", "hardship", "faults"]


def _fill(rng: random.Random, template: str, a: str, o: str, q: str) -> str:
    return template.format(
        a=a,
        o=o,
        q=q or "today",
        menu=rng.choice(MENUS),
        team=rng.choice(TEAMS),
        n=rng.randint(2, 9),
        fee=rng.choice([5, 10, 15, 25, 49]),
    )


def make_article_text(rng: random.Random, n: int, combo: tuple[int, int, int]) -> str:
    """One article (Markdown with front matter) about one action, object and qualifier."""
    (a, a2), o, q = ACTIONS[combo[0]], OBJECTS[combo[1]], QUALIFIERS[combo[2]]
    title = f"How to {a} your {o} {q}".strip()
    questions = [
        f"can I {a} my {o} {q}".strip(),
        f"I want to {a2} my {o} {q}".strip(),
        f"{o} {a} {q} help".strip(),
    ][: rng.randint(1, 3)]

    def para(k: int) -> str:
        return " ".join(_fill(rng, t, a, o, q) for t in rng.sample(SENTENCES, k))

    sections = [f"## Details for agents\n{para(rng.randint(3, 5))}\n"]
    if rng.random() < 0.3:
        sections.append(f"## Fees and timing\n{para(rng.randint(2, 4))}\n")
    intent = f"{o.replace(' ', '_').replace('-', '_').lower()}.{a.split()[0]}"
    front = (
        f"---\nid: kb-{n:05d}\ntitle: {title}\nintents: [{intent}]\n"
        "owner: content@example.com\nlast_reviewed: 2026-06-01\n"
        f"next_review: 2027-06-01\nquestions:\n" + "".join(f"  - {x}\n" for x in questions)
    )
    return f"{front}---\n{para(2)}\n\n" + "\n".join(sections)


def make_corpus(n: int, seed: int = 7) -> tuple[list[str], list[tuple[int, int, int]]]:
    """``n`` article texts with distinct (action, object, qualifier) combinations."""
    rng = random.Random(seed)
    combos = [
        (a, o, q)
        for a in range(len(ACTIONS))
        for o in range(len(OBJECTS))
        for q in range(len(QUALIFIERS))
    ]
    rng.shuffle(combos)
    if n > len(combos):
        raise SystemExit(f"at most {len(combos)} distinct articles")
    return [make_article_text(rng, i, c) for i, c in enumerate(combos[:n])], combos[:n]


def make_queries(combos: Sequence[tuple[int, int, int]], count: int, seed: int = 11) -> list[str]:
    """Distinct customer-style paraphrases of randomly chosen articles."""
    rng = random.Random(seed)
    openers = ["how do i", "help me", "is it possible to", "what do i do to", "i need to"]
    out: dict[str, None] = {}
    while len(out) < count:
        a, o, q = rng.choice(combos)
        out[f"{rng.choice(openers)} {ACTIONS[a][1]} the {OBJECTS[o]} {QUALIFIERS[q]}".strip()] = (
            None
        )
    return list(out)


def make_embedder(backend: str, settings: Settings, cache_dir: Path) -> Embedder:
    """The embedder under test, with the settings' query and indexing threads."""
    s = settings.index
    if backend == "torch":
        return SentenceTransformerEmbedder(settings.embedding_model, threads=s.index_threads)
    variant = Variant.FP32 if backend == "onnx-fp32" else Variant.INT8
    return OnnxEmbedder(
        settings.embedding_model,
        cache_dir=cache_dir,
        variant=variant,
        threads=s.query_threads,
        batch_threads=s.index_threads,
    )


def set_threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)
    faiss.omp_set_num_threads(n)


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_search(
    service: SearchService, embedder: Embedder, queries: list[str]
) -> dict[str, float]:
    """Service search vs bare encode + flat search, interleaved per query, 1 thread."""
    ids = service.index.vectors.all_ids()
    flat = faiss.IndexFlatIP(embedder.dimension)
    flat.add(service.index.vectors.vectors_for(ids))
    for q in [f"warm up {i}" for i in range(10)]:
        service.search(q, top_k=10)
        flat.search(embedder.encode([q]), 10)
    svc, bare, enc = [], [], []
    for q in queries:
        start = time.perf_counter()
        service.search(q, top_k=10)
        svc.append(time.perf_counter() - start)
        start = time.perf_counter()
        vec = embedder.encode([q])
        enc.append(time.perf_counter() - start)
        flat.search(vec, 10)
        bare.append(time.perf_counter() - start)
    return {
        "svc50": pct(svc, 50),
        "svc95": pct(svc, 95),
        "bare50": pct(bare, 50),
        "bare95": pct(bare, 95),
        "enc50": pct(enc, 50),
    }


def bench_reindex(
    service: SearchService, engine: Engine, texts: list[str], picks: int
) -> tuple[float, float, float]:
    """Medians: ``sync`` after changing one article, the first search after it, the save alone."""
    syncs, firsts, saves = [], [], []
    for n in random.Random(3).sample(range(len(texts)), picks):
        changed = texts[n].replace("\n---\n", f"\n---\nUpdated {time.time()}: ", 1)
        with session_scope(engine) as session:
            save_article_text(session, changed, author="bench", source=f"kb-{n:05d}.md")
        syncs.append(timed(service.sync))
        firsts.append(timed(partial(service.search, f"updated article {n}", top_k=10)))
        saves.append(timed(lambda: save_bundle(service.path, service.index, service.watermark)))
    return statistics.median(syncs), statistics.median(firsts), statistics.median(saves)


def bench_indexing(
    service: SearchService, embedder: Embedder, units: list[str], sample_size: int
) -> tuple[float, float, float]:
    """Units/s of ``rebuild`` and of the bare ``encode`` of a sample (before and after)."""
    batch = service.settings.index.batch_size
    sample = random.Random(5).sample(units, min(sample_size, len(units)))
    embedder.encode(sample[:64], batch_size=batch)
    before = timed(lambda: embedder.encode(sample, batch_size=batch))
    build = timed(service.rebuild)
    after = timed(lambda: embedder.encode(sample, batch_size=batch))
    return len(units) / build, len(sample) / statistics.mean([before, after]), build


def profile_search(service: SearchService, queries: list[str]) -> None:
    """Where service search time goes: the top functions by cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for q in queries:
        service.search(f"{q} please", top_k=10)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def prepare(args: argparse.Namespace, workdir: Path) -> tuple[Settings, Engine, list[str], bool]:
    """The store with the generated articles (reused when ``workdir`` already holds one)."""
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'store.db'}",
        data_dir=workdir / "data",
        content_dir=workdir / "content",
    )
    texts, _ = make_corpus(args.articles)
    reused = (workdir / "store.db").exists()
    engine = make_engine(settings.database_url)
    if not reused:
        settings.content_dir.mkdir(parents=True, exist_ok=True)
        for n, text in enumerate(texts):
            (settings.content_dir / f"kb-{n:05d}.md").write_text(text, encoding="utf-8")
        create_tables(engine)
        report = import_content(
            engine, [settings.content_dir], max_file_bytes=settings.max_file_bytes
        )
        if report.invalid:
            raise SystemExit(f"generated content is invalid: {report.invalid[:3]}")
    return settings, engine, texts, reused


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--backend",
        choices=["onnx", "onnx-fp32", "torch"],
        default="onnx-fp32",
        help="onnx-fp32 is the service default; onnx is the int8 variant",
    )
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--sample-units", type=int, default=3000, help="units for the bare encode throughput"
    )
    parser.add_argument("--reindex", type=int, default=5, help="single-article changes timed")
    parser.add_argument(
        "--onnx-cache",
        type=Path,
        default=Settings().data_dir / "models",
        help="where the ONNX export is cached (default: KS_DATA_DIR/models)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep the store and index here; a second run reuses them"
    )
    parser.add_argument("--profile", action="store_true", help="profile 50 service searches")
    args = parser.parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        run(args, args.workdir)
        return 0
    with tempfile.TemporaryDirectory(prefix="ks-bench-") as tmp:
        run(args, Path(tmp))
    return 0


def run(args: argparse.Namespace, workdir: Path) -> None:
    """Measure and print the table."""
    print(f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; backend {args.backend}")
    settings, engine, texts, reused = prepare(args, workdir)
    embedder = make_embedder(args.backend, settings, args.onnx_cache)
    service = SearchService(settings, engine, embedder)
    units = [
        u.index_text
        for n, t in enumerate(texts)
        for u in chunk_article(parse_article(t, f"kb-{n:05d}.md"), 1)
    ]
    set_threads(settings.index.index_threads)
    rows = [("articles / units", f"{args.articles} / {len(units)}", "reused" if reused else "")]
    if reused:
        service.open()
    else:
        svc_rate, bare_rate, build = bench_indexing(service, embedder, units, args.sample_units)
        rows += [
            ("indexing (rebuild)", f"{svc_rate:.0f} units/s", f"{build:.1f} s in all"),
            ("bare encode, same embedder", f"{bare_rate:.0f} units/s", "sampled units"),
            ("indexing ratio rebuild/bare", f"{svc_rate / bare_rate:.2f}", "goal >= 0.85"),
        ]
    set_threads(settings.index.query_threads)
    queries = make_queries(make_corpus(args.articles)[1], args.queries)
    found = bench_search(service, embedder, queries)
    rows += [
        (
            "search p50 / p95 (service)",
            f"{found['svc50']:.2f} / {found['svc95']:.2f} ms",
            "goal <= 15 / 30 ms",
        ),
        (
            "bare encode+flat p50 / p95",
            f"{found['bare50']:.2f} / {found['bare95']:.2f} ms",
            f"encode alone p50 {found['enc50']:.2f} ms",
        ),
        ("search p50 ratio service/bare", f"{found['svc50'] / found['bare50']:.2f}", "goal <= 1.3"),
    ]
    if args.reindex:
        sync, first, save = bench_reindex(service, engine, texts, args.reindex)
        rows += [
            (
                "re-index one changed article",
                f"{sync * 1000:.0f} ms",
                f"goal < 200 ms; sync, of which bundle save {save * 1000:.0f} ms",
            ),
            ("first search after the change", f"{first * 1000:.0f} ms", "pays any lazy refit"),
        ]
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<22} {note}")
    print(f"load {os.getloadavg()[0]:.2f} at the end")
    if args.profile:
        profile_search(service, queries[:50])


if __name__ == "__main__":
    sys.exit(main())
