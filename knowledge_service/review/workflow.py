"""The editorial workflow's verbs, written once for articles and policy sources.

Each verb loads the document, checks who may act (:mod:`.permissions`), the caller's
precondition (:mod:`.etags`) and the state machine (:mod:`.transitions`), all before it writes
anything; then it appends a version through the content core's version writer (which records
the audit event) or, for a step that changes no text (submit, reject), records the event itself.
Every verb works in the caller's session and never commits: a step that fails leaves nothing.
After a step that wrote a version the caller runs the after-write pipeline.

Usage::

    flow = Workflow(content.articles, settings.workflow)
    step = flow.approve(session, principal, "refund-timeframe", Precondition.from_header(h))
    session.commit()
    if step.wrote: ...  # apply_changes(...)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Principal, same_person
from knowledge_service.audit import record_event
from knowledge_service.content.frontmatter import set_fields
from knowledge_service.content.loader import as_read, content_hash
from knowledge_service.content.raw_html import find_raw_html
from knowledge_service.content.repository import DocumentRepository
from knowledge_service.content.schemas import NO_TEXT_TO_SHOW, require_one_line, shows_text
from knowledge_service.content.service import DocumentService
from knowledge_service.content.versions import VersionWriter
from knowledge_service.errors import (
    ConflictError,
    InvalidRequestError,
    InvalidTransitionError,
    PreconditionFailedError,
    VersionConflictError,
)
from knowledge_service.privacy import redact
from knowledge_service.review.etags import Precondition
from knowledge_service.review.permissions import authorize, authorize_owner_change, may
from knowledge_service.review.transitions import STATUS_AFTER, allowed_actions, state_of
from knowledge_service.review.workflow_models import WorkflowRecord
from knowledge_service.review.workflow_schemas import Withheld, WorkflowStatus
from knowledge_service.review.workflow_schemas import WorkflowAction as A
from knowledge_service.review.workflow_schemas import WorkflowState as S
from knowledge_service.review.workflow_state import PAST, Step, Target, save_record, status_of
from knowledge_service.settings import WorkflowSettings


class Workflow:
    """The workflow of one kind of document (``content.articles`` or ``content.policies``)."""

    def __init__(self, documents: DocumentService[Any, Any, Any], settings: WorkflowSettings):
        self.documents = documents
        self.kind = documents.kind
        self.settings = settings

    def status(self, session: Session, caller: Principal, doc_id: str) -> WorkflowStatus:
        """Where a document ``caller`` may see stands (NotFoundError otherwise): the version it
        is shown, so a narrow reader (an agent) learns nothing of a draft on top of the served
        version, not even that it exists."""
        shown = self.documents.read(session, caller, doc_id).version
        return self._status(caller, self._target_of(session, shown))

    def offer(
        self, session: Session, caller: Principal, doc_id: str
    ) -> tuple[WorkflowStatus, Withheld | None]:
        """:meth:`status`, and why steps its state allows are not among the caller's
        ``allowed_actions`` (None when every one is)."""
        status = self.status(session, caller, doc_id)
        allows = allowed_actions(self.kind.name, status.state)
        if allows and not status.allowed_actions:
            return status, Withheld.NOT_PERMITTED
        approver = may(caller, A.APPROVE, self.kind.name, status.owner)
        if A.APPROVE in allows and approver and A.APPROVE not in status.allowed_actions:
            return status, Withheld.FOUR_EYES
        return status, None

    def permitted(self, principal: Principal, target: Target) -> list[A]:
        """The actions ``principal`` may take on ``target`` now: those its state allows that
        the caller's role and ownership permit (:func:`~.permissions.authorize`), without
        approve where four eyes bar the caller (:meth:`may_approve`), nor discard where no
        version is in force to go back to."""
        return [
            a
            for a in allowed_actions(self.kind.name, target.state)
            if may(principal, a, self.kind.name, target.owner)
            and not (a is A.APPROVE and self._four_eyes_bar(principal, target))
            and not (a is A.DISCARD and target.served_status is None)  # nothing to go back to
        ]

    def create(
        self, session: Session, principal: Principal, text: str, *, reason: str | None = None
    ) -> Step:
        """A new document as a draft (whatever status its text names)."""
        text = as_read(text)
        doc: Any = self.kind.parse(text, f"{self.kind.plural}/new")
        authorize(principal, A.CREATE, self.kind.name, doc.owner)
        if DocumentRepository(session, self.kind).get(doc.id) is not None:
            raise ConflictError(f"{self.kind.name} {doc.id!r} already exists: edit it instead")
        raw = set_fields(text, {"status": STATUS_AFTER[self.kind.name][S.DRAFT]})
        version = self._write(session, principal, doc.id, raw, 0, A.CREATE, reason)
        record = self._save(session, doc.id, version.version, S.DRAFT, _editor(principal))
        status = self._status(principal, Target(version, record, S.DRAFT))
        return Step(_with_raw_html(status, raw), wrote=True)

    def edit(
        self, session: Session, principal: Principal, doc_id: str, text: str,
        precondition: Precondition, *, reason: str | None = None,
    ) -> Step:  # fmt: skip
        """A new draft version with ``text`` (the owner stays unless an admin changes it); a
        text that is the current version's (whatever its status) writes nothing, and the
        document keeps its state (a published one stays published). A text that breaks the
        content format is a 400/422 before the ETag and the state are asked about, as a
        rejection's blank reason is."""
        target = self._authorized(session, principal, doc_id, A.EDIT)
        text = as_read(text)
        doc: Any = self.kind.parse(text, f"{self.kind.plural}/{doc_id}")
        if doc.id != doc_id:
            raise InvalidRequestError("text", f"its id is {doc.id!r}, not {doc_id!r}")
        self._check_ready(principal, doc_id, A.EDIT, precondition, target)
        authorize_owner_change(principal, self.kind.name, target.owner, doc.owner)
        draft = {"status": STATUS_AFTER[self.kind.name][S.DRAFT]}
        raw = set_fields(text, draft)
        step = None
        if raw.strip() != set_fields(target.current.raw, draft).strip():
            step = self._step(session, principal, target, raw, A.EDIT, S.DRAFT, reason, editor=True)
        if step is None or not step.wrote:  # it changes nothing
            unchanged = self._status(principal, target).model_copy(update={"unchanged": True})
            return Step(_with_raw_html(unchanged, raw), wrote=False)
        return Step(_with_raw_html(step.status, raw), wrote=True)

    def submit(
        self, session: Session, principal: Principal, doc_id: str, precondition: Precondition,
        *, reason: str | None = None,
    ) -> Step:  # fmt: skip
        """Ask for approval of the current draft."""
        target = self._target(session, principal, doc_id, A.SUBMIT, precondition)
        return self._mark(
            session, principal, doc_id, target, A.SUBMIT, S.IN_REVIEW, reason,
            submitted_by=principal.name,
        )  # fmt: skip

    def approve(
        self, session: Session, principal: Principal, doc_id: str, precondition: Precondition,
        *, reason: str | None = None,
    ) -> Step:  # fmt: skip
        """Publish the draft in review (four eyes: not by its last editor, where configured)."""
        target = self._target(session, principal, doc_id, A.APPROVE, precondition)
        self._check_four_eyes(principal, target)
        raw = set_fields(target.current.raw, {"status": STATUS_AFTER[self.kind.name][S.PUBLISHED]})
        return self._step(
            session, principal, target, raw, A.APPROVE, S.PUBLISHED, reason,
            approved_by=principal.name,
        )  # fmt: skip

    def reject(
        self, session: Session, principal: Principal, doc_id: str, precondition: Precondition,
        *, reason: str,
    ) -> Step:  # fmt: skip
        """Send the draft in review back to its author, saying what must change (who may is
        asked first: another owner's article is a refusal whatever the form holds; a blank
        reason is a 400 before the ETag and the state are, as an empty one is)."""
        target = self._authorized(session, principal, doc_id, A.REJECT)
        if not reason.strip():
            raise InvalidRequestError("reason", "say what must change")
        self._check_ready(principal, doc_id, A.REJECT, precondition, target)
        return self._mark(
            session, principal, doc_id, target, A.REJECT, S.DRAFT, reason,
            rejected_by=principal.name, rejection_reason=redact(reason),
        )  # fmt: skip

    def verify(
        self, session: Session, principal: Principal, doc_id: str, precondition: Precondition,
        *, today: date, reason: str | None = None,
    ) -> Step:  # fmt: skip
        """The owner confirms a published article: reviewed today, next review one interval on."""
        target = self._target(session, principal, doc_id, A.VERIFY, precondition)
        due = today + timedelta(days=self.settings.review_interval_days)
        raw = set_fields(target.current.raw, {"last_reviewed": today, "next_review": due})
        return self._step(session, principal, target, raw, A.VERIFY, S.PUBLISHED, reason)

    def retire(
        self, session: Session, principal: Principal, doc_id: str, precondition: Precondition,
        *, reason: str | None = None,
    ) -> Step:  # fmt: skip
        """Take a document out of service (it stays, with its history)."""
        target = self._target(session, principal, doc_id, A.RETIRE, precondition)
        raw = set_fields(target.current.raw, {"status": STATUS_AFTER[self.kind.name][S.RETIRED]})
        return self._step(session, principal, target, raw, A.RETIRE, S.RETIRED, reason)

    def restore(
        self, session: Session, principal: Principal, doc_id: str, precondition: Precondition,
        *, version: int, reason: str | None = None,
    ) -> Step:  # fmt: skip
        """Bring back the text of ``version`` as a new draft version (owned by today's owner);
        the current version's own text writes nothing and keeps the state, as such an edit, but
        on a retired document, which the restore brings back as a draft."""
        target = self._target(session, principal, doc_id, A.RESTORE, precondition)
        old = self.documents.get(session, doc_id, version)
        fields = {"status": STATUS_AFTER[self.kind.name][S.DRAFT], "owner": target.owner}
        raw = set_fields(old.raw, fields)
        same = raw.strip() == set_fields(target.current.raw, fields).strip()
        if same and target.state != S.RETIRED:
            unchanged = self._status(principal, target).model_copy(update={"unchanged": True})
            return Step(unchanged, wrote=False)
        return self._step(session, principal, target, raw, A.RESTORE, S.DRAFT, reason, editor=True)

    def discard(
        self, session: Session, principal: Principal, doc_id: str, precondition: Precondition,
        *, reason: str | None = None,
    ) -> Step:  # fmt: skip
        """Throw away the draft (or the draft in review) on top of the version in force: that
        version's own text (its status, published or retired, and today's owner) becomes the
        current version again, so every channel serves what it served; the draft stays in the
        history. A document never approved has no version to go back to: 409 (retire it)."""
        target = self._target(session, principal, doc_id, A.DISCARD, precondition)
        kept = DocumentRepository(session, self.kind).in_force_version(doc_id)
        if kept is None or kept.version == target.current.version:
            raise InvalidTransitionError(
                self.kind.name, doc_id, action=A.DISCARD, state=target.state,
                allowed=self.permitted(principal, target),
                why="no version of it was ever approved, so there is none to go back to: "
                "retire it instead",
            )  # fmt: skip
        raw = kept.raw
        if str(kept.document.get("owner", "")) != target.owner:  # reassigned while a draft
            raw = set_fields(raw, {"owner": target.owner})
        state = state_of(str(kept.status), kept.version, None)
        version = self._write(
            session, principal, doc_id, raw, target.current.version, A.DISCARD, reason
        )
        if version is None:  # cannot happen: the draft's status is not the kept version's
            unchanged = self._status(principal, target).model_copy(update={"unchanged": True})
            return Step(unchanged, wrote=False)
        # whoever wrote the text that is served again, not the draft's editor (nor the caller)
        author = str(kept.author)
        editor = (author, access.person_of(session, author))
        record = self._save(session, doc_id, version.version, state, editor)
        after = replace(target, current=version, record=record, state=state, editor_person=None)
        return Step(self._status(principal, after), wrote=True)

    def reassign(
        self, session: Session, principal: Principal, doc_id: str, precondition: Precondition,
        *, owner: str, reason: str | None = None,
    ) -> Step:  # fmt: skip
        """Give a document to another owner (admins only); its state stays."""
        if not owner.strip():
            raise InvalidRequestError("owner", "name the new owner")
        require_one_line("owner", owner)
        if not shows_text(owner):  # "\u200b": the version's check would refuse it (422)
            raise InvalidRequestError("owner", NO_TEXT_TO_SHOW)
        target = self._target(session, principal, doc_id, A.REASSIGN, precondition)
        raw = set_fields(target.current.raw, {"owner": owner.strip()})
        return self._step(session, principal, target, raw, A.REASSIGN, target.state, reason)

    # -- the parts every verb shares -------------------------------------------------------

    def _target_of(self, session: Session, current: Any) -> Target:
        record = session.get(WorkflowRecord, (self.kind.name, current.doc_id))
        state = state_of(str(current.status), current.version, record)
        served = DocumentRepository(session, self.kind).in_force_version(current.doc_id)
        audience = None if served is None else str(served.document.get("audience", "public"))
        served_status = None if served is None else str(served.status)
        target = Target(current, record, state, audience, served_status)
        # who holds the key the record (or the version) names now
        return replace(target, editor_person=access.person_of(session, target.last_editor))

    def _target(
        self, session: Session, principal: Principal, doc_id: str, action: A, pre: Precondition
    ) -> Target:
        """The document, once the caller may act, named its current version and the state
        allows ``action`` (checked in that order: 404, 403, 428/412, 409; an action whose
        request must hold more checks it, a 400, between :meth:`_authorized` and
        :meth:`_check_ready`)."""
        target = self._authorized(session, principal, doc_id, action)
        self._check_ready(principal, doc_id, action, pre, target)
        return target

    def _authorized(self, session: Session, principal: Principal, doc_id: str, action: A) -> Target:
        """The document, once the caller may take ``action`` on it (404, 403)."""
        target = self._target_of(session, self.documents.get(session, doc_id))
        authorize(principal, action, self.kind.name, target.owner)
        return target

    def _check_ready(
        self, principal: Principal, doc_id: str, action: A, pre: Precondition, target: Target
    ) -> None:
        """The request named the current version and the state allows ``action`` (428/412,
        409)."""
        pre.check(self.kind.name, doc_id, target.current.version)
        if action not in allowed_actions(self.kind.name, target.state):
            raise InvalidTransitionError(
                self.kind.name, doc_id, action=action, state=target.state,
                allowed=self.permitted(principal, target), why=_why_not(action, target),
            )  # fmt: skip

    def may_approve(self, session: Session, principal: Principal, doc_id: str) -> bool:
        """Whether four eyes lets ``principal`` approve the document: False for its last editor
        where the document's audience (or policies) need a second person."""
        return not self._four_eyes_bar(
            principal, self._target_of(session, self.documents.get(session, doc_id))
        )

    def _four_eyes_bar(self, principal: Principal, target: Target) -> bool:
        """The audience of the draft and of the version it replaces both count: an article
        customers read cannot be made internal (taken from them, or given a text that a later
        edit back to public would carry) by its editor alone."""
        if self.kind.name == "policy":
            needed = self.settings.four_eyes_policies
        else:
            audiences = {str(target.current.document.get("audience", "public"))}
            audiences.add(target.served_audience or "internal")
            settings = self.settings
            needed = any(
                settings.four_eyes_public if a == "public" else settings.four_eyes_internal
                for a in audiences
            )
        return bool(needed) and _is_last_editor(principal, target)

    def _check_four_eyes(self, principal: Principal, target: Target) -> None:
        if self._four_eyes_bar(principal, target):
            who = repr(target.last_editor_person)
            if target.last_editor != principal.name:  # another key of the same person
                who += f" (with the key {target.last_editor!r})"
            raise InvalidTransitionError(
                self.kind.name, target.current.doc_id, action=A.APPROVE, state=target.state,
                allowed=self.permitted(principal, target),
                why=f"four eyes: {who} made the last edit, so someone else must approve it",
            )  # fmt: skip

    def _step(
        self, session: Session, principal: Principal, target: Target, raw: str, action: A,
        state: S, reason: str | None, *, editor: bool = False, **fields: str | None,
    ) -> Step:  # fmt: skip
        """Write ``raw`` as the next version in ``state`` (nothing when it changes nothing)."""
        doc_id = target.current.doc_id
        expected = target.current.version
        version = self._write(session, principal, doc_id, raw, expected, action, reason)
        if version is None:  # the text it would write is the current one's (a second verify)
            unchanged = self._status(principal, target).model_copy(update={"unchanged": True})
            return Step(unchanged, wrote=False)
        live = target.live
        if not editor and live is not None:  # the same text: who submitted and approved stays
            fields = {"submitted_by": live.submitted_by, "approved_by": live.approved_by, **fields}
        edited_by = _editor(principal) if editor else target.edited_by
        record = self._save(session, doc_id, version.version, state, edited_by, **fields)
        # a draft leaves the version in force as it was: the target's stays true of it
        person = None if editor else target.editor_person  # the record names the new editor
        after = replace(target, current=version, record=record, state=state, editor_person=person)
        return Step(self._status(principal, after), wrote=True)

    def _write(
        self, session: Session, principal: Principal, doc_id: str, raw: str, expected: int,
        action: A, reason: str | None,
    ) -> Any:  # fmt: skip
        doc: Any = self.kind.parse(raw, f"{self.kind.plural}/{doc_id}")
        writer = VersionWriter(session, self.kind)
        row = writer.row(doc_id)
        path = row.source_path if row is not None else None
        try:
            _, version = writer.write(
                doc.model_copy(update={"source_path": path}), raw, content_hash(raw),
                author=principal.name, source="cli" if principal.is_local else "api",
                source_path=path, expected_version=expected, reason=reason,
                audit_action=PAST[action], audit_detail={"person": principal.person},
            )  # fmt: skip
            writer.link_pending()
        except VersionConflictError as exc:  # another writer committed after our ETag check
            if isinstance(exc, PreconditionFailedError) or expected == 0:
                raise
            raise PreconditionFailedError(
                self.kind.name, doc_id, expected=expected, current=exc.current
            ) from None
        except IntegrityError:  # another writer took this version number first
            session.rollback()
            if expected == 0:
                raise ConflictError(f"{self.kind.name} {doc_id!r} already exists") from None
            current = self.documents.get(session, doc_id).version
            raise PreconditionFailedError(
                self.kind.name, doc_id, expected=expected, current=current
            ) from None
        return version

    def _audit(
        self, session: Session, principal: Principal, target: Target, action: A,
        reason: str | None, state: S,
    ) -> None:  # fmt: skip
        version = target.current.version
        record_event(
            session, actor=principal.name, via="cli" if principal.is_local else "key",
            action=PAST[action], object_type=self.kind.name,
            object_id=target.current.doc_id, version_before=version, version_after=version,
            reason=reason, detail={"state": state, "person": principal.person},
        )  # fmt: skip

    def _status(self, principal: Principal, target: Target) -> WorkflowStatus:
        return status_of(self.kind.name, target, self.permitted(principal, target))

    def _mark(
        self, session: Session, principal: Principal, doc_id: str, target: Target, action: A,
        state: S, reason: str | None, **fields: Any,
    ) -> Step:  # fmt: skip
        """Move the current version to ``state`` (no new version written), audited. A write that
        committed since the caller's If-Match was checked makes this a 412, never a state
        recorded against a version nobody submitted or rejected."""
        expected = target.current.version
        try:
            VersionWriter(session, self.kind).hold(doc_id, expected)
        except VersionConflictError as exc:
            raise PreconditionFailedError(
                self.kind.name, doc_id, expected=expected, current=exc.current
            ) from None
        record = self._save(
            session, doc_id, target.current.version, state, target.edited_by, **fields
        )
        self._audit(session, principal, target, action, reason, state)
        return Step(
            self._status(principal, replace(target, record=record, state=state)), wrote=False
        )

    def _save(
        self, session: Session, doc_id: str, version: int, state: S, editor: tuple[str, str],
        **fields: Any,
    ) -> WorkflowRecord:  # fmt: skip
        return save_record(session, self.kind.name, doc_id, version, state, editor, **fields)


