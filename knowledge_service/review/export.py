"""Export: the store's current knowledge written back as Markdown files, the reviewable form.

``export_knowledge(engine, DIR)`` writes each article's current version to
``DIR/content/<path>`` and each policy's to ``DIR/policies/<path>``, where ``<path>`` is the
file's original path under its root when known (else ``<id>.md``), and, once every file is in
place, records per document what the file now agrees with (``content.sync_marks``). Importing
an export therefore changes nothing, and a later import of a changed file is checked against it
(never overwriting an API edit). Every document is exported, drafts and retired ones too, so a
fresh store imports the same knowledge.

The files are written beside DIR first and put in place only when all are written
(``review.export_files``): an export that stops part-way leaves DIR, and the records, as they
were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service.content.kinds import ARTICLE, POLICY, DocumentKind
from knowledge_service.content.loader import content_hash
from knowledge_service.content.repository import DocumentRepository
from knowledge_service.content.sync_marks import load_marks, relative_path, set_mark
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidRequestError
from knowledge_service.review.export_files import staged_folder
from knowledge_service.review.queue_schemas import ExportReport

FOLDERS: tuple[tuple[DocumentKind[Any, Any, Any], str], ...] = (
    (ARTICLE, "content"),
    (POLICY, "policies"),
)
_FRONT_MATTER = re.compile(r"\A(---[ \t]*\n)(.*?\n)((?:---|\.\.\.)[ \t]*(?:\n|\Z))", re.S)
_STATUS_LINE = re.compile(r"^status[ \t]*:[^\n]*\n", re.M)


def file_text(raw: str, status: str, default_status: str) -> str:
    """The version's file: its stored text, with the front matter's ``status`` set to the
    version's status where a status change (retire, restore, publish) made the version."""
    match = _FRONT_MATTER.match(raw)
    if match is None:
        return raw
    meta = match.group(2)
    found = _STATUS_LINE.search(meta)
    said = found.group(0).split(":", 1)[1].strip().strip("'\"") if found else default_status
    if said == status:
        return raw
    line = f"status: {status}\n"
    meta = _STATUS_LINE.sub(line, meta, count=1) if found else meta + line
    return match.group(1) + meta + match.group(3) + raw[match.end() :]


def _target(root: Path, rel: str | None, doc_id: str, used: set[Path]) -> tuple[Path, str]:
    """Where a document goes under ``root``: its known relative path, else ``<id>.md``."""
    for candidate in (rel, f"{doc_id}.md"):
        if not candidate:
            continue
        path = (root / candidate).resolve()
        if path.is_relative_to(root.resolve()) and path not in used:
            used.add(path)
            return path, candidate
    raise InvalidRequestError("dir", f"two documents would be written to {doc_id}.md")


@dataclass(frozen=True, slots=True)
class _Written:
    """One exported file, for its mark once it is in place."""

    kind: DocumentKind[Any, Any, Any]
    doc_id: str
    file_hash: str
    version: int
    relative_path: str


def _export_kind(
    session: Session, kind: DocumentKind[Any, Any, Any], root: Path, report: list[str]
) -> list[_Written]:
    """Write ``kind``'s current versions under ``root``; what each file agrees with."""
    repository = DocumentRepository(session, kind)
    marks, used, written = load_marks(session, kind), set[Path](), list[_Written]()
    rows = {row.id: row for row in repository.list_rows()}
    default = kind.document_schema.model_fields["status"].default
    for version in repository.current():
        doc_id = version.doc_id
        mark = marks.get(doc_id)
        known = (mark.relative_path if mark else None) or relative_path(rows[doc_id].source_path)
        path, rel = _target(root, known, doc_id, used)
        text = file_text(version.raw, str(getattr(version, "status")), str(default))  # noqa: B009
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(_Written(kind, doc_id, content_hash(text), version.version, rel))
        report.append(rel)
    return written


def export_knowledge(engine: Engine, dest: Path) -> ExportReport:
    """Write every document's current version under ``dest`` (see the module docstring).

    The files are written beside ``dest`` and put in place only once all are written
    (:func:`~knowledge_service.review.export_files.staged_folder`); the marks are recorded only
    after that, so an export that stops part-way leaves ``dest`` and the marks as they were.

    Raises:
        InvalidRequestError: ``dest`` exists and is not a folder.
    """
    if dest.exists() and not dest.is_dir():
        raise InvalidRequestError("dir", f"{dest} exists and is not a folder")
    report, written = ExportReport(), list[_Written]()
    with session_scope(engine) as session:

        def record() -> None:  # once the files are in place
            marks = {kind.name: load_marks(session, kind) for kind, _ in FOLDERS}
            for file in written:
                set_mark(
                    session, file.kind, file.doc_id, file_hash=file.file_hash,
                    version=file.version, relative_path=file.relative_path,
                    marks=marks[file.kind.name],
                )  # fmt: skip
            session.commit()

        with staged_folder(dest, then=record) as files:
            for (kind, folder), paths in zip(
                FOLDERS, (report.articles, report.policies), strict=True
            ):
                written += _export_kind(session, kind, files / folder, paths)
    return report
