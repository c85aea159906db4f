"""Rules about pairs of articles: ambiguous intents, conflicts and duplicates.

Candidate pairs come from shared intents and, when vectors are given, from FAISS nearest
neighbours of whole-article embeddings: never from an all-pairs scan. Only published articles of
the same audience and locale are ever paired.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from itertools import combinations, pairwise

import numpy as np

from knowledge_service.content.schemas import PolicyDocument
from knowledge_service.freshness.facts import (
    ANSWER_SECTION,
    PERIOD_OF_ADJECTIVE,
    Fact,
    FactKind,
    counted_phrase,
    same_value,
)
from knowledge_service.freshness.hours import (
    hours_of,
    lone_hours_contradictions,
    opening_hours,
    two_things_hours,
)
from knowledge_service.freshness.matching import (
    ARTICLE_THRESHOLDS,
    CLAUSE_THRESHOLDS,
    Contradiction,
    Thresholds,
    differing_counts,
    each_lone_in_its_answer,
    find_contradictions,
    is_comparable,
    is_narrower,
    restates,
    scopes,
    scopes_clash,
    with_charges,
)
from knowledge_service.freshness.neighbours import nearest
from knowledge_service.freshness.rules import (
    CheckedArticle,
    CitedFact,
    cited_clause_facts,
    cited_contradictions,
    cited_restatements,
    count,
    policy_evidence,
    where_stated,
)
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind
from knowledge_service.freshness.text import content_terms, name_terms
from knowledge_service.index.embedder import Embedder, FloatArray

MAX_INTENT_GROUP = 100  # pairs inside one intent group; larger groups are a modelling problem
NEIGHBOURS = 10
# With embeddings, a duplicate needs word overlap (term-set Jaccard) that is the higher, the
# closer the similarity is to the threshold: (similarity above threshold + margin, Jaccard floor).
LEXICAL_TIERS = ((0.05, 0.30), (0.0, 0.40), (-0.05, 0.55))
LEXICAL_ONLY_FLOOR = 0.6  # without embeddings: Jaccard of word pairs must be this high
# Conflicting articles are duplicates only as copies (a fact changed in one): this much of their
# wording must be the same words in the same order (see copy_ratio).
COPY_FLOOR = 0.8
# Two articles whose need similarity is this close under the conflict threshold (the neighbour
# search's margin) are compared on their counts: one thing counted differently.
NEAR_NEED_MARGIN = 0.1
# ... and on every fact whose subject is clearly the same (stricter than ARTICLE_THRESHOLDS: the
# two answer close needs, not one): "lost property is kept a fortnight" against "we hold lost
# property for 30 days" in an article about how to collect it.
NEAR_NEED_THRESHOLDS = Thresholds(numeric=0.7, rule=0.7, single=0.7)
# ... and, when each answer states one value of a kind, unit and role, on those two at the
# article floors if their subjects are at least this alike: "change the delivery address within
# 30 minutes of placing it" against "let us know within 1 hour of ordering". Not when each
# article cites clauses of its own and none of the other's: each is then about its own clause.
NEAR_NEED_ANSWER_FLOOR = 0.6
PHRASE_FLOOR = 0.5  # cosine of two counted phrases (the check's encoder): the same thing
LEXICAL_PHRASE_FLOOR = 0.5  # without an encoder: Jaccard of the two phrases' stems


@dataclass(frozen=True, slots=True)
class Restatement:
    """An article's fact that restates a fact of a clause it cites, rightly or not."""

    article_id: str
    fact: Fact
    source: CitedFact  # the clause's fact
    matches: bool  # the article states the clause's value
    also: int = 0  # paired with a wrong one: how many other articles match the clause too


@dataclass(slots=True)
class Candidate:
    """Why two articles are compared: intents they share, embedding similarity, and facts of
    a clause both cite that they restate, one of them wrongly (first of each: this pair's
    first article)."""

    shared_intents: set[str] = field(default_factory=set)
    similarity: float | None = None  # whole texts and answers (duplicates)
    need: float | None = None  # whole texts, answers and questions (the same need)
    restated: list[tuple[Restatement, Restatement]] = field(default_factory=list)
    hours: bool = False  # one topic, opening hours for the same days (hours_pairs)


