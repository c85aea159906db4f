"""Findings of the governance check as data: kinds, severities, evidence and a run's result.

These are the boundary shapes that the CLI prints and the HTTP layer returns; the
:mod:`~knowledge_service.freshness.models` tables persist them.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from knowledge_service.index.schemas import SearchHit


class FindingKind(StrEnum):
    INVALID = "invalid"
    REVIEW_OVERDUE = "review_overdue"
    REVIEW_DUE_SOON = "review_due_soon"
    POLICY_MISSING = "policy_missing"
    POLICY_RETIRED = "policy_retired"
    POLICY_CHANGED = "policy_changed"
    POLICY_MISMATCH = "policy_mismatch"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    AMBIGUOUS_INTENT = "ambiguous_intent"


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"
    INFO = "info"


class FindingStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


ACTIVE_STATUSES = (FindingStatus.OPEN, FindingStatus.ACKNOWLEDGED)


class Badge(StrEnum):
    """One word for an article's freshness: its most severe active finding."""

    CURRENT = "current"
    WARN = "warn"
    BLOCK = "block"


SEVERITY: dict[FindingKind, Severity] = {
    FindingKind.INVALID: Severity.BLOCK,
    FindingKind.REVIEW_OVERDUE: Severity.BLOCK,  # warns during the grace period (rules.py)
    FindingKind.REVIEW_DUE_SOON: Severity.INFO,
    FindingKind.POLICY_MISSING: Severity.BLOCK,
    FindingKind.POLICY_RETIRED: Severity.BLOCK,
    FindingKind.POLICY_CHANGED: Severity.WARN,
    FindingKind.POLICY_MISMATCH: Severity.BLOCK,
    FindingKind.CONFLICT: Severity.BLOCK,
    FindingKind.DUPLICATE: Severity.WARN,
    FindingKind.AMBIGUOUS_INTENT: Severity.WARN,
}

SEVERITY_RANK: dict[Severity, int] = {Severity.BLOCK: 2, Severity.WARN: 1, Severity.INFO: 0}


class Evidence(BaseModel):
    """One span that triggered a finding: where it is and what it says.

    ``article_id``/``version``/``section`` locate article text; ``policy_id``/``clause``/
    ``policy_version`` locate policy text; ``fact`` is the normalised fact it states (if any).
    """

    article_id: str | None = None
    version: int | None = None
    section: str | None = None
    text: str
    policy_id: str | None = None
    clause: str | None = None
    policy_version: str | None = None
    path: str | None = None
    line: int | None = None
    fact: str | None = None


def make_fingerprint(
    kind: FindingKind,
    article_ids: list[str],
    policy_id: str | None,
    clause: str | None,
    fact_key: str,
) -> str:
    """A stable id of a finding across runs: the same cause always gives the same fingerprint."""
    payload = json.dumps([str(kind), sorted(article_ids), policy_id, clause, fact_key])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


class FindingData(BaseModel):
    """One finding of a check run (not yet, or not necessarily, persisted)."""

    kind: FindingKind
    severity: Severity
    article_ids: list[str]
    policy_id: str | None = None
    clause: str | None = None
    message: str
    evidence: list[Evidence] = Field(default_factory=list)
    fingerprint: str = ""
    fact_key: str = Field(default="", exclude=True)

    @classmethod
    def create(
        cls,
        kind: FindingKind,
        article_ids: list[str],
        message: str,
        evidence: list[Evidence],
        *,
        policy_id: str | None = None,
        clause: str | None = None,
        fact_key: str = "",
        severity: Severity | None = None,
    ) -> FindingData:
        """Build a finding with its fingerprint and severity (the kind's, unless given) filled
        in. The severity is not part of the fingerprint: a finding whose severity changes (a
        review grace period ending) stays the same finding."""
        ids = sorted(set(article_ids))
        return cls(
            kind=kind,
            severity=severity or SEVERITY[kind],
            article_ids=ids,
            policy_id=policy_id,
            clause=clause,
            message=message,
            evidence=evidence,
            fingerprint=make_fingerprint(kind, ids, policy_id, clause, fact_key),
            fact_key=fact_key,
        )

    def as_json(self) -> dict[str, Any]:
        """The JSON object of the content-format contract."""
        return self.model_dump(mode="json", exclude_none=False)


class CheckSummary(BaseModel):
    """Counts of a check run."""

    articles_checked: int = 0
    policies_checked: int = 0
    invalid_files: int = 0
    findings: int = 0
    by_severity: dict[str, int] = Field(default_factory=dict)
    by_kind: dict[str, int] = Field(default_factory=dict)
    candidate_pairs: int = 0
    blocking: bool = False


