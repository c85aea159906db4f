"""Ranges, times and days, written so that a speech engine reads them as meant: a range of
numbers, dates or days with "to", a time with a colon, a day written short in full (see
:mod:`~knowledge_service.answers.speech` for the rest of what voice reads as meant).

A range of days or months written with a dash ("Mon–Fri", "Monday-Friday", "Jan–Mar") is read
with "to" and the names in full ("Monday to Friday", "January to March"), not "Mon Fri"; so is
a day written short, which a speech engine reads as a word ("sat", "the sun"), before or after
a time, in a list or a range, after a word that says when, or as a label or a table's cell
("Sat 9am", "10am-2pm Sat", "Sat & Sun", "Mon to Sat", "Open Sat.", "closed on Sun", "Sun:
closed", "Day: Sat, ..." are "Saturday 9am", ..., "Day: Saturday, ..."), its dot dropped
before a time or a word in lower case; not one alone before a name ("by Sun Microsystems").

A range written with a dash ("3-5 business days", "9am–5pm", "$10–$20", "$1,200-$1,500", "18-20
degrees", "5km-10km", "10c-12c") is read with "to" ("3 to 5 business days"), not "3 minus 5" or
"3 5"; so is a range of dates or ordinals ("1 Jan–14 Jan", "1 July 2026 – 30 June 2027", "Dec
24-Jan 2", "Mar 2026-Apr 2026", "1/7/2026-30/6/2027", "2nd–4th"), and of hours up to or from
noon or midnight ("9am–noon", "noon-2pm", "12noon-2pm" is "12 noon to 2pm"); a day and a
month, a dash and a year are one date ("1 Jan-2026" is "1 Jan 2026", not "1 Jan to 2026"), and
so is one with dashes around its month's name ("01-Jan-2026", "Jan-2026"). A date
(``2026-07-01``, ``01-07-2026``), a number of more than two parts and three digits, a hyphen
and four that is no phone number ("100-2000 kWh", see
:mod:`~knowledge_service.answers.speech_numbers`) stay as written.

Numbers or amounts alone with a dash between them are a sum, read "minus", before "=" or
after "=" or "+" ("10 - 4 = 6"), or where an amount is less a smaller one in the same currency
("$2.50 - $0.50": a range runs up); numbers alone that run down are a range ("2200-0600").

A year and the next written with a slash or a dash, a financial or academic year ("2025/26",
"2024-25", "FY2025/2026"), is read with "to" ("2025 to 26", "FY 2025 to 2026"), not "2025
slash 26"; other numbers so written ("2025/12", "2024/1234") stay.

A time written with a dot ("8.30am", "8.30–5pm") is written with a colon ("8:30am", "8:30–5pm"),
which a speech engine reads as a time, not as a decimal ("eight point three zero am").
"""

from __future__ import annotations

import re

from knowledge_service.answers.speech_sentences import LOOK_BACK, WORD_BEFORE, opens_a_sentence

_END = r"(?:[ \u00a0]?(?i:am|pm|a\.m\.|p\.m\.))?"  # "9am", "5 pm"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = rf"(?:st|nd|rd|th)?(?:[ \u00a0]{_MONTH}(?:[ \u00a0](?:19|20)\d\d)?)?"  # "2nd", "1 Jan"
_UNIT = (  # "5km", "10c", "$10k", "2 L", "18°C": a unit or a multiple written after the number
    r"(?:[ \u00a0]?(?:kWh|MWh|kW|km|kg|mg|ml|mL|mm|cm|GB|MB|TB|L|m)|c|\u00a2|p|k|bn"
    r"|\u00b0[CF]?)(?!\w)"
)
_AMOUNT = r"[$\u20ac\u00a3]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.:]\d+)?"  # "$1,200.50", "8.30"
_SLASHED_DATE = r"\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})"  # "1/7/2026", "30/06/27"
# "July 1", "Dec 24th", "Mar 2026": a date written month first, or a month and its year
_MONTH_FIRST = rf"\b{_MONTH}\.?[ \u00a0](?:\d{{1,2}}(?:st|nd|rd|th)?|(?:19|20)\d\d)(?![\d:.,]\d)"
_BOUND = (
    rf"(?:{_SLASHED_DATE}|{_MONTH_FIRST}|{_AMOUNT}(?:{_UNIT}|{_END}|{_DATE})"
    r"|(?:12[ \u00a0]?)?(?i:noon|midday|midnight))"  # "noon", "12 noon", "12noon"
)
_RANGE = re.compile(
    r"(?<![\w.,/:\-\u2013])"
    rf"(?P<low>{_BOUND}%?)[ \u00a0]?[\-\u2013][ \u00a0]?(?P<high>{_BOUND})"
    r"(?![\w\-\u2013]|[.,:/]\d)"
)