class PhraseSimilarity:
    """How alike two counted things are ("forms of ID", "identity documents"): the cosine of
    their embeddings by the check's encoder (each distinct phrase encoded once, in one batch);
    without an encoder, or for a phrase not encoded, the Jaccard similarity of their stems
    against its own floor."""

    def __init__(self, phrases: Iterable[str], embedder: Embedder | None = None) -> None:
        self._vectors: dict[str, FloatArray] = {}
        distinct = sorted({p for p in phrases if p})
        if embedder is not None and distinct:
            self._vectors = dict(zip(distinct, embedder.encode(distinct), strict=True))

    def same_thing(self, a: str, b: str) -> float | None:
        """Their similarity when it says they name one thing, else None."""
        if a in self._vectors and b in self._vectors:
            cosine = float(np.dot(self._vectors[a], self._vectors[b]))
            return cosine if cosine >= PHRASE_FLOOR else None
        terms_a, terms_b = set(content_terms(a)), set(content_terms(b))
        if not terms_a or not terms_b:
            return None
        jaccard = len(terms_a & terms_b) / len(terms_a | terms_b)
        return jaccard if jaccard >= LEXICAL_PHRASE_FLOOR else None


@dataclass(frozen=True, slots=True)
class CountedThing:
    """Two counts of one thing, in other words, that differ (see :func:`counted_differently`)."""

    fact: Fact  # of the pair's first article
    other: Fact
    phrases: tuple[str, str]
    similarity: float


def is_near_need(reason: Candidate, conflict_threshold: float) -> bool:
    """Two articles without a shared intent whose need similarity is just under the threshold:
    not one need, but close enough to compare what they count."""
    return (
        not reason.shared_intents
        and reason.need is not None
        and conflict_threshold - NEAR_NEED_MARGIN <= reason.need < conflict_threshold
    )


def near_need_phrases(
    items: Mapping[str, CheckedArticle],
    pairs: Mapping[tuple[str, str], Candidate],
    conflict_threshold: float,
) -> list[str]:
    """The counted phrases of the articles in near-need pairs (to encode in one batch)."""
    ids = {
        i for key, reason in pairs.items() if is_near_need(reason, conflict_threshold) for i in key
    }
    return [
        counted_phrase(f)
        for i in sorted(ids & items.keys())
        for f in items[i].facts
        if f.kind == FactKind.COUNT
    ]


def counted_differently(
    a: CheckedArticle, b: CheckedArticle, phrases: PhraseSimilarity
) -> list[CountedThing]:
    """Counts of ``a`` and ``b`` that state the number of one thing differently, the thing
    named in other words ("two forms of ID" and "three identity documents")."""
    found = []
    for x, y in differing_counts(a.facts, b.facts):
        named = (counted_phrase(x), counted_phrase(y))
        similarity = phrases.same_thing(*named) if all(named) else None
        if similarity is not None:
            found.append(CountedThing(x, y, named, similarity))
    return found


def group_key(item: CheckedArticle) -> tuple[str, str]:
    return (str(item.doc.audience), item.doc.locale.lower())


@dataclass(frozen=True, slots=True)
class IntentClaim:
    """What the ambiguous-intent rule needs of a published article (cheap to build from rows)."""

    article_id: str
    version: int | None
    intents: tuple[str, ...]
    audience: str
    locale: str
    path: str | None = None

    @classmethod
    def of(cls, item: CheckedArticle) -> IntentClaim:
        doc = item.doc
        return cls(
            doc.id, item.version, tuple(doc.intents), str(doc.audience), doc.locale, doc.source_path
        )


def check_ambiguous_intents(
    claims: Sequence[IntentClaim], touching: Collection[str] | None = None
) -> list[FindingData]:
    """One finding per (intent, audience, locale) that more than one published article claims.

    ``touching``: only groups with a member among these ids (an incremental check).
    """
    groups: dict[tuple[str, str, str], list[IntentClaim]] = defaultdict(list)
    for claim in claims:
        for intent in claim.intents:
            groups[(intent, claim.audience, claim.locale.lower())].append(claim)
    findings = []
    for (intent, audience, locale), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        ids = sorted(m.article_id for m in members)
        if touching is not None and not any(i in touching for i in ids):
            continue
        message = (
            f"{len(ids)} published {audience} {members[0].locale} articles claim the intent "
            f"{intent} ({', '.join(ids)}): keep one canonical answer or split the intent."
        )
        evidence = [
            Evidence(
                article_id=m.article_id,
                version=m.version,
                section="front matter",
                text=f"intents: [{intent}]",
                path=m.path,
            )
            for m in members
        ]
        findings.append(
            FindingData.create(
                FindingKind.AMBIGUOUS_INTENT,
                ids,
                message,
                evidence,
                fact_key=f"{intent}|{audience}|{locale}",
            )
        )
    return findings


