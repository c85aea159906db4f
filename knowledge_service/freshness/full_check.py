"""A full governance check in a child process, so that a serving process never holds one.

A full check of a large store builds millions of small objects (facts, pairs, findings, the
documents of every served version). In the serving process most of them stayed: the check
modules' caches keyed by sentence text kept 3.8 million allocations referenced, and what was
freed CPython's allocator keeps in partly used arenas rather than giving it back, so a server
that ran its start-up check held about 500 MiB more for good at 10,000 articles
(``scripts/bench_serve.py --check-memory`` measures it). :func:`run_full_check` runs the
check in a fresh interpreter (``python -c``, running this module's :func:`main`) that loads the
configured model, opens the store and the embedding cache, runs
:func:`~knowledge_service.freshness.store.check_store` and ends: the memory goes with it.

The check is the same one: the same store, settings, day, model (the child refuses to check
with a model other than the one the server serves) and embedding cache, and it writes its
findings in one transaction, so a child that fails or is stopped half-way writes nothing. Its
error comes back as a :class:`FullCheckFailed` carrying the child's traceback; the caller
decides whether to retry (the store follower retries on its next look).

Protocol: the parent writes a pickled :class:`_Job` to the child's stdin; the child writes a
pickled ``("ok", CheckSummary)`` or ``("error", traceback text)`` to the file descriptor named
on its command line, and exits. Both ends are this package's own code (pickle is not read
from anyone else).
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from knowledge_service.freshness.schemas import CheckSummary
from knowledge_service.settings import Settings

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How often the parent looks at its stop event, and the child at its parent, while checking."""


class FullCheckFailed(RuntimeError):
    """The child process's check failed (its traceback is in the message) or it died."""


class FullCheckStopped(RuntimeError):
    """The check was stopped (the server is shutting down): the child was ended."""


@dataclass(frozen=True, slots=True)
class _Job:
    settings: Settings
    today: date
    model_name: str


def run_full_check(
    settings: Settings,
    *,
    today: date,
    model_name: str,
    stop: threading.Event | None = None,
) -> CheckSummary:
    """Check the whole store in a child process and sync its findings table.

    Args:
        settings: The store, data folder, model and thresholds (as the server has them).
        today: The day review dates are compared with.
        model_name: The model the server serves (``embedder.model_name``); the child checks
            with the same one or fails.
        stop: Set to end the child early (its transaction is rolled back).

    Returns:
        The check's summary (the findings are in the store).

    Raises:
        FullCheckFailed: the check failed in the child, or the child died without a result.
        FullCheckStopped: ``stop`` was set before the check ended.
    """
    job = pickle.dumps(_Job(settings, today, model_name))
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen(
            _child_command(write_end), stdin=subprocess.PIPE, pass_fds=(write_end,)
        )
    finally:
        os.close(write_end)
    logger.info("full governance check started in process %d", child.pid)
    try:
        assert child.stdin is not None
        try:
            with child.stdin:
                child.stdin.write(job)
        except BrokenPipeError:  # it ended before reading: its exit code tells
            pass
        reply = _read_reply(read_end, child, stop)
    except BaseException:
        child.kill()
        child.wait()
        raise
    finally:
        os.close(read_end)
    code = child.wait()
    return _outcome(reply, code, child.pid)


def _child_command(fd: int) -> list[str]:
    """This interpreter running :func:`main` of this very package (its folder first on the
    import path, whatever the working directory holds; the working directory itself is kept,
    as relative paths in the settings are relative to it)."""
    root = str(Path(__file__).resolve().parents[2])
    code = (
        f"import sys; sys.path.insert(0, {root!r}); "
        "from knowledge_service.freshness.full_check import main; sys.exit(main(sys.argv[1:]))"
    )
    return [sys.executable, "-c", code, str(fd)]


def _read_reply(fd: int, child: subprocess.Popen[bytes], stop: threading.Event | None) -> bytes:
    """Everything the child writes to ``fd`` until it closes it (it ends); FullCheckStopped
    (after ending the child) once ``stop`` is set."""
    chunks: list[bytes] = []
    while True:
        if stop is not None and stop.is_set():
            child.terminate()
            child.wait()
            raise FullCheckStopped(f"the full governance check (process {child.pid}) was stopped")
        ready, _, _ = select.select([fd], [], [], POLL_SECONDS)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _outcome(reply: bytes, code: int, pid: int) -> CheckSummary:
    try:
        status, value = pickle.loads(reply) if reply else ("died", None)
    except (pickle.UnpicklingError, EOFError, ValueError) as exc:
        raise FullCheckFailed(
            f"the full governance check (process {pid}, exit code {code}) sent an unreadable "
            f"result ({exc})"
        ) from None
    if status == "ok" and isinstance(value, CheckSummary):
        return value
    if status == "error":
        raise FullCheckFailed(
            f"the full governance check failed in process {pid} (nothing was written):\n{value}"
        )
    raise FullCheckFailed(
        f"the full governance check's process {pid} ended with exit code {code} before it "
        "finished (nothing was written)"
    )


def _check(job: _Job) -> CheckSummary:
    """The check itself (in the child): the configured model, the store's embedding cache."""
    from knowledge_service.freshness.store import check_store
    from knowledge_service.index.cache import open_embedding_cache
    from knowledge_service.index.embedder import create_embedder
    from knowledge_service.store import engine_for

    # the check encodes article texts only, never questions: no question encoder, and the
    # model is loaded only if a text is missing from the embedding cache
    embedder = create_embedder(job.settings, units_only=True)
    if embedder.model_name != job.model_name:
        raise FullCheckFailed(
            f"the check would use the model {embedder.model_name!r}, but the server serves "
            f"{job.model_name!r} (settings: embedding_model={job.settings.embedding_model!r})"
        )
    engine = engine_for(job.settings)
    try:
        cache = open_embedding_cache(engine, job.settings.index_dir)
        result = check_store(
            engine, today=job.today, embedder=embedder, cache=cache, settings=job.settings
        )
    finally:
        engine.dispose()
    return result.summary


def _end_with_parent(parent: int) -> None:
    """End this process when its parent has ended (a killed server leaves no check behind;
    the transaction is rolled back)."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(POLL_SECONDS)
        os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    """The child: read the job from stdin, check, write the outcome to descriptor ``argv[0]``."""
    _end_with_parent(os.getppid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's: it ends this child
    with os.fdopen(int(argv[0]), "wb") as out:
        try:
            job = pickle.loads(sys.stdin.buffer.read())
            reply: tuple[str, object] = ("ok", _check(job))
        except Exception:
            reply = ("error", traceback.format_exc())
        out.write(pickle.dumps(reply))
    return 0 if reply[0] == "ok" else 1
