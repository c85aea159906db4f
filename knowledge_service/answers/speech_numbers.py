"""Numbers a caller dials or keys, written so that a speech engine reads them digit by digit in
their groups: phone numbers, numbers to send a text message to, short numbers to call (see
:mod:`~knowledge_service.answers.speech` for the rest of what voice reads as meant).

A speech engine reads a number as a quantity: "1800 123 456" is "one thousand eight hundred,
one hundred and twenty-three, ...", "13 22 55" is "thirteen, twenty-two, fifty-five". A phone
number is read digit by digit in the groups it is written in: each digit apart, the groups
separated by a comma, where a speech engine pauses ("1 8 0 0, 1 2 3, 4 5 6").

A number to send a text message to, an SMS short code, is read digit by digit in its groups too:
3 to 8 digits after "text", "txt" or "SMS", or after one of those, up to four words (the message
to send, words or numbers of one or two digits) and "to", "on" or "at" ("text STOP to 12345" is
"text STOP to 1 2 3 4 5", "text 2 to 12345" is "text 2 to 1 2 3 4 5", "SMS 12345", "text us on
1999 88", "text STOP to: 12345"), or after "reply" and a message ("reply STOP to 12345"), or
after "send", "message" or "msg" and a keyword, in capitals (a letter too, or a few with "or"
between them), in quotes, written as code or after "the word" ("send STOP to 12345", "send Y to
12345", "send ON or OFF to 12345", "message 'stop' to 12345", "send the word help to 12345"; not
"send 3 copies to"); a keyword in capitals that is also a preposition is the message ("text ON
to 12345"). And each listed after one ("text 2 to 12345 or 3 to 12345", "SMS 12345 or 1999 88",
"SMS STOP to 12345 or 67890 to opt out"), and each after it with a keyword of its own ("text
START to 12345 to opt in, or STOP to 12345 to opt out"); each verb in any of its forms ("texting
STOP to 12345", "replied YES to 12345", "sent JOIN to 12345", "SMSing 12345"); not a count,
before a plural or a word for people ("sent text messages to 2000 customers", "send SMS to 2000
suppliers", "to 500 staff", "text STOP to 12345 and 200 more"; but for a word in "s" before a
pronoun or an amount, a verb: "Texting PAUSE to 12345 holds your deliveries", unless it is a
word for people, "text 2000 guests your check-in time", or the verb before the number has a
subject, "We text 2000 campers your check-in time"). So is a short number to call, three
digits after "call", "dial", "ring", "phone" or "telephone", in any of their forms ("calling",
"dialled", "rang", "telephoning"), and "us", "on" or "at" after it or not: an emergency or
service number ("call 111", "dial 611", "ring 112 or 999", "ring 112/999" is "ring 1 1 2 or
9 9 9", "call 000 or 112" is "call 0 0 0 or 1 1 2", and with a name in brackets, "call 000
(Triple Zero) or 112"), not a count ("call 500 customers"); and so is one that names its
service ("your local 911 center", "a 999 call"; not "300 calls").

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
  555-1234", "phone us on 555-1234", "Ph: 555-1234", "contact us on 555-1234", "faxed to
  555-1234") or it is listed after a phone number ("call 555-0134 or 555-1234", "555-0134,
  555-1234"); so written with a space or a dot ("call 555 0134", "call 555.0134") but for the
  leading zero; other such numbers, and any with a unit or what is counted after it
  ("100-2000 kWh", "call 555-0134, 100-2000 kWh"), stay as written;
- groups of 2 to 4 digits, 8 to 12 digits in all, that are not a quantity's thousands
  (``9876 5432``, ``555 123 4567``; not ``10 000 000``), nor a year and a number ("in 2026
  1500 customers").

An extension after a phone number ("ext. 204", "extension 12", "x204") is read digit by digit
too ("5 5 5, 0 1 3 4 ext. 2 0 4"; "x204" as "extension 2 0 4"), and so is one named alone
("the nurse line (ext. 4410)" is "(ext. 4 4 1 0)"; not a count, "an extension 30 days long").

A code keyed on a phone's keypad is read key by key, the star and the hash in words: a star or a
hash, digits and a hash ("dial *100#" is "dial star 1 0 0 hash", "*#06#", "##002#"), or digits
with a star or a hash after "press", "dial", "key", "tap" ("press #3282" is "press hash 3 2 8
2"), or capitals for the keys' letters ("dial #DATA" is "dial hash DATA"), and each listed after
one ("press *225# or #3282", "dial #DATA (#3282)" is "dial hash DATA (hash 3 2 8 2)"); not a
number with a number sign after other words ("issue #3282"). The parse keeps the
stars of one written as text ("*123*1#", :data:`~knowledge_service.content.plaintext.KEYPAD_CODE`),
which CommonMark would read as emphasis.

What is not a phone number stays as written: an amount (``$12.50``, ``$1,000``), a percentage,
a date (``01/07/2026``, ``1 July 2026``), a time (``07:30``), a year, a count ("14 days",
"1,000 kWh").
"""

