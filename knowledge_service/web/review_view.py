"""What the review page shows: an owner's findings by severity and due date, the drafts waiting
for approval and agents' feedback (the review queue's items), the evidence side by side with
the cited sentence highlighted in its context, and the version diff."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from pydantic import ValidationError
from sqlmodel import Session

from knowledge_service.access.schemas import Principal
from knowledge_service.content import service as content
from knowledge_service.content.models import ArticleVersion, PolicyVersion
from knowledge_service.errors import InvalidRequestError, NotFoundError
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.acceptance import accepted_until
from knowledge_service.freshness.schemas import (
    ACTIVE_STATUSES,
    SEVERITY_RANK,
    Evidence,
    FindingData,
    FindingFilters,
    FindingPublic,
    Severity,
    any_blocking,
)
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import Embedder
from knowledge_service.review import queue
from knowledge_service.review.diff import StatusChange, status_change
from knowledge_service.review.queue_schemas import (
    QueueFilters,
    QueueItemKind,
    RiskAcceptanceCreate,
)
from knowledge_service.review.queue_schemas import QueueItem as ReviewItem
from knowledge_service.review.risk import MAX_DAYS
from knowledge_service.review.workflow_state import is_new_to_customers
from knowledge_service.settings import Settings
from knowledge_service.web.evidence_text import as_read, contains, field_line, find_span

SUGGESTED_RISK_DAYS = 14
"""The expiry the accept-risk form suggests: a short window to fix the article in."""

MAX_FINDINGS = 500


@dataclass(frozen=True)
class QueueItem:
    finding: FindingPublic
    due_on: date | None
    is_overdue: bool


@dataclass(frozen=True)
class CitedClause:
    """A clause an article cites from a policy (or the whole policy, when it cites no clause):
    its text now and what changed since the policy version in force when the article was last
    reviewed (``note`` says which; ``lines`` is the diff of the clause, empty when unchanged or
    when the store has no earlier version)."""

    ref: str
    heading: str
    text: str
    note: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    since: str | None = None
    now: str | None = None


@dataclass(frozen=True)
class Highlighted:
    """One evidence span in its context: ``before`` + ``match`` (highlighted) + ``after``; for
    a policy named without a clause, the clauses the article cites from it."""

    label: str
    before: str
    match: str
    after: str
    is_policy: bool
    clauses: list[CitedClause] = field(default_factory=list)


@dataclass(frozen=True)
class VersionDiff:
    article_id: str
    old: int | None
    new: int
    lines: list[tuple[str, str]]
    """(css class, line) pairs: ``add``, ``del``, ``hunk`` or ``ctx``; the text's changes only
    (no ``status`` line: see ``status``)."""
    status: StatusChange | None = None
    """The stored status of each version where they differ: a workflow step, shown apart."""
    new_to_customers: bool = False
    """The newest version is a public draft and no published public version is in force (none,
    internal or retired): approving it shows its whole text to customers for the first time,
    whatever the diff shows (an internal article made public changes only its audience line)."""


@dataclass(frozen=True)
class ReviewQueue:
    """The review page's queue: the findings (each with its evidence page), the articles whose
    draft waits for approval, agents' wrong or outdated ratings of current versions, and drafts
    not yet submitted."""

    findings: list[QueueItem]
    drafts: list[ReviewItem]
    feedback: list[ReviewItem]
    unsubmitted: list[ReviewItem]
    policies: list[ReviewItem] = field(default_factory=list)
    """Policy sources' drafts, waiting for approval or not yet submitted."""

    def __len__(self) -> int:
        articles = len(self.drafts) + len(self.feedback) + len(self.unsubmitted)
        return len(self.findings) + articles + len(self.policies)

    def about_policy(self, policy_id: str) -> list[ReviewItem]:
        """The draft items of policy source ``policy_id``."""
        return [i for i in self.policies if i.policy_id == policy_id]

    def about(self, article_id: str) -> list[ReviewItem]:
        """The draft and feedback items of ``article_id``."""
        items = self.drafts + self.unsubmitted + self.feedback
        return [i for i in items if i.article_id == article_id]


def _due_dates(items: list[ReviewItem]) -> dict[int, date]:
    """Each finding's earliest due date as the review queue sets it (the next review date for a
    review finding, the risk acceptance's expiry, else the day it was first seen)."""
    due: dict[int, date] = {}
    for item in items:
        if item.finding_id is not None and item.due_on is not None:
            due[item.finding_id] = min(item.due_on, due.get(item.finding_id, date.max))
    return due


