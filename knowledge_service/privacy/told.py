"""Values given with their words: a date of birth, an account or other identifier, a card's
tail, security code and expiry."""

from __future__ import annotations

import re
from datetime import date

from knowledge_service.privacy.names import _BIRTH, _NUMBER_WORD
from knowledge_service.privacy.text import Placeholder, Span, _word_list

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:'\d{2}|\d{2,4})"  # "1985", "85", "'85"
# A month named between a day and a year is set off by spaces or, as forms write it, a dash, a
# slash or a dot ("14-Mar-1985", "Mar-14-1985"); a year first may be split by any of those
# ("1985/03/14", "1985.03.14") or written as East Asian dates are ("1985年3月14日").
_NAMED_MONTH_SEP = r"(?:,?\s+|\s*[/.\-]\s*)"
_DATE = (
    r"(?:\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|\d{8}"  # run together: 19850403
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of\s+|{_NAMED_MONTH_SEP}){_MONTH}\.?{_NAMED_MONTH_SEP}{_YEAR}"
    rf"|{_MONTH}\.?(?:\s+the\s+|{_NAMED_MONTH_SEP})\d{{1,2}}(?:st|nd|rd|th)?{_NAMED_MONTH_SEP}{_YEAR}"
    rf"|{_MONTH}\.?\s+\d{{4}}"
    r"|(?:19|20)\d{2})"
)
# "born on the 3rd of April 1985", "date of birth is the 3rd of april, 1985": the article stays,
# and so do quotes, brackets and asterisks around the date ("born on '16/12/86'", "DOB:
# (14/08/1972)", "dob *1989-10-03*"); a day's name before it goes with it ("DOB: Tuesday 14 July
# 1936"). Each optional part starts with a sign or a word, so a run of spaces has one place.
_WEEKDAY = (
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
)
_BIRTH_DATE = re.compile(
    rf"\b{_BIRTH}\s*(?:(?:is|was|[:=\-])\s*)?(?:the\s+)?(?:[(\[<{{\"'*_]{{1,3}}\s*)?"
    rf"(?P<value>(?:{_WEEKDAY}\b\.?,?\s+(?:the\s+)?)?{_DATE})(?![\d/])",
    re.IGNORECASE,
)
# A payment card's security code (CVV, CVC, CVN, CSC: PCI DSS forbids keeping it at all) and its
# expiry, given with the words that name them ("cvv 123", "security code is 1234", "the 3 digits
# on the back are 123", "expiry 12/28", "valid thru 01/2029"), whether or not the card number
# was given too. The words stay in what is stored, the value goes; without them 3 or 4 digits
# or "12/28" are an amount, a count or a date and are kept. ("card" is left out of the lead-ins:
# "my card security code is ..." is searched as "my card ...".)
_CARD_CODE_LEAD_IN = (
    r"\b(?:(?:cvv|cvc|cvn|csc)2?(?:\s*/\s*(?:cvv|cvc|cvn|csc)2?)?(?:\s*(?:code|number|no\b\.?|\#))?"
    r"|security\s+code|(?:verification|validation)\s+(?:code|number|value)"
    r"|(?:the\s+)?(?:3|4|three|four)[\s\-]+digits?\s+(?:(?:code|number)\s+)?on\s+the\s+back"
    r"(?:\s+of\s+(?:the|my|your|our)\s+card)?)"
    r"\s*(?:(?:is|are|was|were|of)\b\s*)?[:#=\-]?\s*"
)
_CARD_CODE = re.compile(
    rf"{_CARD_CODE_LEAD_IN}(?P<value>\d{{3,4}})(?!\d|[/.,\-]\d)",
    re.IGNORECASE,
)
_CARD_EXPIRY_LEAD_IN = (
    r"\b(?:(?:exp(?:iry|iration)?(?![a-z])\.?(?:\s+date)?|expires?|expiring|expired)"
    r"|(?:valid|good)\s+(?:thru|through))"
    r"\s*(?:(?:is|was|on|of)\b\s*)?[:=\-]?\s*"
)
# A month (1 to 12) and a year: MM/YY, MM/YYYY, MM-YY, M/YY, or MMYY and MMYYYY run together.
_CARD_EXPIRY = re.compile(
    rf"{_CARD_EXPIRY_LEAD_IN}"
    r"(?P<value>(?:0?[1-9]|1[0-2])\s?[/\-]\s?(?:20)?\d{2}|(?:0[1-9]|1[0-2])(?:20)?\d{2})"
    r"(?!\d|[/.\-]\d)",
    re.IGNORECASE,
)
_ACCOUNT_WORDS = (
    r"account|acct|acc|a/c|customer|client|member(?:ship)?|reference|ref|policy|invoice|nmi|mirn"
    r"|meter|crn"
)
_ID_WORDS = (
    r"concession(?:\s+card)?|pension(?:er)?(?:\s+concession)?(?:\s+card)?|health\s*care\s+card"
    r"|(?:driver'?s\s+)?licen[cs]e|passport"
)
_NAMES_MORE_THAN_A_NUMBER = frozenset(_word_list("customer client member membership meter"))
_IDENTIFIER = re.compile(
    rf"\b(?:(?P<account>{_ACCOUNT_WORDS})|{_ID_WORDS})\b"
    rf"(?P<said>\s*{_NUMBER_WORD})?\s*(?:(?P<is>is|was|[:#=\-])\s*)?"
    # a card code given with its words ("account cvc2 000") is the code's, not an account's
    rf"(?!{_CARD_CODE.pattern.replace('?P<value>', '')})"
    r"(?P<value>(?=[A-Za-z0-9/\-]*\d)[A-Za-z0-9][A-Za-z0-9/\-]*(?:[ \-.()]{1,2}\d+[A-Za-z]?\b)*)",
    re.IGNORECASE,
)

