"""Risk acceptances as data: which blocking findings an admin has explicitly accepted, and when
such an acceptance lifts a block.

A block is lifted only by an active acceptance: not ended (withdrawn, or its finding resolved)
and not yet at its expiry date (``clock.today``). Acknowledging a finding never lifts anything.
The verb that grants one, with its rules about who may, is ``review.risk.accept_risk``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from knowledge_service.content.models import utcnow
from knowledge_service.freshness import repository
from knowledge_service.freshness.models import Finding, RiskAcceptance
from knowledge_service.privacy import redact

ACCEPTED = "risk_accepted"
ENDED = "risk_acceptance_ended"
"""The audit log's actions (object type ``finding``)."""


def acceptances_of(session: Session, finding_ids: Collection[int]) -> Sequence[RiskAcceptance]:
    """Every acceptance (any state) of the given findings, oldest first."""
    if not finding_ids:
        return []
    query = select(RiskAcceptance).where(col(RiskAcceptance.finding_id).in_(list(finding_ids)))
    return session.exec(query.order_by(col(RiskAcceptance.id))).all()


def accepted_until(
    session: Session,
    finding_ids: Collection[int],
    *,
    today: date | None = None,
    as_of: datetime | None = None,
) -> dict[int, date]:
    """``finding id -> expiry`` of the findings an acceptance lifts today (or lifted at the
    instant ``as_of``); the latest expiry wins. Neither date given: none (nothing is lifted
    without a date to judge expiry by)."""
    if today is None and as_of is None:
        return {}
    lifted: dict[int, date] = {}
    for row in acceptances_of(session, finding_ids):
        active = row.was_active(as_of) if as_of is not None else row.is_active(today)  # type: ignore[arg-type]
        if active and row.expires_on > lifted.get(row.finding_id, date.min):
            lifted[row.finding_id] = row.expires_on
    return lifted


def add_acceptance(
    session: Session, finding: Finding, *, actor: str, reason: str, expires_on: date
) -> RiskAcceptance:
    """Record an acceptance and its audit event (the caller checked who may); ``reason`` is
    redacted before it is stored (an admin may quote a customer)."""
    assert finding.id is not None
    reason = redact(reason)
    row = RiskAcceptance(
        finding_id=finding.id, accepted_by=actor, reason=reason, expires_on=expires_on
    )
    session.add(row)
    session.flush()
    repository.add_event(
        session, finding, ACCEPTED, actor=actor, note=reason,
        detail={"expires_on": expires_on.isoformat(), "acceptance_id": row.id,
                "article_ids": list(finding.article_ids)},
    )  # fmt: skip
    return row


def end_acceptances(
    session: Session, finding: Finding, *, actor: str, why: str, now: datetime | None = None
) -> int:
    """End every acceptance of ``finding`` still in force (its cause is fixed, or an admin
    withdrew it); each end is audited. Returns how many ended."""
    assert finding.id is not None
    ended = 0
    for row in acceptances_of(session, [finding.id]):
        if row.ended_at is None:
            row.ended_at, row.ended_reason = now or utcnow(), why
            session.add(row)
            repository.add_event(
                session, finding, ENDED, actor=actor, note=why,
                detail={"acceptance_id": row.id},
            )  # fmt: skip
            ended += 1
    return ended


def active_by_fingerprint(
    session: Session, fingerprints: Collection[str], *, today: date
) -> dict[str, tuple[date, str]]:
    """``fingerprint -> (expiry, accepted by)`` of the stored findings among ``fingerprints``
    whose block an acceptance lifts ``today`` (the latest expiry wins)."""
    by_id = {
        f.id: fp
        for fp, f in repository.findings_by_fingerprint(session, fingerprints).items()
        if f.id is not None
    }
    lifted: dict[str, tuple[date, str]] = {}
    for row in acceptances_of(session, by_id):
        fingerprint = by_id[row.finding_id]
        if row.is_active(today) and row.expires_on > lifted.get(fingerprint, (date.min, ""))[0]:
            lifted[fingerprint] = (row.expires_on, row.accepted_by)
    return lifted
