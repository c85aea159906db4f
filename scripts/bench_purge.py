"""Benchmark the answer-log retention purge on SQLite: how long it takes, and how long it keeps
every other writer out.

    .venv/bin/python scripts/bench_purge.py                      # 300,000 events, 3 rounds
    .venv/bin/python scripts/bench_purge.py --events 50000 --rounds 1

A SQLite store is filled once with ``--events`` answer events (and one feedback per
``--feedback-every`` events) spread over ``--days`` days that all lie past the retention
period, a third of them in conversations that ask again (repeat questions to roll up). Each
round purges a fresh copy with ``purge_expired`` (as ``purge-logs`` and the server's schedule
do) while a writer on a connection of its own (the answer log of a serving process) inserts
one event every ``--write-every`` seconds, each in a transaction of its own that waits up to
600 s for the write lock (the service waits 10 s, then fails that write). Printed, medians over
the rounds: the purge's total time, its transactions (pieces), its longest transaction (the
longest it held the write lock), the writer's longest wait for one insert, and how many inserts
waited longer than the service's 10 s busy timeout (each a failed write in the service).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from knowledge_service.analytics import service
from knowledge_service.analytics.models import AnswerEvent, Feedback
from knowledge_service.db import SQLITE_BUSY_TIMEOUT_MS, make_engine
from knowledge_service.models_registry import create_all_tables

RETENTION_DAYS = 90
STATUSES = ("answered", "answered", "answered", "no_answer", "escalate")
CHANNELS = ("chat", "voice", "agent", "web")
INTENTS = tuple(f"intent.{i}" for i in range(20))


def _rows(events: int, days: int, feedback_every: int, now: datetime) -> tuple[list, list]:
    """``events`` answer events (and feedback) at random instants over ``days`` days ending the
    day before the retention period starts, in time order (as the answer log writes them)."""
    rng = random.Random(7)
    last = now - timedelta(days=RETENTION_DAYS + 1)
    span = days * 86_400
    made, rated = [], []
    for i in range(events):
        at = last - timedelta(seconds=rng.uniform(0, span))
        status = rng.choice(STATUSES)
        made.append({
            "at": at, "kind": "answer" if i % 10 else "search", "channel": rng.choice(CHANNELS),
            "question": "how do i pay my bill", "intent": rng.choice(INTENTS), "status": status,
            "reason": "low_confidence" if status == "escalate" else None, "latency_ms": 12.0,
            "stale": i % 50 == 0, "receipt": f"rcpt_{i:08d}",
            "conversation_id": f"conv-{i // 3:08d}" if i % 3 == 0 else f"conv-{i // 2:08d}",
        })  # fmt: skip
        if i % feedback_every == 0:
            rated.append({
                "at": at + timedelta(minutes=1), "receipt": f"rcpt_{i:08d}",
                "rating": rng.choice(("helpful", "wrong", "unclear")),
                "channel": made[-1]["channel"],
            })  # fmt: skip
    by_time = lambda row: row["at"]  # noqa: E731
    return sorted(made, key=by_time), sorted(rated, key=by_time)  # written as they happened


def _fill(path: Path, events: int, days: int, feedback_every: int, now: datetime) -> int:
    engine = make_engine(f"sqlite:///{path}")
    create_all_tables(engine)
    made, rated = _rows(events, days, feedback_every, now)
    with engine.begin() as conn:
        for start in range(0, len(made), 10_000):
            conn.execute(insert(AnswerEvent), made[start : start + 10_000])
        for start in range(0, len(rated), 10_000):
            conn.execute(insert(Feedback), rated[start : start + 10_000])
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return len(rated)


class Writer(threading.Thread):
    """Inserts one answer event every ``every`` seconds, each in a transaction of its own, and
    times each (waiting for the write lock included)."""

    def __init__(self, path: Path, every: float) -> None:
        super().__init__(daemon=True)
        self.path, self.every = path, every
        self.waits: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=600, isolation_level=None)
        try:
            while not self.stop.is_set():
                at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
                started = time.perf_counter()
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "INSERT INTO answer_event (at, kind, question, latency_ms, stale) "
                    "VALUES (?, 'answer', 'q', 1.0, 0)",
                    (at,),
                )
                conn.execute("COMMIT")
                self.waits.append(time.perf_counter() - started)
                self.stop.wait(self.every)
        finally:
            conn.close()


def _round(template: Path, work: Path, every: float) -> dict[str, Any]:
    path = work / "round.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    transactions: list[float] = []
    begun: dict[int, float] = {}

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        begun[id(conn)] = time.perf_counter()

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        transactions.append(time.perf_counter() - begun.pop(id(conn)))

    writer = Writer(path, every)
    writer.start()
    time.sleep(0.5)  # the writer is writing
    started = time.perf_counter()
    purged = service.purge_expired(engine, retention_days=RETENTION_DAYS)
    total = time.perf_counter() - started
    time.sleep(0.5)
    writer.stop.set()
    writer.join()
    engine.dispose()
    waits = writer.waits
    return {
        "purged": purged,
        "total": total,
        "pieces": len(transactions),
        "longest": max(transactions),
        "wait": max(waits),
        "failed": sum(w > SQLITE_BUSY_TIMEOUT_MS / 1000 for w in waits),
        "writes": len(waits),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=60, help="the days the events span")
    parser.add_argument("--feedback-every", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write-every", type=float, default=0.05, help="seconds between writes")
    args = parser.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template.db"
        started = time.perf_counter()
        rated = _fill(template, args.events, args.days, args.feedback_every, now)
        print(
            f"{args.events} answer events and {rated} feedback "
            f"over {args.days} days, all past retention (filled in "
            f"{time.perf_counter() - started:.1f} s); a writer inserts every {args.write_every} s"
        )
        runs = []
        for i in range(args.rounds):
            run = _round(template, work, args.write_every)
            runs.append(run)
            print(
                f"  round {i + 1}: purged {run['purged']} in {run['total']:.2f} s, "
                f"{run['pieces']} transactions, longest {run['longest']:.2f} s; writer: "
                f"{run['writes']} inserts, longest wait {run['wait']:.2f} s, "
                f"{run['failed']} past the {SQLITE_BUSY_TIMEOUT_MS / 1000:.0f} s busy timeout"
            )

        def median(key: str) -> float:
            return statistics.median(r[key] for r in runs)

        print(
            f"median of {args.rounds}: total {median('total'):.2f} s, longest transaction "
            f"(write-lock hold) {median('longest'):.2f} s, writer's longest wait "
            f"{median('wait'):.2f} s, {median('failed'):.0f} inserts past the busy timeout, "
            f"{median('pieces'):.0f} transactions"
        )


if __name__ == "__main__":
    main()
