"""Importing a content tree into the versioned store in one transaction.

Unchanged files make no version, changed files make the next version, and a document whose
file disappeared from an imported root is retired as a new version; nothing is deleted. An
import never overwrites an edit made through the API after the file was last imported or
exported (:mod:`~knowledge_service.content.sync_marks`): it reports a conflict. All writes of
one import share one transaction, so a crash leaves the previous state intact.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from knowledge_service.content.kinds import ARTICLE, POLICY
from knowledge_service.content.loader import (
    FileScan,
    InvalidFile,
    LoadedContent,
    display_path,
    load_content,
)
from knowledge_service.content.models import SyncMark
from knowledge_service.content.sync_marks import (
    CurrentState,
    FileDecision,
    current_states,
    decide,
    load_marks,
    may_retire,
    relative_path,
    set_mark,
)
from knowledge_service.content.versions import Outcome, VersionWriter
from knowledge_service.content.write_lock import with_write_retries
from knowledge_service.db import session_scope

ImportProgress = Callable[[str, int, int], None]
"""``progress(phase, done, total)`` with phase ``"read"`` (files) or ``"write"`` (documents)."""

AuthorOf = Callable[[str], str]
"""``author_of(path)``: who wrote a file (asked only for files that make a new version)."""

_FLUSH_EVERY = 100
_AUTHOR_LOOKUPS = 4
"""Authors looked up at once before an import (each a short ``git log`` process)."""


class KindReport(BaseModel):
    """What an import did to one kind of document (ids, sorted).

    ``kept``: the file is as it was last imported or exported but the store has a newer version
    (made through the API): the store is kept. ``conflicted``: both changed: nothing written.
    """

    created: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    retired: list[str] = Field(default_factory=list)
    kept: list[str] = Field(default_factory=list)
    conflicted: list[str] = Field(default_factory=list)

    def add(self, outcome: Outcome, doc_id: str) -> None:
        getattr(self, outcome.value).append(doc_id)

    @property
    def changed(self) -> list[str]:
        return sorted({*self.created, *self.updated, *self.retired})


class ImportConflict(BaseModel):
    """A document the import left as it is: its file and the store both changed since the
    file was last imported or exported."""

    kind: str
    id: str
    path: str | None
    message: str


class ImportReport(BaseModel):
    """The result of one import; ``changed_*_ids`` drive incremental indexing and checks, and
    ``scan`` (the folders read, their bad files and the ids read from good ones) the check of
    the ``invalid`` findings."""

    articles: KindReport = Field(default_factory=KindReport)
    policies: KindReport = Field(default_factory=KindReport)
    invalid: list[InvalidFile] = Field(default_factory=list)
    scan: FileScan = Field(default_factory=FileScan)
    conflicts: list[ImportConflict] = Field(default_factory=list)
    changed_article_ids: list[str] = Field(default_factory=list)
    changed_policy_ids: list[str] = Field(default_factory=list)

    @property
    def has_invalid(self) -> bool:
        return bool(self.invalid)

    @property
    def has_conflicts(self) -> bool:
        return bool(self.conflicts)


@dataclass
class _Batch:
    """One kind's part of an import: its writer, loaded documents, report and sync state."""

    writer: VersionWriter[Any, Any, Any]
    docs: Sequence[Any]
    report: KindReport
    states: dict[str, CurrentState]
    marks: dict[str, SyncMark]

    def mark(self, doc_id: str, file_hash: str, version: int, rel: str | None = None) -> None:
        set_mark(
            self.writer.session, self.writer.kind, doc_id, file_hash=file_hash, version=version,
            relative_path=rel, marks=self.marks,
        )  # fmt: skip


def _conflict(
    batch: _Batch, doc_id: str, path: str | None, what: str, *, imported_from: str | None = None
) -> ImportConflict:
    """``imported_from``: where the document was last imported from, when that is another
    file than ``path`` (a file of the same id in another folder, which no import read)."""
    current = batch.states[doc_id]
    batch.report.conflicted.append(doc_id)
    kind = batch.writer.kind.name
    stored = f"version {current.version} by {current.author}, source {current.source}"
    if imported_from is None:
        said = (
            f"{what}, but {kind} '{doc_id}' changed in the store since the file was last "
            f"imported or exported ({stored}); left as it is: export it, merge, then import"
        )
    else:
        said = (
            f"this file holds {kind} '{doc_id}', which changed in the store since it was last "
            f"imported from {imported_from} or exported ({stored}), and this file is not that "
            f"file; left as it is: export it, merge, then import (or import the {kind}'s own "
            "file)"
        )
    return ImportConflict(kind=kind, id=doc_id, path=path, message=f"{path or kind}: {said}")


def _imported_elsewhere(batch: _Batch, doc_id: str, path: str) -> str | None:
    """Where ``doc_id`` was last imported from (shown as users see paths), when an import read
    it from another file than ``path``; None when from this file, or never from a file."""
    row = batch.writer.row(doc_id)
    stored = row.source_path if row is not None else None
    if not stored or stored == path:
        return None
    return display_path(Path(stored)) if Path(stored).is_absolute() else stored


