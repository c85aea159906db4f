"""Appending immutable versions to the store, each with its audit event, in the caller's session.

One :class:`VersionWriter` per kind of document. A version is written only when something
changed: the content hash or the status differs from the current version. The identity rows
are pointers; after a flush :meth:`VersionWriter.link_pending` points them at the ``seq`` of
their new version. A caller that read a version before changing it passes that version number
as ``expected_version``: if the document moved on meanwhile the write raises
:class:`~knowledge_service.errors.VersionConflictError` instead of overwriting it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, NamedTuple

from sqlalchemy import update
from sqlmodel import Session, col, select

from knowledge_service.audit import record_event
from knowledge_service.content.kinds import DocT, Document, DocumentKind, RowT, VersionT
from knowledge_service.content.models import utcnow
from knowledge_service.content.repository import DocumentRepository
from knowledge_service.content.write_lock import lock_store_for_write
from knowledge_service.errors import VersionConflictError


class Outcome(StrEnum):
    """What writing one document did to the store."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RETIRED = "retired"


class AuditAction(StrEnum):
    """The audit log's word for a new version."""

    CREATED = "created"
    UPDATED = "updated"
    RETIRED = "retired"
    RESTORED = "restored"


class _Step(NamedTuple):
    """The next version of a document: what it does, its number, the status it replaces."""

    outcome: Outcome
    number: int
    previous_status: str | None


def _action(step: _Step, new: str, retired: str) -> AuditAction:
    if step.outcome is Outcome.UPDATED and step.previous_status != new:
        if new == retired:
            return AuditAction.RETIRED
        if step.previous_status == retired:
            return AuditAction.RESTORED
    return AuditAction(step.outcome.value)


