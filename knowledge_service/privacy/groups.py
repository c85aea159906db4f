"""Runs of digits as written: split by separators or symbols, percent-encoded, led by a
country code, a card's groups."""

from __future__ import annotations

import re
from urllib.parse import unquote

from knowledge_service.privacy.numbers import _phone_shaped

# A run of digits in which separators may stand between digits, optionally led by "+" or "(",
# or by a country code joined with a "+" ("1+800 555 1234", "44+4111 1111 ...": the country
# code goes with the number, where "1+" was left in front of its placeholder):
# up to three of space, dash, dot, underscore, brackets and slash ("0412 - 345 - 678",
# "4111_1111_1111_1111", "0412   345   678"), or a comma with no space after it
# ("4111,1111,1111,1111"; "rooms 12, 13, 14" is a list). A letter closing the run belongs to it
# (a Centrelink reference, "412 345 678A"): it goes with the number if the number goes.
# A run never starts inside a percent-encoded separator ("%20 0412 345 678" read "20 0412 345
# 678", a [NUMBER] after a stray "%"); after a "%" that encodes none ("100%0412345678", "%04"
# is no separator) the "%" is a literal percent sign and the digits are the number's.
_IN_ENCODED_SEPARATOR = r"(?<=%)(?:25)*(?:[23][0-9A-Fa-f]|40|5[B-Fb-f]|60|7[B-Eb-e]|0[9ADad])"
# An "x" written straight before the digits ("x4111111111111111", "ph x0412345678") is how
# people mark a number or its tail: the run is read without it, and goes with it. An "O"
# there is a zero typed as the letter ("call me on O412 345 678", "O2 9876 5432" was stored
# whole): the run is read with a "0" in its place, and the letter goes with it ("O2 network"
# keeps it: "02" is no number).
_DIGITS = re.compile(
    rf"(?:(?P<x>(?<![A-Za-z0-9])[xXoO](?=\d))|(?<![A-Za-z0-9])(?!{_IN_ENCODED_SEPARATOR}))"
    r"(?:[+(]|\d{1,3}\+ ?\(?)?\d(?:(?:[ \-.()/_]{0,3}|,)\d)*"
    r"(?P<letter>[A-Za-z](?![A-Za-z0-9]))?"
)
_COUNTRY_CODE = re.compile(r"\d{1,3}\+ ?")
# Other letters typed for digits inside a number: an "l" or an "I" for a one, an "o" or an "O"
# for a zero, anywhere in its groups ("call me on 04l2 345 678", "0412 34O 678", "1300 I23 456"
# were kept: the letter split the run into short numbers). A run of groups, each with a digit,
# in which one or two such letters stand (:func:`_letters_as_digits`) is read with them as
# digits, and goes only when it is then a phone or a card number: a product's or a model's
# code ("model 10l2", "part 1O0-2345-678": no phone's shape) and words stay.
_WITH_LETTERS_FOR_DIGITS = re.compile(
    r"(?<![A-Za-z0-9])[+(]?(?=[\dlIoO]*\d)[\dlIoO]+"
    r"(?:[ \-.()/_]{1,3}(?=[\dlIoO]*\d)[\dlIoO]+)*(?![A-Za-z0-9])"
)
_LETTERS_FOR_DIGITS = str.maketrans("lIoO", "1100")
MAX_LETTERS_FOR_DIGITS = 2
"""How many letters typed for digits one number may hold: a slip or two, not a word."""


def _letters_as_digits(value: str) -> str | None:
    """``value`` with the letters typed for its digits read as digits, or None when it has no
    such letter or more than :data:`MAX_LETTERS_FOR_DIGITS`."""
    letters = sum(c in "lIoO" for c in value)
    if not 0 < letters <= MAX_LETTERS_FOR_DIGITS:
        return None
    return value.translate(_LETTERS_FOR_DIGITS)


