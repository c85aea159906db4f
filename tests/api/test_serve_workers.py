"""``serve --workers N`` listens at once: every worker answers ``/healthz`` while ``/readyz`` says
503 ``index-not-ready``, and becomes ready once its index is current; of the workers sharing an
index folder, one builds the index and the others load what it saved.

The test holds the workers' index lock itself (as a slow first build would), so "before the
index is current" is a state the test controls, not a race it hopes to win.
"""

from __future__ import annotations

import fcntl
import re
from pathlib import Path

import httpx
import pytest

from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine
from knowledge_service.index.locks import INDEX_OPEN_LOCK
from knowledge_service.models_registry import create_all_tables
from tests.factories import write_article_md
from tests.server import serving, wait_for

pytestmark = pytest.mark.slow

WORKERS = 2
# Enough requests that each worker answers some (the kernel spreads connections between them).
PROBES = 12


def _opened_by(logs: str) -> set[str]:
    """The processes that logged their index open."""
    return set(re.findall(r"the search index is open at store version \d+ \(process (\d+)\)", logs))


def test_every_worker_listens_before_its_index_is_current(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(data),
        "KS_EMBEDDING_MODEL": "hash",
    }
    engine = make_engine(env["KS_DATABASE_URL"])
    create_all_tables(engine)
    for n in range(30):
        write_article_md(tmp_path / "content", f"a-{n}", answer=f"Answer number {n}.")
    import_content(engine, [tmp_path / "content"], max_file_bytes=1 << 20)  # no index yet
    engine.dispose()

    lock_path = data / "index" / INDEX_OPEN_LOCK
    lock_path.parent.mkdir(parents=True)
    with lock_path.open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # every worker waits to open its index
        args = ("--workers", str(WORKERS))
        with serving(tmp_path, env, args=args, until="/healthz") as server:
            with httpx.Client(base_url=server.base, timeout=120) as client:
                for _ in range(PROBES):
                    assert client.get("/healthz").status_code == 200
                    waiting = client.get("/readyz")
                    assert waiting.status_code == 503, waiting.text
                    assert waiting.json()["type"].endswith(":index-not-ready")
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

                wait_for(lambda: len(_opened_by(server.logs())) == WORKERS, timeout=120)
                for _ in range(PROBES):
                    ready = client.get("/readyz")
                    assert ready.status_code == 200, ready.text
                    assert ready.json()["index_watermark"] == 30
            logs = server.logs()
    # One worker built the index (encoding every article); the other loaded what it saved.
    assert logs.count("building the search index") == 1, logs
    assert logs.count("loading the search index") == WORKERS - 1, logs
    assert "Traceback" not in logs
