"""Compare the facts of two texts: which fact of one contradicts the same fact of the other.

Two facts are *the same fact* when they have the same kind and unit family and their subjects
(weighted stems of the words around them) are similar. A fact agrees when the other text states
the same value for it anywhere, or when its own text states the other's value about the same
subject where the fact is read (an article's answer is read alone on customer channels); it
contradicts when it does not and the most similar fact of the other text, about the same
subject, has a different value.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from knowledge_service.freshness.conditions import UNLESS, is_covered, narrows
from knowledge_service.freshness.facts import (
    ALLOWANCE,
    ANSWER_SECTION,
    BEYOND,
    CONTEXT_WEIGHT,
    IN_WINDOW,
    LOOK_BACK,
    PAST_WINDOW,
    PERIODIC,
    PROXY,
    Fact,
    FactKind,
    as_charge,
    charge_kind,
    same_scale,
    same_unit,
    same_value,
)

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
    # size classes (parcels, bags, bins, cars): a large parcel's limit is not a standard one's
    "small": "size:small", "medium": "size:medium", "standard": "size:standard",
    "larg": "size:large", "extra-larg": "size:extra-large", "overs": "size:oversized",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Thresholds:
    """How similar two subjects must be to be the same fact.

    ``numeric``/``rule``: the general floors; ``single``: the floor when the other text has
    exactly one fact of that kind (a clause about one amount states one amount).
    ``authority``: the reference is the source of truth; only a condition of the checked
    text protects it (a clause stated for "a full licence holder" still binds an article
    that leaves the holder out, but an article's exception may come from another clause).
    ``answer_duration``: the floor for two durations that are each the one duration of its
    text's answer, in the same role (:func:`_answer_durations_differ`); None: not compared so.
    """

    numeric: float = 0.45
    rule: float = 0.4
    single: float = 0.15
    authority: bool = False  # the reference is the source of truth (a policy clause)
    answer_duration: float | None = None


RULE_TIE = 0.05  # rules this much less similar than the closest still count as as close
CLAUSE_THRESHOLDS = Thresholds(authority=True)
ARTICLE_THRESHOLDS = Thresholds(numeric=0.55, rule=0.45, single=0.3, answer_duration=0.15)


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
    """Cosine similarity of two weighted subjects; 0 when they share no word of their own (a
    heading's words or "at most" alone never make two facts one). A word that begins a
    compound of the other side ("eye" and "eyesight") counts as shared."""
    if not any(
        t in b and max(w, b[t]) > CONTEXT_WEIGHT and not t.startswith("<") for t, w in a.items()
    ):
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    if dot == 0.0:
        return 0.0
    dot += _compound_dot(a, b)
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm


MIN_COMPOUND_PART = 3


def _compound_dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The products of words of ``a`` and ``b`` (not shared as such) where one begins the
    other and at least three letters follow: "eye"/"eyesight", "card"/"cardhold", never
    "car"/"card". Each word pairs at most once."""
    rest_a = [t for t in a if t not in b and len(t) >= MIN_COMPOUND_PART and t[0] != "<"]
    if not rest_a:
        return 0.0
    rest_b = [t for t in b if t not in a and len(t) >= MIN_COMPOUND_PART and t[0] != "<"]
    dot = 0.0
    for t in rest_a:
        for u in rest_b:
            short, long = (t, u) if len(t) < len(u) else (u, t)
            if len(long) - len(short) >= MIN_COMPOUND_PART and long.startswith(short):
                dot += a[t] * b[u]
                rest_b.remove(u)
                break
    return dot


_OPPOSITE = (frozenset({"<before>", "<ahead>"}), frozenset({"<after>", "<ago>", "<from>"}))


def _comparable(a: Fact, b: Fact, *, charges: bool = True) -> bool:
    """Two facts that may state one thing; ``charges``: unless they are amounts of two charges
    (:func:`_other_charges`)."""
    if a.kind != b.kind:
        return False
    before, after = _OPPOSITE
    keys_a, keys_b = a.subject.keys(), b.subject.keys()
    if (keys_a & before and keys_b & after) or (keys_a & after and keys_b & before):
        return False  # six months *before* expiry and five years *after* it are two facts
    if ("<every>" in a.subject) != ("<every>" in b.subject) and not (
        PERIODIC in a.subject or PERIODIC in b.subject
    ):
        return False  # "every 3 months" is a frequency, "for 12 months" a length
    if (LOOK_BACK in a.subject) != (LOOK_BACK in b.subject):
        return False  # "the last three months" looks back; "up to 36 months" does not
    if (PROXY in a.subject) != (PROXY in b.subject):
        return False  # what someone may do for you is not what you may do
    if a.kind == FactKind.RULE:
        return a.unit == b.unit and same_action(a, b) and not _allowance_and_beyond(a, b)
    if a.kind == FactKind.MONEY:
        return (
            same_unit(a, b)
            and _same_period(a, b)
            and not (charges and (_other_charges(a, b) or _other_charges(b, a)))
        )
    if a.kind == FactKind.AGE:
        return a.unit == b.unit  # "under 25" and "25 or over" are two limits
    if a.kind == FactKind.MEASURE:
        return a.unit == b.unit and _same_period(a, b)  # a weight is never a length
    if a.kind == FactKind.TIME:
        return a.unit == b.unit  # one role, zone and days: an opening time is no closing time
    return True


def _allowance_and_beyond(a: Fact, b: Fact) -> bool:
    """One is a free allowance ("one free change"), the other what is charged beyond it
    ("each further change costs $10"); or one rule holds past a time ("don't accept a return
    after 14 days"), the other within it ("may be returned within 14 days"): two facts,
    neither contradicting the other."""
    return any(
        (x in a.subject and y in b.subject) or (y in a.subject and x in b.subject)
        for x, y in ((ALLOWANCE, BEYOND), (PAST_WINDOW, IN_WINDOW))
    )


def _period(fact: Fact) -> str | None:
    return next((t for t in fact.subject if t.startswith("<per:")), None)


def _same_period(a: Fact, b: Fact) -> bool:
    """Two amounts that may be one: per the same period ("$20,000 a day" is not "$50,000 a
    week"), or neither per a period; and a limit per a period ("up to $50,000 a week") is
    never an amount stated with no period and no limit (a fee of $20)."""
    period_a, period_b = _period(a), _period(b)
    if period_a == period_b:
        return True
    if period_a and period_b:
        return False
    periodic, other = (a, b) if period_a else (b, a)
    bounds = {"<max>", "<min>"}
    return not (periodic.subject.keys() & bounds and not other.subject.keys() & bounds)


def same_action(a: Fact, b: Fact) -> bool:
    """Two permissions or obligations that may be one rule: the same action, or actions done
    to something in common ("lodge a notice of sale" and "send the notice"). "You don't need
    to contact us" is not "the conveyancer must lodge a notice of sale": another action, and
    nothing the two are done to in common, whoever acts; nor is "you don't need to report each
    paycheque" "you must report any change": one verb done to other things. When either action
    is unknown, or
    neither says what it is done to (two verbs alone may be synonyms: "call us", "contact
    us"), their subjects decide."""
    if not a.action or not b.action:
        return True
    if a.action == b.action:  # unless done to other things: "report each paycheque"
        return not (a.action_head and b.action_head) or _share(a.action_head, b.action_head)
    if not a.action_object and not b.action_object:
        return True
    return _share(a.action_object | {a.action}, b.action_object | {b.action})


def _share(words_a: frozenset[str], words_b: frozenset[str]) -> bool:
    """Two sets of stems name something in common (a word, or a compound and its part)."""
    return (
        bool(words_a & words_b)
        or _compound_dot(dict.fromkeys(words_a, 1.0), dict.fromkeys(words_b, 1.0)) > 0
    )


def restates(fact: Fact, clause_fact: Fact, thresholds: Thresholds = CLAUSE_THRESHOLDS) -> bool:
    """``fact`` states ``clause_fact``'s value about the same subject: the article says what
    the clause says ("up to 2 extensions" and "at most two extensions")."""
    floor = thresholds.rule if fact.kind == FactKind.RULE else thresholds.numeric
    return (
        same_value(fact, clause_fact)
        and _comparable(fact, clause_fact)
        and subject_similarity(fact.subject, clause_fact.subject) >= floor
    )


def is_comparable(a: Fact, b: Fact) -> bool:
    """Two facts of one kind that may state one thing (see :func:`find_contradictions`)."""
    return _comparable(a, b) and same_scale(a, b)


def _other_charges(a: Fact, b: Fact) -> bool:
    """``a`` names its charge ("the transfer fee"), ``b`` names none and its text never uses
    those words: two charges ("registering a car costs $325" is not the transfer fee). When
    both name theirs, the names may be synonyms (a processing and an administration fee), and
    their subjects decide."""
    kind = charge_kind(a.sentence)
    return (
        bool(kind)
        and not charge_kind(b.sentence)
        and not any(is_covered(t, b.context, b.subject.keys()) for t in kind)
    )


def is_narrower(a: Fact, b: Fact, *, one_way: bool = False) -> bool:
    """True when either fact (only ``a`` when ``one_way``) holds under a condition the other's
    text never speaks of: a narrower statement (an exception, a scope) does not contradict
    the general rule."""
    if not a.qualifier and not b.qualifier:
        return False
    both = bool(a.qualifier) and bool(b.qualifier)
    if not _is_exempt(a, b) and narrows(a.qualifier, b.context, b.qualifier, both_qualified=both):
        return True
    return (
        not one_way
        and not _is_exempt(b, a)
        and narrows(b.qualifier, a.context, a.qualifier, both_qualified=both)
    )


def is_exception_case(fact: Fact, other: Fact) -> bool:
    """``fact`` is about the case ``other`` excepts: "unopened phones have no restocking fee"
    against "a restocking fee of $50 applies unless it is returned unopened". At least half of
    the exception's words are words of ``fact``'s own sentence."""
    if UNLESS not in other.qualifier:
        return False
    words = [t for t in other.qualifier if not t.startswith("<")]
    named = sum(1 for t in words if fact.subject.get(t, 0.0) > CONTEXT_WEIGHT)
    return bool(words) and 2 * named >= len(words)


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
    facts: Sequence[Fact],
    reference: Sequence[Fact],
    thresholds: Thresholds,
    *,
    cited_by_number: Sequence[bool] = (),
) -> list[Contradiction]:
    """The facts of ``facts`` that ``reference`` states differently.

    A reference fact is contradicted at most once (by its most similar fact), and never when
    ``facts`` also states its value. ``cited_by_number``: for each fact of ``reference``,
    whether it is stated in a clause the checked text cites by number, which the text
    restates: an amount of a charge that clause names is compared with the text's amounts
    about its subject though the text never names that charge (:func:`_misstated_named_charge`).
    """
    by_number = {id(r) for r, cited in zip(reference, cited_by_number, strict=False) if cited}
    facts = with_charges(facts)
    reference = with_charges(reference)
    best: dict[int, Contradiction] = {}
    for fact in facts:
        same_kind = [r for r in reference if _comparable(fact, r)]
        match = None
        if same_kind:
            alone = thresholds.authority or _is_alone(fact, facts)
            match = _contradicted_by(fact, same_kind, thresholds, alone=alone)
        if match is None and same_kind and thresholds.answer_duration is not None:
            match = _answer_durations_differ(fact, facts, reference, thresholds.answer_duration)
        if match is None and thresholds.authority:
            match = _misstated_named_charge(fact, same_kind, reference, thresholds, by_number)
        if match is None or _states_named_value(fact, reference, match, thresholds):
            continue
        match = _closer_named_charge(match, reference, thresholds)
        current = best.get(id(match.other))
        if current is None or current.similarity < match.similarity:
            best[id(match.other)] = match
    confirmed = [c for c in best.values() if _is_confirmed(c, facts, thresholds)]
    return [c for c in best.values() if c not in confirmed]


def _states_named_value(
    fact: Fact, reference: Sequence[Fact], c: Contradiction, thresholds: Thresholds
) -> bool:
    """``fact`` states the value of an amount of ``reference`` that names its charge where
    ``fact``'s text does not, about a subject as close as the contradicted one's or close
    enough to restate it: "the fee is $12.00 after 14 days" is the "late payment fee of
    $12.00" of a bill unpaid 14 days after its due date, not the $45.00 of a special meter
    reading. A charge's name the text never uses (:func:`_other_charges`) keeps that charge
    from contradicting the text's amount, never from agreeing with it."""
    if fact.kind != FactKind.MONEY:
        return False
    close = min(thresholds.numeric, c.similarity)
    own_scopes = scopes(fact.subject)
    return any(
        same_value(fact, r)
        and _other_charges(r, fact)
        and _comparable(fact, r, charges=False)
        and not scopes_clash(own_scopes, scopes(r.subject))
        and not is_narrower(fact, r, one_way=thresholds.authority)
        and subject_similarity(fact.subject, r.subject) >= close
        for r in reference
    )


def _closer_named_charge(
    c: Contradiction, reference: Sequence[Fact], thresholds: Thresholds
) -> Contradiction:
    """``c``, or the contradiction of ``c.fact`` by an amount of ``reference`` that names its
    charge where ``c.fact``'s text does not, about a subject closer than ``c.other``'s and
    close enough to be the same fact: "the fee is $15.00 after 14 days" misstates "a late
    payment fee of $12.00 ... 14 days after its due date", not the $45.00 of a special meter
    reading, and the finding quotes the clause to correct it to."""
    closer = _closest_named_charge(c.fact, reference, thresholds, above=c.similarity)
    return c if closer is None else closer


def _closest_named_charge(
    fact: Fact, reference: Sequence[Fact], thresholds: Thresholds, *, above: float = 0.0
) -> Contradiction | None:
    """The amount of ``reference`` closest to amount ``fact`` among those that name their
    charge where ``fact``'s text does not (:func:`_other_charges`), about a subject close
    enough to be the same fact and closer than ``above``, as a contradiction of ``fact``
    (whatever the two values); None when there is none."""
    if fact.kind != FactKind.MONEY:
        return None
    best = None
    own_scopes = scopes(fact.subject)
    for r in reference:
        if not (
            _other_charges(r, fact)
            and _comparable(fact, r, charges=False)
            and not scopes_clash(own_scopes, scopes(r.subject))
            and not is_narrower(fact, r, one_way=thresholds.authority)
            and not is_exception_case(fact, r)
            and not is_exception_case(r, fact)
        ):
            continue
        similarity = subject_similarity(fact.subject, r.subject)
        if similarity >= thresholds.numeric and similarity > above:
            best, above = Contradiction(fact, r, similarity), similarity
    return best


def _misstated_named_charge(
    fact: Fact,
    same_kind: list[Fact],
    reference: Sequence[Fact],
    thresholds: Thresholds,
    by_number: Collection[int] = (),
) -> Contradiction | None:
    """The contradiction of amount ``fact`` by the amount of a charge a clause of
    ``reference`` names where ``fact``'s text does not, about ``fact``'s subject, when no
    amount compared as such (of ``same_kind``) states ``fact``'s value about its subject:

    - citing its clause by number (``by_number``: the ids of such clauses' facts), "the fee is
      $15.00 after 14 days" misstates its "late payment fee of $12.00 ... 14 days after its due
      date", whatever other clauses the text cites;
    - citing a whole policy, "the fee is $45.00 after 14 days" misstates the late payment
      fee too, though another clause charges $45.00 for a special meter reading: an amount
      about another subject agrees with it no more than it would contradict it
      (:func:`_closer_named_charge`). With no amount of the same value, the policy's named
      charges are other charges (:func:`_other_charges`)."""
    c = _closest_named_charge(fact, reference, thresholds)
    if c is None or same_value(fact, c.other):
        return None
    agreeing = [
        subject_similarity(fact.subject, r.subject)
        for r in _candidates(fact, same_kind, thresholds)
        if same_value(fact, r)
    ]
    if any(similarity >= thresholds.numeric for similarity in agreeing):
        return None
    return c if agreeing or id(c.other) in by_number else None


def _is_confirmed(c: Contradiction, facts: Sequence[Fact], thresholds: Thresholds) -> bool:
    """The text also states the reference's value about the same subject, where the
    contradicting statement is read (:func:`_read_with`): a refund "paid within 10 business
    days" that "we aim to pay within 5" agrees with a clause's 10 days, and "permits are free"
    confirms "no fee for a permit" whatever a replacement costs.

    The same subject: for a yes/no rule, one at least as close to the reference's as the
    contradicting statement's; for a number, one as close or close enough to restate the
    reference (:func:`restates`): "change your bank details within 10 business days" does
    not confirm 10 days of payment beside "paid within 30"."""
    if c.other.kind == FactKind.RULE:
        close = max(thresholds.rule, c.similarity)
    else:
        close = min(thresholds.numeric, c.similarity)
    return any(
        same_value(f, c.other)
        and _comparable(f, c.other)
        and _read_with(f, c.fact)
        and subject_similarity(f.subject, c.other.subject) >= close
        for f in facts
    )


def _read_with(fact: Fact, stated: Fact) -> bool:
    """``fact`` is read wherever ``stated`` is: customer channels serve an article's answer
    alone, so only the answer confirms the answer; the detail is read below the answer, and
    anything in the article confirms it."""
    return stated.section != ANSWER_SECTION or fact.section == ANSWER_SECTION


def _role(fact: Fact) -> frozenset[str]:
    """How a number relates to its subject: a limit, a floor, before/after (its markers)."""
    return frozenset(t for t in fact.subject if t in _ROLE_MARKERS)


_ROLE_MARKERS = frozenset(
    {"<max>", "<min>", "<before>", "<after>", "<ahead>", "<ago>", "<from>", "<every>"}
)


def _is_alone(fact: Fact, facts: Sequence[Fact]) -> bool:
    """``fact`` is its text's only numeric fact of its kind, unit and role: "twelve months"
    in a price list of three lengths is not, "up to 14 days" beside "in any 12-month period"
    is."""
    if fact.kind == FactKind.RULE:
        return True
    role = _role(fact)
    return not any(
        f is not fact and f.kind == fact.kind and same_unit(f, fact) and _role(f) == role
        for f in facts
    )


def _contradicted_by(
    fact: Fact, same_kind: list[Fact], thresholds: Thresholds, *, alone: bool = True
) -> Contradiction | None:
    candidates = _candidates(fact, same_kind, thresholds)
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
    if similarity >= thresholds.numeric:
        return Contradiction(fact, best, similarity)
    # Under the general floor, a lone candidate of the same unit is probably the same fact;
    # against a clause (one matter, one figure), so is a calendar and a business-day duration
    # that cannot be equal. 21 calendar days and 13 business days are so only when their
    # subjects say so; so are a lead time ("issued 14 days before its due date") and a length
    # ("you pay for one month at a time"), and a clause's lead time does not keep its one
    # length from being lone ("billed monthly"). Between two articles, a candidate is lone
    # only as the other's one value of the kind, and only when neither states another of
    # that unit in the same role (a price list's "twelve months" is not a deadline).
    timed = [(sim, r) for sim, r in scored if _is_lead_time(r) == _is_lead_time(fact)]
    if not alone or len(timed) != 1 or (len(candidates) > 1 and not thresholds.authority):
        return None
    similarity, best = timed[0]
    scale = same_unit(best, fact) or (thresholds.authority and same_scale(best, fact))
    if not scale or similarity < thresholds.single:
        return None
    if not thresholds.authority and _is_lead_time(fact) and not _share_own_word(fact, best):
        return None  # alike only through their articles' titles: "7 days before a hold"
    return Contradiction(fact, best, similarity)


def _candidates(fact: Fact, same_kind: list[Fact], thresholds: Thresholds) -> list[Fact]:
    """The facts of ``same_kind`` that may state what ``fact`` states: of no other scope, not
    narrower, and not about a case the other excepts."""
    own_scopes = scopes(fact.subject)
    return [
        r
        for r in same_kind
        if not scopes_clash(own_scopes, scopes(r.subject))
        and not is_narrower(fact, r, one_way=thresholds.authority)
        and not is_exception_case(fact, r)
        and not is_exception_case(r, fact)
    ]


def each_lone_in_its_answer(c: Contradiction, facts: Sequence[Fact], other: Sequence[Fact]) -> bool:
    """Both facts of ``c`` are stated in their text's answer (``c.fact`` of ``facts``,
    ``c.other`` of ``other``), each its answer's only fact of its kind, unit and role: the one
    value each answer gives."""
    if c.fact.section != ANSWER_SECTION or c.other.section != ANSWER_SECTION:
        return False
    answer = [f for f in with_charges(facts) if f.section == ANSWER_SECTION]
    theirs = [f for f in with_charges(other) if f.section == ANSWER_SECTION]
    return _is_alone(c.fact, answer) and _is_alone(c.other, theirs)


def _answer_durations_differ(
    fact: Fact, facts: Sequence[Fact], reference: Sequence[Fact], floor: float
) -> Contradiction | None:
    """Two answers to one need that each state one duration in the same role, differently:
    "bring the jacket back within 28 days" against "unworn clothes can be returned within a
    fortnight". An answer is the reply to the need, so its one duration is the one the need
    asks for, however few words the two sentences share (their subjects need only reach
    ``floor``) and whatever other durations the details below it state.

    ``fact``: a fact of the checked text (``facts``), against the ``reference`` text."""
    if fact.kind != FactKind.DURATION or fact.section != ANSWER_SECTION:
        return None
    answer = [f for f in facts if f.section == ANSWER_SECTION]
    theirs = [r for r in reference if r.section == ANSWER_SECTION]
    same = [r for r in theirs if _comparable(fact, r) and same_unit(r, fact)]
    same = [r for r in same if _role(r) == _role(fact)]
    if not _is_alone(fact, answer) or len(same) != 1 or not _is_alone(same[0], theirs):
        return None  # either answer states another duration in that role: which is it?
    other = same[0]
    if (
        same_value(fact, other)
        or scopes_clash(scopes(fact.subject), scopes(other.subject))
        or is_narrower(fact, other)
        or is_exception_case(fact, other)
        or is_exception_case(other, fact)
    ):
        return None
    similarity = subject_similarity(fact.subject, other.subject)
    return Contradiction(fact, other, similarity) if similarity >= floor else None


def _share_own_word(a: Fact, b: Fact) -> bool:
    """The two facts' own sentences share a word (weighed above a title's or heading's)."""
    return any(
        w > CONTEXT_WEIGHT and b.subject.get(t, 0.0) > CONTEXT_WEIGHT and not t.startswith("<")
        for t, w in a.subject.items()
    )


def _is_lead_time(fact: Fact) -> bool:
    """A time before an event ("issued 14 days before its due date", "2 business days'
    notice"): another kind of thing than a length or a deadline. A time after an event is
    not told apart: "within 28 days of the date" and "21 days from the issue date" are one
    deadline."""
    return bool(fact.subject.keys() & _OPPOSITE[0])


def differing_counts(facts: Sequence[Fact], other: Sequence[Fact]) -> list[tuple[Fact, Fact]]:
    """Counts of two texts that may state the number of one thing differently, whatever their
    subjects' words: each its text's only count in its role (a limit, a floor, none), the
    same role, comparable, not narrowed by a condition, and with values that differ and that
    the other text never states. Whether they count the same thing is for their counted
    phrases to say (:func:`~knowledge_service.freshness.facts.counted_phrase`)."""
    found = []
    for x in facts:
        if x.kind != FactKind.COUNT or not _is_alone(x, facts):
            continue
        if any(same_value(x, f) for f in other):
            continue
        for y in other:
            if (
                y.kind == FactKind.COUNT
                and _role(x) == _role(y)
                and _is_alone(y, other)
                and is_comparable(x, y)
                and not any(same_value(y, f) for f in facts)
                and not scopes_clash(scopes(x.subject), scopes(y.subject))
                and not is_narrower(x, y)
            ):
                found.append((x, y))
    return found