def review_queue(session: Session, caller: Principal, today: date) -> ReviewQueue:
    """The open and acknowledged findings ``caller`` may see (most severe first, then the
    earliest due), and the review queue's drafts to approve and feedback to answer."""
    items, _ = queue.list_queue(session, caller, QueueFilters(), today=today, limit=queue.MAX_LIMIT)
    due = _due_dates(items)
    findings: list[QueueItem] = []
    for status in ACTIVE_STATUSES:
        filters = FindingFilters(status=status)
        found, _ = freshness.list_visible_findings(
            session, caller, filters, limit=MAX_FINDINGS, offset=0
        )
        for finding in found:
            due_on = due.get(finding.id)
            findings.append(QueueItem(finding, due_on, due_on is not None and due_on < today))
    findings.sort(
        key=lambda i: (-SEVERITY_RANK[i.finding.severity], i.due_on or date.max, i.finding.id)
    )
    articles = [i for i in items if i.policy_id is None]
    return ReviewQueue(
        findings,
        drafts=[i for i in articles if i.kind == QueueItemKind.AWAITING_APPROVAL],
        feedback=[i for i in articles if i.kind == QueueItemKind.FEEDBACK],
        unsubmitted=[i for i in articles if i.kind == QueueItemKind.DRAFT],
        policies=[i for i in items if i.policy_id is not None],
    )


def _article_context(session: Session, evidence: Evidence) -> tuple[str, str]:
    assert evidence.article_id is not None
    label = f"Article {evidence.article_id}"
    try:
        row = content.get_article(session, evidence.article_id, evidence.version)
    except NotFoundError:
        return label, evidence.text
    document = row.to_document()
    label = f"Article {evidence.article_id} v{row.version} · {evidence.section or 'text'}"
    if evidence.section == "answer":
        return label, as_read(document.answer)
    if evidence.section == "front matter":  # YAML: its lines are the fields
        return label, _front_matter(row.raw)
    section = next((s for s in document.sections if s.heading == evidence.section), None)
    return label, as_read(section.text) if section else evidence.text


def _policy_context(session: Session, evidence: Evidence) -> tuple[str, str]:
    assert evidence.policy_id is not None
    where = f"{evidence.policy_id}#{evidence.clause}" if evidence.clause else evidence.policy_id
    label = f"Policy {where}" + (
        f" (version {evidence.policy_version})" if evidence.policy_version else ""
    )
    try:
        row = content.get_policy(session, evidence.policy_id)
    except NotFoundError:
        return label, evidence.text
    document = row.to_document()
    clause = document.clause(evidence.clause) if evidence.clause else None
    if clause is not None:
        return label, as_read(clause.text)
    body = as_read(document.body)
    if contains(body, evidence.text):
        return label, body
    front = _front_matter(row.raw)  # a field of it: "effective_date: 2026-10-01"
    return label, front if contains(front, field_line(front, evidence.text)) else evidence.text


def _front_matter(raw: str) -> str:
    """A stored text's YAML front matter, without its fences."""
    return raw.split("\n---", 1)[0].lstrip("-\n")


def _finding_article(session: Session, finding: FindingPublic) -> ArticleVersion | None:
    """The article version the finding's evidence names (else its current version)."""
    named = next((e for e in finding.evidence if e.article_id is not None), None)
    article_id = named.article_id if named else next(iter(finding.article_ids), None)
    if article_id is None:
        return None
    try:
        return content.get_article(session, article_id, named.version if named else None)
    except NotFoundError:
        try:
            return content.get_article(session, article_id)
        except NotFoundError:
            return None


def _in_force(
    history: list[PolicyVersion], current: PolicyVersion, on: date
) -> PolicyVersion | None:
    """The latest stored version before ``current`` that had taken effect by ``on`` (else the
    one just before ``current``; None when ``current`` is the first)."""
    earlier = [v for v in history if v.version < current.version]
    taken = [v for v in earlier if v.to_document().effective_date <= on]
    found = taken or earlier
    return found[-1] if found else None


def _clause_lines(old: str, new: str) -> list[tuple[str, str]]:
    """The whole clause, each line marked kept, removed or added."""
    before, after = old.strip().splitlines(), new.strip().splitlines()
    diff = difflib.unified_diff(before, after, lineterm="", n=max(len(before), len(after)))
    return [(k, line) for k, line in _diff_lines("\n".join(diff)) if k not in ("file", "hunk")]


