"""The workflow's own records: where a document stands, what an action did, who did it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from knowledge_service.review.etags import etag
from knowledge_service.review.workflow_models import WorkflowRecord
from knowledge_service.review.workflow_schemas import WorkflowAction as A
from knowledge_service.review.workflow_schemas import WorkflowState as S
from knowledge_service.review.workflow_schemas import WorkflowStatus

PAST = {
    A.CREATE: "created", A.EDIT: "edited", A.SUBMIT: "submitted", A.APPROVE: "approved",
    A.REJECT: "rejected", A.VERIFY: "verified", A.RETIRE: "retired", A.RESTORE: "restored",
    A.REASSIGN: "reassigned", A.DISCARD: "discarded",
}  # fmt: skip
"""The audit log's word for each action."""


@dataclass(frozen=True, slots=True)
class Step:
    """What an action did: where the document stands now, and whether it wrote a version (then
    the search index and the governance check must follow)."""

    status: WorkflowStatus
    wrote: bool


def is_new_to_customers(
    status: str, audience: str, served_status: str | None, served_audience: str | None
) -> bool:
    """Whether approving an article's version (``status``, ``audience``) shows its whole text
    to customers for the first time: it is a public draft, and no published public version is
    in force (none, an internal one, a retired one), whatever its diff from the version in
    force shows (an internal article made public differs only in its audience line)."""
    customers_read = (served_status, served_audience) == ("published", "public")
    return status == "draft" and audience == "public" and not customers_read


@dataclass(frozen=True, slots=True)
class Target:
    """The document an action is about: its current version and its workflow record."""

    current: Any
    record: WorkflowRecord | None
    state: S
    served_audience: str | None = None
    """The audience of the version in force before this one (None: there is none)."""
    served_status: str | None = None
    """The status of the version in force before this one (None: there is none)."""
    editor_person: str | None = None
    """The person holding the key named :attr:`last_editor`, as the keys say now (else that
    name): who made the last edit where the record names no person, and whom four eyes bar
    too where it does (``keys set-person`` named the key's person after the edit)."""

    @property
    def new_to_customers(self) -> bool:
        """:func:`is_new_to_customers` of an article's current version (never of a policy)."""
        current = self.current
        audience = str(current.document.get("audience", "public"))
        first = is_new_to_customers(
            str(current.status), audience, self.served_status, self.served_audience
        )
        return hasattr(current, "article_id") and first

    @property
    def live(self) -> WorkflowRecord | None:
        """The record, while it describes the current version."""
        record = self.record
        return record if record is not None and record.version == self.current.version else None

    @property
    def owner(self) -> str:
        return str(self.current.document.get("owner", ""))

    @property
    def last_editor(self) -> str:
        return self.live.last_editor if self.live is not None else str(self.current.author)

    @property
    def last_editor_person(self) -> str:
        """Who made the last edit (four eyes compare it): the person the record names, else
        the person of the key it names (a record older than persons, a version written outside
        the workflow)."""
        live = self.live
        if live is not None and live.last_editor_person:
            return live.last_editor_person
        return self.editor_person or self.last_editor

    @property
    def edited_by(self) -> tuple[str, str]:
        """The last editor as a record names them: the key's name and the person."""
        return self.last_editor, self.last_editor_person


def save_record(
    session: Session, kind: str, doc_id: str, version: int, state: S,
    editor: tuple[str, str], **fields: Any,
) -> WorkflowRecord:  # fmt: skip
    """Record that ``doc_id`` now stands in ``state`` at ``version``, last edited by ``editor``
    (the key's or actor's name, and the person holding it); ``fields`` (who submitted,
    approved or rejected, and why) replace the previous step's, which are cleared."""
    record = session.get(WorkflowRecord, (kind, doc_id))
    name, person = editor
    if record is None:
        record = WorkflowRecord(
            kind=kind, doc_id=doc_id, version=version, state=state, last_editor=name,
            last_editor_person=person,
        )  # fmt: skip
    values = {"submitted_by": None, "approved_by": None, "rejected_by": None}
    values |= {"rejection_reason": None, **fields}
    edited = {"last_editor": name, "last_editor_person": person}
    for column, value in {"version": version, "state": state, **edited}.items():
        setattr(record, column, value)
    for column, value in values.items():
        setattr(record, column, value)
    if inspect(record).persistent:  # every column written, changed or not, so two steps that
        for column in ("version", "state", *edited, *values):  # raced never merge halves
            flag_modified(record, column)
    session.add(record)
    return record


def status_of(kind: str, target: Target, permitted: list[A]) -> WorkflowStatus:
    """What the API and the CLI show of where ``target`` stands, with the actions the caller
    is ``permitted`` to take there now."""
    current, live = target.current, target.live
    return WorkflowStatus(
        kind=kind, id=current.doc_id, version=current.version,
        etag=etag(current.doc_id, current.version), state=target.state, owner=target.owner,
        author=current.author, last_editor=target.last_editor,
        last_editor_person=target.last_editor_person,
        submitted_by=live.submitted_by if live else None,
        approved_by=live.approved_by if live else None,
        rejected_by=live.rejected_by if live else None,
        rejection_reason=live.rejection_reason if live else None,
        allowed_actions=permitted, new_to_customers=target.new_to_customers,
    )  # fmt: skip
