"""The workflow's one table: where each document stands, surviving restarts.

One row per document (kind and id) describes its version ``version``; once another version is
current (an import wrote one), the row no longer applies and the state follows from the
version's content ``status``. The history of every step is the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from knowledge_service.content.models import StrEnumType, UTCDateTime, utcnow
from knowledge_service.review.workflow_schemas import WorkflowState


class WorkflowRecord(SQLModel, table=True):
    """The workflow state of one document's version ``version``."""

    __tablename__ = "workflow_state"

    kind: str = Field(primary_key=True, max_length=20)
    doc_id: str = Field(primary_key=True, max_length=120)
    version: int
    state: WorkflowState = Field(sa_type=StrEnumType(WorkflowState), nullable=False)
    last_editor: str
    last_editor_person: str | None = None
    """The person holding ``last_editor``'s key when the edit was made (four eyes bar it, and
    the key's person now); None in records written before keys named persons."""
    submitted_by: str | None = None
    approved_by: str | None = None
    rejected_by: str | None = None
    rejection_reason: str | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
