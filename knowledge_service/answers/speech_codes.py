"""Reference codes, written so that a speech engine reads them character by character, as a
caller keys them in (see :mod:`~knowledge_service.answers.speech` for the rest of what voice
reads as meant).

A reference code is read character by character, in the groups it is written in: a number
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
more"). A count after such a word ("code of 12 digits", "claim 25"), an amount ("number
1,000", "Order 5000 kWh", "claim 1500 dollars") and a count where the word is a verb ("You can
order 1500 tickets", "to claim 1500 points") stay as written, and so does a year that ends a
name: "the Energy Retail Code 2019", "under the Fuel policy 2024", "Fuel policy 2024" as a
heading (the word that names a code capitalised and not the first of its sentence, or a
capitalised word before it). A year-like number introduced as a code ("code: 2019"), after an
acronym ("PIN 2019"), after a sentence's first word that asks for or points at a code ("Use code
2019", "Your policy 2024") or as it ("Code 2019 is ...") is a code. A code by its shape is read
so too, whatever the words before it: capitals and at least two groups with digits, 4 digits or
more, apart with hyphens or slashes ("for example DA-2026/0417" is "for example D A, 2 0 2 6,
0 4 1 7"; not "COVID-19" or "ISO-9001").

A US ZIP code after its city and its state's two capitals is read digit by digit too ("Columbus,
OH 43216" is "Columbus, OH 4 3 2 1 6"; "TX 78701-1234" no range).
"""

from __future__ import annotations

import re

