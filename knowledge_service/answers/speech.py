"""What a speech engine would misread, written so that it reads it as a caller needs it: numbers,
ranges, rates, the path to a menu item and text written as code.

A rate written with a slash after an amount ("$12/user/month", "5c/kWh") is read "per":
"$12 per user per month"; so is one after an amount and its unit, when what follows the slash
is a unit of time, of people or of a quantity ("10 kWh/day", "2 GB/month": "10 kWh per day").
A unit a speech engine knows ("60km/h", "60 km/h") and other slashes ("and/or") stay.

"24/7" (or "24x7") is read "24 hours a day, 7 days a week", not "twenty-four slash seven", and
a phone number before it is still read as one ("1 3, 2 2, 5 5, 24 hours a day, ..."); in a
name ("VetLine 24/7", after a brand's name or a capitalised word that does not open its
sentence) it is "24 7", as it is said ("twenty-four seven").

A range of days or months written with a dash ("Mon–Fri", "Monday-Friday", "Jan–Mar") is read
with "to" and the names in full ("Monday to Friday", "January to March"), not "Mon Fri".

A range written with a dash ("3-5 business days", "9am–5pm", "$10–$20", "$1,200-$1,500", "18-20
degrees", "5km-10km", "10c-12c") is read with "to" ("3 to 5 business days"), not "3 minus 5" or
"3 5"; so is a range of dates or ordinals ("1 Jan–14 Jan", "1 July 2026 – 30 June 2027", "Dec
24-Jan 2", "Mar 2026-Apr 2026", "1/7/2026-30/6/2027", "2nd–4th"), and of hours up to or from
noon or midnight ("9am–noon", "noon-2pm"); a day and a month, a dash and a year are one date
("1 Jan-2026" is "1 Jan 2026", not "1 Jan to 2026"). A date (``2026-07-01``, ``01-07-2026``), a
number of more than two parts and three digits, a hyphen and four that is no phone number
("100-2000 kWh", see below) stay as written.

A time written with a dot ("8.30am", "8.30–5pm") is written with a colon ("8:30am", "8:30–5pm"),
which a speech engine reads as a time, not as a decimal ("eight point three zero am").

A path through an app's menus ("Account > Billing preferences > Bill frequency") is read "then"
where it is written ">" (or "›", "→", "»", "->"), which a speech engine reads "greater than":
"Account, then Billing preferences, then Bill frequency". A comparison ("a balance > $20")
stays as written: a menu item's name starts with a capital letter. A condition's comparison
stays as written too ("If x > Y then ...", "if the total > Limit", not "If x, then Y then
..."): the words before its arrow start with "if", "when", "unless", ... and name nothing
with a capital, or go on to "then" ("If Usage > Limit then ...").

A reference code is read character by character too, in the groups it is written in: a number
or a code of letters and digits after a word that names one ("biller code 221144" is
"biller code 2 2 1 1 4 4", "customer ref AB12345" is "customer ref A B 1 2 3 4 5",
"BSB 062-000" is "BSB 0 6 2, 0 0 0", "Customer Reference Number (CRN) is 123 456 789A" is "...
is 1 2 3, 4 5 6, 7 8 9 A"): the words are "code", "reference", "ref", "number", "no.", "ID",
"PIN", "ABN", "ACN", "BSB", "NMI", "MIRN", "CRN", "PRN", "account", "acct", "customer", "member",
"policy", "invoice", "receipt", "case", "ticket", "claim" and "order", and the code has at
least 4 digits, or letters and digits together; a number sign before the code is said "number"
("ticket #12345" is "ticket number 1 2 3 4 5"). A count after such a word ("code of 12
digits", "claim 25") and an amount ("number 1,000") stay as written, and so does a year that
ends a name: "the Energy Retail Code 2019", "under the Fuel policy 2024", "Fuel policy 2024"
as a heading (the word that names a code capitalised and not the first of its sentence, or a
capitalised word before it). A year-like number introduced as a code ("code: 2019"), after an
acronym ("PIN 2019"), after a sentence's first word that asks for or points at a code ("Use
code 2019", "Your policy 2024") or as it ("Code 2019 is ...") is a code.

A speech engine reads a number as a quantity: "1800 123 456" is "one thousand eight hundred,
one hundred and twenty-three, ...", "13 22 55" is "thirteen, twenty-two, fifty-five". A phone
number is read digit by digit in the groups it is written in: each digit apart, the groups
separated by a comma, where a speech engine pauses ("1 8 0 0, 1 2 3, 4 5 6").

A number to send a text message to, an SMS short code, is read digit by digit in its groups
too: 3 to 8 digits after "text", "txt" or "SMS", or after one of those, up to four words (the
message to send, words or numbers of one or two digits) and "to", "on" or "at" ("text STOP to
12345" is "text STOP to 1 2 3 4 5", "text 2 to 12345" is "text 2 to 1 2 3 4 5", "SMS 12345",
"text us on 1999 88"); not a count of people or places ("sent text messages to 2000
customers"). So is a short number to call, three digits after "call",
"dial", "ring" or "phone" (and "us", "on" or "at"): an emergency or service number ("call
111", "dial 611", "ring 112 or 999", "ring 112/999" is "ring 1 1 2 or 9 9 9", "call 000 or 112"
is "call 0 0 0 or 1 1 2", and with a name in brackets, "call 000 (Triple Zero) or 112"), not a
count ("call 500 customers"); and so is one that names its service ("your local 911 center",
"a 999 call"; not "300 calls").

A phone number is recognised by its shape, not by the words around it (but for a local
number, below):

- an international number, ``+`` and a country code (``+61 2 9876 5432``, ``+44 20 7946 0958``,
  ``+1.800.555.0134``, ``+44 7700 900123``);
- an area code in brackets (``(02) 9876 5432``, ``(555) 123-4567``, and North American
  with its country code, ``1 (800) 555-0199``);
- a number that starts with 0 (``0412 345 678``, ``02 9876 5432``, ``07700 900123``,
  ``03-9000-1234``, ``000``, and dialled abroad, ``0011 61 2 9876 5432``; not a date,
  ``01-07-2026``): a quantity is never written with a leading zero;
- a service number (``1800 123 456``, ``1300 36 36 36``, ``1800-123-456``, ``13 22 55``,
  ``131 450``, ``1800RESPECT``, ``1800-ENERGY``);
- a North American number written with dashes or dots (``1-800-555-0142``, ``555.123.4567``,
  ``1-800-FLOWERS``);
- a North American local number, three digits, a hyphen and four, when the four start with 0
  (``555-0134``: a range's end has no leading zero), it is a number to call ("call
  555-1234", "phone us on 555-1234", "Ph: 555-1234", "contact us on 555-1234") or it is
  listed after a phone number ("call 555-0134 or 555-1234", "555-0134, 555-1234"); other such
  numbers ("100-2000 kWh") stay as written;
- groups of 2 to 4 digits, 8 to 12 digits in all, that are not a quantity's thousands
  (``9876 5432``, ``555 123 4567``; not ``10 000 000``), nor a year and a number ("in 2026
  1500 customers").

What is not a phone number stays as written: an amount (``$12.50``, ``$1,000``), a percentage,
a date (``01/07/2026``, ``1 July 2026``), a time (``07:30``), a year, a count ("14 days",
"1,000 kWh").

Text written as code (a Markdown code span or block, in a link's text too) is literal: no
range, rate or menu path is read in it. A code of digits, or of digits and capital letters, in
groups or of at least 4 digits, is read character by character in its groups ("`2-5`" is "2,
5", not "2 to 5"; "`INV-00123`" is "I N V, 0 0 1 2 3"; "`10`" is "10"); other code is read as
written ("`Account > Billing`", "`$12/month`"), but for a phone number in it, read as a phone
number.
The words around code are read as if it were any other word ("text `STOP` to 12345").
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NOT_A_GROUP = (
    r"(?!\d+(?:[.:]\d\d)?[ \u00a0]?(?i:am|pm|a\.m\.|p\.m\.)(?!\w)"
    r"|\d+[ \u00a0](?i:hours?|hrs?|days?|nights?|weeks?|months?|years?|minutes?|mins?"
    r"|business|working|calendar|times?)\b)"
)
"""After a phone number, a time ("8am", "8:30 pm") or a count of time ("24 hours a day", "7 days")
is what follows the number, never one more of its groups."""
_GAP = rf"(?:[ \u00a0]{_NOT_A_GROUP})"  # between a number's groups: a space (or a no-break one)
_GAP_OR_DASH = rf"(?:[ \u00a0]{_NOT_A_GROUP}|-)"
_GAP_DASH_OR_DOT = rf"(?:{_GAP_OR_DASH}|\.)"  # "+1.800.555.0134"
_INTERNATIONAL = (
    rf"\+\d{{1,3}}(?:{_GAP_OR_DASH}?\(0\)\d{{1,4}})?"
    rf"(?:{_GAP_OR_DASH}?\(\d{{1,4}}\)|{_GAP_DASH_OR_DOT}\d{{1,6}})*"  # "+44 7700 900123"
    r"|\+\d{7,15}"
)
_AREA_CODE = (  # "(02) 9876 5432", "(555) 123-4567", "1 (800) 555-0199"
    rf"(?:1(?:{_GAP_OR_DASH}|\.)?(?=\(\d{{3}}\)))?"
    rf"\(\d{{1,4}}\){_GAP_OR_DASH}?\d{{2,4}}(?:{_GAP_OR_DASH}\d{{2,4}})*"
)
_LEADING_ZERO = (  # "0412 345 678", "07700 900123", "03-9000-1234" (not "01-07-2026", below)
    rf"0\d{{1,11}}(?:{_GAP}\d{{1,6}})*|0\d{{1,4}}(?:-\d{{2,4}}){{2,3}}"
)
_DATE_WITH_DASHES = re.compile(r"\d\d-\d\d-(?:\d\d){1,2}")  # "01-07-2026", "01-07-26"
_SERVICE = (
    rf"1[3-9]00(?:{_GAP_OR_DASH}?\d{{3}}{_GAP_OR_DASH}?\d{{3}}|(?:{_GAP}\d{{2}}){{3}}"
    rf"|(?:{_GAP}|-)?[A-Z]{{3,}}\b)"
    rf"|13{_GAP}?\d{{2}}{_GAP}?\d{{2}}|13\d{_GAP}\d{{3}}"
)
_GROUPS = rf"\d{{2,4}}(?:{_GAP}\d{{2,4}}){{1,5}}"
_NORTH_AMERICAN = (
    r"(?:1[\-.])?\d{3}(?P<dash>[\-.])\d{3}(?P=dash)\d{4}"
    r"|1(?P<word_dash>[\-.])[2-9]\d\d(?P=word_dash)[A-Z]{4,}\b"  # "1-800-FLOWERS"
)
_LOCAL = r"\d{3}-\d{4}"  # "555-0134": a North American local number, or a range ("100-2000")
# Not inside a longer number or word: not after a letter, a digit, an amount's sign or a
# number's own punctuation, nor after a group of digits and a space ("10 000": "000" is no
# number); not before a letter, a digit, a percent or degree sign, another group (but a time
# or a count of time), nor before punctuation or a dash with a digit after it ("01/07/2026",
# "07:30", "0.5", "0900–1700").
_PHONE = re.compile(
    r"(?<![\w$\u20ac\u00a3\u00a5.,:/+\-\u2013])(?<!\d[ \u00a0])(?:"
    rf"(?P<international>{_INTERNATIONAL})|(?P<area>{_AREA_CODE})|(?P<service>{_SERVICE})"
    rf"|(?P<north_american>{_NORTH_AMERICAN})|(?P<local>{_LOCAL})"
    rf"|(?P<zero>{_LEADING_ZERO})|(?P<groups>{_GROUPS})"
    rf")(?![\w%\u00b0]|[.,:/\-\u2013]\d|{_GAP}\d)"
)
_A_NUMBER_NEXT = re.compile(r"[ \u00a0]\d")
_TRUNK_ZERO = re.compile(r"\(0\)")  # "+61 (0)2 ...": the 0 is not dialled from abroad
_THOUSANDS = re.compile(r"\d{1,3}(?:[ \u00a0]\d{3})+")  # "10 000 000": a quantity
_YEAR_THEN = re.compile(r"(?:19|20)\d\d[ \u00a0]\d+$")  # "In 2026 1500 customers ..."
_CALLED_ON = re.compile(
    r"(?i:\b(?:call|ring|phone|telephone|ph|dial|fax|text|sms|tel|mobile|mob|cell)"
    r"\b[.:]?(?:[ \u00a0]+(?:us|me|them))?(?:[ \u00a0]+(?:toll-free|free|now|today))?"
    r"(?:[ \u00a0]+(?:on|at))?"
    r"|\b(?:contact|reach)[ \u00a0]+(?:us|me|them)[ \u00a0]+(?:on|at))[ \u00a0]*$"
)
"""The words before a phone number that say it is one: "call", "call us on", "ring", "Tel:",
"Ph:", "Mobile:", "contact us on", "call us toll-free on"."""
_LISTED = re.compile(r"(?:[ \u00a0]*(?:,|/)[ \u00a0]*|,?[ \u00a0]+(?i:or|and)[ \u00a0]+)")
"""Between two numbers of a list ("555-0134 or 555-1234", "555-0134, 555-1234")."""


def _is_phone(match: re.Match[str], *, listed: bool = False) -> bool:
    """Whether the number matched is a phone number: a service number's shape is exact; the
    others need a phone number's count of digits, and groups must not be a quantity's. A
    local number is one when its shape says so, after "call" or in a list of phone numbers
    (``listed``: "call 555-0134 or 555-1234")."""
    number = match.group(0)
    digits = sum(c.isdigit() for c in number)
    if match.group("service") or match.group("north_american"):
        return True
    if match.group("local"):  # "call 555-1234" or "555-0134", not "100-2000 kWh"
        called_on = _CALLED_ON.search(match.string, max(0, match.start() - 40), match.start())
        return number[4] == "0" or called_on is not None or listed
    if match.group("international"):
        return 7 <= digits <= 15
    if match.group("area"):
        return 7 <= digits <= 12
    if match.group("zero"):  # "0011 61 2 9876 5432": dialled abroad, with a country's number
        most = 17 if number.startswith("00") else 12
        return 3 <= digits <= most and not _DATE_WITH_DASHES.fullmatch(number)
    return 8 <= digits <= 12 and not _THOUSANDS.fullmatch(number) and not _YEAR_THEN.match(number)


def _digit_by_digit(number: str) -> str:
    """``+61 (0)2 9876-5432`` as ``plus 6 1, 2, 9 8 7 6, 5 4 3 2``: each group's digits apart,
    the groups apart with a comma; letters kept as a word (``1800RESPECT`` is
    ``1 8 0 0 RESPECT``)."""
    plus = "plus " if number.startswith("+") else ""
    groups = re.findall(r"\d+|[A-Za-z]+", _TRUNK_ZERO.sub(" ", number))
    said = " ".join(groups[0]) if groups[0].isdigit() else groups[0]
    for group in groups[1:]:
        said += f", {' '.join(group)}" if group.isdigit() else f" {group}"
    return plus + said


_NAMES_A_CODE = (
    r"(?i:\b(?:code|reference|ref|number|no\.|id|pin|abn|acn|bsb|nmi|mirn|crn|prn|account|acct"
    r"|customer"
    r"|member|policy|invoice|receipt|case|ticket|claim|order)(?:\s+(?:number|no\.))?)"
)
_REFERENCE = re.compile(
    # the name maybe with its acronym in brackets: "Customer Reference Number (CRN) is"
    rf"(?P<name>{_NAMES_A_CODE}(?:[ \u00a0]+\([A-Z]{{2,6}}\))?"
    r"(?:[ \u00a0]*(?::|#|is)[ \u00a0]*|[ \u00a0]+))"
    # digits (maybe a check letter after them: "123 456 789A"), or capitals and digits: a
    # word in capitals ("customer ID 1234") is no code
    r"(?P<code>\d+(?:[ \u00a0\-]\d+)*[A-Z]?|(?=[A-Z0-9\-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)*)"
    r"(?![\w%\u00b0]|[.,:/]\d)"
)


def _is_code(code: str) -> bool:
    digits = sum(c.isdigit() for c in code)
    if any(c.isalpha() for c in code):
        return digits > 0 and len(code) >= 4
    return 4 <= digits <= 20


def _character_by_character(code: str) -> str:
    """``INV-00123`` as ``I N V, 0 0 1 2 3``: each group's characters apart, the groups apart
    with a comma."""
    return ", ".join(" ".join(group) for group in re.split(r"[ \u00a0\-]+", code))


_YEAR = re.compile(r"(?:19|20)\d\d(?:-(?:19|20)?\d\d)?")  # "2019", "2019-20"
_WORD_BEFORE = re.compile(r"(?P<word>[\w'\u2019]+)[ \u00a0]+$")
_LOOK_BACK = 80
"""How far back the words before a match are looked for: a few words, never the whole text
(each match looking back to the start of its text would make reading a text quadratic)."""


def _opens_a_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` is a sentence's first: nothing before it but spaces, quotes
    or a bracket, after the text's start or a sentence's end."""
    before = text[max(0, at - _LOOK_BACK) : at].rstrip(" \u00a0\"'\u201c\u2018(")
    return before[-1:] in ".!?:;\n" if before else at <= _LOOK_BACK


