"""One audit log: every change and decision of every domain, written through one function.

Content versions, finding status changes and API key changes all land in the ``audit_log``
table, in the transaction of the change they record. This module sits at the bottom: it uses
only ``db`` and ``privacy`` (reasons are redacted) and may be called by any domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, Column, Index, insert
from sqlmodel import Field, Session, SQLModel, col, select

from knowledge_service.db import UTCDateTime, utcnow
from knowledge_service.privacy import redact

Via = Literal["key", "cli", "system"]
"""How an event's actor acted: ``key`` with an API key, through the API or the pages (the actor
is the key's name, or ``key:<name>`` for a finding's decision); ``cli`` on the command line of
the store's machine (a workflow step's ``--actor``, an import's author, a key command's OS user);
``system`` the governance check. The actor alone cannot tell them apart: ``--actor ann`` names
whoever the operator types, and an owner key's own events are those done with a key."""


class AuditEvent(SQLModel, table=True):
    """Who did what to which object, when, why, and which version it moved from and to."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    actor: str = Field(index=True)
    via: str | None = None
    """:data:`Via`; None on an event an earlier release wrote that revision 0010 could not tell
    (a workflow step that wrote no version)."""
    action: str = Field(index=True)
    object_type: str
    object_id: str
    version_before: int | None = None
    version_after: int | None = None
    reason: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def record_event(
    session: Session,
    *,
    actor: str,
    via: Via,
    action: str,
    object_type: str,
    object_id: str,
    version_before: int | None = None,
    version_after: int | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the caller's transaction (it is written when the caller commits).

    Args:
        session: the transaction of the change being recorded.
        actor: who made the change (a key name, ``import``, ``system``).
        via: how the actor acted (:data:`Via`): with an API key, on the command line, or the
            check.
        action: what happened (``created``, ``retired``, ``acknowledged``, ``key_revoked``...).
        object_type: the kind of object (``article``, ``policy``, ``finding``, ``api_key``).
        object_id: the object's id.
        version_before: the object's version before the change, where it has versions.
        version_after: its version after the change.
        reason: why, in the actor's words (a note), if given; redacted before it is stored
            (a reviewer may quote a customer).
        detail: any further data (JSON-serialisable).
    """
    event = AuditEvent(
        actor=actor,
        via=via,
        action=action,
        object_type=object_type,
        object_id=object_id,
        version_before=version_before,
        version_after=version_after,
        reason=redact(reason) if reason else reason,
        detail=detail or {},
    )
    session.add(event)
    return event


def record_events(
    session: Session,
    *,
    actor: str,
    via: Via,
    action: str,
    object_type: str,
    object_ids: Sequence[str],
    detail: dict[str, Any] | None = None,
) -> None:
    """Add the same event for many objects to the caller's transaction, in one batched
    statement (a check that creates thousands of findings); see :func:`record_event`."""
    if not object_ids:
        return
    at = utcnow()
    rows = [
        {"at": at, "actor": actor, "via": via, "action": action, "object_type": object_type,
         "object_id": object_id, "version_before": None, "version_after": None,
         "reason": None, "detail": detail or {}}
        for object_id in object_ids
    ]  # fmt: skip
    session.execute(insert(AuditEvent), rows)


def list_events(
    session: Session,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    newest_first: bool = False,
    limit: int | None = None,
) -> Sequence[AuditEvent]:
    """Events matching every given filter, in the order they were written (or the reverse)."""
    query = select(AuditEvent)
    filters = ((AuditEvent.object_type, object_type), (AuditEvent.object_id, object_id))
    for column, value in (*filters, (AuditEvent.actor, actor)):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(col(AuditEvent.at) >= since)
    order = col(AuditEvent.id).desc() if newest_first else col(AuditEvent.id)
    query = query.order_by(order)
    if limit is not None:
        query = query.limit(limit)
    return session.exec(query).all()