from knowledge_service.answers.speech_numbers import character_by_character
from knowledge_service.answers.speech_sentences import (
    LOOK_BACK,
    WORD_BEFORE,
    opens_a_sentence,
    verb_forms,
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


def is_code(code: str, name: str = "", after: str = "") -> bool:
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
_ASKS_FOR_A_CODE = re.compile(
    "|".join(
        # a verb that asks for a code, in any of its forms ("Use code 2019", "Quoting policy
        # 2024 when you call", "Entered claim 2019", "Submitting ticket 2024")
        [verb_forms(stem, past=past) for stem, past in (
            ("use", ""), ("enter", ""), ("quote", ""), ("type", ""), ("key", ""),
            ("give", "gave|given"), ("provide", ""), ("add", ""),
            ("apply", ""), ("select", ""), ("choose", "chose|chosen"), ("pick", ""),
            ("redeem", ""), ("include", ""), ("write", "wrote|written"), ("send", "sent"),
            ("text", ""), ("sms", ""), ("dial", ""), ("press", ""), ("mention", ""),
            ("cite", ""), ("show", "showed|shown"), ("need", ""), ("find", "found"),
            ("check", ""), ("see", "saw|seen"), ("note", ""), ("read", "read"),
            ("say", "said"), ("tell", "told"), ("keep", "kept"), ("pay", "paid"), ("call", ""),
            ("ring", "rang|rung"), ("reply", ""), ("email", ""), ("update", ""),
            ("change", ""), ("set", "set"), ("confirm", ""),
            ("verify", ""), ("record", ""), ("copy", ""), ("paste", ""), ("scan", ""),
            ("search", ""), ("get", "got|gotten"), ("try", ""), ("put", "put"), ("ask", ""),
            ("request", ""), ("cancel", ""), ("renew", ""), ("claim", ""), ("lodge", ""),
            ("attach", ""),
        )]
        + [verb_forms("have", past="had", third="has"), verb_forms("submit", doubled=True)]
        + [verb_forms("input", past="input|inputted", doubled=True)]
        + [verb_forms("reset", past="reset", doubled=True)]
        # or a word that points at one ("Your policy 2024", "With code 2019 you ...")
        + ["a", "an", "the", "your", "our", "my", "their", "his", "her", "its", "this", "that",
           "these", "those", "any", "each", "every", "no", "which", "what", "with", "for",
           "under", "by", "via", "from", "on", "in", "at", "to", "into", "per", "and", "or"]
    )
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
    if first[0].isupper() and not opens_a_sentence(text, start):
        return True
    window = max(0, start - LOOK_BACK)
    before = WORD_BEFORE.search(text, window, start)
    if before is None or not before["word"][0].isupper() or before["word"].isupper():
        return False
    asks = _ASKS_FOR_A_CODE.fullmatch(before["word"].lower()) is not None
    return not asks or not opens_a_sentence(text, before.start())


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


_A_QUANTITY_NEXT = re.compile(
    r"[ \u00a0]?(?:kWh|MWh|kW|km|kg|mg|ml|mL|mm|cm|GB|MB|TB|%|\u00b0)(?!\w)"
    r"|[ \u00a0](?i:dollars?|cents?|euros?|pounds?|points?|per|litres?|liters?|metres?|meters?"
    r"|kilometres?|kilometers?|kilograms?|units?|hours?|days?|weeks?|months?|years?|minutes?)\b"
)
"""After a number, a unit or what it measures: an amount ("order 5000 kWh", "claim 1500
dollars", "claim 1500 per year"), never a code's."""
_A_PLURAL_NEXT = re.compile(
    # maybe after a word that says what kind ("1500 parking credits"), no word of a sentence's
    # frame ("order 12345 from our shops")
    r"[ \u00a0]+(?:(?!(?:to|for|from|with|at|on|in|by|of|and|or|but|the|a|an|your|our|their|its"
    r"|this|that|these|those|my|online|today|now|here|there|again|when|if|before|after|as|so"
    r"|then|than|via|into|onto|over|under|each|every|all|any|no)\b)[a-z][a-z\-]*[ \u00a0]+)?"
    r"(?!(?:is|was|has|does|as|us|its|this|plus|less|unless|always|sometimes|perhaps|thanks"
    r"|yes)\b)[a-z]+s\b"
)
_A_VERB_NEXT = re.compile(
    # a subject, an auxiliary or "to" before a word that names a code makes it a verb: "You can
    # order 1500 tickets", "we invoice 2000 customers", "to claim 1500 points"
    r"(?i:\b(?:i|you|we|they|he|she|it|who|can|could|will|would|shall|should|may|might|must"
    r"|do|does|did|don't|doesn't|didn't|to|please|just|simply|also|[a-z]+'ll)"
    r")[ \u00a0]+$"
)


def _counts(match: re.Match[str]) -> bool:
    """Whether a number of digits after a word that names a code counts what follows it, no
    code: a unit or what it measures after it ("Order 5000 kWh", "claim 1500 dollars"), or a
    plural after it where the word is a verb, after a subject, an auxiliary or "to" ("You can
    order 1500 tickets", "we invoice 2000 customers"; not "Your order 12345 ships today")."""
    if not match["code"].isdigit():
        return False
    text, end = match.string, match.end()
    if _A_QUANTITY_NEXT.match(text, end):
        return True
    start = match.start()
    verb = _A_VERB_NEXT.search(text, max(0, start - LOOK_BACK), start)
    return verb is not None and _A_PLURAL_NEXT.match(text, end) is not None


def say_reference_codes(text: str) -> str:
    """``text`` with each reference code after a word that names one written to be read
    character by character in its groups, a number sign before it said "number" ("ticket
    #12345" is "ticket number 1 2 3 4 5", not "ticket hash ..."); a year that ends a name
    ("Retail Code 2019") as written."""

    def said(match: re.Match[str]) -> str:
        code = match.group("code")
        after = match.string[match.end() : match.end() + 10]
        if not is_code(code, match["name"], after) or _is_a_year_in_a_title(match):
            return match.group(0)
        if _counts(match):  # "You can order 1500 tickets", "Order 5000 kWh"
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


_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ"
    "|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI|AS|MP|AA|AE|AP"
)
_ZIP_CODE = re.compile(
    rf"(?P<state>,[ \u00a0]+(?:{_US_STATES})[ \u00a0]+)"
    r"(?P<zip>\d{5}(?:-\d{4})?)(?![\w%\u00b0]|[.,:/]\d)"
)
"""A US postal address's ZIP code, after its city and its state's two capitals ("Columbus, OH
43216", "Austin, TX 78701-1234")."""


def say_zip_codes(text: str) -> str:
    """``text`` with each ZIP code of a postal address read digit by digit, as it is said
    ("Columbus, OH 43216" is "Columbus, OH 4 3 2 1 6", not "forty-three thousand ...")."""
    return _ZIP_CODE.sub(lambda m: m["state"] + character_by_character(m["zip"]), text)
