"""Placeholders, and text read as its ASCII forms before any rule matches it."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Placeholder(StrEnum):
    """What a redacted value was."""

    CARD = "[CARD]"
    EMAIL = "[EMAIL]"
    PHONE = "[PHONE]"
    TFN = "[TFN]"
    MEDICARE = "[MEDICARE]"
    SSN = "[SSN]"
    IBAN = "[IBAN]"
    NUMBER = "[NUMBER]"
    NAME = "[NAME]"
    ADDRESS = "[ADDRESS]"
    DOB = "[DOB]"
    ACCOUNT = "[ACCOUNT]"
    ID = "[ID]"
    KEY = "[KEY]"
    CARD_CODE = "[CARD_CODE]"
    CARD_EXPIRY = "[CARD_EXPIRY]"
    SECRET = "[SECRET]"
    NINO = "[NINO]"


def _word_list(text: str) -> list[str]:
    return text.split()


# Separators and symbols written in another script's or keyboard's form: a no-break or thin
# space between a card's groups, an en dash in a phone number, a full-width "＠" or an
# ideographic "。" in an address, a zero-width space or a soft hyphen inside a number. They are
# read as their ASCII forms (NFKC, then the dashes and full stops it keeps) before anything is
# matched, so no value slips through in another character.
# Format characters no reader sees, as a regular expression class's body: the soft hyphen, the
# combining grapheme joiner, the Arabic letter mark, the Hangul fillers, the Mongolian vowel
# separator, zero-width characters and direction marks, direction embeddings and overrides (a
# right-to-left override shows text reversed), invisible operators, isolates, the byte order
# mark and the tag characters (U+E0000 to U+E007F: an invisible copy of ASCII, so
# "jo<tag>@example.com" shows as an address no rule would match). One set for every place that
# drops them (the redaction here, the answer sanitiser, the parser's visible text), so they
# cannot drift apart.
INVISIBLE_IN_BMP = (
    r"\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\u3164"
    r"\ufeff\uffa0"
)
"""The set without the tag characters, written as both Python's and ECMA-262's regular
expressions read it (the API document's patterns are ECMA-262, which has no ``\\U``)."""
INVISIBLE_FORMAT = INVISIBLE_IN_BMP + r"\U000e0000-\U000e007f"
_INVISIBLE = re.compile(f"[{INVISIBLE_FORMAT}]")
_AS_ASCII = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63", "-")
    | dict.fromkeys("\u3002\uff61", ".")
)


# Control characters but tab and line breaks: a NUL cannot be stored in PostgreSQL (one in a
# question once made the answer log's whole batch fail), and none belongs in a log line.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fold(text: str) -> str:
    """``text`` with its separators and symbols in their ASCII forms (see above) and without
    control characters (but tab and line breaks)."""
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
    if text.isascii():
        return text
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).translate(_AS_ASCII)


Span = tuple[int, int, Placeholder]
"""Where a value is found (start, end) and what it was."""