def topic_of(intent: str) -> str:
    """An intent's topic, its first part (``contact`` of ``contact.phone_hours``)."""
    return intent.split(".", 1)[0]


def hours_pairs(items: Sequence[CheckedArticle]) -> set[tuple[str, str]]:
    """Pairs of articles (same audience and locale) that answer in one topic (intents whose
    first part is the same: ``contact.phone`` and ``contact.hours``) and whose answers both
    state opening hours for the same days in the same zone, however unlike they are otherwise
    ("Call us ... from 7 a.m. to 9 p.m. ET, Monday through Friday" and a table of phone hours):
    a customer asking when they can call gets either answer."""
    by_hours: dict[tuple[tuple[str, str], tuple[str, str], str], set[str]] = defaultdict(set)
    for item in items:
        for hours in hours_of(item):
            for topic in {topic_of(i) for i in item.doc.intents}:
                by_hours[(group_key(item), hours, topic)].add(item.doc.id)
    pairs: set[tuple[str, str]] = set()
    for ids in by_hours.values():
        if len(ids) <= MAX_INTENT_GROUP:
            pairs.update(combinations(sorted(ids), 2))
    return pairs


def intent_pairs(items: Sequence[CheckedArticle]) -> dict[tuple[str, str], Candidate]:
    """Pairs of articles (same audience and locale) that share an intent."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for item in items:
        for intent in item.doc.intents:
            groups[(intent, *group_key(item))].append(item.doc.id)
    pairs: dict[tuple[str, str], Candidate] = {}
    for (intent, _, _), ids in groups.items():
        for a, b in combinations(sorted(set(ids))[:MAX_INTENT_GROUP], 2):
            pairs.setdefault((a, b), Candidate()).shared_intents.add(intent)
    return pairs


def vector_pairs(
    ids: Sequence[str],
    vectors: FloatArray,
    *,
    queries: Iterable[int] | None = None,
    min_similarity: float,
    same_group: Mapping[str, tuple[str, str]],
) -> dict[tuple[str, str], float]:
    """Nearest-neighbour pairs with cosine >= ``min_similarity`` (same audience and locale).

    ``queries`` restricts the searched rows (an incremental check); all rows are indexed.
    """
    if len(ids) < 2:
        return {}
    rows = np.arange(len(ids)) if queries is None else np.fromiter(queries, dtype=np.int64)
    if len(rows) == 0:
        return {}
    scores, found = nearest(vectors, rows, min(NEIGHBOURS + 1, len(ids)))
    pairs: dict[tuple[str, str], float] = {}
    for row, row_scores, row_ids in zip(rows.tolist(), scores, found, strict=True):
        for score, other in zip(row_scores.tolist(), row_ids.tolist(), strict=True):
            if other < 0 or other == row or score < min_similarity:
                continue
            a, b = sorted((ids[row], ids[other]))
            if same_group[a] == same_group[b]:
                pairs[(a, b)] = max(pairs.get((a, b), -1.0), float(score))
    return pairs


def restatements(item: CheckedArticle, policies: Mapping[str, PolicyDocument]) -> list[Restatement]:
    """The article's facts that restate a fact of a clause it cites: the ones the clause
    contradicts (policy mismatches) and the ones that state its value."""
    cited = cited_clause_facts(item.doc, policies)
    if not cited:
        return []
    article_id = item.doc.id
    found = [
        Restatement(article_id, c.fact, source, matches=False)
        for c, source in cited_contradictions(item, cited)
    ]
    found += [
        Restatement(article_id, fact, c, matches=True)
        for fact, c in cited_restatements(item, cited)
    ]
    return found


def clause_pairs(
    items: Sequence[CheckedArticle],
    policies: Mapping[str, PolicyDocument],
    similarity: Callable[[str, str], float] | None = None,
) -> dict[tuple[str, str], list[tuple[Restatement, Restatement]]]:
    """Pairs of articles (same audience and locale) that restate one fact of a clause they
    both cite with different values, at least one of them wrongly: a customer gets two
    answers, however little alike the two articles are otherwise.

    An article that misstates a clause fact is paired once with the articles that state it
    correctly: with the one most like it (``similarity`` of two article ids; ties and no
    similarity: the lowest id), which then counts the others. Two articles that both misstate
    it are paired with each other.
    """
    by_clause_fact: dict[tuple[object, ...], list[Restatement]] = defaultdict(list)
    for item in items:
        for r in restatements(item, policies):
            # Where the clause states it: an amount and the charge it implies are one fact.
            key = (r.source.cite, *where_stated(r.source.fact), *group_key(item))
            by_clause_fact[key].append(r)
    pairs: dict[tuple[str, str], list[tuple[Restatement, Restatement]]] = defaultdict(list)

    def pair(wrong: Restatement, other: Restatement) -> None:
        first, second = sorted((wrong, other), key=lambda r: r.article_id)
        pairs[(first.article_id, second.article_id)].append((first, second))

    for found in by_clause_fact.values():
        matching = sorted({r.article_id for r in found if r.matches})
        for wrong in (r for r in found if not r.matches):
            for other in found:
                if not other.matches and other.article_id > wrong.article_id:
                    pair(wrong, other)  # two wrong ones are paired once
            right = [a for a in matching if a != wrong.article_id]
            if not right:
                continue
            if similarity is not None:
                right.sort(key=lambda a: -similarity(wrong.article_id, a))  # stable: ids
            chosen = right[0]
            for other in found:
                if other.matches and other.article_id == chosen:
                    pair(wrong, replace(other, also=len(right) - 1))
    return pairs


_INTENT_SPLIT = re.compile(r"[._-]")
# The period an article is about, named by its title or intents ("Is there a daily cap?",
# ``fares.cap.weekly``): a daily and a weekly cap are two facts. Read from the words as written:
# the stems of "weekly" and "week" are one, and "two weeks" names a duration, not a period.
_PERIOD = re.compile(r"\b(" + "|".join(PERIOD_OF_ADJECTIVE) + r")\b", re.IGNORECASE)


def scope_terms(item: CheckedArticle) -> set[str]:
    """Exclusive scopes named by an article's title and intents (residential, business, ...,
    and the period: daily, weekly, ...)."""
    words = " ".join([item.doc.title, *(_INTENT_SPLIT.sub(" ", i) for i in item.doc.intents)])
    periods = {f"period:{PERIOD_OF_ADJECTIVE[m.lower()]}" for m in _PERIOD.findall(words)}
    return scopes(content_terms(words)) | periods


def lexical_overlap(a: CheckedArticle, b: CheckedArticle) -> float:
    """Jaccard similarity of the content-word stems of two articles' answer and body."""
    terms_a = set(content_terms(f"{a.doc.answer}\n{a.doc.body}"))
    terms_b = set(content_terms(f"{b.doc.answer}\n{b.doc.body}"))
    if not terms_a or not terms_b:
        return 0.0
    return len(terms_a & terms_b) / len(terms_a | terms_b)