def stored_location(source_path: str | None, roots: Sequence[Path]) -> Path | None:
    """Where a stored source path points: the path itself when absolute (what imports record).

    Earlier builds (release 0.1.0) recorded paths relative to the folder the import ran in
    (``content/billing/a.md``); such a path is resolved against the imported root whose last
    folders it starts with (``/kb/content``), and is None (out of scope) when none does.
    """
    if not source_path:
        return None
    path = Path(source_path)
    if path.is_absolute():
        return path
    for root in roots:
        for depth in range(len(root.parts) - 1, 0, -1):  # the longest match first
            if path.parts[:depth] == root.parts[-depth:]:
                return root.joinpath(*path.parts[depth:])
    return None


def _in_scope(where: Path | None, roots: Sequence[Path]) -> bool:
    """Whether a stored file's location lies under (or is) one of the imported roots."""
    return where is not None and any(where.is_relative_to(root) for root in roots)


def _retire_missing(
    batch: _Batch, keep_paths: set[Path], roots: Sequence[Path], actor: str
) -> list[ImportConflict]:
    """Retire every in-scope document that is neither seen again nor blocked by an invalid
    file (``keep_paths``: their absolute paths), unless the store changed since its file was
    last synced (a conflict)."""
    writer, conflicts = batch.writer, []
    seen = {doc.id for doc in batch.docs}
    for row in writer.repository.list_rows():
        where = stored_location(row.source_path, roots)
        if row.id in seen or where in keep_paths or not _in_scope(where, roots):
            continue
        state, current = batch.states.get(row.id), writer.repository.get_version(row.id)
        if state is None or current is None:
            continue
        if state.status != str(writer.kind.retired) and not may_retire(
            state, batch.marks.get(row.id)
        ):
            shown = display_path(where) if where is not None else row.source_path
            conflicts.append(_conflict(batch, row.id, shown, "its file is gone"))
            continue
        source = row.source_path or "import"
        version = writer.set_status(current, writer.kind.retired, actor=actor, source=source)
        if version is not None:
            batch.report.retired.append(row.id)
            batch.mark(row.id, "", version.version)
    return conflicts


def _write_one(
    batch: _Batch, doc: Any, loaded: LoadedContent, roots: Sequence[Path], author_of: AuthorOf
) -> ImportConflict | None:
    """Write one loaded document as its sync state allows (see ``sync_marks.decide``)."""
    path = doc.source_path or ""
    digest, current = loaded.hashes[path], batch.states.get(doc.id)
    mark = batch.marks.get(doc.id)
    here = None
    if current is not None and mark is not None and digest != mark.file_hash:
        here = _imported_from(batch, doc.id, path)  # only for a file that changed: few
    decision = decide(digest, doc.status.value, current, mark, here)
    rel = relative_path(path, roots)
    if decision is FileDecision.CONFLICT:
        elsewhere = _imported_elsewhere(batch, doc.id, path)
        shown = display_path(Path(path))
        return _conflict(batch, doc.id, shown, "the file changed", imported_from=elsewhere)
    if decision in (FileDecision.KEEP, FileDecision.SAME):
        _follow_file(batch, doc.id, path)
    if decision is FileDecision.KEEP:
        batch.report.kept.append(doc.id)
        return None
    if decision is FileDecision.SAME:
        assert current is not None
        batch.report.unchanged.append(doc.id)
        batch.mark(doc.id, digest, current.version, rel)
        return None
    author = author_of(path) if _is_new(doc, loaded, batch.states) else "import"
    outcome, version = batch.writer.write(
        doc, loaded.raw[path], digest, author=author, source=path, source_path=path
    )
    batch.report.add(outcome, doc.id)
    number = version.version if version is not None else current.version if current else 1
    batch.mark(doc.id, digest, number, rel)
    return None


def _imported_from(batch: _Batch, doc_id: str, path: str) -> tuple[int, str] | None:
    """The newest version an import read from ``path`` for ``doc_id``, and its hash."""
    kind = batch.writer.kind
    model = kind.version_model
    query = (
        select(col(model.version), col(model.content_hash))
        .where(kind.doc_id_column == doc_id, col(model.source) == path)
        .order_by(col(model.version).desc())
        .limit(1)
    )
    found = batch.writer.session.exec(query).first()
    return (int(found[0]), str(found[1])) if found is not None else None


def _follow_file(batch: _Batch, doc_id: str, path: str) -> None:
    """Record where a document's file is now when no version is written (a moved file, or a
    path stored relative by an earlier release)."""
    row = batch.writer.row(doc_id)
    if row is not None and row.source_path != path:
        row.source_path = path
        batch.writer.session.add(row)