from __future__ import annotations

import re

from knowledge_service.answers.speech_sentences import has_a_subject, verb_forms
from knowledge_service.content.plaintext import KEYPAD_CODE

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
# "555-0134": a North American local number, or a range ("100-2000"); "555 0134", "555.0134"
_LOCAL = r"\d{3}[\- .\u00a0]\d{4}"
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
_TO_CALL_VERBS = "|".join(
    verb_forms(stem, past=past)
    for stem, past in [
        ("call", ""), ("ring", "rang|rung"), ("phone", ""), ("telephone", ""), ("dial", ""),
        ("fax", ""), ("text", ""), ("sms", ""),
    ]
)  # fmt: skip
_CALLED_ON = re.compile(
    rf"(?i:\b(?:{_TO_CALL_VERBS}|ph|tel|mobile|mob|cell)"
    r"\b[.:]?(?:[ \u00a0]+(?:us|me|them))?(?:[ \u00a0]+(?:toll-free|free|now|today))?"
    r"(?:[ \u00a0]+(?:on|at))?"
    rf"|\b(?:{verb_forms('contact')}|{verb_forms('reach')})[ \u00a0]+(?:us|me|them)"
    r"[ \u00a0]+(?:on|at)"
    # what is faxed "to" a number, maybe with what is faxed: "faxed to", "fax your form to"
    rf"|\b{verb_forms('fax')}(?:[ \u00a0]+[^\W\d_][\w'\u2019\-]*){{0,3}}?[ \u00a0]+to"
    r"):?[ \u00a0]*$"
)
"""The words before a phone number that say it is one: "call", "call us on", "ring", "Tel:",
"Ph:", "Mobile:", "contact us on", "call us toll-free on", "call us on:", "faxed to", "fax
your form to", "send a fax to"; each verb in any of its forms ("calling", "rang us on",
"phoned", "reaching us at", "faxing")."""
_A_UNIT_NEXT = re.compile(
    r"[ \u00a0]?(?:kWh|MWh|kW|km|kg|mg|ml|mL|mm|cm|GB|MB|TB|L|m|c|p|k|\u00b0)(?!\w)"
    r"|[ \u00a0](?i:hours?|hrs?|days?|nights?|weeks?|months?|years?|minutes?|mins?|business"
    r"|working|calendar|times|litres?|liters?|metres?|meters?|kilometres?|kilometers?|units?"
    r"|items?|words?|characters?|dollars?|cents?|points?|calls|people|customers)\b"
)
"""After three digits, a hyphen and four (the four not starting with 0), a unit or what is
counted: a range ("100-2000 kWh", "100-2000 customers"), not a phone number."""
_BETWEEN = r"(?:[ \u00a0]*(?:,|/)[ \u00a0]*|,?[ \u00a0]+(?i:or|and)[ \u00a0]+)"
_LISTED = re.compile(_BETWEEN)
"""Between two numbers of a list ("555-0134 or 555-1234", "555-0134, 555-1234")."""
_READ_OUT_THEN_LISTED = re.compile(
    rf"(?<![\w.])(?<!\d[ \u00a0])(?<!\d,[ \u00a0])\d \d \d, \d \d \d \d{_BETWEEN}$"
)
"""A local number read out already, as a code ("Number: 555-0134" is "Number: 5 5 5, 0 1 3 4"),
and what lists another after it."""


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
        is_shaped = number[3] == "-" and number[4] == "0"  # "555 0134" may be "555" and "0134"
        if is_shaped:
            return True
        is_a_range = _A_UNIT_NEXT.match(match.string, match.end())  # "call ..., 100-2000 kWh"
        return (called_on is not None or listed) and not is_a_range
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


