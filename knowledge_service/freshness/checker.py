"""The governance check over documents: every rule, with no database in sight.

:func:`run_check` is the whole check of a knowledge base (what ``knowledge-service check`` runs on
folders); :func:`evaluate` and :func:`candidate_pairs` are its parts, which the store service
reuses to check only what an edit can affect.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np

from knowledge_service.content.loader import InvalidFile
from knowledge_service.content.schemas import ArticleDocument, PolicyDocument, PolicyStatus
from knowledge_service.freshness.pairs import (
    Candidate,
    IntentClaim,
    PhraseSimilarity,
    check_ambiguous_intents,
    check_pair,
    clause_pairs,
    group_key,
    hours_pairs,
    intent_pairs,
    near_need_phrases,
    vector_pairs,
)
from knowledge_service.freshness.rules import (
    CheckedArticle,
    check_dates,
    check_invalid,
    check_policy_links,
)
from knowledge_service.freshness.schemas import (
    CheckResult,
    FindingData,
    sort_findings,
    summarise,
)
from knowledge_service.index.embedder import Embedder, FloatArray
from knowledge_service.settings import Settings

PairMap = dict[tuple[str, str], Candidate]
NEIGHBOUR_MARGIN = 0.1


@dataclass(frozen=True, slots=True)
class ArticleEmbedding:
    """Unit vectors of a whole article, of its answer and of the need it answers."""

    whole: FloatArray
    answer: FloatArray
    need: FloatArray

    def similarity(self, other: ArticleEmbedding) -> float:
        """Mean cosine of the whole texts and of the answers: near 1 for the same content."""
        whole = float(np.dot(self.whole, other.whole))
        answer = float(np.dot(self.answer, other.answer))
        return (whole + answer) / 2

    def need_similarity(self, other: ArticleEmbedding) -> float:
        """Mean cosine of the whole texts, the answers and the questions: how close two
        articles are as answers to one customer need, whatever their intents."""
        return (
            float(np.dot(self.whole, other.whole))
            + float(np.dot(self.answer, other.answer))
            + float(np.dot(self.need, other.need))
        ) / 3

    @property
    def joint(self) -> FloatArray:
        """One unit vector for the neighbour search: the normalised mean of the three (close
        to :meth:`need_similarity` for close articles, at a third of the dimensions)."""
        mean = (self.whole + self.answer + self.need).astype(np.float32)
        norm = float(np.linalg.norm(mean))
        return mean / np.float32(norm) if norm > 0 else mean


def article_text(title: str, body: str) -> str:
    """The text whose embedding stands for a whole article (title, answer and details)."""
    return f"{title}\n{body}".strip()[:4000]


def need_text(title: str, questions: Sequence[str]) -> str:
    """The text whose embedding stands for the need an article answers: its title and the
    customer phrasings it lists."""
    return "\n".join([title, *questions]).strip()[:2000]


def embedding_texts(docs: Sequence[Mapping[str, object]]) -> list[str]:
    """The texts to encode for ``docs`` (title, body, answer, questions): every whole text,
    then every answer, then every need, as :func:`embeddings_of` reads them back."""
    wholes = [article_text(str(d.get("title", "")), str(d.get("body", ""))) for d in docs]
    answers = [str(d.get("answer", "")) for d in docs]
    needs = [need_text(str(d.get("title", "")), list(d.get("questions") or [])) for d in docs]  # type: ignore[call-overload]
    return wholes + answers + needs


def embeddings_of(ids: Sequence[str], matrix: FloatArray) -> dict[str, ArticleEmbedding]:
    """Article embeddings from the rows of an encoded :func:`embedding_texts` list."""
    n = len(ids)
    return {
        a: ArticleEmbedding(matrix[k], matrix[n + k], matrix[2 * n + k]) for k, a in enumerate(ids)
    }


def min_pair_similarity(settings: Settings) -> float:
    """The lowest joint similarity at which two articles are worth comparing.

    Below the thresholds, because the duplicate threshold applies to the mean of whole and
    answer similarity, not to the joint one.
    """
    freshness = settings.freshness
    return min(freshness.conflict_threshold, freshness.duplicate_threshold) - NEIGHBOUR_MARGIN


def candidate_pairs(
    items: Sequence[CheckedArticle],
    *,
    settings: Settings,
    vector_ids: Sequence[str] = (),
    vectors: Mapping[str, ArticleEmbedding] | None = None,
    query_ids: Collection[str] | None = None,
    policies: Mapping[str, PolicyDocument] | None = None,
) -> PairMap:
    """Pairs of published ``items`` to compare: shared intents, restatements of one clause
    fact that differ, plus vector neighbours.

    Args:
        items: the published articles under check (pairs are only formed among them).
        settings: thresholds.
        vector_ids: the published articles to search among (may be more than ``items``).
        vectors: vectors by article id (at least ``vector_ids``), or None for intent pairs only.
        query_ids: search neighbours of these ids only (default: every item).
        policies: the policies by id, to pair articles that restate one clause differently.
    """
    pairs = intent_pairs(items)
    for key in hours_pairs(items):
        pairs.setdefault(key, Candidate()).hours = True
    alike = None if vectors is None else _similarity(vectors)
    for key, restated in clause_pairs(items, policies or {}, alike).items():
        pairs.setdefault(key, Candidate()).restated.extend(restated)
    if vectors is None or len(vector_ids) < 2:
        return pairs
    wanted = {i.doc.id for i in items}
    groups = {i.doc.id: group_key(i) for i in items}
    rows = {article_id: n for n, article_id in enumerate(vector_ids)}
    queries = [rows[a] for a in (query_ids if query_ids is not None else wanted) if a in rows]
    same_group = {a: groups.get(a, ("?", a)) for a in vector_ids}
    found = vector_pairs(
        vector_ids,
        stack_joint(vector_ids, vectors),
        queries=queries,
        min_similarity=min_pair_similarity(settings),
        same_group=same_group,
    )
    for (a, b), similarity in found.items():
        if a in wanted and b in wanted:
            pairs.setdefault((a, b), Candidate()).similarity = similarity
    for (a, b), reason in pairs.items():
        if a in vectors and b in vectors:
            reason.similarity = vectors[a].similarity(vectors[b])
            reason.need = vectors[a].need_similarity(vectors[b])
    return pairs


def _similarity(vectors: Mapping[str, ArticleEmbedding]) -> Callable[[str, str], float]:
    """How alike two articles are (by id; 0 for an article without vectors)."""

    def similarity(a: str, b: str) -> float:
        if a in vectors and b in vectors:
            return vectors[a].need_similarity(vectors[b])
        return 0.0

    return similarity


def evaluate(
    items: Sequence[CheckedArticle],
    policies: Sequence[PolicyDocument],
    pairs: PairMap,
    *,
    today: date,
    settings: Settings,
    invalid: Sequence[InvalidFile] = (),
    claims: Sequence[IntentClaim] | None = None,
    embedder: Embedder | None = None,
    draft_policies: Collection[str] = (),
) -> list[FindingData]:
    """Every finding about ``items`` (drafts and retired articles are skipped) and ``pairs``.

    ``draft_policies``: the ids of policies with only drafts (citing one is citing a missing
    policy, and the finding says so).

    ``claims``: the intents of every published article, when ``items`` is only part of the
    knowledge base; ambiguous intents are then reported for the groups that touch ``items``.
    ``embedder``: encodes what near-need pairs count (None: their words are compared).
    """
    policy_map = {p.id: p for p in policies}
    freshness = settings.freshness
    published = [i for i in items if i.doc.is_published]
    by_id = {i.doc.id: i for i in published}
    findings = check_invalid(invalid)
    invalid_policies = {f.doc_id: f.path for f in invalid if f.kind == "policy" and f.doc_id}
    for item in published:
        findings += check_dates(
            item, today, freshness.review_window_days, freshness.review_grace_days
        )
        findings += check_policy_links(item, policy_map, invalid_policies, draft_policies)
    if claims is None:
        findings += check_ambiguous_intents([IntentClaim.of(i) for i in published])
    else:
        findings += check_ambiguous_intents(claims, touching={i.doc.id for i in items})
    threshold = freshness.conflict_threshold
    phrases = PhraseSimilarity(near_need_phrases(by_id, pairs, threshold), embedder)
    for (a, b), reason in sorted(pairs.items()):
        if a in by_id and b in by_id:
            findings += check_pair(
                by_id[a],
                by_id[b],
                reason,
                conflict_threshold=settings.freshness.conflict_threshold,
                duplicate_threshold=settings.freshness.duplicate_threshold,
                policies=policy_map,
                phrases=phrases,
            )
    return sort_findings(merge_findings(findings))


def merge_findings(findings: Sequence[FindingData]) -> list[FindingData]:
    """One finding per fingerprint; the evidence of repeats is kept on the first."""
    merged: dict[str, FindingData] = {}
    for finding in findings:
        first = merged.get(finding.fingerprint)
        if first is None:
            # A copy with its own evidence list (the only part merged into): the evidence
            # items themselves are never changed, so they are shared, not deep-copied.
            merged[finding.fingerprint] = finding.model_copy(
                update={"evidence": list(finding.evidence)}
            )
            continue
        for evidence in finding.evidence:
            if evidence not in first.evidence:
                first.evidence.append(evidence)
    return list(merged.values())


def run_check(
    articles: Sequence[ArticleDocument],
    policies: Sequence[PolicyDocument],
    *,
    today: date,
    settings: Settings,
    embedder: Embedder | None = None,
    invalid: Sequence[InvalidFile] = (),
    versions: Mapping[str, int] | None = None,
    vectors: Mapping[str, ArticleEmbedding] | None = None,
) -> CheckResult:
    """Check a whole knowledge base.

    Args:
        articles: every article (drafts and retired ones are checked for ``invalid`` only).
        policies: every policy source (a draft is never in force: left out).
        today: the date that review dates are compared with.
        settings: thresholds (``settings.freshness``).
        embedder: finds near-identical articles through a vector index; without it (and
            without ``vectors``), only articles sharing an intent are compared.
        invalid: files that failed to load; each becomes an ``invalid`` finding.
        versions: store versions by article id, shown in the evidence.
        vectors: precomputed vectors by article id (used before ``embedder``).

    Returns:
        The findings, most severe first, and a summary.
    """
    # a draft is never in force (the store's policies are those in force already; a folder's
    # draft file is the policy's only version there, so nothing of it is in force)
    in_force = [p for p in policies if p.status != PolicyStatus.DRAFT]
    drafts = {p.id for p in policies} - {p.id for p in in_force}
    policies = in_force
    with collection_paused():
        policy_map = {p.id: p for p in policies}
        items = CheckedArticle.many(
            [(doc, (versions or {}).get(doc.id)) for doc in articles], policies=policy_map
        )
        published = [i for i in items if i.doc.is_published]
        embedded = article_vectors(published, embedder=embedder, vectors=vectors)
        ids = [i.doc.id for i in published]
        pairs = candidate_pairs(
            published, settings=settings, vector_ids=ids, vectors=embedded, policies=policy_map
        )
        findings = evaluate(
            items,
            policies,
            pairs,
            today=today,
            settings=settings,
            invalid=invalid,
            embedder=embedder,
            draft_policies=drafts,
        )
        summary = summarise(
            findings,
            articles=len(items),
            policies=len(policies),
            invalid=len(invalid),
            pairs=len(pairs),
        )
    return CheckResult(findings=findings, summary=summary)


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a check runs (it is enabled again afterwards).

    A check creates millions of small objects that form no cycles (facts, their subjects,
    findings); each full collection meanwhile walks every live object, the documents
    included: about a tenth of the CPU time of a check of 10,000 articles. Already paused
    (another check in another thread): left to that one to enable again.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def embed_articles(
    items: Sequence[CheckedArticle], embedder: Embedder
) -> dict[str, ArticleEmbedding]:
    """Whole-article and answer vectors of ``items`` (one batched encode)."""
    docs = [
        {"title": i.doc.title, "body": i.doc.body, "answer": i.doc.answer,
         "questions": i.doc.questions}
        for i in items
    ]  # fmt: skip
    return embeddings_of([i.doc.id for i in items], embedder.encode(embedding_texts(docs)))


def article_vectors(
    items: Sequence[CheckedArticle],
    *,
    embedder: Embedder | None,
    vectors: Mapping[str, ArticleEmbedding] | None = None,
) -> dict[str, ArticleEmbedding] | None:
    """Vectors of every item: precomputed where given, else encoded; None without either."""
    known = dict(vectors or {})
    missing = [i for i in items if i.doc.id not in known]
    if missing:
        if embedder is None:
            return None
        known.update(embed_articles(missing, embedder))
    return known


def stack_joint(ids: Sequence[str], vectors: Mapping[str, ArticleEmbedding]) -> FloatArray:
    """The joint vectors of ``ids`` as one matrix (rows in ``ids`` order): neighbours in it are
    close as whole texts, answers and needs together."""
    if not ids:
        return np.zeros((0, 1), dtype=np.float32)
    return np.ascontiguousarray(np.stack([vectors[i].joint for i in ids]), dtype=np.float32)
