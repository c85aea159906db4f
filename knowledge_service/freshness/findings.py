"""The findings table: kept in step with each check run, and acknowledged by hand.

A finding's fingerprint identifies its cause: a re-run updates the same row (its severity too:
a review grace period ends), a cause that is gone resolves it (and ends any risk acceptance of
it), a cause that comes back reopens it, and an acknowledged finding stays acknowledged while its
cause persists. Nobody resolves a finding by hand. Every change is written to the finding's
history.

A risk acceptance is a decision about the text the finding quoted when it was made: when the
same finding later quotes another text (the article now states another figure, or the clause
changed), its acceptances end, so that no acceptance lifts a block on words nobody accepted
(written, perhaps, by the admin who accepted the old ones).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col

from knowledge_service.content.models import utcnow
from knowledge_service.errors import InvalidRequestError, InvalidStateError, NotFoundError
from knowledge_service.freshness import repository
from knowledge_service.freshness.acceptance import end_acceptances
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.schemas import FindingData, FindingStatus
from knowledge_service.privacy import redact

SYSTEM_ACTOR = "check"


def sync_findings(
    session: Session,
    findings: Sequence[FindingData],
    *,
    covered: Callable[[Finding], bool],
    involving: Collection[str] | None = None,
    also: Sequence[Finding] = (),
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
        also: More active findings that are candidates for ``covered`` (those of a kind an
            incremental check re-evaluates whatever articles they involve).
        now: The time recorded (default: now).
    """
    now = now or utcnow()
    existing = repository.findings_by_fingerprint(session, [f.fingerprint for f in findings])
    created: list[FindingData] = []
    for data in findings:
        row = existing.get(data.fingerprint)
        if row is None:
            created.append(data)
        else:
            _update(session, row, data, now)
    _create(session, created, now)
    repository.mark_seen(session, list(existing.values()), now)
    seen = {f.fingerprint for f in findings}
    candidates = list(
        repository.active_findings(session)
        if involving is None
        else repository.active_findings_for(session, involving)
    )
    known = {row.id for row in candidates}
    candidates += [row for row in also if row.id not in known]
    for row in candidates:
        if row.fingerprint not in seen and covered(row):
            row.status, row.resolved_at = FindingStatus.RESOLVED, now
            repository.add_event(session, row, "resolved", actor=SYSTEM_ACTOR, note="cause fixed")
            end_acceptances(session, row, actor=SYSTEM_ACTOR, why="the finding resolved", now=now)


def _payload(data: FindingData) -> dict[str, Any]:
    return {
        "kind": data.kind,
        "severity": data.severity,
        "article_ids": list(data.article_ids),
        "policy_id": data.policy_id,
        "clause": data.clause,
        "message": data.message,
        "evidence": [e.model_dump(mode="json") for e in data.evidence],
    }


def _create(session: Session, created: Sequence[FindingData], now: datetime) -> None:
    """Insert new findings with their article links and "created" events in three batched
    statements: a first check on a large store creates tens of thousands, and a round trip (and
    an ORM object) per row took minutes on PostgreSQL."""
    if not created:
        return
    rows = [
        {"fingerprint": data.fingerprint, "first_seen_at": now, "last_seen_at": now,
         "status": FindingStatus.OPEN, "resolved_at": None, **_payload(data)}
        for data in created
    ]  # fmt: skip
    inserted = session.execute(
        insert(Finding).returning(col(Finding.id), sort_by_parameter_order=True), rows
    )
    ids = [finding_id for (finding_id,) in inserted]
    repository.link_articles_of(
        session, {i: data.article_ids for i, data in zip(ids, created, strict=True)}
    )
    repository.add_events(session, ids, "created", actor=SYSTEM_ACTOR, status=FindingStatus.OPEN)


_QUOTED = ("article_id", "section", "policy_id", "clause", "text", "fact")
"""What an evidence span says, without where it was found (version, path, line): a verify or
an edit elsewhere in the article leaves it, another figure in the sentence changes it."""


def _quoted(evidence: Sequence[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps([span.get(name) for name in _QUOTED]) for span in evidence)


def _update(session: Session, row: Finding, data: FindingData, now: datetime) -> None:
    """Update a known finding where the check now says something else (a full check re-finds
    tens of thousands unchanged: those cost no statement), reopening it if it was resolved,
    and ending its risk acceptances when it now quotes another text."""
    payload = _payload(data)
    if row.status != FindingStatus.RESOLVED and _quoted(row.evidence) != _quoted(
        payload["evidence"]
    ):
        end_acceptances(
            session, row, actor=SYSTEM_ACTOR, now=now,
            why="the text it was accepted for changed: accept the risk again for what it says now",
        )  # fmt: skip
    for name, value in payload.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    if row.status == FindingStatus.RESOLVED:
        row.status, row.resolved_at = FindingStatus.OPEN, None
        repository.add_event(session, row, "reopened", actor=SYSTEM_ACTOR)


_TRANSITIONS = {
    FindingStatus.ACKNOWLEDGED: "acknowledged",
    FindingStatus.OPEN: "reopened",
}
"""The statuses a person may set (and the audit action of each). ``resolved`` is not among
them: a finding resolves only when a re-check no longer finds it, so a block always means the
content (or the policy) still says what it said."""


def allowed_statuses(current: FindingStatus) -> list[str]:
    """The statuses a person may move a finding in ``current`` status to."""
    if current == FindingStatus.RESOLVED:
        return []
    return [str(status) for status in _TRANSITIONS if status != current]


def _check_transition(row: Finding, new: FindingStatus) -> None:
    if new == FindingStatus.RESOLVED or row.status == FindingStatus.RESOLVED:
        why = (
            "a finding resolves only when a re-check no longer finds it: change the content "
            "or the policy; an admin may accept the risk of a block until a date"
            if new == FindingStatus.RESOLVED
            else "its cause is fixed; it reopens by itself if the cause comes back"
        )
        raise InvalidStateError(
            "finding", str(row.id), state=str(row.status), action=f"set status {new}",
            allowed=allowed_statuses(row.status), why=why,
        )  # fmt: skip


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
    """Acknowledge an active finding, or reopen an acknowledged one, by hand; the change is
    written to its history, ``note`` redacted (an owner may quote a customer). Acknowledging
    records that the owner has seen it: a block stays a block.

    Raises:
        NotFoundError: no finding has that id or fingerprint.
        InvalidRequestError: ``status`` is not open, acknowledged or resolved.
        InvalidStateError: ``resolved`` (only a re-check resolves), or the finding is resolved.
    """
    new = parse_status(status)
    row = repository.get_finding(session, fingerprint_or_id)
    if row is None:
        raise NotFoundError("finding", str(fingerprint_or_id))
    if row.status != new:
        _check_transition(row, new)
        row.status = new
        session.add(row)
        note = redact(note) if note else note
        repository.add_event(session, row, _TRANSITIONS[new], actor=actor, note=note)
    return row
