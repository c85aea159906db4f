"""Numeric facts in one sentence: money, percentages, measures, durations and counts, normalised.

Amounts keep their currency (``$``, ``£``, ``€`` or a code). Measures become kilograms, metres
or litres (``23kg``, ``50 lb``, ``55 cm``, ``100ml``); a measure restated in another unit right
after it (``23kg (50 lb)``) is the same fact, and a box's dimensions (``55 x 40 x 20 cm``) are
read as no fact at all. Durations become calendar days (hours, weeks, fortnights, months and
years converted) or business days (kept apart: ``10 business days`` is not ``10 days``). Works
on a sentence whose non-fact numbers were already masked
(:func:`~knowledge_service.freshness.text.mask_non_facts`).
"""

from __future__ import annotations

import re

from knowledge_service.freshness.text import (
    BELOW_100,
    DIGITS,
    NUMBER,
    is_content_word,
    parse_number,
)
from knowledge_service.freshness.times import Span, time_spans

MONEY, DURATION, PERCENT, COUNT, AGE = "money", "duration", "percent", "count", "age"
MEASURE = "measure"
DAYS_PER_UNIT = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0, "fortnight": 14.0,
                  "month": 30.4375, "year": 365.25}  # fmt: skip

# "$1.2 million", "$5k", "$2m", "$1.5bn", "1.5 million dollars": the amount times its scale.
_SCALE = r"(?:\s?(?P<{0}>thousand|million|billion)\b|(?P<{0}_short>k|m|bn)\b)?"
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
_MONEY = re.compile(
    rf"(?P<cur>AUD|AU\$|A\$|USD|US\$|NZD|NZ\$|CAD|C\$|GBP|EUR|\$|£|€)\s?(?P<amt>{DIGITS})"
    + _SCALE.format("scale")
    + rf"|\b(?P<amt2>{NUMBER})(?:\s(?P<scale2>thousand|million|billion))?"
    rf"\s?(?P<cur2>AUD|USD|NZD|CAD|GBP|EUR|dollars?|euros?|pounds?)\b"
    rf"(?:\s(?P<pence>\d\d|{BELOW_100})(?=\s?(?:p\b|pence\b|[.,;:!?)]|$)))?"
    # the smaller unit alone: "28 cents", "75p", "seventy-five pence"
    rf"|\b(?P<cents>\d+)\s?(?P<sub>c|cents?|p|pence)\b"
    rf"|\b(?P<cents_words>{BELOW_100})[\s-](?P<sub_words>cents?|pence)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(rf"\b(?P<num>{NUMBER})\s?(?:%|per\s?cent\b|percent\b)", re.IGNORECASE)
_DURATION = re.compile(
    rf"(?:\b{DIGITS}\s*[-–]\s*|\b{NUMBER}\s+(?:to|or)\s+)?"
    rf"(?:\b(?P<num>{NUMBER})(?P<numhalf>\s+and\s+a\s+half)?"  # "two and a half hours"
    # "half an hour", "a quarter of an hour", "three-quarters of an hour"
    r"|(?:\b(?P<frac>half|(?:a|one|three)[\s-]quarters?)(?:\s+of)?\s+)?(?P<art>\ban?))"
    r"[\s-]+"
    r"(?:(?P<qual>business|working|banking|calendar|full)[\s-]+)?"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?|months?|years?|yrs?)"
    r"(?:'s|s'|')?(?![a-z])(?P<andhalf>\s+and\s+a\s+half\b)?",  # "an hour and a half"
    re.IGNORECASE,
)
_FRACTION = {"half": 0.5, "quarter": 0.25, "quarters": 0.75}
# An age limit: "from age seventy-five", "aged 75 years or older", "drivers over 80", "under 25",
# "at least 21 years old", "the minimum age is 25".
# Unit "over" (this age and above) or "under"; "over 4.5 tonnes" or "under 25 kg" are no ages.
_AGE_LIMIT = re.compile(
    rf"\b(?:from (?:the )?age (?:of )?(?P<from>{NUMBER})"
    rf"|at least (?P<least>{NUMBER}) years?(?: of age| old)\b"
    rf"|minimum age (?:is |of )?(?P<minimum>{NUMBER})\b(?! (?:months?|weeks?|days?)\b)"
    rf"|aged? (?P<aged>{NUMBER})(?: years?)?(?: of age)?"
    r"(?: (?:or|and) (?P<aged_side>over|older|above|more|under|younger|below))?"
    r"|(?P<side>over|under|older than|younger than) (?P<bare>\d{1,3})"
    r"(?!\d|[.,]\d|\s*(?:\$|%|per ?cent|[a-z]*(?:hours?|days?|weeks?|months?|years?|points?|"
    r"kg|km|tonnes?|litres?|metres?|cents?|dollars?|vehicles?|items?|pages?|kw|mb|gb|\w+s)\b)"
    # "spread it over 12 monthly direct debits": how many, not an age (its own alternative: after
    # the '\s*' above, its '\s+' split a run of spaces every way, time in the square of the run)
    r"|\s+(?:hourly|daily|weekly|fortnightly|monthly|quarterly|yearly|annual|equal|separate)\b)"
    rf"|(?P<n>{NUMBER}) (?:years? (?:of age |old )?)?(?:or|and) (?P<n_side>over|older|above|under|"
    r"younger|below)\b(?! (?:\$|\d))"
    # "5 years and up", "ages 5 and up", "kids 12 and up" (not "12 months and up", "$50 and up")
    rf"|(?P<up>{NUMBER}) years?(?: old)? and up\b"
    rf"|\b(?:ages?|children|kids|adults|people|anyone|patients|members|customers|students) "
    rf"(?P<up2>{NUMBER}) and up\b"
    # "until they turn twelve" (under 12), "once you turn 65" (65 and over)
    r"|\b(?P<turn_side>until|till|before|once|when|after|from when)\s+(?:you|they|he|she|it|"
    rf"your\s+[a-z]+|the\s+[a-z]+)\s+(?P<turns>turns?\s+(?P<turn>{NUMBER}))\b"
    # "under-12s", "over-65s": the people under or over an age
    r"|\b(?P<group_side>under|over)-(?P<group>\d{1,3})s?\b)",
    re.IGNORECASE,
)
_UNDER = frozenset({"under", "younger", "younger than", "below"})
_BEFORE_TURNING = frozenset({"until", "till", "before"})


