"""The workflow's state machine (pure): which actions each state allows, and a version's state.

::

    create ─> draft ──submit──> in_review ──approve──> published ──verify──> published
               ^  ^               │ reject                │ edit
               │  └───────────────┘                       v
               └────────────── edit / restore ─────── (a new draft version)
    any state ──retire──> retired ──restore──> draft
    draft, in_review ──discard──> the version in force again (published or retired)
"""

from __future__ import annotations

from knowledge_service.review.workflow_models import WorkflowRecord
from knowledge_service.review.workflow_schemas import WorkflowAction as A
from knowledge_service.review.workflow_schemas import WorkflowState as S

ALLOWED: dict[S, tuple[A, ...]] = {
    S.DRAFT: (A.EDIT, A.SUBMIT, A.DISCARD, A.RETIRE, A.RESTORE, A.REASSIGN),
    S.IN_REVIEW: (A.EDIT, A.APPROVE, A.REJECT, A.DISCARD, A.RETIRE, A.RESTORE, A.REASSIGN),
    S.PUBLISHED: (A.EDIT, A.VERIFY, A.RETIRE, A.RESTORE, A.REASSIGN),
    S.RETIRED: (A.RESTORE, A.REASSIGN),
}

_BY_STATUS = {"draft": S.DRAFT, "published": S.PUBLISHED, "active": S.PUBLISHED}


def allowed_actions(kind: str, state: S) -> list[A]:
    """The actions ``state`` allows for a document of ``kind`` (policies have no review dates,
    so they are never verified)."""
    return [a for a in ALLOWED[state] if not (kind == "policy" and a is A.VERIFY)]


def state_of(status: str, version: int, record: WorkflowRecord | None) -> S:
    """The state of a document whose current version ``version`` has content ``status``: the
    workflow record's while it describes that version, else the status's own meaning."""
    if record is not None and record.version == version:
        return record.state
    return _BY_STATUS.get(status, S.RETIRED)


STATUS_AFTER: dict[str, dict[S, str]] = {
    "article": {S.DRAFT: "draft", S.PUBLISHED: "published", S.RETIRED: "retired"},
    "policy": {S.DRAFT: "draft", S.PUBLISHED: "active", S.RETIRED: "retired"},
}
"""The content ``status`` a version written into a state carries, per kind."""
