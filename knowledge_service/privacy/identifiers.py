"""UK National Insurance numbers and postcodes, and IBANs."""

from __future__ import annotations

import re

from stdnum import iban as stdnum_iban

from knowledge_service.privacy.text import _word_list

# A UK National Insurance number ("QQ 12 34 56 C": two letters, six digits, a letter A to D;
# any two letters, so HMRC's own example "QQ" goes too) and a UK postcode ("SW1A 1AA",
# "M1 1AE"), in capitals as they are written.
_NINO = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])")
_UK_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) ?\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])"
)
# Typed in lower case ("ab123456c", "sw1a 1aa") they go too, but a lower-case "ab 12 cd" may be
# words or a product's code, so each is read more strictly. A NINO run together ("ab123456c")
# in any case; with spaces, only when its letters may begin one (HMRC never issues D, F, I, Q,
# U or V, nor O second) and are not a word ("at 12 34 56 a", "or 12 34 56 b" are kept). A
# postcode in any case only in one of the UK's 121 postcode areas ("mp3 4gb", "ps5 2tb",
# "a4 2nd" are none) and not ending in an ordinal's or a unit's letters ("b12 3rd", "m1 8th",
# "g4 2gb" are kept).
_NINO_ANY_CASE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Za-z]{2}\d{6}[A-Da-d]"
    r"|(?!(?:am|an|as|at|be|by|he|me|my|or|we|ah|eh|ha|ma|pa|ye|ok|ow|ox|aw|ax|ay)\b)"
    r"[a-ceghj-pr-tw-z][a-ceghj-npr-tw-z] ?\d{2} ?\d{2} ?\d{2} ?[a-d])(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_POSTCODE_AREAS = (
    "ab al b ba bb bd bh bl bn br bs bt ca cb cf ch cm co cr ct cv cw da dd de dg dh dl dn dt dy "
    "e ec eh en ex fk fy g gl gu gy ha hd hg hp hr hs hu hx ig im ip iv je ka kt kw ky l la ld le "
    "ll ln ls lu m me mk ml n ne ng nn np nr nw ol ox pa pe ph pl po pr rg rh rm s sa se sg sk sl "
    "sm sn so sp sr ss st sw sy ta td tf tn tq tr ts tw ub w wa wc wd wf wn wr ws wv yo ze"
)
_UK_POSTCODE_ANY_CASE = re.compile(
    rf"(?<![A-Za-z0-9])(?:{'|'.join(sorted(_word_list(_POSTCODE_AREAS), key=len, reverse=True))})"
    r"\d[a-z\d]? ?\d(?!st|nd|rd|th|gb|tb|ft|lb|hr|hp|hz|wd)[abd-hjlnp-uw-z]{2}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Two letters, two check digits, then 11 to 30 letters or digits, optionally in groups of four.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")


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
