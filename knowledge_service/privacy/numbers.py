"""What a run of digits is: a card, a phone, tax file, Medicare or other number, or a date,
an amount or a count that identifies nobody; digits read out in words."""

from __future__ import annotations

import re

from stdnum.au import tfn as stdnum_tfn

from knowledge_service.privacy.text import Placeholder

# An amount written with thousands separators ("12,345,678", "1,234,567.89"): a number, not an
# identifier, however many digits it has, unless a phone's words come before it ("call me on
# 412,345,678", "text 1,300,123,456": a phone number typed with commas) and no currency or cents
# make it an amount. An amount never starts with "0" ("0,412,345,678" is a phone number).
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?P<cents>\.\d+)?")
# Digits read out, as voice transcripts write them: "four one one one, one one one one, ...",
# "zero four one two three four five six seven eight", "oh four double one ...". A run of three
# or more digit words split by spaces, commas or hyphens is read as its digits and goes as they
# would ("one or two questions" is no run; digits typed beside it are read by the digit rules).
_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "nil": "0", "one": "1", "two": "2",
    "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_DIGIT_WORD = "(?:" + "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True)) + r")\b"
_SPOKEN_TOKEN = rf"(?:(?:double|triple)[\s\-]+{_DIGIT_WORD}|{_DIGIT_WORD})"
_SPOKEN_DIGITS = re.compile(
    rf"(?<![\w\-]){_SPOKEN_TOKEN}(?:(?:\s*[,\-]\s*|\s+){_SPOKEN_TOKEN}){{2,}}", re.IGNORECASE
)
_SPOKEN_PART = re.compile(rf"(?:(?P<times>double|triple)[\s\-]+)?(?P<word>{_DIGIT_WORD})")


def spoken_digits(text: str) -> str:
    """The digits a run of digit words says: "double four one" is "441"."""
    out = []
    for part in _SPOKEN_PART.finditer(text.lower()):
        times = {"double": 2, "triple": 3}.get(part.group("times") or "", 1)
        out.append(_DIGIT_WORDS[part.group("word")] * times)
    return "".join(out)


# A phone number's extension ("x232", "ext. 12", "ext x4111", ", x4111") goes with it.
_EXTENSION = re.compile(
    r"\[PHONE\][,;]?\s*(?:(?:ext\b\.?|extension)\s*(?:[x#]\s*)?|x\s*)\d{1,6}\b", re.IGNORECASE
)
_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHORT_DATE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")
# A range of dates, "01/01/2026-31/03/2026", "2026-01-01 - 2026-03-31": a billing period, not
# an identifier (a date of birth is found by its words: :data:`_BIRTH_DATE`).
_DAY_OR_MONTH = r"(?:0?[1-9]|[12]\d|3[01])"
_RANGE_DATE = (
    rf"(?:{_DAY_OR_MONTH}[/.\-]{_DAY_OR_MONTH}[/.\-](?:(?:19|20)\d{{2}}|\d{{2}})"
    r"|(?:19|20)\d{2}[/.\-](?:0?[1-9]|1[0-2])[/.\-]" + rf"{_DAY_OR_MONTH})"
)
_DATE_RANGE = re.compile(rf"{_RANGE_DATE}\s*-\s*{_RANGE_DATE}")
# Numbers of five to seven digits split by slashes, "readings 12345 / 23456 / 34567": a list of
# readings or amounts, each of which would be kept on its own, when the slashes have spaces
# around them or there are three or more. None starts with "0", as an area code does
# ("030/1234567"), and none has four digits, as a card's groups do ("4111 / 1111 / ...").
_SLASHED = r"[1-9]\d{4,6}"
_SLASHED_LIST = re.compile(
    rf"{_SLASHED}(?:\s+/\s+{_SLASHED})+|{_SLASHED}(?:\s*/\s*{_SLASHED}){{2,}}"
)
_AFTER_A_VALUE = re.compile(r"\[[A-Z_]+\]\s*/\s*$")
_MEDICARE_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9)


def is_medicare(digits: str) -> bool:
    """An Australian Medicare card number (10 digits, or 11 with the person's number)."""
    if len(digits) not in (10, 11) or digits[0] not in "23456":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], _MEDICARE_WEIGHTS, strict=True))
    return total % 10 == int(digits[8])


