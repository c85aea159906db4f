"""Customers' personal data out of everything the service writes or keeps: typed placeholders
instead, or nothing.

Customers type card numbers, e-mail addresses and phone numbers into questions. Before a
question, a feedback comment or a log line is stored, it passes through :func:`redact`, which
replaces each such value with a typed placeholder (``[CARD]``, ``[EMAIL]``, ``[PHONE]``,
``[TFN]``, ``[MEDICARE]``, ``[SSN]``, ``[IBAN]``, ``[NUMBER]``; a card's security code and expiry
given with their words, ``[CARD_CODE]`` and ``[CARD_EXPIRY]``; a password, passcode or PIN after
its word, ``[SECRET]``; a UK National Insurance number, ``[NINO]``). Before a question is searched,
:func:`without_personal_data` drops those values altogether: no knowledge base answers a card
number, and the index's caches of questions then hold none.

The rules over-redact rather than miss: every run of 13 to 19 digits is a card (Luhn-valid or not;
but a phone number dialled from abroad, "+44 (0)20 7946 0958"), every other run of eight or more
digits is a tax file number, a Medicare number (by checksum), a phone number (in a phone number's
shape or after a phone's words) or, failing those, ``[NUMBER]``. Digits may be split by spaces,
dashes, dots, underscores, brackets and commas, as people write them (a card's or a phone's also by
any symbol, or by separators percent-encoded; numbers a symbol joins are a sum or a list,
"500|1000|2000", unless led as a phone number is or in a card's groups of four), led by a country
code ("1+800 ...", "+61%20..."), marked with an "x" ("x4111...", a card's tail "xxxx4111"), typed
against a word ("card4111111111111111", "ph0412345678pls": read as if a space stood there), or read
out in words ("four one one one, ..."; read out, six digits are enough: :data:`MIN_SPOKEN_NUMBER`).
Short numbers (amounts, counts, days), dates and the few long numbers that carry a question's
meaning (a date run together, a range of years or of dates, an amount with cents) are kept: they
identify nobody.

Pure functions only: no I/O, no state. Checksums come from python-stdnum.

The rules live in one module per kind of value (:mod:`.emails`, :mod:`.passwords`,
:mod:`.identifiers`, :mod:`.groups` and :mod:`.numbers` for digits, :mod:`.names`, :mod:`.told`,
:mod:`.addresses`); :mod:`.redaction` applies them in order, :mod:`.search` gives what a question
is searched with, :mod:`.logs` redacts request targets and log records.
"""

from __future__ import annotations

from knowledge_service.privacy.emails import TOP_LEVEL_DOMAINS, WORD_TOP_LEVEL_DOMAINS
from knowledge_service.privacy.logs import (
    MAX_LOGGED_TARGET,
    OPAQUE_PARAMETERS,
    RedactingFilter,
    client_address,
    redact_path,
    redact_url,
)
from knowledge_service.privacy.numbers import (
    E164_MAX_DIGITS,
    classify_number,
    is_medicare,
    spoken_digits,
)
from knowledge_service.privacy.passwords import SECRET_LEAD_IN_REACH
from knowledge_service.privacy.redaction import Redacted, redact, redact_text
from knowledge_service.privacy.search import without_personal_data
from knowledge_service.privacy.text import INVISIBLE_FORMAT, INVISIBLE_IN_BMP, Placeholder, fold
from knowledge_service.privacy.told import MIN_SPOKEN_NUMBER

__all__ = [
    "E164_MAX_DIGITS",
    "INVISIBLE_FORMAT",
    "INVISIBLE_IN_BMP",
    "MAX_LOGGED_TARGET",
    "MIN_SPOKEN_NUMBER",
    "OPAQUE_PARAMETERS",
    "SECRET_LEAD_IN_REACH",
    "TOP_LEVEL_DOMAINS",
    "WORD_TOP_LEVEL_DOMAINS",
    "Placeholder",
    "Redacted",
    "RedactingFilter",
    "classify_number",
    "client_address",
    "fold",
    "is_medicare",
    "redact",
    "redact_path",
    "redact_text",
    "redact_url",
    "spoken_digits",
    "without_personal_data",
]
