"""Fact extraction: amounts, durations, percentages, counts and yes/no rules stated in text.

A :class:`Fact` is a normalised value (``$30`` and ``$30.00`` are both 30 AUD; ``two weeks`` and
``14 days`` are both 14 calendar days; business days stay apart from calendar days) plus its
*subject*: weighted stems of the words around it (nearer words weigh more; the heading adds a
little), so facts about the same thing in different words can be compared.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from itertools import accumulate

from knowledge_service.freshness.conditions import (
    Condition,
    Qualifiers,
    conditions,
    start_events_dropped,
)
from knowledge_service.freshness.numeric import DAYS_PER_UNIT, PERIOD_DAYS, numeric_spans
from knowledge_service.freshness.text import (
    NUMBER_WORD,
    STOPWORDS,
    TIME_ZONES,
    content_terms,
    is_content_word,
    labelled_sentences,
    mask_non_facts,
    may_state_number,
    named_number_words,
    split_sentences,
    stem,
    words_with_positions,
)
from knowledge_service.freshness.times import TIME, Span, days_named, describe_time, time_spans
from knowledge_service.freshness.yesno import RuleSpan, rule_spans


class FactKind(StrEnum):
    MONEY = "money"
    DURATION = "duration"
    PERCENT = "percent"
    COUNT = "count"
    AGE = "age"  # an age limit: unit "over" (from that age) or "under"
    MEASURE = "measure"  # a weight, length or volume: unit "kg", "m" or "l"
    TIME = "time"  # a time of day in minutes after midnight: unit "role:zone:days" (times.py)
    RULE = "rule"


CONTEXT_WEIGHT = 0.3
# The section of an article's facts stated in its answer (the text before the first heading):
# the one part every channel serves, and the only part customer channels serve.
ANSWER_SECTION = "answer"


@dataclass(frozen=True, slots=True, eq=False)
class Fact:
    """One normalised fact and where it was stated."""

    kind: FactKind
    unit: str
    value: float
    text: str
    sentence: str
    section: str | None = None
    subject: Mapping[str, float] = field(default_factory=dict)
    qualifier: frozenset[str] = frozenset()
    context: AbstractSet[str] = frozenset()  # shared by a document's facts (see extract_facts)
    # A permission's or obligation's action (see rule_action): its stem ("" when unknown) and
    # the stems of the words it is done to.
    action: str = ""
    action_object: frozenset[str] = frozenset()
    # the words right after the verb, up to a preposition or a new clause: what it is done to
    # ("report each biweekly paycheque": biweekli, paycheque), never how or when
    action_head: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        """The normalised value, e.g. ``money:AUD:20.00`` or ``rule:charge:no``."""
        if self.kind == FactKind.RULE:
            return f"rule:{self.unit}:{'yes' if self.value else 'no'}"
        if self.kind == FactKind.DURATION and self.value * 24 < 1:  # minutes: finer
            return f"{self.kind}:{self.unit}:{self.value:.5f}"
        return f"{self.kind}:{self.unit}:{self.value:.2f}"

    def describe(self) -> str:
        """The value as a content owner would write it."""
        if self.kind == FactKind.MONEY:
            symbol = _SYMBOLS.get(self.unit)
            return f"{symbol}{self.value:,.2f}" if symbol else f"{self.unit} {self.value:,.2f}"
        if self.kind == FactKind.MEASURE:
            return _describe_measure(self.value, self.unit)
        if self.kind == FactKind.PERCENT:
            return f"{plain_number(self.value)}%"
        if self.kind == FactKind.TIME:
            return describe_time(self.value)
        if self.kind == FactKind.DURATION:
            if "<every>" in self.subject and self.unit == "day":
                return _describe_frequency(self.value)
            return _describe_duration(self.value, self.unit)
        if self.kind == FactKind.RULE:
            return RULE_WORDS[self.unit][bool(self.value)]
        if self.kind == FactKind.AGE:
            over = self.unit == "over"
            return f"age {self.value:g} and over" if over else f"under {self.value:g}"
        return plain_number(self.value)


def plain_number(value: float) -> str:
    """A figure as people write it: ``40,000``, ``2.5``, ``0.35``; never ``4e+04``."""
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# A measure's kept unit -> the units it is told in, largest first: (name, size in the kept
# unit). A value is told in the largest unit it reaches ("40,000 km", not "4e+07 m").
_MEASURE_SCALES: dict[str, tuple[tuple[str, float], ...]] = {
    "m": (("km", 1000.0), ("m", 1.0), ("cm", 0.01), ("mm", 0.001)),
    "kg": (("kg", 1.0), ("g", 0.001)),
    "l": (("l", 1.0), ("ml", 0.001)),
    "GB": (("TB", 1000.0), ("GB", 1.0), ("MB", 0.001), ("KB", 1e-6)),
    "Mbps": (("Gbps", 1000.0), ("Mbps", 1.0), ("kbps", 0.001)),
}


def _describe_measure(value: float, unit: str) -> str:
    """``40,000 km``, ``1.5 m``, ``500 g``, ``600 kbps``: the largest unit the value reaches."""
    scales = _MEASURE_SCALES.get(unit, ((unit, 1.0),))
    kept = next((scale for scale in scales if scale[1] == 1.0), scales[0])
    name, size = next(
        ((n, s) for n, s in scales if abs(value) >= s), kept if not value else scales[-1]
    )
    return f"{plain_number(round(value / size, 4))} {name}"


_SYMBOLS = {"AUD": "$", "GBP": "£", "EUR": "€"}
_CALENDAR_UNITS = (("year", 365.25), ("month", 30.4375), ("calendar day", 1.0))


_TIMES_WORDS = {1: "once", 2: "twice"}


def _describe_frequency(days: float) -> str:
    """``every 6 months``, ``twice a month``, ``3 times a week``: how often, as written."""
    whole = _describe_duration(days, "day")
    if whole.startswith("1 "):
        return f"once a {whole[2:].removeprefix('calendar ')}"  # "once a year", "once a day"
    if "." not in whole:
        return f"every {whole}"
    for name in ("week", "month", "year"):
        times = _PERIOD_LENGTH[name] / days
        if abs(times - round(times)) < 1e-3 and 1 <= round(times) <= 31:
            n = round(times)
            return f"{_TIMES_WORDS.get(n, f'{n} times')} a {name}"
    return f"every {whole}"


def _describe_duration(value: float, unit: str) -> str:
    """``12 months``, ``14 calendar days``, ``10 business days``, ``4 hours``: the largest
    whole unit."""
    if unit == "business_day":
        return f"{value:g} business day{'' if value == 1 else 's'}"
    if value * 24 < 1:
        minutes = round(value * 1440, 1)
        return f"{minutes:g} minute{'' if minutes == 1 else 's'}"
    if value < 1:
        hours = round(value * 24, 2)
        return f"{hours:g} hour{'' if hours == 1 else 's'}"
    for name, days in _CALENDAR_UNITS:
        n = value / days
        if abs(n - round(n)) < 1e-6:
            return f"{round(n)} {name}{'' if round(n) == 1 else 's'}"
    return f"{value:g} calendar days"


RULE_WORDS = {
    "charge": ("free of charge", "charged"),
    "permission": ("not allowed", "allowed"),
    "obligation": ("not required", "required"),
}


_DOLLARS = frozenset({"AUD", "USD", "NZD", "CAD"})


def same_unit(a: Fact, b: Fact) -> bool:
    """One unit: the same, or a bare "$" (kept as ``AUD``) beside a dollar of a named country
    ("$330" and "CAD 360" in a Canadian knowledge base are both dollars of one currency)."""
    if a.unit == b.unit:
        return True
    return (
        a.kind == b.kind == FactKind.MONEY
        and a.unit in _DOLLARS
        and b.unit in _DOLLARS
        and (a.text.startswith("$") or b.text.startswith("$"))
    )


def same_value(a: Fact, b: Fact) -> bool:
    """True when two facts of one kind state the same normalised value."""
    if a.kind != b.kind or not same_unit(a, b):
        return False
    if (a.kind == FactKind.DURATION and a.unit == "day") or a.kind == FactKind.MEASURE:
        # months and years are not whole days, and "50 lb" is 22.7 kg said as 23
        return abs(a.value - b.value) <= 0.03 * max(a.value, b.value)
    return abs(a.value - b.value) < 1e-6


# n business days span at least n calendar days plus the weekends inside them (starting on a
# Monday) and at most n plus every weekend they can cross (starting on a Saturday) and the public
# holidays of a holiday season: a conservative bound, never an exact conversion.
WORKING_WEEK = 5
WEEKEND_DAYS = 2
HOLIDAY_ALLOWANCE = 3


def calendar_days(fact: Fact) -> tuple[float, float] | None:
    """The calendar days a duration may stand for: exact for calendar units, a range for
    business days (``2 business days``: 2 to 7 days, ``10``: 12 to 17); None otherwise."""
    if fact.kind != FactKind.DURATION:
        return None
    if fact.unit == "day":
        return (fact.value, fact.value)
    if fact.unit == "business_day":
        n = fact.value
        weekends_inside = math.floor(max(n - 1, 0) / WORKING_WEEK)
        weekends_crossed = math.ceil(n / WORKING_WEEK)
        return (
            n + WEEKEND_DAYS * weekends_inside,
            n + WEEKEND_DAYS * weekends_crossed + HOLIDAY_ALLOWANCE,
        )
    return None


def same_scale(a: Fact, b: Fact) -> bool:
    """Two facts whose values can be told apart without their subjects' help: one unit, or
    a calendar and a business-day duration whose ranges (:func:`calendar_days`) do not meet
    (24 hours is never 2 business days; 14 days may be 10 business days, so there the words
    around them must say it is one fact)."""
    if same_unit(a, b):
        return True
    span_a, span_b = calendar_days(a), calendar_days(b)
    if span_a is None or span_b is None:
        return False
    return span_a[1] < span_b[0] or span_b[1] < span_a[0]


def _subject(
    sentence: str,
    words: Sequence[tuple[str, int, int]],
    spans: list[tuple[int, int]],
    focus: tuple[int, int],
    context: Mapping[str, float],
) -> dict[str, float]:
    """Stems of the sentence's content words, weighted by their distance to ``focus``."""
    return _Words(words, spans).subject(sentence, focus, context)