# A character percent-encoded once or more ("%20"; "%2520" once a query string encoded twice is
# decoded once: "%", then "25" for each encoding).
_PCT = "%(?:25)*"
# A space, a tab or a line break, a no-break, narrow or thin space, and a dash or a minus sign,
# percent-encoded (UTF-8, as a form sends them): "4111%C2%A01111...", "0412%E2%80%93345...".
_ENCODED_SPACE = rf"{_PCT}(?:20|0[9ad]|c2{_PCT}a0|e2{_PCT}80{_PCT}(?:8[0-9a]|af))"
_ENCODED_DASH = rf"{_PCT}(?:2d|e2{_PCT}80{_PCT}9[0-5]|e2{_PCT}88{_PCT}92)"
# A "+" or an opening bracket percent-encoded in front of a number ("%2B61%20412...",
# "tel%3A%2B61412345678"): the number's own, so it goes with it (:func:`_number_lead`).
_ENCODED_LEAD = rf"{_PCT}2[8b]"
# A card number in groups split by a symbol the digit rules do not take as a separator (all
# but the dash, dot, comma, slash and brackets), the same one between each and perhaps a space
# either side ("4111+1111+1111+1111", "4111|1111|1111|1111", "4111 ~ 1111 ~ ..."), or by a
# separator percent-encoded once or more, as a form sends it or as a query string encoded
# twice reads once decoded ("4111%201111%20...", "4111%25201111%2520...", as an address's "@"
# in _PERCENT_EMAIL). An encoded separator before the card ("number%204111...") is kept: its
# digits are not the card's; a "+" (typed or encoded) or a country code joined by one before
# it is the number's. A phone, tax file or Medicare number so split ("0412|345|678",
# "+61%20412%20345%20678") goes as it would typed; fewer digits than a card's that are none of
# those stay ("years 2023|2024|2025").
_ENCODED_SEPARATOR = (
    rf"{_PCT}(?:2[0-9a-f]|3[a-f]|40|5[b-f]|60|7[b-e])|{_ENCODED_SPACE}|{_ENCODED_DASH}"
)
_PLUS = rf"(?:\+|{_PCT}2b)"
# A country code before a number: "+1 " or "+1%20", "1+", or a "+" alone.
_NUMBER_PREFIX = rf"(?:{_PLUS}\d{{1,3}}(?:{_ENCODED_SPACE}| )|{_PLUS}?(?P<code>\d{{1,3}}{_PLUS})?)"
# Digits after the groups joined by another separator, encoded or one the digit rules take,
# are the same number's ("1+4111%201111%201111%25201111" once left "%[NUMBER]" after its
# card, "1+4111%201111%201111 1111" a "1111").
_ENCODED_TAIL = rf"(?P<tail>(?:(?:{_ENCODED_SEPARATOR}|[ \-.()/_]){{1,3}}\d+)*)"
# (A "%" that starts an encoded separator is that separator, never a symbol of its own:
# "0001%200001%090001" is one number with two encoded separators, not groups "200001" and
# "090001" split by "%".)
_SYMBOL_SEPARATOR = rf"(?P<sep> ?(?:{_ENCODED_SEPARATOR}|(?!{_ENCODED_SEPARATOR})[^\w\s\-.,/()]) ?)"
_CARD_IN_GROUPS = re.compile(
    rf"(?:(?P<lead>{_ENCODED_SEPARATOR})|(?<!\w))"
    rf"(?P<card>{_NUMBER_PREFIX}\d{{4}}{_SYMBOL_SEPARATOR}\d{{3,6}}"
    rf"(?:(?P=sep)\d{{3,6}}){{1,4}}){_ENCODED_TAIL}(?!\w)",
    re.IGNORECASE,
)
# After it, the same for any number so split: a phone, tax file or Medicare number
# ("0412|345|678", "02|9876|5432") goes as it would typed. Numbers joined by "+" are a sum
# ("100+200+3000") unless the number is a phone's: led by "+", a trunk "0" or a country code
# ("0412+345+678", "1+800+555+1234").
_NUMBER_IN_GROUPS = re.compile(
    rf"(?:(?P<lead>{_ENCODED_SEPARATOR})|(?<!\w))"
    rf"(?P<card>{_NUMBER_PREFIX}\d{{2,4}}{_SYMBOL_SEPARATOR}\d{{3,6}}"
    rf"(?:(?P=sep)\d{{3,6}}){{1,6}}){_ENCODED_TAIL}(?![\w(]|[\-.,/)]\d)",
    re.IGNORECASE,
)