# Words before a number that say it is a phone number ("call me on", "my mobile is", "ph:"); the
# placeholder "[PHONE]" is none ("[PHONE] is 12,345,678" is no "phone is"): what may follow a
# phone number taken is :data:`_AFTER_A_PHONE`'s.
_PHONE_LEAD_IN = re.compile(
    r"(?<!\[)\b(?:phone|ph|mobile|mob|cell|tel|telephone|landline|fax|call|ring|text|sms|whatsapp"
    r"|contact|reach|dial)\b[^.!?\n\d]{0,24}$",
    re.IGNORECASE,
)
# What joins a phone number to the next in a list: "or", "and", a comma, a slash, or another
# phone's words ("412,345,678 or 412,345,679", "412,345,678, my home 398,765,432", "0412 345
# 678 / work 398,765,432"). A number so listed after a phone number is a phone number too, as
# one after a phone's words is (a currency or cents still make it an amount: "call me on
# 412,345,678 about the $1,234,567 bill" keeps the amount).
_PHONE_KIND = (
    r"(?:phone|ph|mobile|mob|cell|tel|telephone|landline|fax|whatsapp|home|work|office"
    r"|business|after\s+hours|alt(?:ernative)?|other|backup|direct)"
)
_PHONE_WORD = rf"(?:{_PHONE_KIND}|number|no|num|on|is|at)"
_AFTER_A_PHONE = re.compile(
    r"\[PHONE\](?:[,;]?\s*(?:(?:ext\b\.?|extension)\s*(?:[x#]\s*)?|x\s*)\d{1,6}\b)?"
    r"\s*(?:(?:(?:[,/;&]|\b(?:or|and)\b)\s*)+"
    rf"(?:(?:(?:my|our|his|her|their|the|a|an)\s+)?{_PHONE_KIND}\b\.?:?\s*)?"
    rf"(?:{_PHONE_WORD}\b\.?:?\s*){{0,2}}"
    rf"|{_PHONE_KIND}\b\.?:?\s*(?:{_PHONE_WORD}\b\.?:?\s*){{0,2}})$",
    re.IGNORECASE,
)
_YYYYMMDD = r"(?:19|20)\d{2}[\-./_]?(?:0[1-9]|1[0-2])[\-./_]?(?:0[1-9]|[12]\d|3[01])"
# Runs of eight or more digits that carry a question's meaning and identify nobody: a date
# written run together ("20260115"), a range of years ("2026-2027"), a reference stamped with a
# date ("20261204-0042"), an amount with cents ("1234567.89"), a range of times or amounts
# ("10.30-11.45") and a reading padded with zeros ("00123456").
_NOT_AN_IDENTIFIER = re.compile(
    rf"{_YYYYMMDD}(?:[\-/_.]\d{{1,6}})?"
    r"|(?:19|20)\d{2}\s*[\-/]\s*(?:19|20)\d{2}"
    r"|[1-9]\d*\.\d{2}"
    r"|\d{1,4}[.:]\d{1,2}(?:\s*-\s*\d{1,4}[.:]\d{1,2})+"
    r"|00\d{6}"
)
# A currency's word or code straight after a number: it is an amount ("a bill for 12 345 678
# dollars", "12345678 AUD").
_CURRENCY_AFTER = re.compile(
    r"\s*(?:(?:australian|us|american|new\s+zealand|canadian)\s+)?"
    r"(?:dollars?|bucks|cents?|euros?|pounds?|quid|pence|yen|rupees?|francs?"
    r"|(?-i:AUD|USD|NZD|CAD|GBP|EUR|JPY|INR|CHF)|(?-i:aud|usd|nzd|cad|gbp|eur))\b",
    re.IGNORECASE,
)
# How phone numbers are grouped when written: 4 4 (a local number), 3 3 4 (North America),
# 4 3 3 (an Australian mobile), 2 4 4 (an Australian landline with its area code).
_PHONE_GROUPS = frozenset({(4, 4), (3, 3, 4), (4, 3, 3), (2, 4, 4), (3, 4, 4), (5, 6), (5, 3, 3)})
# A number dialled from abroad: "+" or the international prefix "00", a country code of one to
# three digits set apart by a separator or by the national trunk "0" in brackets ("+44 (0)20
# 7946 0958", "0061 412 345 678"), then groups of up to four digits, at most 15 digits in all
# without the prefix and the "(0)" (E.164's limit). With those it may have 13 digits or more,
# as a card has: it is a phone number still, unless its groups are a card's (all of four).
_INTERNATIONAL_PHONE = re.compile(
    r"(?:\+|00)(?P<code>[1-9]\d{0,2})(?:[ \-.]*\(0\)[ \-.]*|[ \-.]+)"
    r"(?P<rest>\(?\d{1,4}\)?(?:[ \-.]{1,3}\(?\d{1,4}\)?)+)"
)
E164_MAX_DIGITS = 15


