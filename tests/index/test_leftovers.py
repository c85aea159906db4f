"""Crash leftovers: a process killed (SIGKILL) while writing the index bundle or exporting a
model leaves its temporary behind; the next open sweeps it, and never a live process's."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.engine import Engine

from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.leftovers import STALE_SECONDS, models_dir, sweep_leftovers
from knowledge_service.index.service import SearchService
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from tests.crash import (
    ROUNDS,
    assert_index_recovers,
    run_child,
    temporaries,
    versions_by_article,
    write_articles,
)
from tests.factories import article_text

# A child that starts a partial bundle file and an export folder, then is killed mid-write.
_KILLED_MID_WRITE = """
import os, signal, sys, tempfile
from pathlib import Path
from knowledge_service.index.leftovers import export_prefix, temp_prefix
index_dir, models = Path(sys.argv[1]), Path(sys.argv[2])
fd, _ = tempfile.mkstemp(prefix=temp_prefix("search.bundle"), dir=index_dir)
os.write(fd, b"partial" * 1000)
work = Path(tempfile.mkdtemp(prefix=export_prefix(), dir=models))
(work / "model.onnx").write_bytes(b"partial" * 1000)
{then}
"""


def _leave_leftovers(index_dir: Path, models: Path, *, then: str) -> subprocess.Popen[bytes]:
    index_dir.mkdir(parents=True, exist_ok=True)
    models.mkdir(parents=True, exist_ok=True)
    code = _KILLED_MID_WRITE.format(then=then)
    return subprocess.Popen([sys.executable, "-c", code, str(index_dir), str(models)])


def _temporaries(index_dir: Path, models: Path) -> set[str]:
    found = {p.name for p in index_dir.glob(".search.bundle.*")}
    return found | {p.name for p in models.glob(".export-*")}


def test_open_sweeps_what_a_killed_process_left(settings: Settings, engine: Engine) -> None:
    index_dir, models = settings.index_dir, models_dir(settings)
    killed = _leave_leftovers(index_dir, models, then="os.kill(os.getpid(), signal.SIGKILL)")
    assert killed.wait() == -9
    left = _temporaries(index_dir, models)
    assert len(left) == 2 and all(str(killed.pid) in name for name in left)
    SearchService(settings, engine, HashEmbedder()).open()
    assert _temporaries(index_dir, models) == set()


def test_a_live_process_temporaries_are_kept(settings: Settings, engine: Engine) -> None:
    index_dir, models = settings.index_dir, models_dir(settings)
    ready = index_dir / "ready"
    live = _leave_leftovers(
        index_dir, models, then=f"open({str(ready)!r}, 'w').close(); signal.pause()"
    )
    try:
        while not ready.exists():  # the child has written its temporaries
            assert live.poll() is None
            time.sleep(0.05)
        kept = _temporaries(index_dir, models)
        assert len(kept) == 2
        SearchService(settings, engine, HashEmbedder()).open()
        assert _temporaries(index_dir, models) == kept
    finally:
        live.kill()
        live.wait()
    assert sweep_leftovers(index_dir, models)  # gone with its process
    assert _temporaries(index_dir, models) == set()


def test_temporaries_without_a_process_id_go_only_when_old(tmp_path: Path) -> None:
    old, fresh = tmp_path / ".search.bundle.abcd1234", tmp_path / ".search.bundle.wxyz6789"
    folder = tmp_path / "models" / ".export-k2j4h5g6"
    folder.mkdir(parents=True)
    for path in (old, fresh):
        path.write_bytes(b"x")
    long_ago = time.time() - STALE_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    os.utime(folder, (long_ago, long_ago))
    removed = sweep_leftovers(tmp_path, tmp_path / "models")
    assert set(removed) == {old, folder}
    assert fresh.exists() and not old.exists() and not folder.exists()


# Opens (or, with "rebuild", rebuilds) the index of store ARGV[1] under ARGV[2] and is killed
# by itself at a random point: at embedding unit ARGV[4] ("encode"), ARGV[4] seconds into
# writing the bundle ("save": the new bundle's temporary file; "append": a delta record), or
# before renaming the written temporary ("rename").
_INDEX_CHILD = """
import os, signal, sys, threading
from pathlib import Path
from knowledge_service.db import make_engine
from knowledge_service.index import bundle
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

url, data, mode, at = sys.argv[1], Path(sys.argv[2]), sys.argv[3], float(sys.argv[4])

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

def killed_during(write):
    def writing(*args):
        threading.Timer(at, kill).start()
        write(*args)
    return writing

if mode == "rename":  # the new bundle is written in full: killed just before it replaces the old
    os.replace = lambda *args: kill()
else:  # no timer here: one firing before the temporary exists would leave nothing to sweep
    bundle.write_atomic = killed_during(bundle.write_atomic)
    bundle._append_durably = killed_during(bundle._append_durably)
def progress(done, total):
    if mode == "encode" and done >= at:
        kill()

service = SearchService(Settings(database_url=url, data_dir=data), make_engine(url), HashEmbedder())
if mode == "append":
    service.open(progress)
else:
    service.rebuild(progress)
"""
CRASH_ARTICLES = 200
MODES = ("encode", "save", "rename", "append")


def test_kill_9_at_random_points_of_index_builds(tmp_path: Path) -> None:
    """``KS_TEST_ROUNDS`` rounds (see tests/crash.py): a child building the index (from
    scratch, or catching up with an import and appending to the bundle) is killed at a random
    point; the store stays sound, and the next open sweeps the temporaries and is current."""
    db, root = tmp_path / "store.db", tmp_path / "content"
    settings = Settings(database_url=f"sqlite:///{db}", data_dir=tmp_path / "data")
    engine = make_engine(settings.database_url)
    create_all_tables(engine)
    write_articles(root, CRASH_ARTICLES, "Parcels arrive in 3 days")
    import_content(engine, [root], max_file_bytes=65536)
    killed = left = 0
    for round_no in range(ROUNDS * len(MODES)):
        seed = random.randrange(1 << 30)
        rng = random.Random(seed)
        mode = MODES[round_no % len(MODES)]
        if mode == "append":  # an index to catch up: a bundle, then a change to a few articles
            assert_index_recovers(settings, engine, CRASH_ARTICLES)
            for n in rng.sample(range(CRASH_ARTICLES), 5):
                (root / f"group{n % 20:02d}" / f"a{n:05d}.md").write_text(
                    article_text(f"a{n:05d}", answer=f"Round {round_no} (code zq{n:05d}x)."),
                    encoding="utf-8",
                )
            import_content(engine, [root], max_file_bytes=65536)
        at = rng.randrange(1, CRASH_ARTICLES) if mode == "encode" else rng.uniform(0, 0.01)
        engine.dispose()
        code = run_child(_INDEX_CHILD, settings.database_url, str(settings.data_dir), mode,
                         str(at), cwd=tmp_path)  # fmt: skip
        assert code == -signal.SIGKILL or mode not in ("encode", "rename")
        killed += code == -signal.SIGKILL
        left += bool(temporaries(settings))
        versions_by_article(db)  # the index build never touches the store's rows
        try:
            assert_index_recovers(settings, engine, CRASH_ARTICLES)
        except AssertionError as exc:
            raise AssertionError(f"round {round_no} (seed {seed}, {mode} at {at})") from exc
    engine.dispose()
    assert left >= ROUNDS  # every "rename" round left its temporary; the next open swept it
    print(f"{ROUNDS * len(MODES)} rounds, {killed} killed, {left} left temporaries: all swept")