def character_by_character(code: str) -> str:
    """``INV-00123`` as ``I N V, 0 0 1 2 3`` (``2024/1234`` as ``2 0 2 4, 1 2 3 4``): each
    group's characters apart, the groups apart with a comma."""
    return ", ".join(" ".join(group) for group in re.split(r"[ \u00a0\-/]+", code))


_EXTENSION = re.compile(
    r"(?P<name>,?[ \u00a0]*(?i:(?:ext|extn)\b[.:]?|extension\b:?|(?P<x>x)(?=[ \u00a0]?\d))"
    r"[ \u00a0]*)"
    r"(?P<number>\d{1,6})(?![\w%\u00b0]|[.,:/\-\u2013]\d)"
)
"""After a phone number, its extension ("ext. 204", "extension 12", "x204"), read digit by digit
as the number is ("x204" as "extension 2 0 4")."""


_AN_EXTENSION = re.compile(
    r"(?P<name>(?i:\b(?:ext|extn)\b[.:]?|\bextension\b:?)[ \u00a0]*)(?P<number>\d{1,6})"
    r"(?![\w%\u00b0]|[.,:/\-\u2013]\d|[ \u00a0]\d)"
)
"""An extension named alone ("the nurse line (ext. 4410)", "extension 12"), not after a phone
number; but for a count after it ("an extension 30 days long")."""


def _said_extension(match: re.Match[str]) -> str:
    if _A_UNIT_NEXT.match(match.string, match.end()):
        return match.group(0)
    return match["name"] + " ".join(match["number"])


def say_phone_numbers(text: str) -> str:
    """``text`` with each phone number written to be read digit by digit in its groups; one
    followed by a time or a count of time ends with a comma ("1 3, 2 2, 5 5, 8am to 8pm"), so
    that it is not heard as one more group. A local number listed after a phone number
    ("call 555-0134 or 555-1234", "555-0134, 555-1234") is read as one too, and so is an
    extension after one ("555-0134 ext. 204" is "5 5 5, 0 1 3 4 ext. 2 0 4") or named alone
    ("the nurse line (ext. 4410)")."""
    read_up_to = -1  # where the last phone number read ends
    parts: list[str] = []
    at = 0
    while (match := _PHONE.search(text, at)) is not None:
        parts.append(text[at : match.start()])
        at = match.end()
        number = match.group(0)
        listed = (read_up_to >= 0 and bool(_LISTED.fullmatch(text, read_up_to, match.start()))) or (
            _READ_OUT_THEN_LISTED.search(text, max(0, match.start() - 40), match.start())
            is not None
        )
        if not _is_phone(match, listed=listed):
            parts.append(number)
            continue
        if match.group("north_american") and number[1] in "-.":
            number = "1" + number[2:]  # "1-800-555-0142": "1 8 0 0, 5 5 5, 0 1 4 2"
        said = _digit_by_digit(number)
        extension = _EXTENSION.match(text, at)
        if extension is not None:  # "555-0134 ext. 204": "5 5 5, 0 1 3 4 ext. 2 0 4"
            name = extension["name"]
            if extension["x"]:  # "x204": "extension 2 0 4", not "x2 0 4"
                name = name[: extension.start("x") - extension.start()] + "extension "
            said += name + " ".join(extension["number"])
            at = extension.end()
        read_up_to = at
        parts.append(said + ("," if _A_NUMBER_NEXT.fullmatch(text, at, at + 2) else ""))
    return _AN_EXTENSION.sub(_said_extension, "".join(parts) + text[at:])


