"""Conditions, exceptions and scope in one sentence: who, when and in which case a fact holds.

``If you hold a Seniors Card, a renewal costs $34.25`` states $34.25 *for Seniors Card holders*:
the condition is part of the fact, and a narrower fact does not contradict the unconditioned
rule ($68.50). A condition is a clause opened by ``if``/``when``/``unless``/``except``/...
(also ``while you're in``/``on``: "while you're in our hardship program, no late fees"),
the people it names (``Pensioner Concession Card holders``, ``holders of a ...``), an age
(``under 25``, ``25 or older``) or a date (``from 1 January 2027``).

A fact's *qualifier* is the set of terms of the conditions around it that do not contain the
fact itself (in ``if your fines add up to $200 or more``, $200 *is* the condition). Terms are
word stems plus pseudo-terms for ages and dates (``<age:under:25>``, ``<from:1 january 2027>``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from knowledge_service.freshness.numeric import age_limits
from knowledge_service.freshness.text import (
    GENERIC,
    ONCE_OPENS_CLAUSE,
    content_terms,
    stem,
    words_with_positions,
)

_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
)
_CLAUSE = re.compile(
    rf"(?i)(?:\b(?:if|unless|except(?: for| when| if)?|provided(?: that)?|whenever|when|"
    rf"as long as|only if|other than)\b|{ONCE_OPENS_CLAUSE})"
    # up to a comma, or to the main clause's subject and verb where no comma marks it ("if it
    # happens we'll text you, and ..."); its first word is the condition's own ("if we can't")
    r"(?:\s+[^\s,;:.?!]+)?[^,;:.?!]*?"
    # (not a bare "we": "if the amount we charged is wrong" is one condition); looked for where
    # a run of spaces starts, not from each of its spaces (time in the square of the run)
    r"(?=(?<!\s)\s+(?:and\s+)?(?:we'll|we will|you can(?!')|you'll|you will)\b|[,;:.?!]|$)"
    # "while you're in our hardship program we don't charge ...": up to the main clause's subject
    r"|\bwhile (?:you|they|the customer)(?:'re| are| is)? (?:in|on) [^,;:.?!]*?"
    r"(?=(?<!\s)\s+(?:we|you|they|it|there)\b|[,;:.?!]|$)"
)
_HOLDERS = re.compile(
    r"(?i)\b(?:holders? of (?:an? |the )?(?P<of>(?:[\w'-]+ ){0,3}?(?:card|licence|license|permit|"
    r"pass|visa|certificate|[\w'-]+))"
    r"|(?P<before>(?:[\w'-]+ ){1,3})(?:(?:card)?holders?|members|subscribers))\b"
)
_DATE = re.compile(
    r"(?i)\b(?P<rel>from|until|before|after|since|starting|beginning|effective|by)\s+"
    # "starting with the payment on July 20, 2027": what starts, then the day
    r"(?:(?:with|from)\s+(?:the\s+|your\s+)?\w+(?:\s+\w+)?\s+(?:on|in)\s+)?"
    r"(?:(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?)?"
    # "July 2027", "July 20, 2027" (the day is left out of the term), "2027-07-20"
    rf"(?P<date>{_MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?=\s+\d{{4}}))?(?:\s+\d{{4}})?"
    r"|\d{4}-\d{2}-\d{2})"
)
# Which product or case a fact is about: "on Saver fares", "On Flex,", "for Business
# customers", "on international flights". A capitalised name after "on" or "for", before a
# product word or a comma; or lower-case words before a product word. The product word itself
# names nothing narrower ("fares" against "fares"), so only the words before it count.
_PRODUCTS = (
    r"fares?|plans?|tickets?|flights?|routes?|services?|accounts?|cards?|tariffs?|bundles?|"
    r"packages?|memberships?|tiers?|members?|customers?|policies|products?|bookings?"
)
_SCOPE = re.compile(
    r"\b(?i:on|for)\s+(?i:an?\s+|the\s+|your\s+|our\s+)?"
    rf"(?:(?P<name>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){{0,2}})(?=\s+(?i:{_PRODUCTS})\b|\s*,)"
    rf"|(?P<kind>(?:[a-z][\w'-]*\s+){{1,2}})(?=(?:{_PRODUCTS})\b))"
)
# The people a price or rule is for, named by a bare group word: "$3 for members", "free for
# seniors", "half price for students".
_FOR_GROUP = re.compile(
    r"(?i)\bfor (?:our |all |existing |new |current )?(?P<group>members|subscribers|students|"
    r"seniors|pensioners|veterans|retirees|children|kids|adults|teens|teenagers|juniors|"
    r"businesses|employees|staff|residents|non-residents|non-members|guests|visitors)\b"
)
# Words of a condition that never narrow it: "if you hold a ..." is about what is held.
_NEUTRAL = frozenset({"hold", "holder", "have", "use", "want", "like", "choos", "decid"})

Condition = tuple[int, int, frozenset[str]]
UNLESS = "<unless>"
"""Marks a qualifier that is an exception ("a $50 fee applies unless it is returned unopened"):
the fact holds *except* in that case (matching.is_exception_case)."""
_EXCEPTION = re.compile(r"(?i)(?:unless|except)\b")


def _age_terms(text: str) -> list[Condition]:
    """Age limits as conditions: ``<age:over:75>``, ``<age:under:25>``."""
    return [
        (start, end, frozenset({f"<age:{side}:{value:g}>"}))
        for _, side, value, start, end in age_limits(text)
    ]


def _terms(text: str) -> frozenset[str]:
    return frozenset(t for t in content_terms(text) if t not in _NEUTRAL)


def _generic_terms(text: str) -> frozenset[str]:
    """A clause whose words are all common in this domain ("once it's paid", "if you can't
    make it") still names a case: the stems of those words."""
    return frozenset(
        stem(w) for w, _, _ in words_with_positions(text) if w in GENERIC and w not in _NEUTRAL
    )


# A condition that names the case the sentence before described, not a narrower one of its own.
_BACK_CASE = re.compile(
    r"(?i)(?:if|when|whenever|once)\s+(?:so|(?:that|this)(?:'s| is) the case|"
    r"(?:that|this) happens)\s*$"
)
_MAY_CONDITION = re.compile(
    r"(?i)\b(?:if|unless|except|provided|when|whenever|once|as long as|other than|while|holders?|"
    r"members|subscribers|aged?|under|over|older|younger|from|until|before|after|since|starting|"
    r"beginning|effective|by|on|for)\b"
)


def conditions(sentence: str) -> list[Condition]:
    """(start, end, terms) of every condition stated in ``sentence``."""
    found: list[Condition] = []
    if not _MAY_CONDITION.search(sentence):
        return found  # most sentences state none: one cheap test
    for m in _CLAUSE.finditer(sentence):
        if _BACK_CASE.match(m.group(0)):
            continue  # "if that happens": the case of the sentence before, not one of its own
        terms = _terms(m.group(0)) | _special(m.group(0)) or _generic_terms(m.group(0))
        if terms and _EXCEPTION.match(m.group(0)):
            terms |= {UNLESS}
        found.append((m.start(), m.end(), terms))
    for m in _HOLDERS.finditer(sentence):
        words = m["of"] or m["before"] or ""
        terms = _terms(words)
        if terms:
            found.append((m.start(), m.end(), terms))
    for m in _SCOPE.finditer(sentence):
        terms = _terms(m["name"] or m["kind"])
        if terms:
            found.append((m.start(), m.end(), terms))
    for m in _FOR_GROUP.finditer(sentence):
        found.append((m.start(), m.end(), _terms(m["group"])))
    found += _age_terms(sentence)
    for m in _DATE.finditer(sentence):
        found.append((m.start(), m.end(), frozenset({_date_term(m)})))
    return found


def _date_term(m: re.Match[str]) -> str:
    date = " ".join(w for w in m["date"].lower().replace(",", " ").split() if not _DAY.match(w))
    return f"<{m['rel'].lower()}:{date}>"


_DAY = re.compile(r"\d{1,2}(?:st|nd|rd|th)?$")


def _special(text: str) -> frozenset[str]:
    """Age and date pseudo-terms inside a condition clause."""
    return frozenset(
        [t for _, _, terms in _age_terms(text) for t in terms]
        + [_date_term(m) for m in _DATE.finditer(text)]
    )


_START_EVENT = re.compile(r"(?i)once\b")


def start_events_dropped(found: Iterable[Condition], sentence: str) -> list[Condition]:
    """``found`` without the clauses opened by "once": to a duration, such a clause names the
    event it counts from, not a narrower case ("once you've told us, we'll come back within
    5 business days" is 5 business days from telling us, whoever tells us)."""
    return [c for c in found if not _START_EVENT.match(sentence, c[0])]


def qualifier(
    found: Iterable[Condition], start: int, end: int, sentence: str = ""
) -> frozenset[str]:
    """The terms of the conditions that qualify the fact at ``start:end`` of ``sentence``.

    A condition containing the fact is the fact itself, not a qualifier; a condition after
    the fact qualifies it only within the same clause (``$35, which we take off if ...``
    qualifies the taking off, not the $35).
    """
    terms: set[str] = set()
    for c_start, c_end, c_terms in found:
        if c_start < end and start < c_end:
            continue  # the fact is inside (or part of) the condition
        if c_start >= end and _CLAUSE_BREAK.search(sentence[end:c_start]):
            continue
        terms |= c_terms
    return frozenset(terms)


_CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:which|and|but)\b")
_BREAK_WORDS = ("which", "and", "but")
FEW_CONDITIONS = 16


