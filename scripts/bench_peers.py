"""Benchmark the product against its peers on real documentation, interleaved in one run.

    .venv/bin/python scripts/bench_peers.py --workdir /tmp/peers
    .venv/bin/python scripts/bench_peers.py --workdir /tmp/peers --txtai-python VENV/bin/python
    .venv/bin/python scripts/bench_peers.py --pages 300 --rounds 1 --duration 3   # a smoke run
    .venv/bin/python scripts/bench_peers.py --workdir /tmp/peers --baseline /tmp/ks-main

(``--baseline CHECKOUT`` serves the product a second time from another checkout, e.g. ``main``
exported with ``git archive``, on the same store, so a change is measured before and after in
the same rounds.)

The corpus is the Python standard library's documentation (its docstrings, read from the running
interpreter: see ``scripts/peers_corpus.py``; PSF License), one article per documented module,
class or function, with ``tests/data/peers/questions.txt``: questions written by hand from each
page's subject, in other words than the page's. The same search units (the product's chunking of
the imported articles: title, answer, each section) are built into

* **the product**: ``import`` and the index build in this process (2 threads), then
  ``knowledge-service serve`` (1 uvicorn worker) on loopback, measured on ``/v1/search`` and
  ``/v1/answer`` (chat);
* **a bare app**: a minimal FastAPI app (1 uvicorn worker) that encodes every unit with the
  product's default encoder at start (plain batch encoding, 2 threads), then answers
  ``/search`` with one encode (1 thread, by the product's default question encoder,
  ``KS_INDEX__QUERY_ONNX_VARIANT``) and one exact FAISS search, best unit per article;
* **txtai's API** (1 uvicorn worker, same model, flat FAISS, torch with 1 thread) when
  ``--txtai-python`` names a Python with txtai and its ``api`` extra (a separate venv: txtai is
  never a dependency of the product); skipped with a note otherwise.

Then, interleaved round by round (``--rounds``, default 3; the figure is the median of the
rounds' figures): p50 / p95 with 1 client, and requests/s with ``--clients`` clients, every
request a question no system has seen before in the run (8-word spans of the corpus, so no
query cache helps); before the rounds, hit@1 / hit@10 on the hand-written questions. Printed
beside them: indexing units/s, RSS of each server after the load, time to ready, and the
product / bare ratios. Run it without ``nice``; the load average is printed at both ends.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import re
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import httpx
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers_corpus import ATTRIBUTION, Page, stdlib_pages, write_pages

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "peers" / "questions.txt"
TOP_K = 10


# -- the corpus and the questions ---------------------------------------------------------


@dataclass(frozen=True)
class Question:
    text: str
    page_id: str


def read_questions(pages: Sequence[Page]) -> tuple[list[Question], list[str]]:
    """The hand-written questions whose page is in ``pages``, and the titles not found."""
    by_title = {p.title: p.page_id for p in pages}
    found, missing = [], []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        title, _, text = (part.strip() for part in line.partition("|"))
        if title in by_title:
            found.append(Question(text, by_title[title]))
        else:
            missing.append(title)
    return found, missing


def pick_pages(limit: int) -> list[Page]:
    """``limit`` pages: every page a question asks about, then the others in corpus order."""
    every = stdlib_pages(10**9)
    asked, _ = read_questions(every)
    wanted = {q.page_id for q in asked}
    keep = [p for p in every if p.page_id in wanted]
    keep += [p for p in every if p.page_id not in wanted][: max(0, limit - len(keep))]
    return keep


def span_pool(texts: Sequence[str], exclude: set[str], seed: int) -> list[str]:
    """Distinct 8-word spans of the corpus (queries for the timed requests), shuffled."""
    spans: dict[str, None] = {}
    for text in texts:
        words = re.findall(r"[A-Za-z][A-Za-z0-9_.']*", text)
        for start in range(0, max(1, len(words) - 7), 5):
            span = " ".join(words[start : start + 8])
            if len(span) > 20 and span not in exclude:
                spans[span] = None
    pool = list(spans)
    random.Random(seed).shuffle(pool)
    return pool


# -- building the systems -------------------------------------------------------------------


def build_product(workdir: Path, pages: Sequence[Page]) -> dict[str, float]:
    """Import the pages and build the index in this process; write the units for the peers."""
    from knowledge_service.access import service as access
    from knowledge_service.access.schemas import Role
    from knowledge_service.content import repository
    from knowledge_service.content.service import import_content
    from knowledge_service.db import make_engine, session_scope
    from knowledge_service.index.chunking import chunk_article
    from knowledge_service.index.embedder import create_embedder
    from knowledge_service.index.service import SearchService
    from knowledge_service.models_registry import create_all_tables

    settings = product_settings(workdir)
    figures: dict[str, float] = {}
    engine = make_engine(settings.database_url)
    create_all_tables(engine)
    content = workdir / "content"
    write_pages(list(pages), content)
    start = time.perf_counter()
    report = import_content(engine, [content], max_file_bytes=settings.max_file_bytes)
    figures["import_s"] = time.perf_counter() - start
    if report.invalid:
        print(f"  {len(report.invalid)} pages refused by the importer (left out), e.g.:")
        for bad in report.invalid[:3]:
            print(f"    {bad}")
    embedder = create_embedder(settings, threads=2)
    with tqdm(total=0, desc="product index", unit="unit") as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        start = time.perf_counter()
        status = SearchService(settings, engine, embedder).open(progress)
        figures["index_s"] = time.perf_counter() - start
    figures["units"] = status.units
    with session_scope(engine) as session:
        docs = [(v.to_document(), v.version) for v in repository.indexed_article_versions(session)]
        key = access.create_key(session, name="bench-peers", role=Role.AGENT).secret
    with (workdir / "units.jsonl").open("w", encoding="utf-8") as out:
        for doc, version in docs:
            for n, unit in enumerate(chunk_article(doc, version)):
                line = {"id": f"{doc.id}#{n}", "article": doc.id, "text": unit.index_text}
                out.write(json.dumps(line) + "\n")
    (workdir / "key.txt").write_text(key)
    (workdir / "build.json").write_text(json.dumps(figures))
    engine.dispose()
    return figures


def product_settings(workdir: Path) -> Any:
    from knowledge_service.settings import Settings

    return Settings(database_url=f"sqlite:///{workdir / 'store.db'}", data_dir=workdir / "data")


def free_port(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str
    search: Callable[[httpx.Client, str], list[str]]
    ready_s: float
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)

    def cpu_seconds(self) -> float:
        """CPU time (user and system) of the server process so far; NaN once it is gone."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def launch(
    command: list[str], env: dict[str, str], log: Path, ready_url: str, timeout: float = 900
) -> tuple[subprocess.Popen[bytes], float]:
    out = log.open("wb")
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=log.parent)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(ready_url, timeout=2).status_code == 200:
                return process, time.perf_counter() - start
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    process.kill()
    raise SystemExit(f"{command[0]} did not become ready; see {log}")