def age_limits(text: str) -> list[Span]:
    """(``age``, ``over``/``under``, age, start, end) of every age limit stated in ``text``."""
    if not _MAY_BE_AGE.search(text.lower()):
        return []
    found: list[Span] = []
    for m in _AGE_LIMIT.finditer(text):
        number = (
            m["from"] or m["least"] or m["minimum"] or m["aged"] or m["bare"] or m["n"]
            or m["up"] or m["up2"] or m["turn"] or m["group"]
        )  # fmt: skip
        side = (m["aged_side"] or m["side"] or m["n_side"] or m["group_side"] or "over").lower()
        start = m.start()
        if m["turns"]:  # the span is "turn 65": "once" or "until" is no part of the figure
            start = m.start("turns")
            side = "under" if m["turn_side"].lower() in _BEFORE_TURNING else "over"
        value = parse_number(number)
        if value is not None and 0 < value < 130:
            found.append((AGE, "under" if side in _UNDER else "over", value, start, m.end()))
    return found


def _ages(scanner: _Scanner) -> list[Span]:
    found = age_limits(scanner.work)
    for _, _, _, start, end in found:
        scanner.take(start, end)
    return found


_BARE_FORTNIGHT = re.compile(r"\b(?:a|one)\s+fortnight\b|\bfortnightly\b", re.IGNORECASE)
_ARTICLE_OK = re.compile(
    r"\b(?:within|in|after|for|to|over|about|around|than|least|most|of|under|take|takes)\s*$",
    re.IGNORECASE,
)
_QUALIFIED_COUNT = re.compile(
    r"\b(?P<q>up to|at most|no more than|not more than|(?:a )?maximum of|maximum|at least|"
    r"(?:a )?minimum of|minimum|more than|fewer than|less than|only|limit of|limited to|capped at|"
    rf"exactly)\s+(?P<num>{NUMBER})\b",
    re.IGNORECASE,
)
_BARE_COUNT = re.compile(
    r"(?<![\w.$,])(?P<num>\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"\s+(?:or (?:more|fewer|less)\s+)?(?P<noun>[a-z][a-z-]+)(?:\s+(?P<noun2>[a-z][a-z-]+))?",
    re.IGNORECASE,
)
_ONLY_COUNT = re.compile(
    r"\b(?P<num>one|two|three|four|five|\d+)\s+[a-z][a-z-]+\s+only\b", re.IGNORECASE
)
# "One" counts only after a preposition of quantity ("free for one light vehicle", "added to
# one family plan"); elsewhere it is far more often a pronoun ("one of them", "the one you
# want", "one must show your photo").
_ONE_COUNT = re.compile(
    r"\b(?:for|to|on|per|with)\s+(?P<num>one)\s+(?P<noun>[a-z][a-z-]+)(?:\s+(?P<noun2>[a-z][a-z-]+))?",
    re.IGNORECASE,
)
# ... and before "per" or "each": "one pet per room", "one code each order" say how many.
_ONE_PER = re.compile(
    r"\b(?P<num>one)\s+(?P<noun>[a-z][a-z-]+)(?P<noun2>)(?=\s+(?:per|each)\s+[a-z])",
    re.IGNORECASE,
)
_TIMES = re.compile(r"\b(?P<num>once|twice)\s+(?=(?:a|per|in|every|each|within)\b)", re.I)
# How many times something may be done: "renewed three times", "up to 3 times a year", "renew it
# twice" (not "three times as much", "twice the fee", nor "once" alone: "once your term ends").
_N_TIMES = re.compile(
    rf"\b(?:(?P<num>{NUMBER})\s+times|(?P<twice>twice))\b(?!\s+(?:as|more|less|than|the|that)\b)",
    re.I,
)


