"""The findings table: kept in step with each check run, and changed by hand.

A finding's fingerprint identifies its cause: a re-run updates the same row, a cause that is gone
resolves it, a cause that comes back reopens it, and an acknowledged finding stays acknowledged
while its cause persists. Every change is written to the finding's history.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from knowledge_service.content.models import utcnow
from knowledge_service.errors import InvalidRequestError, NotFoundError
from knowledge_service.freshness import repository
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.schemas import FindingData, FindingStatus

SYSTEM_ACTOR = "check"


def sync_findings(
    session: Session,
    findings: Sequence[FindingData],
    *,
    covered: Callable[[Finding], bool],
    involving: Collection[str] | None = None,
    now: datetime | None = None,
) -> None:
    """Upsert ``findings`` by fingerprint; resolve covered active findings not among them.

    Args:
        session: An open session (the caller commits).
        findings: What the check found.
        covered: Which stored findings the check re-evaluated (and may therefore resolve).
        involving: For an incremental check, the articles it examined: only active findings
            involving one of them are candidates for ``covered`` (an indexed lookup instead of
            loading every active finding). None: every active finding is a candidate.
        now: The time recorded (default: now).
    """
    now = now or utcnow()
    existing = repository.findings_by_fingerprint(session, [f.fingerprint for f in findings])
    for data in findings:
        _upsert(session, existing.get(data.fingerprint), data, now)
    seen = {f.fingerprint for f in findings}
    candidates = (
        repository.active_findings(session)
        if involving is None
        else repository.active_findings_for(session, involving)
    )
    for row in candidates:
        if row.fingerprint not in seen and covered(row):
            row.status, row.resolved_at = FindingStatus.RESOLVED, now
            repository.add_event(session, row, "resolved", actor=SYSTEM_ACTOR, note="cause fixed")


def _upsert(session: Session, row: Finding | None, data: FindingData, now: datetime) -> None:
    """Create the finding, or update it (reopening it if it was resolved)."""
    payload: dict[str, Any] = {
        "kind": data.kind,
        "severity": data.severity,
        "article_ids": list(data.article_ids),
        "policy_id": data.policy_id,
        "clause": data.clause,
        "message": data.message,
        "evidence": [e.model_dump(mode="json") for e in data.evidence],
        "last_seen_at": now,
    }
    if row is None:
        row = Finding(fingerprint=data.fingerprint, first_seen_at=now, **payload)
        session.add(row)
        session.flush()
        repository.link_articles(session, row)
        repository.add_event(session, row, "created", actor=SYSTEM_ACTOR)
        return
    for name, value in payload.items():
        setattr(row, name, value)
    if row.status == FindingStatus.RESOLVED:
        row.status, row.resolved_at = FindingStatus.OPEN, None
        repository.add_event(session, row, "reopened", actor=SYSTEM_ACTOR)


_TRANSITIONS = {
    FindingStatus.ACKNOWLEDGED: "acknowledged",
    FindingStatus.RESOLVED: "resolved",
    FindingStatus.OPEN: "reopened",
}


def parse_status(value: FindingStatus | str) -> FindingStatus:
    """``value`` as a status; InvalidRequestError names the choices otherwise."""
    try:
        return FindingStatus(value)
    except ValueError:
        choices = ", ".join(sorted(FindingStatus))
        raise InvalidRequestError("status", f"must be one of {choices} (got {value!r})") from None


def set_finding_status(
    session: Session,
    fingerprint_or_id: str | int,
    status: FindingStatus | str,
    *,
    actor: str,
    note: str | None = None,
) -> Finding:
    """Acknowledge, resolve or reopen a finding by hand; the change is written to its history.

    Raises:
        NotFoundError: no finding has that id or fingerprint.
        InvalidRequestError: ``status`` is not open, acknowledged or resolved.
    """
    new = parse_status(status)
    row = repository.get_finding(session, fingerprint_or_id)
    if row is None:
        raise NotFoundError("finding", str(fingerprint_or_id))
    if row.status != new:
        row.status = new
        row.resolved_at = utcnow() if new == FindingStatus.RESOLVED else None
        session.add(row)
        repository.add_event(session, row, _TRANSITIONS[new], actor=actor, note=note)
    return row
