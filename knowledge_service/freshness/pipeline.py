"""After a write: the one verb that brings the search index and the findings level with the store.

Whatever changes the store (``knowledge-service import``, an edit through the API, a review
step) calls :func:`apply_changes` once its transaction has committed: the index takes in the new
versions, and the governance check re-examines what the change can affect (or everything, for a
full check). A running server's :class:`~knowledge_service.freshness.follower.StoreFollower`
calls it for writes made by other processes.

Usage::

    marks = read_marks(engine)
    ...  # write and commit
    apply_changes(engine, search, changes_since(engine, marks), settings=settings)

A command that may be stopped between its commit and the end of the pipeline (``import``: the
index and the check take most of its run) keeps the store's "checked through" watermark
(:class:`~knowledge_service.freshness.models.CheckMark`): it starts from :func:`unchecked_since`
(the older of the store's watermarks now and the last finished run's), and records
:func:`record_checked` with the watermarks read before its changes were listed, once the index
sync and the check have finished. A run that stopped leaves the mark behind, so the next run
checks what it left as well::

    since = unchecked_since(engine)
    ...  # write and commit
    through = read_marks(engine)
    apply_changes(engine, search, changes_since(engine, since), settings=settings)
    record_checked(engine, through)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from knowledge_service import clock
from knowledge_service.content import repository as content_repository
from knowledge_service.content.loader import FileScan
from knowledge_service.db import insert_ignoring_duplicates, session_scope, utcnow
from knowledge_service.freshness.models import CheckMark
from knowledge_service.freshness.schemas import CheckResult, FindingCounts
from knowledge_service.freshness.service import count_findings
from knowledge_service.freshness.store import check_store
from knowledge_service.index.schemas import IndexStatus
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings


@dataclass(frozen=True, slots=True)
class StoreMarks:
    """The store's watermarks: the last article and policy version written."""

    articles: int
    policies: int


@dataclass(frozen=True, slots=True)
class StoreChanges:
    """The articles and policies a write changed (any status: retired ones too)."""

    article_ids: frozenset[str] = frozenset()
    policy_ids: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.article_ids or self.policy_ids)


@dataclass(frozen=True, slots=True)
class AfterWrite:
    """What :func:`apply_changes` did.

    Attributes:
        index: Where the search index stands after its sync; None when it was not synced
            (:func:`check_files`: the store did not change).
        check: The findings about the articles it checked; None when it checked nothing.
        findings: The store's active findings afterwards; None when it checked nothing.
    """

    index: IndexStatus | None
    check: CheckResult | None
    findings: FindingCounts | None


def read_marks(engine: Engine) -> StoreMarks:
    """The store's watermarks now (take them before a write, see :func:`changes_since`)."""
    with session_scope(engine) as session:
        return StoreMarks(
            content_repository.article_watermark(session),
            content_repository.policy_watermark(session),
        )


def checked_mark(engine: Engine) -> StoreMarks | None:
    """The watermarks through which the store was last checked (index synced and findings
    current) by a finished after-write run; None for a store without the record."""
    with session_scope(engine) as session:
        row = session.get(CheckMark, 1)
        return None if row is None else StoreMarks(row.articles, row.policies)


def unchecked_since(engine: Engine) -> StoreMarks:
    """Where the changes of a write about to start begin: the store's watermarks now, or, if a
    run stopped before its check finished, those of the last finished run (what the stopped run
    wrote is then checked too). A store without the record gets it now, at its watermarks (what
    it holds is taken as checked, as it was before the record existed)."""
    now = read_marks(engine)
    checked = checked_mark(engine)
    if checked is None:
        _insert_mark(engine, now)
        checked = checked_mark(engine) or now
    return StoreMarks(min(now.articles, checked.articles), min(now.policies, checked.policies))


def record_checked(engine: Engine, through: StoreMarks) -> None:
    """Record that everything written up to ``through`` has been through a finished
    after-write run: call it once the index sync and the check of ``changes_since(since)``
    have finished, with the watermarks read before those changes were listed, ``since`` from
    :func:`unchecked_since` (or after a full check, with those read before it began). The
    record only moves forward."""
    checked = checked_mark(engine)
    if checked is None:
        _insert_mark(engine, through)
        return
    if checked.articles >= through.articles and checked.policies >= through.policies:
        return
    articles, policies = col(CheckMark.articles), col(CheckMark.policies)
    with session_scope(engine) as session:
        session.execute(  # a greater value another run recorded meanwhile is kept
            update(CheckMark)
            .where(col(CheckMark.id) == 1)
            .values(
                articles=case((articles < through.articles, through.articles), else_=articles),
                policies=case((policies < through.policies, through.policies), else_=policies),
                checked_at=utcnow(),
            )
        )


def _insert_mark(engine: Engine, marks: StoreMarks) -> None:
    """The record's row, unless another process wrote it first."""
    with session_scope(engine) as session:
        session.execute(
            insert_ignoring_duplicates(CheckMark, engine.dialect).values(
                id=1, articles=marks.articles, policies=marks.policies, checked_at=utcnow()
            )
        )


def changes_since(engine: Engine, marks: StoreMarks) -> StoreChanges:
    """The articles and policies with a version written after ``marks``."""
    with session_scope(engine) as session:
        articles, policies = content_repository.changed_since(
            session, marks.articles, marks.policies
        )
    return StoreChanges(frozenset(articles), frozenset(policies))


def apply_changes(
    engine: Engine,
    search: SearchService,
    changes: StoreChanges | None = None,
    *,
    settings: Settings,
    check: bool = True,
    today: date | None = None,
    invalid: FileScan | None = None,
) -> AfterWrite:
    """Sync the search index with the store, then re-check what ``changes`` can affect.

    Args:
        engine: The store (the write has committed).
        search: The opened search service; its embedder and cache serve the check too.
        changes: What the write changed; None checks the whole store (a full check).
        settings: Thresholds of the check.
        check: False only syncs the index (another process runs the check).
        today: The date review dates are compared with (default: :func:`clock.today`).
        invalid: What an import read: its bad files become ``invalid`` findings and those of
            its folders no longer bad resolve (see :func:`check_store`); the check then runs
            even when the store did not change. None (any other write) leaves them alone.

    Returns:
        The index status, and the check's result with the store's active findings.
    """
    index = search.sync()
    if not check or (changes is not None and not changes and invalid is None):
        return AfterWrite(index, None, None)
    result = check_store(
        engine,
        today=today or clock.today(settings),
        embedder=search.embedder,
        cache=search.cache,
        settings=settings,
        article_ids=None if changes is None else changes.article_ids,
        policy_ids=None if changes is None else changes.policy_ids,
        invalid=invalid,
    )
    return AfterWrite(index, result, _counts(engine))


def check_files(
    engine: Engine, invalid: FileScan, *, settings: Settings, today: date | None = None
) -> AfterWrite:
    """After an import that changed nothing in the store: bring its folders' ``invalid``
    findings level with the files (a file turned bad, or a bad one fixed without a new version
    or deleted). No article is examined, so the index is not synced and no model is needed."""
    result = check_store(
        engine,
        today=today or clock.today(settings),
        settings=settings,
        article_ids=(),
        policy_ids=(),
        invalid=invalid,
    )
    return AfterWrite(None, result, _counts(engine))


def _counts(engine: Engine) -> FindingCounts:
    with session_scope(engine) as session:
        return count_findings(session)
