"""A throwaway PostgreSQL cluster for the tests, and a fresh database per test.

``scripts/ensure_postgres.sh`` (run by ``make test``) installs the server; this module starts a
cluster of its own in a temporary folder (``initdb`` + ``pg_ctl``, listening on a unix socket
only, so it never takes a port) and stops and deletes it when the session ends. As root the
cluster runs as the ``postgres`` user (the server refuses to run as root).

``KS_TEST_POSTGRES_URL`` points the tests at an existing server instead (a superuser URL; each
test creates and drops its own database there).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

_names = itertools.count(1)
_servers: dict[str, tuple[Path, Path, str, Path]] = {}  # url: bin folder, data, options, log


def _bin_dir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if not candidates:
        raise AssertionError(
            "no PostgreSQL server found (initdb): run scripts/ensure_postgres.sh "
            "or set KS_TEST_POSTGRES_URL"
        )
    return Path(candidates[-1]).parent


def _version(path: str) -> int:
    return int(Path(path).parent.parent.name)


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(program: Path, *args: str, check: bool = True) -> None:
    done = subprocess.run(
        _as_server_user([str(program), *args]), capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{program.name} failed ({done.returncode}): {done.stderr.strip()}")


OWNER_FILE = "owner.pid"
"""In a cluster's folder: the id of the test process that started it."""


def _is_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, exited but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def sweep_orphaned_clusters(bin_dir: Path, parent: Path | None = None) -> int:
    """Stop and delete the clusters whose test process is gone (a run killed before its
    session ended, by ``timeout`` or Ctrl-C twice, leaves its server running); how many.
    Another live run's clusters are left alone."""
    swept = 0
    for root in Path(parent or tempfile.gettempdir()).glob("ks-pg-*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not one of ours, or still being made
        if _is_alive(owner):
            continue
        _run(bin_dir / "pg_ctl", "-D", str(root / "data"), "-m", "immediate", "-s", "stop",
             check=False)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
        swept += 1
    return swept


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster in a temporary folder; yield its superuser URL; stop and delete it. The
    clusters of killed earlier runs are swept first (:func:`sweep_orphaned_clusters`)."""
    if url := os.environ.get("KS_TEST_POSTGRES_URL"):
        yield url
        return
    bin_dir = _bin_dir()
    sweep_orphaned_clusters(bin_dir)
    root = Path(tempfile.mkdtemp(prefix="ks-pg-"))
    (root / OWNER_FILE).write_text(str(os.getpid()))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    _run(bin_dir / "initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--no-locale", "--no-sync")  # fmt: skip
    options = f"-c listen_addresses='' -k {sockets} -c fsync=off -c max_connections=200"
    _run(bin_dir / "pg_ctl", "-D", str(data), "-o", options, "-w", "-s",
         "-l", str(root / "server.log"), "start")  # fmt: skip
    url = f"postgresql+psycopg://postgres@/postgres?host={sockets}"
    _servers[url] = (bin_dir, data, options, root / "server.log")
    try:
        yield url
    finally:
        _servers.pop(url, None)
        _run(bin_dir / "pg_ctl", "-D", str(data), "-m", "immediate", "-s", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server; yield its URL; drop it (and its connections)."""
    name = f"ks_test_{os.getpid()}_{next(_names)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def stopped(server_url: str) -> Iterator[None]:
    """Stop the cluster of ``server_url`` (one :func:`cluster` started: its clients' connections
    are ended, new ones refused) for the block; start it again after."""
    bin_dir, data, options, log = _servers[server_url]
    _run(bin_dir / "pg_ctl", "-D", str(data), "-m", "fast", "-w", "-s", "stop")
    try:
        yield
    finally:
        _run(bin_dir / "pg_ctl", "-D", str(data), "-o", options, "-w", "-s",
             "-l", str(log), "start")  # fmt: skip