def _unit_of_duration(qual: str | None, unit: str) -> tuple[str, float]:
    base = unit.lower().rstrip("'s").replace("hr", "hour").replace("yr", "year")
    base = {"hou": "hour", "min": "minute", "minute": "minute"}.get(base, base)
    business = (qual or "").lower() in ("business", "working", "banking")
    if business:
        factor = {"week": 5.0, "fortnight": 10.0, "hour": 1 / 8, "minute": 1 / 480}.get(base, 1.0)
        return "business_day", factor
    return "day", DAYS_PER_UNIT.get(base, 1.0)


class _Scanner:
    """A sentence being scanned: a found fact's span is blanked so later patterns skip it."""

    def __init__(self, masked: str) -> None:
        self.text = masked
        self.work = masked

    def take(self, start: int, end: int) -> None:
        self.work = self.work[:start] + " " * (end - start) + self.work[end:]


def numeric_spans(masked: str) -> list[Span]:
    """(kind, unit, value, start, end) of every numeric fact in a masked sentence."""
    scanner = _Scanner(masked)
    lowered = masked.lower()
    found, clocks = time_spans(masked)
    for start, end in clocks:
        scanner.take(start, end)
    found += _money(scanner) if _MAY_BE_MONEY.search(lowered) else []
    for m in list(_PERCENT.finditer(scanner.work)) if _MAY_BE_PERCENT.search(lowered) else []:
        value = parse_number(m["num"])
        if value is not None:
            scanner.take(m.start(), m.end())
            found.append((PERCENT, "percent", value, m.start(), m.end()))
    if _MAY_BE_MEASURE.search(lowered):
        found += _measures(scanner)
    found += _ages(scanner)
    if _MAY_BE_DURATION.search(lowered):
        found += _durations(scanner)
    found += _counts(scanner, may_be_one="one" in lowered)
    return found


# Cheap tests before the expensive patterns: most sentences state no amount or duration.
_MAY_BE_MONEY = re.compile(r"\$|£|€|aud|usd|nzd|cad|gbp|eur|dollar|\d[cp]\b|cent|pound|pence")
_PENCE = frozenset({"p", "pence"})
_MAY_BE_PERCENT = re.compile(r"%|per ?cent")
_MAY_BE_AGE = re.compile(
    r"\bage|over \d|under \d|than \d|or (?:over|older|above|under|younger|below)|years? old"
    r"|and up\b|\bturns? |under-\d|over-\d"
)
_MAY_BE_DURATION = re.compile(
    r"minute|mins?\b|hour|hrs?\b|day|week|fortnight|month|year|yrs?\b|quarterly|annually"
)


