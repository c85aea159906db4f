"""What a speech engine would misread, written so that it reads it as a caller needs it: numbers,
ranges, rates, the path to a menu item and text written as code. Phone numbers, numbers to text,
short numbers to call and keypad codes are read in
:mod:`~knowledge_service.answers.speech_numbers`, reference codes in
:mod:`~knowledge_service.answers.speech_codes`, ranges, times and days in
:mod:`~knowledge_service.answers.speech_ranges`.

A rate written with a slash after an amount ("$12/user/month", "5c/kWh") is read "per":
"$12 per user per month"; so is one after an amount and its unit, when what follows the slash
is a unit of time, of people or of a quantity ("10 kWh/day", "2 GB/month": "10 kWh per day").
A unit a speech engine knows ("60km/h", "60 km/h") and other slashes ("and/or") stay.

"24/7" (or "24x7") is read "24 hours a day, 7 days a week", not "twenty-four slash seven", and
a phone number before it is still read as one ("1 3, 2 2, 5 5, 24 hours a day, ..."); in a
name ("VetLine 24/7", after a brand's name or a capitalised word that does not open its
sentence) it is "24 7", as it is said ("twenty-four seven").

A path through an app's menus ("Account > Billing preferences > Bill frequency") is read "then"
where it is written ">" (or "›", "→", "»", "->"), which a speech engine reads "greater than":
"Account, then Billing preferences, then Bill frequency". A comparison ("a balance > $20")
stays as written: a menu item's name starts with a capital letter. A condition's comparison
stays as written too ("If x > Y then ...", "if the total > Limit", not "If x, then Y then
..."): the words before its arrow start with "if", "when", "unless", ... and name nothing
with a capital, or go on to "then" ("If Usage > Limit then ...").

Text written as code (a Markdown code span or block, in a link's text too) is literal: no
range, rate or menu path is read in it. A code of digits, or of digits and capital letters, in
groups or of at least 4 digits, is read character by character in its groups ("`2-5`" is "2,
5", not "2 to 5"; "`INV-00123`" is "I N V, 0 0 1 2 3"; "`10`" is "10"); other code is read as
written ("`Account > Billing`", "`$12/month`"), but for a phone number in it, read as a phone
number.
The words around code are read as if it were any other word ("text `STOP` to 12345").

"n/a" (or "N/A") is read "not applicable", not "N slash A".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge_service.answers.speech_codes import is_code
from knowledge_service.answers.speech_numbers import (
    character_by_character,
    said_keys,
    say_phone_numbers,
)
from knowledge_service.answers.speech_sentences import LOOK_BACK, WORD_BEFORE, opens_a_sentence

_MENU_STEP = re.compile(
    "(?<=[\\w)'\"\u2019\u201d])[ \u00a0]*(?:->|[>\u203a\u2192\u00bb])[ \u00a0]*"
    "(?=['\"\u2018\u201c]?[A-Z])"
)


_CLAUSE_MARKS = ',;:.!?()[]{}"\u201c\u201d\u2018*_>\u203a\u2192\u00bb'
"""What ends the words before an arrow: the start of its clause, or the path's last step."""
_OPENS_A_CONDITION = frozenset(
    {"if", "when", "whenever", "unless", "where", "while", "whether", "once"}
)
_THEN_IN_CLAUSE = re.compile(r"[^,;:.!?()>\u203a\u2192\u00bb]*?\bthen\b", re.IGNORECASE)


def _follows_a_menu_item(text: str, arrow: re.Match[str]) -> bool:
    """Whether the arrow ``arrow`` is a step of a path, not a condition's comparison: "If x >
    Y", "if the total > Limit" (the words before the arrow, back to the clause's start and at
    most four, open with "if", "when", ... and name nothing with a capital letter), or "If
    Usage > Limit then ..." (one that goes on to "then" in the same clause)."""
    before = text[max(0, arrow.start() - 200) : arrow.start()].rstrip(" \u00a0")  # a few words
    if before.endswith((")", "'", '"', "\u2019", "\u201d")):
        return True
    start = max(before.rfind(mark) for mark in _CLAUSE_MARKS) + 1
    words = [w.strip("'\u2019") for w in before[start:].split()[-4:]]
    if not any(w.lower() in _OPENS_A_CONDITION for w in words):
        return True
    named = any(w[:1].isupper() and w.lower() not in _OPENS_A_CONDITION for w in words)
    return named and not _THEN_IN_CLAUSE.match(text, arrow.end())


def say_menu_paths(text: str) -> str:
    """``text`` with each step of a path through menus ("Account > People") read "then"; a
    comparison ("If x > Y then ...") as written."""
    return _MENU_STEP.sub(
        lambda m: ", then " if _follows_a_menu_item(text, m) else m.group(0), text
    )


_PER = (
    r"(?:day|week|month|year|yr|hour|hr|minute|min|night|user|person|seat|kWh|kW|MWh|GB|MB|TB"
    r"|km|kg|litre|liter)s?"
)
_RATE = re.compile(
    r"(?<![\w/])(?P<amount>[$\u20ac\u00a3]?\d[\d,]*(?:\.\d+)?(?:c|\u00a2|p)?)"
    rf"(?P<units>(?:/[A-Za-z]+)+|[ \u00a0]?[A-Za-z]+(?:/{_PER})+)\b(?!/)"
)


