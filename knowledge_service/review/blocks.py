"""What still blocks an article on customer channels, as a workflow step reports it.

Verifying an article records that its owner confirmed it is current: it sets new review dates
(which resolves a ``review_overdue`` finding once the check has run) and lifts no other block.
Like acknowledging, it never serves a blocked article; only fixing the cause or an admin's risk
acceptance does. So a verify names what still blocks, for the owner to act on.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.acceptance import accepted_until
from knowledge_service.freshness.schemas import Severity
from knowledge_service.review.workflow_schemas import BlockingFinding, WorkflowStatus


def blocking_findings(session: Session, article_id: str, *, today: date) -> list[BlockingFinding]:
    """The open and acknowledged ``block`` findings on ``article_id`` that no risk acceptance
    lifts ``today``: what makes customer channels escalate rather than serve it."""
    blocks = [
        f for f in freshness.findings_for_article(session, article_id)
        if f.severity == Severity.BLOCK
    ]  # fmt: skip
    lifted = accepted_until(session, [f.id for f in blocks], today=today)
    return [
        BlockingFinding(id=f.id, kind=str(f.kind), message=f.message)
        for f in blocks
        if f.id not in lifted
    ]


def with_blocks(session: Session, status: WorkflowStatus, *, today: date) -> WorkflowStatus:
    """``status`` naming the findings that still block its article (read after the step's
    check has run, so a block the step resolved is not named)."""
    found = blocking_findings(session, status.id, today=today)
    return status.model_copy(update={"still_blocked_by": found}) if found else status
