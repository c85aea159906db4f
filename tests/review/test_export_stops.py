"""An export stopped part-way (Ctrl-C, a full disk, kill -9) leaves DIR and the export marks as
they were, and no temporary folder; a finished one still round-trips."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from knowledge_service.content import repository
from knowledge_service.content import service as content
from knowledge_service.content.models import SyncMark
from knowledge_service.db import session_scope
from knowledge_service.review import export, export_files
from knowledge_service.review.export import export_knowledge
from tests import crash
from tests.factories import article_text, policy_text, write_small_kb


def _import(engine: Engine, *roots: Path) -> None:
    content.import_content(engine, list(roots), max_file_bytes=1 << 20)


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` by its relative path (None: no folder)."""
    if not folder.exists():
        return None
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def temporaries(dest: Path) -> list[str]:
    """What an export to ``dest`` may leave beside it."""
    return sorted(p.name for p in dest.parent.iterdir() if p.name.startswith(f".{dest.name}."))


def marks(engine: Engine) -> list[tuple[str, str, str, int, str | None]]:
    with session_scope(engine) as session:
        rows = session.exec(select(SyncMark)).all()
        return sorted((m.kind, m.doc_id, m.file_hash, m.version, m.relative_path) for m in rows)


def versions(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        return repository.article_watermark(session), repository.policy_watermark(session)


@contextmanager
def failing(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, at: int,
            fault: Callable[[], None]) -> Iterator[None]:  # fmt: skip
    """``owner.name`` runs ``fault`` on its ``at``-th call (1-based) within the block."""
    real, calls = getattr(owner, name), [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == at:
            fault()
        return real(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(owner, name, wrapper)
        yield
    assert calls[0] >= at, f"{name} was called {calls[0]} times, fewer than {at}"


def ctrl_c() -> None:
    raise KeyboardInterrupt


def disk_full() -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def tree(tmp_path: Path, engine: Engine) -> Path:
    root = write_small_kb(tmp_path / "kb")
    _import(engine, root / "content", root / "policies")
    return root


def _change_the_store(engine: Engine) -> None:
    """API edits of an article and a policy (files to replace) and a new article (a file to
    add): an export then moves content/lost-card.md, content/new-one.md, policies/refunds.md."""
    with session_scope(engine) as session:
        edited = article_text("lost-card", title="Lost card", answer="Freeze it in the app.")
        content.save_article_text(session, edited, author="key:editor", source="api")
        added = article_text("new-one", title="New one", intents=["new.one"])
        content.save_article_text(session, added, author="key:editor", source="api")
        policy = policy_text("REFUNDS", title="Refunds policy, second edition")
        content.policies.save_text(session, policy, author="key:editor", source="api")


@pytest.mark.parametrize("fault", [ctrl_c, disk_full], ids=["ctrl-c", "disk-full"])
def test_an_export_stopped_while_writing_leaves_no_folder_and_records_nothing(
    engine: Engine, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    fault: Callable[[], None],
) -> None:  # fmt: skip
    dest, before = tmp_path / "out", marks(engine)
    with (
        pytest.raises((KeyboardInterrupt, OSError)),
        failing(monkeypatch, Path, "write_text", 2, fault),
    ):
        export_knowledge(engine, dest)
    assert not dest.exists()
    assert temporaries(dest) == []
    assert marks(engine) == before


@pytest.mark.parametrize(
    ("owner", "name", "at"),
    [
        (Path, "write_text", 3),
        (export_files, "_move", 1),
        (export_files, "_move", 2),
        (export_files, "_move", 3),
    ],
    ids=["writing-3", "moving-1", "moving-2", "moving-3"],
)
def test_an_export_stopped_over_an_earlier_one_leaves_it_as_it_was(
    engine: Engine, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    owner: Any, name: str, at: int,
) -> None:  # fmt: skip
    dest = tmp_path / "out"
    export_knowledge(engine, dest)
    (dest / "notes.txt").write_text("mine", encoding="utf-8")
    _change_the_store(engine)
    files, before = snapshot(dest), marks(engine)
    with pytest.raises(KeyboardInterrupt), failing(monkeypatch, owner, name, at, ctrl_c):
        export_knowledge(engine, dest)
    assert snapshot(dest) == files
    assert not (dest / "content" / "new-one.md").exists()
    assert temporaries(dest) == []
    assert marks(engine) == before


_KILLED_CHILD = """
import os, signal, sys
from pathlib import Path
from knowledge_service.db import make_engine
from knowledge_service.review import export, export_files
from knowledge_service.review.export import export_knowledge

real, calls = export_files._move, [0]
def move(source, target):
    calls[0] += 1
    if calls[0] == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    real(source, target)
export_files._move = move
export_knowledge(make_engine(sys.argv[1]), Path(sys.argv[2]))
"""


def test_an_export_killed_while_moving_is_undone_by_the_next_one(
    engine: Engine, tree: Path, tmp_path: Path, database_url: str
) -> None:
    dest = tmp_path / "out"
    export_knowledge(engine, dest)
    _change_the_store(engine)
    files, before = snapshot(dest), marks(engine)
    code = crash.run_child(_KILLED_CHILD, database_url, str(dest), cwd=tmp_path)
    assert code != 0 and len(temporaries(dest)) == 1  # killed mid-way: its folder is left
    assert snapshot(dest) != files  # and some files were moved
    assert marks(engine) == before

    assert export_files.recover_leftovers(dest.resolve()) != []
    assert snapshot(dest) == files
    assert temporaries(dest) == []

    export_knowledge(engine, dest)
    assert (dest / "content" / "new-one.md").is_file()
    made = versions(engine)
    _import(engine, dest / "content", dest / "policies")
    assert versions(engine) == made


def test_a_stop_while_recording_leaves_the_files_in_place_and_says_so(
    engine: Engine, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest, before = tmp_path / "out", marks(engine)
    with (
        pytest.raises(export_files.PlacedNotRecorded),
        failing(monkeypatch, export, "set_mark", 2, ctrl_c),
    ):
        export_knowledge(engine, dest)
    assert (dest / "policies" / "refunds.md").is_file()
    assert temporaries(dest) == []
    assert marks(engine) == before


def test_a_stop_while_removing_the_temporary_folder_leaves_a_complete_export(
    engine: Engine, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "out"
    export_knowledge(engine, dest)
    _change_the_store(engine)
    with failing(monkeypatch, shutil, "rmtree", 1, ctrl_c):
        report = export_knowledge(engine, dest)
    assert "new-one.md" in report.articles
    assert "new-one" in {m[1] for m in marks(engine)}
    assert len(temporaries(dest)) == 1  # for the next export to remove
    export_knowledge(engine, dest)
    assert temporaries(dest) == []


def test_a_finished_export_over_an_earlier_one_keeps_other_files_and_round_trips(
    engine: Engine, tree: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "out"
    export_knowledge(engine, dest)
    (dest / "notes.txt").write_text("mine", encoding="utf-8")
    unchanged = (dest / "content" / "billing" / "refund-timeframe.md").stat()
    _change_the_store(engine)
    report = export_knowledge(engine, dest)
    again = (dest / "content" / "billing" / "refund-timeframe.md").stat()
    assert (again.st_ino, again.st_mtime_ns) == (unchanged.st_ino, unchanged.st_mtime_ns)
    assert "new-one.md" in report.articles
    assert "Freeze it in the app." in (dest / "content" / "lost-card.md").read_text("utf-8")
    assert (dest / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert temporaries(dest) == []
    assert {m[1] for m in marks(engine)} >= {"lost-card", "new-one", "REFUNDS"}
    made = versions(engine)
    _import(engine, dest / "content", dest / "policies")
    assert versions(engine) == made