def _cited_clause(
    policy: PolicyVersion, number: str | None, before: PolicyVersion | None, reviewed: date
) -> CitedClause:
    """Clause ``number`` of ``policy`` (the whole policy when None) against ``before``."""
    doc = policy.to_document()
    ref = f"{doc.id}#{number}" if number else doc.id
    now = doc.clause(number) if number else None
    heading = (now.heading if now else "") if number else doc.title
    text = (now.text if now else "") if number else doc.body
    if number and now is None:
        return CitedClause(ref, heading, "", f"Version {doc.version} has no clause {number}.")
    if before is None:
        return CitedClause(ref, heading, text, f"The store holds no earlier version of "
                           f"{doc.id} to compare with.")  # fmt: skip
    old_doc = before.to_document()
    old = old_doc.clause(number) if number else None
    when = (
        f"version {old_doc.version} (in force when the article was last reviewed, "
        f"{reviewed.isoformat()})"
        if old_doc.effective_date <= reviewed
        else f"version {old_doc.version}, the one before"
    )
    old_text = (old.text if old else None) if number else old_doc.body
    if old_text is None:
        note = f"New in version {doc.version}: {when} had no clause {number}."
        return CitedClause(ref, heading, text, note)
    if old_text.strip() == text.strip():
        return CitedClause(ref, heading, text, f"Unchanged since {when}.")
    return CitedClause(ref, heading, text, f"Changed since {when}:",
                       _clause_lines(old_text, text), old_doc.version, doc.version)  # fmt: skip


def cited_clauses(session: Session, finding: FindingPublic, policy_id: str) -> list[CitedClause]:
    """The clauses of ``policy_id`` the finding's article cites (the finding's own clause when
    it names one), each compared with the policy version in force at the article's last
    review: what a reviewer checks the article against after the policy changed."""
    article = _finding_article(session, finding)
    try:
        history = content.policy_history(session, policy_id)
    except NotFoundError:
        return []
    if article is None:
        return []
    document = article.to_document()
    cited = [r for r in document.policy_sources if r.policy_id == policy_id]
    if finding.policy_id == policy_id and finding.clause:
        numbers: list[str | None] = [finding.clause]
    else:
        numbers = list(dict.fromkeys(r.clause for r in cited))
    current = history[-1]
    before = _in_force(history, current, document.last_reviewed)
    clauses = [_cited_clause(current, n, before, document.last_reviewed) for n in numbers]
    return [replace(c, text=as_read(c.text)) for c in clauses]  # its sentences whole


def highlight_evidence(session: Session, finding: FindingPublic) -> list[Highlighted]:
    """Each evidence span of ``finding`` inside the text it comes from, articles first; a
    policy named without a clause (a policy that changed) comes with the clauses the article
    cites from it and what changed in them."""
    shown = []
    for evidence in finding.evidence:
        is_policy = evidence.article_id is None and evidence.policy_id is not None
        clauses: list[CitedClause] = []
        if is_policy:
            assert evidence.policy_id is not None
            label, context = _policy_context(session, evidence)
            if not evidence.clause:
                clauses = cited_clauses(session, finding, evidence.policy_id)
        elif evidence.article_id is not None:
            label, context = _article_context(session, evidence)
        else:
            label, context = "Evidence", evidence.text
        span = evidence.text
        if evidence.section == "front matter" or (is_policy and not evidence.clause):
            span = field_line(context, span)  # "policy_sources: X" of "policy_sources: [X]"
        before, match, after = find_span(context, span)
        shown.append(Highlighted(label, before, match, after, is_policy, clauses))
    return sorted(shown, key=lambda h: h.is_policy)


def _diff_lines(diff: str) -> list[tuple[str, str]]:
    lines = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "ctx"
        lines.append((kind, line))
    return lines


def policy_diff(session: Session, policy_id: str) -> VersionDiff:
    """The diff between a policy source's last two versions (named by ``article_id``, the
    field the changes part shows)."""
    history = content.policy_history(session, policy_id)
    newest = history[-1].version
    if len(history) < 2:
        return VersionDiff(policy_id, None, newest, [])
    text = content.policies.diff(session, policy_id, history[-2].version, newest)
    status = status_change(history[-2].status, history[-1].status)
    return VersionDiff(policy_id, history[-2].version, newest, _diff_lines(text), status)