def lexical_floor(similarity: float, threshold: float) -> float:
    """The word overlap a pair at ``similarity`` needs to count as a duplicate (> 1: never)."""
    for margin, floor in LEXICAL_TIERS:
        if similarity >= threshold + margin:
            return floor
    return 2.0


_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


def _wording(item: CheckedArticle) -> list[str]:
    """The article's words in order, lower-cased, every number one token (a changed figure
    is the conflict, not a change of wording)."""
    return ["#" if w[0].isdigit() else w for w in _WORD.findall(item.doc.body.lower())]


def copy_ratio(a: CheckedArticle, b: CheckedArticle) -> float:
    """How much of two articles' wording is the same words in the same order (difflib's
    ratio): near 1 for a copy with a figure or a word changed, far lower for two articles
    written apart that share their topic's words (shared words alone are no copy)."""
    words_a, words_b = _wording(a), _wording(b)
    if not words_a or not words_b:
        return 0.0
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


def shingle_overlap(a: CheckedArticle, b: CheckedArticle) -> float:
    """Jaccard similarity of consecutive content-word pairs: high only for the same phrasing."""

    def shingles(item: CheckedArticle) -> set[tuple[str, str]]:
        terms = content_terms(item.doc.body)
        return set(pairwise(terms))

    first, second = shingles(a), shingles(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def check_pair(
    a: CheckedArticle,
    b: CheckedArticle,
    reason: Candidate,
    *,
    conflict_threshold: float,
    duplicate_threshold: float,
    policies: Mapping[str, PolicyDocument] | None = None,
    phrases: PhraseSimilarity | None = None,
) -> list[FindingData]:
    """Conflict and duplicate findings of one candidate pair (``a.doc.id < b.doc.id``).

    ``policies``: the policies by id, so that a conflict says which side a cited clause
    supports. ``phrases``: compares what two near-need articles count (None: they are not
    compared).
    """
    if scopes_clash(scope_terms(a), scope_terms(b)):
        return []
    findings: list[FindingData] = []
    same_need = bool(reason.shared_intents) or (
        reason.need is not None and reason.need >= conflict_threshold
    )
    near = is_near_need(reason, conflict_threshold)  # never with same_need: no shared intent
    counted: list[CountedThing] = []
    if phrases is not None and near:
        counted = counted_differently(a, b, phrases)
    hours = reason.hours and not same_need
    if same_need or near or reason.restated or counted or hours:
        findings.extend(
            _conflicts(
                a,
                b,
                reason,
                policies or {},
                same_need=same_need,
                near=near,
                counted=counted,
                hours=hours,
            )
        )
    if findings and copy_ratio(a, b) < COPY_FLOOR:
        return findings  # two answers to one need that disagree, not one text said twice
    overlap = lexical_overlap(a, b)
    phrasing = None  # without a similarity, shared phrasing decides
    if reason.similarity is not None:
        is_duplicate = overlap >= lexical_floor(reason.similarity, duplicate_threshold)
    else:
        phrasing = shingle_overlap(a, b)
        is_duplicate = phrasing >= LEXICAL_ONLY_FLOOR
    # one answer said twice in other words: the same need (a shared intent), or texts as close
    # as duplicates' though their words differ and at least two figures (one, such as "3
    # business days", is common to articles written from one template), and every figure of
    # each stated by the other
    reworded = bool(reason.shared_intents) or (
        reason.similarity is not None
        and reason.similarity >= duplicate_threshold
        and min(_figure_count(a), _figure_count(b)) >= REWORDED_FIGURES
    )
    restated = not is_duplicate and not findings and reworded
    if restated and states_same_figures(a, b):
        findings.append(_duplicate(a, b, reason, overlap, same_figures=True))
    elif is_duplicate:
        findings.append(_duplicate(a, b, reason, overlap, phrasing=phrasing))
    return findings


REWORDED_FIGURES = 2
"""Distinct figures two articles with different intents must each state to be one answer
reworded (:func:`check_pair`)."""


def _figure_count(item: CheckedArticle) -> int:
    return len({f.key for f in item.facts if f.kind != FactKind.RULE})


def states_same_figures(a: CheckedArticle, b: CheckedArticle) -> bool:
    """Both articles state figures (amounts, durations, counts ...) and every figure of each
    is stated, with the same normalised value, by the other: one answer said twice in other
    words ("two weeks after the issue date" and "within 14 days of the date it is issued")."""
    figures_a = [f for f in a.facts if f.kind != FactKind.RULE]
    figures_b = [f for f in b.facts if f.kind != FactKind.RULE]
    if not figures_a or not figures_b:
        return False
    return all(any(same_value(f, g) for g in figures_b) for f in figures_a) and all(
        any(same_value(g, f) for f in figures_a) for g in figures_b
    )


def _need(reason: Candidate, *, near: bool = False) -> str:
    """Why the two articles were compared, in the owner's terms."""
    if reason.shared_intents:
        return "both answer " + ", ".join(sorted(reason.shared_intents))
    if near:
        return (
            "they answer close needs (their questions and answers: similarity "
            f"{reason.need or 0:.2f}) and state this fact about the same thing"
        )
    return (
        "they answer the same need under different intents (their questions and answers are "
        f"close: similarity {reason.need or 0:.2f})"
    )


def _where(section: str | None) -> str:
    return "the answer" if section == ANSWER_SECTION else f"'{section}'"


def _backing(fact: Fact, cited: Sequence[CitedFact]) -> CitedFact | None:
    """The first clause fact of ``cited`` that ``fact`` restates (its value, about its
    subject), if any."""
    for source in cited:
        if any(restates(fact, clause_fact) for clause_fact in with_charges([source.fact])):
            return source
    return None


def _about_its_own_clause(
    sides: Sequence[tuple[CheckedArticle, Fact, CheckedArticle]],
    own: Sequence[CitedFact | None],
    cited: Sequence[Sequence[CitedFact]],
) -> bool:
    """One side states the value of a clause it cites, and the other misstates a clause of
    its own that the first clause is not ("within 30 days" for a price adjustment against
    "within 7 days" for a price match, each citing its own clause): two facts about two
    things, and the misstatement is that article's policy mismatch, not a conflict."""
    right = 0 if own[0] is not None else 1
    wrong = 1 - right
    source = own[right]
    if source is None or any(other.cite == source.cite for other in cited[wrong]):
        return False  # the wrong side cites the clause the right side states: one fact
    reference = [other.fact for other in cited[wrong]]
    return bool(find_contradictions([sides[wrong][1]], reference, CLAUSE_THRESHOLDS))


def _fix(
    a: CheckedArticle,
    b: CheckedArticle,
    c: Contradiction,
    policies: Mapping[str, PolicyDocument],
) -> str | None:
    """How to resolve a conflict: the side a cited clause supports, when one does. None when
    each side restates a clause it cites itself: the articles are each true to their own
    policy (two facts about different subjects, or policies that disagree, which their owners
    settle), so there is no article to correct and no conflict between the articles; None too
    when one side states its own clause and the other misstates a clause of its own
    (:func:`_about_its_own_clause`: that is the other's policy mismatch)."""
    sides = ((a, c.fact, b), (b, c.other, a))
    cited = [cited_clause_facts(item.doc, policies) for item, _, _ in sides]
    own = [_backing(fact, facts) for (_, fact, _), facts in zip(sides, cited, strict=True)]
    if all(own):
        return None
    if any(own) and _about_its_own_clause(sides, own, cited):
        return None
    if not any(own):  # a clause the other one cites may still say which is right
        own = [
            _backing(fact, facts)
            for (_, fact, _), facts in zip(sides, reversed(cited), strict=True)
        ]
    backed = [(side, source) for side, source in zip(sides, own, strict=True) if source]
    if len(backed) == 1:
        ((right, _, wrong), source) = backed[0]
        return (
            f"{right.doc.id} matches {source.cite} ({source.fact.describe()}): "
            f"correct {wrong.doc.id}"
        )
    return "correct the one that is wrong, or state the condition that tells them apart"


def _conflicts(
    a: CheckedArticle,
    b: CheckedArticle,
    reason: Candidate,
    policies: Mapping[str, PolicyDocument],
    *,
    same_need: bool,
    near: bool = False,
    counted: Sequence[CountedThing] = (),
    hours: bool = False,
) -> list[FindingData]:
    """Contradictions between two answers to one need, between two restatements of one
    clause (whatever the need) and between two counts of one thing, each with why the two
    were compared and how to fix it."""
    found: dict[tuple[str, str], tuple[Contradiction, str, str, list[Evidence]]] = {}
    if same_need:
        _answer_conflicts(a, b, reason, policies, ARTICLE_THRESHOLDS, found)
    for first, second in reason.restated:
        differing = _differing(first, second)
        if differing is not None:
            c, why, fix = differing
            source = first.source
            clause = policy_evidence(source.policy, source.fact.sentence, source.number)
            found.setdefault((c.fact.key, c.other.key), (c, why, fix, [clause]))
    for thing in counted:
        c = Contradiction(thing.fact, thing.other, thing.similarity)
        named, alike = thing.phrases, thing.similarity
        why = (
            f'both count one thing in other words ("{named[0]}" and "{named[1]}": similarity '
            f"{alike:.2f}) and their questions and answers are close (similarity "
            f"{reason.need or 0:.2f})"
        )
        fixed = _fix(a, b, c, policies)
        if fixed is not None:
            found.setdefault((c.fact.key, c.other.key), (c, why, fixed, []))
    if hours:
        _answer_conflicts(a, b, reason, policies, ARTICLE_THRESHOLDS, found, hours=True)
    if near:  # after the counts: a thing counted in other words says so
        _answer_conflicts(a, b, reason, policies, NEAR_NEED_THRESHOLDS, found, near=True)
        if not _cite_apart(a, b):
            _answer_conflicts(
                a, b, reason, policies, ARTICLE_THRESHOLDS, found, near=True, lone_answers=True
            )
    findings = []
    for (key_a, key_b), (c, why, fix, more) in sorted(found.items()):
        message = (
            f'{a.doc.id} says {c.fact.describe()} ("{c.fact.text}" in {_where(c.fact.section)})'
            f' but {b.doc.id} says {c.other.describe()} ("{c.other.text}" in '
            f"{_where(c.other.section)}), and {why}: {fix}."
        )
        evidence = [
            a.evidence(c.fact.section, c.fact.sentence, key_a),
            b.evidence(c.other.section, c.other.sentence, key_b),
            *more,
        ]
        findings.append(
            FindingData.create(
                FindingKind.CONFLICT,
                [a.doc.id, b.doc.id],
                message,
                evidence,
                fact_key=f"{key_a}|{key_b}",
            )
        )
    return findings


def _answer_conflicts(
    a: CheckedArticle,
    b: CheckedArticle,
    reason: Candidate,
    policies: Mapping[str, PolicyDocument],
    thresholds: Thresholds,
    found: dict[tuple[str, str], tuple[Contradiction, str, str, list[Evidence]]],
    *,
    near: bool = False,
    lone_answers: bool = False,
    hours: bool = False,
) -> None:
    """Add to ``found`` the facts of ``a`` and ``b`` that contradict each other, either way.

    ``lone_answers``: only the contradictions between the one value of each answer (a kind,
    unit and role), with subjects at least ``NEAR_NEED_ANSWER_FLOOR`` alike."""
    answers: dict[tuple[str, str], Contradiction] = {}
    for c in find_contradictions(a.facts, b.facts, thresholds):
        answers.setdefault((c.fact.key, c.other.key), c)
    for c in find_contradictions(b.facts, a.facts, thresholds):
        flipped = Contradiction(c.other, c.fact, c.similarity)
        answers.setdefault((c.other.key, c.fact.key), flipped)
    shared_hours = hours_of(a) & hours_of(b) if hours else set()
    for c in lone_hours_contradictions(a, b, shared_hours):
        answers.setdefault((c.fact.key, c.other.key), c)
    for k, c in answers.items():
        if hours and not opening_hours(c, shared_hours):
            continue
        if not hours and two_things_hours(c):
            continue
        if lone_answers and not (
            c.similarity >= NEAR_NEED_ANSWER_FLOOR and each_lone_in_its_answer(c, a.facts, b.facts)
        ):
            continue
        if _named_apart(a, b, c.fact, c.other) or _own_things_apart(a, b, c.fact, c.other):
            continue
        fix = _fix(a, b, c, policies)
        if fix is not None:
            why = _hours_need(a, b) if hours else _need(reason, near=near)
            found.setdefault(k, (c, why, fix, []))


def _hours_need(a: CheckedArticle, b: CheckedArticle) -> str:
    """Why two articles of one topic that both state opening hours were compared."""
    topics = {topic_of(i) for i in a.doc.intents} & {topic_of(i) for i in b.doc.intents}
    named = ", ".join(sorted(topics))
    return f"both answers give opening hours for these days, in one topic ({named})"


def _cite_apart(a: CheckedArticle, b: CheckedArticle) -> bool:
    """Both articles cite policy clauses, and none in common."""
    cited_a, cited_b = set(a.doc.policy_sources), set(b.doc.policy_sources)
    return bool(cited_a) and bool(cited_b) and not cited_a & cited_b


_ANY_SCRIPT_WORD = re.compile(r"\b[^\W\d_]+\b")


def _capitalised(sentence: str) -> Iterator[str]:
    """The words ``sentence`` writes capitalised, a capital then small letters, in letters of
    any script ("Plus", "Kōwhai", "Ōtaki"; not "PLUS")."""
    for word in _ANY_SCRIPT_WORD.findall(sentence):
        if len(word) > 1 and word[0].isupper() and word[1:].islower():
            yield word


def _names(item: CheckedArticle, other: CheckedArticle, fact: Fact) -> set[str]:
    """The words of ``item``'s title, not in ``other``'s, that ``fact``'s sentence writes as a
    name (capitalised): "Plus costs £8.99 a month" in "Northlight Plus membership"; in letters
    of any script, accents folded (:func:`~knowledge_service.freshness.text.name_terms`)."""
    own = set(name_terms(item.doc.title)) - set(name_terms(other.doc.title))
    if not own:
        return set()
    return {t for w in _capitalised(fact.sentence) for t in name_terms(w) if t in own}


def _named_apart(a: CheckedArticle, b: CheckedArticle, x: Fact, y: Fact) -> bool:
    """``x`` (of ``a``) and ``y`` (of ``b``) are each about the product its own title names and
    the other's does not, and neither sentence names the other's: "Plus costs £8.99 a month"
    and "Unlimited is £19.99 a month" are two memberships' prices, not one price stated twice."""
    named_x, named_y = _names(a, b, x), _names(b, a, y)
    if not named_x or not named_y:
        return False
    return not (named_x & set(name_terms(y.sentence))) and not (
        named_y & set(name_terms(x.sentence))
    )


def _own_things_apart(a: CheckedArticle, b: CheckedArticle, x: Fact, y: Fact) -> bool:
    """``x`` (of ``a``) and ``y`` (of ``b``) say the same of two things, each its own title's
    word that the other title lacks, in one place of the sentence (the word after it is the
    same), and neither sentence names the other's: "a reminder 6 weeks before the licence
    expires" (in "Renewing your driver licence") and "your renewal notice 4 weeks before your
    registration expires" (in "Renewing your vehicle registration") are two things' lead
    times."""
    own_a = set(content_terms(a.doc.title)) - set(content_terms(b.doc.title))
    own_b = set(content_terms(b.doc.title)) - set(content_terms(a.doc.title))
    terms_x, terms_y = content_terms(x.sentence), content_terms(y.sentence)
    if not own_a or not own_b or own_b & set(terms_x) or own_a & set(terms_y):
        return False
    after_x = {nxt for t, nxt in pairwise(terms_x) if t in own_a}
    after_y = {nxt for t, nxt in pairwise(terms_y) if t in own_b}
    return bool((after_x & after_y) - own_a - own_b)


def _differing(first: Restatement, second: Restatement) -> tuple[Contradiction, str, str] | None:
    """Two restatements of one clause fact that state it differently: the contradiction, why
    the articles were compared and which one to correct. One that the clause confirms and one
    it contradicts differ through the clause; two that it contradicts differ only when their
    own values do."""
    cite, clause_fact = first.source.cite, first.source.fact
    why = f"both restate {cite} ({clause_fact.describe()})"
    fact, other = first.fact, second.fact
    if first.matches or second.matches:
        if is_narrower(fact, other):
            return None
        right, wrong = (first, second) if first.matches else (second, first)
        others = f" and {count(right.also, 'other article')}" if right.also else ""
        verb = "match" if right.also else "matches"
        fix = f"{right.article_id}{others} {verb} {cite}: correct {wrong.article_id}"
        return Contradiction(fact, other, 1.0), why, fix
    for x in with_charges([fact]):
        for y in with_charges([other]):
            if is_comparable(x, y) and not same_value(x, y) and not is_narrower(x, y):
                fix = f"neither matches {cite}: correct both"
                return Contradiction(x, y, 1.0), why, fix
    return None


def _duplicate(
    a: CheckedArticle,
    b: CheckedArticle,
    reason: Candidate,
    overlap: float,
    *,
    same_figures: bool = False,
    phrasing: float | None = None,
) -> FindingData:
    """``phrasing``: without a similarity, the shared pairs of consecutive words that made
    them duplicates."""
    similarity = f"similarity {reason.similarity:.2f}, " if reason.similarity is not None else ""
    shared = f"{phrasing:.0%} shared word pairs, " if phrasing is not None else ""
    why = f"{similarity}{shared}{overlap:.0%} shared words"
    if same_figures:
        figures = ", ".join(sorted({f.describe() for f in a.facts if f.kind != FactKind.RULE}))
        need = (
            _need(reason)
            if reason.shared_intents
            else f"their texts are close (similarity {reason.similarity or 0:.2f})"
        )
        why = f"{need} and state the same figures in other words: {figures}"
    message = (
        f"{a.doc.id} and {b.doc.id} say substantially the same thing ({why}): merge them or "
        "make their scopes distinct."
    )
    evidence = [
        a.evidence(ANSWER_SECTION, a.doc.answer),
        b.evidence(ANSWER_SECTION, b.doc.answer),
    ]
    return FindingData.create(FindingKind.DUPLICATE, [a.doc.id, b.doc.id], message, evidence)
