"""Yes/no rules in one sentence: is something charged, allowed or required?

A sentence is split into segments at contrast words (``but``, ``however``, ``;``); each segment
states at most one polarity per aspect. Prohibitions (``must not``) count as *not allowed*.
"""

from __future__ import annotations

import re

from knowledge_service.freshness.text import NUMBER_WORD, ONCE_OPENS_CLAUSE

CHARGE, PERMISSION, OBLIGATION = "charge", "permission", "obligation"

# Order matters: negatives first, and each match is blanked so ``must not`` never reads as
# ``must``.
_CUES: list[tuple[str, bool, re.Pattern[str]]] = [
    (
        CHARGE,
        False,
        re.compile(
            r"\bfree of charge\b|(?<!feel )(?<!-)\bfree\b(?!\s*(?:call|phone))"
            r"|\b(?:fee|charge|cost|commission|surcharge)-free\b"  # not interest- or tax-free
            r"|\bno (?:extra |additional |[a-z-]+ )?(?:charges?|fees?|costs?|surcharges?)\b"
            r"|\b(?:is|are|be|been|being|get|gets)(?: not|n't) charged\b|\bnot charged\b"
            r"|\b(?:not|[a-z]+n't|cannot|never) (?:be|get) charged\b"  # you won't be charged
            r"|\bno (?:[a-z-]+ ){1,3}?(?:is|are|will be|gets?) charged\b"  # no interest is charged
            r"|\b(?:do|does|did|will|would)(?: not|n't) charge\b|\bdon't charge\b"
            r"|\bnever (?:charge|charged|pay)\b|\bwaived?\b"
            r"|\bwithout (?:a |any )?(?:fee|charge|cost)\b"
            r"|\bcosts? nothing\b|\bat no (?:extra |additional )?cost\b"
            r"|\b(?:do|does|did|will|would)(?: not|n't) pay\b|\b(?:don't|doesn't|won't) pay\b"
            r"|\b(?:not|[a-z]+n't) cost (?:you )?(?:anything|a thing|a cent|a penny|extra)\b"
            # "the first two attempts are included in the permit fee": nothing more to pay
            r"|\b(?:is|are) included in (?:the|your|our) (?:[a-z-]+ )?(?:fee|price|cost|fare)\b"
        ),
    ),
    (
        CHARGE,
        True,
        re.compile(
            r"\b(?:is|are|be|been|being|get|gets|will be)\s+charged\b"
            r"|\bwe(?:'ll| will)? charge\b|\bthere(?:'s| is) a (?:[a-z]+ )?(?:charge|fee)\b(?!-)"
            r"|\b(?:fee|surcharge|charge)s? (?:applies|apply|is payable|are payable)\b"
            r"|\battracts? (?:a|an)\b|\bincurs? (?:a|an)\b"
            r"|\bpays? (?:a|an|the) [a-z -]{0,25}?(?:fee|surcharge)\b"
        ),
    ),
    (
        PERMISSION,
        False,
        re.compile(
            r"\bcannot\b|\bcan ?not\b|\bcan't\b|\bmay not\b|\bmust not\b|\bmustn't\b"
            r"|\b(?:not|[a-z]+n't|never|no longer) (?:be )?"  # you won't be able to, never be
            r"(?:able|allowed|permitted|accepted|possible|available|eligible)\b"
            r"|\bunable to\b|\bno longer accept\w*\b|\bineligible\b"
            r"|\b(?:nobody|no one|no-one)(?: else)? (?:can|may|is allowed to)\b"
            r"|\bno (?!matter\b)(?:[a-z-]+ ){1,3}?(?:can|may) be\b"  # no restriction can be raised
            r"|\b(?:not|[a-z]+n't) (?:allow|accept|permit)\b"  # we don't allow
            r"|\b(?:is|are) unavailable\b"
            r"|\bnon-?transferable\b|\bno way to\b|\bnot an option\b"
        ),
    ),
    (
        OBLIGATION,
        False,
        re.compile(
            r"\bneeds? not\b|\bneedn't\b|\b(?:do|does|don't|doesn't)(?: not)? (?:need|have) to\b"
            r"|\b(?:does|do)(?: not|n't) (?:need|require)\b|\bnot (?:needed|required)\b"
            r"|\bnot (?:required|mandatory|necessary|compulsory)\b|\bno need\b|\boptional\b"
            r"|\b(?:not|[a-z]+n't|never|no longer) (?:need|have) to\b"  # you won't need to
            r"|\b(?:not|[a-z]+n't|never|no longer) be (?:needed|required|necessary)\b"
            r"|\bno (?:[a-z-]+ ){1,3}?(?:(?:is|are|will be) )?(?:needed|required|necessary)\b"
            r"|\b(?:is|are)n't (?:needed|required|necessary|mandatory|compulsory)\b"
        ),
    ),
    (
        OBLIGATION,
        True,
        re.compile(
            r"\bmust\b|\b(?:is|are) required\b|\brequired to\b|\b(?:have|has|need|needs) to\b"
            r"|\b(?:needs|requires) (?:a|an|the|your)\b"
            r"|\bmandatory\b|\bcompulsory\b|\b(?:is|are) essential\b"
        ),
    ),
    (
        PERMISSION,
        True,
        re.compile(
            r"\b(?:can|may)\b(?! (?:also )?(?:lead|result|cause|take|mean|vary|happen|help|"
            r"affect|depend|differ|change|appear|show|seem|afford)\b)"
            r"|\b(?:is|are) (?:allowed|permitted|able|available|accepted|eligible)\b"
            r"|\bable to\b|\ballowed to\b|(?:'re|'s|\bbe|\bbecome|\bremain) eligible\b"
            r"|\b(?:[a-z]+'re|are|is) (?:very |always |more than )?welcome\b"
            r"|\bwe (?:also )?accept\b"
        ),
    ),
]
_SEGMENT_BREAK = re.compile(
    r";|:\s|\s[-–—]\s|(?:,|(?<![\s,]))\s+(?:but|however|whereas|although|though|instead)\s+"
    r"|,\s+while\s+",
    re.I,
)