# First, a run of digit groups a bare "%" splits, with a card's digits when each "%" is a typed
# symbol. The rules above read a "%" and two digits as a separator encoded, and may read its
# groups as a card or another number split so ("0001%200001%090001" is one number with two
# encoded separators, "3782%252463%25005" a card split by an encoded "%") or find some groups
# but not all ("9525%2559%4461%0929" read "9525", an encoded "%", then "59|4461|0929", a phone
# number, and kept "9525%25"; "0000%2000%2100%0001" read "0000", "%20", "00", "%21", ... and
# kept its middle groups). The run is read alone by those rules, with the digit groups the
# digit rules would join to it ("0000 0001%200001%200001" is one card, "... 0929 123" a card and
# its code): if any of its digits are left, each "%" is a typed symbol and all it is a card;
# else it goes as they read it where it stands.
_JOINED_GROUP = r"(?:[ \-.()/_]{1,3}|,)"
_CARD_IN_PERCENT_GROUPS = re.compile(
    rf"(?<![\w%])(?:\d{{1,6}}{_JOINED_GROUP}){{0,3}}"
    r"(?P<run>\d{4}(?P<sep> ?% ?)\d{3,6}(?:(?P=sep)\d{3,6}){1,4})"
    rf"(?:{_JOINED_GROUP}\d{{1,6}}){{0,3}}(?![\w%])"
)


# A number whose groups are split by a separator the digit rules take (a space, dash, dot,
# slash, underscore, bracket or comma) percent-encoded once or more, perhaps beside separators
# typed as they are, and perhaps led by a country code and a plus ("1%2B800%20555..."): a
# phone number in a query string encoded twice reads "0412%20345%20678" once decoded, and one
# half encoded "0412%20345 678" (which left "0412%" in front of its placeholder). Read as
# decoded, it gets the placeholder it would typed ("2026%2D05%2D01" is a date, and stays).
_ENCODED_DIGIT_SEPARATOR = (
    rf"{_PCT}(?:2[89c-f]|5f)|{_ENCODED_SPACE}|{_ENCODED_DASH}|[ \-.()/_]|,(?=\d)"
)
# The lead is read whole (atomic): "%2520" is a space encoded twice, never "%25" and digits
# "20" ("%2520 0412 345 678" was stored "%25[NUMBER]").
_ENCODED_NUMBER = re.compile(
    rf"(?:(?P<lead>(?>{_ENCODED_SEPARATOR}))|(?<![A-Za-z0-9%]))"
    rf"(?P<number>(?:[+(]|{_ENCODED_LEAD})?(?:\d{{1,3}}{_PLUS})?+"
    rf"\d++(?:(?:{_ENCODED_DIGIT_SEPARATOR}){{1,3}}+\d++)*+)"
    r"(?P<letter>[A-Za-z](?![A-Za-z0-9]))?",
    re.IGNORECASE,
)


def _led_by_code(match: re.Match[str], digits: str) -> bool:
    """Whether numbers in groups are led by a country code joined with a "+" ("1+800 555 ...",
    "44|20|7946|0958" after "44+"): when "+" also joins the groups, only if what follows the
    code is a phone number's digits ("1+800+555+1234"; "857+347+967+532+8486" is a sum)."""
    code = match.group("code")
    if code is None:
        return False
    if _percent_decoded(match.group("sep")).strip() != "+":
        return True
    rest = digits[sum(c.isdigit() for c in code) :]
    return 8 <= len(rest) <= 12 and _phone_shaped("", rest)


def _number_lead(lead: str) -> bool:
    """Whether an encoded separator before a number is its own: a "+" or an opening bracket
    ("%2B61%20412...", "%2802%29%209876..."), which goes with it."""
    return lead != "" and _percent_decoded(lead) in ("+", "(")


def _percent_decoded(text: str) -> str:
    """``text`` percent-decoded as often as it was encoded."""
    while "%" in text and (decoded := unquote(text)) != text:
        text = decoded
    return text
