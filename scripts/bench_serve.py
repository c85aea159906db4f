"""Benchmark the HTTP API: ``/v1/answer`` and ``/v1/search`` served by ``knowledge-service serve``.

    .venv/bin/python scripts/bench_serve.py                       # 10k articles, real model
    .venv/bin/python scripts/bench_serve.py --articles 500 --backend hash --duration 5
    .venv/bin/python scripts/bench_serve.py --database-url postgresql+psycopg://... --second-replica

Generates N compact articles (a title, one question, a one-sentence answer and two detail
sentences: 3 units each, vocabulary from ``scripts/bench_search.py``), imports and indexes them
with the configured embedder (2 threads), starts ``knowledge-service serve`` (1 worker, the
serving settings) on loopback, which runs the governance check at start, and measures over HTTP
with httpx, every question distinct (no cache helps):

* one client: p50 / p95 per endpoint over ``--queries`` requests;
* ``--clients`` concurrent clients: requests/s and p50 / p95, bounded by ``--duration`` seconds
  and ``--max-requests``.

``--database-url`` puts the store in PostgreSQL (an empty database) instead of a SQLite file in
the work folder; ``--second-replica`` then starts a second ``serve`` on the same store with a
data folder of its own (a new machine) and times it until ``/readyz`` answers 200: on
PostgreSQL it finds every embedding in the store, on SQLite it encodes everything again.

The machine may be shared: the load average is printed at the start and the end; compare the
figures of one run, not absolute times across runs. ``--workdir`` keeps the store and index for
the next run (indexing 30k units with the real model takes minutes on 2 cores). The open
findings of the check are printed too: each search result carries its article's findings, so
they are part of what a response costs.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import httpx
from sqlalchemy import func
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import ACTIONS, OBJECTS, QUALIFIERS, make_queries

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.schemas import FindingStatus
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.service import SearchService
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings

Combo = tuple[int, int, int]
GENERATOR = "2"
"""The knowledge base generator's version: a ``--workdir`` made by another one is refused."""


def _words(text: str) -> list[str]:
    return text.split("|")


# Detail sentences that make each article's body its own, as a real knowledge base's are: the
# governance check flags articles that say substantially the same thing, and a generator that
# only varies one word per article gets every article flagged dozens of times.
_DOCUMENTS = _words(
    "photo ID|latest bill|account number|meter number|concession card|"
    "bank statement|rates notice|lease agreement|ABN|power of attorney|"
    "death certificate|proof of address"
)
_TEAMS = _words(
    "billing|faults|moves|hardship|collections|retention|metering|connections|"
    "complaints|business accounts|solar|network"
)
_ROUTES = _words("the app|live chat|the website|a phone call|a store visit|email|the online form")
_DETAILS = [
    "Have your {doc} ready: the {team} team asks for it first.",
    "Quote reference {code} if you contact the {team} team about it.",
    "{Route} is quickest for this request; {route2} also works.",
    "Customers with {a_doc} on file skip the identity questions.",
    "The {team} team confirms the outcome by {route}.",
    "If something looks wrong afterwards, raise it with the {team} team under {code}.",
]


def slug(text: str) -> str:
    return "_".join(text.replace("-", " ").lower().split())


def article_text(n: int, combo: Combo, rng: random.Random) -> str:
    """An article about one (action, object, qualifier) combination.

    Every article states the same processing time (no two articles contradict each other: a
    contradiction blocks customer channels, and a generated knowledge base would otherwise be
    full of them); the intent names the qualifier too; two detail sentences with a reference
    code make each body distinct. Wordings still overlap ("landline number" and "home phone
    line"), so the governance check still finds duplicates: the run prints how many.
    """
    (action, _), obj, qual = ACTIONS[combo[0]], OBJECTS[combo[1]], QUALIFIERS[combo[2]]
    title = f"How to {action} your {obj} {qual}".strip()
    answer = (
        f"You can {action} your {obj} {qual or 'today'} in the app or by phone; it takes "
        "3 business days."
    )
    intent = f"{slug(obj)}.{slug(action)}" + (f".{slug(qual)}" if qual else "")
    route, route2 = rng.sample(_ROUTES, 2)
    doc = rng.choice(_DOCUMENTS)
    fill = {
        "doc": doc,
        "a_doc": ("an " if doc[0] in "aeiouAEIOU" else "a ") + doc,
        "team": rng.choice(_TEAMS),
        "code": f"KB{n:05d}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}",
        "route": route,
        "Route": route[0].upper() + route[1:],
        "route2": route2,
    }
    details = " ".join(d.format(**fill) for d in rng.sample(_DETAILS, 2))
    return (
        f"---\nid: kb-{n:05d}\ntitle: {title}\nintents: [{intent}]\n"
        "owner: content@example.com\nlast_reviewed: 2026-06-01\nnext_review: 2027-06-01\n"
        f"questions:\n  - can I {action} my {obj} {qual}\n---\n{answer}\n\n{details}\n"
    )


