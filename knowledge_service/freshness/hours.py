"""Opening hours two answers of one topic give for the same days (``pairs.hours_pairs``).

An answer's hours are read as times (:mod:`~knowledge_service.freshness.times`) whose unit
holds their role, zone and days, so two answers' closing times for weekdays are one fact
however the days are written ("Monday to Friday", "weekdays"). The words around them may
still differ entirely: a contact centre's hours are written "our lines are open", "our
customer team is available", "our phone team is here", "our contact centre is open", or in a
table row "Phone, 0800 555 314". So when each answer gives one opening (or closing) time for
those days, the two are compared whatever their words, unless one of them names a place or a
service the other does not ("the library", "the claims line", "webchat"): those are another
thing's hours. Times whose words are alike are not compared when each names a place or a
service of its own and none in common ("the library" and "the aquatic centre"), or none but
the one each names with a word of its own ("Central Library" and "Harbour Library"), and so
are no two answers' times however their articles are compared (:func:`two_things_hours`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import pairwise

from knowledge_service.freshness.facts import ANSWER_SECTION, CONTEXT_WEIGHT, Fact, FactKind
from knowledge_service.freshness.matching import Contradiction, is_narrower, scopes, scopes_clash
from knowledge_service.freshness.rules import CheckedArticle
from knowledge_service.freshness.text import TIME_ZONES, content_terms, name_terms, stem


def hours_of(item: CheckedArticle) -> set[tuple[str, str]]:
    """The (zone, days) of each opening-hours range the answer states (an opening and a
    closing time for the same days in the same zone)."""
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, role, zone, days in _answer_times(item.facts):
        roles[(zone, days)].add(role)
    return {k for k, r in roles.items() if {"from", "until"} <= r}


def opening_hours(c: Contradiction, shared_hours: set[tuple[str, str]]) -> bool:
    """Two times of the answers' opening hours (the same role, days and zone), among the
    (zone, days) both answers state hours for (``shared_hours``), of one place or service:
    not when they name two (:func:`_two_things`), however alike their subjects are ("The
    library is open from 9am to 8pm" and "The aquatic centre is open from 6am to 9pm")."""
    if c.fact.unit != c.other.unit:
        return False
    both = [(zone, days) for _, _, zone, days in _answer_times((c.fact, c.other))]
    return len(both) == 2 and both[0] in shared_hours and not _two_things(c.fact, c.other)


def two_things_hours(c: Contradiction) -> bool:
    """Two times of the answers of one role, zone and days that are two places' or services'
    (:func:`_two_things`): "The library opens at 9am" and "The aquatic centre opens at 6am",
    wherever two answers' times are compared (a shared intent, a near need), not only for
    their hours."""
    if c.fact.unit != c.other.unit:
        return False
    return len(list(_answer_times((c.fact, c.other)))) == 2 and _two_things(c.fact, c.other)


def _answer_times(facts: Iterable[Fact]) -> Iterator[tuple[Fact, str, str, str]]:
    """The times of ``facts`` stated in an answer, each with the role, zone and days its unit
    holds."""
    for fact in facts:
        if fact.kind == FactKind.TIME and fact.section == ANSWER_SECTION:
            role, zone, days = fact.unit.split(":", 2)
            yield fact, role, zone, days


def lone_hours_contradictions(
    a: CheckedArticle, b: CheckedArticle, shared_hours: set[tuple[str, str]]
) -> list[Contradiction]:
    """The opening and closing times, for days both answers give hours for
    (``shared_hours``), where each answer gives one time of that role, zone and days and the
    two differ, though their words do not match ("Our customer team is available 8am to 8pm,
    Monday to Friday" and "Our lines are open 8am to 6pm on weekdays"): unless either is
    narrower (a condition the other never speaks of) or they are the hours of two things
    (:func:`_served_apart`)."""
    mine, theirs = _lone_times(a, shared_hours), _lone_times(b, shared_hours)
    found = []
    for unit, fact in mine.items():
        other = theirs.get(unit)
        if other is None or other.value == fact.value:
            continue
        if scopes_clash(scopes(fact.subject), scopes(other.subject)):
            continue
        if is_narrower(fact, other) or _served_apart(fact, other):
            continue
        found.append(Contradiction(fact, other, 0.0))
    return found


def _lone_times(item: CheckedArticle, shared_hours: set[tuple[str, str]]) -> dict[str, Fact]:
    """The answer's times, by unit, for the (zone, days) of ``shared_hours``: those that are
    the answer's only time of their unit."""
    by_unit: dict[str, list[Fact]] = defaultdict(list)
    for fact, _, zone, days in _answer_times(item.facts):
        if (zone, days) in shared_hours:
            by_unit[fact.unit].append(fact)
    return {unit: facts[0] for unit, facts in by_unit.items() if len(facts) == 1}


# Words that say when, or that say a contact centre answers, never whose hours they are: days,
# parts of the day and time zones (the time's unit holds its days and zone), being open, and
# the ways a contact centre is named ("our lines", "the phone team", "customer services").
_HOURS_WORDS = frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon",
        "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "weekday", "weekend",
        "week", "day", "daili", "holiday", "public", "bank", "statutori", "stat", "morn",
        "afternoon", "evening", "night", "noon", "midday", "midnight", "am", "pm",
        "open", "avail", "answer", "staf", "staff", "hour", "close", "reach",
        "line", "team", "phone", "telephon", "call", "servic", "care", "helplin", "help",
        "support", "agent", "advis", "advisor", "contact", "custom",
    }
) | frozenset(TIME_ZONES)  # fmt: skip
# A centre that is the contact centre ("our contact centre", "the call centre"), not a place
# ("the Aquatic Centre").
_CONTACT_CENTRE = re.compile(
    r"\b(?:contact|call|customer|servic(?:e|ing)|support|care|help)\s+cent(?:re|er)s?\b",
    re.IGNORECASE,
)
# A time zone's name that is a word of a place's name ("Central Library", "Pacific Aquatic
# Centre"): capitalised, before a capitalised word that names no time, day or zone ("8am to
# 8pm Central Time", "Eastern Standard Time", "Central, Monday to Friday" are zones).
_ZONE_IN_NAME = re.compile(
    r"\b(?P<zone>"
    + "|".join(z.capitalize() for z in sorted(TIME_ZONES) if len(z) > 4)
    + r") +(?P<next>[A-Z][^\W\d_]*)"
)
_ZONE_AFTER_WORDS = frozenset({"standard", "daylight", "zone"})


