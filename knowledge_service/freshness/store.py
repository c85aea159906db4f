"""The governance check of the store: its served article versions, whole or what an edit
can affect, with the findings table kept in step (see :func:`check_store`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from knowledge_service.content import repository as content_repository
from knowledge_service.content.loader import FileScan, InvalidFile
from knowledge_service.content.models import ArticleVersion
from knowledge_service.content.schemas import ArticleStatus, PolicyDocument
from knowledge_service.content.write_lock import lock_store_for_write
from knowledge_service.db import run_transaction
from knowledge_service.freshness import repository
from knowledge_service.freshness.checker import (
    ArticleEmbedding,
    PairMap,
    candidate_pairs,
    collection_paused,
    embedding_texts,
    embeddings_of,
    evaluate,
    min_pair_similarity,
)
from knowledge_service.freshness.findings import sync_findings
from knowledge_service.freshness.models import Finding
from knowledge_service.freshness.pairs import IntentClaim
from knowledge_service.freshness.rules import CheckedArticle
from knowledge_service.freshness.schemas import (
    CheckResult,
    Evidence,
    FindingData,
    FindingKind,
    sort_findings,
    summarise,
)
from knowledge_service.freshness.scope import affected_articles, citing
from knowledge_service.index.cache import EmbeddingCache, encode_cached
from knowledge_service.index.embedder import Embedder
from knowledge_service.settings import Settings, get_settings


@dataclass(frozen=True, slots=True)
class _StoreView:
    """The served versions (a draft in review does not replace the published version it
    edits), light enough to hold for a whole knowledge base."""

    rows: dict[str, ArticleVersion]
    claims: list[IntentClaim]


def _published_view(session: Session) -> _StoreView:
    rows = {r.article_id: r for r in content_repository.served_article_versions(session)}
    return _StoreView(rows, [_claim(r) for r in rows.values()])


def _claim(row: ArticleVersion) -> IntentClaim:
    return IntentClaim(
        row.article_id,
        row.version,
        tuple(row.document.get("intents", [])),
        row.audience,
        row.locale,
        row.document.get("source_path"),
    )


def _store_vectors(
    view: _StoreView, embedder: Embedder, cache: EmbeddingCache | None
) -> dict[str, ArticleEmbedding]:
    ids = list(view.rows)
    docs = [view.rows[i].document for i in ids]
    return embeddings_of(ids, encode_cached(embedder, embedding_texts(docs), cache))


def check_store(
    engine: Engine,
    *,
    today: date,
    embedder: Embedder | None = None,
    article_ids: Collection[str] | None = None,
    policy_ids: Collection[str] | None = None,
    settings: Settings | None = None,
    cache: EmbeddingCache | None = None,
    invalid: FileScan | None = None,
    sync: bool = True,
) -> CheckResult:
    """Check the store's current versions and sync the findings table (unless ``sync`` is
    False: a what-if check, for another day, that only reports).

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
        invalid: what an import read (:class:`FileScan`): each bad file becomes an
            ``invalid`` finding, and the active ``invalid`` findings of files under its roots
            that are no longer bad (fixed, or gone) resolve, whatever ``article_ids`` says;
            those of other folders stay. None (a check of the store alone) re-evaluates no
            ``invalid`` finding: they stay as the last import left them, and are reported.

    Returns:
        The findings about the checked articles, with (when ``invalid`` is None) the active
        ``invalid`` findings stored about them (all of them for a full check);
        ``summary.articles_checked`` counts the articles, ``summary.invalid_files`` the bad
        files.
    """
    settings = settings or get_settings()
    incremental = article_ids is not None or policy_ids is not None

    def check(session: Session) -> tuple[list[FindingData], int, int, int]:
        view = _published_view(session)
        vectors = _store_vectors(view, embedder, cache) if embedder is not None else None
        policies, drafts = _policies_in_force(session)
        scope = (
            _scope(session, view, vectors, set(article_ids or ()), set(policy_ids or ()), settings)
            if incremental
            else None
        )
        examined = set(view.rows) if scope is None else scope & set(view.rows)
        findings, items, pairs = _evaluate(
            view, vectors, policies, examined, today=today, settings=settings,
            embedder=embedder, claims=view.claims if incremental else None,
            invalid=invalid.invalid if invalid is not None else (), draft_policies=drafts,
        )  # fmt: skip
        if sync:
            lock_store_for_write(session)  # a concurrent check may be writing the same findings
            stored_invalid = (
                repository.active_findings_of_kind(session, FindingKind.INVALID)
                if invalid is not None
                else ()
            )
            sync_findings(
                session, findings, covered=_coverage(scope, invalid), involving=scope,
                also=stored_invalid,
            )  # fmt: skip
        if invalid is None:
            findings = sort_findings([*findings, *_stored_invalid(session, scope)])
        return findings, len(items), len(policies), len(pairs)

    # Another process checking at the same moment may store a new finding first (a unique
    # fingerprint): checking again is safe, and then updates it.
    with collection_paused():
        findings, n_items, n_policies, n_pairs = run_transaction(
            engine, check, also=(IntegrityError,)
        )
    n_invalid = (
        len(invalid.invalid)
        if invalid is not None
        else sum(1 for f in findings if f.kind == FindingKind.INVALID)
    )
    summary = summarise(
        findings, articles=n_items, policies=n_policies, invalid=n_invalid, pairs=n_pairs
    )
    return CheckResult(findings=findings, summary=summary)


def check_version(
    session: Session,
    row: ArticleVersion,
    *,
    today: date,
    settings: Settings,
    embedder: Embedder | None = None,
    cache: EmbeddingCache | None = None,
) -> list[FindingData]:
    """What the check would find about ``row`` (a draft, say) were it its article's served
    version: the incremental check an edit of the article runs, on that version, against the
    current policies and the other served articles. Nothing is stored (a what-if for one
    article, e.g. before approving a draft).

    Args:
        session: the store.
        row: the article version to check (any status: it is checked as published).
        today: the date review dates are compared with.
        settings: thresholds.
        embedder: finds near-identical articles; None compares only articles sharing an intent
            or restating one clause.
        cache: embedding cache (the served articles' vectors are not computed again).

    Returns:
        The findings that involve ``row``'s article, most severe first.
    """
    article_id = row.article_id
    served = _published_view(session)
    rows = {**served.rows, article_id: row}
    claims = [c for c in served.claims if c.article_id != article_id] + [_claim(row)]
    view = _StoreView(rows, claims)
    with collection_paused():
        vectors = _store_vectors(view, embedder, cache) if embedder is not None else None
        policies, drafts = _policies_in_force(session)
        scope = affected_articles(
            rows, claims, vectors, changed={article_id}, changed_policies=set(),
            finding_ids=(), min_similarity=min_pair_similarity(settings),
        )  # fmt: skip
        findings, _, _ = _evaluate(
            view, vectors, policies, scope & set(rows), today=today, settings=settings,
            embedder=embedder, claims=claims, as_published=article_id, draft_policies=drafts,
        )  # fmt: skip
    return [f for f in findings if article_id in f.article_ids]


def _policies_in_force(session: Session) -> tuple[list[PolicyDocument], set[str]]:
    """The policies in force, and the ids of those that have only drafts (an article citing
    one is told so, not that there is no such policy)."""
    policies = [p.to_document() for p in content_repository.current_policy_versions(session)]
    return policies, content_repository.policy_ids(session) - {p.id for p in policies}


def _evaluate(
    view: _StoreView,
    vectors: dict[str, ArticleEmbedding] | None,
    policies: list[PolicyDocument],
    examined: set[str],
    *,
    today: date,
    settings: Settings,
    embedder: Embedder | None,
    claims: list[IntentClaim] | None,
    invalid: Sequence[InvalidFile] = (),
    as_published: str | None = None,
    draft_policies: Collection[str] = (),
) -> tuple[list[FindingData], list[CheckedArticle], PairMap]:
    """The check of the ``examined`` articles of ``view`` (``as_published``: one of them read
    as if published, a draft being approved), against ``policies`` and one another: its
    findings, the articles checked and the pairs compared."""
    policy_map = {p.id: p for p in policies}
    published = {"status": ArticleStatus.PUBLISHED}
    items = CheckedArticle.many(
        [
            (view.rows[a].to_document().model_copy(update=published) if a == as_published
             else view.rows[a].to_document(), view.rows[a].version)
            for a in sorted(examined)
        ],
        policies=policy_map,
    )  # fmt: skip
    pairs = candidate_pairs(
        items, settings=settings, vector_ids=list(view.rows), vectors=vectors, policies=policy_map
    )
    findings = evaluate(
        items, policies, pairs, today=today, settings=settings, invalid=invalid, claims=claims,
        embedder=embedder, draft_policies=draft_policies,
    )  # fmt: skip
    return findings, items, pairs


def _scope(
    session: Session,
    view: _StoreView,
    vectors: dict[str, ArticleEmbedding] | None,
    changed: set[str],
    changed_policies: set[str],
    settings: Settings,
) -> set[str]:
    """What an incremental check examines: what the changes can affect."""
    involved = changed | citing(view.rows, changed_policies)
    existing = repository.active_findings_for(session, list(involved))
    return affected_articles(
        view.rows,
        view.claims,
        vectors,
        changed=changed,
        changed_policies=changed_policies,
        finding_ids=[f.article_ids for f in existing],
        min_similarity=min_pair_similarity(settings),
    )


def _stored_invalid(session: Session, scope: set[str] | None) -> list[FindingData]:
    """The active ``invalid`` findings a check of the store alone reports without re-evaluating
    them (no file is read): all of them, or for an incremental check those about ``scope``."""
    rows = (
        repository.active_findings_of_kind(session, FindingKind.INVALID)
        if scope is None
        else [
            row
            for row in repository.active_findings_for(session, scope)
            if row.kind == FindingKind.INVALID
        ]
    )
    return [_as_data(row) for row in rows]


def _as_data(row: Finding) -> FindingData:
    return FindingData(
        kind=row.kind, severity=row.severity, article_ids=list(row.article_ids),
        policy_id=row.policy_id, clause=row.clause, message=row.message,
        evidence=[Evidence.model_validate(e) for e in row.evidence], fingerprint=row.fingerprint,
    )  # fmt: skip


def _coverage(scope: set[str] | None, invalid: FileScan | None) -> Callable[[Finding], bool]:
    """Which stored findings this run re-evaluated (and may therefore resolve).

    An ``invalid`` finding only by an import (``invalid`` given), and only when it belongs to
    the import's folders: its file lies under one of them, or (the folder moved) its file is
    gone and the folders now hold a valid file with its article or policy id.
    """

    def covered(row: Finding) -> bool:
        if row.kind == FindingKind.INVALID:
            return invalid is not None and _belongs_to(row, invalid)
        if scope is None:
            return True
        return bool(row.article_ids) and set(row.article_ids) <= scope

    return covered


def _belongs_to(row: Finding, scan: FileScan) -> bool:
    paths = [str(e["path"]) for e in row.evidence if e.get("path")]
    if any(scan.holds(path) for path in paths):
        return True
    read_validly = bool(set(row.article_ids) & set(scan.article_ids)) or (
        row.policy_id is not None and row.policy_id in scan.policy_ids
    )
    return read_validly and not any(Path(path).exists() for path in paths)