def combos(n: int, seed: int = 7) -> list[Combo]:
    every = [
        (a, o, q)
        for a in range(len(ACTIONS))
        for o in range(len(OBJECTS))
        for q in range(len(QUALIFIERS))
    ]
    random.Random(seed).shuffle(every)
    if n > len(every):
        raise SystemExit(f"at most {len(every)} distinct articles")
    return every[:n]


def prepare(settings: Settings, workdir: Path, picked: list[Combo]) -> str:
    """Import and index the KB (reused when ``workdir`` holds one); return an agent key."""
    engine = make_engine(settings.database_url)
    create_all_tables(engine)
    content = workdir / "content"
    marker = workdir / "generator.txt"
    if content.exists() and (not marker.exists() or marker.read_text().strip() != GENERATOR):
        raise SystemExit(f"{content} was made by an older generator: use a new --workdir")
    if not content.exists():
        content.mkdir(parents=True)
        marker.write_text(GENERATOR + "\n")
        rng = random.Random(3)
        for n, combo in enumerate(picked):
            (content / f"kb-{n:05d}.md").write_text(article_text(n, combo, rng), encoding="utf-8")
        start = time.perf_counter()
        import_content(engine, [content], max_file_bytes=settings.max_file_bytes)
        print(f"imported {len(picked)} articles in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    status = SearchService(settings, engine, create_embedder(settings, threads=2)).open()
    print(f"index current ({status.units} units) in {time.perf_counter() - start:.1f} s")
    with session_scope(engine) as session:
        key = access.create_key(session, name=f"bench-{time.time_ns()}", role=Role.AGENT).secret
    engine.dispose()
    return key


def finding_counts(settings: Settings) -> str:
    """The open findings of the governance check (the server ran it at start), by kind."""
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        query = (
            select(Finding.kind, func.count())
            .where(Finding.status != FindingStatus.RESOLVED)
            .group_by(col(Finding.kind))
        )
        counts = sorted(session.exec(query).all())
    engine.dispose()
    return " ".join(f"{kind}={count}" for kind, count in counts) or "none"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    settings: Settings, workdir: Path, port: int, omp_threads: int | None, log: str = "server.log"
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KS_DATABASE_URL": settings.database_url,
        "KS_DATA_DIR": str(settings.data_dir),
        "KS_EMBEDDING_MODEL": settings.embedding_model,
    }
    env.pop("OMP_NUM_THREADS", None)
    if omp_threads:
        env["OMP_NUM_THREADS"] = str(omp_threads)
    cli = "from knowledge_service.cli import main; main()"
    command = [sys.executable, "-c", cli, "serve", "--port", str(port)]
    out = (workdir / log).open("wb")
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=out)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit(f"the server did not become ready; see {workdir / log}")


def request(client: httpx.Client, endpoint: str, question: str) -> tuple[float, str]:
    params = {"q": question, "channel": "chat"} if endpoint == "answer" else {"q": question}
    start = time.perf_counter()
    response = client.get(f"/v1/{endpoint}", params=params)
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    body = response.json()
    return elapsed, str(body.get("status", "ok")) if endpoint == "answer" else "ok"


def single_client(client: httpx.Client, endpoint: str, questions: Sequence[str]) -> list[float]:
    return [request(client, endpoint, q)[0] for q in questions]