_NO_PLURAL = (
    r"is|was|has|does|as|us|its|this|his|hers|ours|yours|theirs|plus|less|unless|across"
    r"|always|sometimes|perhaps|thanks|afterwards|towards|besides|whereas|yes"
)
"""Words of a sentence's frame that end in "s" and are no plural."""
_A_PLURAL = (
    rf"(?!(?:{_NO_PLURAL}"
    # what texting or calling a number does: "Texting STOP to 12345 stops all messages"
    r"|costs|charges|applies|means|gets|stops|starts|ends|opts|cancels|removes|unsubscribes"
    r"|subscribes|registers|confirms|connects|sends|returns|gives|lets|takes|works|helps"
    r"|puts|signs|turns|switches|adds|pauses|resumes|reaches|goes|comes)\b)[a-z]+s\b"
    # nor a verb by its object after it, a pronoun or an amount ("blocks all messages", "shows
    # your balance", "tops up your credit", "charges 25c"); a count is followed by other words
    # ("500 customers a day", "500 tenants a reminder", "300 drivers all over the state"), or
    # by "all" and a time, no object ("300 florists all week")
    r"(?![ \u00a0]+(?:(?:up|out|off|back)[ \u00a0]+)?(?:(?:you|your|it|its|them|us|me|my)\b"
    r"|all\b(?![ \u00a0]+(?:over|across|around|together|day|night|week|weekend|month|year|season"
    r"|term|morning|afternoon|evening|summer|autumn|winter|spring)\b)"
    r"|[$\u20ac\u00a3]\d|\d+(?:c|p)\b))"
)
"""A word in lower case that ends in "s" and is no word of a sentence's frame ("is", "unless",
"always", "thanks") nor a verb of what texting or calling a number does ("SMS to 12345 costs
25c", "Texting STOP to 12345 stops all messages"), one of those named or any before its object,
a pronoun ("you", "your", "all", ...) or an amount ("Texting PAUSE to 12345 holds your
deliveries"): a plural, what a number before it counts ("call 500 customers", "text reminders
to 300 students"). A plural before such a word is misread ("send SMS to 300 patients you
see"), but for one of people (:data:`_PEOPLE_OR_PLACES`): rarer than the verbs the list of
verbs left out."""


