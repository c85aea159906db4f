"""Files and the API together: what each document's file last agreed with, and what an import
may therefore do with a file.

An import records, per document, the hash of the file it read and the version that left current
(an export does the same for the file it writes). The next import of that document's file then
decides with :func:`decide`: a file that changed since is written as a new version only while
the store still holds what that import (or export) left; if something else (an edit through the
API) made a newer version meanwhile, the document is a conflict and stays as it is. A file that
did not change while the store moved on is stale: the store is kept (export refreshes the file).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from knowledge_service.content.kinds import DocumentKind
from knowledge_service.content.models import SyncMark, utcnow

ROOT_FOLDERS = ("content", "policies")


class FileDecision(StrEnum):
    """What an import does with one document's file."""

    WRITE = "write"
    """Hand it to the version writer (a new version if it differs, else nothing)."""
    SAME = "same"
    """The file and the store are both as the last import or export left them."""
    KEEP = "keep"
    """The file is as last synced but the store moved on: keep the store's newer version."""
    CONFLICT = "conflict"
    """Both changed since the last sync: report it and leave the document as it is."""


@dataclass(frozen=True, slots=True)
class CurrentState:
    """A document's current version as the import compares it."""

    version: int
    content_hash: str
    status: str
    source: str
    author: str


def made_by_import(source: str) -> bool:
    """Whether a version came from a file (an import records the file's path as its source)."""
    return source.endswith(".md")


def decide(
    file_hash: str,
    file_status: str,
    current: CurrentState | None,
    mark: SyncMark | None,
    imported_here: tuple[int, str] | None = None,
) -> FileDecision:
    """What to do with a file whose text hashes to ``file_hash`` and gives ``file_status``
    (see the module docstring).

    Without a mark (a store from before marks, or a document first made through the API), the
    current version counts as the last sync when an import made it.

    ``imported_here``: the newest version an import read from this file's path, and its hash.
    The mark is the document's, not the path's: an export into another folder (for a review,
    a backup) moves it to the exported file. A file that still holds what this path gave
    before that is unchanged, not edited: the store's newer version is kept (it was written
    back over an API edit, a verify's review dates included).
    """
    if current is None or (file_hash, file_status) == (current.content_hash, current.status):
        return FileDecision.WRITE
    if mark is None:
        return FileDecision.WRITE if made_by_import(current.source) else FileDecision.CONFLICT
    store_moved = current.version != mark.version
    if file_hash == mark.file_hash:
        return FileDecision.KEEP if store_moved else FileDecision.SAME
    if (
        imported_here is not None
        and imported_here[1] == file_hash
        and imported_here[0] < mark.version  # the mark is another file's, newer than this one
    ):
        return FileDecision.KEEP
    return FileDecision.CONFLICT if store_moved else FileDecision.WRITE


def may_retire(current: CurrentState, mark: SyncMark | None) -> bool:
    """Whether an import may retire a document whose file is gone: only while the store holds
    what the last sync left (never over an edit made through the API since)."""
    if mark is None:
        return made_by_import(current.source)
    return current.version == mark.version


def current_states(session: Session, kind: DocumentKind[Any, Any, Any]) -> dict[str, CurrentState]:
    """Every document's current version number, hash, status and source (one narrow query)."""
    model, rows = kind.version_model, kind.row_model
    doc_id = kind.doc_id_column
    on_current = and_(col(rows.id) == doc_id, col(rows.current_version) == col(model.version))
    status = getattr(model, "status")  # noqa: B009 (each kind has its own enum)
    query = sa_select(
        doc_id, col(model.version), col(model.content_hash), status, col(model.source),
        col(model.author),
    ).join(rows, on_current)  # fmt: skip
    return {
        found: CurrentState(version, digest, str(state), source, author)
        for found, version, digest, state, source, author in session.connection().execute(query)
    }


def load_marks(session: Session, kind: DocumentKind[Any, Any, Any]) -> dict[str, SyncMark]:
    rows = session.exec(select(SyncMark).where(SyncMark.kind == kind.name)).all()
    return {row.doc_id: row for row in rows}


@dataclass(frozen=True, slots=True)
class SyncedFile:
    """A document's file as the last import or export left it: its path under its content
    root (None when not recorded) and the store version whose text it holds."""

    relative_path: str | None
    version: int


def synced_files(
    session: Session, ids: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], SyncedFile]:
    """The file of each (kind name, document id) that an import or export recorded: where it
    lies under its content root and which version's text it holds. A version written since
    (an edit or a workflow step through the API, the CLI or the pages) is in no file."""
    found: dict[tuple[str, str], SyncedFile] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 200):
        chunk = wanted[start : start + 200]
        pairs = [
            and_(col(SyncMark.kind) == kind, col(SyncMark.doc_id) == doc_id)
            for kind, doc_id in chunk
        ]
        query = select(SyncMark).where(or_(*pairs))
        found.update(
            {
                (m.kind, m.doc_id): SyncedFile(m.relative_path, m.version)
                for m in session.exec(query)
            }
        )
    return found


def set_mark(
    session: Session,
    kind: DocumentKind[Any, Any, Any],
    doc_id: str,
    *,
    file_hash: str,
    version: int,
    relative_path: str | None = None,
    marks: dict[str, SyncMark] | None = None,
) -> SyncMark:
    """Record what ``doc_id``'s file agrees with now (keeping a known relative path).

    ``marks``: the kind's marks already loaded (:func:`load_marks`), kept up to date; without
    it the mark is looked up.
    """
    mark = marks.get(doc_id) if marks is not None else session.get(SyncMark, (kind.name, doc_id))
    if mark is None:
        mark = SyncMark(kind=kind.name, doc_id=doc_id, file_hash=file_hash, version=version)
        if marks is not None:
            marks[doc_id] = mark
    mark.file_hash, mark.version, mark.synced_at = file_hash, version, utcnow()
    if relative_path is not None:
        mark.relative_path = relative_path
    session.add(mark)
    return mark


def _content_root(root: Path) -> Path:
    """The folder a file's path is kept under when ``root`` was imported: ``root``, or the
    nearest folder above it named ``content`` or ``policies`` (an import of
    ``content/billing`` keeps ``billing/bpay.md``, not ``bpay.md``, so that an export puts the
    file back where it was rather than beside a copy of it)."""
    if root.name in ROOT_FOLDERS:
        return root
    return next((up for up in root.parents if up.name in ROOT_FOLDERS), root)


def relative_path(source_path: str | None, roots: Sequence[Path] = ()) -> str | None:
    """A file's path under its content root (``billing/bpay.md``): relative to the imported root
    it lies under (or to the ``content`` or ``policies`` folder that root lies in), without a
    leading ``content/`` or ``policies/`` folder; None if unknown."""
    if not source_path:
        return None
    # A relative path (stored by release 0.1.0) is relative to a folder unknown here, never to
    # the working directory: only its own folders say where its root was.
    where = Path(os.path.normpath(source_path))
    parts = where.parts
    for root in roots if where.is_absolute() else ():
        if where != root and where.is_relative_to(root):
            parts = where.relative_to(_content_root(root)).parts
            break
    else:
        folders = [i for i, part in enumerate(parts) if part in ROOT_FOLDERS]
        parts = parts[folders[-1] :] if folders else parts[-1:]
    if len(parts) > 1 and parts[0] in ROOT_FOLDERS:
        parts = parts[1:]
    return Path(*parts).as_posix() if parts else None