# "555-0134": a local phone number, or "100-2000" ("100-2000 kWh" with its unit)
_LOCAL_NUMBER = re.compile(r"\d{3}-\d{4}(?![\d.,:])")
_DAY_AND_MONTH = re.compile(rf"\d{{1,2}}(?:st|nd|rd|th)?[ \u00a0]{_MONTH}")  # "1 Jan", "2nd May"
_A_YEAR = re.compile(r"(?:19|20)\d\d")
_DASHED_DATE = re.compile(  # "01-Jan-2026", "Jan-2026": one date, no range
    rf"(?<![\w\-])(?:\d{{1,2}}-)?{_MONTH}-(?:19|20)\d\d(?![\w\-])"
)


_AM_OR_PM = r"[ \u00a0]?(?i:am|pm|a\.m\.|p\.m\.)(?!\w)"
# "8.30-5pm", "between 7.30 and 8.30 am": the first time of two takes the second's am or pm
_AND_THEN = r"(?:[ \u00a0]?[\-\u2013][ \u00a0]?|[ \u00a0](?i:and|to|until|till)[ \u00a0])"
_DOTTED_TIME = re.compile(
    r"(?<![\w.,:/$\u20ac\u00a3])(?P<hour>1[0-2]|0?[1-9])\.(?P<minutes>[0-5]\d)"
    rf"(?={_AM_OR_PM}|{_AND_THEN}(?:1[0-2]|0?[1-9])(?:[.:][0-5]\d)?{_AM_OR_PM})"
)


_TWELVE_NOON = re.compile(r"(?<![\w.,:/$\u20ac\u00a3])12(?=(?i:noon|midday|midnight)\b)")
""""12noon": twelve and the word run together, which a speech engine reads as one word."""


def say_times(text: str) -> str:
    """``text`` with each time written with a dot ("8.30am", "8.30–5pm", "between 7.30 and
    8.30 am") written with a colon, "8:30am", which a speech engine reads as a time, not as a
    decimal ("eight point three zero"); "12noon" (or "12midnight") as "12 noon"."""
    return _TWELVE_NOON.sub("12 ", _DOTTED_TIME.sub(r"\g<hour>:\g<minutes>", text))


_YEAR_AND_NEXT = re.compile(  # "2025/26", "2024-25", "FY2025/2026": a financial year
    r"(?<![\w.,/:\-\u2013$\u20ac\u00a3])(?P<fy>FY[ \u00a0]?)?(?P<first>(?:19|20)\d\d)"
    r"[/\-\u2013](?P<second>(?:19|20)?\d\d)(?![\w/\-\u2013%\u00b0]|[.,:]\d)"
)


def _said_year_and_next(match: re.Match[str]) -> str:
    """A year and the next written with a slash or a dash ("2025/26", "FY2024-25") as the
    years they are, "2025 to 26", "FY 2024 to 25", not "2025 slash 26" or a code; other
    numbers so written ("2025/12", "2024/1234") as written."""
    first, second = int(match["first"]), int(match["second"])
    is_next = second == first + 1 if len(match["second"]) == 4 else second == (first + 1) % 100
    if not is_next:
        return match.group(0)
    return ("FY " if match["fy"] else "") + f"{match['first']} to {match['second']}"


def say_years_and_next(text: str) -> str:
    """``text`` with each financial or academic year written as a year and the next with a
    slash or a dash ("2025/26", "2024-25", "FY2025/2026") read with "to": "2025 to 26"."""
    return _YEAR_AND_NEXT.sub(_said_year_and_next, text)


