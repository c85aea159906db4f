"""What a speech engine would misread, written so that it reads it as a caller needs it: numbers,
ranges, rates, the path to a menu item and text written as code. Phone numbers, numbers to text
and short numbers to call are read in :mod:`~knowledge_service.answers.speech_numbers`.

A rate written with a slash after an amount ("$12/user/month", "5c/kWh") is read "per":
"$12 per user per month"; so is one after an amount and its unit, when what follows the slash
is a unit of time, of people or of a quantity ("10 kWh/day", "2 GB/month": "10 kWh per day").
A unit a speech engine knows ("60km/h", "60 km/h") and other slashes ("and/or") stay.

"24/7" (or "24x7") is read "24 hours a day, 7 days a week", not "twenty-four slash seven", and
a phone number before it is still read as one ("1 3, 2 2, 5 5, 24 hours a day, ..."); in a
name ("VetLine 24/7", after a brand's name or a capitalised word that does not open its
sentence) it is "24 7", as it is said ("twenty-four seven").

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
and four that is no phone number ("100-2000 kWh", see below) stay as written.
Numbers or amounts alone with a dash between them are a sum, read "minus", before "=" or
after "=" or "+" ("10 - 4 = 6"), or where an amount is less a smaller one in the same currency
("$2.50 - $0.50": a range runs up); numbers alone that run down are a range ("2200-0600").

A year and the next written with a slash or a dash, a financial or academic year ("2025/26",
"2024-25", "FY2025/2026"), is read with "to" ("2025 to 26", "FY 2025 to 2026"), not "2025
slash 26"; other numbers so written ("2025/12", "2024/1234") stay.

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
or a code of letters and digits after a word that names one ("biller code 221144" is "biller
code 2 2 1 1 4 4", "customer ref AB12345" is "customer ref A B 1 2 3 4 5", "BSB 062-000" is
"BSB 0 6 2, 0 0 0", "Customer Reference Number (CRN) is 123 456 789A" is "... is 1 2 3, 4 5 6,
7 8 9 A"; in groups of four capitals or digits, or of digits apart with a slash, and in
brackets after the word: "IBAN GB82 WEST 1234 5698 7654 32", "Case no. 2024/1234" is "Case no.
2 0 2 4, 1 2 3 4", "invoice (INV-2026-001)" is "invoice (I N V, 2 0 2 6, 0 0 1)"; not a year in
brackets, "the policy (2024)", nor a date, "order 12/05/2026"; two numbers with a slash, a
fraction or a day and a month, only after "ticket", "ref", "reference" or "case": "Ticket 1/2"
is "Ticket 1, 2", "claim 1/2 of the cost" stays): the words are "code",
"reference", "ref", "number", "no.", "ID", "PIN", "ABN", "ACN", "BSB", "IBAN", "BIC", "SWIFT",
"NMI", "MIRN", "CRN", "PRN", "account", "acct", "acc", "a/c", "customer", "member", "policy",
"invoice", "receipt", "case", "ticket", "claim" and "order", and the code has at least 4
digits, or letters and digits together ("codes" too); a number sign before the code is said
"number" ("ticket #12345" is "ticket number 1 2 3 4 5"). Each code listed after it, of its
shape, maybe after what it means in brackets, is read so too ("reason code GW-1 (quality), GW-2
(late)" is "reason code G W, 1 (quality), G W, 2 (late)"; not a count, "ticket 12345 and 200
more"). A count after such a word ("code of 12 digits", "claim
25") and an amount ("number 1,000") stay as written, and so does a year that ends a name: "the
Energy Retail Code 2019", "under the Fuel policy 2024", "Fuel policy 2024" as a heading (the
word that names a code capitalised and not the first of its sentence, or a capitalised word
before it). A year-like number introduced as a code ("code: 2019"), after an acronym ("PIN
2019"), after a sentence's first word that asks for or points at a code ("Use code 2019", "Your
policy 2024") or as it ("Code 2019 is ...") is a code. A code by its shape is read so too,
whatever the words before it: capitals and at least two groups with digits, 4 digits or more,
apart with hyphens or slashes ("for example DA-2026/0417" is "for example D A, 2 0 2 6, 0 4 1
7"; not "COVID-19" or "ISO-9001").

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

from knowledge_service.answers.speech_numbers import (
    character_by_character,
    said_keys,
    say_phone_numbers,
)

_NAMES_A_CODE = (
    r"(?i:\b(?:codes?|reference|ref|number|no\.|id|pin|abn|acn|bsb|iban|bic|swift|nmi|mirn|crn|prn"
    r"|account|acct"
    r"|acc|a/c|customer|member|policy|invoice|receipt|case|ticket|claim|order)"
    r"(?:\s+(?:number|no\.))?)"
)
_REFERENCE = re.compile(
    # the name maybe with its acronym in brackets: "Customer Reference Number (CRN) is"
    rf"(?P<name>{_NAMES_A_CODE}(?:[ \u00a0]+\([A-Z]{{2,6}}\))?"
    r"(?:[ \u00a0]*(?::|#|is:?)[ \u00a0]*|[ \u00a0]+)(?P<bracket>\()?)"
    # capitals and digits in groups of four ("GB82 WEST 1234 5698 7654 32"), digits in
    # groups (maybe a check letter after them: "123 456 789A", "2024/1234"), or capitals and
    # digits ("INV-2026-001"): a word in capitals ("customer ID 1234") is no code
    r"(?P<code>(?=[A-Z]*\d)[A-Z0-9]{4}(?:[ \u00a0][A-Z0-9]{4})+(?:[ \u00a0][A-Z0-9]{1,3})?"
    r"|\d+(?:[ \u00a0\-/]\d+)*[A-Z]?|(?=[A-Z0-9\-/]*\d)[A-Z0-9]+(?:[\-/][A-Z0-9]+)*)"
    # the whole code, not its digits before a hyphen ("1234-A")
    r"(?!-[A-Za-z0-9])(?(bracket)(?=\))|(?![\w%\u00b0]|[.,:/]\d))"
)
_SLASHED = re.compile(r"\d{1,2}/\d{1,2}(?:/\d{2,4})?")  # "1/7/2026", "1/2": a date or a fraction


_NAMES_A_SLASHED_CODE = re.compile(r"(?i:ticket|ref|reference|case)\b")
"""Words after which two numbers with a slash are a code ("Ticket 1/2", "ref: 12/05"), not a
fraction or a day and a month: no amount or date is so named, where "claim 1/2 of the cost",
"order 1/2 price" may be a fraction."""
_A_FRACTION_OF = re.compile(r"[ \u00a0]+(?i:of|off|price|fare|an?|the)\b")  # "1/2 price"


def _is_code(code: str, name: str = "", after: str = "") -> bool:
    """Whether ``code``, after the words ``name`` that name a code and before ``after``, is
    one: 4 digits or more, or letters and digits; two numbers with a slash (a fraction or a
    day and a month) only after "ticket", "ref", "reference" or "case", but for a fraction
    of something ("ticket 1/2 price")."""
    if _SLASHED.fullmatch(code):
        named = _NAMES_A_SLASHED_CODE.match(name) is not None
        return named and code.count("/") == 1 and not _A_FRACTION_OF.match(after)
    digits = sum(c.isdigit() for c in code)
    if any(c.isalpha() for c in code):
        return digits > 0 and len(code) >= 4
    return 4 <= digits <= 20


_YEAR = re.compile(r"(?:19|20)\d\d(?:[-/](?:19|20)?\d\d)?")  # "2019", "2019-20", "2024/25"
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
_LISTED_CODE = re.compile(
    # after a code, maybe with what it means in brackets: "code GW-1 (quality), GW-2 (late)"
    r"(?:[ \u00a0]+\([^()\n]{1,60}\))?"
    r"(?:[ \u00a0]*,[ \u00a0]*(?:(?i:or|and)[ \u00a0]+)?|[ \u00a0]+(?i:or|and)[ \u00a0]+)"
    r"(?P<code>[A-Z0-9]+(?:[\-/][A-Z0-9]+)*)(?!-[A-Za-z0-9])(?![\w%\u00b0]|[.,:/]\d)"
)
"""After a reference code, another listed: "reason code GW-1 (quality), GW-2 (late)"."""


def _shape(code: str) -> str:
    """What a code looks like: its runs of capitals and of digits and what is between them
    ("GW-1" and "GW-12" are "A-9"); a code of digits alone, each digit ("1234" is "9999")."""
    if not any(c.isalpha() for c in code):
        return re.sub(r"\d", "9", code)
    return re.sub(r"\d+", "9", re.sub(r"[A-Z]+", "A", code))


def say_reference_codes(text: str) -> str:
    """``text`` with each reference code after a word that names one written to be read
    character by character in its groups, a number sign before it said "number" ("ticket
    #12345" is "ticket number 1 2 3 4 5", not "ticket hash ..."); a year that ends a name
    ("Retail Code 2019") as written."""

    def said(match: re.Match[str]) -> str:
        code = match.group("code")
        after = match.string[match.end() : match.end() + 10]
        if not _is_code(code, match["name"], after) or _is_a_year_in_a_title(match):
            return match.group(0)
        if match.group("bracket") and _YEAR.fullmatch(code):  # "the policy (2024)": its year
            return match.group(0)
        name = _NUMBER_SIGN.sub(" number ", match.group("name"))  # "Ticket #12345"
        return name + character_by_character(code)

    parts: list[str] = []
    at = 0
    while (match := _REFERENCE.search(text, at)) is not None:
        parts += [text[at : match.start()], said(match)]
        at = match.end()
        if parts[-1] == match.group(0):
            continue
        # "reason codes GW-1 (quality), GW-2 (late)": each listed after it of its shape too
        shape = _shape(match.group("code"))
        while (listed := _LISTED_CODE.match(text, at)) is not None and (
            _shape(listed.group("code")) == shape
        ):
            parts.append(text[at : listed.start("code")] + character_by_character(listed["code"]))
            at = listed.end()
    said_codes = "".join(parts) + text[at:]
    return _SHAPED_AS_A_CODE.sub(_said_code_by_its_shape, said_codes)


_SHAPED_AS_A_CODE = re.compile(
    r"(?<![\w\-/.])(?!FY[\-/])[A-Z]{2,5}(?:[\-/][A-Z0-9]*\d[A-Z0-9]*){2,}(?![\w\-/]|[.,:]\d)"
)
"""A code by its shape, whatever the words before it: capitals and at least two groups with
digits, apart with hyphens or slashes ("DA-2026/0417", "INV-2026-001")."""


def _said_code_by_its_shape(match: re.Match[str]) -> str:
    code = match.group(0)
    if sum(c.isdigit() for c in code) < 4:  # "AB-1-2": too short to be keyed in
        return code
    return character_by_character(code)


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
        before = _WORD_BEFORE.search(text, max(0, start - _LOOK_BACK), start)
        word = before["word"].lower() if before is not None else ""
        says_when = word in _SAYS_WHEN or any(c.isdigit() for c in word)
        is_a_label = _A_LABEL.match(text, end) is not None and _opens_a_sentence(text, start)
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
    keys = said_keys(code.strip())  # "`*123*1#`": keys of a phone's keypad
    if keys is not None:
        return _LITERAL[0] + keys + _LITERAL[1]
    groups = re.split(r"[ \u00a0\-]+", code)
    is_a_code = _A_CODE.fullmatch(code) is not None and (len(groups) > 1 or _is_code(code))
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