def _editor(principal: Principal) -> tuple[str, str]:
    """How a workflow record names the caller as the last editor: its key and its person."""
    return principal.name, principal.person


def _is_last_editor(principal: Principal, target: Target) -> bool:
    """Whether ``principal`` made the draft's last edit: the same person, whichever key they
    held (an owner key and an admin key, a key and its successor), or the same key. The person
    is the one the record names and the one holding the key it names now (``keys set-person``
    after the edit)."""
    persons = (target.last_editor_person, target.editor_person)
    is_person = any(same_person(principal.person, person) for person in persons)
    return principal.name == target.last_editor or is_person


def _why_not(action: A, target: Target) -> str | None:
    """What to do when ``action`` waits on a step first: a verify confirms the version in force,
    which a draft on top of it would bury (verifying writes the current version's text with new
    dates), so the draft is approved (with its own dates) or discarded first."""
    waiting = target.state in (S.DRAFT, S.IN_REVIEW) and target.served_status == "published"
    if action is not A.VERIFY or not waiting:
        return None
    first = "approve it" if target.state is S.IN_REVIEW else "submit and approve it"
    return (
        f"version {target.current.version} is a draft waiting on top of the published version, "
        f"which a verify confirms: first {first} or discard it, then verify"
    )


def _with_raw_html(status: WorkflowStatus, text: str) -> WorkflowStatus:
    """``status`` naming the raw HTML ``text`` holds, which no channel shows."""
    found = find_raw_html(text)
    return status.model_copy(update={"raw_html": found}) if found else status