def _phone_shaped(text: str, digits: str) -> bool:
    """Whether a run of 8 to 12 digits is written as a phone number is: led by "+" or "(", a
    trunk "0" and 8 to 10 digits (Australia's 02, 03, 04, 07, 08, the UK's 01, 02, 07, ...),
    1300 and 1800 numbers, 61 and nine digits, a North American number (ten digits, area code
    and exchange not starting 0 or 1, or with its 1), an Australian mobile without its 0
    ("412 345 678"), or digits grouped as phone numbers are (:data:`_PHONE_GROUPS`)."""
    n = len(digits)
    if text.startswith(("+", "(")):
        return True
    if digits[0] == "0" and digits[1] != "0" and 9 <= n <= 11:
        return True
    if (n == 10 and digits.startswith(("1300", "1800"))) or (n == 11 and digits.startswith("61")):
        return True
    nanp = digits[1:] if n == 11 and digits[0] == "1" else digits
    if len(nanp) == 10 and nanp[0] in "23456789" and nanp[3] in "23456789":
        return True
    if n == 9 and digits[0] == "4":
        return True
    return tuple(len(g) for g in re.findall(r"\d+", text)) in _PHONE_GROUPS


def _international_phone(text: str) -> bool:
    """Whether ``text`` is a phone number dialled from abroad (:data:`_INTERNATIONAL_PHONE`)."""
    match = _INTERNATIONAL_PHONE.fullmatch(text)
    if match is None:
        return False
    groups = re.findall(r"\d+", match.group("rest"))
    digits = len(match.group("code")) + sum(len(g) for g in groups)
    return digits <= E164_MAX_DIGITS and not all(len(g) == 4 for g in groups)


def classify_number(text: str, before: str = "", after: str = "") -> Placeholder | None:
    """The placeholder for a run of digits as written, or None when it may stay. ``before``
    is the text before it: a phone number's words ("call me on"), or a phone number it is
    listed after ("[PHONE] or ", :data:`_AFTER_A_PHONE`), make any run of eight to twelve
    digits a phone number, a currency sign makes it an amount; ``after`` the text after it: a
    currency's word straight after it ("12 345 678 dollars") makes it an amount too."""
    phone_led = _PHONE_LEAD_IN.search(before) or _AFTER_A_PHONE.search(before)
    digits = re.sub(r"\D", "", text)
    n = len(digits)
    bare = text.strip("()")  # a date or an amount in brackets is one still: "(2026-05-01)"
    if _SSN.fullmatch(bare):
        return Placeholder.SSN
    if n < 8:
        return None
    if _ISO_DATE.fullmatch(bare) or _SHORT_DATE.fullmatch(bare):
        return None
    thousands = _THOUSANDS.fullmatch(bare)
    if thousands and (
        thousands.group("cents")
        or not phone_led
        or before.endswith(("$", "£", "€"))
        or _CURRENCY_AFTER.match(after)
    ):
        return None
    if _DATE_RANGE.fullmatch(bare):
        return None
    # unless a phone's words give it, or it goes on from a value its words gave ("account
    # number 12345 / 23456 / 34567": "[ACCOUNT] / ...")
    listed = not (phone_led or _AFTER_A_VALUE.search(before))
    if listed and _SLASHED_LIST.fullmatch(bare):
        return None
    if n >= 13 and _international_phone(text):
        return Placeholder.PHONE
    if 13 <= n <= 19:
        return Placeholder.CARD
    if n in (8, 9) and stdnum_tfn.is_valid(digits):
        return Placeholder.TFN
    if is_medicare(digits):
        return Placeholder.MEDICARE
    if n > 12:
        return Placeholder.NUMBER
    if phone_led:
        return Placeholder.PHONE
    if before.endswith(("$", "£", "€")):
        return None
    if _CURRENCY_AFTER.match(after) and bare[0] in "123456789":  # an amount has no "0", "+"
        return None
    if _NOT_AN_IDENTIFIER.fullmatch(bare):
        return None
    # Not a phone number's shape (a customer, meter or order number): still no value to keep.
    return Placeholder.PHONE if _phone_shaped(text, digits) else Placeholder.NUMBER


_LIST_SLASH = re.compile(r"(\s*/\s*)")


def _slash_listed(text: str, before: str = "", after: str = "") -> list[str | Placeholder] | None:
    """Numbers a slash lists that the digit rules read as one run of 13 digits or more ("0412
    345 678 / 412,345,679" was one [CARD] of 19): the parts, each number's placeholder and
    each slash as written, when every part has 8 digits or more and a placeholder of its own,
    each read after the one before it (:data:`_AFTER_A_PHONE`: "[PHONE] / 412,345,679" is a
    phone number); else None, and the run goes whole. A card's groups of four are a card's
    ("4111 1111 / 1111 1111")."""
    if all(len(g) == 4 for g in re.findall(r"\d+", text)):
        return None
    parts = _LIST_SLASH.split(text)
    if len(parts) < 3:
        return None
    out: list[str | Placeholder] = []
    for i in range(0, len(parts), 2):
        if sum(c.isdigit() for c in parts[i]) < 8:
            return None
        lead = before if i == 0 else str(out[-2]) + parts[i - 1]
        kind = classify_number(parts[i], lead, "".join(parts[i + 1 :]) + after)
        if kind is None:
            return None
        out += [kind, *parts[i + 1 : i + 2]]
    return out