_ASKS_FOR_A_CODE = frozenset(
    {
        # a verb that asks for a code ("Use code 2019", "Quote policy 2024 when you call")
        "use", "using", "enter", "quote", "quoting", "type", "key", "input", "give", "provide",
        "add", "apply", "select", "choose", "pick", "redeem", "include", "write", "send",
        "text", "sms", "dial", "press", "mention", "cite", "show", "have", "need", "find",
        "check", "see", "note", "read", "say", "tell", "keep", "pay", "call", "ring", "reply",
        "email", "update", "change", "set", "reset", "confirm", "verify", "record", "copy",
        "paste", "scan", "search", "get", "try", "put", "ask", "request", "cancel", "renew",
        "claim", "lodge", "submit", "attach",
        # or a word that points at one ("Your policy 2024", "With code 2019 you ...")
        "a", "an", "the", "your", "our", "my", "their", "his", "her", "its", "this", "that",
        "these", "those", "any", "each", "every", "no", "which", "what", "with", "for",
        "under", "by", "via", "from", "on", "in", "at", "to", "into", "per", "and", "or",
    }
)  # fmt: skip
"""A sentence's first word after which a year-like number after a word that names a code is a
code, not a year that ends a name (as "Fuel policy 2024" is)."""


def _is_a_year_in_a_title(match: re.Match[str]) -> bool:
    """Whether the code matched is a year that ends a name: "the Energy Retail Code 2019",
    "under the Fuel policy 2024", "Fuel policy 2024" as a heading (a capitalised word before
    the word that names a code, or that word capitalised and not a sentence's first word). A
    code introduced as one ("code: 2019", "PIN is 2019"), after an acronym ("PIN 2019") or
    after a sentence's first word that asks for or points at one ("Use code 2019", "Your
    policy 2024"), is a code."""
    name = match.group("name")
    if not _YEAR.fullmatch(match.group("code")) or re.search(r"[:#]|\bis\b", name):
        return False
    text, start = match.string, match.start()
    first = name.split()[0]
    if first.isupper():
        return False
    if first[0].isupper() and not _opens_a_sentence(text, start):
        return True
    window = max(0, start - _LOOK_BACK)
    before = _WORD_BEFORE.search(text, window, start)
    if before is None or not before["word"][0].isupper() or before["word"].isupper():
        return False
    asks = before["word"].lower() in _ASKS_FOR_A_CODE
    return not asks or not _opens_a_sentence(text, before.start())