def start_product(workdir: Path, port: int, code: Path | None = None) -> Server:
    """``knowledge-service serve`` on the work folder's store; with ``code``, the package from
    that checkout (``--baseline``: a second server, named ``baseline``, on the same store)."""
    settings = product_settings(workdir)
    env = {
        **os.environ,
        "KS_DATABASE_URL": settings.database_url,
        "KS_DATA_DIR": str(settings.data_dir),
    }
    name = "product" if code is None else "baseline"
    if code is not None:
        env["PYTHONPATH"] = str(code)
    cli = "from knowledge_service.cli import main; main()"
    command = [sys.executable, "-c", cli, "serve", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    log = workdir / f"{name}.log"
    process, ready = launch(command, env, log, f"{base}/readyz")
    # The server answers once its index is current; the governance check it runs at start
    # goes on in the background. Measure after it, so it takes no core from the requests (a
    # second server on the store leaves the check to the first).
    start = time.perf_counter()
    while not any(mark in log.read_text(errors="replace") for mark in CHECK_DONE):
        if process.poll() is not None or time.perf_counter() - start > 1800:
            raise SystemExit(f"the product's governance check did not finish; see {log}")
        time.sleep(0.5)
    key = (workdir / "key.txt").read_text().strip()
    server = Server(name, process, base, product_search, ready, {"Authorization": f"Bearer {key}"})
    server.extra["check_s"] = ready + time.perf_counter() - start
    return server


CHECK_DONE = ("governance check:", "another process runs the governance check")


def product_search(client: httpx.Client, question: str) -> list[str]:
    response = client.get("/v1/search", params={"q": question, "top_k": TOP_K})
    response.raise_for_status()
    return [r["article_id"] for r in response.json()["results"]]


def product_answer(client: httpx.Client, question: str) -> list[str]:
    response = client.get("/v1/answer", params={"q": question, "channel": "chat"})
    response.raise_for_status()
    body = response.json()
    if body.get("article_id"):
        return [body["article_id"]]
    candidates = (body.get("handoff") or {}).get("candidates") or []
    return [c["article_id"] for c in candidates[:1]]


def start_bare(workdir: Path, port: int) -> Server:
    command = [sys.executable, __file__, "--serve-bare", str(workdir / "units.jsonl")]
    command += ["--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KS_DATA_DIR": str(product_settings(workdir).data_dir)}
    process, ready = launch(command, env, workdir / "bare.log", f"{base}/stats")
    stats = httpx.get(f"{base}/stats").json()
    return Server("bare", process, base, bare_search, ready, extra=stats)


def bare_search(client: httpx.Client, question: str) -> list[str]:
    response = client.get("/search", params={"q": question, "limit": TOP_K})
    response.raise_for_status()
    return [r["article_id"] for r in response.json()["results"]]


def start_txtai(workdir: Path, port: int, python: str) -> Server:
    from knowledge_service.settings import default_model_path

    index = workdir / "txtai"
    index.mkdir(exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    extra: dict[str, float] = {}
    if not (index / "config.yml").exists():
        print("  building the txtai index (no progress bar: txtai's own call)...", flush=True)
        helper = str(Path(__file__).with_name("bench_peers_txtai.py"))
        run = [python, helper, str(workdir / "units.jsonl"), default_model_path(), str(index)]
        env_build = {**os.environ, "OMP_NUM_THREADS": "2"}
        done = subprocess.run(run, env=env_build, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"txtai build failed:\n{done.stderr[-3000:]}")
        extra = json.loads(done.stdout.strip().splitlines()[-1])
        (index / "build.json").write_text(json.dumps(extra))
    elif (index / "build.json").exists():
        extra = json.loads((index / "build.json").read_text())
    env["CONFIG"] = str(index / "config.yml")
    command = [python, "-m", "uvicorn", "txtai.api:app", "--port", str(port), "--workers", "1"]
    base = f"http://127.0.0.1:{port}"
    process, ready = launch(command, env, workdir / "txtai.log", f"{base}/count")
    return Server("txtai", process, base, txtai_search, ready, extra=extra)


def txtai_search(client: httpx.Client, question: str) -> list[str]:
    response = client.get("/search", params={"query": question, "limit": 5 * TOP_K})
    response.raise_for_status()
    ids = [str(r["id"]).split("#", 1)[0] for r in response.json()]
    return list(dict.fromkeys(ids))[:TOP_K]


# -- the bare app (run by this script in a process of its own) -------------------------------


def serve_bare(units_file: Path, port: int) -> int:
    """One encode and one exact FAISS search per request; best unit per article."""
    import faiss
    import numpy as np
    import uvicorn
    from fastapi import FastAPI

    from knowledge_service.index.embedder import create_embedder
    from knowledge_service.index.protocols import query_embedder
    from knowledge_service.settings import Settings

    units = [json.loads(line) for line in units_file.read_text().splitlines() if line]
    settings = Settings()
    embedder = create_embedder(settings, threads=1)
    questions = query_embedder(embedder)  # the product's question encoder (int8-fused-8)
    batch = create_embedder(settings, threads=2)  # plain batch encoding on both cores
    start = time.perf_counter()
    vectors = batch.encode([u["text"] for u in units], batch_size=64)
    seconds = time.perf_counter() - start
    del batch
    index = faiss.IndexFlatIP(embedder.dimension)
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    articles = [u["article"] for u in units]
    stats = {
        "units": len(units),
        "seconds": seconds,
        "encoder": embedder.model_name,
        "question encoder": questions.model_name,
    }
    app = FastAPI()

    @app.get("/stats")
    def get_stats() -> dict[str, Any]:
        return stats

    @app.get("/search")
    def search(q: str, limit: int = 10) -> dict[str, Any]:
        faiss.omp_set_num_threads(1)
        query = questions.encode([q])
        scores, rows = index.search(query, 5 * limit)
        best: dict[str, float] = {}
        for score, row in zip(scores[0].tolist(), rows[0].tolist(), strict=True):
            if row >= 0 and articles[row] not in best:
                best[articles[row]] = score
        results = [{"article_id": a, "score": s} for a, s in list(best.items())[:limit]]
        return {"query": q, "results": results}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    return 0


# -- where the time goes (--profile) ----------------------------------------------------------

_STAGES: dict[str, float] = {}


def _timed(owner: Any, attr: str, label: str) -> None:
    """Wrap ``owner.attr`` (a function or a coroutine function) so each call adds its duration
    to ``_STAGES[label]``; absent in this checkout: nothing to time."""
    inner = getattr(owner, attr, None)
    if inner is None:
        return

    def add(start: float) -> None:
        _STAGES[label] = _STAGES.get(label, 0.0) + time.perf_counter() - start

    if inspect.iscoroutinefunction(inner):

        async def awrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await inner(*args, **kwargs)
            finally:
                add(start)

        setattr(owner, attr, awrapper)
        return

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            add(start)

    setattr(owner, attr, wrapper)


def profile(workdir: Path, queries: Sequence[str], count: int) -> None:
    """Time the stages of ``/v1/search`` and ``/v1/answer`` inside one process.

    The product's own app (``create_app`` over the work folder's store and index) is called
    in-process through Starlette's test client, one request at a time, with timers wrapped
    around the functions each request passes through; stages nest (``index search`` holds
    ``encode``, ``faiss``, ...), and ``request`` is the whole call as the client sees it.
    """
    import fastapi.dependencies.utils as fastapi_deps
    import fastapi.routing as fastapi_routing
    from fastapi.testclient import TestClient

    from knowledge_service.access import service as access_service
    from knowledge_service.analytics.log import AnswerLog
    from knowledge_service.answers import service as answers
    from knowledge_service.answers.batcher import MicroBatcher
    from knowledge_service.api.routers import answers as answer_routes
    from knowledge_service.api.routers import search as search_routes
    from knowledge_service.app import build_search_service, create_app
    from knowledge_service.db import make_engine
    from knowledge_service.freshness import notes
    from knowledge_service.freshness import service as freshness
    from knowledge_service.http import deps
    from knowledge_service.index import hybrid, ranking
    from knowledge_service.index.hybrid import HybridIndex
    from knowledge_service.index.lexical import Bm25Index
    from knowledge_service.index.vectors import FaissVectorIndex

    settings = product_settings(workdir)
    engine = make_engine(settings.database_url)
    search_service = build_search_service(settings, engine)
    stages: list[tuple[Any, str, str]] = [
        (search_service.embedder, "encode", "encode (model)"),
        (FaissVectorIndex, "search", "faiss search"),
        (Bm25Index, "scores", "lexical (BM25)"),
        (ranking, "gather_evidence", "evidence (dense + lexical candidates)"),
        (ranking, "score_evidence", "fusion"),
        (ranking, "_hit", "hits (snippets)"),
        (HybridIndex, "search_requests", "index search (total)"),
        (freshness, "search_with_freshness", "search + freshness notes"),
        (search_routes, "sanitise_search", "sanitise"),
        (answers.AnswerService, "_resolve", "resolve (store reads, render)"),
        (answers, "render_answer", "render"),
        (answers, "sanitise_answer", "sanitise"),
        (search_routes, "json_response", "serialise"),
        (access_service, "authenticate", "authenticate (key lookup)"),
        (notes, "notes_for_articles", "freshness notes (store reads)"),
        (MicroBatcher, "submit", "batcher submit (hand-off, wait, search)"),
        (search_routes, "redact", "redact query"),
        (search_routes, "search_event", "analytics event (build)"),
        (AnswerLog, "record", "analytics record (enqueue)"),
        (answer_routes, "json_response", "serialise"),
        (access_service, "authenticate_from_cache", "authenticate (cached, on the event loop)"),
        # FastAPI's own work: resolving the dependencies (with the thread hops of plain
        # ``def`` dependencies), and calling the route (with its hop when it is a plain ``def``)
        (fastapi_routing, "solve_dependencies", "FastAPI: resolve dependencies"),
        (fastapi_deps, "run_in_threadpool", "thread hop of a plain def dependency"),
        (fastapi_routing, "run_endpoint_function", "FastAPI: call the route"),
        (search_routes, "run_in_threadpool", "route's one thread hop (with its work)"),
        (answer_routes, "run_in_threadpool", "route's one thread hop (with its work)"),
        (deps, "run_in_threadpool", "thread hop: store read for a key"),
        (deps.RequestSession, "close", "session close"),
        (HybridIndex, "encode_queries", "encode with the query cache"),
        (hybrid, "search_encoded", "rank (under the read lock)"),
    ]
    for owner, attr, label in stages:
        _timed(owner, attr, label)
    app = create_app(settings, engine=engine, search_service=search_service, follow_store=False)
    key = (workdir / "key.txt").read_text().strip()
    stream = iter(queries)

    async def timed_app(scope: Any, receive: Any, send: Any) -> None:
        """The whole server side of a request (the ASGI app with its middleware); the rest of
        ``request`` is the test client's own cost (its thread, its event-loop portal)."""
        start = time.perf_counter()
        try:
            await app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                _STAGES["server (ASGI app)"] = time.perf_counter() - start

    with TestClient(timed_app, headers={"Authorization": f"Bearer {key}"}) as client:
        for endpoint, params in (("search", {}), ("answer", {"channel": "chat"})):
            rows: list[dict[str, float]] = []
            statuses: dict[str, int] = {}
            cpu = 0.0
            for n in tqdm(range(count + 10), desc=f"profile /v1/{endpoint}", leave=False):
                if n == 10:  # after the warm-up
                    cpu = time.process_time()
                _STAGES.clear()
                start = time.perf_counter()
                response = client.get(f"/v1/{endpoint}", params={"q": next(stream), **params})
                _STAGES["request"] = time.perf_counter() - start
                status = str(response.json().get("status", response.status_code))
                statuses[status] = statuses.get(status, 0) + 1
                if n >= 10:  # warm-up
                    rows.append(dict(_STAGES))
            cpu = (time.process_time() - cpu) / max(1, len(rows))
            mix = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
            print(f"\n/v1/{endpoint}: median ms per request over {len(rows)} distinct queries")
            print(f"  (responses: {mix})")
            # CPU time of the process (every thread, the test client's too) per request: what
            # the load of other processes hardly changes, unlike the wall times below.
            print(f"  {'CPU per request (process, mean)':<40} {1000 * cpu:7.2f}")
            for label in sorted({k for r in rows for k in r}, key=lambda k: -sum(
                r.get(k, 0.0) for r in rows)):  # fmt: skip
                values = [1000 * r.get(label, 0.0) for r in rows]
                print(f"  {label:<40} {statistics.median(values):7.2f}")


# -- the Python work of a request, without the encode (--overhead) -----------------------------


def overhead(workdir: Path, queries: Sequence[str], count: int) -> None:
    """CPU and wall time per ``/v1/search`` request with the encode taken out: ``count``
    requests cycling over 40 spans whose encodings are already in the query cache, the app
    called directly on one event loop (no test client, no HTTP), so what is timed is the
    product's own Python work per request (routing, dependencies, middleware, the thread hop,
    ranking, freshness notes, sanitising, serialising, the analytics event): the work that holds
    the interpreter lock and bounds requests/s under load. Run it alternately from two
    checkouts on the same work folder and compare the CPU figures (the load moves wall times).
    """
    import asyncio
    from urllib.parse import urlencode

    from knowledge_service.app import build_search_service, create_app
    from knowledge_service.db import make_engine

    settings = product_settings(workdir)
    engine = make_engine(settings.database_url)
    app = create_app(
        settings, engine=engine, search_service=build_search_service(settings, engine),
        follow_store=False,
    )  # fmt: skip
    key = (workdir / "key.txt").read_text().strip()
    paths = [("/v1/search?" + urlencode({"q": q})).encode() for q in queries[:40]]

    async def call(path: bytes) -> tuple[int, bytes]:
        route, _, query = path.partition(b"?")
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": route.decode(), "raw_path": route,
            "query_string": query, "root_path": "", "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80), "state": {},
            "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {key}".encode())],
        }  # fmt: skip
        status, body = 0, []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        await app(scope, receive, send)
        return status, b"".join(body)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            for path in paths:  # fills the query cache
                status, body = await call(path)
                if status != 200:
                    raise SystemExit(f"/v1/search answered {status}: {body[:300]!r}")
            walls: list[float] = []
            cpu = time.process_time()
            for n in range(count):
                start = time.perf_counter()
                status, _ = await call(paths[n % len(paths)])
                walls.append(time.perf_counter() - start)
            cpu = (time.process_time() - cpu) / count
        print(f"/v1/search without the encode ({count} requests over {len(paths)} cached spans):")
        print(f"  CPU per request (process, mean)  {1000 * cpu:7.3f} ms")
        print(f"  wall per request (median)        {1000 * statistics.median(walls):7.3f} ms")

    asyncio.run(run())


