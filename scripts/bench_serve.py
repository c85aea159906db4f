"""Benchmark the HTTP API: ``/v1/answer`` and ``/v1/search`` served by ``knowledge-service serve``.

    .venv/bin/python scripts/bench_serve.py                       # 10k articles, real model
    .venv/bin/python scripts/bench_serve.py --articles 500 --backend hash --duration 5
    .venv/bin/python scripts/bench_serve.py --workdir /tmp/serve10k --soak --restart  # memory
    .venv/bin/python scripts/bench_serve.py --workdir /tmp/serve10k --only-restart \
        --restart-rounds 3 --baseline /tmp/ks-main    # restarts: this checkout against main
    .venv/bin/python scripts/bench_serve.py --database-url postgresql+psycopg://... --second-replica
    .venv/bin/python scripts/bench_serve.py --database-url postgresql+psycopg://... --with-sqlite \
        --second-replica --workdir /tmp/bench-stores     # both stores, measured interleaved

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
PostgreSQL it finds every embedding in the store, on SQLite it encodes everything again (the
texts it embedded are counted: the rows it added to the embedding cache it writes to). An empty
data folder also means exporting the model to ONNX again (once per machine); ``--copy-model``
starts the replica with the exported model copied in, and ``--only-replica`` times only that.

``--with-sqlite`` (with ``--database-url``) measures a SQLite store too, side by side: each
store has its own server (both running, one measured at a time), the same questions go to both,
and every measurement is split into ``--rounds`` parts that alternate between the stores (A B,
B A, ...), so a change in the machine's load falls on both alike.

Before the HTTP figures, the SQL that one ``/v1/answer`` costs is counted in-process (the same
app, the same store, ``--count-queries`` sequential requests through Starlette's test client,
answer log flushed): statements by kind, pool checkouts (on PostgreSQL each one is a ping, as
the pool tests connections before use), commits and rollbacks. These are the round trips to the
database that a request makes; on PostgreSQL each one crosses a socket.

Memory and start-up: the server's RSS after the load is printed beside the figures; when the
run imports the knowledge base (a new ``--workdir``), the time from the end of the import to the
first answer (the index build, the server's start and one request); ``--soak [SECONDS]``
(default 600) then keeps ``--clients`` clients on loopback for that long, alternating
``/v1/answer`` and ``/v1/search`` with distinct questions, and prints the server's RSS every
minute and its growth; ``--restart`` stops the server and times a restart on the existing store
to ``/readyz`` and to the first answer, with the server's RSS at ``/readyz`` and once its first
governance check has ended, and the peak RSS of its child processes meanwhile (a full check runs
in a child process; sampled every half second, a forked pool's shared pages counted in each
process). ``--restart-rounds N`` restarts N times; ``--baseline CHECKOUT`` alternates them with
a server run from another checkout (e.g. ``main`` exported with ``git archive``) on the same
store, and prints the medians of both and their ratios; ``--only-restart`` skips the load (an
existing ``--workdir``). ``--check-memory`` only runs a full check in the benchmark's own
process (as the server did before it ran full checks in a child) and prints what stays of it:
RSS and live allocations after deleting its result, per check cache emptied, after
``malloc_trim``.

The machine may be shared: the load average is printed at the start and the end; compare the
figures of one run, not absolute times across runs. ``--workdir`` keeps the store and index for
the next run (indexing 30k units with the real model takes minutes on 2 cores). The open
findings of the check are printed too: each search result carries its article's findings, so
they are part of what a response costs.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import itertools
import os
import random
import shlex
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import httpx
from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import ACTIONS, OBJECTS, QUALIFIERS, make_queries

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.app import build_search_service, create_app
from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.pipeline import apply_changes
from knowledge_service.freshness.schemas import FindingStatus
from knowledge_service.index.cache import CACHE_FILE
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.models import StoredEmbedding
from knowledge_service.index.service import SearchService
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from knowledge_service.store import engine_for

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
        IMPORTED[settings.database_url] = time.perf_counter()
    start = time.perf_counter()
    status = SearchService(settings, engine, create_embedder(settings, threads=2)).open()
    print(f"index current ({status.units} units) in {time.perf_counter() - start:.1f} s")
    with session_scope(engine) as session:
        key = access.create_key(session, name=f"bench-{time.time_ns()}", role=Role.AGENT).secret
    engine.dispose()
    return key


IMPORTED: dict[str, float] = {}
"""When the import into a store ended, for the stores this run imported (by database URL)."""


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
    settings: Settings,
    workdir: Path,
    port: int,
    omp_threads: int | None,
    log: str = "server.log",
    timeout: float = 300,
    *,
    after_check: bool = False,
    code: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``serve`` and wait for ``/readyz``; with ``after_check``, also for the end of the
    governance check the server runs in the background at start (it would take a core from
    the requests being timed). ``code``: run the package of that checkout."""
    env = {
        **os.environ,
        "KS_DATABASE_URL": settings.database_url,
        "KS_DATA_DIR": str(settings.data_dir),
        "KS_EMBEDDING_MODEL": settings.embedding_model,
    }
    env.pop("OMP_NUM_THREADS", None)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    if omp_threads:
        env["OMP_NUM_THREADS"] = str(omp_threads)
    cli = "from knowledge_service.cli import main; main()"
    command = [sys.executable, "-c", cli, "serve", "--port", str(port)]
    out = (workdir / log).open("wb")
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=out)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    else:
        process.kill()
        raise SystemExit(f"the server did not become ready; see {workdir / log}")
    if after_check:
        wait_for_check(process, workdir / log)
    return process