_CURRENCY = {
    "$": "AUD", "AU$": "AUD", "A$": "AUD", "DOLLAR": "AUD", "US$": "USD", "NZ$": "NZD",
    "C$": "CAD", "£": "GBP", "€": "EUR", "EURO": "EUR", "POUND": "GBP",
}  # fmt: skip
# "Pounds" is money in a sentence about money that states no other currency ("covered up to
# twenty pounds at no extra cost"), a weight in one about weight or beside dollars ("bags up to
# 50 pounds", "dogs up to 20 pounds fly for a fee of $125"), and no fact otherwise.
_WEIGHT_WORDS = re.compile(
    r"weigh|heav(?:y|ier)|light(?:er)?\b|\bkgs?\b|kilo|\blbs?\b|luggage|baggage|\bbags?\b|"
    r"suitcase",
    re.IGNORECASE,
)
_MONEY_WORDS = re.compile(
    r"\bcost|\bpa(?:y|id)\b|\bfees?\b|charge|price|refund|\bcover|compensat|worth|\bvalue|"
    r"\bfines?\b|credit|spend|\bowe|voucher|discount|£|\bgbp\b|pence|\bfor\s+(?:just\s+|only\s+)?"
    rf"{NUMBER}\s+pounds?\b",
    re.IGNORECASE,
)
_OTHER_CURRENCY = re.compile(r"\$|€|\b(?:aud|usd|nzd|cad|eur)\b|dollar|euro", re.IGNORECASE)


def _pounds_are(sentence: str) -> str | None:
    """What "pounds" measure in ``sentence``: ``MONEY``, ``MEASURE`` or None (unsaid)."""
    if _WEIGHT_WORDS.search(sentence) or _OTHER_CURRENCY.search(sentence):
        return MEASURE
    return MONEY if _MONEY_WORDS.search(sentence) else None


def _money(scanner: _Scanner) -> list[Span]:
    found: list[Span] = []
    for m in list(_MONEY.finditer(scanner.work)):
        if m["cents"] or m["cents_words"]:
            amount = (parse_number(m["cents"] or m["cents_words"]) or 0.0) / 100
            sub = (m["sub"] or m["sub_words"]).lower()
            unit = "GBP" if sub in _PENCE else "AUD"
        else:
            amount = parse_number(m["amt"] or m["amt2"]) or 0.0
            scale = m["scale"] or m["scale_short"] or m["scale2"]
            amount *= _SCALES[scale.lower()] if scale else 1.0
            if m["pence"]:  # "one pound fifty", "5 pounds 50"
                amount += (parse_number(m["pence"]) or 0.0) / 100
            cur = (m["cur"] or m["cur2"] or "$").upper().rstrip("S")
            pounds = _pounds_are(scanner.text) if cur == "POUND" else MONEY
            if pounds is None:  # not said which: no fact, no count
                scanner.take(m.start(), m.end())
            if pounds != MONEY:
                continue  # a weight (read as a measure), or not said
            unit = _CURRENCY.get(cur, cur)
        scanner.take(m.start(), m.end())
        found.append((MONEY, unit, round(amount, 2), m.start(), m.end()))
    return found