# -- batching concurrent questions (--batching) ------------------------------------------------


def batching(workdir: Path, queries: Sequence[str], rounds: int, clients: int) -> None:
    """Requests/s of the index search with ``clients`` threads asking distinct questions through
    the product's batcher (2 batches at once, as served), with batches of up to 32 questions
    (encoded together: sorted by length, padded to the longest) against one question per
    batch, interleaved round by round, in this process over the work folder's index."""
    from knowledge_service.answers.batcher import MicroBatcher
    from knowledge_service.app import build_search_service
    from knowledge_service.db import make_engine
    from knowledge_service.index.schemas import SearchRequest

    settings = product_settings(workdir)
    service = build_search_service(settings, make_engine(settings.database_url))
    workers = settings.index.query_workers
    stream = iter(queries)
    figures: dict[int, list[float]] = {32: [], 1: []}
    sizes: dict[int, list[int]] = {32: [], 1: []}
    per_round = 400
    for _ in tqdm(range(rounds), desc="batching rounds", leave=False):
        for max_batch in figures:
            batch_sizes: list[int] = []

            def run(requests: Sequence[SearchRequest], seen: list[int] = batch_sizes) -> Any:
                seen.append(len(requests))
                return service.search_requests(requests)

            batcher = MicroBatcher(run, max_batch=max_batch, workers=workers)
            asked = [SearchRequest(query=next(stream), top_k=TOP_K) for _ in range(per_round)]
            start = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                list(pool.map(batcher.submit, asked))
            figures[max_batch].append(per_round / (time.perf_counter() - start))
            sizes[max_batch] += batch_sizes
    print(f"\nindex search, {clients} threads, {per_round} distinct questions per round, "
          f"{workers} batches at once, median of {rounds} rounds:")  # fmt: skip
    for max_batch, values in figures.items():
        mean = statistics.mean(sizes[max_batch])
        print(f"  up to {max_batch:>2} questions per batch: {statistics.median(values):6.1f} "
              f"questions/s (mean batch {mean:.1f}; rounds "
              f"{'/'.join(f'{v:.0f}' for v in values)})")  # fmt: skip
    ratio = statistics.median(figures[32]) / statistics.median(figures[1])
    print(f"  ratio batched / one by one: {ratio:.2f}")


