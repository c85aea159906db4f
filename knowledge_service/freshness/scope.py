"""What an edit can affect: the articles an incremental check must examine.

An edited article can change its own findings, the ambiguous intents and conflicts it shares with
articles claiming one of its intents, conflicts with articles citing a clause it cites, conflicts
of opening hours with articles of its topic that state times, conflicts and duplicates with its
nearest neighbours, and whatever finding it was already part of. A changed policy affects the
articles that cite it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from knowledge_service.content.models import ArticleVersion
from knowledge_service.freshness.checker import ArticleEmbedding, stack_joint
from knowledge_service.freshness.pairs import NEIGHBOURS, IntentClaim, topic_of, vector_pairs
from knowledge_service.freshness.times import may_state_time


def affected_articles(
    rows: Mapping[str, ArticleVersion],
    claims: Sequence[IntentClaim],
    vectors: Mapping[str, ArticleEmbedding] | None,
    *,
    changed: set[str],
    changed_policies: set[str],
    finding_ids: Collection[Sequence[str]],
    min_similarity: float,
) -> set[str]:
    """The ids an incremental check examines (``changed`` always included).

    Args:
        rows: the current published versions by article id.
        claims: their intents.
        vectors: their embeddings, or None (no neighbour search).
        changed: edited article ids (published or not).
        changed_policies: changed policy ids.
        finding_ids: the article ids of the active findings that involve ``changed`` or an
            article citing ``changed_policies`` (so a conflict's partner that cites nothing is
            examined with it, and the conflict's advice follows the changed clause).
        min_similarity: the neighbour floor of the check.
    """
    scope = set(changed)
    for ids in finding_ids:
        scope.update(ids)
    edited_refs = {ref for a in changed if a in rows for ref in _cited_refs(rows[a])}
    scope |= citing(rows, changed_policies)
    for article_id, row in rows.items():
        if _share_a_clause(_cited_refs(row), edited_refs):
            scope.add(article_id)
    edited_intents = {i for c in claims if c.article_id in changed for i in c.intents}
    scope.update(c.article_id for c in claims if edited_intents.intersection(c.intents))
    # opening hours are compared in one topic, however unlike the articles (pairs.hours_pairs)
    hours_topics = {
        topic_of(i) for c in claims if c.article_id in changed and _timed(rows, c.article_id)
        for i in c.intents
    }  # fmt: skip
    if hours_topics:
        scope.update(
            c.article_id
            for c in claims
            if hours_topics & {topic_of(i) for i in c.intents} and _timed(rows, c.article_id)
        )
    if vectors is not None and len(rows) > 1:
        ids = list(rows)
        row_of = {a: n for n, a in enumerate(ids)}
        groups = {c.article_id: (c.audience, c.locale.lower()) for c in claims}
        found = vector_pairs(
            ids,
            stack_joint(ids, vectors),
            queries=np.array([row_of[a] for a in changed if a in row_of], dtype=np.int64),
            min_similarity=min_similarity,
            same_group=groups,
        )
        scope.update(a for pair in found for a in pair)
    return scope


def _timed(rows: Mapping[str, ArticleVersion], article_id: str) -> bool:
    """Whether the article's answer may state a time of day (its opening hours)."""
    row = rows.get(article_id)
    return row is not None and may_state_time(str(row.document.get("answer", "")))


def citing(rows: Mapping[str, ArticleVersion], policies: Collection[str]) -> set[str]:
    """The articles of ``rows`` that cite one of ``policies``."""
    if not policies:
        return set()
    return {a for a, row in rows.items() if {p for p, _ in _cited_refs(row)} & set(policies)}


def _cited_refs(row: ArticleVersion) -> set[tuple[str, str | None]]:
    """(policy, clause or None for the whole policy) of each citation."""
    cited: set[tuple[str, str | None]] = set()
    for ref in row.document.get("policy_sources", []):
        if isinstance(ref, dict):
            cited.add((ref["policy_id"], ref.get("clause")))
        else:
            policy, _, clause = str(ref).partition("#")
            cited.add((policy, clause or None))
    return cited


def _share_a_clause(refs: set[tuple[str, str | None]], others: set[tuple[str, str | None]]) -> bool:
    """Both cite one clause (a policy cited whole covers each of its clauses)."""
    return any(p == q and (c is None or d is None or c == d) for p, c in refs for q, d in others)


__all__ = ["NEIGHBOURS", "affected_articles"]