_NUMBER_SIGN = re.compile(r"[ \u00a0]*#[ \u00a0]*$")


def say_reference_codes(text: str) -> str:
    """``text`` with each reference code after a word that names one written to be read
    character by character in its groups, a number sign before it said "number" ("ticket
    #12345" is "ticket number 1 2 3 4 5", not "ticket hash ..."); a year that ends a name
    ("Retail Code 2019") as written."""

    def said(match: re.Match[str]) -> str:
        code = match.group("code")
        if not _is_code(code) or _is_a_year_in_a_title(match):
            return match.group(0)
        name = _NUMBER_SIGN.sub(" number ", match.group("name"))  # "Ticket #12345"
        return name + _character_by_character(code)

    return _REFERENCE.sub(said, text)


def say_phone_numbers(text: str) -> str:
    """``text`` with each phone number written to be read digit by digit in its groups; one
    followed by a time or a count of time ends with a comma ("1 3, 2 2, 5 5, 8am to 8pm"), so
    that it is not heard as one more group. A local number listed after a phone number
    ("call 555-0134 or 555-1234", "555-0134, 555-1234") is read as one too."""
    read_up_to = -1  # where the last phone number read ends

    def said(match: re.Match[str]) -> str:
        nonlocal read_up_to
        number = match.group(0)
        listed = read_up_to >= 0 and bool(_LISTED.fullmatch(text, read_up_to, match.start()))
        if not _is_phone(match, listed=listed):
            return number
        read_up_to = match.end()
        if match.group("north_american") and number[1] in "-.":
            number = "1" + number[2:]  # "1-800-555-0142": "1 8 0 0, 5 5 5, 0 1 4 2"
        then = match.string[match.end() : match.end() + 2]
        return _digit_by_digit(number) + ("," if _A_NUMBER_NEXT.fullmatch(then) else "")

    return _PHONE.sub(said, text)


