"""Tables of the governance check: findings tracked across runs (their history is in the audit
log, :mod:`knowledge_service.audit`, under object type ``finding``).

A finding's ``fingerprint`` (kind, articles, policy clause and fact) identifies its cause, so a
re-run updates the same row instead of adding one; a cause that is gone resolves it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from knowledge_service.content.models import UTCDateTime, utcnow


class Finding(SQLModel, table=True):
    """One finding, open, acknowledged or resolved."""

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(unique=True, index=True, max_length=64)
    kind: str = Field(index=True)
    severity: str = Field(index=True)
    article_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    policy_id: str | None = Field(default=None, index=True)
    clause: str | None = None
    message: str
    evidence: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: str = Field(default="open", index=True)
    first_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class FindingArticle(SQLModel, table=True):
    """Which articles a finding involves, indexed both ways: the per-request lookups of
    ``/v1/answer`` and ``/v1/search`` stay index seeks however many findings there are.

    A finding's articles never change (they are part of its fingerprint), so its rows are
    written once, when the finding is created.
    """

    __tablename__ = "finding_article"

    finding_id: int = Field(foreign_key="finding.id", primary_key=True)
    article_id: str = Field(primary_key=True, index=True, max_length=120)
