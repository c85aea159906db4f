"""Customers' personal data out of everything the service writes or keeps: typed placeholders
instead, or nothing.

Customers type card numbers, e-mail addresses and phone numbers into questions. Before a
question, a feedback comment or a log line is stored, it passes through :func:`redact`, which
replaces each such value with a typed placeholder (``[CARD]``, ``[EMAIL]``, ``[PHONE]``,
``[TFN]``, ``[MEDICARE]``, ``[SSN]``, ``[IBAN]``, ``[NUMBER]``). Before a question is searched,
:func:`without_personal_data` drops those values altogether: no knowledge base answers a card
number, and the index's caches of questions then hold none.

The rules over-redact rather than miss: every run of 13 to 19 digits is a card (Luhn-valid or
not), every other run of eight or more digits is a phone number, a tax file number, a Medicare
number (by checksum) or, failing those, ``[NUMBER]``. Digits may be split by spaces, dashes,
dots and brackets, as people write them. Short numbers (amounts, counts, days) and ISO dates
are kept: they carry the question's meaning and identify nobody.

Pure functions only: no I/O, no state. Checksums come from python-stdnum.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

from stdnum import iban as stdnum_iban
from stdnum.au import tfn as stdnum_tfn


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


_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+"  # every character RFC 5322 allows in a local part
    r"\s*(?:@|\(at\)|\[at\])\s*"
    r"[A-Za-z0-9\-]+(?:\s*\.\s*[A-Za-z0-9\-]+)+"
)
# Two letters, two check digits, then 11 to 30 letters or digits, optionally in groups of four.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")
# A run of digits in which single separators (space, dash, dot, brackets, slash) may stand
# between digits, optionally led by "+" or "(".
_DIGITS = re.compile(r"(?<![A-Za-z0-9])[+(]?\d(?:[ \-.()/]{0,2}\d)*")
_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHORT_DATE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")
_MEDICARE_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9)


def is_medicare(digits: str) -> bool:
    """An Australian Medicare card number (10 digits, or 11 with the person's number)."""
    if len(digits) not in (10, 11) or digits[0] not in "23456":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], _MEDICARE_WEIGHTS, strict=True))
    return total % 10 == int(digits[8])


def classify_number(text: str) -> Placeholder | None:
    """The placeholder for a run of digits as written, or None when it may stay."""
    digits = re.sub(r"\D", "", text)
    n = len(digits)
    if _SSN.fullmatch(text.strip("()")):
        return Placeholder.SSN
    if n < 8:
        return None
    if _ISO_DATE.fullmatch(text) or _SHORT_DATE.fullmatch(text):
        return None
    if 13 <= n <= 19:
        return Placeholder.CARD
    if n in (8, 9) and stdnum_tfn.is_valid(digits):
        return Placeholder.TFN
    if is_medicare(digits):
        return Placeholder.MEDICARE
    if text.startswith(("+", "(")) or digits[0] in "01" or 8 <= n <= 12:
        return Placeholder.PHONE
    return Placeholder.NUMBER


@dataclass
class Redacted:
    """Redacted text and what was replaced, by placeholder."""

    text: str
    counts: Counter[Placeholder] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.counts)


def redact_text(text: str) -> Redacted:
    """Replace personal data in ``text`` with typed placeholders, counting each kind."""
    counts: Counter[Placeholder] = Counter()

    def sub(kind: Placeholder) -> str:
        counts[kind] += 1
        return str(kind)

    out = _EMAIL.sub(lambda m: sub(Placeholder.EMAIL), text)

    def iban(match: re.Match[str]) -> str:
        value = match.group(0)
        end = _iban_end(value)
        return value if end == 0 else sub(Placeholder.IBAN) + value[end:]

    out = _IBAN.sub(iban, out)

    def number(match: re.Match[str]) -> str:
        value = match.group(0)
        stripped = value.rstrip("-./( ")
        kind = classify_number(stripped)
        if kind is None:
            return value
        return sub(kind) + value[len(stripped) :]

    out = _DIGITS.sub(number, out)
    return Redacted(out, counts)


_PLACEHOLDERS = re.compile("|".join(re.escape(str(p)) for p in Placeholder))
_MAY_HOLD_PERSONAL_DATA = re.compile(r"\d|@|\(at\)|\[at\]", re.IGNORECASE)


def without_personal_data(text: str) -> str:
    """``text`` with every value :func:`redact` would replace removed (and the spaces around it
    closed up): what a question is searched with. A text without a digit or an "@" (nor its
    spelt-out forms) is returned as it is."""
    if not _MAY_HOLD_PERSONAL_DATA.search(text):
        return text
    redacted = redact_text(text)
    if not redacted.changed:
        return text
    return " ".join(_PLACEHOLDERS.sub(" ", redacted.text).split())


def _iban_end(value: str) -> int:
    """How much of an IBAN-shaped match is an IBAN: the longest valid prefix of whole groups,
    else (over-redacting) up to its last group with a digit when it has ten digits; else 0."""
    ends = [m.end() for m in re.finditer(r"\S+", value)]
    for end in reversed(ends):
        if stdnum_iban.is_valid(value[:end].replace(" ", "").upper()):
            return end
    if sum(c.isdigit() for c in value) < 10:
        return 0
    with_digits = [m.end() for m in re.finditer(r"\S+", value) if any(c.isdigit() for c in m[0])]
    return with_digits[-1]


def redact(text: str) -> str:
    """``text`` with personal data replaced by typed placeholders."""
    return redact_text(text).text


def redact_url(target: str) -> str:
    """A request target (path and query) with every query value redacted."""
    path, sep, query = target.partition("?")
    if not sep:
        return redact(path)
    pairs = [(redact(k), redact(v)) for k, v in parse_qsl(query, keep_blank_values=True)]
    return f"{redact(path)}?{urlencode(pairs, safe='[]')}"


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record before any handler formats it.

    Uvicorn's access log passes the request target as an argument: its query string is parsed
    and each value redacted. Other records are formatted once and redacted whole. If redaction
    itself fails, the record is dropped (never written raw).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if record.name == "uvicorn.access" and isinstance(record.args, tuple):
                record.args = tuple(
                    redact_url(a) if isinstance(a, str) and i == 2 else a
                    for i, a in enumerate(record.args)
                )
                return True
            record.msg, record.args = redact(record.getMessage()), None
            if record.exc_info and not record.exc_text:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            elif record.exc_text:
                record.exc_text = redact(record.exc_text)
            return True
        except Exception:  # never fail open
            return False