_PEOPLE_OR_PLACES = (
    r"[ \u00a0]+(?:more[ \u00a0]+|other[ \u00a0]+|new[ \u00a0]+)?(?i:people|persons|customers"
    r"|clients|members|users|residents|ratepayers|households|homes|businesses|properties"
    r"|premises|accounts|subscribers|recipients|contacts|numbers|phones|mobiles)\b"
)
"""After a number, what makes it a count ("sent text messages to 2000 customers"), not a
number to text."""
_TO_TEXT = re.compile(
    r"(?P<name>(?i:\b(?:text|txt|sms)\b)"
    r"(?:(?:[ \u00a0]+(?!(?i:to|on|at)\b)(?:[^\s\d]\S*|\d{1,2}\b(?![.,:/\-\u2013]\d)))"
    r"{0,4}?[ \u00a0]+(?i:to|on|at))?[ \u00a0]+)"
    r"(?P<code>\d{3,8}|\d{2,4}(?:[ \u00a0]\d{2,4}){1,2})"
    rf"(?![\w%\u00b0]|[.,:/\-\u2013]\d|{_GAP}\d|{_PEOPLE_OR_PLACES})"
)


_TO_CALL = re.compile(
    r"(?P<name>(?i:\b(?:call|dial|ring|phone)\b)(?:[ \u00a0]+(?i:us|me|them))?"
    r"(?:[ \u00a0]+(?i:on|at))?[ \u00a0]+)"
    # each maybe with its name in brackets: "call 000 (Triple Zero) or 112"
    r"(?P<numbers>\d{3}(?:(?:[ \u00a0]\([^()\d\n]{1,40}\))?"
    r"(?:/|,?[ \u00a0](?i:or|and)[ \u00a0]|,[ \u00a0])\d{3})*)"
    r"(?![\w%\u00b0]|[.,:/\-\u2013]\d|[ \u00a0]\d"
    r"|[ \u00a0]+(?!(?:is|was|has|does|as|us|its|this|his)\b)[a-z]+s\b)"
)
"""A short number to call: an emergency or service number ("call 111", "dial 611", "ring 112 or
999", "ring 112/999", "call 000 or 112", "call 000 (Triple Zero) or 112"); not a count ("call
500 customers")."""