# (aspect, polarity, segment start, segment end, every cue's span in the segment, the span of
# the aspect's own first cue)
RuleSpan = tuple[str, bool, int, int, list[tuple[int, int]], tuple[int, int]]
# "Only the holder can renew", "may only be used when ...": a restriction, neither a plain
# permission nor a prohibition; what it forbids is stated, if at all, as one ("nobody else can").
_RESTRICTION = re.compile(
    r"\bonly\b[^,;:.]{0,40}?\b(?:can|may)\b|\b(?:can|may) only\b"
    # "downloads are available on Standard and Premium only", "only available to members"
    r"|\b(?:is|are) (?:only )?available\b[^,;:.]{0,40}?\bonly\b|\bonly (?:be )?available\b"
)
# "The vehicle may need an inspection", "you may have to wait": what may be needed is a
# possibility (at most an obligation, read from its own cue), never a permission.
_POSSIBLE_NEED = re.compile(
    r"\bmay(?= (?:also )?(?:need|needs|require|requires|have to|be required)\b)"
)
# A cue in a relative clause ("a customer who cannot pay") or an if-clause ("if you can't pay
# on time, ask ...") describes a case, it does not state a rule; nor does ability ("can't afford").
_RELATIVE = re.compile(r"\b(?:who|that|which|whose)\s+(?:\w+\s+)?$")
# The case a subject's relative clause describes, before the sentence's own verb: "A member who
# has been on income support for 26 weeks and cannot meet living expenses may be paid ...".
_SUBJECT_RELATIVE = re.compile(
    r"^\W*(?:a|an|the|any|each|every|all)\s+(?:[a-z'-]+\s+){1,3}?(?:who|that|whose)\s[^,;:]*$"
)
_MAIN_VERB_AFTER = re.compile(r"^[^,;:]*?\b(?:may|can|must|will|is|are)\b")
_IF_WORD = re.compile(rf"\b(?:if|unless|when|whenever)\b|{ONCE_OPENS_CLAUSE}")
_CLAUSE_END = re.compile(r"[,;:]")
# "we can't afford", and a disclaimer: "we can't guarantee one will be free", "we cannot
# promise a time" say what is not certain, not what is not allowed.
_NOT_RULE_AFTER = re.compile(r"^\s*(?:afford|guarantee|promise|ensure|assure)\b")
# "A card may not hold more than $250", "a card can hold up to two hundred and fifty dollars":
# a permission that only bounds a number states the limit, which is compared as a number; read
# as a rule, the two would contradict each other though they say the same.
_LIMIT_AFTER = re.compile(
    r"^\s*(?:[a-z']+\s+){0,5}?(?:up to|more than|no more than|at most|over|less than|fewer than|"
    rf"at least|a maximum of|a minimum of)\s+(?:\$|\d|(?:{NUMBER_WORD})\b)"
)