# A measure's unit as written -> (the unit it is kept in, the factor to it). Not "g" (5G is a
# network), "m" (minutes, millions), "l" or "in", which say other things far more often.
_MEASURE_UNITS = {
    "kg": ("kg", 1.0), "kgs": ("kg", 1.0), "kilo": ("kg", 1.0), "kilos": ("kg", 1.0),
    "kilogram": ("kg", 1.0), "kilogramme": ("kg", 1.0), "gram": ("kg", 0.001),
    "gramme": ("kg", 0.001), "lb": ("kg", 0.45359237), "lbs": ("kg", 0.45359237),
    "pound": ("kg", 0.45359237),
    "tonne": ("kg", 1000.0),
    "mm": ("m", 0.001), "millimetre": ("m", 0.001), "millimeter": ("m", 0.001),
    "cm": ("m", 0.01), "centimetre": ("m", 0.01), "centimeter": ("m", 0.01),
    "metre": ("m", 1.0), "meter": ("m", 1.0), "km": ("m", 1000.0),
    "kilometre": ("m", 1000.0), "kilometer": ("m", 1000.0), "inch": ("m", 0.0254),
    "inches": ("m", 0.0254), "ft": ("m", 0.3048), "feet": ("m", 0.3048),
    "foot": ("m", 0.3048), "mile": ("m", 1609.344),
    "ml": ("l", 0.001), "millilitre": ("l", 0.001), "milliliter": ("l", 0.001),
    "litre": ("l", 1.0), "liter": ("l", 1.0),
    # data in gigabytes (a terabyte as 1,000 of them: "1 TB" and "1,024 GB" agree within the
    # tolerance of a restated measure) and speeds in megabits a second
    "kb": ("GB", 1e-6), "kilobyte": ("GB", 1e-6), "mb": ("GB", 0.001),
    "megabyte": ("GB", 0.001), "gb": ("GB", 1.0), "gig": ("GB", 1.0), "gigabyte": ("GB", 1.0),
    "tb": ("GB", 1000.0), "terabyte": ("GB", 1000.0),
    "kbps": ("Mbps", 0.001), "mbps": ("Mbps", 1.0), "gbps": ("Mbps", 1000.0),
}  # fmt: skip
_MEASURE_UNIT = (
    r"kgs?|kilos?|kilogram(?:me)?s?|gram(?:me)?s?|lbs?|pounds?|tonnes?|mm|cm|km|ml|ft|feet|foot|"
    r"inch(?:es)?|miles?|(?:milli|centi|kilo)?met(?:re|er)s?|(?:milli)?lit(?:re|er)s?|"
    r"[kmgt]b|(?:kilo|mega|giga|tera)bytes?|gigs?|[kmg]bps"
)
# Inches also as 72" or "72 in." (the full stop tells "in." from the word "in"), never
# after a quotation mark ('reply "2"').
_MEASURE = re.compile(
    rf"\b(?P<num>{NUMBER})(?:\s|-)?(?P<unit>{_MEASURE_UNIT})\b"
    rf"|(?<![\"\w.,])(?P<inches>{DIGITS})(?:\"|\s?in(?=\.))",
    re.IGNORECASE,
)
# A box's size, "55 x 40 x 20 cm" or "40cm x 30cm x 15cm": read as no fact (one number of three
# is not a limit on its own).
_DIMENSIONS = re.compile(
    rf"\b{DIGITS}\s?(?:{_MEASURE_UNIT})?\s?[x×]\s?{DIGITS}\s?(?:{_MEASURE_UNIT})?"
    rf"(?:\s?[x×]\s?{DIGITS})?\s?(?:{_MEASURE_UNIT})\b",
    re.IGNORECASE,
)
_CONVERSION_GAP = re.compile(r"\s*[(/]\s*(?:or\s+|about\s+|approx(?:imately|\.)?\s+)?$", re.I)
_MAY_BE_MEASURE = re.compile(
    r"kg|kilo|gram|lb|pound|tonne|mm|cm|km|ml|ft\b|feet|foot|inch|mile|met(?:re|er)|lit(?:re|er)|"
    r"\d\s?[kmgt]b|byte|\dgig|gigs?\b|bps\b|"
    r"\d\"|\d in\."
)


def measure_unit(written: str) -> tuple[str, float]:
    """The unit a measure is kept in and the factor to it: ``lbs`` -> (``kg``, 0.4536)."""
    word = written.lower()
    if word not in _MEASURE_UNITS and word.endswith("s"):
        word = word[:-1]
    return _MEASURE_UNITS[word]


def _measures(scanner: _Scanner) -> list[Span]:
    for m in list(_DIMENSIONS.finditer(scanner.work)):
        scanner.take(m.start(), m.end())
    found: list[Span] = []
    last_end = -1
    for m in list(_MEASURE.finditer(scanner.work)):
        value = parse_number(m["num"] or m["inches"])
        if value is None:
            continue
        pounds = bool(m["unit"]) and m["unit"].lower().startswith("pound")
        if pounds and _pounds_are(scanner.text) != MEASURE:
            continue  # money, taken before, or not said
        unit, factor = measure_unit(m["unit"] or "inch")
        scanner.take(m.start(), m.end())
        conversion = last_end >= 0 and _CONVERSION_GAP.fullmatch(scanner.text[last_end : m.start()])
        last_end = m.end()
        if not conversion:  # "23kg (50 lb)": one fact, said in two units
            found.append((MEASURE, unit, round(value * factor, 4), m.start(), m.end()))
    return found