def wait_for_check(process: subprocess.Popen[bytes], log: Path) -> float:
    """Wait for the end of the governance check the server runs in the background at start;
    the peak RSS of the server's descendants meanwhile (MiB, sampled every half second)."""
    deadline = time.monotonic() + 1800
    peak = 0.0
    while time.monotonic() < deadline and process.poll() is None:
        if "governance check:" in log.read_text(errors="replace"):
            return peak
        peak = max(peak, sum(rss_mib(pid) for pid in descendants(process.pid)))
        time.sleep(0.5)
    process.kill()
    raise SystemExit(f"the server's first governance check did not end; see {log}")


def rss_mib(pid: int) -> float:
    """The resident memory of process ``pid`` (MiB; 0 once it has ended)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:  # ended meanwhile
        return 0.0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (Linux ``/proc``; none where it is missing)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def first_answer(store: Store, question: str) -> float:
    """Ask until the first 200 answer (the index may still be loading); the time it came."""
    deadline = time.monotonic() + 1800
    with httpx.Client(base_url=store.base, headers=auth(store.key), timeout=60) as client:
        while time.monotonic() < deadline:
            response = client.get("/v1/answer", params={"q": question, "channel": "chat"})
            if response.status_code == 200:
                return time.perf_counter()
            if response.status_code != 503:  # 503: the index is still loading
                response.raise_for_status()
            time.sleep(0.1)
    raise SystemExit(f"no answer from {store.base} within 30 minutes")


def soak(store: Store, server: subprocess.Popen[bytes], seconds: float, clients: int) -> None:
    """``clients`` clients on loopback for ``seconds``, alternating ``/v1/answer`` and
    ``/v1/search`` with distinct questions; the server's RSS every minute and its growth."""
    every = min(60.0, seconds)
    samples = [rss_mib(server.pid)]
    print(f"[{store.label}] soak: {clients} clients for {seconds:.0f} s; RSS {samples[0]:.0f} MiB "
          "at the start", flush=True)  # fmt: skip
    done = 0
    end = time.perf_counter() + seconds
    while (left := end - time.perf_counter()) > 0:
        for endpoint in ("answer", "search"):
            part = min(every, left) / 2
            count, _, _, _ = concurrent(store.base, store.key, endpoint, store.questions,
                                        clients, part, 10**9)  # fmt: skip
            done += count
        samples.append(rss_mib(server.pid))
        elapsed = seconds - max(0.0, end - time.perf_counter())
        print(f"  {elapsed:5.0f} s: RSS {samples[-1]:.0f} MiB, {done} requests", flush=True)
    later = (f"; {samples[-1] - samples[1]:+.0f} MiB after the first minute"
             if len(samples) > 2 else "")  # fmt: skip
    print(f"[{store.label}] soak: RSS {samples[0]:.0f} -> {samples[-1]:.0f} MiB "
          f"({samples[-1] - samples[0]:+.0f} MiB{later}), {done} requests, "
          f"{done / seconds:.0f} req/s", flush=True)  # fmt: skip