def _is_word_char(char: str) -> bool:
    """A character ``\\b`` reads as part of a word."""
    return char.isalnum() or char == "_"


class Qualifiers:
    """:func:`qualifier` of every fact of one ``sentence``, read once for all of them.

    A sentence stating many figures ("$1 $1 $1 ...") asked :func:`qualifier` once a figure,
    and each call read the text between the figure and every condition after it: time in the
    cube of the sentence. Here the clause breaks and each term's conditions are found once,
    and a fact's qualifier takes time in the number of its conditions (a few: the set is
    built as :func:`qualifier` builds it, to the order of its terms) or, past
    :data:`FEW_CONDITIONS`, of their terms (the same terms; a set's order is no part of it,
    and it varies between processes with the hash seed).
    """

    def __init__(self, found: Iterable[Condition], sentence: str) -> None:
        self._found = list(found)
        self._sentence = sentence
        breaks = list(_CLAUSE_BREAK.finditer(sentence))
        self._break_starts = [m.start() for m in breaks]
        self._break_ends = [m.end() for m in breaks]
        # term -> (the earliest end of a condition naming it, the starts of those conditions)
        self._terms: dict[str, tuple[int, list[int]]] = {}
        for c_start, c_end, c_terms in self._found:
            for term in c_terms:
                first_end, starts = self._terms.get(term, (c_end, []))
                starts.append(c_start)
                self._terms[term] = (min(first_end, c_end), starts)
        for _, starts in self._terms.values():
            starts.sort()
        # A condition opening inside a word right after "and", "but" or "which" ("...andx"):
        # a slice ending there reads that word as a break, a longer one does not, so the
        # breaks are not read once for all; never seen in text, read the slow way.
        self._slow = any(self._break_word_ends_at(c_start) for c_start, _, _ in self._found)

    def _break_word_ends_at(self, at: int) -> bool:
        text = self._sentence
        return (
            0 < at < len(text)
            and _is_word_char(text[at - 1])
            and _is_word_char(text[at])
            and any(text.endswith(word, 0, at) for word in _BREAK_WORDS)
        )

    def _first_break(self, at: int) -> int:
        """Where the first clause break after ``at`` ends, read in ``sentence[at:...]`` as
        :func:`qualifier` reads it (a break word right at ``at`` counts even inside a word)."""
        text = self._sentence
        n = bisect_left(self._break_starts, at)
        first = self._break_ends[n] if n < len(self._break_ends) else len(text) + 1
        if at > 0 and _is_word_char(text[at - 1]):
            for word in _BREAK_WORDS:
                after = at + len(word)
                if text.startswith(word, at) and (
                    after == len(text) or not _is_word_char(text[after])
                ):
                    first = min(first, after)
        return first

    def __call__(self, start: int, end: int) -> frozenset[str]:
        """:func:`qualifier` of the fact at ``start:end``."""
        if self._slow or start >= end:
            return qualifier(self._found, start, end, self._sentence)
        limit = self._first_break(end)
        if len(self._found) <= FEW_CONDITIONS:
            found: set[str] = set()
            for c_start, c_end, c_terms in self._found:
                if c_end <= start or end <= c_start < limit:
                    found |= c_terms
            return frozenset(found)
        terms = []
        for term, (first_end, starts) in self._terms.items():
            if first_end <= start:  # a condition before the fact
                terms.append(term)
                continue
            n = bisect_left(starts, end)  # the first one after it, before a clause break
            if n < len(starts) and starts[n] < limit:
                terms.append(term)
        return frozenset(terms)


def is_covered(term: str, *terms: AbstractSet[str]) -> bool:
    """``term`` is named in one of ``terms`` (a stem, or a longer/shorter form of it:
    buy/buyer)."""
    if any(term in t for t in terms):
        return True
    if term.startswith("<") or len(term) < 3:
        return False
    return any(
        len(other) >= 3
        and not other.startswith("<")
        and (other.startswith(term) or term.startswith(other))
        for group in terms
        for other in group
    )


def narrows(
    qualifier_terms: AbstractSet[str],
    *other_terms: AbstractSet[str],
    both_qualified: bool = False,
) -> bool:
    """True when a condition names who/when/which case the other text (``other_terms``) does
    not speak of.

    Against an unconditioned statement, a condition narrows when at least 40% of its terms
    are not named there (``damaged`` against a text about faulty modems); when both facts
    are conditioned, when most of them are not (``when the old one was damaged`` and ``if you
    damaged it`` are one condition).
    """
    qualifier_terms = {t for t in qualifier_terms if t != UNLESS}
    if not qualifier_terms:
        return False
    missing = sum(1 for t in qualifier_terms if not is_covered(t, *other_terms))
    share = missing / len(qualifier_terms)
    return share > 0.5 if both_qualified else share >= 0.4