_PLURALS_WITHOUT_S = r"people|staff|children|men|women|personnel|folk|crew|youth|alumni|police"
_PEOPLE_OR_PLACES = (
    r"[ \u00a0]+(?:more[ \u00a0]+|other[ \u00a0]+|new[ \u00a0]+)?(?:(?i:people|persons|customers"
    r"|clients|members|users|residents|ratepayers|households|homes|businesses|properties"
    r"|premises|accounts|subscribers|recipients|contacts|numbers|phones|mobiles"
    # plurals with no "s", of which English has few: "call 300 crew each morning"
    rf"|{_PLURALS_WITHOUT_S}"
    # people a number counts whatever follows ("text 2000 guests your check-in time"): no verb
    r"|guests|donors|tenants|landlords|patients|students|pupils|parents|families|carers"
    r"|caregivers|neighbou?rs|commuters|travell?ers|passengers|riders|drivers|attendees"
    r"|employees|workers|volunteers|farmers|fans|participants|applicants|claimants|patrons"
    r"|visitors|owners|occupants|voters|readers|listeners|viewers|callers|shoppers|buyers"
    r"|sellers|suppliers|vendors|contractors|retailers|employers|teachers|doctors|nurses"
    r"|agents|officers|managers|investors|borrowers|lenders|policyholders|holders"
    r"|beneficiaries|retirees|pensioners|seniors|adults|teenagers|locals|citizens|taxpayers"
    r"|consumers|learners|trainees|graduates|colleagues|dependa[nt]ts|athletes|players"
    # and by their endings: "technicians", "florists" (not "lists", "assists", "exists", ...)
    r"|[a-z]+ians|(?!(?:en|short|black|white|wait|check|wish|play)?lists\b"
    r"|(?:as|ex|in|per|re|con|sub|de|coex)sists\b|twists\b)"
    r"[a-z]+ists)\b"
    rf"|{_A_PLURAL})"
)
"""After a number, what makes it a count ("sent text messages to 2000 customers", "send SMS to
2000 suppliers", "to 500 staff", "call 300 donors all week"), not a number to text or to call:
a word for people, whatever follows it ("text 2000 guests your check-in time"), or another
plural (:data:`_A_PLURAL`); after a verb with a subject, any plural (:func:`_counts`)."""
_MESSAGE_WORD = (
    # "to", "on" or "at" is the number's preposition, but a keyword in capitals ("text ON to
    # 12345", "reply AT to 12345") is the message
    r"[ \u00a0]+(?!(?:[Tt]o|[Oo]n|[Aa]t)\b)(?:[^\s\d]\S*|\d{1,2}\b(?![.,:/\-\u2013]\d))"
)
"""A word of the message sent before the number to text: a word, or a number of one or two
digits ("text 2 to 12345")."""
_A_KEYWORD = (
    r"(?:[\"'\u201c\u2018]?(?!UP[ \u00a0]+TO\b|I\b)[A-Z][A-Z0-9]*[\"'\u201d\u2019]?"
    r"|[\"'\u201c\u2018][^\W\d_]+[\"'\u201d\u2019]"
    # or text written as code, which stands in as marks of no letter or digit ("`STOP`")
    r"|[\ue000-\uf8ff]+)(?![\w\ue000-\uf8ff])"
)
"""A keyword to send in a text message: a word or a letter in capitals ("STOP", "HELP", "ON",
"Y"; not the "UP" of "UP TO 5000" nor "I"), in quotes ("'stop'") or written as code."""
_KEYWORD = rf"[ \u00a0]+{_A_KEYWORD}"
_KEYWORDS = rf"{_KEYWORD}(?:(?:[ \u00a0]*,|[ \u00a0]+(?i:or|and))?{_KEYWORD}){{0,2}}"
"""One keyword or a few, maybe with "or" between them ("send ON or OFF to 12345")."""
_CODE_TO_TEXT = (
    r"(?P<code>\d{3,8}|\d{2,4}(?:[ \u00a0]\d{2,4}){1,2})"
    rf"(?![\w%\u00b0]|[.,:/\-\u2013]\d|{_GAP}\d|{_PEOPLE_OR_PLACES})"
)
_TO_TEXT = re.compile(
    # each verb in any of its forms: "texting STOP to 12345", "replied YES to 12345"
    rf"(?P<name>(?:(?i:\b(?:{verb_forms('text')}|{verb_forms('txt')}|{verb_forms('sms')})\b)"
    rf"(?:(?:{_MESSAGE_WORD}){{0,4}}?[ \u00a0]+(?i:to|on|at))?"
    # "reply STOP to 12345": a message, then the number (not "we reply to 1500 emails")
    rf"|(?i:\b{verb_forms('reply')}\b)(?:{_MESSAGE_WORD}){{1,4}}?[ \u00a0]+(?i:to|on|at)"
    # "send STOP to 12345": a keyword, then the number (not "send $200 to", "send 3 copies to")
    rf"|(?i:\b(?:{verb_forms('send', past='sent')}|{verb_forms('message')}|{verb_forms('msg')})\b)"
    r"(?:[ \u00a0]+(?i:the|word|keyword|code))*"
    # a keyword, or any word named as one ("send the word help to 12345")
    rf"(?:{_KEYWORDS}|(?<=(?i:word))[ \u00a0]+[^\W\d_]+)[ \u00a0]+(?i:to|on|at)"
    r"):?[ \u00a0]+)"
    rf"{_CODE_TO_TEXT}"
)
_LISTED_TO_TEXT = re.compile(
    # after a number to text, another ("or 3 to 12345", "or 1999 88"): maybe with its message
    r"(?P<name>(?:[ \u00a0]*/[ \u00a0]*|(?:[ \u00a0]*,|,?[ \u00a0]+(?i:or|and))"
    rf"(?P<message>(?:{_MESSAGE_WORD}){{0,4}}?[ \u00a0]+(?i:to|on|at))?[ \u00a0]+))"
    rf"{_CODE_TO_TEXT}"
)
_KEYWORD_TO_TEXT = re.compile(
    rf"(?P<name>(?<![\w\ue000-\uf8ff]){_A_KEYWORD}(?:{_KEYWORD}){{0,2}}"
    r"[ \u00a0]+(?i:to|on|at):?[ \u00a0]+)"
    rf"{_CODE_TO_TEXT}"
)
"""After a number to text, another with its keyword: "text START to 12345 to opt in, or STOP to
12345 to opt out"."""
"""After a number to text, another listed: "text 2 to 12345 or 3 to 12345", "SMS 12345 or
1999 88"; one with no "to" before it ends its clause or goes on to what the text is for ("or
67890 to opt out"); "and 200 more" is a count."""
_A_WORD_NEXT = re.compile(
    r"[ \u00a0]+(?!(?:to|for|if|when|from|instead|anytime|now|today)\b(?![ \u00a0]*\d))[a-z]"
)
"""After a number listed after a number to text, a word that makes it a count ("and 200
more"), not one that goes on to what the text is for or when ("or 67890 to opt out", "or
67890 for help", "or 67890 anytime")."""


