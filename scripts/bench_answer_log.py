"""Benchmark the answer log: what recording costs an answer, and what a crash can lose.

    .venv/bin/python scripts/bench_answer_log.py                 # the sample KB, real model
    .venv/bin/python scripts/bench_answer_log.py --backend hash  # no model (faster to start)

Three measurements, medians printed:

1. ``record()``: the hot path's share of logging (a non-blocking put on the bounded queue),
   timed over ``--records`` calls with the writer thread draining into a real SQLite file.
2. ``POST /v1/answer`` over HTTP against ``knowledge-service serve`` on the bundled sample, once
   with the answer log on and once with ``KS_ANALYTICS__ENABLED=false``: p50 / p95 of
   ``--queries`` sequential requests (distinct customer-style questions).
3. Crash loss: a server with the default flush interval answers a stream of questions and is
   killed with SIGKILL mid-stream; the answers it acknowledged are compared with the events in
   the store. What is lost is what was queued since the last flush.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import httpx
from sqlalchemy import func
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.server: a real server
from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer
from knowledge_service.analytics.models import AnswerEvent
from knowledge_service.db import make_engine, session_scope
from knowledge_service.models_registry import create_all_tables
from tests.server import run_cli, serving

REPO = Path(__file__).resolve().parent.parent

SUBJECTS = ["refund", "bill", "meter reading", "payment plan", "concession", "outage",
            "solar credit", "direct debit", "late fee", "move house"]  # fmt: skip
ASKS = ["how long does my {} take", "what happens with my {}", "can you help with a {}",
        "who do I call about a {}", "is there a fee for a {}"]  # fmt: skip


def questions(n: int) -> list[str]:
    return [f"{ASKS[i % len(ASKS)].format(SUBJECTS[i % len(SUBJECTS)])} ({i})" for i in range(n)]


def ms(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def bench_record(root: Path, n: int) -> None:
    engine = make_engine(f"sqlite:///{root / 'record.db'}")
    create_all_tables(engine)
    log = AnswerLog(engine, queue_size=n + 1)
    log.start()
    times = []
    for question in questions(n):
        event = LoggedAnswer(kind="answer", question=question, latency_ms=1.0, channel="chat")
        started = time.perf_counter_ns()
        log.record(event)
        times.append((time.perf_counter_ns() - started) / 1000)
    log.close()
    print(
        f"record(): median {statistics.median(times):.1f} µs, p99 {ms(times, 99):.1f} µs over "
        f"{n} calls; written {log.stats.written}, dropped {log.stats.dropped_full}"
    )


def prepare(root: Path, backend: str) -> tuple[dict[str, str], str]:
    env = {
        "KS_DATABASE_URL": f"sqlite:///{root / 'store.db'}",
        "KS_DATA_DIR": str(root / "data"),
        "KS_CONTENT_DIR": str(REPO / "content"),
        "KS_POLICIES_DIR": str(REPO / "policies"),
    }
    if backend == "hash":
        env["KS_EMBEDDING_MODEL"] = "hash"
    result = run_cli(root, env, "import")
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    engine = make_engine(env["KS_DATABASE_URL"])
    with session_scope(engine) as session:
        key = access.create_key(session, name=f"bench-{time.time_ns()}", role=Role.BOT).secret
    engine.dispose()
    return env, key


def run_answers(base: str, key: str, qs: list[str]) -> list[float]:
    times = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
        for q in qs:
            started = time.perf_counter()
            client.post("/v1/answer", json={"q": q, "channel": "chat"}).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


def bench_http(root: Path, env: dict[str, str], key: str, n: int) -> None:
    for label, extra in [("log on ", {}), ("log off", {"KS_ANALYTICS__ENABLED": "false"})]:
        with serving(root, {**env, **extra}) as server:
            run_answers(server.base, key, questions(20))  # warm up
            times = run_answers(server.base, key, questions(n))
        print(f"POST /v1/answer, {label}: p50 {statistics.median(times):.2f} ms, "
              f"p95 {ms(times, 95):.2f} ms over {n} requests")  # fmt: skip


def bench_crash(root: Path, env: dict[str, str], key: str, n: int) -> None:
    """SIGKILL the server right after its ``n``-th acknowledged answer; count what was logged."""
    engine = make_engine(env["KS_DATABASE_URL"])
    with session_scope(engine) as session:
        before = session.exec(select(func.count()).select_from(AnswerEvent)).one()
    with serving(root, env) as server:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.base, headers=headers) as client:
            started = time.perf_counter()
            for q in questions(n):
                client.post("/v1/answer", json={"q": q, "channel": "chat"}).raise_for_status()
            elapsed = time.perf_counter() - started
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
    with session_scope(engine) as session:
        stored = session.exec(select(func.count()).select_from(AnswerEvent)).one() - before
    rate = n / elapsed
    print(
        f"crash: {n} answers acknowledged ({rate:.0f}/s), SIGKILL right after the last: "
        f"{stored} logged, {n - stored} lost (bound: what arrives in one flush interval, "
        f"1 s by default, here about {rate:.0f}; never more than the queue, 10,000)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["model", "hash"], default="model")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--records", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ks-bench-log-") as tmp:
        root = Path(tmp)
        print(f"load average at start: {os.getloadavg()[0]:.2f}")
        bench_record(root, args.records)
        env, key = prepare(root, args.backend)
        bench_http(root, env, key, args.queries)
        bench_crash(root, env, key, args.queries)
        print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