def _write_loaded(
    batches: Sequence[_Batch],
    loaded: LoadedContent,
    roots: Sequence[Path],
    author_of: AuthorOf,
    progress: ImportProgress | None,
) -> list[ImportConflict]:
    """Write every loaded document; flush (and report progress) every few documents."""
    total = sum(len(batch.docs) for batch in batches)
    done, conflicts = 0, []
    for batch in batches:
        for doc in batch.docs:
            conflict = _write_one(batch, doc, loaded, roots, author_of)
            if conflict is not None:
                conflicts.append(conflict)
            done += 1
            if done % _FLUSH_EVERY == 0 or done == total:
                batch.writer.link_pending()
                if progress is not None:
                    progress("write", done, total)
        batch.writer.link_pending()
    return conflicts


def import_content(
    engine: Engine,
    paths: Sequence[Path],
    *,
    max_file_bytes: int,
    actor: str = "import",
    author_of: AuthorOf | None = None,
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Import the Markdown files under ``paths`` into the versioned store.

    An unchanged file makes no version; a changed one makes the next version; an article or
    policy whose stored file lies under one of ``paths`` but was not found again is retired as a
    new version. A file that is invalid now never retires what it held before. An edit made in
    the store (through the API) after a file was last imported or exported is never overwritten:
    if the file changed too, the document is reported as a conflict and left as it is (see
    :mod:`~knowledge_service.content.sync_marks`). All writes share one transaction.

    Args:
        engine: the store.
        paths: content folders or single files.
        max_file_bytes: larger files are reported invalid.
        actor: the actor of retirements, and the author of new versions without ``author_of``.
        author_of: who wrote each file that makes a new version (its path given).
        progress: see :data:`ImportProgress`.

    Returns:
        Per kind the created, updated, unchanged, retired, kept and conflicted ids, the invalid
        files, the conflicts, the ids whose current version changed, and the scan of the
        folders for the governance check (:class:`~knowledge_service.content.loader.FileScan`).
    """
    on_read = (lambda done, total: progress("read", done, total)) if progress else None
    loaded = load_content(paths, max_file_bytes=max_file_bytes, progress=on_read)
    roots = [Path(os.path.abspath(p)).resolve() for p in paths]
    authors = (
        _authors_beforehand(engine, loaded, author_of)
        if author_of is not None
        else (lambda _path: actor)
    )

    def write() -> ImportReport:
        report = ImportReport(invalid=loaded.invalid)
        with session_scope(engine) as session:
            batches = [
                _batch(session, ARTICLE, loaded.articles, report.articles),
                _batch(session, POLICY, loaded.policies, report.policies),
            ]
            report.conflicts = _write_loaded(batches, loaded, roots, authors, progress)
            invalid_paths = {Path(os.path.abspath(f.path)) for f in loaded.invalid}
            for batch in batches:
                report.conflicts += _retire_missing(batch, invalid_paths, roots, actor)
                batch.writer.link_pending()
        return report

    report = with_write_retries(write, "import")
    for part in (report.articles, report.policies):
        for ids in (part.created, part.updated, part.unchanged, part.retired, part.kept):
            ids.sort()
        part.conflicted.sort()
    report.changed_article_ids = report.articles.changed
    report.changed_policy_ids = report.policies.changed
    report.scan = FileScan(
        roots=[root.as_posix() for root in roots],
        invalid=loaded.invalid,
        article_ids=[doc.id for doc in loaded.articles],
        policy_ids=[doc.id for doc in loaded.policies],
    )
    return report


def _is_new(doc: Any, loaded: LoadedContent, states: dict[str, CurrentState]) -> bool:
    """Whether the file of ``doc`` would make a new version of it (its text or status changed)."""
    current = states.get(doc.id)
    digest = loaded.hashes[doc.source_path or ""]
    return current is None or (digest, doc.status.value) != (current.content_hash, current.status)


def _authors_beforehand(engine: Engine, loaded: LoadedContent, author_of: AuthorOf) -> AuthorOf:
    """Ask ``author_of`` (a ``git log`` per file) before the write transaction, for every file
    that looks like it makes a new version, a few at a time: asked inside it, the lookups held
    the store's write lock (seconds per hundred files). A file the write finds new that was not
    asked here (the store changed meanwhile) is asked then."""
    paths: list[str] = []
    with session_scope(engine) as session:
        for kind, docs in ((ARTICLE, loaded.articles), (POLICY, loaded.policies)):
            states = current_states(session, kind)
            paths += [doc.source_path or "" for doc in docs if _is_new(doc, loaded, states)]
    with ThreadPoolExecutor(max_workers=_AUTHOR_LOOKUPS) as pool:
        known = dict(zip(paths, pool.map(author_of, paths), strict=True))
    return lambda path: known[path] if path in known else author_of(path)


def _batch(session: Session, kind: Any, docs: Sequence[Any], report: KindReport) -> _Batch:
    writer = VersionWriter(session, kind)
    writer.preload()
    return _Batch(writer, docs, report, current_states(session, kind), load_marks(session, kind))