class _Spans:
    """Spans, asked whether one of them holds a given span in time in their logarithm."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._reach = list(accumulate((end for _, end in ordered), max))

    def hold(self, start: int, end: int) -> bool:
        """Whether one of the spans holds ``start:end``."""
        n = bisect_right(self._starts, start)
        return n > 0 and self._reach[n - 1] >= end


class _Words:
    """A sentence's words read once for the subjects of all its facts (:func:`_subject`):
    each content word's stem and where it stands. A sentence of many figures ("$1 $1 ...")
    read all its words against all its figures once a figure, in time in the cube of its
    length; a subject now takes time in the number of its terms."""

    def __init__(self, words: Sequence[tuple[str, int, int]], spans: list[tuple[int, int]]):
        self._starts = [start for _, start, _ in words]
        self._ends = [end for _, _, end in words]
        inside = _Spans(spans)
        self._terms: dict[str, list[int]] = {}  # in the order of their first word
        for i, (word, start, end) in enumerate(words):
            if not is_content_word(word):
                continue
            if word not in _DATA_UNITS and inside.hold(start, end):
                continue
            self._terms.setdefault(stem(word), []).append(i)

    def subject(
        self, sentence: str, focus: tuple[int, int], context: Mapping[str, float]
    ) -> dict[str, float]:
        """The stems weighted by their distance to ``focus``: 1 for a word inside it, less
        by each word between."""
        # the words inside the focus, or the first after it
        first = bisect_right(self._ends, focus[0])
        last = bisect_left(self._starts, focus[1]) - 1
        if first > last:
            first = last = last + 1
        subject = dict(context)
        subject.update(_relation_terms(sentence, focus))
        for term, at in self._terms.items():
            n = bisect_left(at, first)  # the nearest word of the term: inside, or either side
            if n < len(at) and at[n] <= last:
                distance = 0
            elif n == 0:
                distance = at[0] - last
            elif n == len(at):
                distance = first - at[-1]
            else:
                distance = min(first - at[n - 1], at[n] - last)
            weight = 1.0 / (1.0 + distance / 4.0)
            subject[term] = max(subject.get(term, 0.0), weight)
        return subject


# A data amount's unit names what the figures beside it are about ("a 1 GB top-up costs $10"):
# kept in their subjects, as it was before data amounts were measures.
_DATA_UNITS = frozenset({"kb", "mb", "gb", "tb", "gig", "gigs"})


_MAX_BOUND = re.compile(
    r"(?:(?<!add )(?<!adds )up to|within|at most|no more than|not more than|maximum(?: of)?|"
    r"less than|fewer than|under|capped at|limited to|no later than)\s*$"
)
_MIN_BOUND = re.compile(r"(?:at least|minimum(?: of)?|more than|over|or more)\s*$")
_MIN_AFTER = re.compile(r"^\s*(?:or|and) (?:more|over|above|higher|older|longer)\b")
_MAX_AFTER = re.compile(r"^\s*(?:or|and) (?:less|fewer|under|below|lower|younger)\b")
_RELATION_AFTER = re.compile(
    r"^\W*(?:(?:or|and) (?:more|longer|less|fewer|earlier|later) )?"  # "a fortnight or more before"
    r"(after|before|from|of|ahead|ago|since)\b"
)
_RELATION_AS = {"since": "after"}  # "15 months since the last dose": 15 months after it
_NOTICE_AFTER = re.compile(r"^\W*(?:of\s+)?(?:advance\s+|prior\s+|written\s+)?notice\b")
LOOK_BACK = "<lookback>"
"""A time back from now ("statements from the last three months", "a photo taken within the
past ten years"): a window, never a deadline, a lead time or a length of something."""
_LOOK_BACK = re.compile(r"\b(?:the\s+)?(?:last|past|previous|preceding)\s*$")
RELATION_WEIGHT = 0.6
ACTION_WEIGHT = 0.6
CARRIED_WEIGHT = 0.5  # words of the previous sentence, for a fact stated across two
MARKER_WEIGHT = 0.01
# A free allowance ("one free change", "may be changed once free of charge") and what is
# charged beyond it ("each further change costs $10", "every change after that costs $10")
# are two facts about one thing: the first free change does not contradict the $10 of the next.
# A rule that holds past a time ("don't accept a return after 14 days") and one that holds
# within it ("devices may be returned within 14 days") are about two periods: whether their
# times agree is for the two durations to say.
PAST_WINDOW = "<past>"
IN_WINDOW = "<within>"
_TIME_UNIT = r"(?:business\s+|working\s+|calendar\s+)?(?:minute|hour|day|week|month|year)s?\b"
_PAST_WINDOW = re.compile(
    rf"\b(?:after|past|beyond|later than|more than|over)\s+(?:\d+|{NUMBER_WORD})\s+{_TIME_UNIT}",
    re.IGNORECASE,
)
_IN_WINDOW = re.compile(
    rf"\b(?:within|up to|until|no later than)\s+(?:\d+|{NUMBER_WORD})\s+{_TIME_UNIT}",
    re.IGNORECASE,
)
ALLOWANCE = "<allowance>"
BEYOND = "<beyond>"
_ALLOWANCE = re.compile(r"\b(?:once|twice|first|one)\b", re.IGNORECASE)
_BEYOND = re.compile(
    r"\b(?:further|additional|subsequent|thereafter)\b|\bafter (?:that|this|the first)\b"
    r"|^\W*then\b",
    re.IGNORECASE,
)


def _relation_terms(sentence: str, focus: tuple[int, int]) -> dict[str, float]:
    """Pseudo-terms for how a number relates to its subject: a limit, a floor, after/before."""
    before = sentence[max(0, focus[0] - 30) : focus[1]].lower()
    terms: dict[str, float] = {}
    span_text = sentence[focus[0] : focus[1]].lower()
    if _MAX_BOUND.search(sentence[max(0, focus[0] - 30) : focus[0]].lower()) or any(
        q in span_text for q in ("up to", "at most", "no more than", "maximum")
    ):
        terms["<max>"] = RELATION_WEIGHT
    elif (
        _MIN_BOUND.search(sentence[max(0, focus[0] - 30) : focus[0]].lower().rstrip())
        or _MIN_BOUND.search(before.rstrip())
        or "at least" in span_text
        or _MIN_AFTER.match(sentence[focus[1] : focus[1] + 14].lower())
    ):
        terms["<min>"] = RELATION_WEIGHT
    elif _MAX_AFTER.match(sentence[focus[1] : focus[1] + 14].lower()):
        terms["<max>"] = RELATION_WEIGHT
    after = _RELATION_AFTER.match(sentence[focus[1] : focus[1] + 24].lower())
    if after:
        relation = after.group(1)
        terms[f"<{_RELATION_AS.get(relation, relation)}>"] = RELATION_WEIGHT
    elif _NOTICE_AFTER.match(sentence[focus[1] : focus[1] + 12].lower()):
        terms["<before>"] = RELATION_WEIGHT  # "2 business days' notice": that long before
    if (not after or after.group(1) == "of") and _LOOK_BACK.search(
        sentence[max(0, focus[0] - 20) : focus[0]].lower()
    ):
        # "statements from the last three months", "the last 12 months of history"
        terms[LOOK_BACK] = MARKER_WEIGHT
    period = _period_of(sentence, focus)
    if period:
        terms[f"<per:{period}>"] = MARKER_WEIGHT
    if _EVERY.search(sentence[max(0, focus[0] - 20) : focus[0]].lower()) or _HOW_OFTEN.match(
        sentence[focus[0] : focus[1] + 8].lower()
    ):
        # A frequency ("every 3 months"), not a length: a marker that keeps the two apart
        # (matching), too light to make two frequencies look alike.
        terms["<every>"] = MARKER_WEIGHT
    elif span_text.strip() in _PERIOD_ADVERBS:
        # "paid monthly": a length at a time ("billed monthly" is "a month at a time") and
        # how often, so comparable with a length and with "every 3 months" alike
        terms[PERIODIC] = MARKER_WEIGHT
    return terms


_PERIOD_LENGTH = {**DAYS_PER_UNIT, "quarter": PERIOD_DAYS["quarterly"]}  # in days
_BOUND_FLIP = {"<max>": "<min>", "<min>": "<max>"}


def _as_interval(
    kind: str, unit: str, value: float, subject: dict[str, float]
) -> tuple[str, str, float]:
    """How often, per a period ("once a year", "twice a month", "up to 4 times a week"), as
    the interval it means: a duration of ``period / times`` marked as a frequency, so "once a
    year" is compared with "every 6 months" and "twice a year" agrees with it. The bound
    turns over: at most 4 times a week is at least every 1.75 days. Anything else as it is."""
    period = next((t[5:-1] for t in subject if t.startswith("<per:")), None)
    if kind == FactKind.COUNT and period is None:
        subject.pop("<every>", None)  # "renewed three times": how many times, not how often
    if (
        kind != FactKind.COUNT
        or "<every>" not in subject
        or period not in _PERIOD_LENGTH
        or value <= 0
    ):
        return kind, unit, value
    bounds = {t: subject.pop(t) for t in list(subject) if t in _BOUND_FLIP}
    for bound, weight in bounds.items():
        subject[_BOUND_FLIP[bound]] = weight
    return FactKind.DURATION, "day", round(_PERIOD_LENGTH[period] / value, 5)


PERIODIC = "<periodic>"
_PERIOD_ADVERBS = frozenset(PERIOD_DAYS)  # the one-word periods read as durations


_EVERY = re.compile(r"\b(?:every|each|once every|per)\s*$")
# How often, not how many: "twice a year", "four times a year" ("four payments" is a count).
_HOW_OFTEN = re.compile(r"(?:once|twice|thrice)\b|\S+\s+times\b")
PERIOD_OF_ADJECTIVE = {
    "hourly": "hour", "daily": "day", "weekly": "week", "fortnightly": "fortnight",
    "monthly": "month", "quarterly": "quarter", "yearly": "year", "annual": "year",
    "annually": "year",
}  # fmt: skip
"""The period a word names ("weekly": a week): of an amount here, of an article's scope in
:func:`~knowledge_service.freshness.pairs.scope_terms`."""
_PERIOD_WORDS = {
    **PERIOD_OF_ADJECTIVE, "hour": "hour", "hr": "hour", "day": "day", "week": "week",
    "wk": "week", "fortnight": "fortnight", "month": "month", "mo": "month", "quarter": "quarter",
    "year": "year", "yr": "year", "annum": "year",
}  # fmt: skip
_PERIOD_AFTER = re.compile(
    r"^\s*(?:(?:(?:in|for) )?(?:a|an|per|each|every|any|one)\s+(hour|day|week|fortnight|month|"
    r"quarter|year|annum)\b|(hourly|daily|weekly|fortnightly|monthly|quarterly|yearly|annually)\b"
    r"|/\s?(hour|hr|day|week|wk|month|mo|year|yr)\b)"  # "$12.99/month", "$3/hr"
)
_PERIOD_BEFORE = re.compile(
    r"\b(hourly|daily|weekly|fortnightly|monthly|quarterly|yearly|annual)\b"
)


def _period_of(sentence: str, focus: tuple[int, int]) -> str | None:
    """The period an amount is per ("$20,000 a day", "$5 per month", "the daily limit is
    $1,000", "$55 weekly"), or None."""
    after = _PERIOD_AFTER.match(sentence[focus[1] : focus[1] + 24].lower())
    if after:
        return _PERIOD_WORDS[after.group(1) or after.group(2) or after.group(3)]
    before = _PERIOD_BEFORE.findall(sentence[max(0, focus[0] - 30) : focus[0]].lower())
    return _PERIOD_WORDS[before[-1]] if before else None


# Someone acting for the person the text addresses: a fact of its own ("nobody else can renew
# it" is not "you can renew online").
PROXY = "<proxy>"
_PROXY = re.compile(
    r"\b(?:(?:nobody|no one|no-one|anyone|anybody|someone|somebody) else|another person|"
    r"other people|on (?:your|their|his|her|the [a-z]+'s) behalf|on behalf of|family members?|"
    r"third part(?:y|ies)|(?:authori[sz]ed|nominated) (?:person|representative|agent)|"
    r"letter of authority)\b",
    re.IGNORECASE,
)


def _mark_proxy(subject: dict[str, float], text: str) -> dict[str, float]:
    if _PROXY.search(text):
        subject[PROXY] = MARKER_WEIGHT
    return subject


def context_subject(text: str) -> dict[str, float]:
    """Low-weight subject terms from a heading or title."""
    return dict.fromkeys(content_terms(text), CONTEXT_WEIGHT)


# Independent clauses: "a lost permit costs $15; a stolen one is replaced free" states two facts.
_CLAUSES = re.compile(r";\s+")


class StatedTerms(AbstractSet[str]):
    """The terms a document states without condition (its title, and every sentence's words
    outside its conditions): computed on first use, because only a conditioned fact's
    comparison needs them."""

    def __init__(self) -> None:
        self._plain: list[str] = []
        self._texts: list[str] = []
        self._terms: frozenset[str] | None = None

    def add(self, text: str, *, plain: bool = False) -> None:
        """Add a part of the document (``plain``: a title or heading, read without conditions)."""
        (self._plain if plain else self._texts).append(text)
        self._terms = None

    @property
    def terms(self) -> frozenset[str]:
        if self._terms is None:
            found = {t for text in self._plain for t in content_terms(text)}
            for text in self._texts:
                for sentence in _fact_sentences(split_sentences(text)):
                    spans = read_sentence(sentence)[0]
                    found.update(
                        stem(w)
                        for w, ws, _ in words_with_positions(sentence)
                        if is_content_word(w) and not any(cs <= ws < ce for cs, ce, _ in spans)
                    )
            self._terms = frozenset(found)
        return self._terms

    def __contains__(self, term: object) -> bool:
        return term in self.terms

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)