def say_rates(text: str) -> str:
    """``text`` with each rate written with a slash after an amount, or after an amount and
    its unit ("10 kWh/day", "2 GB/month"), read "per"."""
    return _RATE.sub(lambda m: m.group("amount") + m.group("units").replace("/", " per "), text)


_AROUND_THE_CLOCK = re.compile(
    r"(?<![\w.,/:\-\u2013])24[ \u00a0]?[/x\u00d7][ \u00a0]?7(?P<year>/365)?(?![\w/%\u00b0]|[.,:]\d)"
)


_CAMEL_CASE = re.compile(r"[A-Z]?[a-z]+[A-Z]\w*")  # "VetLine", "myGov": a brand's name


def _ends_a_name(text: str, at: int) -> bool:
    """Whether the word before ``at`` is a name's: a brand's ("VetLine 24/7"), or a word with a
    capital letter that does not open its sentence ("our Healthline 24/7")."""
    before = WORD_BEFORE.search(text, max(0, at - LOOK_BACK), at)
    if before is None:
        return False
    word = before["word"]
    if _CAMEL_CASE.fullmatch(word):
        return True
    return word[0].isupper() and not word.isupper() and not opens_a_sentence(text, before.start())


def say_around_the_clock(text: str) -> str:
    """``text`` with "24/7" (or "24x7", "24/7/365") read as what it means: "24 hours a day, 7
    days a week" (", 365 days a year"), not "twenty-four slash seven"; in a name ("VetLine
    24/7 lets you chat") "24 7", as it is said ("twenty-four seven")."""

    def said(match: re.Match[str]) -> str:
        if _ends_a_name(text, match.start()):
            return "24 7" + (" 365" if match["year"] else "")
        return "24 hours a day, 7 days a week" + (", 365 days a year" if match["year"] else "")

    return _AROUND_THE_CLOCK.sub(said, text)


_LITERAL = "\ue002", "\ue003"
"""Around text written as code, which the rules here leave as written: "`2-5`" is no range."""
_LITERAL_PART = re.compile("(\ue002[^\ue003]*\ue003)")
_STANDING_IN = re.compile("\ue002([\ue010-\ue01f]+)\ue003")
_A_CODE = re.compile(r"[A-Za-z0-9]+(?:[ \u00a0\-][A-Za-z0-9]+)*")


def say_literally(code: str) -> str:
    """Text written as code (a Markdown code span, ``2-5``, ``INV-00123``, ``STOP``): keys of
    a phone's keypad (``*123*1#``) key by key, "star 1 2 3 star 1 hash"; a code of digits, or
    of digits and capital letters, in groups or as a reference code is
    (:func:`~knowledge_service.answers.speech_codes.is_code`), read character by character in
    its groups (``2-5`` is "2, 5", ``1800 274 368`` "1 8 0 0, 2 7 4, 3 6 8", ``10`` "10"),
    other text as written but for a phone number in it; marked, so that
    :func:`say_outside_literals` reads no range, rate or menu path in it."""
    keys = said_keys(code.strip())  # "`*123*1#`": keys of a phone's keypad
    if keys is not None:
        return _LITERAL[0] + keys + _LITERAL[1]
    groups = re.split(r"[ \u00a0\-]+", code)
    is_a_code = _A_CODE.fullmatch(code) is not None and (len(groups) > 1 or is_code(code))
    if is_a_code and all(g.isupper() or any(c.isdigit() for c in g) for g in groups):
        code = character_by_character(code)
    else:
        code = say_phone_numbers(code)  # "call 1800 123 456" written as code
    return _LITERAL[0] + code + _LITERAL[1]


def say_outside_literals(line: str, say: Callable[[str], str]) -> str:
    """``line`` through ``say``, text written as code (:func:`say_literally`) left out of it:
    each code stands in as one mark of no letter, digit or space, so that the words around it
    keep their sense ("text `STOP` to 12345"), and is put back as it was said, unmarked."""
    literals: list[str] = []

    def stand_in(match: re.Match[str]) -> str:
        literals.append(match.group(0)[1:-1])
        number = "".join(chr(0xE010 + int(digit, 16)) for digit in f"{len(literals) - 1:x}")
        return _LITERAL[0] + number + _LITERAL[1]

    def put_back(match: re.Match[str]) -> str:
        return literals[int("".join(f"{ord(c) - 0xE010:x}" for c in match.group(1)), 16)]

    said = say(_LITERAL_PART.sub(stand_in, line))
    return _STANDING_IN.sub(put_back, said)


_NOT_APPLICABLE = re.compile(r"(?<![\w/])[Nn]/[Aa](?![\w/])")


def say_not_applicable(text: str) -> str:
    """``text`` with "n/a" (or "N/A") read as what it means, "not applicable", not "N slash A"
    or "N A"."""
    return _NOT_APPLICABLE.sub("not applicable", text)
