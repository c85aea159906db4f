"""Compare the facts of two texts: which fact of one contradicts the same fact of the other.

Two facts are *the same fact* when they have the same kind and unit family and their subjects
(weighted stems of the words around them) are similar. A fact agrees when the other text states
the same value for it anywhere; it contradicts when it does not and the most similar fact of
the other text, about the same subject, has a different value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from knowledge_service.freshness.conditions import narrows
from knowledge_service.freshness.facts import Fact, FactKind, as_charge, same_value

# Subjects that exclude each other: facts scoped to residential and to business customers (or to
# electricity and gas, or mobile and broadband) are different facts, however alike their words.
SCOPE_GROUPS: dict[str, str] = {
    "residenti": "segment:residential", "household": "segment:residential",
    "domest": "segment:residential",
    "busi": "segment:business", "busin": "segment:business", "commerci": "segment:business",
    "electr": "fuel:electricity", "electricity": "fuel:electricity", "gas": "fuel:gas",
    "solar": "fuel:solar", "water": "fuel:water",
    "mobil": "product:mobile", "nbn": "product:broadband", "broadband": "product:broadband",
    "landlin": "product:landline", "prepaid": "plan:prepaid", "postpaid": "plan:postpaid",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Thresholds:
    """How similar two subjects must be to be the same fact.

    ``numeric``/``rule``: the general floors; ``single``: the floor when the other text has
    exactly one fact of that kind (a clause about one amount states one amount).
    """

    numeric: float = 0.45
    rule: float = 0.5
    single: float = 0.15


RULE_TIE = 0.05  # rules this much less similar than the closest still count as as close
CLAUSE_THRESHOLDS = Thresholds()
ARTICLE_THRESHOLDS = Thresholds(numeric=0.55, rule=0.6, single=0.25)


@dataclass(frozen=True, slots=True)
class Contradiction:
    """A fact of the checked text and the fact of the reference it contradicts."""

    fact: Fact
    other: Fact
    similarity: float


def scopes(terms: Mapping[str, float] | Sequence[str]) -> set[str]:
    """The exclusive scopes (customer segment, fuel, ...) that a set of stems names."""
    return {SCOPE_GROUPS[t] for t in terms if t in SCOPE_GROUPS}


def scopes_clash(a: set[str], b: set[str]) -> bool:
    """True when both name scopes of one group and share none (residential vs business)."""
    groups = {s.split(":")[0] for s in a} & {s.split(":")[0] for s in b}
    return any(
        not ({s for s in a if s.startswith(g + ":")} & {s for s in b if s.startswith(g + ":")})
        for g in groups
    )


def subject_similarity(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine similarity of two weighted subjects."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    if dot == 0.0:
        return 0.0
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm


def _comparable(a: Fact, b: Fact) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == FactKind.RULE:
        return a.unit == b.unit
    if a.kind == FactKind.MONEY:
        return a.unit == b.unit
    return True


def is_narrower(a: Fact, b: Fact) -> bool:
    """True when either fact holds under a condition the other's text never speaks of: a
    narrower statement (an exception, a scope) does not contradict the general rule."""
    return (not _is_exempt(a, b) and narrows(a.qualifier, b.context | b.qualifier)) or (
        not _is_exempt(b, a) and narrows(b.qualifier, a.context | a.qualifier)
    )


def _is_exempt(conditional: Fact, other: Fact) -> bool:
    """A prohibition stated without condition admits no case: a permission under a condition
    contradicts it (``can be paid to a third party if you ask in writing`` vs ``must not``)."""
    return (
        conditional.kind == FactKind.RULE
        and conditional.unit == "permission"
        and bool(conditional.value)
        and not other.value
        and not other.qualifier
    )


def with_charges(facts: Sequence[Fact]) -> list[Fact]:
    """``facts`` plus the *charged* rule that each amount charged implies."""
    implied = [c for c in map(as_charge, facts) if c is not None]
    return [*facts, *implied] if implied else list(facts)


def find_contradictions(
    facts: Sequence[Fact], reference: Sequence[Fact], thresholds: Thresholds
) -> list[Contradiction]:
    """The facts of ``facts`` that ``reference`` states differently.

    A reference fact is contradicted at most once (by its most similar fact), and never when
    ``facts`` also states its value.
    """
    facts = with_charges(facts)
    reference = with_charges(reference)
    best: dict[int, Contradiction] = {}
    for fact in facts:
        same_kind = [r for r in reference if _comparable(fact, r)]
        if not same_kind:
            continue
        match = _contradicted_by(fact, same_kind, thresholds)
        if match is None:
            continue
        current = best.get(id(match.other))
        if current is None or current.similarity < match.similarity:
            best[id(match.other)] = match
    confirmed = [c for c in best.values() if _is_confirmed(c, facts, thresholds)]
    return [c for c in best.values() if c not in confirmed]


def _is_confirmed(c: Contradiction, facts: Sequence[Fact], thresholds: Thresholds) -> bool:
    """The text also states the reference's value: for a number anywhere, for a yes/no rule
    about the same subject ("permits are free" confirms "no fee for a permit" whatever a
    replacement costs)."""
    if c.other.kind != FactKind.RULE:
        return any(same_value(f, c.other) for f in facts)
    return any(
        same_value(f, c.other)
        and subject_similarity(f.subject, c.other.subject) >= max(thresholds.rule, c.similarity)
        for f in facts
    )


def _contradicted_by(
    fact: Fact, same_kind: list[Fact], thresholds: Thresholds
) -> Contradiction | None:
    own_scopes = scopes(fact.subject)
    candidates = [
        r
        for r in same_kind
        if not scopes_clash(own_scopes, scopes(r.subject)) and not is_narrower(fact, r)
    ]
    if not candidates:
        return None
    scored = sorted(
        ((subject_similarity(fact.subject, r.subject), r) for r in candidates),
        key=lambda pair: -pair[0],
    )
    if fact.kind == FactKind.RULE:
        similarity, best = scored[0]
        if similarity < thresholds.rule or any(
            same_value(fact, r) for sim, r in scored if sim >= similarity - RULE_TIE
        ):
            return None  # the closest statement agrees (or one as close does)
        return Contradiction(fact, best, similarity)
    if any(same_value(fact, r) for r in candidates):
        return None
    similarity, best = scored[0]
    floor = thresholds.single if len(candidates) == 1 else thresholds.numeric
    if similarity < floor:
        return None
    return Contradiction(fact, best, similarity)