class CheckResult(BaseModel):
    """Findings of one run, most severe first, and a summary."""

    findings: list[FindingData] = Field(default_factory=list)
    summary: CheckSummary = Field(default_factory=CheckSummary)

    def as_json(self) -> dict[str, Any]:
        return {
            "findings": [f.as_json() for f in self.findings],
            "summary": self.summary.model_dump(mode="json"),
        }

    def fails(self, fail_on: Severity = Severity.BLOCK) -> bool:
        """True when a finding is at least as severe as ``fail_on``."""
        floor = SEVERITY_RANK[fail_on]
        return any(SEVERITY_RANK[f.severity] >= floor for f in self.findings)


def any_blocking(findings: Iterable[FindingData]) -> bool:
    """Whether any of ``findings`` blocks customer channels."""
    return any(f.severity == Severity.BLOCK for f in findings)


class VersionCheck(BaseModel):
    """What the check finds in one article version were it the served one (nothing stored)."""

    article_id: str
    version: int
    status: str = Field(description="The version's own status (draft, in review, published...)")
    blocking: bool = Field(
        description="Whether a finding would block customer channels, were it published"
    )
    findings: list[FindingData] = Field(
        description="The findings that would involve the article, most severe first"
    )


def summarise(
    findings: list[FindingData], *, articles: int, policies: int, invalid: int, pairs: int
) -> CheckSummary:
    """Counts by kind and severity."""
    return CheckSummary(
        articles_checked=articles,
        policies_checked=policies,
        invalid_files=invalid,
        findings=len(findings),
        by_severity=dict(Counter(str(f.severity) for f in findings)),
        by_kind=dict(Counter(str(f.kind) for f in findings)),
        candidate_pairs=pairs,
        blocking=any_blocking(findings),
    )


def sort_findings(findings: list[FindingData]) -> list[FindingData]:
    """Most severe first, then by article, kind and fingerprint (a stable order)."""
    return sorted(
        findings,
        key=lambda f: (-SEVERITY_RANK[f.severity], f.article_ids, str(f.kind), f.fingerprint),
    )


class Caller(Protocol):
    """Who asks (``access.schemas.Principal`` fits): the findings it sees and may change.

    An owner key (``owner`` set) sees and changes only findings on the articles it owns; other
    readers see every finding; admins change any.
    """

    @property
    def name(self) -> str: ...

    @property
    def person(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def owner(self) -> str | None: ...

    @property
    def is_admin(self) -> bool: ...


class FindingPublic(BaseModel):
    """One finding of the governance check."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    fingerprint: str = Field(description="Stable across check runs: the same cause, the same id.")
    kind: FindingKind
    severity: Severity
    status: FindingStatus
    article_ids: list[str] = Field(examples=[["refund-timeframe"]])
    policy_id: str | None = Field(default=None, examples=["REFUNDS"])
    clause: str | None = Field(default=None, examples=["2.1"])
    message: str
    evidence: list[Evidence]
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None = None


MAX_NOTE_CHARS = 2000
"""The longest note an owner may give with a finding's new status."""


class FindingStatusChange(BaseModel):
    """A new status for a finding, with an optional note for its history."""

    model_config = ConfigDict(extra="forbid")

    status: FindingStatus = Field(
        description="acknowledged (seen; a block still blocks) or open; resolved gets 409."
    )
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)


@dataclass(frozen=True, slots=True)
class FindingFilters:
    """Which findings a list shows: every given filter must match."""

    status: FindingStatus | None = None
    kind: FindingKind | None = None
    severity: Severity | None = None
    article_id: str | None = None


@dataclass(frozen=True, slots=True)
class FindingCounts:
    """The store's active findings: open, acknowledged, and how many of them block."""

    open: int
    acknowledged: int
    blocking: int


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """Who last acknowledged a finding (the key's name), when, and the note they gave with it
    (stored redacted)."""

    by: str
    at: datetime
    note: str | None


class FreshnessNote(BaseModel):
    """An active finding as a serving response shows it (``/v1/answer``, ``/v1/search``)."""

    kind: FindingKind
    severity: Severity
    message: str | None = Field(
        default=None,
        description="What is wrong (the agent channel, and search); customer channels (chat, "
        "voice, email, web) get a fixed customer-safe sentence for the kind and severity",
    )
    risk_accepted_until: date | None = Field(
        default=None, description="A block whose risk an admin accepted: served until this date."
    )

    @property
    def blocks(self) -> bool:
        """A blocking finding no active risk acceptance lifts (acknowledging never does)."""
        return self.severity == Severity.BLOCK and self.risk_accepted_until is None


class SearchResult(SearchHit):
    """A ranked article with the findings that touch it and a one-word badge."""

    freshness: list[FreshnessNote] = Field(default_factory=list)
    badge: Badge = Field(description="block: a blocking finding; warn: a warning; else current")


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResult]
    as_of: datetime
    locale_fallback: bool = Field(
        default=False,
        description="True when the asked regional `locale` (en-US) has no article the search "
        "finds, and the results are its language's articles from other regions instead (en-AU: "
        "each result's `locale` says which). False otherwise, also when nothing is found.",
    )
