"""Crash probes: kill -9 a child process at a random point of a write, then check what it left.

``KS_TEST_ROUNDS`` sets the number of rounds of each probe (a few by default, to keep CI fast;
raise it for a long run). Every round draws its kill point from a seeded random generator, and
a failing round names its seed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections import defaultdict
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import Engine

from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.leftovers import models_dir
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings
from tests.factories import article_text

ROUNDS = int(os.environ.get("KS_TEST_ROUNDS", "2"))
REPO = Path(__file__).resolve().parents[1]


def write_articles(root: Path, count: int, answer: str) -> None:
    """``count`` articles; article ``n`` carries the unique word ``zq<n>x``."""
    for n in range(count):
        path = root / f"group{n % 20:02d}" / f"a{n:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = article_text(
            f"a{n:05d}", answer=f"{answer} (code zq{n:05d}x).", intents=[f"topic.t{n}"]
        )
        path.write_text(text, encoding="utf-8")


def run_child(code: str, *args: str, cwd: Path) -> int:
    """Run ``code`` in a child Python; its return code (``-9``: it was killed)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=env, timeout=600, check=False,
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode in (0, -signal.SIGKILL), done.stderr
    return done.returncode


def versions_by_article(db: Path) -> dict[str, list[int]]:
    """The store is sound (``PRAGMA integrity_check``); every article's version numbers, which
    must run 1, 2, 3... with an audit event each (no lost or half-written version)."""
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute("SELECT article_id, version FROM article_version").fetchall()
        audited = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    numbers: dict[str, list[int]] = defaultdict(list)
    for article_id, version in rows:
        numbers[article_id].append(version)
    for article_id, versions in numbers.items():
        versions.sort()
        assert versions == list(range(1, len(versions) + 1)), (article_id, versions)
    assert audited == len(rows)
    return dict(numbers)


def temporaries(settings: Settings) -> list[str]:
    """Temporary files and folders a killed writer can leave."""
    found = [p.name for p in settings.index_dir.glob(".search.bundle*")]
    return found + [p.name for p in models_dir(settings).glob(".export-*")]


def assert_index_recovers(settings: Settings, engine: Engine, article_count: int) -> None:
    """The next open sweeps the killed process's temporaries and gives a current index that
    finds articles by their unique word."""
    search = SearchService(settings, engine, HashEmbedder())
    status = search.open()
    assert temporaries(settings) == []
    assert status.is_current and status.articles == article_count
    for n in (0, article_count // 2, article_count - 1):
        hits = search.search(f"zq{n:05d}x", top_k=3)
        assert hits and hits[0].article_id == f"a{n:05d}", (n, hits[:3])
    search.cache.close()