def version_diff(
    session: Session, article_id: str, old: int | None = None, new: int | None = None
) -> VersionDiff:
    """The diff between two versions of an article. By default, for a draft, from the version
    in force before it (what approving it changes for its readers, however many drafts lie
    between), else from the version before."""
    history = content.article_history(session, article_id)
    newest = new or history[-1].version
    earlier = [v for v in history if v.version < newest]
    in_force = [v for v in earlier if v.status != "draft"]
    (shown,) = [v for v in history if v.version == newest] or [history[-1]]
    drafted = shown.status == "draft"
    served = in_force[-1] if in_force else None
    first_public = is_new_to_customers(
        str(shown.status), str(shown.audience),
        None if served is None else str(served.status),
        None if served is None else str(served.audience),
    )  # fmt: skip
    default = in_force[-1].version if drafted and in_force else (
        earlier[-1].version if earlier else None
    )  # fmt: skip
    oldest = old if old is not None else default
    if oldest is None:
        return VersionDiff(article_id, None, newest, [], new_to_customers=first_public)
    text = content.diff_article(session, article_id, oldest, newest)
    statuses = {v.version: v.status for v in history}
    status = status_change(statuses.get(oldest), statuses.get(newest))
    return VersionDiff(
        article_id, oldest, newest, _diff_lines(text), status, new_to_customers=first_public
    )


@dataclass(frozen=True)
class RiskView:
    """What the accept-risk form needs: whether the finding blocks, an acceptance already in
    force (its expiry), and the dates the form offers."""

    is_block: bool
    accepted_until: date | None
    suggested_on: date
    earliest_on: date
    latest_on: date


def risk_view(
    session: Session, finding: FindingPublic, today: date, *, stored: bool = True
) -> RiskView:
    """``stored``: the finding is about an article the store holds; one that is not (an
    ``invalid`` file whose id could not be read) blocks nothing, so has no risk to accept."""
    lifted = accepted_until(session, [finding.id], today=today)
    return RiskView(
        is_block=finding.severity == Severity.BLOCK and stored,
        accepted_until=lifted.get(finding.id),
        suggested_on=today + timedelta(days=SUGGESTED_RISK_DAYS),
        earliest_on=today + timedelta(days=1),
        latest_on=today + timedelta(days=MAX_DAYS),
    )


def risk_request(reason: str, expires_on: str) -> RiskAcceptanceCreate:
    """The accept-risk form's fields as the review service's request (the field named on a
    bad value)."""
    try:
        day = date.fromisoformat(expires_on.strip())
    except ValueError:
        raise InvalidRequestError("expires_on", "give the expiry as a date (YYYY-MM-DD)") from None
    try:
        return RiskAcceptanceCreate(reason=reason.strip(), expires_on=day)
    except ValidationError:
        raise InvalidRequestError(
            "reason", "say why customers may be served it (1 to 2000 characters)"
        ) from None


_SEVERITY_NOUNS = {Severity.BLOCK: ("block", "blocks"), Severity.WARN: ("warning", "warnings"),
                   Severity.INFO: ("note", "notes")}  # fmt: skip


@dataclass(frozen=True)
class DraftCheck:
    """What the governance check finds in an article version not served yet (a draft, or one
    waiting for approval) were it published: shown before it is submitted or approved."""

    article_id: str
    version: int
    findings: list[FindingData]

    @property
    def summary(self) -> str:
        """ "1 block and 2 warnings", or "nothing"."""
        parts = []
        for severity, (one, many) in _SEVERITY_NOUNS.items():
            n = sum(1 for f in self.findings if f.severity == severity)
            if n:
                parts.append(f"{n} {one if n == 1 else many}")
        if not parts:
            return "nothing"
        return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"

    @property
    def blocks(self) -> bool:
        return any_blocking(self.findings)


def check_unpublished(
    session: Session, row: ArticleVersion, *, today: date, settings: Settings,
    embedder: Embedder | None, cache: EmbeddingCache | None,
) -> DraftCheck:  # fmt: skip
    """The check an edit runs, of ``row`` as if it were published, against the current
    policies and the served articles; nothing is stored."""
    findings = freshness.check_version(
        session, row, today=today, settings=settings, embedder=embedder, cache=cache
    )
    return DraftCheck(row.article_id, row.version, findings)
