"""A full check in a child process writes exactly what a check in this process finds, and a
failing or stopped child writes nothing and says why.

Real stores (SQLite and PostgreSQL), the labelled knowledge base, real child processes
(this interpreter running the package's own child code); the fake hash embedder, named by the
settings the child builds its embedder from.
"""

from __future__ import annotations

import sys
import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.content.service import import_content
from knowledge_service.db import session_scope
from knowledge_service.freshness import full_check
from knowledge_service.freshness.evaluation import load_labels
from knowledge_service.freshness.full_check import (
    FullCheckFailed,
    FullCheckStopped,
    run_full_check,
)
from knowledge_service.freshness.repository import active_findings
from knowledge_service.freshness.service import check_store
from knowledge_service.index.cache import open_embedding_cache
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.settings import Settings
from tests.freshness.conftest import KB

HASH = HashEmbedder().model_name


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.embedding_model = "hash"  # the child loads the embedder the settings name
    return settings


@pytest.fixture
def today(engine: Engine) -> date:
    """The labelled knowledge base, imported; the day its labels were written for."""
    report = import_content(engine, [KB / "content", KB / "policies"], max_file_bytes=1 << 20)
    assert len(report.articles.created) > 20  # (its files that fail to load are not stored)
    return date.fromisoformat(load_labels(KB / "expected.yaml")[0])


def stored(engine: Engine) -> list[dict[str, Any]]:
    """The active findings as a reviewer sees them (ids and times aside)."""
    with session_scope(engine) as session:
        rows = [
            (f.fingerprint, f.kind, f.severity, f.status, f.article_ids, f.policy_id, f.clause,
             f.message, f.evidence)
            for f in active_findings(session)
        ]  # fmt: skip
    return [dict(enumerate(row)) for row in sorted(rows, key=lambda r: r[0])]


def test_a_child_writes_the_findings_a_check_in_this_process_finds(
    settings: Settings, engine: Engine, today: date
) -> None:
    summary = run_full_check(settings, today=today, model_name=HASH)
    in_child = stored(engine)
    assert summary.findings == len(in_child) > 20  # the labelled set plants dozens of problems
    assert summary.articles_checked > 20

    here = check_store(
        engine,
        today=today,
        embedder=HashEmbedder(),
        cache=open_embedding_cache(engine, settings.index_dir),
        settings=settings,
    )
    assert here.summary == summary
    assert sorted(f.fingerprint for f in here.findings) == [row[0] for row in in_child]
    assert stored(engine) == in_child  # the same check: nothing for this one to change


def test_a_failing_child_says_why_and_writes_nothing(
    settings: Settings, engine: Engine, today: date
) -> None:
    with pytest.raises(FullCheckFailed) as failed:
        run_full_check(settings, today=today, model_name="another-model")
    message = str(failed.value)
    assert "nothing was written" in message
    assert "'another-model'" in message and f"'{HASH}'" in message  # both models named
    assert stored(engine) == []


def test_a_child_that_is_killed_is_reported(
    settings: Settings, engine: Engine, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child killed before it replies (the out-of-memory killer, an operator)."""
    kill = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    monkeypatch.setattr(full_check, "_child_command", lambda fd: [sys.executable, "-c", kill])
    with pytest.raises(FullCheckFailed, match=r"ended with exit code -9 before it finished"):
        run_full_check(settings, today=today, model_name=HASH)
    assert stored(engine) == []


def test_a_stopped_check_ends_its_child_and_writes_nothing(
    settings: Settings, engine: Engine, today: date
) -> None:
    stop = threading.Event()
    stop.set()  # the server is shutting down
    with pytest.raises(FullCheckStopped):
        run_full_check(settings, today=today, model_name=HASH, stop=stop)
    assert stored(engine) == []
