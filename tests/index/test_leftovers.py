"""Crash leftovers: a process killed (SIGKILL) while writing the index bundle or exporting a
model leaves its temporary behind; the next open sweeps it, and never a live process's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.engine import Engine

from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.leftovers import STALE_SECONDS, models_dir, sweep_leftovers
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

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