# -- indexing against plain batch encoding (--indexing) ----------------------------------------


def plain_encode(embedder: Any, session: Any, texts: Sequence[str], batch_size: int) -> Any:
    """Plain fp32 batch encoding: batches of ``batch_size`` texts in file order, each padded to
    its longest text, every text encoded (no sorting, no de-duplication, no cache)."""
    import numpy as np

    from knowledge_service.index.arrays import normalise_rows

    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        batch = list(texts[start : start + batch_size])
        out[start : start + len(batch)] = embedder._run(
            embedder._tokenizer.encode_batch(batch), session
        )
    return normalise_rows(out)


def indexing(workdir: Path, rounds: int, limit: int) -> None:
    """Encode the work folder's units plainly and through the product's index build path
    (``encode_in_steps`` with a fresh, empty cache, so every text is embedded), interleaved,
    and print the medians of units/s and their ratio. The vectors are compared as well."""
    import numpy as np

    from knowledge_service.index.cache import EmbeddingCache, encode_in_steps
    from knowledge_service.index.embedder import create_embedder
    from knowledge_service.index.onnx_embedder import OnnxEmbedder

    units = [json.loads(line) for line in (workdir / "units.jsonl").read_text().splitlines()]
    texts = [u["text"] for u in units if u][:limit]
    settings = product_settings(workdir)
    product = create_embedder(settings, threads=settings.index.index_threads)
    if not isinstance(product, OnnxEmbedder):
        raise SystemExit("--indexing compares ONNX encoders: set KS_INDEX__BACKEND=onnx")
    plain_sessions = {n: OnnxEmbedder._new_session(product.model_file, n) for n in (1, 2)}
    print(f"{len(texts)} units ({len(set(texts))} distinct), encoder {product.model_name}")
    runs: dict[str, Callable[[], Any]] = {
        f"plain fp32, batch {b}, file order, {n} thread{'s' * (n > 1)}": (
            lambda b=b, n=n: plain_encode(product, plain_sessions[n], texts, b)
        )
        for n, b in ((1, 32), (2, 32), (2, 64))
    }
    runs["product (encode_in_steps, empty cache)"] = lambda: encode_in_steps(
        product, texts, EmbeddingCache(), batch_size=settings.index.batch_size
    )
    rates: dict[str, list[float]] = {label: [] for label in runs}
    vectors: dict[str, Any] = {}
    for round_no in range(1, rounds + 1):
        for label, run in runs.items():
            start = time.perf_counter()
            vectors[label] = run()
            rates[label].append(len(texts) / (time.perf_counter() - start))
            print(f"  round {round_no}: {label}: {rates[label][-1]:.1f} units/s ({load()})")
    labels = list(runs)
    best_plain = max(labels[:-1], key=lambda k: statistics.median(rates[k]))
    drift = float(np.abs(vectors[labels[-1]] - vectors[best_plain]).max())
    print(f"\nmedian units/s over {rounds} rounds (interleaved):")
    for label in labels:
        print(f"  {label:<48} {statistics.median(rates[label]):7.1f}")
    for label in labels[:-1]:
        ratio = statistics.median(rates[labels[-1]]) / statistics.median(rates[label])
        print(f"ratio product / {label}: {ratio:.2f}")
    print(f"largest difference between the product's and the plain vectors: {drift:.2e}")


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Endpoint:
    label: str
    server: Server
    call: Callable[[httpx.Client, str], list[str]]
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    rps: list[float] = field(default_factory=list)
    cores: list[float] = field(default_factory=list)
    """The server's CPU time over the 8-client run's wall time: how many cores it kept busy."""
    hit1: float = float("nan")
    hit10: float = float("nan")
    rss: float = float("nan")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.base, headers=self.server.headers, timeout=60)


