"""The governance check's verbs: check the store (whole or after an edit) and manage findings.

:func:`run_check` (re-exported from :mod:`~knowledge_service.freshness.checker`) checks documents;
:func:`check_store` checks the current versions in the store and keeps :class:`Finding` rows in
step: a re-run never duplicates a finding, a fixed cause resolves it, an acknowledged finding
stays acknowledged while its cause persists.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service.content import repository as content_repository
from knowledge_service.content.loader import InvalidFile
from knowledge_service.content.models import ArticleVersion, utcnow
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidRequestError, NotFoundError
from knowledge_service.freshness import repository
from knowledge_service.freshness.checker import (
    ArticleEmbedding,
    article_text,
    candidate_pairs,
    evaluate,
    min_pair_similarity,
    run_check,
)
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.pairs import IntentClaim
from knowledge_service.freshness.rules import CheckedArticle
from knowledge_service.freshness.schemas import (
    CheckResult,
    FindingData,
    FindingKind,
    FindingStatus,
    summarise,
)
from knowledge_service.freshness.scope import affected_articles
from knowledge_service.index.cache import EmbeddingCache, encode_cached
from knowledge_service.index.embedder import Embedder
from knowledge_service.settings import Settings, get_settings

__all__ = [
    "check_store",
    "findings_for_article",
    "list_findings",
    "run_check",
    "set_finding_status",
    "sync_findings",
]

SYSTEM_ACTOR = "check"


@dataclass(frozen=True, slots=True)
class _StoreView:
    """The current published versions, light enough to hold for a whole knowledge base."""

    rows: dict[str, ArticleVersion]
    claims: list[IntentClaim]


def _published_view(session: Session) -> _StoreView:
    rows = {
        r.article_id: r
        for r in content_repository.current_article_versions(session, statuses=["published"])
    }
    claims = [
        IntentClaim(
            r.article_id,
            r.version,
            tuple(r.document.get("intents", [])),
            r.audience,
            r.locale,
            r.document.get("source_path"),
        )
        for r in rows.values()
    ]
    return _StoreView(rows, claims)


def _store_vectors(
    view: _StoreView, embedder: Embedder, cache: EmbeddingCache | None
) -> dict[str, ArticleEmbedding]:
    ids = list(view.rows)
    docs = [view.rows[i].document for i in ids]
    texts = [article_text(d.get("title", ""), d.get("body", "")) for d in docs]
    texts += [d.get("answer", "") for d in docs]
    matrix = encode_cached(embedder, texts, cache)
    n = len(ids)
    return {a: ArticleEmbedding(matrix[k], matrix[n + k]) for k, a in enumerate(ids)}


def check_store(
    engine: Engine,
    *,
    today: date,
    embedder: Embedder | None = None,
    article_ids: Collection[str] | None = None,
    policy_ids: Collection[str] | None = None,
    settings: Settings | None = None,
    cache: EmbeddingCache | None = None,
    invalid: Sequence[InvalidFile] | None = None,
) -> CheckResult:
    """Check the store's current versions and sync the findings table.

    Args:
        engine: the store.
        today: the date review dates are compared with.
        embedder: finds near-identical articles; None compares only articles sharing an intent.
        article_ids: edited articles: check only what they can affect (themselves, articles
            sharing their intents, their nearest neighbours and their existing findings).
            None (and no ``policy_ids``) checks everything.
        policy_ids: changed policies: also check the articles citing them.
        settings: thresholds; defaults to :func:`get_settings`.
        cache: embedding cache (vectors of unchanged articles are never computed twice).
        invalid: files that failed to load (a full check resolves ``invalid`` findings of
            files no longer listed); None leaves ``invalid`` findings alone.

    Returns:
        The findings about the checked articles; ``summary.articles_checked`` counts them.
    """
    settings = settings or get_settings()
    incremental = article_ids is not None or policy_ids is not None
    with session_scope(engine) as session:
        view = _published_view(session)
        vectors = _store_vectors(view, embedder, cache) if embedder is not None else None
        policies = [p.to_document() for p in content_repository.current_policy_versions(session)]
        scope: set[str] | None = None
        if incremental:
            existing = repository.active_findings_for(session, list(article_ids or ()))
            scope = affected_articles(
                view.rows,
                view.claims,
                vectors,
                changed=set(article_ids or ()),
                changed_policies=set(policy_ids or ()),
                finding_ids=[f.article_ids for f in existing],
                min_similarity=min_pair_similarity(settings),
            )
        examined = set(view.rows) if scope is None else scope & set(view.rows)
        items = [
            CheckedArticle.of(view.rows[a].to_document(), view.rows[a].version)
            for a in sorted(examined)
        ]
        pairs = candidate_pairs(
            items, settings=settings, vector_ids=list(view.rows), vectors=vectors
        )
        findings = evaluate(
            items,
            policies,
            pairs,
            today=today,
            settings=settings,
            invalid=invalid or (),
            claims=view.claims if incremental else None,
        )
        sync_findings(
            session, findings, covered=_coverage(scope, invalid is not None), involving=scope
        )
    n_invalid = len(invalid or ())
    summary = summarise(
        findings, articles=len(items), policies=len(policies), invalid=n_invalid, pairs=len(pairs)
    )
    return CheckResult(findings=findings, summary=summary)


def _coverage(scope: set[str] | None, invalid_known: bool) -> Callable[[Finding], bool]:
    """Which stored findings this run re-evaluated (and may therefore resolve)."""

    def covered(row: Finding) -> bool:
        if row.kind == FindingKind.INVALID:
            return invalid_known and scope is None
        if scope is None:
            return True
        return bool(row.article_ids) and set(row.article_ids) <= scope

    return covered


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
        row = existing.get(data.fingerprint)
        payload: dict[str, Any] = {
            "kind": str(data.kind),
            "severity": str(data.severity),
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
            continue
        for name, value in payload.items():
            setattr(row, name, value)
        if row.status == FindingStatus.RESOLVED:
            row.status, row.resolved_at = FindingStatus.OPEN, None
            repository.add_event(session, row, "reopened", actor=SYSTEM_ACTOR)
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


def list_findings(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    article_id: str | None = None,
    severity: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Finding]:
    """Stored findings matching every given filter (``limit`` 1..1000)."""
    if not 1 <= limit <= 1000:
        raise InvalidRequestError("limit", "must be between 1 and 1000")
    if offset < 0:
        raise InvalidRequestError("offset", "must not be negative")
    _check_choice("status", status, FindingStatus)
    _check_choice("kind", kind, FindingKind)
    _check_choice("severity", severity, {"block", "warn", "info"})
    return list(
        repository.list_findings(
            session,
            status=status,
            kind=kind,
            article_id=article_id,
            severity=severity,
            limit=limit,
            offset=offset,
        )
    )


def _check_choice(name: str, value: str | None, allowed: Iterable[object]) -> None:
    choices = sorted(str(a) for a in allowed)
    if value is not None and value not in choices:
        raise InvalidRequestError(name, f"must be one of {', '.join(choices)} (got {value!r})")


def findings_for_article(session: Session, article_id: str) -> list[Finding]:
    """The open and acknowledged findings that involve ``article_id``."""
    rows = repository.active_findings_for(session, [article_id])
    return sorted(rows, key=lambda r: (r.severity != "block", r.kind, r.id or 0))


_TRANSITIONS = {
    FindingStatus.ACKNOWLEDGED: "acknowledged",
    FindingStatus.RESOLVED: "resolved",
    FindingStatus.OPEN: "reopened",
}


def set_finding_status(
    session: Session,
    fingerprint_or_id: str | int,
    status: str,
    *,
    actor: str,
    note: str | None = None,
) -> Finding:
    """Acknowledge, resolve or reopen a finding by hand; the change is written to its history.

    Raises:
        NotFoundError: no finding has that id or fingerprint.
        InvalidRequestError: ``status`` is not open, acknowledged or resolved.
    """
    _check_choice("status", status, FindingStatus)
    row = repository.get_finding(session, fingerprint_or_id)
    if row is None:
        raise NotFoundError("finding", str(fingerprint_or_id))
    new = FindingStatus(status)
    if row.status != new:
        row.status = new
        row.resolved_at = utcnow() if new == FindingStatus.RESOLVED else None
        session.add(row)
        repository.add_event(session, row, _TRANSITIONS[new], actor=actor, note=note)
    return row
