"""Shared CLI wiring the other modules do not hold: file errors as one line, SIGTERM as Ctrl-C,
and who the CLI records as acting. It also re-exports the shared wiring of :mod:`.output`,
:mod:`.options`, :mod:`.config`, :mod:`.store` and :mod:`.after_write`, for code that imports it
from here (``common.engine``): each module's ``__all__``."""

from __future__ import annotations

import getpass
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from knowledge_service.cli.after_write import *  # noqa: F403
from knowledge_service.cli.config import *  # noqa: F403
from knowledge_service.cli.options import *  # noqa: F403
from knowledge_service.cli.output import *  # noqa: F403
from knowledge_service.cli.output import fail
from knowledge_service.cli.store import *  # noqa: F403


@contextmanager
def file_errors(path: Path, doing: str) -> Iterator[None]:
    """Turn a file system error of the block into one line naming the user's ``path`` and what
    could not be done (``doing``: "write"), exit 2; never a traceback naming an inner file."""
    try:
        yield
    except OSError as exc:
        raise fail(f"cannot {doing} {path}: {_inner(path, exc)}{exc.strerror or exc}") from None


def _inner(path: Path, exc: OSError) -> str:
    """``PATH: `` for the file or folder under ``path`` that the error is about (a file named
    ``content`` where an export makes ``content/billing``), else nothing: the error names the
    user's path, and an export's temporary folder beside it is no place to look."""
    if not isinstance(exc.filename, str):
        return ""
    inner, where = Path(exc.filename).absolute(), path.absolute()
    return f"{path / inner.relative_to(where)}: " if where in inner.parents else ""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM (a service manager's or ``kill``'s stop) stops the command as
    Ctrl-C does, by raising KeyboardInterrupt, so its clean-up runs; outside the main thread,
    where no signal handler can be set, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def local_operator() -> str:
    """Who the CLI records as acting on the machine itself (the audit log's actor, an import's
    or a step's author when none is given): the OS user, the same for every command, so
    ``audit --actor USER`` finds key changes, imports and workflow steps alike; ``unknown``
    where the system names no user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