# A card's or an account's tail, as people write it: masked ("xxxx4111", "XXXX-XXXX-XXXX-4111",
# "**** 4111"), or after the words that say it is one ("card ending 4111", "visa ending in
# x4111", "account ends with 6789", "last 4 digits of my card are 4111"). The digits go, the
# words stay ("my card ending [CARD] was declined" still asks about a declined card); "the year
# ending 2026" is no card. Up to 4 groups of masking characters, each set off from the next by
# one space or dash: a group is never split in two, so a long run of "X"s is read once (it was
# tried in every split into 4, time in the 4th power of its length: 240 "X"s and a digit held a
# lookup or a rating for 15 s, a 2,000-character comment for hours).
_MASKED_TAIL = re.compile(
    r"(?<![A-Za-z0-9*#])[xX*#]{2,}(?:[ \-][xX*#]{2,}){0,3}[ \-]?(?P<value>\d{2,6})\b"
)
_TAIL_WORDS = (
    r"\b(?:(?P<card>card|visa|master\s*card|amex|debit|credit)|account|acct|a/c)\b"
    r"[^.?!\n\d]{0,24}?"
    r"(?:\b(?:ending|ends|ended)(?:\s+(?:in|with))?|\blast\s+(?:4|four)(?:\s+digits)?"
    r"(?:\s+(?:are|is|were|was))?)"
)
_TOLD_TAIL = re.compile(
    rf"{_TAIL_WORDS}\s*(?:[:#=\-]\s*)?(?P<value>(?:[xX*#.•]+\s*)?\d{{3,6}})\b", re.IGNORECASE
)
_LAST_FOUR_OF_CARD = re.compile(
    r"\blast\s+(?:4|four)(?:\s+digits)?\s+(?:of|on)\s+(?:the|my|our|your|his|her)\s+"
    r"(?P<card>card|visa|master\s*card|amex|debit\s+card|credit\s+card)\s*(?:(?:are|is|were|was)\s*)?"
    r"(?:[:#=\-]\s*)?(?P<value>(?:[xX*#.•]+\s*)?\d{3,6})\b",
    re.IGNORECASE,
)


def _tails(text: str) -> list[Span]:
    """Where ``text`` gives a card's or an account's tail (see above)."""
    spans: list[Span] = [
        (m.start(), m.end(), Placeholder.CARD) for m in _MASKED_TAIL.finditer(text)
    ]
    for pattern in (_TOLD_TAIL, _LAST_FOUR_OF_CARD):
        for match in pattern.finditer(text):
            kind = Placeholder.CARD if match.group("card") else Placeholder.ACCOUNT
            spans.append((match.start("value"), match.end("value"), kind))
    return spans