def _duration_value(m: re.Match[str]) -> float | None:
    """How many of the unit a duration match states: "an hour" 1, "half an hour" 0.5, "three
    quarters of an hour" 0.75, "two and a half hours" and "an hour and a half" 2.5 and 1.5."""
    value = 1.0 if m["art"] else parse_number(m["num"])
    if value is None:
        return None
    if m["frac"]:
        value *= _FRACTION[m["frac"].lower().replace("-", " ").split()[-1]]
    if m["numhalf"] or m["andhalf"]:
        value += 0.5
    return value


def _durations(scanner: _Scanner) -> list[Span]:
    found: list[Span] = []
    for m in list(_DURATION.finditer(scanner.work)):
        if m["art"] and not _ARTICLE_OK.search(scanner.work[: m.start()]):
            continue
        if m["art"] and _RATE_BEFORE.search(scanner.text, 0, m.start()):
            continue  # a rate: "$20,000 a day", "no more than $5.25 in a day"
        value = _duration_value(m)
        if value is None or _AN_AGE_AFTER.match(scanner.work, m.end()):
            continue  # "children 6 to 17 years of age", "a 3 year old": ages, not lengths
        unit, factor = _unit_of_duration(m["qual"], m["unit"])
        scanner.take(m.start(), m.end())
        found.append((DURATION, unit, round(value * factor, 4), m.start(), m.end()))
    for m in list(_BARE_FORTNIGHT.finditer(scanner.work)):
        if m.group(0).lower().endswith("ly"):
            continue
        scanner.take(m.start(), m.end())
        found.append((DURATION, "day", 14.0, m.start(), m.end()))
    for m in list(_PERIOD.finditer(scanner.work)):
        after = _NEXT_WORD.match(scanner.work, m.end())
        if after is not None and (
            is_content_word(after[1].lower()) or after[1].lower() in _AMOUNT_NOUNS
        ):
            continue  # an adjective: "a monthly fee", "pay monthly plans", "Monthly amount"
        if _AMOUNT_BEFORE.search(scanner.text, 0, m.start()):
            continue  # a rate, "$65 monthly", as "$65 a month" is
        if _names_a_kind(scanner.text, m.start(), m.end()):
            continue  # "switch from monthly to annual billing", "weekly or monthly payments"
        scanner.take(m.start(), m.end())
        days = PERIOD_DAYS[m["period"].lower()]
        found.append((DURATION, "day", days, m.start(), m.end()))
    return found


# A period in one word: "billed monthly" is billed for a month at a time. Not "daily" or
# "hourly", which say how something is worked out ("interest is calculated daily") far more
# often than a period, nor "twice monthly" or "bi-monthly".
_PERIOD = re.compile(
    r"(?<!twice )(?<![\w-])(?P<period>weekly|fortnightly|monthly|quarterly|annually|yearly)\b",
    re.IGNORECASE,
)
PERIOD_DAYS = {
    "weekly": 7.0, "fortnightly": 14.0, "monthly": DAYS_PER_UNIT["month"],
    "quarterly": 3 * DAYS_PER_UNIT["month"], "annually": DAYS_PER_UNIT["year"],
    "yearly": DAYS_PER_UNIT["year"],
}  # fmt: skip
_NEXT_WORD = re.compile(r"[ \t]*([A-Za-z][A-Za-z'-]*)")
# Period words paired ("monthly to annual billing", "weekly or fortnightly payments"): when the
# pair names a thing, or holds "annual" (never an adverb), each is an adjective, a kind of
# billing or payment; "pay weekly, fortnightly or monthly" offers three periods.
_PERIOD_WORD = r"(?:daily|weekly|fortnightly|monthly|quarterly|annual|annually|yearly)"
_PERIOD_PAIR = r"\s*(?:,\s*(?:or\s+|and\s+)?|to\s+|or\s+|and\s+|and/or\s+|/)\s*"
_PERIOD_CHAIN_AFTER = re.compile(rf"(?:{_PERIOD_PAIR}{_PERIOD_WORD}\b)+", re.I)
_ANNUAL_BEFORE = re.compile(rf"\bannual{_PERIOD_PAIR}(?:{_PERIOD_WORD}{_PERIOD_PAIR})*$", re.I)