_PLAIN_NUMBER = re.compile(r"(?P<sign>[$\u20ac\u00a3]?)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_EQUALS_NEXT = re.compile(r"[ \u00a0]*=")
_SUM_BEFORE = re.compile(r"[=+][ \u00a0]*$")


def _is_a_subtraction(match: re.Match[str]) -> bool:
    """Whether two numbers with a dash between them are a sum, one less the other, and not a
    range: numbers or amounts alone, no unit, time or date, in a sum ("10 - 4 = 6", "= $3 - $1",
    "$5 + $3 - $1"), or an amount less a smaller one ("$2.50 - $0.50": a range runs up)."""
    low, high = _PLAIN_NUMBER.fullmatch(match["low"]), _PLAIN_NUMBER.fullmatch(match["high"])
    if low is None or high is None:
        return False
    text, start = match.string, match.start()
    if _EQUALS_NEXT.match(text, match.end()) or _SUM_BEFORE.search(text, max(0, start - 4), start):
        return True
    if not low["sign"] or low["sign"] != high["sign"]:
        return False
    return float(low.group(0)[1:].replace(",", "")) > float(high.group(0)[1:].replace(",", ""))


def say_ranges(text: str) -> str:
    """``text`` with each range of numbers written with a dash read "to"; three digits, a
    hyphen and four that :func:`~knowledge_service.answers.speech_numbers.say_phone_numbers`
    left ("555-1234" with no "call" before it) may still be a North American local number,
    and stay as written. A day and a month, a dash and a year ("1 Jan-2026") are one date,
    read without the dash: "1 Jan 2026"; so is a date written with dashes around its month's
    name ("01-Jan-2026", "Jan-2026": "01 Jan 2026", "Jan 2026")."""

    def said(match: re.Match[str]) -> str:
        if _LOCAL_NUMBER.match(match.group(0)):
            return match.group(0)
        if _DAY_AND_MONTH.fullmatch(match["low"]) and _A_YEAR.fullmatch(match["high"]):
            return f"{match['low']} {match['high']}"
        if _is_a_subtraction(match):  # "$2.50 - $0.50", "10 - 4 = 6"
            return f"{match.group('low')} minus {match.group('high')}"
        return f"{match.group('low')} to {match.group('high')}"

    text = _DASHED_DATE.sub(lambda m: m.group(0).replace("-", " "), text)
    return _RANGE.sub(said, text)


_DAYS = {
    "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
    "sat": "Saturday", "sun": "Sunday",
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
    "jun": "June", "jul": "July", "aug": "August", "sep": "September", "oct": "October",
    "nov": "November", "dec": "December",
}  # fmt: skip
_DAY = (
    r"(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?"
    rf"|Sat(?:urday)?|Sun(?:day)?|{_MONTH})"
)
_DAY_RANGE = re.compile(
    rf"(?<![\w\-\u2013])(?P<low>{_DAY})\.?[ \u00a0]?[\-\u2013][ \u00a0]?"
    rf"(?P<high>{_DAY})\b(?![\-\u2013])"
)


_SHORT_DAY = r"(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\b"
_SHORT_DAYS = re.compile(
    rf"(?<![\w\-\u2013]){_SHORT_DAY}(?:\.?[ \u00a0]*"
    rf"(?:,|&|and|or|to|until|till|through|thru)[ \u00a0]*{_SHORT_DAY})*"
    # a dot before a time or a word in lower case, not one ending a sentence ("Open Sat.")
    r"(?:\.(?=[ \u00a0,]*\d|[ \u00a0]+[a-z]))?(?![\-\u2013\w])"
)
_A_TIME_NEXT = re.compile(r"[ \u00a0,:]*\d")  # "Sat 9am", "Sat: 9am"
_A_LABEL = re.compile(r"[ \u00a0]*:")  # "Sun: closed", as a sentence's first word
_A_HEADER_BEFORE = re.compile(r":[ \u00a0]*$")  # a table's cell: "Day: Sat, Hours: ..."
_A_CELL_ENDS = re.compile(r"[ \u00a0]*(?:[,.;]|$)")
_SAYS_WHEN = frozenset(
    {
        "open", "opens", "closed", "closes", "on", "from", "until", "till", "to", "through",
        "thru", "every", "each", "by", "before", "after", "except", "including", "excluding",
        "this", "next", "last", "between",
    }
)  # fmt: skip
"""A word before a day written short that says it is one: "Open Sat.", "closed on Sun"; so does
a time ("10am-2pm Sat")."""
_A_NAME_NEXT = re.compile(rf"[ \u00a0]+(?!{_DAY}\b)[A-Z]")  # "by Sun Microsystems"


def _said_days(match: re.Match[str]) -> str:
    """Days written short ("Sat 9am", "Sat: closed", "Sat & Sun", "Mon to Sat", "Open Sat.",
    "10am-2pm Sat") in full: a speech engine reads "Sat" and "Sun" as words ("sat", "the
    sun"). Alone, before no time, after no time or word that says when, and neither a label
    ("Sun: closed") nor a table's cell ("Day: Sat, ...") ("we Sat", "the Sun", "by Sun
    Microsystems"), they stay."""
    days = re.findall(r"[A-Z][a-z]+", match.group(0))
    text, start, end = match.string, match.start(), match.end()
    if len(days) < 2 and not _A_TIME_NEXT.match(text, end):
        before = WORD_BEFORE.search(text, max(0, start - LOOK_BACK), start)
        word = before["word"].lower() if before is not None else ""
        says_when = word in _SAYS_WHEN or any(c.isdigit() for c in word)
        is_a_label = _A_LABEL.match(text, end) is not None and opens_a_sentence(text, start)
        is_a_cell = _A_HEADER_BEFORE.search(text, max(0, start - 2), start) is not None
        is_a_cell = is_a_cell and _A_CELL_ENDS.match(text, end) is not None
        says_when = says_when or is_a_label or is_a_cell
        if not says_when or _A_NAME_NEXT.match(text, end):
            return match.group(0)
    return re.sub(r"([A-Z][a-z]+)\.?", lambda m: _DAYS[m.group(1)[:3].lower()], match.group(0))


def say_day_ranges(text: str) -> str:
    """``text`` with each range of days or months written with a dash ("Mon–Fri", "Monday -
    Friday", "Jan-Mar") read with "to" and the names in full: "Monday to Friday"; and days
    written short where they are days (:func:`_said_days`) in full."""
    text = _DAY_RANGE.sub(
        lambda m: f"{_DAYS[m['low'][:3].lower()]} to {_DAYS[m['high'][:3].lower()]}", text
    )
    return _SHORT_DAYS.sub(_said_days, text)