# A calendar date written with separators, year first or last: "2026-05-01", "01/05/2026",
# "1.5.26". Straight after an account's, a reference's or an invoice's word ("booking ref
# 2026-05-01", "invoice 01/05/2026") it says which day's, and is kept as the digit rules keep
# dates; given as the value ("reference number 2026-05-01", "my booking ref is 2026-05-01",
# "ref: ...", "ref # ...") it is the reference, whatever its shape. A date run together ("ref
# 20260501"), not a real day ("invoice 31/02/2026") or with more after it ("ref
# 2026-05-01-0042") is a reference too.
_SEPARATED_DATE = re.compile(
    r"(?P<y1>\d{4})(?P<s>[\-/.])(?P<m1>\d{1,2})(?P=s)(?P<d1>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<t>[\-/.])(?P<b>\d{1,2})(?P=t)(?P<y2>\d{4}|\d{2})"
)


def _is_date(value: str) -> bool:
    """Whether ``value`` is a day of the calendar written with separators (day or month
    first when the year is last: either reading that is a real day counts)."""
    match = _SEPARATED_DATE.fullmatch(value)
    if match is None:
        return False
    if match.group("y1"):
        readings = [(match.group("y1"), match.group("m1"), match.group("d1"))]
    else:
        year = match.group("y2")
        year = f"20{year}" if len(year) == 2 else year  # "1.5.26": a leap year read as 2026's
        a, b = match.group("a"), match.group("b")
        readings = [(year, b, a), (year, a, b)]
    for y, m, d in readings:
        try:
            date(int(y), int(m), int(d))
        except ValueError:
            continue
        return True
    return False


def _numbers_told(text: str) -> list[Span]:
    """Where ``text`` gives a date of birth, an account, customer or card number, or a card's
    security code or expiry after the words that say so, as (start, end, placeholder)."""
    spans: list[Span] = _tails(text)
    for pattern, kind in (
        (_CARD_CODE, Placeholder.CARD_CODE),
        (_CARD_EXPIRY, Placeholder.CARD_EXPIRY),
    ):
        for match in pattern.finditer(text):
            spans.append((match.start("value"), match.end("value"), kind))
    for match in _BIRTH_DATE.finditer(text):
        spans.append((match.start("value"), match.end("value"), Placeholder.DOB))
    for match in _IDENTIFIER.finditer(text):
        value = match.group("value")
        digits = sum(c.isdigit() for c in value)
        # "customer 0412 345 678 says no" is a phone number: a word that names a person or a
        # thing as well as a number needs "number", "no", "#" or "is" before the value
        bare = not (match.group("said") or match.group("is"))
        if bare and (match.group("account") or "").lower() in _NAMES_MORE_THAN_A_NUMBER:
            continue
        if bare and _is_date(value):
            continue  # "invoice 2026-05-01": the invoice of that day
        if digits >= 4 or (digits >= 3 and len(value) >= 5):
            kind = Placeholder.ACCOUNT if match.group("account") else Placeholder.ID
            spans.append((match.start("value"), match.end("value"), kind))
    return spans


MIN_SPOKEN_NUMBER = 6
"""Digits read out in a run this long or longer go, however many: a number read out digit by
digit ("my account is four five six seven one two") is an identifier, where six digits typed
may be an amount or a count. Counting stays ("one or two", "three to five days": no run; "one,
two, three, four, five, six": each digit one more than the last)."""


def _counting(digits: str) -> bool:
    """Whether digits read out are counting: "one, two, three, four, five, six" (each one more
    than the last)."""
    return digits in "0123456789"


def _spoken_number(before: str, digits: str) -> Placeholder:
    """The placeholder for a run of six or seven digits read out after ``before``: what the
    same digits written there would be (``[ACCOUNT]`` after "account number is", ``[ID]`` after
    "licence"), else ``[NUMBER]``."""
    told = before + digits
    for start, end, kind in _numbers_told(told):
        if end == len(told) and start <= len(before):
            return kind
    return Placeholder.NUMBER