def _zone_names(sentence: str) -> set[str]:
    """The time zones' names ``sentence`` writes as words of a place's name
    (:data:`_ZONE_IN_NAME`)."""
    found = set()
    for m in _ZONE_IN_NAME.finditer(sentence):
        following = set(name_terms(m["next"]))
        if following and not following & (_HOURS_WORDS | _ZONE_AFTER_WORDS):
            found.add(stem(m["zone"].lower()))
    return found


def _own_words(fact: Fact) -> set[str]:
    """The words of ``fact``'s sentence, and of a table cell's row and column, that may name
    whose hours these are: the whole sentence's, as what is open is often named far from a
    second range ("Harbour Central Library is open 9 a.m. to 8 p.m. Monday to Friday, and 10
    a.m. to 4 p.m. on weekends")."""
    own = {t for t, weight in fact.subject.items() if weight > CONTEXT_WEIGHT}
    # the sentence's words in letters of any script, in place of their pieces in a to z
    own = own.difference(content_terms(fact.sentence)).union(name_terms(fact.sentence))
    hours_words = _HOURS_WORDS - _zone_names(fact.sentence)
    words = {t for t in own if not t.startswith("<") and t not in hours_words}
    if _CONTACT_CENTRE.search(fact.sentence):
        words -= {"centr", "center"}
    return words


def _said(fact: Fact) -> set[str]:
    """Every word ``fact``'s subject and sentence hold, in letters of any script too."""
    sentence = fact.sentence
    return set(fact.subject).union(content_terms(sentence), name_terms(sentence))


def _served_apart(x: Fact, y: Fact) -> bool:
    """``x`` or ``y`` names a place or service the other's sentence never names: "Harbour
    Central Library is open ..." and "Harbour Aquatic Centre is open ...", "the claims line"
    and "our customer service lines", "webchat" and "our phone lines" are two things' hours."""
    said_x, said_y = _said(x), _said(y)
    return bool(_own_words(x) - said_y) or bool(_own_words(y) - said_x)


def _two_things(x: Fact, y: Fact) -> bool:
    """``x`` and ``y`` each name a place or service the other's sentence never names, and
    share no such word but the one their own words name apart: "The library is open ..." and
    "The aquatic centre is open ...", "Central Library is open ..." and "Harbour Library is
    open ..." (:func:`_named_apart`). The test for times whose subjects are alike already,
    looser than :func:`_served_apart`'s: one sentence's words of its own beside the other's
    ("it's open 7 a.m. to 8 PM" and "You can pick up your car from 7 a.m. to 10 p.m.";
    "Central Library" and "the library" or "the Central Library"), or a word both name that
    neither names apart ("Chat with us ... from the Help menu in the app" and "Chat and phone
    support are open ..."), are one thing's."""
    own_x, own_y = _own_words(x), _own_words(y)
    apart_x, apart_y = own_x - _said(y), own_y - _said(x)
    if not apart_x or not apart_y:
        return False
    shared = own_x & own_y
    return not shared or (_named_apart(x, apart_x, shared) and _named_apart(y, apart_y, shared))


def _named_apart(fact: Fact, apart: set[str], shared: set[str]) -> bool:
    """A word of ``fact``'s own that the other sentence never says (``apart``) stands right
    before a word both name (``shared``), as a name's distinctive word before its head noun:
    "Central" in "Central Library" beside "Harbour Library", "indoor" in "the indoor pool"."""
    # next to each other as written: "Check-in starts at 2 p.m. on your arrival day" names no
    # "start arrival" (its content words alone would put them side by side)
    terms = [next(iter(name_terms(word)), "") for word in _A_WORD.findall(fact.sentence)]
    return any(a in apart and b in shared for a, b in pairwise(terms))


_A_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
