"""Tables of the governance check: findings tracked across runs (their history is in the audit
log, :mod:`knowledge_service.audit`, under object type ``finding``).

A finding's ``fingerprint`` (kind, articles, policy clause and fact) identifies its cause, so a
re-run updates the same row instead of adding one; a cause that is gone resolves it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from knowledge_service.content.models import UTCDateTime, utcnow
from knowledge_service.freshness.schemas import FindingKind, FindingStatus, Severity


class StrEnumType(TypeDecorator[StrEnum]):
    """A ``StrEnum`` stored as its value (plain text, readable by any query) and read back as
    the enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: StrEnum | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


def _enum_column(enum: type[StrEnum], **kwargs: Any) -> Any:
    return Column(StrEnumType(enum), nullable=False, index=True, **kwargs)


class Finding(SQLModel, table=True):
    """One finding, open, acknowledged or resolved."""

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(unique=True, index=True, max_length=64)
    kind: FindingKind = Field(sa_column=_enum_column(FindingKind))
    severity: Severity = Field(sa_column=_enum_column(Severity))
    article_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    policy_id: str | None = Field(default=None, index=True)
    clause: str | None = None
    message: str
    evidence: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: FindingStatus = Field(default=FindingStatus.OPEN, sa_column=_enum_column(FindingStatus))
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


class RiskAcceptance(SQLModel, table=True):
    """An admin's explicit, audited decision to serve an article despite a blocking finding.

    It lets customers be served until ``expires_on`` (it lapses on that date, by
    :func:`knowledge_service.clock.today`), and ends early when the finding resolves or the
    acceptance is withdrawn (``ended_at``). Rows are never deleted.
    """

    __tablename__ = "risk_acceptance"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    accepted_by: str
    reason: str
    expires_on: date
    accepted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    ended_reason: str | None = None

    def is_active(self, today: date) -> bool:
        """Whether it still lifts its finding's block today."""
        return self.ended_at is None and today < self.expires_on

    def was_active(self, at: datetime) -> bool:
        """Whether it lifted its finding's block at the instant ``at``."""
        ended = self.ended_at is not None and self.ended_at <= at
        return self.accepted_at <= at and not ended and at.date() < self.expires_on


class CheckMark(SQLModel, table=True):
    """The store's "checked through" watermark (one row, ``id`` 1): every article version up to
    ``articles`` and policy version up to ``policies`` has been through a finished after-write
    pipeline (index sync and check). It is written only when a run has finished, so a run that
    stopped after its write committed (Ctrl-C, a model that would not load) leaves it behind, and
    the next run checks everything written since (:mod:`knowledge_service.freshness.pipeline`).
    A store without the row has it written by the first command that writes (the watermarks it
    finds: what was there is taken as checked, as before the row existed)."""

    __tablename__ = "check_mark"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    articles: int
    policies: int
    checked_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
