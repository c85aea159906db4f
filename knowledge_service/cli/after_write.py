"""The embedding model and search service a command loads, and the after-write pipeline as
commands that change the store run it (sync the search index, check what changed)."""

from __future__ import annotations

from datetime import date

from knowledge_service.cli.config import require_data_dir, settings
from knowledge_service.cli.output import console, err_console, fail, phase_progress
from knowledge_service.cli.store import engine
from knowledge_service.content.loader import FileScan
from knowledge_service.db import session_scope
from knowledge_service.freshness import pipeline
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.pipeline import AfterWrite, StoreMarks
from knowledge_service.freshness.schemas import FindingCounts
from knowledge_service.index.embedder import (
    Embedder,
    ModelFolderError,
    check_model_folder,
    create_embedder,
)
from knowledge_service.index.locks import index_turn
from knowledge_service.index.service import SearchService

__all__ = [
    "after_write",
    "describe_counts",
    "load_embedder",
    "open_search_service",
    "print_finding_counts",
    "require_model_folder",
    "store_marks",
]


def require_model_folder(hint: str = "") -> None:
    """Exit 2 with one ``error:`` line when ``KS_EMBEDDING_MODEL`` names no model folder (a
    cheap look at the folder's top, before a command starts work that needs the model;
    ``hint`` is appended)."""
    require_data_dir()  # the model's exports and the index live there
    try:
        check_model_folder(settings().embedding_model)
    except ModelFolderError as exc:
        raise fail(f"could not load the embedding model ({exc}){hint}") from None


def load_embedder(threads: int | None = None, *, hint: str = "") -> Embedder:
    """The configured embedder (``KS_EMBEDDING_MODEL``).

    Raises:
        typer.Exit: (code 2) the embedding model could not be loaded: one ``error:`` line
            naming the setting and the path, never a traceback (``hint`` is appended).
    """
    require_data_dir()  # the model's exports and the index live there
    try:
        return create_embedder(settings(), threads=threads)
    except Exception as exc:  # a missing or broken model must not look like a check result
        raise fail(f"could not load the embedding model ({exc}){hint}") from None


def open_search_service() -> SearchService:
    """The search service over the store (the configured embedder), brought level with it.

    Raises:
        typer.Exit: (code 2) the embedding model could not be loaded.
    """
    embedder = load_embedder(settings().index.index_threads)
    service = SearchService(settings(), engine(), embedder)
    # never building it alongside a server's worker; a bar while units are embedded
    with index_turn(service.path), phase_progress() as update:
        service.open(lambda done, total: update("Embedding units", done, total))
    return service


def store_marks() -> StoreMarks:
    """Where this process's writes begin, for :func:`after_write`: the store's watermarks now,
    or those of the last finished after-write run if one stopped before its check finished (an
    interrupted ``import``: what it wrote is then checked too)."""
    return pipeline.unchecked_since(engine())


def after_write(
    since: StoreMarks | None, *, today: date | None = None, invalid: FileScan | None = None
) -> AfterWrite | None:
    """Run the after-write pipeline for this process's writes: sync the search index, then check
    what changed after ``since`` (None: the whole store). ``invalid``: what an import read, to
    keep its folders' ``invalid`` findings in step (checked even when nothing changed). None
    when nothing changed and nothing was checked. Once done, the store records that it was
    checked through the watermarks read before the changes were listed (a run stopped before
    then leaves that record behind, and the next one checks what it left)."""
    through = pipeline.read_marks(engine())
    changes = None if since is None else pipeline.changes_since(engine(), since)
    if changes is not None and not changes:
        done = None if invalid is None else pipeline.check_files(
            engine(), invalid, settings=settings(), today=today
        )  # fmt: skip
    else:
        search = open_search_service()  # with a progress bar when it embeds units
        with err_console.status("Syncing the search index and checking the findings..."):
            done = pipeline.apply_changes(
                engine(), search, changes, settings=settings(), today=today, invalid=invalid
            )
    pipeline.record_checked(engine(), through)
    return done


def print_finding_counts(done: AfterWrite | None) -> None:
    """One line: the store's open findings, how many block, how many are acknowledged."""
    counts = done.findings if done is not None else None
    if counts is None:
        with session_scope(engine()) as session:
            counts = freshness.count_findings(session)
    console.print(describe_counts(counts), highlight=False)


def describe_counts(counts: FindingCounts) -> str:
    return (
        f"Findings in the store: {counts.open} open and {counts.acknowledged} acknowledged, "
        f"{counts.blocking} of them blocking."
    )