def _fact_sentences(sentences: Iterable[str]) -> Iterator[str]:
    """The clauses of ``sentences`` (a text's, from :func:`split_sentences`)."""
    return (p for s in sentences for p in _CLAUSES.split(s) if p.strip())


def _times_with_label(found: Sequence[Span], cell: str, label: str) -> tuple[Span, ...]:
    """A table cell's times read with its row and column: "8pm" under "Closes" in the row
    "Saturday and Sunday" closes at 8pm at weekends, not "at" 8pm on any day."""
    offset = len(label) + 1
    read, _ = time_spans(f"{label} {cell}")
    days = days_named(label)  # the row's days, all of them ("Saturday and Sunday")
    named = _LABEL_ZONE.search(label)  # a header's zone: "Hours (ET)", "Eastern time"
    units = {}
    for _, unit, value, start, end in read:  # a range's start and end share their span
        role, zone, held = unit.split(":", 2)
        if named and zone == "local":
            zone = TIME_ZONES[named.group(0).lower()]
        units[(start - offset, end - offset, value)] = f"{role}:{zone}:{days or held}"
    return tuple(
        (kind, units.get((start, end, value), unit) if kind == TIME else unit, value, start, end)
        for kind, unit, value, start, end in found
    )


# A time zone named in a table's row or column ("Hours (ET)"), as zones are written: an
# abbreviation in capitals, a name capitalised ("Eastern").
_LABEL_ZONE = re.compile(
    r"\b(?:"
    + "|".join(
        sorted(
            (z.upper() if len(z) <= 4 else z.capitalize() for z in TIME_ZONES),
            key=len,
            reverse=True,
        )
    )
    + r")\b"
)


