"""Writers never collide: concurrent imports of the same folders and API-style edits take turns
on the store's write lock, and every document's versions stay numbered 1, 2, 3... without gaps.

``KS_TEST_ROUNDS`` raises the number of rounds (default 12; the race failed every round before
the lock).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from knowledge_service.content.kinds import ARTICLE
from knowledge_service.content.models import ArticleVersion
from knowledge_service.content.service import DocumentService, import_content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.models_registry import create_all_tables
from tests.factories import article_text, write_article_md
from tests.server import run_cli

ROUNDS = int(os.environ.get("KS_TEST_ROUNDS", "12"))
ARTICLES = 20


def _store(root: Path) -> Engine:
    engine = make_engine(f"sqlite:///{root / 'store.db'}")
    create_all_tables(engine)
    return engine


def _write_round(root: Path, round_no: int) -> None:
    for n in range(ARTICLES):
        write_article_md(root / "content", f"a-{n}", answer=f"Round {round_no} answer {n}.")


def _run_together(*writers: Callable[[], object]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(writers))

    def run(writer: Callable[[], object]) -> None:
        start.wait()
        try:
            writer()
        except BaseException as exc:  # collected: the test shows every one
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _assert_versions_contiguous(engine: Engine) -> dict[str, list[int]]:
    with session_scope(engine) as session:
        rows = session.exec(select(ArticleVersion.article_id, ArticleVersion.version)).all()
    numbers: dict[str, list[int]] = defaultdict(list)
    for article_id, version in rows:
        numbers[article_id].append(version)
    for article_id, versions in numbers.items():
        assert sorted(versions) == list(range(1, len(versions) + 1)), (article_id, versions)
    return numbers


def test_two_concurrent_imports_of_the_same_folders_never_collide(tmp_path: Path) -> None:
    engine = _store(tmp_path)

    def importing() -> object:
        return import_content(engine, [tmp_path / "content"], max_file_bytes=1 << 20)

    for round_no in range(ROUNDS):
        _write_round(tmp_path, round_no)
        assert _run_together(importing, importing) == [], f"round {round_no}"
    numbers = _assert_versions_contiguous(engine)
    # Each round's change is stored exactly once, whichever import wrote it.
    assert {len(v) for v in numbers.values()} == {ROUNDS}


def test_imports_and_api_edits_take_turns(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    service = DocumentService(ARTICLE)

    def importing() -> object:
        return import_content(engine, [tmp_path / "content"], max_file_bytes=1 << 20)

    def editing(round_no: int) -> Callable[[], object]:
        def edit() -> object:
            with session_scope(engine) as session:
                text = article_text("edited-online", answer=f"Edit {round_no} of the answer.")
                return service.save_text(session, text, author="editor", source="api")

        return edit

    for round_no in range(ROUNDS):
        _write_round(tmp_path, round_no)
        assert _run_together(importing, importing, editing(round_no)) == [], f"round {round_no}"
    numbers = _assert_versions_contiguous(engine)
    assert len(numbers["edited-online"]) == ROUNDS


def test_concurrent_cli_imports_exit_cleanly_without_tracebacks(tmp_path: Path) -> None:
    env = {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(tmp_path / "data"),
        "KS_EMBEDDING_MODEL": "hash",
    }
    content = str(tmp_path / "content")
    results: list[subprocess.CompletedProcess[str]] = []

    def importing() -> None:
        results.append(run_cli(tmp_path, env, "import", content))

    for round_no in range(max(2, ROUNDS // 4)):
        _write_round(tmp_path, round_no)
        assert _run_together(importing, importing) == []
    assert len(results) == 2 * max(2, ROUNDS // 4)
    for result in results:
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 0, result.stderr
    _assert_versions_contiguous(_store(tmp_path))


def test_commands_start_while_another_process_holds_the_write_lock(tmp_path: Path) -> None:
    """A process starting on a prepared store does not take the write lock: it used to, so a
    second import started during a first one's long write (or a read-only command) failed after
    SQLite's busy timeout with "database is locked" before it had done anything."""
    _store(tmp_path).dispose()  # prepared, at the newest schema revision
    env = {
        "KS_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "KS_DATA_DIR": str(tmp_path / "data"),
        "KS_EMBEDDING_MODEL": "hash",
    }
    writer = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process writes until the command has ended
        listed = run_cli(tmp_path, env, "articles", "list")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert "Traceback" not in listed.stderr, listed.stderr
    assert listed.returncode == 0, listed.stderr


def test_authors_are_looked_up_before_the_import_takes_the_write_lock(tmp_path: Path) -> None:
    """``import`` asks who wrote each new or changed file (a ``git log`` per file) before its
    write transaction: meanwhile another writer can take the store's write lock at once."""
    engine = _store(tmp_path)
    _write_round(tmp_path, 1)
    import_content(engine, [tmp_path / "content"], max_file_bytes=65536)
    _write_round(tmp_path, 2)  # every file changed: each makes a new version
    asked: list[str] = []
    locked: list[str] = []
    # The lookups run on several threads: one probe at a time, or two probes would find each
    # other's write lock (CI once saw 8 of 20 "locked" that way, with the import innocent).
    probing = threading.Lock()

    def author_of(path: str) -> str:
        with probing:
            asked.append(Path(path).name)
            other = sqlite3.connect(tmp_path / "store.db", timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")  # the write lock, without waiting
                other.execute("ROLLBACK")
            except sqlite3.OperationalError:
                locked.append(Path(path).name)
            finally:
                other.close()
        return "Writer <writer@example.org>"

    report = import_content(
        engine, [tmp_path / "content"], max_file_bytes=65536, author_of=author_of
    )
    assert sorted(report.articles.updated) == sorted(f"a-{n}" for n in range(ARTICLES))
    assert sorted(asked) == sorted(f"a-{n}.md" for n in range(ARTICLES))  # once per new version
    assert locked == []
    with session_scope(engine) as session:
        authors = session.exec(select(ArticleVersion.author).where(ArticleVersion.version == 2))
        assert set(authors) == {"Writer <writer@example.org>"}
