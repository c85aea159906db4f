"""Boundary shapes of the review queue, risk acceptance, the audit trail and export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge_service.audit import Via
from knowledge_service.freshness.schemas import FindingKind, Severity


class QueueItemKind(StrEnum):
    """Why something is in a content owner's review queue."""

    FINDING = "finding"
    REVIEW_OVERDUE = "review_overdue"
    REVIEW_DUE = "review_due"
    AWAITING_APPROVAL = "awaiting_approval"
    DRAFT = "draft"
    FEEDBACK = "feedback"
    CONTENT_GAP = "content_gap"


class QueueKindFilter(StrEnum):
    """What ``kind`` filters a queue by: an item kind (:class:`QueueItemKind`), or a finding's
    own kind (:class:`~knowledge_service.freshness.schemas.FindingKind`: ``policy_mismatch``,
    ``invalid``, ...), which keeps the items of findings of that kind."""

    FINDING = "finding"
    REVIEW_OVERDUE = "review_overdue"
    REVIEW_DUE = "review_due"
    AWAITING_APPROVAL = "awaiting_approval"
    DRAFT = "draft"
    FEEDBACK = "feedback"
    CONTENT_GAP = "content_gap"
    INVALID = "invalid"
    REVIEW_DUE_SOON = "review_due_soon"
    POLICY_MISSING = "policy_missing"
    POLICY_RETIRED = "policy_retired"
    POLICY_CHANGED = "policy_changed"
    POLICY_MISMATCH = "policy_mismatch"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    AMBIGUOUS_INTENT = "ambiguous_intent"


class QueueAction(StrEnum):
    """An action that resolves a queue item (the verbs of the API and the CLI)."""

    EDIT = "edit"
    VERIFY = "verify"
    RETIRE = "retire"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    DISCARD = "discard"
    """Throw the draft away: the version in force before it is current again."""
    ACKNOWLEDGE = "acknowledge"
    ACCEPT_RISK = "accept_risk"
    WRITE_ARTICLE = "write_article"
    IMPORT = "import"
    """Fix the file and import it again: only an import clears an ``invalid`` finding."""


class UsedInstead(BaseModel):
    """An article agents used instead of the one rated (feedback's ``used_article_id``)."""

    article_id: str
    title: str | None = Field(description="Its current title (None: no such article now).")
    times: int = Field(description="How many of the item's ratings name it.")


class QueueItem(BaseModel):
    """One piece of work for a content owner, derived from the store's current state."""

    key: str = Field(description="Stable id of the item while its cause lasts.")
    kind: QueueItemKind
    article_id: str | None = Field(
        description="The article (None: a file, a content gap or a policy source's draft)."
    )
    policy_id: str | None = Field(
        default=None, description="The policy source, for a policy draft (article_id None)."
    )
    title: str | None = None
    owner: str | None = None
    reason: str = Field(description="Why it needs attention, in one sentence.")
    evidence: list[str] = Field(default_factory=list, description="The text that triggered it.")
    severity: Severity
    due_on: date | None = Field(description="When it is (or was) due; None: no date.")
    served: int = Field(description="How often the article has been served (answer log).")
    actions: list[QueueAction] = Field(
        description="What resolves it that the caller may do (accept_risk: admins only)."
    )
    finding_id: int | None = None
    finding_kind: FindingKind | None = Field(
        default=None, description="A finding's own kind (policy_mismatch, invalid, ...)."
    )
    status: str | None = Field(default=None, description="A finding's status.")
    risk_accepted_until: date | None = None
    used_instead: list[UsedInstead] = Field(
        default_factory=list,
        description="Feedback: the articles agents used instead, most named first.",
    )


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """Which items a queue shows: ``owner`` (admins only choose), ``kind`` (an item kind, or a
    finding kind)."""

    owner: str | None = None
    kind: QueueKindFilter | QueueItemKind | None = None

    def keeps(self, item: QueueItem) -> bool:
        """Whether ``item`` is of the kind asked for (any, when none is)."""
        if self.kind is None:
            return True
        return self.kind in (item.kind, item.finding_kind)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


class RiskAcceptanceCreate(BaseModel):
    """An admin's explicit acceptance of a blocking finding's risk until a date."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000, description="Why it may be served.")
    expires_on: date = Field(description="It lapses on this date (after today, within a year).")

    _reason = field_validator("reason")(_not_blank)


class RiskAcceptancePublic(BaseModel):
    """A risk acceptance as recorded."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    finding_id: int
    accepted_by: str
    reason: str
    expires_on: date
    accepted_at: datetime
    ended_at: datetime | None = None
    ended_reason: str | None = None
    is_active: bool = Field(description="Whether it lifts the block today.")


class AuditObject(StrEnum):
    """The kinds of object the audit log records."""

    ARTICLE = "article"
    POLICY = "policy"
    FINDING = "finding"
    API_KEY = "api_key"


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """Which audit events a list shows: every given filter must match."""

    object_type: AuditObject | None = None
    object_id: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    with_findings: bool = False
    """With an article's id: the events of the findings on it too (acknowledgements, risk
    acceptances, reopenings), which are recorded against the finding."""


class AuditEventPublic(BaseModel):
    """Who did what to which object, when, why, and the versions before and after."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    via: Via | None = Field(
        default=None,
        description="How the actor acted: with an API key (through the API or the pages), on "
        "the command line (a workflow step's --actor, an import's author, a key command), or "
        "the governance check; null on an event of an earlier release that does not tell.",
    )
    action: str
    object_type: str
    object_id: str
    version_before: int | None = None
    version_after: int | None = None
    reason: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class ExportReport(BaseModel):
    """What an export wrote (paths relative to its folder)."""

    articles: list[str] = Field(default_factory=list)
    policies: list[str] = Field(default_factory=list)