def percentile(values: Sequence[float], q: int) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def quality(endpoint: Endpoint, questions: Sequence[Question]) -> None:
    hits1 = hits10 = 0
    with endpoint.client() as client:
        for q in tqdm(questions, desc=f"quality {endpoint.label}", leave=False):
            found = endpoint.call(client, q.text)
            hits1 += bool(found) and found[0] == q.page_id
            hits10 += q.page_id in found[:TOP_K]
    endpoint.hit1, endpoint.hit10 = hits1 / len(questions), hits10 / len(questions)


def one_client(endpoint: Endpoint, queries: Sequence[str]) -> None:
    with endpoint.client() as client:
        for q in queries[:10]:
            endpoint.call(client, q)  # the connection and the first encodes
        times = []
        for q in queries[10:]:
            start = time.perf_counter()
            endpoint.call(client, q)
            times.append(time.perf_counter() - start)
    endpoint.p50.append(percentile(times, 50))
    endpoint.p95.append(percentile(times, 95))


def many_clients(endpoint: Endpoint, queries: Sequence[str], clients: int, duration: float) -> None:
    """``clients`` threads with a connection each, until ``duration`` or the queries run out."""
    stream: Iterator[str] = iter(queries)
    lock = threading.Lock()
    done = [0]
    deadline = time.perf_counter() + duration

    def worker() -> None:
        with endpoint.client() as client:
            while time.perf_counter() < deadline:
                with lock:
                    question = next(stream, None)
                if question is None:
                    return
                endpoint.call(client, question)
                with lock:
                    done[0] += 1

    start, cpu = time.perf_counter(), endpoint.server.cpu_seconds()
    with ThreadPoolExecutor(clients) as threads:
        for future in [threads.submit(worker) for _ in range(clients)]:
            future.result()
    elapsed = time.perf_counter() - start
    endpoint.rps.append(done[0] / elapsed)
    endpoint.cores.append((endpoint.server.cpu_seconds() - cpu) / elapsed)


