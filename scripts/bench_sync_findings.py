"""Benchmark writing a check's findings to the store: the first check of a large store.

A first governance check on a large knowledge base creates tens of thousands of findings, each
with its article links and a "created" event in the audit log, in one transaction. This times
``sync_findings`` creating ``--findings`` new findings on an empty store, then re-running it
with the same findings (every one already known: the update path), on each store given.

    .venv/bin/python scripts/bench_sync_findings.py --findings 20000
    .venv/bin/python scripts/bench_sync_findings.py --postgres        # also a throwaway cluster
    .venv/bin/python scripts/bench_sync_findings.py --database-url postgresql+psycopg://...

``--postgres`` starts a PostgreSQL cluster of its own in a temporary folder with the test
suite's helper (``tests/postgres.py``; run from the repository's root) and deletes it after.
Medians of ``--repeat`` runs, each on a fresh store.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

from knowledge_service.db import make_engine
from knowledge_service.freshness.findings import sync_findings
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind
from knowledge_service.models_registry import create_all_tables

ROOT = Path(__file__).resolve().parents[1]


def _findings(count: int) -> list[FindingData]:
    """``count`` duplicate findings between generated article pairs (two links, one event)."""
    made = []
    for i in range(count):
        first, second = f"article-{i:06d}", f"article-{i + 1:06d}"
        evidence = [
            Evidence(article_id=first, version=1, section="answer", text="Fees are waived."),
            Evidence(article_id=second, version=1, section="answer", text="No fee applies."),
        ]
        made.append(
            FindingData.create(
                FindingKind.DUPLICATE, [first, second], f"{first} and {second} say the same",
                evidence,
            )
        )  # fmt: skip
    return made


def _time_sync(url: str, findings: list[FindingData]) -> tuple[float, float]:
    """Seconds to create ``findings`` on the empty store at ``url``, then to re-sync them."""
    engine = make_engine(url)
    try:
        create_all_tables(engine)
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            with Session(engine) as session:
                sync_findings(session, findings, covered=lambda row: True)
                session.commit()
            timings.append(time.perf_counter() - started)
        return timings[0], timings[1]
    finally:
        engine.dispose()


@contextlib.contextmanager
def _postgres_databases(server: str | None, count: int) -> Iterator[list[str]]:
    """``count`` fresh databases on ``server`` (or on a throwaway cluster when it is "")."""
    if server is None:
        yield []
        return
    sys.path.insert(0, str(ROOT))
    from tests.postgres import cluster, fresh_database

    with contextlib.ExitStack() as stack:
        url = server or stack.enter_context(cluster())
        yield [stack.enter_context(fresh_database(url)) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also a throwaway cluster")
    parser.add_argument("--database-url", help="also this PostgreSQL server (a superuser URL)")
    args = parser.parse_args()
    findings = _findings(args.findings)
    server = args.database_url if args.database_url else ("" if args.postgres else None)
    with tempfile.TemporaryDirectory() as tmp, _postgres_databases(server, args.repeat) as pg:
        stores = {"sqlite": [f"sqlite:///{tmp}/run{i}.sqlite" for i in range(args.repeat)]}
        if pg:
            stores["postgresql"] = pg
        print(f"{args.findings} findings, median of {args.repeat} runs on fresh stores")
        for name, urls in stores.items():
            runs = [_time_sync(url, findings) for url in urls]
            create = statistics.median(r[0] for r in runs)
            again = statistics.median(r[1] for r in runs)
            print(
                f"  {name:10s} create {create:7.2f} s ({args.findings / create:8.0f} findings/s)"
                f"   re-sync {again:7.2f} s"
            )


if __name__ == "__main__":
    main()