_TO_CALL = re.compile(
    rf"(?P<name>(?i:\b(?:{verb_forms('call')}|{verb_forms('dial')}"
    rf"|{verb_forms('ring', past='rang|rung')}|{verb_forms('phone')}"
    rf"|{verb_forms('telephone')})\b)"
    r"(?:[ \u00a0]+(?i:us|me|them))?"
    r"(?:[ \u00a0]+(?i:on|at))?:?[ \u00a0]+)"
    # each maybe with its name in brackets: "call 000 (Triple Zero) or 112"
    r"(?P<numbers>\d{3}(?:(?:[ \u00a0]\([^()\d\n]{1,40}\))?"
    r"(?:/|,?[ \u00a0](?i:or|and)[ \u00a0]|,[ \u00a0])\d{3})*)"
    r"(?![\w%\u00b0]|[.,:/\-\u2013]\d|[ \u00a0]\d"
    rf"|{_PEOPLE_OR_PLACES})"
)
"""A short number to call: an emergency or service number ("call 111", "dial 611", "ring 112 or
999", "ring 112/999", "call 000 or 112", "call 000 (Triple Zero) or 112"); not a count ("call
500 customers")."""


_COUNTED = re.compile(
    r"[ \u00a0]+(?:(?:more|other|new)[ \u00a0]+)?"
    rf"(?:{_PLURALS_WITHOUT_S}|(?!(?:{_NO_PLURAL})\b)[a-z]+s)\b"
)
"""After a verb's number, a plural, whatever follows it."""


def _counts(match: re.Match[str]) -> bool:
    """Whether the number after a verb of texting or calling counts what follows it: a plural
    after the number of a verb that has a subject or an auxiliary before it ("We text 2000
    campers your check-in time", "staff call 300 golfers you nominate", "we'll text 500
    jurors it is cancelled"), whatever follows the plural; the verb's object is the number,
    and the word after it no verb of the sentence, as it may be after a verb that opens one
    ("Texting PAUSE to 12345 holds your deliveries", :data:`_A_PLURAL`)."""
    counted = _COUNTED.match(match.string, match.end())
    return counted is not None and has_a_subject(match.string, match.start("name"))


def _said_to_call(match: re.Match[str]) -> str:
    if _counts(match):  # "we call 300 golfers you nominate"
        return match.group(0)
    numbers = re.sub(r"\d+", lambda m: " ".join(m.group(0)), match.group("numbers"))
    return match.group("name") + re.sub(r"(?<=\d)/(?=\d)", " or ", numbers)


def _is_listed_to_text(listed: re.Match[str]) -> bool:
    """Whether a number listed after a number to text is one too: with its own "to" ("or 3 to
    12345"), ending its clause ("or 1999 88.") or going on to what the text is for ("or 67890
    to opt out", "for help"), not a count ("and 200 more")."""
    if sum(c.isdigit() for c in listed.group("code")) > 8:
        return False
    return bool(listed.group("message")) or not _A_WORD_NEXT.match(listed.string, listed.end())


def _next_to_text(text: str, at: int, introduced: bool) -> re.Match[str] | None:
    """The next number to text from ``at``: after "text", "SMS", "reply STOP", ...
    (:data:`_TO_TEXT`) or, once one was, after a keyword alone ("or STOP to 12345 to opt out",
    "or STOP to 12345 or 67890", :data:`_KEYWORD_TO_TEXT`; not a count, "GST to 2000
    invoices")."""
    match = _TO_TEXT.search(text, at)
    end = len(text) if match is None else match.start()
    while introduced and (keyword := _KEYWORD_TO_TEXT.search(text, at, end)) is not None:
        listed = _LISTED_TO_TEXT.match(text, keyword.end())  # "or STOP to 12345 or 67890"
        if not _A_WORD_NEXT.match(text, keyword.end()) or (
            listed is not None and _is_listed_to_text(listed)
        ):
            return keyword
        at = keyword.start() + 1
    return match