def measure(endpoints: Sequence[Endpoint], pool: list[str], args: argparse.Namespace) -> None:
    """Interleaved rounds. The product's endpoints share a query cache, so each gets its own
    queries; the peers (no cache) get the same queries as the product's ``/v1/search``."""
    need = 2 * args.rounds * (args.queries + 10 + args.max_requests)
    if len(pool) < need:
        raise SystemExit(f"only {len(pool)} distinct queries for the {need} requests asked")
    slices = iter(range(0, need, args.queries + 10 + args.max_requests))
    for round_no in range(1, args.rounds + 1):
        own = {}
        for label in ("search", "answer"):
            start = next(slices)
            own[label] = pool[start : start + args.queries + 10 + args.max_requests]
        for endpoint in tqdm(endpoints, desc=f"round {round_no}: 1 client", leave=False):
            # only the first queries + 10: the rest are the 8-client run's, which must be new
            # to the server (the answer engine caches a question's hits)
            queries = own["answer" if "answer" in endpoint.label else "search"]
            one_client(endpoint, queries[: args.queries + 10])
        for endpoint in tqdm(endpoints, desc=f"round {round_no}: {args.clients} clients"):
            queries = own["answer" if "answer" in endpoint.label else "search"]
            many_clients(endpoint, queries[args.queries + 10 :], args.clients, args.duration)
    for endpoint in endpoints:
        endpoint.rss = endpoint.server.rss_mib()


