"""Sweeping what a killed process left behind: partial index files and model exports; and
:func:`write_atomic`, which writes a file so that only such a temporary can be left.

The index bundle is written to a temporary file that is renamed over the old one, and a model
export is built in a temporary folder that is renamed into place; a process killed in between
leaves the temporary behind (a partial bundle, or an export folder of tens of megabytes). Their
names carry the writing process's id (``.search.bundle.<pid>.<random>``,
``.export-<pid>-<random>``), so a sweep removes only those whose process is gone, never a live
process's work in progress. A name without an id (written before ids were added) is removed once
it is older than :data:`STALE_SECONDS`.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from knowledge_service.settings import Settings

logger = logging.getLogger(__name__)

STALE_SECONDS = 3600.0
_PARTIAL_FILE = re.compile(r"^\.(?P<name>[^/]+?)\.(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}$")
_EXPORT_FOLDER = re.compile(r"^\.export-(?:(?P<pid>\d+)-)?[a-z0-9_]{8}$")


def models_dir(settings: Settings) -> Path:
    """Where exported models are cached."""
    return settings.data_dir / "models"


def temp_prefix(name: str) -> str:
    """The prefix of this process's temporary file for ``name`` (``.name.<pid>.``)."""
    return f".{name}.{os.getpid()}."


def export_prefix() -> str:
    """The prefix of this process's temporary model-export folder."""
    return f".export-{os.getpid()}-"


def is_alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def _is_stale(path: Path, pid: str | None, now: float) -> bool:
    if pid is not None:
        return not is_alive(int(pid))
    try:
        return now - path.stat().st_mtime > STALE_SECONDS
    except FileNotFoundError:
        return False


def sweep_leftovers(index_dir: Path, models_dir: Path) -> list[Path]:
    """Remove the temporaries of processes that are gone; the paths removed."""
    now, removed = time.time(), []
    candidates = [(index_dir, _PARTIAL_FILE), (models_dir, _EXPORT_FOLDER)]
    for folder, pattern in candidates:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = pattern.match(path.name)
            if match is None or not _is_stale(path, match["pid"], now):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        logger.info("removed %d leftover temporary file(s) of ended processes", len(removed))
    return removed


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a fsynced temp file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
