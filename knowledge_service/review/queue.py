"""The content owners' review queue: what needs an owner's attention, most urgent first.

Items are derived, not stored: every request computes them from the store's current state (the
active findings, the current versions, agents' feedback, the answer log). So resolving the cause
closes the item with nothing to reconcile: a re-check that no longer finds a finding resolves it,
a newly published version (an approved edit, a verification) closes the feedback about the old
one, an approved draft is no longer waiting. The price is a few indexed queries per request,
paid only by owners.

Items sort by severity (block first), then due date (earliest first, undated last), then how
often the article is served (most first).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from knowledge_service.access.schemas import Principal
from knowledge_service.analytics import service as analytics
from knowledge_service.analytics.gaps import GapSearch
from knowledge_service.analytics.models import AnswerEvent, Feedback
from knowledge_service.analytics.schemas import NEEDS_REVIEW, WRONG_RATINGS, Gap
from knowledge_service.answers.sanitise import clean_title
from knowledge_service.content import repository as content_repository
from knowledge_service.content import service as content
from knowledge_service.content.models import ArticleVersion, PolicyVersion
from knowledge_service.errors import InvalidRequestError, PermissionDeniedError
from knowledge_service.freshness import repository as findings
from knowledge_service.freshness.acceptance import accepted_until
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.schemas import (
    SEVERITY_RANK,
    Caller,
    FindingKind,
    FindingStatus,
    Severity,
)
from knowledge_service.review.queue_schemas import (
    QueueAction,
    QueueFilters,
    QueueItem,
    QueueItemKind,
    UsedInstead,
)
from knowledge_service.review.transitions import state_of
from knowledge_service.review.workflow import Workflow
from knowledge_service.review.workflow_models import WorkflowRecord
from knowledge_service.review.workflow_schemas import WorkflowState
from knowledge_service.settings import WorkflowSettings

MAX_LIMIT = 1000
GAP_DAYS = 7
"""The content gaps in the queue are those of the last week."""

_A = QueueAction
_FIX: dict[FindingKind, list[QueueAction]] = {
    FindingKind.INVALID: [_A.IMPORT],  # only an import clears it: editing the article does not
    FindingKind.REVIEW_OVERDUE: [_A.VERIFY, _A.EDIT, _A.RETIRE],
    FindingKind.REVIEW_DUE_SOON: [_A.VERIFY, _A.EDIT, _A.RETIRE],
    FindingKind.POLICY_CHANGED: [_A.VERIFY, _A.EDIT],
    FindingKind.CONFLICT: [_A.EDIT, _A.RETIRE],
    FindingKind.DUPLICATE: [_A.EDIT, _A.RETIRE],
    FindingKind.AMBIGUOUS_INTENT: [_A.EDIT, _A.RETIRE],
}
_KIND_OF = {
    FindingKind.REVIEW_OVERDUE: QueueItemKind.REVIEW_OVERDUE,
    FindingKind.REVIEW_DUE_SOON: QueueItemKind.REVIEW_DUE,
}


def _scope(caller: Caller, filters: QueueFilters) -> str | None:
    """The owner whose items the caller sees (None: every owner's, for an admin)."""
    if caller.is_admin:
        return filters.owner
    if caller.owner is None:
        raise PermissionDeniedError("the review queue is for owner and admin keys")
    if filters.owner not in (None, caller.owner):
        raise PermissionDeniedError("an owner key sees its own review queue only")
    return caller.owner


def _actions(
    row: Finding, accepted: date | None, *, stored: bool, drafted: bool = False
) -> list[QueueAction]:
    """What resolves the finding; accepting its risk only where it blocks an article the
    store holds (a file about no stored article blocks nothing a risk acceptance could lift);
    no verify while a draft waits on the served version (the workflow refuses it: the draft
    is approved, with its own dates, or discarded first)."""
    actions = [a for a in _FIX.get(row.kind, [_A.EDIT]) if not (drafted and a is _A.VERIFY)]
    if row.status == FindingStatus.OPEN:
        actions.append(_A.ACKNOWLEDGE)
    if row.severity == Severity.BLOCK and accepted is None and stored:
        actions.append(_A.ACCEPT_RISK)
    return actions


def _finding_item(
    row: Finding,
    version: ArticleVersion | None,
    accepted: date | None,
    served: ArticleVersion | None = None,
) -> QueueItem:
    """``version``: the article's current version; ``served``: the one in force under it
    when that is a draft, whose review a review finding is about (the draft's dates are not
    in force until it is approved)."""
    doc = version.to_document() if version is not None else None
    due = row.first_seen_at.date()
    if doc is not None and row.kind in _KIND_OF:
        due = (served.to_document() if served is not None else doc).next_review
    article_id = version.article_id if version is not None else None
    drafted = version is not None and str(version.status) == "draft"
    return QueueItem(
        key=f"finding:{row.id}" + (f":{article_id}" if article_id else ""),
        kind=_KIND_OF.get(row.kind, QueueItemKind.FINDING),
        article_id=article_id, title=clean_title(doc.title) if doc else None,
        owner=doc.owner if doc else None,
        reason=row.message, evidence=[str(e.get("text", "")) for e in row.evidence],
        severity=row.severity, due_on=accepted or due, served=0,
        actions=_actions(row, accepted, stored=version is not None, drafted=drafted),
        finding_id=row.id, finding_kind=row.kind, status=str(row.status),
        risk_accepted_until=accepted,
    )  # fmt: skip


def finding_items(
    session: Session, articles: dict[str, ArticleVersion], *, everything: bool, today: date
) -> list[QueueItem]:
    """One item per active finding and article in scope; a finding about no article in the
    store (an invalid file whose id could not be read, or names an article never imported)
    only when ``everything`` is in scope."""
    rows = findings.active_findings(session) if everything else findings.active_findings_for(
        session, articles
    )  # fmt: skip
    blocks = [r.id for r in rows if r.id is not None and r.severity == Severity.BLOCK]
    lifted = accepted_until(session, blocks, today=today)
    items = []
    in_force: dict[str, ArticleVersion | None] = {}
    for row in rows:
        accepted = lifted.get(row.id) if row.id is not None else None
        if everything and not any(a in articles for a in row.article_ids):
            items.append(_finding_item(row, None, accepted))
        for article_id in row.article_ids:
            if article_id not in articles:
                continue
            current = articles[article_id]
            if row.kind in _KIND_OF and str(current.status) == "draft":
                if article_id not in in_force:
                    repository = content_repository.articles(session)
                    in_force[article_id] = repository.in_force_version(article_id)
                items.append(_finding_item(row, current, accepted, in_force[article_id]))
            else:
                items.append(_finding_item(row, current, accepted))
    return items


def _states(
    session: Session, kind: str, drafts: Sequence[ArticleVersion | PolicyVersion]
) -> dict[str, tuple[WorkflowState, WorkflowRecord | None]]:
    """Each draft's workflow state (in review once submitted, else draft) and its record."""
    query = select(WorkflowRecord).where(
        WorkflowRecord.kind == kind, col(WorkflowRecord.doc_id).in_([v.doc_id for v in drafts])
    )
    records = {r.doc_id: r for r in session.exec(query)}
    return {
        v.doc_id: (state_of("draft", v.version, records.get(v.doc_id)), records.get(v.doc_id))
        for v in drafts
    }


def draft_items(session: Session, articles: Iterable[ArticleVersion]) -> list[QueueItem]:
    """Articles whose current version is a draft: submitted ones wait for an approver, the
    others for their owner to submit them (approving a draft never submitted is refused)."""
    drafts = [v for v in articles if str(v.status) == "draft"]
    if not drafts:
        return []
    states = _states(session, "article", drafts)
    kept = content_repository.articles(session)
    return [
        _draft_item(v, *states[v.doc_id], owner=v.owner, kept=kept.in_force_version(v.doc_id))
        for v in drafts
    ]


def policy_draft_items(session: Session, owner: str | None) -> list[QueueItem]:
    """Policy sources whose current version is a draft, for those who may approve (or submit)
    them: an admin (``owner`` None: every policy) and the policy's owner."""
    drafts = content.list_policies(session, status="draft", owner=owner)
    if not drafts:
        return []
    states = _states(session, "policy", drafts)
    kept = content_repository.policies(session)
    return [
        _draft_item(
            v,
            *states[v.doc_id],
            owner=v.to_document().owner,
            kept=kept.in_force_version(v.doc_id),
        )
        for v in drafts
    ]


def _draft_item(
    v: ArticleVersion | PolicyVersion,
    state: WorkflowState,
    record: WorkflowRecord | None,
    *,
    owner: str,
    kept: ArticleVersion | PolicyVersion | None = None,
) -> QueueItem:
    """``kept``: the version in force under the draft, which discarding the draft makes
    current again (None: never approved, nothing to discard back to)."""
    if state == WorkflowState.IN_REVIEW:
        kind, actions = QueueItemKind.AWAITING_APPROVAL, [_A.APPROVE, _A.REJECT, _A.EDIT]
        reason = f"Version {v.version} by {v.author} is in review and waits for approval."
    elif record is not None and record.version == v.version and record.rejected_by:
        kind, actions = QueueItemKind.DRAFT, [_A.SUBMIT, _A.EDIT]
        why = (record.rejection_reason or "").rstrip(".")
        reason = (
            f"Version {v.version} by {v.author} was sent back by {record.rejected_by}: {why}. "
            "Edit it as asked, then submit it again."
        )
    else:
        kind, actions = QueueItemKind.DRAFT, [_A.SUBMIT, _A.EDIT]
        reason = f"Version {v.version} by {v.author} is a draft, not yet submitted for review."
    policy = isinstance(v, PolicyVersion)
    return QueueItem(
        key=f"{kind}:{'policy:' if policy else ''}{v.doc_id}:{v.version}", kind=kind,
        article_id=None if policy else v.doc_id, policy_id=v.doc_id if policy else None,
        title=clean_title(v.title), owner=owner,
        reason=f"Policy source {v.doc_id}: {reason}" if policy else reason,
        severity=Severity.INFO, due_on=v.created_at.date(), served=0,
        actions=actions if kept is None else [*actions, _A.DISCARD],
    )  # fmt: skip


def _is_about(feedback: Feedback, served: ArticleVersion, same: dict[int, datetime]) -> bool:
    """Feedback about an older version was answered by the newer one, unless that version has
    the same text (``same``: each version with the served text, and when it was written), as
    a discarded draft leaves it: the text rated is served again."""
    if feedback.version is not None:
        return feedback.version in same
    return feedback.at >= min(same.values(), default=served.created_at)


def _same_text(session: Session, served: ArticleVersion) -> dict[int, datetime]:
    """The versions that served the served version's text without a break: it, and those
    before it with its text back to the first version in force with another (drafts between
    served nothing), each with when it was written."""
    query = (
        select(
            ArticleVersion.version,
            ArticleVersion.content_hash,
            ArticleVersion.status,
            ArticleVersion.created_at,
        )
        .where(
            ArticleVersion.article_id == served.article_id,
            col(ArticleVersion.version) <= served.version,
        )
        .order_by(col(ArticleVersion.version).desc())
    )
    same = {}
    for version, digest, status, at in session.exec(query).all():
        if digest == served.content_hash:
            same[int(version)] = at
        elif str(status) != "draft":
            break
    return same | {served.version: served.created_at}


def _served(session: Session, current: ArticleVersion) -> ArticleVersion | None:
    """The version customers and agents are given: the current one when published; under a
    draft, the published version before it (None: retired, or never published)."""
    if str(current.status) != "draft":
        return current if str(current.status) == "published" else None
    served = content_repository.articles(session).in_force_version(current.article_id)
    return served if served is not None and str(served.status) == "published" else None


def feedback_items(session: Session, articles: dict[str, ArticleVersion]) -> list[QueueItem]:
    """The ratings but ``helpful`` (``wrong``, ``outdated``, ``not_helpful``, ``unclear``),
    and the ratings naming an article used instead (an agent's override, whatever its rating),
    of the version each article serves: a draft
    answers nothing until it is published, so its feedback stays until a version other than
    the rated one is (or the article is retired)."""
    query = select(Feedback).where(
        or_(
            col(Feedback.rating).in_(sorted(NEEDS_REVIEW)),
            col(Feedback.used_article_id).is_not(None),
        )
    )
    if len(articles) < 500:
        query = query.where(col(Feedback.article_id).in_(list(articles)))
    served: dict[str, ArticleVersion | None] = {}
    same: dict[str, dict[int, datetime]] = {}
    grouped: dict[str, list[Feedback]] = {}
    for fb in session.exec(query.order_by(col(Feedback.at))).all():
        current = articles.get(fb.article_id or "")
        if current is None:
            continue
        if current.article_id not in served:
            served[current.article_id] = found = _served(session, current)
            same[current.article_id] = {} if found is None else _same_text(session, found)
        rated = served[current.article_id]
        if rated is not None and _is_about(fb, rated, same[current.article_id]):
            grouped.setdefault(current.article_id, []).append(fb)
    titles = _titles(session, {fb.used_article_id for rows in grouped.values() for fb in rows})
    return [
        _feedback_item(served[a] or articles[a], articles[a], rows, titles)
        for a, rows in grouped.items()
    ]


def _titles(session: Session, article_ids: Iterable[str | None]) -> dict[str, str]:
    """The current title of each of ``article_ids`` that exists, as plain text (as search and
    answers give it: a title's Markdown or HTML is no part of it)."""
    ids = sorted(a for a in article_ids if a)
    titles: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        where = col(ArticleVersion.article_id).in_(ids[start : start + 500])
        titles.update(
            {
                v.article_id: clean_title(v.title)
                for v in content_repository.articles(session).current(where)
            }
        )
    return titles


def _used_instead(rows: Sequence[Feedback], titles: dict[str, str]) -> list[UsedInstead]:
    """The articles the ratings name as used instead, most named first."""
    counts = Counter(r.used_article_id for r in rows if r.used_article_id)
    return [
        UsedInstead(article_id=a, title=titles.get(a), times=n)
        for a, n in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    ]


def _evidence(row: Feedback, titles: dict[str, str]) -> str:
    """One rating in words: "wrong: the comment — agent used Paying by BPAY (bpay)"."""
    said = f"{row.rating}: {row.comment}" if row.comment else row.rating
    used = row.used_article_id
    if used is None:
        return said
    named = f"{titles[used]} ({used})" if used in titles else used
    return f"{said} — agent used {named}"


def _feedback_item(
    rated: ArticleVersion,
    current: ArticleVersion,
    rows: Sequence[Feedback],
    titles: dict[str, str],
) -> QueueItem:
    pending = (
        f" Version {current.version} is a draft: it answers the feedback once published."
        if current.version != rated.version
        else ""
    )
    return QueueItem(
        key=f"feedback:{rated.article_id}:{rated.version}", kind=QueueItemKind.FEEDBACK,
        article_id=rated.article_id, title=clean_title(current.title), owner=current.owner,
        reason=f"{_versions_rated(rated, rows)} rated {_ratings(rows)}.{pending}",
        evidence=[_evidence(r, titles) for r in rows][:5],
        severity=_feedback_severity(rows), due_on=rows[0].at.date(), served=0,
        actions=[_A.EDIT, _A.RETIRE] if pending else [_A.EDIT, _A.VERIFY, _A.RETIRE],
        used_instead=_used_instead(rows, titles),
    )  # fmt: skip


def _feedback_severity(rows: Sequence[Feedback]) -> Severity:
    """``warn`` where a rating says the answer is wrong or outdated, or an agent used another
    article instead; ``info`` where the ratings say only that it was unclear or not helpful."""
    if any(r.rating in WRONG_RATINGS or r.used_article_id for r in rows):
        return Severity.WARN
    return Severity.INFO


def _versions_rated(served: ArticleVersion, rows: Sequence[Feedback]) -> str:
    """The versions the ratings name, with "was" or "were": "Version 3 was", or, where an
    earlier version with the served text was rated (a discarded draft serves it again as a new
    version), "Version 1 (its text is served again as version 3) was"."""
    rated = sorted({r.version for r in rows if r.version is not None})
    if not set(rated) - {served.version}:  # the served version (or none named)
        return f"Version {served.version} was"
    if served.version in rated:
        return f"Versions {_and(rated)} (the same text, served as version {served.version}) were"
    if len(rated) == 1:
        return f"Version {rated[0]} (its text is served again as version {served.version}) was"
    return f"Versions {_and(rated)} (their text is served again as version {served.version}) were"


def _and(numbers: Sequence[int]) -> str:
    """1, 2 and 3."""
    return ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def _ratings(rows: Sequence[Feedback]) -> str:
    """What the ratings said, and by whom: "wrong 2 times (2 by customers)", or, rated more
    than one way, how often each ("3 times (3 by customers): helpful once, wrong 2 times"; it
    read "helpful and wrong 3 times", as if each rating had said both)."""
    counts = sorted(Counter(r.rating.replace("_", " ") for r in rows).items())
    if len(counts) == 1:
        return f"{counts[0][0]} {_times(len(rows))} ({_raters(rows)})"
    each = ", ".join(f"{rating} {_times(n)}" for rating, n in counts)
    return f"{_times(len(rows))} ({_raters(rows)}): {each}"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _raters(rows: Sequence[Feedback]) -> str:
    """Who rated: agents (an answer given on the agent channel) and customers (through a bot
    or a page, on a customer channel)."""
    agents = sum(1 for r in rows if r.channel == "agent")
    customers = sum(1 for r in rows if r.channel is not None and r.channel != "agent")
    parts = [
        f"{agents} by agents" if agents else "",
        f"{customers} by customers" if customers else "",
    ]
    return ", ".join(p for p in parts if p) or "channel not recorded"


def recent_gaps(
    session: Session, search: GapSearch, today: date, *, confidence_below: float
) -> list[Gap]:
    """The ten largest content gaps of the :data:`GAP_DAYS` days up to ``today``: clusters of the
    questions answered with confidence under ``confidence_below``."""
    return analytics.content_gaps(
        session, search, today - timedelta(days=GAP_DAYS - 1), today,
        confidence_below=confidence_below, limit=10,
    )  # fmt: skip


def _asked(gap: Gap) -> str:
    """ "3 questions, asked 7 times": distinct questions, then how often they were asked."""
    questions = f"{gap.size} question{'s' if gap.size != 1 else ''}"
    return f"{questions}, asked {gap.asks} time{'s' if gap.asks != 1 else ''},"


def content_gap_items(gaps: Sequence[Gap], owner: str | None) -> list[QueueItem]:
    """Content gaps (clusters of unanswered questions by meaning, ``analytics.gaps``) belong to
    no owner: they are items of the admins' whole queue (``owner`` None), to write an article
    or extend the nearest one."""
    if owner is not None:
        return []
    items = []
    for gap in gaps:
        key = hashlib.sha256("\x1f".join(gap.examples).encode()).hexdigest()[:16]
        nearest = f" (nearest article: {gap.nearest_article_id})" if gap.nearest_article_id else ""
        items.append(
            QueueItem(
                key=f"gap:{key}", kind=QueueItemKind.CONTENT_GAP, article_id=None,
                reason=f"{_asked(gap)} found no confident answer{nearest}.",
                evidence=gap.examples, severity=Severity.WARN if gap.asks >= 5 else Severity.INFO,
                due_on=None, served=0, actions=[QueueAction.WRITE_ARTICLE, QueueAction.EDIT],
            )
        )  # fmt: skip
    return items


def served_counts(session: Session, article_ids: Iterable[str]) -> dict[str, int]:
    """How many answers and searches the answer log holds for each article. A hand-off
    (escalate, no_answer) names its best candidate, but nobody was told it: not counted."""
    ids = sorted(set(article_ids))
    counts: dict[str, int] = {}
    shown = or_(col(AnswerEvent.kind) != "answer", col(AnswerEvent.status) == "answered")
    for start in range(0, len(ids), 500):
        query = (
            select(AnswerEvent.article_id, func.count(col(AnswerEvent.id)))
            .where(col(AnswerEvent.article_id).in_(ids[start : start + 500]), shown)
            .group_by(col(AnswerEvent.article_id))
        )
        counts.update({a: int(n) for a, n in session.exec(query).all() if a is not None})
    return counts


ADMIN_ONLY = frozenset({QueueAction.ACCEPT_RISK})
"""Queue actions only an admin may take (``review.risk.check_may_accept``)."""


def _as_offered_to(caller: Caller, item: QueueItem) -> QueueItem:
    """``item`` with only the actions ``caller`` may take: an owner key is never offered
    accepting a risk, which would be refused with a 403."""
    if not caller.is_admin:
        item.actions = [a for a in item.actions if a not in ADMIN_ONLY]
    return item


def _without_barred_approvals(
    session: Session, caller: Caller, items: Sequence[QueueItem], workflow: WorkflowSettings
) -> None:
    """Take approve from the drafts four eyes bar ``caller`` from approving (its last editor,
    where the audience or policies need a second person): the workflow would refuse it."""
    if not isinstance(caller, Principal):
        return
    flows = {"article": Workflow(content.articles, workflow)}
    flows["policy"] = Workflow(content.policies, workflow)
    for item in items:
        if item.kind != QueueItemKind.AWAITING_APPROVAL or _A.APPROVE not in item.actions:
            continue
        flow = flows["policy" if item.policy_id else "article"]
        doc_id = item.policy_id or item.article_id
        if doc_id is not None and not flow.may_approve(session, caller, doc_id):
            item.actions = [a for a in item.actions if a is not _A.APPROVE]


def _sort_key(item: QueueItem) -> tuple[int, date, int, str, str]:
    due = item.due_on or date.max
    return (-SEVERITY_RANK[item.severity], due, -item.served, item.article_id or "", item.key)


def list_queue(
    session: Session,
    caller: Caller,
    filters: QueueFilters,
    *,
    today: date,
    limit: int = 50,
    offset: int = 0,
    gaps: Sequence[Gap] = (),
    workflow: WorkflowSettings | None = None,
) -> tuple[list[QueueItem], int]:
    """One page of the caller's queue items (an owner key: its own articles' and policy
    sources' drafts; an admin: any owner's, or ``filters.owner``'s, and the content ``gaps``)
    and how many there are on all pages.

    Raises:
        PermissionDeniedError: an agent or bot key, or an owner key asking for another owner.
        InvalidRequestError: ``limit`` or ``offset`` out of range.

    ``workflow``: the four-eyes settings, which take approve from the drafts the caller last
    edited (None: approve stays on every waiting draft).
    """
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        name = "offset" if offset < 0 else "limit"
        raise InvalidRequestError(name, f"limit must be 1..{MAX_LIMIT}, offset at least 0")
    owner = _scope(caller, filters)
    current = content.list_articles(session, owner=owner)
    articles = {v.article_id: v for v in current}
    items = finding_items(session, articles, everything=owner is None, today=today)
    items += draft_items(session, current) + policy_draft_items(session, owner)
    items += feedback_items(session, articles)
    items += content_gap_items(gaps, owner)
    items = [_as_offered_to(caller, i) for i in items if filters.keeps(i)]
    if workflow is not None:  # the four-eyes settings: approve only where the caller may
        _without_barred_approvals(session, caller, items, workflow)
    served = served_counts(session, (i.article_id for i in items if i.article_id))
    for item in items:
        item.served = served.get(item.article_id or "", 0)
    items.sort(key=_sort_key)
    return items[offset : offset + limit], len(items)