def _said_to_call(match: re.Match[str]) -> str:
    numbers = re.sub(r"\d+", lambda m: " ".join(m.group(0)), match.group("numbers"))
    return match.group("name") + re.sub(r"(?<=\d)/(?=\d)", " or ", numbers)


def say_numbers_to_text(text: str) -> str:
    """``text`` with each number to send a text message to, an SMS short code ("text STOP to
    12345", "SMS 12345", "text us on 1999 88"), written to be read digit by digit in its
    groups, as a phone number is; to run after :func:`say_phone_numbers`, which reads the
    longer ones."""

    def said(match: re.Match[str]) -> str:
        digits = sum(c.isdigit() for c in match.group("code"))
        if digits > 8:
            return match.group(0)
        then = match.string[match.end() : match.end() + 2]
        comma = "," if _A_NUMBER_NEXT.fullmatch(then) else ""  # "1 2 3 4 5, 24 hours a day"
        return match.group("name") + _character_by_character(match.group("code")) + comma

    return _TO_TEXT.sub(said, text)


_NAMING_A_SERVICE = re.compile(
    r"(?P<before>\b(?i:a|an|the|your|our|their|local|nearest|any)[ \u00a0])(?P<number>\d{3})"
    r"(?=[ \u00a0](?i:call|caller|centre|center|operator|dispatcher)\b)"
)
"""A short number that names the service it is: after "a", "the", "your", "local", ... and
before one of them, no more ("your local 911 center", "a 999 call"; not a count, "300 calls",
"the 100 calls")."""