def _names_a_kind(text: str, start: int, end: int) -> bool:
    """The period word at ``start:end`` is one of paired period words used as adjectives."""
    if _ANNUAL_BEFORE.search(text, 0, start):
        return True
    chain = _PERIOD_CHAIN_AFTER.match(text, end)
    if chain is None:
        return False
    if re.search(r"\bannual\b", chain.group(0), re.I):
        return True
    after = _NEXT_WORD.match(text, chain.end())
    return after is not None and (
        is_content_word(after[1].lower()) or after[1].lower() in _AMOUNT_NOUNS
    )


_AMOUNT_NOUNS = frozenset({"amount", "amounts", "total", "totals", "sum", "sums", "figure"})
_AN_AGE_AFTER = re.compile(r"[\s-]*(?:of age|old)\b", re.IGNORECASE)
# The end of an amount, before a period ("$5k a year", "$1.2 million a year" too).
_AN_AMOUNT = r"(?:\d(?:k|m|bn)?|%|per ?cent|dollars?|cents?|thousand|million|billion)\s*"
_AMOUNT_BEFORE = re.compile(_AN_AMOUNT + r"(?:a |per |each )?$", re.I)
_RATE_BEFORE = re.compile(_AN_AMOUNT + r"(?:in |for )?$", re.I)


_NOT_COUNT_NOUNS = frozenset(
    """am pm per cent percent hour hours day days week weeks month months pound pounds
    year years kwh mb gb digit digits character characters""".split()  # noqa: SIM905
)


def _counted_noun(
    first: str, second: str | None, *, is_digit: bool, singular: bool = False
) -> str | None:
    """The noun a bare number counts: the next word, or the one after a modifier
    (``three identity documents``); number words need a plural noun, ``one`` (``singular``)
    a singular one (``one light vehicle``)."""
    for word in (first, second) if second else (first,):
        whole = word.lower()  # "check-ups": its first part names it, its last one is plural
        noun = whole.split("-")[0]
        if noun in _NOT_COUNT_NOUNS or not is_content_word(noun):
            return None
        if singular:
            if not whole.endswith("s") or whole.endswith("ss"):
                return noun
        elif is_digit or whole.endswith("s"):
            return noun
    return None


def _counts(scanner: _Scanner, *, may_be_one: bool = True) -> list[Span]:
    found: list[Span] = []
    for m in list(_QUALIFIED_COUNT.finditer(scanner.work)):
        value = parse_number(m["num"])
        if value is not None:
            scanner.take(m.start(), m.end())
            found.append((COUNT, "count", value, m.start(), m.end()))
    for m in list(_TIMES.finditer(scanner.work)):
        scanner.take(m.start(), m.end())
        value = 1.0 if m["num"].lower() == "once" else 2.0
        found.append((COUNT, "count", value, m.start(), m.end()))
    for m in list(_N_TIMES.finditer(scanner.work)):
        value = 2.0 if m["twice"] else parse_number(m["num"])
        if value is not None:
            scanner.take(m.start(), m.end())
            found.append((COUNT, "count", value, m.start(), m.end()))
    for m in list(_ONLY_COUNT.finditer(scanner.work)):
        value = parse_number(m["num"])
        if value is not None:
            scanner.take(m.start(), m.end())
            found.append((COUNT, "count", value, m.start(), m.end()))
    ones = [*_ONE_COUNT.finditer(scanner.work), *_ONE_PER.finditer(scanner.work)]
    for m in ones if may_be_one else []:
        if _counted_noun(m["noun"], m["noun2"], is_digit=False, singular=True) is not None:
            scanner.take(m.start("num"), m.end("num"))
            found.append((COUNT, "count", 1.0, m.start("num"), m.end("num")))
    for m in list(_BARE_COUNT.finditer(scanner.work)):
        noun = _counted_noun(m["noun"], m["noun2"], is_digit=m["num"].isdigit())
        if noun is None:
            continue
        value = parse_number(m["num"])
        if value is not None:
            found.append((COUNT, "count", value, m.start(), m.start() + len(m["num"])))
    return found