RESTART_FIGURES = (
    "readyz_s", "answer_s", "checked_s", "rss_ready", "rss_checked", "children_peak"
)  # fmt: skip


def restart(
    store: Store,
    server: subprocess.Popen[bytes] | None,
    omp_threads: int | None,
    code: Path | None = None,
) -> tuple[subprocess.Popen[bytes], dict[str, float]]:
    """Stop the server and start it again on the same store and data folder (``code``: from
    that checkout); time to ``/readyz`` and to the first answer, its RSS then and after its
    first governance check, and its child processes' peak RSS during the check."""
    if server is not None:
        stop(server)
    start = time.perf_counter()
    port = free_port()
    again = start_server(
        store.settings, store.workdir, port, omp_threads, log="restart.log", code=code
    )
    ready = time.perf_counter() - start
    rss_ready = rss_mib(again.pid)
    store.base = f"http://127.0.0.1:{port}"
    answered = first_answer(store, next(store.questions)) - start
    peak = wait_for_check(again, store.workdir / "restart.log")
    checked = time.perf_counter() - start
    values = (ready, answered, checked, rss_ready, rss_mib(again.pid), peak)
    figures = dict(zip(RESTART_FIGURES, values, strict=True))
    name = "" if code is None else f" ({code})"
    print(f"[{store.label}] restart{name} on the existing store: /readyz in {ready:.1f} s, first "
          f"answer {answered:.1f} s, first check ended {checked:.1f} s after start; RSS "
          f"{rss_ready:.0f} MiB at /readyz, "
          f"{figures['rss_checked']:.0f} MiB after the first check (children's peak meanwhile "
          f"{peak:.0f} MiB); load {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    return again, figures


def restarts(
    args: argparse.Namespace, store: Store, server: subprocess.Popen[bytes] | None
) -> subprocess.Popen[bytes]:
    """``--restart-rounds`` restarts, alternating with ``--baseline`` (B A, A B, ...); the
    medians, and with a baseline the ratios this checkout / baseline."""
    codes: list[Path | None] = [None] if args.baseline is None else [args.baseline, None]
    runs: dict[Path | None, list[dict[str, float]]] = {code: [] for code in codes}
    for n in range(args.restart_rounds):
        for code in codes if n % 2 == 0 else codes[::-1]:
            server, figures = restart(store, server, args.omp_threads, code)
            runs[code].append(figures)
    assert server is not None
    medians = {code: {k: statistics.median(r[k] for r in rs) for k in RESTART_FIGURES}
               for code, rs in runs.items()}  # fmt: skip
    for code, m in medians.items():
        print(f"[{store.label}] {'this checkout' if code is None else code}, median of "
              f"{len(runs[code])}: /readyz {m['readyz_s']:.1f} s, first answer "
              f"{m['answer_s']:.1f} s, first check ended {m['checked_s']:.1f} s, RSS "
              f"{m['rss_ready']:.0f} MiB at /readyz, "
              f"{m['rss_checked']:.0f} MiB after the first check, children's peak "
              f"{m['children_peak']:.0f} MiB", flush=True)  # fmt: skip
    if args.baseline is not None:
        new, old = medians[None], medians[args.baseline]
        ratios = ", ".join(f"{k} {new[k] / old[k]:.2f}x" for k in RESTART_FIGURES[:5] if old[k])
        print(f"[{store.label}] this checkout / baseline: {ratios}", flush=True)
    return server


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
    """``clients`` threads, each with its own connection, until ``duration`` or ``limit``
    (the clients are made first: making one takes long enough to eat a short ``duration``)."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    issued = [0]
    with ExitStack() as stack:
        pool = [
            stack.enter_context(httpx.Client(base_url=base, headers=auth(key), timeout=30))
            for _ in range(clients)
        ]
        deadline = time.perf_counter() + duration

        def worker(client: httpx.Client) -> None:
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

        threads = [threading.Thread(target=worker, args=(client,)) for client in pool]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - start
    return len(latencies), took, latencies, statuses


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def ms(values: Sequence[float], q: int) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


PHASES = (("answer", False), ("search", False), ("answer", True), ("search", True))
"""(endpoint, concurrent?) in the order they are measured."""


@dataclass
class Store:
    """One store under test: its settings, work folder, server and what was measured there."""

    label: str
    settings: Settings
    workdir: Path
    key: str = ""
    base: str = ""
    questions: Iterator[str] = field(default_factory=lambda: iter(()))
    latencies: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    took: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    statuses: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    notes: list[str] = field(default_factory=list)


def measure_part(args: argparse.Namespace, store: Store, phase: int, rounds: int) -> None:
    """One ``1 / rounds`` share of phase ``phase`` on ``store``."""
    endpoint, is_concurrent = PHASES[phase]
    if not is_concurrent:
        with httpx.Client(base_url=store.base, headers=auth(store.key), timeout=30) as client:
            n = max(1, args.queries // rounds)
            lat = single_client(client, endpoint, [next(store.questions) for _ in range(n)])
        store.latencies[phase] += lat
        return
    count, took, lat, statuses = concurrent(
        store.base, store.key, endpoint, store.questions, args.clients, args.duration / rounds,
        max(1, args.max_requests // rounds),
    )  # fmt: skip
    store.latencies[phase] += lat
    store.counts[phase] += count
    store.took[phase] += took
    store.statuses[phase].update(statuses)


def measure(args: argparse.Namespace, stores: Sequence[Store]) -> None:
    """Every phase on every store, in ``args.rounds`` parts alternating between the stores."""
    for store in stores:
        with httpx.Client(base_url=store.base, headers=auth(store.key), timeout=30) as client:
            for endpoint in ("answer", "search"):  # warm up
                single_client(client, endpoint, [next(store.questions) for _ in range(20)])
    for phase in range(len(PHASES)):
        for part in range(args.rounds):
            for store in stores if part % 2 == 0 else list(reversed(stores)):
                measure_part(args, store, phase, args.rounds)


def rows_of(args: argparse.Namespace, store: Store) -> list[str]:
    rows = []
    for phase, (endpoint, is_concurrent) in enumerate(PHASES):
        lat = store.latencies[phase]
        if not is_concurrent:
            rows.append(
                f"/v1/{endpoint:<7} 1 client   p50 {ms(lat, 50):6.1f} ms  p95 {ms(lat, 95):6.1f} ms"
                f"  mean {1000 * statistics.mean(lat):6.1f} ms  n={len(lat)}"
            )
            continue
        count, took = store.counts[phase], store.took[phase]
        mix = " ".join(f"{k}={v}" for k, v in sorted(store.statuses[phase].items()))
        rows.append(
            f"/v1/{endpoint:<7} {args.clients} clients {count / took:6.1f} req/s  p50 "
            f"{ms(lat, 50):6.1f} ms  p95 {ms(lat, 95):6.1f} ms  n={count} in {took:.1f} s  {mix}"
        )
    return rows


class QueryCounter:
    """Counts what an engine sends to its database: statements by kind, pool checkouts (a ping
    each on PostgreSQL), transactions begun, commits and rollbacks (explicit or on return)."""

    def __init__(self, engine: Engine) -> None:
        self.counts: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", lambda _conn: self._add("BEGIN"))
        event.listen(engine, "commit", lambda _conn: self._add("COMMIT"))
        event.listen(engine, "rollback", lambda _conn: self._add("ROLLBACK"))
        event.listen(engine.pool, "checkout", lambda *_: self._add("pool checkout"))
        event.listen(engine.pool, "reset", lambda *_: self._add("pool reset (rollback)"))
        self._lock = threading.Lock()

    def _add(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split()
        verb = words[0].upper() if words else "?"
        table = next(
            (words[i + 1] for i, w in enumerate(words[:-1]) if w.upper() in ("FROM", "INTO")),
            "?",
        )
        name = table.strip('"')
        self._add(f"{verb} {name}")


def cached_functions() -> list[tuple[str, Any]]:
    """The ``functools`` caches defined in the governance check's modules, by name."""
    found = []
    for name, module in sorted(sys.modules.items()):
        if name.startswith("knowledge_service.freshness.") and module is not None:
            for attr, value in vars(module).items():
                if hasattr(value, "cache_info") and getattr(value, "__module__", None) == name:
                    found.append((f"{name.rsplit('.', 1)[1]}.{attr}", value))
    return found


def check_memory(store: Store) -> None:
    """``--check-memory``: a full governance check in this process (as a server ran it before
    issue 17), and what stays of it: RSS and live allocations (``sys.getallocatedblocks``)
    with the result alive, after deleting it and collecting garbage, then per check cache
    emptied, and after ``malloc_trim``."""
    engine = engine_for(store.settings)
    search = build_search_service(store.settings, engine)
    gc.collect()
    me = os.getpid()
    rss0, blocks0 = rss_mib(me), sys.getallocatedblocks()

    def line(what: str) -> None:
        blocks = sys.getallocatedblocks() - blocks0
        print(f"[{store.label}] {what}: RSS {rss_mib(me):.0f} MiB ({rss_mib(me) - rss0:+.0f}), "
              f"live allocations {blocks:+,}", flush=True)  # fmt: skip

    line("before the check")
    start = time.perf_counter()
    done = apply_changes(engine, search, None, settings=store.settings)
    assert done.check is not None
    line(f"full check ({time.perf_counter() - start:.1f} s, {done.check.summary.findings} "
         "findings), result alive")  # fmt: skip
    del done
    gc.collect()
    line("result deleted, garbage collected")
    for name, cached in cached_functions():
        entries, before = cached.cache_info().currsize, sys.getallocatedblocks()
        cached.cache_clear()
        gc.collect()
        if entries:
            print(f"    cache {name}: {entries:,} entries, "
                  f"{before - sys.getallocatedblocks():,} allocations", flush=True)  # fmt: skip
    line("check caches emptied")
    libc = ctypes.util.find_library("c")
    if libc is not None:
        ctypes.CDLL(libc).malloc_trim(0)
        line("after malloc_trim")
    engine.dispose()


def count_queries(args: argparse.Namespace, store: Store) -> list[str]:
    """The SQL that ``--count-queries`` sequential ``/v1/answer`` requests cost, per request."""
    engine = engine_for(store.settings)
    service = build_search_service(store.settings, engine)
    app = create_app(store.settings, engine=engine, search_service=service)
    questions = make_queries(combos(args.articles), args.count_queries + 10, seed=args.seed + 1)
    counter = QueryCounter(engine)
    with TestClient(app, headers=auth(store.key)) as client:
        for question in questions[:10]:  # warm up (and let start-up work finish)
            client.get("/v1/answer", params={"q": question, "channel": "chat"})
        counter.counts.clear()
        for question in questions[10:]:
            response = client.get("/v1/answer", params={"q": question, "channel": "chat"})
            response.raise_for_status()
    # leaving the client ran the shutdown: the answer log is flushed and counted
    engine.dispose()
    n = len(questions) - 10
    total = sum(v for k, v in counter.counts.items() if k != "pool reset (rollback)")
    parts = ", ".join(f"{k} {v / n:.2f}" for k, v in counter.counts.most_common())
    return [f"SQL per /v1/answer ({n} requests, 1 client): {total / n:.2f} round trips: {parts}"]


def cache_rows(settings: Settings) -> int:
    """The rows of the embedding cache a server with ``settings`` writes to."""
    engine = engine_for(settings)
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(StoredEmbedding)).one()[0])
        path = settings.index_dir / CACHE_FILE
        if not path.exists():
            return 0
        with closing(sqlite3.connect(path)) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM embedding").fetchone()[0])
    finally:
        engine.dispose()


