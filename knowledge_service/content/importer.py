"""Importing a content tree into the versioned store in one transaction.

Unchanged files make no version, changed files make the next version, and a document whose
file disappeared from an imported root is retired as a new version; nothing is deleted. All
writes of one import share one transaction, so a crash leaves the previous state intact.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from knowledge_service.content.kinds import ARTICLE, POLICY
from knowledge_service.content.loader import InvalidFile, LoadedContent, load_content
from knowledge_service.content.versions import Outcome, VersionWriter
from knowledge_service.db import session_scope

ImportProgress = Callable[[str, int, int], None]
"""``progress(phase, done, total)`` with phase ``"read"`` (files) or ``"write"`` (documents)."""

_FLUSH_EVERY = 100


class KindReport(BaseModel):
    """What an import did to one kind of document (ids, sorted)."""

    created: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    retired: list[str] = Field(default_factory=list)

    def add(self, outcome: Outcome, doc_id: str) -> None:
        getattr(self, outcome.value).append(doc_id)

    @property
    def changed(self) -> list[str]:
        return sorted({*self.created, *self.updated, *self.retired})


class ImportReport(BaseModel):
    """The result of one import; ``changed_*_ids`` drive incremental indexing and checks."""

    articles: KindReport = Field(default_factory=KindReport)
    policies: KindReport = Field(default_factory=KindReport)
    invalid: list[InvalidFile] = Field(default_factory=list)
    changed_article_ids: list[str] = Field(default_factory=list)
    changed_policy_ids: list[str] = Field(default_factory=list)

    @property
    def has_invalid(self) -> bool:
        return bool(self.invalid)


def _in_scope(source_path: str | None, roots: Sequence[Path]) -> bool:
    """Whether a stored source path lies under (or is) one of the imported roots."""
    if source_path is None:
        return False
    where = Path(os.path.abspath(source_path))
    return any(where == root or where.is_relative_to(root) for root in roots)


def _retire_missing(
    writer: VersionWriter[Any, Any, Any],
    keep: set[str],
    keep_paths: set[str],
    roots: Sequence[Path],
    actor: str,
) -> list[str]:
    """Retire every in-scope document that is neither seen again nor blocked by an invalid
    file."""
    retired = []
    for row in writer.repository.list_rows():
        if row.id in keep or row.source_path in keep_paths:
            continue
        if not _in_scope(row.source_path, roots):
            continue
        current = writer.repository.get_version(row.id)
        source = row.source_path or "import"
        if current is not None and writer.set_status(
            current, writer.kind.retired, actor=actor, source=source
        ):
            retired.append(row.id)
    return retired


def _write_loaded(
    batches: Sequence[tuple[VersionWriter[Any, Any, Any], Sequence[Any], KindReport]],
    loaded: LoadedContent,
    actor: str,
    progress: ImportProgress | None,
) -> None:
    """Write every loaded document; flush (and report progress) every few documents."""
    total = sum(len(docs) for _, docs, _ in batches)
    done = 0
    for writer, docs, report in batches:
        for doc in docs:
            path = doc.source_path or ""
            outcome, _ = writer.write(
                doc, loaded.raw[path], loaded.hashes[path], author=actor, source=path,
                source_path=path,
            )  # fmt: skip
            report.add(outcome, doc.id)
            done += 1
            if done % _FLUSH_EVERY == 0 or done == total:
                writer.link_pending()
                if progress is not None:
                    progress("write", done, total)
        writer.link_pending()


def import_content(
    engine: Engine,
    paths: Sequence[Path],
    *,
    max_file_bytes: int,
    actor: str = "import",
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Import the Markdown files under ``paths`` into the versioned store.

    An unchanged file makes no version; a changed one makes the next version; an article or
    policy whose stored file lies under one of ``paths`` but was not found again is retired as a
    new version. A file that is invalid now never retires what it held before. All writes share
    one transaction.

    Args:
        engine: the store.
        paths: content folders or single files.
        max_file_bytes: larger files are reported invalid.
        actor: recorded as author of the versions and actor of the audit events.
        progress: see :data:`ImportProgress`.

    Returns:
        Per kind the created, updated, unchanged and retired ids, the invalid files and the
        ids whose current version changed.
    """
    on_read = (lambda done, total: progress("read", done, total)) if progress else None
    loaded = load_content(paths, max_file_bytes=max_file_bytes, progress=on_read)
    report = ImportReport(invalid=loaded.invalid)
    roots = [Path(os.path.abspath(p)).resolve() for p in paths]
    with session_scope(engine) as session:
        writers = (VersionWriter(session, ARTICLE), VersionWriter(session, POLICY))
        for writer in writers:
            writer.preload()
        batches = (
            (writers[0], loaded.articles, report.articles),
            (writers[1], loaded.policies, report.policies),
        )
        _write_loaded(batches, loaded, actor, progress)
        invalid_paths = {f.path for f in loaded.invalid}
        for writer, docs, part in batches:
            seen = {doc.id for doc in docs}
            part.retired = _retire_missing(writer, seen, invalid_paths, roots, actor)
            writer.link_pending()
    for part in (report.articles, report.policies):
        for ids in (part.created, part.updated, part.unchanged, part.retired):
            ids.sort()
    report.changed_article_ids = report.articles.changed
    report.changed_policy_ids = report.policies.changed
    return report