def report(
    endpoints: Sequence[Endpoint], builds: dict[str, dict[str, float]], args: argparse.Namespace
) -> None:
    med = statistics.median
    width = max(len(e.label) for e in endpoints)
    print(
        f"\n{'system':<{width}}  p50 ms  p95 ms  req/s ({args.clients} clients)  cores  hit@1"
        "  hit@10  RSS MiB  ready s  index units/s"
    )
    for e in endpoints:
        build = builds.get(e.server.name, {})
        ups = build["units"] / build["seconds"] if build.get("seconds") else float("nan")
        cores = med(e.cores) if e.cores else float("nan")
        print(
            f"{e.label:<{width}}  {med(e.p50):6.1f}  {med(e.p95):6.1f}  {med(e.rps):19.1f}"
            f"  {cores:5.2f}  {e.hit1:5.3f}  {e.hit10:6.3f}  {e.rss:7.0f}  {e.server.ready_s:7.1f}"
            f"  {ups:13.1f}"
        )
    print("  (per round: " + "; ".join(
        f"{e.label} p50 {'/'.join(f'{x:.1f}' for x in e.p50)} req/s "
        f"{'/'.join(f'{x:.0f}' for x in e.rps)}" for e in endpoints
    ) + ")")  # fmt: skip
    bare = next((e for e in endpoints if e.server.name == "bare"), None)
    if bare is None:
        return
    for e in endpoints:
        if e.server.name in ("product", "baseline"):
            print(
                f"ratio {e.label} / bare: p50 {med(e.p50) / med(bare.p50):.2f}  "
                f"req/s {med(e.rps) / med(bare.rps):.2f}  RSS {e.rss / bare.rss:.2f}"
            )
    for e in endpoints:
        old = next((b for b in endpoints if b.label == e.label.replace("product", "baseline")), e)
        if e.server.name == "product" and old is not e:
            print(
                f"ratio {e.label} / {old.label}: p50 {med(e.p50) / med(old.p50):.2f}  "
                f"req/s {med(e.rps) / med(old.rps):.2f}"
            )
    product, peer = builds.get("product", {}), builds.get("bare", {})
    if product.get("index_s") and peer.get("seconds"):
        ratio = (product["units"] / product["index_s"]) / (peer["units"] / peer["seconds"])
        print(f"ratio product / bare indexing units/s: {ratio:.2f}")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} {five:.2f} on {os.cpu_count()} cores"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-peers"))
    parser.add_argument("--pages", type=int, default=2000, help="corpus size (articles)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=150, help="1-client requests per round")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per 8-client run")
    parser.add_argument("--max-requests", type=int, default=1500, help="per 8-client run")
    parser.add_argument("--port", type=int, default=8170, help="first of three ports")
    parser.add_argument("--txtai-python", help="a Python with txtai[api] (a separate venv)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="only time the stages of N requests per endpoint inside the product (in-process)",
    )
    parser.add_argument(
        "--overhead",
        type=int,
        metavar="N",
        help="only time N /v1/search requests in-process without the encode (cached spans, "
        "the app called directly): the product's own Python work per request",
    )
    parser.add_argument(
        "--indexing",
        type=int,
        metavar="ROUNDS",
        help="only time encoding the work folder's units plainly and through the product's "
        "index build path, interleaved, ROUNDS rounds",
    )
    parser.add_argument(
        "--units", type=int, default=4000, help="with --indexing: the first N units of the file"
    )
    parser.add_argument(
        "--batching",
        type=int,
        metavar="ROUNDS",
        help="only time the index search under --clients threads with and without batching "
        "concurrent questions, interleaved, ROUNDS rounds",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="also serve the product from another checkout (e.g. main exported with git "
        "archive) on the same store, measured interleaved as 'baseline', with ratios",
    )
    parser.add_argument("--serve-bare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        return serve_bare(args.serve_bare, args.port)
    print("$ " + shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]))
    print(f"{load()} at the start; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"corpus: {ATTRIBUTION.format(version=sys.version.split()[0])}")
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    pages = pick_pages(args.pages)
    questions, missing = read_questions(pages)
    print(f"{len(pages)} pages, {len(questions)} questions ({len(missing)} not in this Python)")
    texts = [p.answer + " " + " ".join(t for _, t in p.sections) for p in pages]
    pool = span_pool(texts, {q.text for q in questions}, args.seed)
    builds: dict[str, dict[str, float]] = {}
    if (workdir / "build.json").exists():
        print(f"reusing the product's store and index in {workdir} (indexing not re-measured)")
    else:
        built = build_product(workdir, pages)
        builds["product"] = {"units": built["units"], "seconds": built["index_s"], **built}
        print(f"product: import {built['import_s']:.1f} s, index {built['units']:.0f} units in "
              f"{built['index_s']:.1f} s ({load()})")  # fmt: skip
    if args.indexing:
        indexing(workdir, args.indexing, args.units)
        print(f"{load()} at the end")
        return 0
    if args.batching:
        batching(workdir, pool, args.batching, args.clients)
        print(f"{load()} at the end")
        return 0
    if args.overhead:
        overhead(workdir, pool, args.overhead)
        print(f"{load()} at the end")
        return 0
    if args.profile:
        profile(workdir, pool, args.profile)
        print(f"{load()} at the end")
        return 0
    servers: list[Server] = []
    try:
        servers.append(start_product(workdir, free_port(args.port)))
        if args.baseline:
            servers.append(start_product(workdir, free_port(args.port + 3), args.baseline))
        servers.append(start_bare(workdir, free_port(args.port + 1)))
        builds["bare"] = servers[-1].extra
        if args.txtai_python:
            servers.append(start_txtai(workdir, free_port(args.port + 2), args.txtai_python))
            builds["txtai"] = servers[-1].extra
        else:
            print("txtai: skipped (no --txtai-python; it needs a venv of its own)")
        for server in servers:
            print(f"{server.name}: ready in {server.ready_s:.1f} s")
        print(f"product: governance check done {servers[0].extra['check_s']:.1f} s after start")
        products = [s for s in servers if s.search is product_search]
        endpoints = [
            *(Endpoint(f"{p.name} /v1/search", p, product_search) for p in products),
            *(Endpoint(f"{p.name} /v1/answer", p, product_answer) for p in products),
            *(Endpoint(f"{s.name} /search", s, s.search) for s in servers[len(products) :]),
        ]
        for endpoint in endpoints:
            quality(endpoint, questions)
        measure(endpoints, pool, args)
    finally:
        for server in servers:
            server.stop()
    report(endpoints, builds, args)
    print(f"{load()} at the end; shared machine: compare ratios within this run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