def _labelled_clauses(sentences: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """:func:`_fact_sentences` of :func:`labelled_sentences`, each clause with its label."""
    return ((p, label) for s, label in sentences for p in _CLAUSES.split(s) if p.strip())


@lru_cache(maxsize=65536)
def read_sentence(
    sentence: str, names: frozenset[str] = frozenset()
) -> tuple[tuple[Condition, ...], tuple[Span, ...], tuple[RuleSpan, ...]]:
    """What fact extraction reads in one sentence: its conditions, numeric facts and yes/no
    rules (cached by text: boilerplate sentences recur across articles and policies).
    ``names``: the words its text uses as names with a number (``named_number_words``)."""
    found = numeric_spans(mask_non_facts(sentence, names)) if may_state_number(sentence) else []
    return tuple(conditions(sentence)), tuple(found), tuple(rule_spans(sentence))


def extract_facts(
    text: str,
    *,
    section: str | None = None,
    context: str = "",
    stated: StatedTerms | None = None,
) -> list[Fact]:
    """Every fact stated in a Markdown ``text``; ``context`` (a heading) weighs in a little.

    Each fact carries its qualifier (the conditions it holds under, see
    :mod:`~knowledge_service.freshness.conditions`) and ``context``: the terms its document
    states without condition, against which another text's conditions are read. ``stated``:
    that set, shared by the calls for one document's parts.
    """
    ctx = context_subject(context)
    facts: list[Fact] = []
    if stated is None:
        stated = StatedTerms()
    stated.add(context, plain=True)
    stated.add(text)
    previous = ""
    counted_from: dict[int, frozenset[str]] = {}  # durations' qualifiers without start events
    labelled = list(labelled_sentences(text))
    names = named_number_words([sentence for sentence, _ in labelled])
    for sentence, label in _labelled_clauses(labelled):
        if label:  # a table's cell: about its row and column, not the cell before it
            previous = label
        conds, found, rules = read_sentence(sentence, names)
        if label and any(kind == TIME for kind, *_ in found):
            found = _times_with_label(found, sentence, label)
        # what does not change from one figure to the next is read once a sentence: a
        # sentence may state thousands of figures ("$1 $1 $1 ...")
        qualifiers = Qualifiers(conds, sentence) if found or rules else None
        figures = _Figures(sentence, found, previous) if found else None
        from_start: Qualifiers | None = None
        for kind, unit, value, start, end in found:
            assert figures is not None and qualifiers is not None
            subject = figures.subject((start, end), ctx, money=kind == FactKind.MONEY)
            text_span = sentence[start:end].strip()
            kind, unit, value = _as_interval(kind, unit, value, subject)
            if kind == FactKind.DURATION:
                if from_start is None:
                    from_start = Qualifiers(start_events_dropped(conds, sentence), sentence)
                counted_from[len(facts)] = from_start(start, end)
            facts.append(
                Fact(
                    FactKind(kind), unit, value, text_span, sentence, section, subject,
                    qualifiers(start, end), stated,
                )
            )  # fmt: skip
        for aspect, polarity, seg_start, seg_end, cues, own_cue in rules:
            # each rule is read in its own coordinated clause, around the first cue there: in
            # "Standard gets one free change, and Saver can't be changed" the prohibition is
            # read around "can't", not around the "free" of the clause before
            clause = _coordinated_clause(sentence, seg_start, seg_end, own_cue[0])
            cue = next((c for c in cues if clause[0] <= c[0] < clause[1]), own_cue)
            # a figure beside "free" says more than "charged"; one in another clause
            # ("standard seats are free and a legroom seat costs $30") is about something else
            assert qualifiers is not None
            # "the first two attempts are free": a count says which ones
            if aspect == "charge" and figures and figures.stated_in(clause, counts=False):
                continue
            segment = sentence[seg_start:seg_end]
            action = None if aspect == "charge" else rule_action(segment, seg_start, own_cue)
            about = _rule_subject(sentence, seg_start, seg_end, cues, ctx, aspect, cue)
            if about is None:  # "nobody else can do it": about the sentence before, or
                # about the part before it ("a photo helps but isn't required")
                before = sentence[:seg_start] if content_terms(sentence[:seg_start]) else previous
                about = _carried_rule_subject(before, ctx, aspect)
                if action is None and aspect != "charge":
                    action = _carried_action(before)
            if about is None:
                continue
            if (
                aspect == "charge"
                and not polarity
                and (
                    _ALLOWANCE.search(sentence[clause[0] : clause[1]])
                    or (figures and figures.stated_in(clause, counts=True))
                )
            ):
                about[ALLOWANCE] = MARKER_WEIGHT  # "one free change", "the first two"
            if aspect != "charge":
                own_part = sentence[clause[0] : clause[1]]
                if _PAST_WINDOW.search(own_part):
                    about[PAST_WINDOW] = MARKER_WEIGHT  # "don't accept a return after 14 days"
                elif _IN_WINDOW.search(own_part):
                    about[IN_WINDOW] = MARKER_WEIGHT  # "may be returned within 14 days"
            _mark_proxy(about, segment)
            verb, done_to, head = action or ("", frozenset[str](), frozenset[str]())
            facts.append(
                Fact(
                    FactKind.RULE, aspect, 1.0 if polarity else 0.0, segment.strip(), sentence,
                    section, about, qualifiers(*cue), stated, verb, done_to,
                    head,
                )
            )  # fmt: skip
        previous = sentence
    return _counted_from_start(facts, counted_from)


class _Figures:
    """What the facts of one sentence's figures share, read once for all of them: its words
    (:class:`_Words`), whether it names someone acting for another or refers to the sentence
    before, the terms carried from that sentence, and its coordinated clauses."""

    def __init__(self, sentence: str, found: Sequence[Span], previous: str) -> None:
        self._sentence = sentence
        self._previous = previous
        spans = [(s, e) for _, _, _, s, e in found]
        self._words = _Words(words_with_positions(sentence), spans)
        self._proxy = _PROXY.search(sentence) is not None
        self._refers_back = _refers_back(sentence)
        self._carried: tuple[str, ...] | None = None
        self._named: set[str] | None = None
        self._ands = [(m.start(), m.end()) for m in _ands(sentence, 0, len(sentence))]
        self._and_ends = [end for _, end in self._ands]
        self._beyond: dict[tuple[int, int], bool] = {}
        self._counts = sorted(start for kind, _, _, start, _ in found if kind == FactKind.COUNT)
        self._others = sorted(start for kind, _, _, start, _ in found if kind != FactKind.COUNT)

    def subject(
        self, focus: tuple[int, int], context: Mapping[str, float], *, money: bool
    ) -> dict[str, float]:
        """The subject of the figure at ``focus`` (``money``: an amount)."""
        subject = self._words.subject(self._sentence, focus, context)
        if self._proxy:
            subject[PROXY] = MARKER_WEIGHT
        if not has_own_terms(subject):  # "It costs $20.": about the sentence before
            if self._carried is None:
                self._carried = tuple(dict.fromkeys(content_terms(self._previous)))
            for term in self._carried:
                subject[term] = max(subject.get(term, 0.0), CARRIED_WEIGHT)
        elif self._refers_back:
            # "Every change after that costs $10." after "A Standard fare changes once
            # free": the product the sentence before names (not its case, which "after
            # that" sets this one apart from)
            if self._named is None:
                self._named = named_terms(self._previous)
            for term in self._named:
                subject[term] = max(subject.get(term, 0.0), CARRIED_WEIGHT)
        if money and (self._refers_back or self._beyond_in(self._clause_at(focus[0]))):
            subject[BEYOND] = MARKER_WEIGHT
        return subject

    def _clause_at(self, at: int) -> tuple[int, int]:
        """:func:`_coordinated_clause` of the whole sentence around ``at``."""
        n = bisect_right(self._and_ends, at)  # the "and"s that end before it
        start = self._ands[n - 1][1] if n else 0
        for and_start, _ in self._ands[n:]:
            if and_start >= at:
                return start, and_start
        return start, len(self._sentence)

    def _beyond_in(self, clause: tuple[int, int]) -> bool:
        if clause not in self._beyond:
            self._beyond[clause] = bool(_BEYOND.search(self._sentence[clause[0] : clause[1]]))
        return self._beyond[clause]

    def stated_in(self, clause: tuple[int, int], *, counts: bool) -> bool:
        """Whether a figure (``counts``: a count, else any other) starts inside ``clause``."""
        starts = self._counts if counts else self._others
        n = bisect_left(starts, clause[0])
        return n < len(starts) and starts[n] < clause[1]


def _counted_from_start(
    facts: list[Fact], counted_from: Mapping[int, frozenset[str]]
) -> list[Fact]:
    """A text's only duration stated after "once ..." counts from that event: the clause is
    its start, not a narrower case ("once you've told us, we'll come back within 5 business
    days"). Beside another duration, the event tells the two apart ("yours for 30 days; once
    you press play, 48 hours")."""
    if sum(1 for f in facts if f.kind == FactKind.DURATION) != 1:
        return facts
    return [
        replace(f, qualifier=counted_from[n]) if n in counted_from else f
        for n, f in enumerate(facts)
    ]


_AND = re.compile(r",?\s+and\s+", re.IGNORECASE)
# The same "and"s looked for where a run of spaces starts (or at a comma), not from each of
# its spaces (time in the square of the run)
_AND_FROM_RUN = re.compile(r",?(?<!\s)\s+and\s+", re.IGNORECASE)


def _ands(sentence: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """The "and"s of ``sentence[start:end]`` (``_AND.finditer``), read in linear time: a run of
    spaces that starts before ``start`` is read from ``start``."""
    if start and sentence[start - 1].isspace():
        first = _AND.match(sentence, start, end)
        if first is not None:
            yield first
            start = first.end()
    yield from _AND_FROM_RUN.finditer(sentence, start, end)


def _coordinated_clause(sentence: str, start: int, end: int, at: int) -> tuple[int, int]:
    """The part of ``sentence[start:end]`` between the "and"s around position ``at``."""
    for m in _ands(sentence, start, end):
        if m.end() <= at:
            start = m.end()
        elif m.start() >= at:
            return start, m.start()
    return start, end


_BACK_REFERENCE = re.compile(
    r"\b(?:after|beyond|besides|apart from|on top of) (?:that|this|those|these)\b|\bthereafter\b",
    re.IGNORECASE,
)
_UNIT_BEFORE = re.compile(r"\b(?:minute|hour|day|night|week|month|year)s?\s+$", re.IGNORECASE)
_LONGEST_UNIT = len("minutes")


def _refers_back(sentence: str) -> bool:
    """The sentence refers to the one before ("After that, each withdrawal costs $2"); not
    a duration counted from something ("we keep it for 90 days after that")."""
    return any(not _unit_before(sentence, m.start()) for m in _BACK_REFERENCE.finditer(sentence))


def _unit_before(sentence: str, at: int) -> bool:
    """Whether a unit of time and spaces end at ``at`` ("90 days after that"): read from the
    word before the spaces, not from the sentence's start (once a reference, in time in the
    square of a sentence that refers back many times)."""
    end = at
    while end and sentence[end - 1].isspace():
        end -= 1
    return _UNIT_BEFORE.search(sentence, max(0, end - _LONGEST_UNIT), at) is not None


_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+\b")


def named_terms(sentence: str) -> set[str]:
    """The terms of the words ``sentence`` capitalises inside it, as names ("a Standard
    fare", "High Interest Savings"); not its first word."""
    return {t for m in _NAME.finditer(sentence) for t in content_terms(m.group())}


def has_own_terms(subject: Mapping[str, float]) -> bool:
    """Whether a subject has a word of its own sentence (not only heading words and markers)."""
    return any(w > CONTEXT_WEIGHT and not t.startswith("<") for t, w in subject.items())


def _rule_subject(
    sentence: str,
    start: int,
    end: int,
    cues: list[tuple[int, int]],
    ctx: Mapping[str, float],
    aspect: str,
    own: tuple[int, int],
) -> dict[str, float] | None:
    """The subject of a yes/no rule: the segment's words, nearer its own cue (``own``)
    weighing more, and for permissions and obligations the action (``may keep driving``:
    drive); None when the segment has no content word besides its cues."""
    segment = sentence[start:end]
    inside = [(cs - start, ce - start) for cs, ce in cues if start <= cs and ce <= end]
    words = words_with_positions(segment)
    in_cue = _Spans(inside)
    if not any(is_content_word(w) and not in_cue.hold(ws, we) for w, ws, we in words):
        return None
    own_span = (own[0] - start, own[1] - start)
    focus = own_span if own_span in inside else inside[0] if inside else (0, len(segment))
    subject = _subject(segment, words, inside, focus, ctx)
    if aspect != "charge":
        action = next((w for w, ws, _ in words if ws >= focus[1] and w not in _AUX), None)
        if action is not None:
            subject[f"<act:{stem(action)}>"] = ACTION_WEIGHT
    return subject


_MODAL_ACTION = re.compile(
    r"\b(?P<modal>can|cannot|can't|may|must|need to|needs to|have to|has to|allowed to|able to)\s+"
    r"(?:not\s+)?(?:only\s+)?(?:be\s+)?(?P<action>[a-z]+)",
    re.IGNORECASE,
)


def _carried_rule_subject(
    previous: str, ctx: Mapping[str, float], aspect: str
) -> dict[str, float] | None:
    """The subject of a rule whose own words say nothing ("nobody else can do it for you"):
    the previous sentence's words, and its action; None when there is none."""
    terms = content_terms(previous)
    if not terms:
        return None
    subject = dict(ctx)
    for term in terms:
        subject[term] = max(subject.get(term, 0.0), CARRIED_WEIGHT)
    action = _MODAL_ACTION.search(previous)
    if aspect != "charge" and action is not None:
        subject[f"<act:{stem(action['action'].lower())}>"] = ACTION_WEIGHT
    return subject


# Words between a modal and the action it governs: "may keep driving", "must still be paid".
_AUX = frozenset(
    """keep continue still also only get be been being have go to not a an the your their
    his her its our you we they it this that these those""".split()  # noqa: SIM905
)
_PASSIVE = frozenset({"be", "been", "being"})

Action = tuple[str, frozenset[str], frozenset[str]]
"""A rule's verb (stem), the stems of the words after it, and of those it is done to."""


def rule_action(segment: str, start: int, cue: tuple[int, int]) -> Action | None:
    """What a permission or obligation is about doing, read in ``segment`` (which begins at
    ``start`` of its sentence) after its cue: the stem of the verb the cue governs and the
    stems of the words after it (what it is done to, how, when: "must lodge a notice of
    sale": lodg, {notic, sale}); for a passive ("must be lodged by ..."), the words before
    the cue too (what is lodged). None when the cue governs no verb ("is not required.",
    "needs a medical certificate", "no need for ...") or only a stand-in ("do so"), or the
    verb is done to something named before ("can choose it")."""
    words = words_with_positions(segment)
    cue_start, cue_end = cue[0] - start, cue[1] - start
    cue_words = [w for w, ws, we in words if cue_start <= ws and we <= cue_end]
    after = [w for w, ws, _ in words if ws >= cue_end]
    if not cue_words or not after:
        return None
    if cue_words[-1] not in _GOVERNS_VERB and after[0] != "to":
        return None  # "not allowed", "required": a verb only after "to"
    n = 0
    while n < len(after) and after[n] in _AUX:
        n += 1
    if n == len(after) or after[n] in STOPWORDS or len(after[n]) < 2:
        return None
    if n + 1 < len(after) and after[n + 1] in _REFERS_BACK:
        return None  # "can choose it": done to something named before, which may be the same
    done_to = {stem(w) for w in after[n + 1 :] if len(w) > 1 and w not in STOPWORDS}
    head: set[str] = set()
    if not _PASSIVE & set(after[:n]):  # a passive's thing is named before its verb
        for w in after[n + 1 :]:
            if w in _PHRASE_ENDS:
                break
            if is_content_word(w) and w not in _ANY_THING:
                head.add(stem(w))
    else:
        done_to.update(stem(w) for w, ws, _ in words if ws < cue_start and is_content_word(w))
    return stem(after[n]), frozenset(done_to), frozenset(head)


_REFERS_BACK = frozenset("it them this that these those one so".split())  # noqa: SIM905
# Words that name no particular thing: "lodge anything yourself" may be lodging the notice.
_ANY_THING = frozenset(
    """anything something everything nothing anyone someone everyone yourself yourselves
    themselves himself herself myself ourselves itself""".split()  # noqa: SIM905
)
# Where the words a verb is done to end: a preposition, a conjunction or a new clause.
_PHRASE_ENDS = frozenset(
    """in on at by for from to with within into onto of about after before during until
    unless if when while because so and or but than as via per without""".split()  # noqa: SIM905
)
# The last word of a cue that a verb follows directly: "may not lodge", "don't need to lodge".
_GOVERNS_VERB = frozenset(
    "can cannot can't may must mustn't needn't not to".split()  # noqa: SIM905
)


def _carried_action(previous: str) -> Action | None:
    """The action of the previous sentence's modal, for a rule whose own words say nothing
    ("Nobody else can do it for you."); None when it has none."""
    found = _MODAL_ACTION.search(previous)
    if found is None:
        return None
    return rule_action(previous, 0, found.span("modal"))


# A named kind of charge: "the transfer fee", "a $50 late transfer fee", "the number plate fee".
_NAMED_CHARGE = re.compile(
    r"\b(?P<kind>(?:[a-z][a-z-]*\s+){1,2})(?:fee|charge|surcharge|levy)s?\b", re.IGNORECASE
)


@lru_cache(maxsize=100_000)
def charge_kind(sentence: str) -> frozenset[str]:
    """The stems that name which charge the amounts of ``sentence`` are (``transfer`` in "The
    transfer fee is $35"); empty when it names none."""
    if not _CHARGE_WORDS.search(sentence):
        return frozenset()
    return frozenset(t for m in _NAMED_CHARGE.finditer(sentence) for t in _charge_name(sentence, m))


def _charge_name(sentence: str, found: re.Match[str]) -> tuple[str, ...]:
    """The stems of the words just before "fee" that name it: those after the last word that
    names nothing (an article, a pronoun, "charge"), less a verb that opens them (the word
    after a subject or a modal): "we add a fee" and "we add fees of $3" name no fee ("add" is
    what is done to it), "we charge late fees" and "we'll add late fees" name the late fee."""
    before = _AMOUNT_WORDS.sub(lambda m: " " * len(m.group(0)), found["kind"])
    words = words_with_positions(before)
    start = len(words)
    while start and is_content_word(words[start - 1][0]):
        start -= 1
    if start < len(words) and _VERB_LEAD.search(sentence, 0, found.start("kind") + words[start][1]):
        start += 1  # "we add", "you can avoid": a verb, not the fee's name
    return tuple(stem(w) for w, _, _ in words[start:])


# What comes before a verb: a subject ("we", "they", "you" opening a clause), a modal or a
# negation, and any adverbs after it ("we also", "you can always").
_VERB_LEAD = re.compile(
    r"(?:\b(?:we|they|i|he|she|we'll|they'll|you'll|i'll|we'd|they'd|you'd|will|would|may|"
    r"might|can|could|should|must|shall|cannot|can't|won't|don't|doesn't|didn't|not|never)"
    r"|(?:^|[,;:(]|\b(?:if|when|once|unless|and|or|but|so|because|until|while|where))\s*you)"
    r"\s+(?:(?:also|now|then|only|just|always|never|usually|normally|generally|still|often|"
    r"sometimes|automatically)\s+)*$",
    re.IGNORECASE,
)


# The words of an amount before "fee" name no kind of fee: "a seventy-five pence fee".
_AMOUNT_WORDS = re.compile(
    rf"\b(?:{NUMBER_WORD}|pence|cents?|pounds?|dollars?|euros?|per\s?cent|percent)\b", re.I
)


# An amount next to one of these words is a charge: "a review costs $30" says it is charged.
# Not one waived: "waive the $6.95 return fee when ..." says when it is not.
_WAIVED = re.compile(r"\bwaiv(?:e|es|ed|ing)\b", re.I)
_CHARGE_WORDS = re.compile(r"\b(?:costs?|fees?|charged?|price|payable|surcharge)\b", re.I)


@lru_cache(maxsize=100_000)  # one implied rule per amount, however often it is compared
def as_charge(fact: Fact) -> Fact | None:
    """The *charged* yes/no rule an amount or a percentage next to a charge word implies, so
    that "no fee" can contradict "$30" and "a fee of three per cent"."""
    charged = fact.kind in (FactKind.MONEY, FactKind.PERCENT) and fact.value > 0
    if not charged or not _CHARGE_WORDS.search(fact.sentence) or _WAIVED.search(fact.sentence):
        return None
    return Fact(
        FactKind.RULE, "charge", 1.0, fact.text, fact.sentence, fact.section, fact.subject,
        fact.qualifier, fact.context,
    )  # fmt: skip


_PHRASE_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*|[^\sA-Za-z]")
_MORE_OR_FEWER = re.compile(r"^\s*(?:or|and) (?:more|fewer|less|over|under)\b", re.IGNORECASE)
MAX_PHRASE_WORDS = 3


def counted_phrase(fact: Fact) -> str:
    """The thing a count counts, in the text's own words: the words after its number up to
    the first function word or punctuation, with one "of" phrase ("two forms of ID": "forms
    of ID"; "three identity documents": "identity documents"); empty for another kind of fact
    or when no word follows ("at least one of them")."""
    if fact.kind != FactKind.COUNT:
        return ""
    found = re.search(rf"(?<!\w){re.escape(fact.text)}(?!\w)", fact.sentence)
    if found is None:
        return ""
    rest = fact.sentence[found.end() :]
    more = _MORE_OR_FEWER.match(rest)
    tokens = _PHRASE_TOKEN.findall(rest[more.end() :] if more else rest)
    words: list[str] = []
    for n, token in enumerate(tokens):
        lowered = token.lower()
        if is_content_word(lowered) and len(words) < MAX_PHRASE_WORDS:
            words.append(token)
            continue
        after = tokens[n + 1] if n + 1 < len(tokens) else ""
        if lowered == "of" and words and is_content_word(after.lower()):
            words += [token, after]  # "forms of ID"
        break
    return " ".join(words)