def second_replica(store: Store, omp_threads: int | None, copy_model: bool) -> str:
    """Start a second replica on the same store with an empty data folder (``copy_model``: but
    for the exported model, as on a machine whose image has it); time it to ready; count the
    texts it embedded (the rows it added to its embedding cache)."""
    folder = store.workdir / "data-replica-2"
    shutil.rmtree(folder, ignore_errors=True)
    if copy_model:
        shutil.copytree(store.settings.data_dir / "models", folder / "models")
    replica = store.settings.model_copy(update={"data_dir": folder})
    before = cache_rows(replica)
    start = time.perf_counter()
    server = start_server(replica, store.workdir, free_port(), omp_threads, log="replica-2.log",
                          timeout=3600)  # fmt: skip
    took = time.perf_counter() - start
    stop(server)
    encoded = cache_rows(replica) - before
    what = "the exported model copied" if copy_model else "an empty data folder"
    return f"second replica ({what}) ready in {took:.1f} s, {encoded} texts embedded"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--backend",
        choices=["model", "hash"],
        default="model",
        help="model: the configured embedder (KS_INDEX__*; by default ONNX, fp32 for the units and "
        "int8-fused-8 for the questions); hash: the fake embedder",
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
        "--with-sqlite",
        action="store_true",
        help="with --database-url: measure a SQLite store too, interleaved (work folders "
        "<workdir>/sqlite and <workdir>/postgresql)",
    )
    parser.add_argument(
        "--rounds", type=int, help="parts per measurement, alternating stores (default 4 with "
        "--with-sqlite, else 1)",
    )  # fmt: skip
    parser.add_argument(
        "--count-queries", type=int, default=100, help="/v1/answer requests whose SQL is "
        "counted in-process (0: skip)",
    )  # fmt: skip
    parser.add_argument(
        "--second-replica", action="store_true", help="time a second replica's start"
    )
    parser.add_argument(
        "--copy-model", action="store_true", help="the second replica's data folder starts "
        "with the exported model (as on a machine whose image has it), not empty",
    )  # fmt: skip
    parser.add_argument(
        "--only-replica", action="store_true", help="only time the second replica's start"
    )
    parser.add_argument(
        "--soak", type=float, nargs="?", const=600.0, metavar="SECONDS",
        help="after the figures, --clients clients for SECONDS (default 600) on loopback, "
        "the server's RSS every minute and its growth",
    )  # fmt: skip
    parser.add_argument(
        "--restart", action="store_true", help="at the end, restart the server on the "
        "existing store: time to /readyz and to the first answer, RSS then and after its "
        "first governance check",
    )  # fmt: skip
    parser.add_argument("--restart-rounds", type=int, default=1, help="restarts (--restart)")
    parser.add_argument(
        "--baseline", type=Path, metavar="CHECKOUT", help="with --restart: alternate the "
        "restarts with a server from another checkout on the same store; medians and ratios",
    )  # fmt: skip
    parser.add_argument(
        "--only-restart", action="store_true", help="only the restarts (implies --restart; "
        "no load, no soak): an existing --workdir",
    )  # fmt: skip
    parser.add_argument(
        "--check-memory", action="store_true", help="only: a full governance check in this "
        "process and the memory that stays after it (where: the check's caches)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.restart = args.restart or args.only_restart
    if args.with_sqlite and not args.database_url:
        parser.error("--with-sqlite compares against --database-url: give one")
    args.rounds = args.rounds or (4 if args.with_sqlite else 1)
    print("$ " + shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]))
    print(f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} cores")
    if args.workdir:
        return run(args, args.workdir.resolve())
    with tempfile.TemporaryDirectory(prefix="ks-bench-serve-") as tmp:
        return run(args, Path(tmp))


