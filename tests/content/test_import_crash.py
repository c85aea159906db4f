"""A kill -9 in the middle of an import leaves the store exactly as it was before the import."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

from knowledge_service.content.service import import_content
from knowledge_service.db import create_tables, make_engine
from tests.factories import article_text

FILES = 3000
BEFORE = 50

# Imports `root` and pauses (holding the open transaction, with rows flushed) once half the
# documents have been written, so that the parent can SIGKILL it at a known point.
CHILD = """
import sys, time
from pathlib import Path
from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine

def progress(phase, done, total):
    if phase == "write" and done >= total // 2:
        print("paused", done, total, flush=True)
        time.sleep(600)

import_content(make_engine(sys.argv[1]), [Path(sys.argv[2])], max_file_bytes=65536,
               progress=progress)
print("finished", flush=True)
"""


def _write_articles(root: Path, count: int, answer: str) -> None:
    for n in range(count):
        path = root / f"group{n % 20:02d}" / f"a{n:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = article_text(f"a{n:05d}", answer=f"{answer} (article {n}).", intents=[f"topic.t{n}"])
        path.write_text(text, encoding="utf-8")


def _snapshot(db: Path) -> dict[str, Any]:
    with closing(sqlite3.connect(db)) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("article", "article_version", "policy", "policy_version", "audit_log")
        }


def test_kill_9_mid_import_leaves_previous_state(tmp_path: Path) -> None:
    db, root = tmp_path / "store.db", tmp_path / "content"
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    create_tables(engine)
    _write_articles(root, BEFORE, "Refunds take 10 business days")
    assert len(import_content(engine, [root], max_file_bytes=65536).articles.created) == BEFORE
    engine.dispose()
    before = _snapshot(db)

    # The next import would update all 50 articles and create 2950 more.
    _write_articles(root, FILES, "Refunds take 5 business days")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(root)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("paused"), line
        assert int(line.split()[1]) >= FILES // 2
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _snapshot(db) == before

    engine = make_engine(url)
    report = import_content(engine, [root], max_file_bytes=65536)
    assert (len(report.articles.created), len(report.articles.updated)) == (FILES - BEFORE, BEFORE)
    assert report.invalid == []
    engine.dispose()
    after = _snapshot(db)
    assert len(after["article"]) == FILES
    assert len(after["article_version"]) == FILES + BEFORE
    assert len(after["audit_log"]) == FILES + BEFORE