def concurrent(
    base: str, key: str, endpoint: str, questions: Iterator[str], clients: int, duration: float,
    limit: int,
) -> tuple[int, float, list[float], Counter[str]]:  # fmt: skip
    """``clients`` threads, each with its own connection, until ``duration`` or ``limit``."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    issued = [0]
    deadline = time.perf_counter() + duration

    def worker() -> None:
        with httpx.Client(base_url=base, headers=auth(key), timeout=30) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if issued[0] >= limit:
                        return
                    issued[0] += 1
                    question = next(questions)
                elapsed, status = request(client, endpoint, question)
                with lock:
                    latencies.append(elapsed)
                    statuses[status] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), time.perf_counter() - start, latencies, statuses


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def ms(values: Sequence[float], q: int) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def measure(args: argparse.Namespace, base: str, key: str, picked: list[Combo]) -> list[str]:
    need = 2 * (args.queries + 20) + 2 * args.max_requests + 100
    stream = iter(make_queries(picked, need, seed=args.seed))
    rows = []
    with httpx.Client(base_url=base, headers=auth(key), timeout=30) as client:
        for endpoint in ("answer", "search"):
            single_client(client, endpoint, [next(stream) for _ in range(20)])  # warm up
            lat = single_client(client, endpoint, [next(stream) for _ in range(args.queries)])
            rows.append(
                f"/v1/{endpoint:<7} 1 client   p50 {ms(lat, 50):6.1f} ms  p95 {ms(lat, 95):6.1f} ms"
                f"  mean {1000 * statistics.mean(lat):6.1f} ms  n={len(lat)}"
            )
    for endpoint in ("answer", "search"):
        count, took, lat, statuses = concurrent(
            base, key, endpoint, stream, args.clients, args.duration, args.max_requests
        )
        mix = " ".join(f"{k}={v}" for k, v in sorted(statuses.items()))
        rows.append(
            f"/v1/{endpoint:<7} {args.clients} clients {count / took:6.1f} req/s  p50 "
            f"{ms(lat, 50):6.1f} ms  p95 {ms(lat, 95):6.1f} ms  n={count} in {took:.1f} s  {mix}"
        )
    return rows


def second_replica(settings: Settings, workdir: Path, omp_threads: int | None) -> str:
    """Start a second replica on the same store with an empty data folder; time it to ready."""
    replica = settings.model_copy(update={"data_dir": workdir / "data-replica-2"})
    start = time.perf_counter()
    server = start_server(replica, workdir, free_port(), omp_threads, log="replica-2.log")
    took = time.perf_counter() - start
    server.terminate()
    server.wait(timeout=30)
    return f"second replica (empty data folder) ready in {took:.1f} s"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--backend",
        choices=["model", "hash"],
        default="model",
        help="model: the configured embedder (KS_INDEX__BACKEND, ONNX fp32 by default); "
        "hash: the fake embedder",
    )
    parser.add_argument(
        "--omp-threads", type=int, help="OMP_NUM_THREADS for the server (default: unset)"
    )
    parser.add_argument("--queries", type=int, default=200, help="single-client requests each")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per endpoint")
    parser.add_argument("--max-requests", type=int, default=2000, help="per endpoint")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, help="keep the store and index here for reuse")
    parser.add_argument("--database-url", help="the store (default: a SQLite file in the workdir)")
    parser.add_argument(
        "--second-replica", action="store_true", help="time a second replica's start"
    )
    args = parser.parse_args(argv)
    print("$ " + shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]))
    print(f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} cores")
    if args.workdir:
        return run(args, args.workdir.resolve())
    with tempfile.TemporaryDirectory(prefix="ks-bench-serve-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, workdir: Path) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    model = {"hash": "hash:384"}.get(args.backend)
    settings = Settings(
        database_url=args.database_url or f"sqlite:///{workdir / 'store.db'}",
        data_dir=workdir / "data",
        **({"embedding_model": model} if model else {}),
    )
    picked = combos(args.articles)
    key = prepare(settings, workdir, picked)
    port = free_port()
    server = start_server(settings, workdir, port, args.omp_threads)
    try:
        rows = measure(args, f"http://127.0.0.1:{port}", key, picked)
        if args.second_replica:
            rows.append(second_replica(settings, workdir, args.omp_threads))
    finally:
        server.terminate()
        server.wait(timeout=30)
    findings = finding_counts(settings)
    omp = f"OMP_NUM_THREADS={args.omp_threads}" if args.omp_threads else "OMP_NUM_THREADS unset"
    runtime = settings.index.backend + "-" + settings.index.onnx_variant
    backend = runtime if args.backend == "model" else args.backend
    store = settings.database_url.split(":", 1)[0]
    print(f"{args.articles} articles, store {store}, encoder {backend}, 1 uvicorn worker, {omp}")
    print(f"open findings in the store: {findings}")
    print("\n".join(rows))
    print("targets: answer p50 <= 20 ms with 1 client; >= 100 req/s with 8 clients")
    print(f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