def stores_of(args: argparse.Namespace, workdir: Path) -> list[Store]:
    model = {"hash": "hash:384"}.get(args.backend)
    urls = [args.database_url or f"sqlite:///{workdir / 'store.db'}"]
    folders = [workdir]
    if args.with_sqlite:
        urls = [f"sqlite:///{workdir / 'sqlite' / 'store.db'}", args.database_url]
        folders = [workdir / "sqlite", workdir / "postgresql"]
    stores = []
    for url, folder in zip(urls, folders, strict=True):
        folder.mkdir(parents=True, exist_ok=True)
        settings = Settings(
            database_url=url,
            data_dir=folder / "data",
            **({"embedding_model": model} if model else {}),
        )
        stores.append(Store(url.split(":", 1)[0].split("+")[0], settings, folder))
    return stores


def soak_questions(picked: Sequence[Combo], seed: int) -> Iterator[str]:
    """Distinct questions without end: the generated paraphrases, then each with a number
    (the soak must not be served from the query cache)."""
    base = make_queries(picked, min(5000, 2 * len(picked)), seed=seed + 1)  # fewer exist
    yield from base
    for n in itertools.count(2):
        for question in base:
            yield f"{question} {n}"


def run(args: argparse.Namespace, workdir: Path) -> int:
    servers: dict[str, subprocess.Popen[bytes]] = {}
    stores = stores_of(args, workdir)
    picked = combos(args.articles)
    for store in stores:
        print(f"[{store.label}]")
        store.key = prepare(store.settings, store.workdir, picked)
    with ExitStack() as stack:
        if args.check_memory:
            for store in stores:
                check_memory(store)
            return 0
        if args.only_restart:
            for store in stores:
                store.questions = iter(make_queries(picked, 10 * args.restart_rounds + 10,
                                                    seed=args.seed))  # fmt: skip
                server = restarts(args, store, None)
                stack.callback(stop, server)
            return 0
        for store in [] if args.only_replica else stores:
            if args.count_queries:
                store.notes += count_queries(args, store)
            port = free_port()
            server = start_server(store.settings, store.workdir, port, args.omp_threads)
            servers[store.label] = server
            stack.callback(lambda label=store.label: stop(servers[label]))
            store.base = f"http://127.0.0.1:{port}"
            need = 2 * (args.queries + 20) + 2 * args.max_requests + 100
            store.questions = iter(make_queries(picked, need, seed=args.seed))
            imported = IMPORTED.get(store.settings.database_url)
            if imported is not None:
                answered = first_answer(store, next(store.questions)) - imported
                store.notes.append(
                    f"first answer {answered:.1f} s after the import ended (index build, server "
                    "start, one request)"
                )
            rss_ready = rss_mib(server.pid)
            peak = wait_for_check(server, store.workdir / "server.log")
            store.notes.append(
                f"server RSS {rss_ready:.0f} MiB at /readyz, {rss_mib(server.pid):.0f} MiB after "
                f"its first governance check (its children's peak meanwhile {peak:.0f} MiB)"
            )
        if not args.only_replica:
            measure(args, stores)
            for store in stores:
                rss = rss_mib(servers[store.label].pid)
                store.notes.append(f"server RSS after the load: {rss:.0f} MiB")
            report(args, stores)
        for store in [] if args.only_replica else stores:
            if args.soak:
                store.questions = iter(soak_questions(picked, args.seed))
                soak(store, servers[store.label], args.soak, args.clients)
            if args.restart:
                servers[store.label] = restarts(args, store, servers[store.label])
        if (
            args.second_replica or args.only_replica
        ):  # PostgreSQL first: on SQLite it encodes everything again
            for store in sorted(stores, key=lambda s: s.label != "postgresql"):
                print(
                    f"[{store.label}] {second_replica(store, args.omp_threads, args.copy_model)}",
                    flush=True,
                )
                print(f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", flush=True)
    return 0


def report(args: argparse.Namespace, stores: Sequence[Store]) -> None:
    omp = f"OMP_NUM_THREADS={args.omp_threads}" if args.omp_threads else "OMP_NUM_THREADS unset"
    settings = stores[0].settings
    runtime = settings.index.backend + "-" + settings.index.onnx_variant
    runtime += f" (questions {settings.index.query_onnx_variant})"
    backend = runtime if args.backend == "model" else args.backend
    print(f"{args.articles} articles, encoder {backend}, 1 uvicorn worker per store, {omp}")
    if len(stores) > 1:
        print(f"stores measured interleaved in {args.rounds} rounds")
    for store in stores:
        print(f"[{store.label}] open findings in the store: {finding_counts(store.settings)}")
        print("\n".join([*rows_of(args, store), *store.notes]))
    print("targets: answer p50 <= 20 ms with 1 client; >= 100 req/s with 8 clients")
    print(f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} at the end", flush=True)


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop a server gracefully; kill it when it does not end in a minute (a governance check
    of 10,000 articles on a busy machine may still be running)."""
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