def say_numbers_to_call(text: str) -> str:
    """``text`` with each short number to call ("call 111", "call 000 or 112", "ring 112/999")
    written to be read digit by digit, and so one that names its service ("your local 911
    center", "a 999 call"); to run before :func:`say_phone_numbers`, so that a number it reads
    ("000") and the short one after it are read alike."""
    text = _NAMING_A_SERVICE.sub(lambda m: m["before"] + " ".join(m["number"]), text)
    return _TO_CALL.sub(_said_to_call, text)


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


_END = r"(?:[ \u00a0]?(?i:am|pm|a\.m\.|p\.m\.))?"  # "9am", "5 pm"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = rf"(?:st|nd|rd|th)?(?:[ \u00a0]{_MONTH}(?:[ \u00a0](?:19|20)\d\d)?)?"  # "2nd", "1 Jan"
# "5km", "10c", "$10k", "2 L": a unit or a multiple written after the number
_UNIT = r"(?:[ \u00a0]?(?:kWh|MWh|kW|km|kg|mg|ml|mL|mm|cm|GB|MB|TB|L|m)|c|\u00a2|p|k|bn)(?!\w)"
_AMOUNT = r"[$\u20ac\u00a3]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.:]\d+)?"  # "$1,200.50", "8.30"
_SLASHED_DATE = r"\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})"  # "1/7/2026", "30/06/27"
# "July 1", "Dec 24th", "Mar 2026": a date written month first, or a month and its year
_MONTH_FIRST = rf"\b{_MONTH}\.?[ \u00a0](?:\d{{1,2}}(?:st|nd|rd|th)?|(?:19|20)\d\d)(?![\d:.,]\d)"
_BOUND = (
    rf"(?:{_SLASHED_DATE}|{_MONTH_FIRST}|{_AMOUNT}(?:{_UNIT}|{_END}|{_DATE})"
    r"|(?i:noon|midday|midnight))"
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


_AM_OR_PM = r"[ \u00a0]?(?i:am|pm|a\.m\.|p\.m\.)(?!\w)"
# "8.30-5pm", "between 7.30 and 8.30 am": the first time of two takes the second's am or pm
_AND_THEN = r"(?:[ \u00a0]?[\-\u2013][ \u00a0]?|[ \u00a0](?i:and|to|until|till)[ \u00a0])"
_DOTTED_TIME = re.compile(
    r"(?<![\w.,:/$\u20ac\u00a3])(?P<hour>1[0-2]|0?[1-9])\.(?P<minutes>[0-5]\d)"
    rf"(?={_AM_OR_PM}|{_AND_THEN}(?:1[0-2]|0?[1-9])(?:[.:][0-5]\d)?{_AM_OR_PM})"
)


def say_times(text: str) -> str:
    """``text`` with each time written with a dot ("8.30am", "8.30–5pm", "between 7.30 and
    8.30 am") written with a colon, "8:30am", which a speech engine reads as a time, not as a
    decimal ("eight point three zero")."""
    return _DOTTED_TIME.sub(r"\g<hour>:\g<minutes>", text)


def say_ranges(text: str) -> str:
    """``text`` with each range of numbers written with a dash read "to"; three digits, a
    hyphen and four that :func:`say_phone_numbers` left ("555-1234" with no "call" before it)
    may still be a North American local number, and stay as written. A day and a month, a
    dash and a year ("1 Jan-2026") are one date, read without the dash: "1 Jan 2026"."""

    def said(match: re.Match[str]) -> str:
        if _LOCAL_NUMBER.match(match.group(0)):
            return match.group(0)
        if _DAY_AND_MONTH.fullmatch(match["low"]) and _A_YEAR.fullmatch(match["high"]):
            return f"{match['low']} {match['high']}"
        return f"{match.group('low')} to {match.group('high')}"

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


def say_day_ranges(text: str) -> str:
    """``text`` with each range of days or months written with a dash ("Mon–Fri", "Monday -
    Friday", "Jan-Mar") read with "to" and the names in full: "Monday to Friday"."""
    return _DAY_RANGE.sub(
        lambda m: f"{_DAYS[m['low'][:3].lower()]} to {_DAYS[m['high'][:3].lower()]}", text
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
    before = _WORD_BEFORE.search(text, max(0, at - _LOOK_BACK), at)
    if before is None:
        return False
    word = before["word"]
    if _CAMEL_CASE.fullmatch(word):
        return True
    return word[0].isupper() and not word.isupper() and not _opens_a_sentence(text, before.start())


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
    """Text written as code (a Markdown code span, ``2-5``, ``INV-00123``, ``STOP``): a code
    of digits, or of digits and capital letters, in groups or as a reference code is
    (:func:`_is_code`), read character by character in its groups (``2-5`` is "2, 5",
    ``1800 274 368`` "1 8 0 0, 2 7 4, 3 6 8", ``10`` "10"), other text as written but
    for a phone number in it; marked, so that :func:`say_outside_literals` reads no range,
    rate or menu path in it."""
    groups = re.split(r"[ \u00a0\-]+", code)
    is_a_code = _A_CODE.fullmatch(code) is not None and (len(groups) > 1 or _is_code(code))
    if is_a_code and all(g.isupper() or any(c.isdigit() for c in g) for g in groups):
        code = _character_by_character(code)
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