def say_numbers_to_text(text: str) -> str:
    """``text`` with each number to send a text message to, an SMS short code ("text STOP to
    12345", "SMS 12345", "text us on 1999 88"), written to be read digit by digit in its
    groups, as a phone number is, and so each listed after it ("text 2 to 12345 or 3 to
    12345"); to run after :func:`say_phone_numbers`, which reads the longer ones."""

    def said(match: re.Match[str]) -> str:
        digits = sum(c.isdigit() for c in match.group("code"))
        if digits > 8 or (match.re is _TO_TEXT and _counts(match)):
            return match.group(0)
        then = match.string[match.end() : match.end() + 2]
        comma = "," if _A_NUMBER_NEXT.fullmatch(then) else ""  # "1 2 3 4 5, 24 hours a day"
        return match.group("name") + character_by_character(match.group("code")) + comma

    parts: list[str] = []
    at = 0
    introduced = False
    while (match := _next_to_text(text, at, introduced)) is not None:
        parts += [text[at : match.start()], said(match)]
        at = match.end()
        if parts[-1] == match.group(0):
            continue
        introduced = True
        # "text 2 to 12345 or 3 to 12345": each number listed after it is one to text too
        while (listed := _LISTED_TO_TEXT.match(text, at)) is not None and _is_listed_to_text(
            listed
        ):
            parts.append(said(listed))
            at = listed.end()
    return "".join(parts) + text[at:]


_KEYS = re.compile(r"(?=[\d*#]*[*#])(?=[*#]*\d)[\d*#]+")  # digits with a star or a hash
_SPELLED_KEYS = r"[*#]{1,3}[A-Z]{2,12}#?"  # "#DATA", "*BAL#": the letters of the keys
_KEY_NAMES = {"*": "star", "#": "hash"}
_KEYPAD_CODE = re.compile(
    # a code for a phone's network, by its shape: a star or a hash, keys, a hash ("*100#",
    # "*#06#", "#31#", "*123*1#")
    rf"(?<![\w*#])(?P<code>{KEYPAD_CODE})(?![\w*#])"
    # or keys with a star or a hash after a word that asks for them ("press #3282", "dial *225",
    # "key in 1#"), or spelled in capitals ("dial #DATA")
    r"|(?P<name>(?i:\b(?:press|dial|key(?:[ \u00a0]+in)?|tap|punch[ \u00a0]+in)\b):?[ \u00a0]+)"
    rf"(?P<keys>{_KEYS.pattern}|{_SPELLED_KEYS})(?![\w*#]|[.,:/\-\u2013]\d)"
)
_LISTED_KEYS = re.compile(
    # after a keypad code, another: "press *225# or #3282", "dial #DATA (#3282)"
    r"(?P<name>[ \u00a0]*,[ \u00a0]*|,?[ \u00a0]+(?i:or|and)[ \u00a0]+|[ \u00a0]*\((?=[^()]*\)))"
    rf"(?P<keys>{_KEYS.pattern}|{_SPELLED_KEYS})(?![\w*#]|[.,:/\-\u2013]\d)"
)


def said_keys(keys: str) -> str | None:
    """Keys of a phone's keypad, digits and a star or a hash ("*123*1#"), key by key, the star
    and the hash in words ("star 1 2 3 star 1 hash"); None for what is no such code."""
    if not _KEYS.fullmatch(keys):
        return None
    return " ".join(_KEY_NAMES.get(key, key) for key in keys)


def _said_keys(keys: str) -> str:
    """Keys as :func:`said_keys` says them, and the letters of keys spelled in capitals as a
    word ("#DATA" is "hash DATA")."""
    return " ".join(_KEY_NAMES.get(key, key) for key in re.findall(r"[A-Z]+|.", keys))


def say_keypad_codes(text: str) -> str:
    """``text`` with each code keyed on a phone's keypad read key by key, a star and a hash in
    words ("dial *100#" is "dial star 1 0 0 hash", "press #3282" "press hash 3 2 8 2", "dial
    #DATA" "dial hash DATA"), not as a number ("three thousand two hundred ...") with its
    signs read as the speech engine pleases, and so each listed after one ("press *225# or
    #3282", "dial #DATA (#3282)"); to run before :func:`say_phone_numbers`, which would read
    the digits of "##002#" as a number that starts with 0."""
    parts: list[str] = []
    at = 0
    while (match := _KEYPAD_CODE.search(text, at)) is not None:
        parts += [text[at : match.start()], match["name"] or ""]
        parts.append(_said_keys(match["code"] or match["keys"]))
        at = match.end()
        while (listed := _LISTED_KEYS.match(text, at)) is not None:
            parts += [listed["name"], _said_keys(listed["keys"])]
            at = listed.end()
    return "".join(parts) + text[at:]


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