class VersionWriter(Generic[RowT, VersionT, DocT]):
    """Writes one kind's versions plus their audit events into one session.

    Args:
        session: the transaction every write joins.
        kind: the kind of document written.
        states: ``id -> (content_hash, status)`` of the current versions, when the caller has
            them all (an import); by default each document's is read when first written.
    """

    def __init__(
        self,
        session: Session,
        kind: DocumentKind[RowT, VersionT, DocT],
        states: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        lock_store_for_write(session)  # before anything it changes is read
        self.session = session
        self.kind = kind
        self.repository = DocumentRepository(session, kind)
        self._states = states
        self._pending: list[tuple[RowT, VersionT]] = []
        self._rows: dict[str, RowT | None] = {}
        self._preloaded = False

    def preload(self) -> None:
        """Load every identity row and current state once (an import touches most of them)."""
        rows = self.session.exec(select(self.kind.row_model)).all()
        self._rows = {row.id: row for row in rows}
        self._states = self.repository.current_states()
        self._preloaded = True

    def row(self, doc_id: str) -> RowT | None:
        if doc_id not in self._rows and not self._preloaded:
            with self.session.no_autoflush:
                self._rows[doc_id] = self.repository.get(doc_id)
        return self._rows.get(doc_id)

    def _state(self, doc_id: str) -> tuple[str, str] | None:
        if self._states is not None:
            return self._states.get(doc_id)
        with self.session.no_autoflush:
            current = self.repository.get_version(doc_id)
        return None if current is None else (current.content_hash, str(getattr(current, "status")))  # noqa: B009

    def link_pending(self) -> None:
        """Flush, then point each changed row at the ``seq`` of its new version."""
        self.session.flush()
        for row, version in self._pending:
            assert version.seq is not None
            row.current_seq = version.seq
        self._pending.clear()

    def check_expected(self, doc_id: str, expected_version: int | None) -> None:
        """Raise :class:`VersionConflictError` unless ``expected_version`` (0: the document
        does not exist yet) is the current version; None checks nothing."""
        row = self.row(doc_id)
        current = row.current_version if row is not None else 0
        if expected_version is not None and expected_version != current:
            raise VersionConflictError(
                self.kind.name, doc_id, expected=expected_version, current=current
            )

    def hold(self, doc_id: str, expected_version: int) -> None:
        """Take the document's identity row for the rest of the transaction while it is still at
        ``expected_version``, for a step that writes no version (a submission, a rejection): a
        concurrent write waits, and one that committed first makes this raise
        :class:`VersionConflictError` instead of marking a version nobody asked about."""
        model = self.kind.row_model
        row_id, current = col(getattr(model, "id")), col(getattr(model, "current_version"))  # noqa: B009
        held = self.session.execute(  # a no-op update: it locks the row and rechecks the version
            update(model)
            .where(row_id == doc_id, current == expected_version)
            .values(current_version=expected_version)
            .execution_options(synchronize_session=False)
        )
        if held.rowcount != 1:  # type: ignore[attr-defined]
            found = self.session.execute(select(current).where(row_id == doc_id)).scalar()
            raise VersionConflictError(
                self.kind.name, doc_id, expected=expected_version, current=int(found or 0)
            )

    def write(
        self,
        doc: DocT,
        raw: str,
        digest: str,
        *,
        author: str,
        source: str,
        source_path: str | None,
        expected_version: int | None = None,
        reason: str | None = None,
        audit_action: str | None = None,
        audit_detail: dict[str, Any] | None = None,
    ) -> tuple[Outcome, VersionT | None]:
        """Append a version of ``doc`` unless the current version has the same hash and status
        (a moved file then only updates the row's ``source_path``). ``audit_action`` names the
        change in the audit log (a workflow step: ``approved``, ``verified``...) instead of the
        writer's own word for it; ``audit_detail`` adds to its event's detail (the workflow:
        the person holding the author's key)."""
        document: Document = doc  # type: ignore[assignment]
        self.check_expected(document.id, expected_version)
        row, status = self.row(document.id), document.status.value
        if row is not None and self._state(document.id) == (digest, status):
            if source_path is not None and row.source_path != source_path:
                row.source_path = source_path
            return Outcome.UNCHANGED, None
        if row is None:
            step = _Step(Outcome.CREATED, 1, None)
            row = self.kind.row_model(id=document.id, current_version=1, current_seq=0)
            self._rows[document.id] = row
        else:
            step = _Step(Outcome.UPDATED, row.current_version + 1, str(getattr(row, "status")))  # noqa: B009
        version = self.kind.new_version(
            doc, version=step.number, content_hash=digest, status=document.status,
            title=document.title, source=source, author=author,
            document=document.model_dump(mode="json"), raw=raw,
        )  # fmt: skip
        detail = {"content_hash": digest, "source": source, "status": status}
        detail.update(self.kind.audit_detail(doc))
        detail.update(audit_detail or {})
        action = audit_action or _action(step, status, self.kind.retired)
        self._record(row, version, step, source_path, (author, action), reason, detail)
        if self._states is not None:
            self._states[document.id] = (digest, status)
        return step.outcome, version

    def _record(
        self,
        row: RowT,
        version: VersionT,
        step: _Step,
        source_path: str | None,
        who: tuple[str, str],
        reason: str | None,
        detail: dict[str, Any],
    ) -> None:
        """Point ``row`` at the new version, stage both and write the audit event (``who``: the
        author and the audit action)."""
        status, (author, action) = detail["status"], who
        row.current_version = step.number
        setattr(row, "status", self.kind.status_enum(status))  # noqa: B010
        row.updated_at = utcnow()
        if source_path is not None:
            row.source_path = source_path
        self.session.add(row)
        self.session.add(version)
        self._pending.append((row, version))
        record_event(  # a version written with a key is the API's; any other, the CLI's
            self.session, actor=author, via="key" if detail["source"] == "api" else "cli",
            action=action,
            object_type=self.kind.name, object_id=row.id, version_before=step.number - 1 or None,
            version_after=step.number, reason=reason, detail=detail,
        )  # fmt: skip

    def set_status(
        self,
        current: VersionT,
        status: StrEnum,
        *,
        actor: str,
        source: str,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> VersionT | None:
        """Append a copy of version ``current`` with another status (retire, restore); None
        when it already has that status."""
        if getattr(current, "status") == status:  # noqa: B009
            return None
        doc = self.kind.document(current).model_copy(update={"status": status})
        row = self.row(current.doc_id)
        _, version = self.write(
            doc, current.raw, current.content_hash, author=actor, source=source,
            source_path=row.source_path if row else None, expected_version=expected_version,
            reason=reason,
        )  # fmt: skip
        return version
