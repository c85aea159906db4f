"""The tests' own PostgreSQL clusters: one left by a killed run is stopped and deleted by the
next run, and a live run's is left alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import REPO_ROOT
from tests.postgres import _bin_dir, _is_alive, cluster, sweep_orphaned_clusters
from tests.server import wait_for

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("KS_TEST_POSTGRES_URL")),
    reason="KS_TEST_POSTGRES_URL: the tests start no cluster of their own to sweep",
)

_KILLED_RUN = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from tests.postgres import cluster
with cluster() as url:
    print(url, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # as timeout -s KILL or a second Ctrl-C would
"""


def _folder_of(url: str) -> Path:
    return Path(parse_qs(urlsplit(url).query)["host"][0]).parent


def _postmaster(folder: Path) -> int:
    return int((folder / "data" / "postmaster.pid").read_text().splitlines()[0])


@pytest.fixture
def private_tmp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary folder of the test's own for the clusters (the suite's other workers sweep
    the system's), that the server user can enter."""
    folder = Path(tempfile.mkdtemp(prefix="ks-sweep-"))
    folder.chmod(0o755)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    sweep_orphaned_clusters(_bin_dir(), folder)  # whatever a failed test left running
    shutil.rmtree(folder, ignore_errors=True)


def test_a_cluster_left_by_a_killed_run_is_swept_and_a_live_one_is_not(private_tmp: Path) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_RUN, str(REPO_ROOT)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "TMPDIR": str(private_tmp)},
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    orphan = _folder_of(killed.stdout.strip())
    assert orphan.parent == private_tmp
    server = _postmaster(orphan)
    assert _is_alive(server)  # what a killed run used to leave behind
    with cluster() as url:  # this process's own cluster (alive): sweeps the orphan first
        live = _folder_of(url)
        assert not orphan.exists()
        wait_for(lambda: not _is_alive(server), timeout=30)  # pg_ctl's stop has no lag bound
        assert sweep_orphaned_clusters(_bin_dir(), private_tmp) == 0  # a live run's stays
        assert live.exists() and _is_alive(_postmaster(live))
    assert not live.exists()