# Every cue contains one of these: a sentence without any states no rule (one cheap test).
_MAY_BE_RULE = re.compile(
    r"free|n't|\bno\b|not|charg|fee|waive|cost|pay|\bcan|\bmay\b|must|need|requir|mandatory|"
    r"compulsory|optional|allow|permit|able|eligib|accept|avail|never|nobody|no one|attract|incur|"
    r"welcome|essential|"
    r"\bha(?:ve|s) to\b"
)


# "The final meter read when a customer moves out is free": a case inside the subject, whose
# sentence states its rule after it. The subject opens with a determiner and holds no verb; the
# cue follows "is" or "are".
_SUBJECT_HEAD = re.compile(r"^\s*(?:the|a|an|your|any|each|every|our)\s+[a-z' -]*$")
_VERB = re.compile(
    r"\b(?:is|are|was|were|be|will|can|may|must|should|would|do|does|did|has|have|costs?|"
    r"pays?|charges?|gets?|needs?)\b|n't\b"
)
_COPULA_BEFORE = re.compile(r"\b(?:is|are)\s+(?:\w+\s+)?$")


def _in_condition(segment: str, start: int) -> bool:
    """Whether the cue at ``start`` is read inside an if- or when-clause (a case, not a
    rule)."""
    window = max(0, start - 80)
    found = next(
        (
            m
            for m in _IF_WORD.finditer(segment, window)  # "once" is read with what follows it
            if m.start() < start and not _CLAUSE_END.search(segment, m.end(), start)
        ),
        None,
    )
    if found is None:
        return False
    head = segment[: found.start()]
    return not (
        _SUBJECT_HEAD.match(head)
        and not _VERB.search(head)
        and _COPULA_BEFORE.search(segment, found.start(), start)
    )


# A rule hedged to most cases ("Most items can be renewed", "you can usually pay later")
# says nothing of any one case, so no exception contradicts it.
_HEDGED_SUBJECT = re.compile(r"^\W*(?:most|many|some|certain)\s")
_HEDGE_NEAR = re.compile(r"\b(?:usually|generally|normally|typically|often|mostly|in most cases)\b")


def _is_hedged(segment: str, start: int, end: int) -> bool:
    return bool(
        _HEDGED_SUBJECT.match(segment[:start])
        or _HEDGE_NEAR.search(segment[max(0, start - 20) : end + 20])
    )


def _is_not_stated(segment: str, start: int, end: int) -> bool:
    before = segment[max(0, start - 80) : start]
    return bool(
        _is_hedged(segment, start, end)
        or _RELATIVE.search(before)
        or (_SUBJECT_RELATIVE.match(segment[:start]) and _MAIN_VERB_AFTER.match(segment[end:]))
        or _in_condition(segment, start)
        or _NOT_RULE_AFTER.match(segment[end:])
        or _LIMIT_AFTER.match(segment[end:])
    )


def rule_spans(sentence: str) -> list[RuleSpan]:
    """(aspect, polarity, segment start, segment end, cue spans, own cue) of every rule in a
    sentence."""
    found: list[RuleSpan] = []
    if not _MAY_BE_RULE.search(sentence.lower()):
        return found
    start = 0
    bounds = [(m.start(), m.end()) for m in _SEGMENT_BREAK.finditer(sentence)]
    for seg_end, next_start in [*bounds, (len(sentence), len(sentence))]:
        segment = sentence[start:seg_end].lower()
        if "only" in segment:
            segment = _RESTRICTION.sub(lambda m: " " * len(m.group(0)), segment)
        if "may" in segment:
            segment = _POSSIBLE_NEED.sub(lambda m: " " * len(m.group(0)), segment)
        cues: list[tuple[int, int]] = []
        results: dict[str, tuple[bool, tuple[int, int]]] = {}
        for aspect, polarity, pattern in _CUES:
            for m in pattern.finditer(segment):
                stated = not _is_not_stated(segment, m.start(), m.end())
                segment = segment[: m.start()] + " " * (m.end() - m.start()) + segment[m.end() :]
                if not stated:
                    continue
                cues.append((start + m.start(), start + m.end()))
                results.setdefault(aspect, (polarity, cues[-1]))
        found.extend(
            (aspect, polarity, start, seg_end, cues, cue)
            for aspect, (polarity, cue) in results.items()
        )
        start = next_start
    return found
