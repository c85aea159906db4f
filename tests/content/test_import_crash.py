"""kill -9 during an import, at a random point, ``KS_TEST_ROUNDS`` rounds (see tests/crash.py):
the import is all or nothing, the store stays sound, the next import completes it, and the
index opens current with no temporaries left behind.

Half the rounds kill the child at a random document of the write (inside the transaction, rows
flushed); the others at a random moment of its whole run: reading the files, writing,
committing, or syncing the index and saving its bundle afterwards.
"""

from __future__ import annotations

import random
from pathlib import Path

from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings
from tests import crash

FILES = 300
BEFORE = 50

# Imports ARGV[2] into the store ARGV[1], then syncs the index under ARGV[3] (as the CLI
# does); killed by itself at write progress ARGV[5] ("write" rounds) or after ARGV[5] seconds.
CHILD = """
import os, signal, sys, threading, time
from pathlib import Path
from knowledge_service.content.service import import_content
from knowledge_service.db import make_engine
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

url, root, data, mode = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
at = float(sys.argv[5])

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

def progress(phase, done, total):
    if mode == "write" and phase == "write" and done >= at:
        kill()

if mode == "anytime":
    threading.Timer(at, kill).start()
engine = make_engine(url)
import_content(engine, [root], max_file_bytes=65536, progress=progress)
settings = Settings(database_url=url, data_dir=data)
SearchService(settings, engine, HashEmbedder()).open()
"""


def test_kill_9_at_random_points_of_imports(tmp_path: Path) -> None:
    db, root = tmp_path / "store.db", tmp_path / "content"
    settings = Settings(database_url=f"sqlite:///{db}", data_dir=tmp_path / "data")
    engine = make_engine(settings.database_url)
    create_all_tables(engine)
    crash.write_articles(root, BEFORE, "Refunds take 10 business days")
    assert len(import_content(engine, [root], max_file_bytes=65536).articles.created) == BEFORE
    expected = {f"a{n:05d}": [1] for n in range(BEFORE)}
    killed_mid_write = left = 0
    for round_no in range(crash.ROUNDS):
        seed = random.randrange(1 << 30)
        rng = random.Random(seed)
        mode = "write" if round_no % 2 == 0 else "anytime"
        at = rng.randrange(1, FILES + 1) if mode == "write" else rng.uniform(0.5, 8.0)
        crash.write_articles(root, FILES, f"Refunds take {round_no + 5} business days")
        engine.dispose()
        code = crash.run_child(CHILD, settings.database_url, str(root), str(settings.data_dir),
                         mode, str(at), cwd=tmp_path)  # fmt: skip
        stored = crash.versions_by_article(db)
        done = {a: [*v, len(v) + 1] for a, v in expected.items()}
        done |= {f"a{n:05d}": [1] for n in range(len(expected), FILES)}
        # All or nothing: the store holds the import entirely, or not at all.
        assert stored in (expected, done), f"round {round_no} (seed {seed}, {mode} {at})"
        killed_mid_write += code != 0 and stored == expected
        left += bool(crash.temporaries(settings))
        report = import_content(engine, [root], max_file_bytes=65536)
        assert report.invalid == []
        assert crash.versions_by_article(db) == done
        expected = done
        crash.assert_index_recovers(settings, engine, FILES)
    assert killed_mid_write >= (crash.ROUNDS + 1) // 2  # at least every "write" round
    engine.dispose()
    print(f"{crash.ROUNDS} rounds, {killed_mid_write} killed before the commit, {left} temporaries")
