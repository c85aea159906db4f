"""Times of day in one sentence: opening hours, cut-offs, check-in and check-out times.

A time is kept in minutes after midnight with what it says of its subject (its *unit*):

* its role: ``from`` (a range's start, "from 9am", "opens at 8"), ``until`` (a range's end,
  "until 5pm", "by 11 a.m.", "before 2 p.m.", "closes at 6") or ``at``; a range that runs
  past midnight ("6 pm to 8 am") has the roles ``night-from`` and ``night-until``;
* its time zone, when one is named ("9am–6pm ET" and "9am to 5pm Eastern" are both ``et``),
  else ``local``;
* the days it holds on, read from the nearest day names ("Monday to Friday", "Saturdays",
  "weekdays", "public holidays"), else ``any`` (the whole week, "Monday to Sunday", is
  ``any`` too, as "every day" and "seven days a week" are).

Two times are compared only when all three agree, so Saturday's closing time is never set
against a weekday's, an opening time never against a closing one, and Eastern never against
Pacific. A range restated in another zone right after it, in parentheses ("9am–6pm ET (6am–3pm
PT)"), is the same fact and read once. Clock times written without am/pm ("9:30") say neither
which half of the day they are in nor, often, that they are times: they are no fact, unless a
24-hour clock says so ("08:00", "21:00").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge_service.freshness.text import TIME_ZONES

TIME = "time"
Span = tuple[str, str, float, int, int]
"""(kind, unit, value, start, end) of one fact in a sentence (numeric.py reads the same)."""

_SUFFIX = r"(?:am|pm|a\.m\.|p\.m\.)"


_HOUR_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_HOUR_WORD = "|".join(_HOUR_WORDS)
_PART_OF_DAY = r"in\s+the\s+(?:morning|afternoon|evening)|at\s+night"


def _clock(n: str) -> str:
    """A clock time whose groups end in ``n``: "9am", "5:30 p.m.", "8.30am" (with am or pm,
    a dot may part the hour from the minutes, as British and Australian styles write it),
    "08:00", "noon", and an hour said in words with its part of the day ("six in the
    evening", "half seven in the evening": 7:30 p.m., "ten at night")."""
    return (
        rf"(?:(?P<h{n}>\d{{1,2}})(?:[:.](?P<m{n}>[0-5]\d))?\s?(?P<s{n}>{_SUFFIX})(?![a-z])"
        rf"|(?P<h24{n}>[01]\d|2[0-3]):(?P<m24{n}>[0-5]\d)(?!\s?(?:am|pm|a\.m|p\.m))"
        rf"|(?P<word{n}>noon|midday|midnight)"
        rf"|(?P<half{n}>half\s+(?:past\s+)?)?(?P<said{n}>{_HOUR_WORD})(?:\s+o'clock)?"
        rf"\s+(?P<part{n}>{_PART_OF_DAY}))"
    )


# A range's start may leave its half of the day to the end's ("9–5pm", "10 to 11:30am").
_START = rf"(?:{_clock('1')}|(?P<bh>\d{{1,2}})(?::(?P<bm>[0-5]\d))?)"
_RANGES = (
    re.compile(rf"\bbetween\s+{_START}\s*and\s*{_clock('2')}", re.IGNORECASE),
    re.compile(rf"\b{_START}\s*(?:–|—|-|to|until|till)\s*{_clock('2')}", re.IGNORECASE),
)
_SINGLE = re.compile(rf"\b{_clock('1')}", re.IGNORECASE)
# Every other clock time: taken so no other pattern reads it as a number ("9:30", "5pm").
_OTHER_CLOCK = re.compile(
    rf"\b\d{{1,2}}(?:[:.]\d{{2}})?\s?{_SUFFIX}(?![a-z])|\b\d{{1,2}}:\d{{2}}\b"
)
_MAY_BE_TIME = re.compile(
    rf"\d\s?(?:am|pm|a\.m|p\.m)|\d:\d\d|noon|midday|midnight|{_PART_OF_DAY}", re.I
)

_ZONES = TIME_ZONES
_ZONE_AFTER = re.compile(
    r"\s*\(?\s*(?P<zone>" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r")\b(?:\s+time)?",
    re.IGNORECASE,
)
_CONVERSION_GAP = re.compile(r"\s*[(/]\s*(?:or\s+)?$")
_UNTIL_BEFORE = re.compile(
    r"\b(?:until|till|til|by|before|no\s+later\s+than|closes?\s+at|closing\s+at|ends?\s+at|"
    r"cut-?off\s+(?:is\s+|time\s+is\s+)?(?:at\s+)?)\s*$",
    re.IGNORECASE,
)
_FROM_BEFORE = re.compile(
    r"\b(?:from|after|opens?\s+at|opening\s+at|starts?\s+at|begins?\s+at)\s*$", re.IGNORECASE
)

# Words that say a time ends something or starts it, when no preposition does.
_ROLE_CUE = re.compile(
    r"\b(?:(?P<end>check[\s-]?out|clos(?:e|es|ed|ing)|latest|late\s+as|deadline|cut[\s-]?off|"
    r"last|ends?|finish(?:es)?)|(?P<start>check[\s-]?in|open(?:s|ed|ing)?|earliest|early\s+as|"
    r"starts?|first|begins?))\b",
    re.IGNORECASE,
)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAME = (
    r"(?:mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs?|rsday)?|fri(?:day)?|sat(?:urday)?|"
    r"sun(?:day)?)s?\.?"
)
_DAY_EXPR = re.compile(
    rf"\b(?P<a>{_DAY_NAME})\s*(?:–|—|-|to|through|thru)\s*(?P<b>{_DAY_NAME})(?![a-z])"
    rf"|\b(?P<one>{_DAY_NAME})(?![a-z])"
    r"|\b(?P<weekdays>weekdays?|week\s*days?)\b|\b(?P<weekends>weekends?)\b"
    r"|\b(?P<holidays>(?:public|bank|statutory|stat)\s+holidays?)\b",
    re.IGNORECASE,
)
_SEGMENT_BREAK = re.compile(r"[;,]|\band\b|\bbut\b", re.IGNORECASE)


def may_state_time(text: str) -> bool:
    """Whether ``text`` may state a time of day (a quick filter: False means it states none)."""
    return _MAY_BE_TIME.search(text) is not None


def time_spans(sentence: str) -> tuple[list[Span], list[tuple[int, int]]]:
    """(the time facts of ``sentence``, every clock time's span, facts or not)."""
    if not _MAY_BE_TIME.search(sentence):
        return [], []
    found: list[Span] = []
    taken: list[tuple[int, int]] = []
    last: int | None = None  # where the last time read ended (with its zone)
    work = sentence
    ranges = [m for pattern in _RANGES for m in pattern.finditer(sentence)]
    kept: list[re.Match[str]] = []
    for m in sorted(ranges, key=lambda r: r.start()):
        if not any(k.start() < m.end() and m.start() < k.end() for k in kept):
            kept.append(m)
    for m in kept:
        end_minutes = _minutes(m, "2")
        start_minutes = _minutes(m, "1")
        if start_minutes is None and m["bh"] and end_minutes is not None:
            start_minutes = _bare_start(int(m["bh"]), int(m["bm"] or 0), end_minutes)
        taken.append((m.start(), m.end()))
        work = work[: m.start()] + " " * (m.end() - m.start()) + work[m.end() :]
        if start_minutes is None or end_minutes is None:
            continue
        zone, zone_end = _zone(sentence, m.end())
        if last is not None and _CONVERSION_GAP.fullmatch(sentence[last : m.start()]):
            last = zone_end
            taken[-1] = (m.start(), zone_end)
            continue  # "9am–6pm ET (6am–3pm PT)": the same hours in another zone
        days = _days_of(sentence, m.start(), m.end())
        # A range that runs past midnight ("6 pm to 8 am": an emergency hospital's nights) is
        # the hours outside a daytime one ("8 am to 6 pm"), never those hours restated.
        night = "night-" if end_minutes < start_minutes else ""
        found.append((TIME, f"{night}from:{zone}:{days}", float(start_minutes), *m.span()))
        found.append((TIME, f"{night}until:{zone}:{days}", float(end_minutes), *m.span()))
        last = zone_end
    for m in _SINGLE.finditer(work):
        minutes = _minutes(m, "1")
        taken.append((m.start(), m.end()))
        if minutes is None:
            continue
        zone, zone_end = _zone(sentence, m.end())
        if last is not None and _CONVERSION_GAP.fullmatch(sentence[last : m.start()]):
            last = zone_end
            continue
        role = _role_of(sentence, m.start())
        days = _days_of(sentence, m.start(), m.end())
        found.append((TIME, f"{role}:{zone}:{days}", float(minutes), m.start(), m.end()))
        last = zone_end
    taken += [(m.start(), m.end()) for m in _OTHER_CLOCK.finditer(work)]
    return found, taken


def _role_of(sentence: str, start: int) -> str:
    """A single time's role: said by the word right before it ("until 5pm", "from 9am"), else
    by the nearest word of its part of the sentence that names an end or a start ("check-out
    is 11 a.m.", "as late as 1 p.m.", "the pool opens at 6am"), else ``at``."""
    before = sentence[:start]
    if _UNTIL_BEFORE.search(before):
        return "until"
    if _FROM_BEFORE.search(before):
        return "from"
    low = max((b.end() for b in _SEGMENT_BREAK.finditer(before)), default=0)
    cues = list(_ROLE_CUE.finditer(before, low))
    if not cues:
        return "at"
    return "until" if cues[-1]["end"] else "from"


def _minutes(m: re.Match[str], n: str) -> int | None:
    if m[f"word{n}"]:
        word = m[f"word{n}"].lower()
        return 24 * 60 if word == "midnight" else 12 * 60
    if m[f"h24{n}"]:
        return int(m[f"h24{n}"]) * 60 + int(m[f"m24{n}"])
    if m[f"said{n}"]:
        hour = _HOUR_WORDS[m[f"said{n}"].lower()] % 12
        part = m[f"part{n}"].lower()
        if part.endswith("night") and hour == 0 and not m[f"half{n}"]:
            return 24 * 60  # "twelve at night" is midnight, as the word reads
        later = part.endswith(("afternoon", "evening")) or (part.endswith("night") and hour >= 6)
        return (hour + (12 if later else 0)) * 60 + (30 if m[f"half{n}"] else 0)
    if not m[f"h{n}"]:
        return None
    hour, minute = int(m[f"h{n}"]), int(m[f"m{n}"] or 0)
    if not 1 <= hour <= 12:
        return None
    pm = m[f"s{n}"].lower().startswith("p")
    return (hour % 12 + (12 if pm else 0)) * 60 + minute


def _bare_start(hour: int, minute: int, end: int) -> int | None:
    """A range's start written without am/pm takes the end's half of the day, unless that
    would put it after the end ("9–5pm" is 9am)."""
    if not 1 <= hour <= 12:
        return None
    same_half = (hour % 12 + (12 if end >= 12 * 60 else 0)) * 60 + minute
    return same_half if same_half < end else (hour % 12) * 60 + minute


def _zone(sentence: str, end: int) -> tuple[str, int]:
    m = _ZONE_AFTER.match(sentence, end)
    if m is None:
        return "local", end
    return _ZONES[m["zone"].lower()], m.end()


def _days_of(sentence: str, start: int, end: int) -> str:
    """The days a time holds on: day names in its own part of the sentence, else the nearest
    ones before it, else after it; ``any`` when the sentence names none."""
    expressions = list(_DAY_EXPR.finditer(sentence))
    if not expressions:
        return "any"
    joined = _DAY_LIST.sub(lambda m: m[1] + " " * len(m[2]), sentence)  # "Saturday and Sunday"
    breaks = [b.start() for b in _SEGMENT_BREAK.finditer(joined)]
    low = max((b for b in breaks if b < start), default=0)
    high = min((b for b in breaks if b >= end), default=len(sentence))
    own = [e for e in expressions if low <= e.start() and e.end() <= high]
    before = [e for e in expressions if e.end() <= start]
    after = [e for e in expressions if e.start() >= end]
    return _days_text(own or before[-1:] or after[:1]) or "any"


# Days named one after another ("Saturday and Sunday", "Monday, Wednesday and Friday") are one
# list, not two parts of the sentence.
_DAY_LIST = re.compile(
    rf"\b({_DAY_NAME})(\s*,\s*|\s+and\s+|\s*&\s*)(?={_DAY_NAME}(?![a-z]))", re.IGNORECASE
)


def days_named(text: str) -> str | None:
    """Every day ``text`` names, all together ("Saturday and Sunday": ``sat,sun``), or None."""
    return _days_text(_DAY_EXPR.finditer(text)) or None


def _days_text(expressions: Iterable[re.Match[str]]) -> str:
    """The days the day expressions name, in week order ("mon,tue,wed", "hol"); "" for none,
    and for the whole week ("Monday to Sunday", "Mon–Sun"), which holds on any day as "every
    day", "daily" and "seven days a week" do: they name no day, so read ``any``."""
    days: set[str] = set()
    for e in expressions:
        days |= _expand(e)
    if days >= set(_DAYS):
        return ""
    return ",".join(d for d in (*_DAYS, "hol") if d in days)


def _expand(m: re.Match[str]) -> set[str]:
    if m["weekdays"]:
        return set(_DAYS[:5])
    if m["weekends"]:
        return set(_DAYS[5:])
    if m["holidays"]:
        return {"hol"}
    if m["one"]:
        return {m["one"][:3].lower()}
    first, last = _DAYS.index(m["a"][:3].lower()), _DAYS.index(m["b"][:3].lower())
    if last < first:
        last += 7
    return {_DAYS[i % 7] for i in range(first, last + 1)}


def describe_time(minutes: float) -> str:
    """``540`` -> ``9:00 a.m.``; ``720`` -> ``12:00 p.m.`` (noon); ``1440`` -> midnight."""
    whole = round(minutes)
    if whole in (0, 24 * 60):
        return "midnight"
    hour, minute = divmod(whole, 60)
    half = "a.m." if hour < 12 else "p.m."
    return f"{hour % 12 or 12}:{minute:02d} {half}"
