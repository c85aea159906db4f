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
code ("1+800 ...", "+61%20..."), marked with an "x" ("x4111...", a card's tail "xxxx4111"), or read
out in words ("four one one one, ..."; read out, six digits are enough: :data:`MIN_SPOKEN_NUMBER`).
Short numbers (amounts, counts, days), dates and the few long numbers that carry a question's
meaning (a date run together, a range of years or of dates, an amount with cents) are kept: they
identify nobody.

Pure functions only: no I/O, no state. Checksums come from python-stdnum.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from urllib.parse import parse_qsl, quote, unquote, urlencode

from stdnum import iban as stdnum_iban
from stdnum.au import tfn as stdnum_tfn

from knowledge_service.first_names import FIRST_NAMES


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


# every character RFC 5322 allows but ".", and letters of any script (RFC 6531)
_LOCAL_CHARS = r"\w!#$%&'*+/=?^`{|}~\-"
# A run of them, at most 64 (RFC 5321's limit for a whole local part) and never given back
# (possessive): a long run with no "@" after it (a 60,000-character query string) is then
# given up in time proportional to its length, not to its square, which once let one request
# hold the server's interpreter for minutes.
_LOCAL_PART = rf"[{_LOCAL_CHARS}]{{1,64}}+"
# A dot as typed or as said ("jo dot bloggs", "example (dot) com"); in a local part, a said
# underscore, dash or hyphen joins too ("jo underscore bloggs").
_SAID_DOT = r"\s+dot\s+|\s*[\[({<]\s*dot\s*[\])}>]\s*"
_LOCAL_JOIN = rf"\s+\.\s+|\.|{_SAID_DOT}|\s+(?:underscore|dash|hyphen)\s+"
_LOCAL = rf"{_LOCAL_PART}(?:(?:{_LOCAL_JOIN}){_LOCAL_PART}){{0,8}}"
_LABEL = r"(?:[^\W_]|-)+"  # a domain's label, in any script ("bücher")
# An address with its "@" percent-encoded, once or more ("jane.doe%40example.com", "%2540"):
# how a form or a client sends it, and how it reads when a query is encoded twice. Its mailbox
# has a letter and it ends in a top-level domain of letters ("+%4046.09,6.65" in a map link is
# coordinates).
_ENCODED_LOCAL_PART = _LOCAL_PART.replace("%", "")  # a run ends at the encoded "@"
_PERCENT_EMAIL = re.compile(
    rf"(?<![\w.%+\-])(?=[\w.+\-]*[^\W\d_]){_ENCODED_LOCAL_PART}(?:\.{_ENCODED_LOCAL_PART}){{0,8}}"
    rf"%(?:25)*40{_LABEL}(?:\.{_LABEL})*\.[^\W\d_]{{2,}}(?![\w\-])",
    re.IGNORECASE,
)
# An address read out, as voice transcripts write it: "jo dot bloggs at example dot com",
# "jo.bloggs at example.com.au". "at" and "dot" are ordinary English ("meet me at home dot",
# "look at this dot point"), so the address must end in a top-level domain: a generic one, a
# country's (but a country code that is also an English word, "it", "is", "me", "no", only
# typed, "example.it", or after a second-level domain, "example dot co dot in"). A local part
# that is a word of the sentence ("reach me at", "log in at", "I work at") is no address.
_GENERIC_TLDS = (
    "com net org gov edu mil int info biz name pro mobi asia io co ai app dev tv xyz online site "
    "shop store tech cloud email live blog news page club"
)
_COUNTRY_TLDS = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs "
    "bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee "
    "eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm "
    "hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb "
    "lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my "
    "mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro "
    "rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st sv sx sy sz tc td tf tg th tj tk tl "
    "tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
)
_ENGLISH_COUNTRY_TLDS = frozenset(
    _word_list("ad am as at be by do id in is it la me mr ms my no pm re so st to us")
)
TOP_LEVEL_DOMAINS = frozenset(_word_list(_GENERIC_TLDS) + _word_list(_COUNTRY_TLDS))
"""The generic and country top-level domains an address may end in (also what voice rendering
takes for a web address written without ``https://`` or ``www.``)."""
WORD_TOP_LEVEL_DOMAINS = _ENGLISH_COUNTRY_TLDS
"""Country codes that are also English words ("it", "is", "me", "no"): alone after a dot they
may be a sentence run together, not an address."""
_SAID_TLD = "|".join(
    _word_list(_GENERIC_TLDS)
    + [c for c in _word_list(_COUNTRY_TLDS) if c not in _ENGLISH_COUNTRY_TLDS]
)
_EMAIL = re.compile(
    # Dots join the local part's runs, written bare or with spaces on both sides ("jane . doe");
    # a sentence's full stop ("Thanks. jo@...") has no space before it, so it stays. In the
    # domain a dot may also have a space before it only ("example .com"), or after it only
    # when a top-level domain follows ("example. com"): a full stop after the address
    # ("jo@example.com. Please call") ends it, and the next sentence's word stays. A comma
    # typed for the dot before "com", "net", "org", "edu", "gov", "au", "uk" or "nz", or a
    # space before one of the first five, in lower case, is that dot ("john@gmail,com",
    # "jo@gmail com", "jo@bigpond,com,au": typed on a phone, the whole address was kept; "au"
    # after a space may be French). (A quote around it is the writer's: :func:`_email`.)
    rf"{_LOCAL}"
    r"\s*(?:@|[\[({<]\s*at\s*[\])}>])\s*"
    rf"{_LABEL}(?:(?:\s*\.(?!\s)|\s+\.\s*|\.\s+(?=(?-i:{_SAID_TLD})(?![\w\-]))|{_SAID_DOT}"
    r"|(?:,|\s+)(?=(?-i:com|net|org|edu|gov)(?![\w\-]))|,(?=(?-i:au|uk|nz)(?![\w\-])))"
    rf"{_LABEL})+",
    re.IGNORECASE,
)


def _email(match: re.Match[str], placeholder: str) -> str:
    """What an address :data:`_EMAIL` found is stored as: a quote that opens it and closes
    after it is the writer's and stays ("'jo@example.com'"); one with no closing quote after
    the address, or a mailbox of quotes alone ("`0@example.com", "'@example.com": RFC 5322
    allows both), is the mailbox's and goes with it."""
    value = match.group(0)
    quote = value[0]
    closed = match.string[match.end() : match.end() + 1] == quote
    if quote in "'`" and closed and value[1:2] not in ("@", "'", "`"):
        return quote + placeholder
    return placeholder


_SECOND_LEVEL = r"(?:com|co|net|org|gov|edu|ac|asn|id)"
_NOT_A_MAILBOX = (
    r"(?:i|me|us|you|him|her|them|it|this|that|there|here|in|on|up|out|look|looked|looking|log"
    r"|logged|login|sign|signed|online|available|live|lives|living|work|works|working|stay"
    r"|staying|meet|email|e-mail|mail|reach|contact|write|call|text|message|sent|send|home)"
)
_SAID_EMAIL = re.compile(
    rf"(?<![{_LOCAL_CHARS}.@])(?!{_NOT_A_MAILBOX}\s+at\b){_LOCAL}"
    r"\s+at(?:\s+(?:sign|symbol))?\s+"
    rf"{_LABEL}(?:(?:\.|{_SAID_DOT}){_LABEL})*"
    rf"(?:(?:\.|{_SAID_DOT})(?:{_SECOND_LEVEL}(?:\.|{_SAID_DOT})[a-z]{{2}}|{_SAID_TLD})"
    r"|\.[a-z]{2})(?![A-Za-z0-9\-])",
    re.IGNORECASE,
)
# A mailbox read out with spaces inside it ("my email is john smith at gmail dot com", "it's j o
# h n at ..."): an address pattern can only take the word before "at", so the words between a
# cue that gives an e-mail address and the address are its mailbox too, and so is a run of
# single letters or digits spelled out before it.
_EMAIL_CUE_WORDS = re.compile(
    r"(?P<cue>\be-?mail(?:\s+address)?(?:\s*(?:is|was|[:=\-])|'s)\s*"
    r"|\be-?mail\s+(?:me|us)\s+(?:at|on|to)\s+)"
    r"(?:[A-Za-z0-9_'\-]+\s+){1,4}(?=\[EMAIL\])",
    re.IGNORECASE,
)
_SPELLED_MAILBOX = re.compile(r"(?<!\S)(?:[A-Za-z0-9]\s+){2,64}+(?=\[EMAIL\])")
# The service's own API keys (``ks_<12 hex prefix>_<secret>``, see ``access.service``): a key
# pasted into a URL or a question must not reach a log or the store either.
_API_KEY = re.compile(r"(?<![A-Za-z0-9])ks_[0-9a-f]{12}_[A-Za-z0-9_\-]{16,}")
# A password, passcode or PIN a customer types ("password is Hunter2!", "my pin is 4321", "PIN:
# 0000"): the value after the word goes. After "is", "was", ":" or "=" any word but one that
# says how it is ("my PIN is blocked", "password is not working", "was rejected"); straight
# after the word only a value with a digit ("pin 4321", but "my pin blocked"). "security code"
# is a card's (``[CARD_CODE]``) when it is three or four digits.
_SECRET_LEAD_IN = (
    r"\b(?:pass\s?words?|passwd|passcodes?|pass\s?phrase|pins?(?:\s+(?:number|no\b\.?|code))?"
    r"|security\s+(?:code|answer|word)(?!\s*(?:is|was|[:#=\-])?\s*\d{3,4}\b)"
    r"|(?:login|log-?in|sign-?in|account)\s+password)"
)
_SECRET = re.compile(
    rf"{_SECRET_LEAD_IN}(?:\s*(?P<is>\bis\b|\bwas\b|[:=])\s*|\s+)"
    # a number in groups goes whole ("my pin 0412 345 678" once kept "345 678"), then one word
    r"(?!\[[A-Z_]+\])(?P<value>\d+(?:[ \-./_]{1,3}\d+)+(?![^\s.,;:?!)])"
    r"|[^\s.,;:?!)]\S*[^\s.,;:?)]|[^\s.,;:?!)])",  # not a placeholder
    re.IGNORECASE,
)
_SECRET_BEFORE = re.compile(rf"{_SECRET_LEAD_IN}\s*(?:\bis\b|\bwas\b|[:=])?\s*$", re.IGNORECASE)
SECRET_LEAD_IN_REACH = 100
"""How far before a value its secret's words are looked for (they are at most a few words):
looking through all the text before every run of digit words read out cost time in the square
of a long text's length."""


def _secret_before(text: str, end: int) -> bool:
    """Whether a password's, passcode's or PIN's words end ``text`` just before ``end``."""
    return _SECRET_BEFORE.search(text, max(0, end - SECRET_LEAD_IN_REACH), end) is not None


_SECRET_STATES = frozenset(
    _word_list(
        """blocked locked unlocked expired invalid wrong incorrect correct working broken reset
    forgotten forgot needed required missing same different too not already still case long
    short changed new old weak strong easy simple hard secure safe fine good bad right being
    set sent also just only never always there mandatory optional compulsory usually valid
    case-sensitive temporary"""
    )
)


def _secret(match: re.Match[str]) -> bool:
    """Whether a match of :data:`_SECRET` gives a value (not how the secret is)."""
    value = match.group("value")
    word = value.lower().rstrip("!")
    if match.group(0)[:3].lower() == "pin" and not any(c.isdigit() for c in value):
        return False  # a PIN is digits: "a PIN is valid for 7 days"
    if match.group("is"):  # "was rejected", "is expiring": how it is, not what
        state = word.isalpha() and word.islower() and word.endswith(("ed", "ing"))
        return len(value) >= 3 and not state and word not in _STOP_WORDS | _SECRET_STATES
    return any(c.isdigit() for c in value) and len(value) >= 3


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

# Last, a card whose groups a bare "%" splits where the rules above read an encoded separator
# and found no number ("0000%2000%2100%0001" reads "0000", "%20", "00", "%21", ...: its middle
# groups were kept): what is left of the text read again with the "%" as a typed symbol.
_CARD_IN_PERCENT_GROUPS = re.compile(
    r"(?<![\w%])\d{4}(?P<sep> ?% ?)\d{3,6}(?:(?P=sep)\d{3,6}){1,4}(?![\w%])"
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


# --- Personal data told in words: found by what is said around it --------------------------
#
# A name, an address, a date of birth or an account number has no shape of its own (a name is a
# word, an account number may be six digits), so these are found by their lead-in ("my name is",
# "I live at", "date of birth", "account number") or, for a street address, by a house number
# followed by a street name and a street type. Words that cannot be a name or a street stop a
# value early, so "my name is wrong on my bill" keeps its words.


_STOP_WORDS = frozenset(
    _word_list(
        """a about after also am an and any are as at be because been being but by can cause cos
    could did do does for from had has have he her here his how i i'd i'll i'm i've im in is it
    it's its just me my no not now of ok okay on only or our please pls she so still that the
    their them then there they this to too under up was we were what when where which who why
    will with would you your yours already also changed correct different incorrect listed
    misspelled misspelt missing printed right shown showing spelled spelt wrong written
    speaking calling here thanks thank hi hello hey dear"""
    )
)
# Words that say how to reach someone end a name when written in lower case and followed by a
# number or by whom to reach ("my name is Margaret Thornbury ring 0412 ..." kept "ring" in the
# name); capitalised or alone, they may be a surname ("Anna Ring", "my name is anna ring") and
# stay in it: a name is over-redacted rather than half kept.
_CONTACT_WORDS = frozenset(
    _word_list("call ring phone text txt sms email e-mail contact reach mobile mob tel ph number")
)
_CONTACT_FOLLOWS = re.compile(r"[ :]+(?:[+(\d[]|(?:me|us|back|on|at|my|him|her)\b)")
_UNITS = frozenset(
    _word_list(
        """hour hours hr hrs minute minutes min mins day days week weeks month months year years
    time times dollar dollars buck bucks cent cents km kms kilometre kilometres kilometer kilometers
    metre metres meter meters mile miles people person kid kids child children bill bills
    payment payments percent kwh am pm"""
    )
)
# A name's words are letters of any script ("José María", "Åsa Öberg", "Zoë"), with "'" and "-"
_LETTER = r"[^\W\d_]"
_NAME_TOKEN = re.compile(rf"{_LETTER}\.(?=\s)|{_LETTER}(?:{_LETTER}|['\-])*")
_CAPITALISED = re.compile(r"[A-Z](?:[a-z'\-]+|\.?)(?:[A-Z][a-z'\-]+)*")  # O'Neil-Hart too


def _capitals() -> str:
    """A character class of the capital (upper- and title-case) letters of any script in the
    Basic Multilingual Plane: Python's regular expressions have no ``\\p{Lu}``."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x80, 0x10000):
        if chr(code).isupper() or chr(code).istitle():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    spans = "".join(f"\\u{a:04x}" + (f"-\\u{b:04x}" if b > a else "") for a, b in ranges)
    return f"[A-Z{spans}]"


# A letter that opens a capitalised word, in any script ("Åsa", "Ōtaki"; not "écoles")
_MAY_BE_CAPITAL = _capitals()


def _is_capitalised(word: str) -> bool:
    """Whether ``word`` is written as a name is (:data:`_CAPITALISED`), in any script: "Åsa",
    "Öberg" and "McÉwan" as "Asa", "Oberg" and "McEwan"."""
    shape = "".join("A" if c.isupper() else "a" if c.islower() else c for c in word)
    return _CAPITALISED.fullmatch(shape) is not None


# Lead-ins shared by redaction and by what a question is searched with (``_GIVEN``).
_GREETING = r"(?:hi|hello|hey|g'?day|good\s+(?:morning|afternoon|evening))"
# the longer of two sign-offs first ("best wishes" before "best"): the first that matches is taken
_THANKS = (
    r"(?:thanks|thank\s+you|thx|cheers|regards|kind\s+regards|best\s+regards|best\s+wishes"
    r"|best|warm(?:est)?\s+regards|yours\s+(?:sincerely|faithfully|truly)|sincerely)"
)
_BIRTH = r"(?:date\s+of\s+birth|birth\s*date|d\.?o\.?b\b\.?|birthday|born(?:\s+(?:on|in))?)"
_NUMBER_WORD = r"(?:no\b\.?|number|num|\#|id|code)"
_LIVE_AT = (
    r"(?:(?:i|we)\s+live\s+|i'?m\s+|i\s+am\s+|we'?re\s+|we\s+are\s+"
    r"|(?:property|house|home)\s+(?:is\s+)?)at"
)
# "my name is", "the account holder's name is", "name:", "I'm called", "this is X speaking".
_NAME_LEAD_IN = re.compile(
    r"\b(?:(?:(?:my|his|her|their|our|the|your)\s+(?:[a-z]+'s\s+)?|account\s+holder'?s?\s+)"
    r"(?:full\s+|first\s+|last\s+|given\s+|family\s+|middle\s+|maiden\s+|sur)?name\s+(?:is|was)"
    r"|my\s+name'?s|(?:full\s+)?name\s*[:=]|i\s+am\s+called|i'?m\s+called)\s*",
    re.IGNORECASE,
)
# Whose the account is: "the account holder is ...", "the name on the bill is ...", "the account
# is in the name of ...", and "name is" with no word before it but a message's, a line's or a
# sentence's start, a greeting and "the" ("name is Sarah Connor", "Hi, name is ...") or one of a
# person's ("the account name was ...", "customer name is ..."; but "its name is Collide" names
# an app). Only capitalised words count ("the account holder is away", "... is deceased" and
# "name is wrong on my bill" say how they are).
_HOLDER_LEAD_IN = re.compile(
    r"\b(?:account\s+holder\s*(?:is|was|[:=])|name\s+on\s+(?:the|my|our|this|that)\s+"
    r"(?:account|bill|card|contract|lease)\s+(?:is|was)|in\s+the\s+name\s+of)\s*"
    rf"|(?:(?:^|\n|[.!?,;:]\s+)\W*(?:{_GREETING}\b[,!.]?\s+)?(?:the\s+)?|\b(?:the\s+)?(?:account|customer"
    r"|client|caller|contact|member|tenant|resident|person'?s|holder'?s)\s+)name\s+(?:is|was)\s*",
    re.IGNORECASE,
)
# A greeting then "I'm" / "this is", "this is ... speaking", or a sign-off at the end: only
# capitalised words count ("it's dark in here" names nobody).
_GREETING_LEAD_IN = re.compile(
    rf"\b(?:{_GREETING}\b[,!.]?\s+(?:i'?m|i\s+am|this\s+is|it'?s)"
    rf"|(?:this\s+is|it'?s)(?=\s+(?:(?:{_LETTER}|['\-])+\s+){{1,3}}(?:speaking|here|calling)\b))\s+",
    re.IGNORECASE,
)
# A message, line or sentence that opens "This is" and a name of two or three capitalised words,
# closed by a comma or a full stop or followed by "from" or "and" ("This is Jo Bloggs, my bill
# is late"; after a greeting one word is enough: :data:`_GREETING_LEAD_IN`). "this is my bill"
# and "This is Urgent." name nobody.
_THIS_IS = re.compile(
    r"(?:^|\n|[.!?]\s+)\W*this\s+is\s+"
    rf"(?=(?-i:{_MAY_BE_CAPITAL}(?:{_LETTER}|['\-])+)(?:\s+(?-i:{_MAY_BE_CAPITAL})(?:{_LETTER}|['\-])+){{1,2}}"
    r"(?:\s*[,.!;]|\s+(?:from|and)\b|\s*$))",
    re.IGNORECASE,
)
_RELATIONS = (
    r"(?:husband|wife|partner|son|daughter|mum|mom|mother|dad|father|brother|sister|grandmother"
    r"|grandfather|grandma|grandpa|nan|friend|flatmate|housemate|roommate|landlord|tenant"
    r"|neighbour|neighbor|carer|boss)"
)
# A message or a sentence (after a full stop, a question or exclamation mark, a colon, a
# semicolon or a comma) that starts "I'm" and capitalised words ("my mum says: I'm Margaret
# Thatcherson and ..."); "my husband" (a relation) and capitalised words; a message that starts
# with two or three capitalised words and "here", or with a greeting and one to three ("Hi,
# Jane here", "Good morning, Jane Doe here").
# Also "(you can / please) call me" and capitalised words ("call me back" and "call me on
# 0412 ..." name nobody), a mail's "From:" line, and a message, line or sentence that starts
# "Sent by", "Written by" or "Submitted by" ("Sent by Jane Smith"; but "the bill was sent by
# Origin Energy" is kept: mid-sentence, "by" names a company as often as a person).
_SENT_BY = r"(?:sent|written|submitted)\s+by"
_INTRODUCTION = re.compile(
    r"(?:^|[.!?:;,]\s+)\W*(?:i'?m|i\s+am)\s+"
    rf"|\bmy\s+{_RELATIONS}\s+"
    r"|\bcall\s+me\s+|(?:^|\n)[ \t]*from\s*:[ \t]*"
    rf"|(?:^|\n|[.!?]\s+)[ \t]*{_SENT_BY}\s*:?[ \t]*",
    re.IGNORECASE,
)
_NAME_HERE = re.compile(
    rf"^\W*(?:(?=(?:{_MAY_BE_CAPITAL}(?:{_LETTER}|['\-])+\s+){{2,3}}here\b)"
    rf"|(?i:{_GREETING}(?:\s+there)?)\b[,!.]?\s+"
    rf"(?=(?:{_MAY_BE_CAPITAL}(?:{_LETTER}|['\-])+\s+){{1,3}}here\b))"
)
_NOT_NAMES = frozenset(
    _word_list(
        """monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight
    yesterday christmas easter"""
    )
)
# A sign-off word ("thanks, Jo"), or the double dash that opens a signature ("-- Jo Bloggs",
# a mail program's "-- " line; an em dash is read as one dash, so "— Jo" needs a sign-off word).
_SIGN_OFF = re.compile(
    rf"(?:\b{_THANKS}\s*[,!.\-]?\s+|(?:^|(?<=\s))-{{2,}}\s*)(?={_LETTER})",
    re.IGNORECASE,
)
# What may follow the name of a sign-off: nothing, a line break (a signature's next line), or
# a mail program's own footer ("Sent from my iPhone", "Get Outlook for Android").
_AFTER_SIGN_OFF = re.compile(
    r"[ .!,]*(?:$|\r?\n|(?:sent\s+(?:from|via|using|with)|get\s+outlook)\b)", re.IGNORECASE
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:'\d{2}|\d{2,4})"  # "1985", "85", "'85"
# A month named between a day and a year is set off by spaces or, as forms write it, a dash, a
# slash or a dot ("14-Mar-1985", "Mar-14-1985"); a year first may be split by any of those
# ("1985/03/14", "1985.03.14") or written as East Asian dates are ("1985年3月14日").
_NAMED_MONTH_SEP = r"(?:,?\s+|\s*[/.\-]\s*)"
_DATE = (
    r"(?:\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|\d{8}"  # run together: 19850403
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of\s+|{_NAMED_MONTH_SEP}){_MONTH}\.?{_NAMED_MONTH_SEP}{_YEAR}"
    rf"|{_MONTH}\.?(?:\s+the\s+|{_NAMED_MONTH_SEP})\d{{1,2}}(?:st|nd|rd|th)?{_NAMED_MONTH_SEP}{_YEAR}"
    rf"|{_MONTH}\.?\s+\d{{4}}"
    r"|(?:19|20)\d{2})"
)
# "born on the 3rd of April 1985", "date of birth is the 3rd of april, 1985": the article stays.
_BIRTH_DATE = re.compile(
    rf"\b{_BIRTH}\s*(?:is|was|[:=\-])?\s*(?:the\s+)?(?P<value>{_DATE})(?![\d/])",
    re.IGNORECASE,
)
# A payment card's security code (CVV, CVC, CVN, CSC: PCI DSS forbids keeping it at all) and its
# expiry, given with the words that name them ("cvv 123", "security code is 1234", "the 3 digits
# on the back are 123", "expiry 12/28", "valid thru 01/2029"), whether or not the card number
# was given too. The words stay in what is stored, the value goes; without them 3 or 4 digits
# or "12/28" are an amount, a count or a date and are kept. ("card" is left out of the lead-ins:
# "my card security code is ..." is searched as "my card ...".)
_CARD_CODE_LEAD_IN = (
    r"\b(?:(?:cvv|cvc|cvn|csc)2?(?:\s*/\s*(?:cvv|cvc|cvn|csc)2?)?(?:\s*(?:code|number|no\b\.?|\#))?"
    r"|security\s+code|(?:verification|validation)\s+(?:code|number|value)"
    r"|(?:the\s+)?(?:3|4|three|four)[\s\-]+digits?\s+(?:(?:code|number)\s+)?on\s+the\s+back"
    r"(?:\s+of\s+(?:the|my|your|our)\s+card)?)"
    r"\s*(?:(?:is|are|was|were|of)\b\s*)?[:#=\-]?\s*"
)
_CARD_CODE = re.compile(
    rf"{_CARD_CODE_LEAD_IN}(?P<value>\d{{3,4}})(?!\d|[/.,\-]\d)",
    re.IGNORECASE,
)
_CARD_EXPIRY_LEAD_IN = (
    r"\b(?:(?:exp(?:iry|iration)?(?![a-z])\.?(?:\s+date)?|expires?|expiring|expired)"
    r"|(?:valid|good)\s+(?:thru|through))"
    r"\s*(?:(?:is|was|on|of)\b\s*)?[:=\-]?\s*"
)
# A month (1 to 12) and a year: MM/YY, MM/YYYY, MM-YY, M/YY, or MMYY and MMYYYY run together.
_CARD_EXPIRY = re.compile(
    rf"{_CARD_EXPIRY_LEAD_IN}"
    r"(?P<value>(?:0?[1-9]|1[0-2])\s?[/\-]\s?(?:20)?\d{2}|(?:0[1-9]|1[0-2])(?:20)?\d{2})"
    r"(?!\d|[/.\-]\d)",
    re.IGNORECASE,
)
_ACCOUNT_WORDS = (
    r"account|acct|acc|a/c|customer|client|member(?:ship)?|reference|ref|policy|invoice|nmi|mirn"
    r"|meter|crn"
)
_ID_WORDS = (
    r"concession(?:\s+card)?|pension(?:er)?(?:\s+concession)?(?:\s+card)?|health\s*care\s+card"
    r"|(?:driver'?s\s+)?licen[cs]e|passport"
)
_NAMES_MORE_THAN_A_NUMBER = frozenset(_word_list("customer client member membership meter"))
_IDENTIFIER = re.compile(
    rf"\b(?:(?P<account>{_ACCOUNT_WORDS})|{_ID_WORDS})\b"
    rf"(?P<said>\s*{_NUMBER_WORD})?\s*(?P<is>is|was|[:#=\-])?\s*"
    # a card code given with its words ("account cvc2 000") is the code's, not an account's
    rf"(?!{_CARD_CODE.pattern.replace('?P<value>', '')})"
    r"(?P<value>(?=[A-Za-z0-9/\-]*\d)[A-Za-z0-9][A-Za-z0-9/\-]*(?:[ \-.()]{1,2}\d+[A-Za-z]?\b)*)",
    re.IGNORECASE,
)

_STREET_TYPES = _word_list(
    "street st road rd avenue ave av boulevard blvd crescent cres parade pde highway hwy terrace "
    "tce esplanade esp circuit cct parkway pkwy lane ln drive dr court ct place pl close cl way"
)
# Street types from the Australia Post and USPS lists, other than the ones above: these are
# also common words ("view", "run"), so the street's name and type must be capitalised.
_STREET_TYPES_CAPITALISED = _word_list("""
    access alley alleyway amble anchorage approach arcade artery basin beach bend block
    brace brae branch break bridge broadway brook brooks brow burg burgs bypass byway camp
    canyon cape causeway center centers centre centreway chase circle circles circlet circus
    cliff cliffs club colonnade common concourse copse corner corners corso course courts
    courtyard cove coves creek crest cross crossing crossroad crossway cruiseway cul-de-sac
    curve cutting dale dam dell deviation dip distributor divide drives driveway edge elbow
    end entrance estate estates expressway extension extensions fairway fall falls ferry
    field fields firetrail flat flats follow footway ford fords foreshore forest forge
    forges fork forks formation fort freeway front frontage gap garden gardens gate gates
    gateway glade glen glens grange green greens ground grove groves gully harbor harbors
    harbour haven heights highroad hill hills hollow inlet interchange intersection island
    islands isle junction junctions key keys knoll knolls lake lakes land landing laneway
    lees light lights line link little loaf lock locks lodge lookout loop lower mall manor
    manors meadow meadows meander mew mews mill mills mission motorway mount mountain
    mountains neck nook orchard outlook oval overpass park parklands parks parkways part
    pass passage path pathway piazza pike pine pines plain plains plateau plaza pocket point
    points port ports prairie promenade quad quadrangle quadrant quay quays radial ramble
    ramp ranch range rapid rapids reach reserve rest retreat ride ridge ridges ridgeway ring
    rise river riverway riviera roads roadside roadway ronde rosebowl rotary round route row
    rue run shoal shoals shore shores siding skyway slope sound spring springs spur spurs sq
    square squares stairs station steps strand stravenue stream streets strip subway summit
    tarn thoroughfare throughway tollway top tor towers trace track trafficway trail trailer
    triangle trunkway tunnel turn turnpike underpass union unions upper vale valley valleys
    via viaduct view views village villages villas ville vista wade walk walks walkway wall
    ways well wells wharf wynd
""")
# A street's or a suburb's words, in any script ("Åkerby Street", "7 Ōtaki Road, Wellington")
_NAME_WORD = rf"{_LETTER}(?:{_LETTER}|['\-])*"
_PLACE_WORD = rf"{_MAY_BE_CAPITAL}(?:{_LETTER}|['\-])+"
_UNIT = r"(?:unit|u|flat|apt|apartment|suite|level|lot|shop|studio)\.?\s*\d+[a-z]?\s*[,/]?\s*"
_HOUSE = r"\d{1,5}[a-z]?(?:\s*[/\-]\s*\d{1,5}[a-z]?)?"
# A town (capitalised words), a state (AU's, by its letters or its name, or two capitals) and
# a postcode after an address: "Fitzroy VIC 3065", "Fitzroy, Victoria 3065", "Fitzroy 3065",
# "in Fitzroy 3065", "Springfield, IL 62701", "London [ADDRESS]" (a UK postcode, redacted
# first); or a town alone where the sentence or clause ends ("12 Smith Street Fitzroy."). A
# capitalised word that starts a sentence's next part ("In 2026", "Thanks") is no town.
_STATE = (
    r"(?-i:NSW|VIC|QLD|SA|WA|TAS|NT|ACT|[A-Z]{2}|New\s+South\s+Wales|Victoria|Queensland"
    r"|South\s+Australia|Western\s+Australia|Tasmania|Northern\s+Territory"
    r"|Australian\s+Capital\s+Territory)\b"
)
_NOT_A_TOWN = (
    r"(?!(?-i:In|On|At|And|But|Or|So|The|I|I'm|My|We|Our|From|To|For|Since|Until|Is|Was|Are"
    r"|Please|Thanks|Thank|Cheers|Regards|Why|How|What|When|Where|Who|Can|Could|Would|Will|Do"
    r"|Does|Did|Hi|Hello)\b)"
)
_TOWN = rf"{_NOT_A_TOWN}(?-i:{_PLACE_WORD}(?:,?\s+{_NOT_A_TOWN}{_PLACE_WORD}){{0,2}})"
_POSTCODE = r"(?:\d{4,5}\b|\[ADDRESS\])"
_LOCALITY = (
    rf"(?:,?\s*{_TOWN}\s*,?\s*{_STATE}\s*,?\s*{_POSTCODE}?"
    rf"|,?\s*(?:in\s+)?{_TOWN}\s*,?\s*{_POSTCODE}"
    rf"|,?\s*{_TOWN}(?=\s*(?:[.;!?\n]|,\s|$)))"
)
_STREET = re.compile(
    rf"(?<![\w/.$])(?<!\d[ \-./()])(?:{_UNIT})?{_HOUSE}"
    rf"\s+(?P<words>(?:{_NAME_WORD}\s+){{1,3}}?)"
    rf"(?P<type>right\s+of\s+way|{'|'.join(_STREET_TYPES + _STREET_TYPES_CAPITALISED)})\b"
    r"(?:\s+(?-i:NE|NW|SE|SW|N|S|E|W)\b\.?)?"  # a direction after the type ("Avenue NW")
    r"(?:,?\s*(?:apt|apartment|suite|unit|flat|ste)\.?\s*\d+[a-z]?\b)?"
    rf"{_LOCALITY}?",
    re.IGNORECASE,
)
# After "I live at" or "my address is", a town and its state or postcode typed in lower case
# ("my address is 12 smith street fitzroy vic 3065"): the words a lead-in gives are the
# address's, in any case, so long as none is a word of the sentence (:data:`_STOP_WORDS`).
_AU_STATE_ANY_CASE = (
    r"(?:nsw|vic|qld|sa|wa|tas|nt|act|new\s+south\s+wales|victoria|queensland"
    r"|south\s+australia|western\s+australia|tasmania|northern\s+territory"
    r"|australian\s+capital\s+territory)\b"
)
_TOLD_LOCALITY = re.compile(
    rf",?\s*(?:in\s+)?(?P<words>{_NAME_WORD}(?:,?\s+{_NAME_WORD}){{0,2}}?)\s*,?\s*"
    rf"(?:{_AU_STATE_ANY_CASE}(?:\s*,?\s*\d{{4,5}}\b)?|\d{{4,5}}\b)",
    re.IGNORECASE,
)


def _told_locality_end(text: str, end: int) -> int:
    """Where an address a lead-in gave ends, with a town and its state or postcode after its
    street in any case (:data:`_TOLD_LOCALITY`)."""
    match = _TOLD_LOCALITY.match(text, end)
    if match is None:
        return end
    words = re.split(r"[\s,]+", match.group("words").strip())
    if any(w.lower() in _STOP_WORDS or w.lower() in _UNITS for w in words):
        return end
    return match.end()


# A postal box, a roadside mail bag or a locked bag, with the town, state and postcode after
# it ("PO Box 123, Sydney NSW 2001", "RMB 1234 Bega NSW 2550").
# "RMB" alone is also a currency ("RMB 500"): a mail bag's number needs its town after it.
_PO = r"p\.?\s*o\.?\s*box"  # "PO Box", "P.O. box", "pobox"
_PO_BOX = re.compile(
    rf"\b(?:(?:g\.?\s*)?{_PO}|(?:locked|private)\s+bag)\s+\d+"
    rf"{_LOCALITY}?|\b(?-i:RMB|RSD)\s+\d+{_LOCALITY}",
    re.IGNORECASE,
)
# "I live at", "my address is": what follows, from a house or unit number to the clause's end.
_ADDRESS_LEAD_IN = re.compile(
    r"\b(?:(?:my|our|his|her|their|the)\s+(?:(?:home|postal|street|new|old|billing|supply|"
    r"service|property|mailing|residential)\s+)?address\s+(?:is|was)|address\s*[:=]"
    rf"|{_LIVE_AT})"
    rf"\s*(?P<value>(?:{_UNIT}|{_PO}\s+|\d)[^.?!;\n]*)",
    re.IGNORECASE,
)
# Without a street type, what follows "I live at" is an address only when it starts as one: a
# unit, a PO box, a house number with a slash ("4/27"), or a house number and a capitalised
# word ("12 Wattle, Sydney"); "100 percent solar" and "2 addresses" are not.
_ADDRESS_START = re.compile(
    rf"(?:{_UNIT}|{_PO}\s+|\d{{1,5}}[a-z]?\s*[/\-]\s*\d"
    rf"|\d{{1,5}}[a-z]?,?\s+(?-i:{_MAY_BE_CAPITAL}))",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(
    r"\s+(?:and|but|so|because|why|how|what|when|where|who|can|could|would|will|is|are|am|do"
    r"|does|did|please|i|i'm|im|my|we|our|it|this|that|the|since|for|from|to|in|on|-)\b",
    re.IGNORECASE,
)
# What staff and agents write about a customer in notes, reasons and comments: a role word
# ("Customer Tom Baker", "resident Mary O'Brien"), a title ("Mr Smith", "Dr. Patel") or a
# contact ("confirmed with", "spoke to", "called", "on behalf of", "per") before capitalised
# words. The title stays: only the name goes.
_TITLE = r"\b(?-i:Mr|Mrs|Ms|Miss|Dr|Mx)\b\.?"
_ROLES = r"customer|resident|caller|client|member|tenant|account\s+holder|rate\s*payer"
_STAFF_CUE = re.compile(
    rf"(?:\b(?:{_ROLES}|confirmed\s+with|spoke\s+(?:to|with)|called|on\s+behalf\s+of|per)\s+"
    rf"(?:(?P<title>{_TITLE})\s+)?|(?P<alone>{_TITLE})\s+)",
    re.IGNORECASE,
)
# Capitalised words after such a cue (but a title) that name the organisation, its teams, its
# things or a person's role, not a person ("Customer Service Team", "Resident Parking Permit",
# "per Council policy", "spoke to Customer Care"): with one of them among or right after the
# words, none goes. After a title the words are a name whatever they are ("Mr Holder").
_NOT_A_PERSON = frozenset(
    _word_list(
        """service services team teams centre center care support desk helpdesk help line lines
    office offices council councils city shire department dept section division group
    committee board government policy policies clause clauses act regulation regulations
    parking permit permits portal account accounts number rebate
    rebates hardship program programme scheme plan plans manager managers officer officers staff
    supervisor coordinator hub contact contacts enquiries enquiry feedback complaint complaints
    relations experience satisfaction charter survey record records request requests form forms
    application applications library libraries waste rates finance billing payment payments
    collection collections planning roads compliance legal privacy security operations
    reception counter details detail information info portal app website online email phone
    id number customer customers resident residents caller callers client clients member
    members tenant tenants ratepayer ratepayers"""
    )
)
# Words in a business's or an agency's name, not in a person's ("this is Origin Energy", "Hi,
# this is Sydney Water", "Sent by Acme Insurance Pty Ltd", "Services Australia here"): with one
# of them, or one of the organisation's own words above, among capitalised words a greeting,
# "this is", "I'm", "Sent by" or a sign-off gave, they name no one. Not a surname as well
# ("Power", "Banks", "Mills", "Trust" are both, and stay names). After "my name is" or a title
# the words are a name whatever they are.
_BUSINESS = frozenset(
    _word_list(
        """energy electricity electric gas water telecom telecoms telecommunications
    communications broadband internet network networks mobile mobiles bank banking insurance
    insurer assurance superannuation credit financial utilities utility retail retailer
    airline airlines airways rail railways transport motors logistics solutions systems
    technologies software media foundation association society agency authority institute
    university college school hospital clinic health medical pharmacy dental ltd limited pty
    inc incorporated llc plc corp corporation company holdings australia"""
    )
)
_NOT_A_PERSONS_WORD = _BUSINESS | _NOT_A_PERSON


def _names_a_business(words: str) -> bool:
    """Whether capitalised ``words`` a lead-in gave name a business or the organisation's own
    things (:data:`_BUSINESS`, :data:`_NOT_A_PERSON`), not a person."""
    return any(
        w.lower().removesuffix("'s").rstrip(".") in _NOT_A_PERSONS_WORD for w in words.split()
    )


# redacted again: kept
_TITLE_BEFORE_NAME = re.compile(rf"{_TITLE}\s+(?={_MAY_BE_CAPITAL}|\[NAME\])")
# Capitalised words after "I'm" that say what the customer is doing or how they are, not who:
# one of these, or a word ending in "ing" before a word a verb takes ("I'm Trying to pay",
# "I'm Calling about"; but "I'm Irving Smith", "I'm Sterling and ...").
_NOT_A_NAME_AFTER_IM = re.compile(
    r"(?:[A-Z][a-z]{2,}ing(?=\s+(?:to|for|about|on|in|at|with|because|if|my|our|the|a|an|up|out"
    r"|from|into|back|over|off|away|home|house|again|now|today|tomorrow|next|this)\b)|(?:Sorry|Unable|Confused|Interested|Happy|Glad|New|Currently|Really"
    r"|Very|Worried|Concerned|Disappointed|Frustrated|Annoyed|Stuck|Done|Finished|Ready|Keen"
    r"|Wondering|Having|Getting|Going|Looking|Trying|Moving|Calling|Writing|Emailing|Away"
    r"|Overseas|Home|Back|Pregnant|Retired|Disabled|Unemployed|Sick|Unwell))\b"
)
_MAY_HOLD_WORDS = re.compile(
    r"name|this\s+is|it'?s|i'?m|i\s+am|thank|thx|cheers|regards|sincerely|best|yours|birth|dob"
    rf"|born|\d|--|call\s+me|from\s*:|{_SENT_BY}"
    rf"|here|my\s+{_RELATIONS}|\b(?:{_ROLES}|confirmed|spoke|called|behalf|per)\b|{_TITLE}",
    re.IGNORECASE,
)


# "I'm", "I am", "this is" or "it's" before a name typed in lower case ("hi this is sarah jones",
# "i'm john smith calling about my bill"): a name only when its first word is a given name that
# is no ordinary English word (:data:`~knowledge_service.first_names.FIRST_NAMES`), so "i'm
# moving", "this is urgent", "this is my second bill" and "i'm frank with you" name nobody. A
# title between, in any case, stays ("this is mrs jane smith", "i'm dr. sarah jones" were kept
# whole; "this is mrs [NAME]").
_LOWER_CASE_NAME_LEAD_IN = re.compile(
    r"\b(?:i'?m|i\s+am|this\s+is|it'?s)\s+(?:(?:mr|mrs|ms|miss|dr|mx)\b\.?\s+)?", re.IGNORECASE
)


def _lower_case_names(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names someone after "I'm", "I am", "this is" or "it's", in any case, by a
    given name (:data:`_LOWER_CASE_NAME_LEAD_IN`): the name and up to two words after it that
    may be part of it (:func:`_name_end`), up to one that names a thing of the organisation or
    a business ("this is john's account": "account" stays)."""
    spans = []
    for match in _LOWER_CASE_NAME_LEAD_IN.finditer(text):
        start = match.end()
        first = _NAME_TOKEN.match(text, start)
        if first is None or first.group(0).lower().removesuffix("'s") not in FIRST_NAMES:
            continue
        end = first.end()
        for word in re.finditer(r"\S+", text[end : _name_end(text, start, capitalised=False)]):
            if _names_a_business(word.group(0)):
                break
            end = first.end() + word.end()
        spans.append((start, end))
    return spans


def _name_end(text: str, start: int, capitalised: bool) -> int:
    """Where a name that starts at ``start`` ends: up to three name words, stopping at a word
    that cannot be part of a name (or, with ``capitalised``, at one without a capital)."""
    end, pos = start, start
    for _ in range(3):
        match = _NAME_TOKEN.match(text, pos)
        if not match:
            break
        word = match.group(0)
        if word.lower().rstrip(".") in _STOP_WORDS:
            break
        if word in _CONTACT_WORDS and _CONTACT_FOLLOWS.match(text, match.end()):
            break
        if capitalised and (
            not _is_capitalised(word) or word.lower().removesuffix("'s") in _NOT_NAMES
        ):
            break
        end = match.end()
        gap = re.match(r" +", text[end:])
        if not gap:
            break
        pos = end + gap.end()
    return end


Span = tuple[int, int, Placeholder]


def _staff_names(text: str) -> list[Span]:
    """Where ``text`` names a customer after a staff cue (:data:`_STAFF_CUE`): up to three
    capitalised words, unless (with no title before them) one of them or the word after them
    names the organisation's own things (:data:`_NOT_A_PERSON`)."""
    spans: list[Span] = []
    for match in _STAFF_CUE.finditer(text):
        start = match.end()
        end = _name_end(text, start, capitalised=True)
        if end == start:
            continue
        after = _NAME_TOKEN.match(text, end + 1) if text[end : end + 1] == " " else None
        words = text[start:end].split() + ([after.group(0)] if after else [])
        titled = match.group("title") or match.group("alone")
        if not titled and any(
            w.lower().removesuffix("'s").rstrip(".") in _NOT_A_PERSON for w in words
        ):
            continue
        spans.append((start, end, Placeholder.NAME))
    return spans


# A card's or an account's tail, as people write it: masked ("xxxx4111", "XXXX-XXXX-XXXX-4111",
# "**** 4111"), or after the words that say it is one ("card ending 4111", "visa ending in
# x4111", "account ends with 6789", "last 4 digits of my card are 4111"). The digits go, the
# words stay ("my card ending [CARD] was declined" still asks about a declined card); "the year
# ending 2026" is no card.
_MASKED_TAIL = re.compile(r"(?<![A-Za-z0-9*#])(?:[xX*#]{2,}[ \-]?){1,4}(?P<value>\d{2,6})\b")
_TAIL_WORDS = (
    r"\b(?:(?P<card>card|visa|master\s*card|amex|debit|credit)|account|acct|a/c)\b"
    r"[^.?!\n\d]{0,24}?"
    r"(?:\b(?:ending|ends|ended)(?:\s+(?:in|with))?|\blast\s+(?:4|four)(?:\s+digits)?"
    r"(?:\s+(?:are|is|were|was))?)"
)
_TOLD_TAIL = re.compile(
    rf"{_TAIL_WORDS}\s*[:#=\-]?\s*(?P<value>(?:[xX*#.•]+\s*)?\d{{3,6}})\b", re.IGNORECASE
)
_LAST_FOUR_OF_CARD = re.compile(
    r"\blast\s+(?:4|four)(?:\s+digits)?\s+(?:of|on)\s+(?:the|my|our|your|his|her)\s+"
    r"(?P<card>card|visa|master\s*card|amex|debit\s+card|credit\s+card)\s*(?:are|is|were|was)?"
    r"\s*[:#=\-]?\s*(?P<value>(?:[xX*#.•]+\s*)?\d{3,6})\b",
    re.IGNORECASE,
)


def _tails(text: str) -> list[Span]:
    """Where ``text`` gives a card's or an account's tail (see above)."""
    spans: list[Span] = [
        (m.start(), m.end(), Placeholder.CARD) for m in _MASKED_TAIL.finditer(text)
    ]
    for pattern in (_TOLD_TAIL, _LAST_FOUR_OF_CARD):
        for match in pattern.finditer(text):
            kind = Placeholder.CARD if match.group("card") else Placeholder.ACCOUNT
            spans.append((match.start("value"), match.end("value"), kind))
    return spans


# A calendar date written with separators, year first or last: "2026-05-01", "01/05/2026",
# "1.5.26". Straight after an account's, a reference's or an invoice's word ("booking ref
# 2026-05-01", "invoice 01/05/2026") it says which day's, and is kept as the digit rules keep
# dates; given as the value ("reference number 2026-05-01", "my booking ref is 2026-05-01",
# "ref: ...", "ref # ...") it is the reference, whatever its shape. A date run together ("ref
# 20260501"), not a real day ("invoice 31/02/2026") or with more after it ("ref
# 2026-05-01-0042") is a reference too.
_SEPARATED_DATE = re.compile(
    r"(?P<y1>\d{4})(?P<s>[\-/.])(?P<m1>\d{1,2})(?P=s)(?P<d1>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<t>[\-/.])(?P<b>\d{1,2})(?P=t)(?P<y2>\d{4}|\d{2})"
)


def _is_date(value: str) -> bool:
    """Whether ``value`` is a day of the calendar written with separators (day or month
    first when the year is last: either reading that is a real day counts)."""
    match = _SEPARATED_DATE.fullmatch(value)
    if match is None:
        return False
    if match.group("y1"):
        readings = [(match.group("y1"), match.group("m1"), match.group("d1"))]
    else:
        year = match.group("y2")
        year = f"20{year}" if len(year) == 2 else year  # "1.5.26": a leap year read as 2026's
        a, b = match.group("a"), match.group("b")
        readings = [(year, b, a), (year, a, b)]
    for y, m, d in readings:
        try:
            date(int(y), int(m), int(d))
        except ValueError:
            continue
        return True
    return False


def _numbers_told(text: str) -> list[Span]:
    """Where ``text`` gives a date of birth, an account, customer or card number, or a card's
    security code or expiry after the words that say so, as (start, end, placeholder)."""
    spans: list[Span] = _tails(text)
    for pattern, kind in (
        (_CARD_CODE, Placeholder.CARD_CODE),
        (_CARD_EXPIRY, Placeholder.CARD_EXPIRY),
    ):
        for match in pattern.finditer(text):
            spans.append((match.start("value"), match.end("value"), kind))
    for match in _BIRTH_DATE.finditer(text):
        spans.append((match.start("value"), match.end("value"), Placeholder.DOB))
    for match in _IDENTIFIER.finditer(text):
        value = match.group("value")
        digits = sum(c.isdigit() for c in value)
        # "customer 0412 345 678 says no" is a phone number: a word that names a person or a
        # thing as well as a number needs "number", "no", "#" or "is" before the value
        bare = not (match.group("said") or match.group("is"))
        if bare and (match.group("account") or "").lower() in _NAMES_MORE_THAN_A_NUMBER:
            continue
        if bare and _is_date(value):
            continue  # "invoice 2026-05-01": the invoice of that day
        if digits >= 4 or (digits >= 3 and len(value) >= 5):
            kind = Placeholder.ACCOUNT if match.group("account") else Placeholder.ID
            spans.append((match.start("value"), match.end("value"), kind))
    return spans


MIN_SPOKEN_NUMBER = 6
"""Digits read out in a run this long or longer go, however many: a number read out digit by
digit ("my account is four five six seven one two") is an identifier, where six digits typed
may be an amount or a count. Counting stays ("one or two", "three to five days": no run; "one,
two, three, four, five, six": each digit one more than the last)."""


def _counting(digits: str) -> bool:
    """Whether digits read out are counting: "one, two, three, four, five, six" (each one more
    than the last)."""
    return digits in "0123456789"


def _spoken_number(before: str, digits: str) -> Placeholder:
    """The placeholder for a run of six or seven digits read out after ``before``: what the
    same digits written there would be (``[ACCOUNT]`` after "account number is", ``[ID]`` after
    "licence"), else ``[NUMBER]``."""
    told = before + digits
    for start, end, kind in _numbers_told(told):
        if end == len(told) and start <= len(before):
            return kind
    return Placeholder.NUMBER


def _places_and_names(text: str) -> list[Span]:
    """Where ``text`` holds a street address or a person's name, as (start, end, placeholder).
    Runs after the number rules, so a house number is never the tail of a phone number."""
    spans: list[Span] = []
    for match in _ADDRESS_LEAD_IN.finditer(text):
        start, value = match.start("value"), match.group("value")
        street = _STREET.match(value)
        if street:
            end = _told_locality_end(text, start + street.end())
        elif not _ADDRESS_START.match(value):  # "I'm at 100 percent", "I live at 2 addresses"
            continue
        else:
            cut = _CLAUSE_END.search(value)
            end = start + len((value[: cut.start()] if cut else value).rstrip(" ,"))
        spans.append((start, end, Placeholder.ADDRESS))
    for match in _STREET.finditer(text):
        words = match.group("words").split()
        if any(w.lower() in _STOP_WORDS or (w.islower() and w in _UNITS) for w in words):
            continue
        if match.group("type").lower() not in _STREET_TYPES and not all(
            w[0].isupper() for w in [*words, match.group("type")]
        ):
            continue
        spans.append((match.start(), match.end(), Placeholder.ADDRESS))
    for match in _PO_BOX.finditer(text):
        spans.append((match.start(), match.end(), Placeholder.ADDRESS))
    for lead_in, capitalised in (
        (_NAME_LEAD_IN, False),
        (_HOLDER_LEAD_IN, True),
        (_GREETING_LEAD_IN, True),
        (_THIS_IS, True),
        (_INTRODUCTION, True),
        (_NAME_HERE, True),
    ):
        for match in lead_in.finditer(text):
            start = match.end()
            title = _TITLE_BEFORE_NAME.match(text, start)  # "my landlord Mr. Alfred ...": kept
            if title:
                start = title.end()
            elif capitalised and _NOT_A_NAME_AFTER_IM.match(text, start):
                continue  # "Hi, I'm Moving House next month"
            end = _name_end(text, start, capitalised)
            if capitalised and not title and _names_a_business(text[start:end]):
                continue  # "this is Origin Energy"
            if end > start:
                spans.append((start, end, Placeholder.NAME))
    spans += [(start, end, Placeholder.NAME) for start, end in _lower_case_names(text)]
    spans += _staff_names(text)
    for match in _SIGN_OFF.finditer(text):
        end = _name_end(text, match.end(), capitalised=True)
        if _names_a_business(text[match.end() : end]):
            continue  # "Kind regards, Origin Energy"
        if end > match.end() and _AFTER_SIGN_OFF.match(text, end):
            spans.append((match.end(), end, Placeholder.NAME))
    return spans


def _redact_spans(text: str, spans: list[Span], counts: Counter[Placeholder]) -> str:
    """``text`` with each span replaced by its placeholder (overlapping spans merged)."""
    if not spans:
        return text
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept: list[Span] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            if span[1] > kept[-1][1]:
                kept[-1] = (kept[-1][0], span[1], kept[-1][2])
            continue
        kept.append(span)
    out, pos = [], 0
    for start, end, kind in kept:
        out += [text[pos:start], str(kind)]
        counts[kind] += 1
        pos = end
    out.append(text[pos:])
    return "".join(out)


@dataclass
class Redacted:
    """Redacted text and what was replaced, by placeholder."""

    text: str
    counts: Counter[Placeholder] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.counts)


_RECEIPT = re.compile(r"(?<![A-Za-z0-9_])(rcpt_[0-9a-f]{32})(?![A-Za-z0-9_])")
"""The service's own receipts (``answers.receipts``): random hex, never personal data, though
one that starts with eight digits reads as a phone number. Kept, so a log line stays traceable."""


def redact_text(text: str) -> Redacted:
    """Replace personal data in ``text`` with typed placeholders, counting each kind; the
    service's own receipts are kept as they are. Separators and symbols in other characters
    are read (and kept) in their ASCII forms (:func:`fold`)."""
    return _redact_folded(fold(text))


def _redact_folded(text: str) -> Redacted:
    """:func:`redact_text` of a text already folded."""
    if "rcpt_" not in text:
        return _redact_text(text)
    parts = _RECEIPT.split(text)  # text, receipt, text, ...: only the text is redacted
    counts: Counter[Placeholder] = Counter()
    for i in range(0, len(parts), 2):
        done = _redact_text(parts[i])
        parts[i] = done.text
        counts.update(done.counts)
    return Redacted("".join(parts), counts)


def _redact_text(text: str) -> Redacted:
    counts: Counter[Placeholder] = Counter()

    def sub(kind: Placeholder) -> str:
        counts[kind] += 1
        return str(kind)

    out = _API_KEY.sub(lambda m: sub(Placeholder.KEY), text)
    out = _SECRET.sub(
        lambda m: (
            m.group(0)[: m.start("value") - m.start()] + sub(Placeholder.SECRET)
            if _secret(m)
            else m.group(0)
        ),
        out,
    )
    out = _EMAIL.sub(lambda m: _email(m, sub(Placeholder.EMAIL)), out)
    if "%" in out:
        out = _PERCENT_EMAIL.sub(lambda m: sub(Placeholder.EMAIL), out)

    def in_groups(match: re.Match[str], *, cards_only: bool) -> str:
        lead = match.group("lead") or ""
        written = _percent_decoded(match.group("card").replace(match.group("sep"), " "))
        written += re.sub(r"\D+", " ", _percent_decoded(match.group("tail")))
        if _number_lead(lead):
            written, lead = _percent_decoded(lead) + written, ""
        digits = re.sub(r"\D", "", written)
        typed = "%" not in match.group("sep")  # a symbol as typed, not a separator encoded
        led = written.startswith(("+", "0")) or _led_by_code(match, digits)
        summed = _percent_decoded(match.group("sep")).strip() == "+"
        code = match.group("code") or ""
        # a country code joined by "+" is no part of the card's digits when "+" joins its
        # groups too: "363+5624+4722+233" is a sum, "44+4111+1111+1111+1111" a card
        card = digits[sum(c.isdigit() for c in code) :] if summed else digits
        groups = [len(g) for g in re.findall(r"\d+", written)][1 if summed and code else 0 :]
        fours = all(g == 4 for g in groups)  # a card's groups
        if summed and code and not fours:
            card = ""  # "399+3352+8302+491+7859": a sum, no code and card
        if 13 <= len(card) <= 19 and (cards_only or led or not typed):
            return lead + sub(Placeholder.CARD)
        kind = None if cards_only else classify_number(written)
        # Numbers a typed symbol joins in other groups than a card's are a sum or a list
        # ("923 + 938 + 737 + 1108", "plans 500|1000|2000", "601 ~ 842 ~ 5355" were stored
        # [CARD] or [PHONE]) unless led as a phone number is ("0412|345|678", "+61|412|345|678",
        # "1+800+555+1234") or a tax file or Medicare number by its checksum.
        if summed and not led:
            return match.group(0)  # a sum, typed or encoded ("100%2B200%2B3000")
        if typed and not (led or fours) and kind not in (Placeholder.TFN, Placeholder.MEDICARE):
            return match.group(0)
        if kind is None or (kind is Placeholder.NUMBER and len(digits) < 13):
            return match.group(0)  # a list of years, of counts: no identifier
        return lead + sub(kind)

    out = _CARD_IN_GROUPS.sub(lambda m: in_groups(m, cards_only=True), out)

    def encoded_number(match: re.Match[str]) -> str:
        number, lead = match.group("number"), match.group("lead") or ""
        if "%" not in number + lead:  # typed as it is: the digit rules read it
            return match.group(0)
        if _number_lead(lead):
            number, lead = lead + number, ""
        before = _percent_decoded(match.string[max(0, match.start() - 40) : match.start()])
        written = _percent_decoded(number)
        # a phone's words before it make it a phone number; a currency sign keeps nothing
        # this rule took before it read them
        kind = classify_number(written, before + _percent_decoded(lead)) or classify_number(written)
        return match.group(0) if kind is None else lead + sub(kind)

    # before the symbols' rule for other numbers: "%2802%29%20..." starts with an encoded
    # bracket, whose "28" that rule would read as digits
    if "%" in out:
        out = _ENCODED_NUMBER.sub(encoded_number, out)
    out = _NUMBER_IN_GROUPS.sub(lambda m: in_groups(m, cards_only=False), out)
    if "%" in out:
        out = _CARD_IN_PERCENT_GROUPS.sub(
            lambda m: sub(Placeholder.CARD) if 13 <= sum(c.isdigit() for c in m[0]) <= 19 else m[0],
            out,
        )
    for nino in (_NINO, _NINO_ANY_CASE):
        out = nino.sub(lambda m: sub(Placeholder.NINO), out)
    for postcode in (_UK_POSTCODE, _UK_POSTCODE_ANY_CASE):
        out = postcode.sub(lambda m: sub(Placeholder.ADDRESS), out)
    out = _SAID_EMAIL.sub(lambda m: sub(Placeholder.EMAIL), out)
    if "[EMAIL]" in out:  # the rest of a mailbox read out with spaces goes with its address
        out = _SPELLED_MAILBOX.sub("", _EMAIL_CUE_WORDS.sub(lambda m: m.group("cue"), out))

    def spoken(match: re.Match[str]) -> str:
        value = match.group(0)
        digits = spoken_digits(value)
        kind = classify_number(digits)
        if kind is None and _secret_before(match.string, match.start()):
            kind = Placeholder.SECRET  # "my pin is four three two one"
        elif kind is None and len(digits) >= MIN_SPOKEN_NUMBER and not _counting(digits):
            kind = _spoken_number(match.string[max(0, match.start() - 40) : match.start()], digits)
        return value if kind is None else sub(kind)

    out = _SPOKEN_DIGITS.sub(spoken, out)
    told = _MAY_HOLD_WORDS.search(out) is not None
    if told:
        out = _redact_spans(out, _numbers_told(out), counts)

    def iban(match: re.Match[str]) -> str:
        value = match.group(0)
        end = _iban_end(value)
        return value if end == 0 else sub(Placeholder.IBAN) + value[end:]

    out = _IBAN.sub(iban, out)

    def number_or_x(match: re.Match[str]) -> str:
        x = match.group("x") or ""
        kept = match.group(0)[len(x) :]
        read = ("0" if x in ("o", "O") else "") + kept  # an "O" for a zero: "O412 345 678"
        done = number(match, read)
        return x + kept if done == read else done  # an "x" before it goes with what goes

    phone_end = -1  # where the last phone number this rule took ends

    def number(match: re.Match[str], value: str) -> str:
        nonlocal phone_end
        done = numbered(match, value)
        # the last phone number's end: "[PHONE] / [PHONE]" when a slash listed two
        if done.startswith(str(Placeholder.PHONE)):
            last = done.rindex(str(Placeholder.PHONE)) + len(str(Placeholder.PHONE))
            phone_end = match.end() - len(done) + last
        return done

    def numbered(match: re.Match[str], value: str) -> str:
        before = match.string[max(0, match.start() - 40) : match.start()]
        if phone_end >= 0 and match.start() - phone_end <= 40:  # it is "[PHONE]" by now
            before = str(Placeholder.PHONE) + match.string[phone_end : match.start()]
        after = match.string[match.end() : match.end() + 40]
        if match.group("letter"):
            kind = classify_number(value[:-1], before)
            return value if kind is None else sub(kind)
        stripped = value.rstrip("-./(_, ")
        kind = classify_number(stripped, before, value[len(stripped) :] + after)
        code = _COUNTRY_CODE.match(value)
        if kind is None and code:  # "$883+9650 3908": the amount stays, the number after it goes
            lead, value = value[: code.end()], value[code.end() :]
            stripped = value.rstrip("-./(_, ")
            kind = classify_number(stripped, before + lead)
            return lead + (value if kind is None else sub(kind) + value[len(stripped) :])
        if kind is None:
            return value
        # numbers a slash lists go one by one, as each would alone: "0412 345 678 / 412,345,679"
        listed = None
        if kind in (Placeholder.CARD, Placeholder.NUMBER):
            listed = _slash_listed(stripped, before, value[len(stripped) :] + after)
        first = _LIST_SLASH.split(stripped, 1)[0] if listed else stripped
        # a bracket opened before the number and not closed in it is the text's: "(0412 ...,"
        opened = "(" if first.startswith("(") and ")" not in first else ""
        shown = "".join(sub(p) if isinstance(p, Placeholder) else p for p in listed or [kind])
        return opened + shown + value[len(stripped) :]

    out = _EXTENSION.sub(str(Placeholder.PHONE), _DIGITS.sub(number_or_x, out))
    if told:
        out = _redact_spans(out, _places_and_names(out), counts)
    return Redacted(out, counts)


_PLACEHOLDER = "(?:" + "|".join(re.escape(str(p)) for p in Placeholder) + ")"
_PLACEHOLDERS = re.compile(_PLACEHOLDER)
_MAY_HOLD_PERSONAL_DATA = re.compile(
    r"\d|@|[\[({<]\s*at\s*[\])}>]|\bdot\b|\bat\s+(?:\S+\s+)?[\w\-]+\.[a-z]|ks_|pass|pin|secur|"
    + _MAY_HOLD_WORDS.pattern,
    re.I,
)
# What a value belongs to may be what the question is about: "my concession card number is
# ...", "my water meter is ...", "my licence: ..." ask about the card, the meter, the licence.
# That noun stays in what is searched; only the value and "number is" go. A word that is only
# a handle for the customer (account, customer, reference, name, e-mail, phone) goes with it.
_TOPIC_WORDS = (
    rf"nmi|mirn|meter|policy|invoice|membership|{_ID_WORDS}"
    r"|pass\s?words?|passwd|passcodes?|pass\s?phrase|pins?|security\s+(?:answer|word)"
    r"|ni|national\s+insurance"
)
_HANDLE_WORDS = r"account|acct|acc|a/c|customer|client|member|reference|ref|crn"
# What a customer says to give a value ("my email is", "account number:", "call me on",
# "I live at", "this is ... speaking") goes with it when a question is searched: without the
# value those words only pull the question away from its article.
_GIVEN = re.compile(
    rf"(?:\b(?P<topic>{_TOPIC_WORDS})\b(?:\s*{_NUMBER_WORD})?\s*(?:is|was|[:#=\-])?\s*"
    r"|\b(?:my|our|his|her|their|the|your)\s+(?:(?:new|old|home|work|mobile|phone|cell|postal"
    r"|street|e-?mail|card|credit|debit|bank|account|customer|contact|reference|full|first|last"
    r"|daytime|best|date\s+of)\s+){0,2}"
    r"(?:e-?mail(?:\s+address)?|address|number|no\.?|name|phone|mobile|cell|card|account|acct"
    r"|dob|birth|details|reference|ref|id)\s*(?:is|was|[:=\-])\s*"
    rf"|\b(?:(?:(?:my|our|his|her|their|the|your)\s+)?(?:{_HANDLE_WORDS})\b"
    rf"(?:\s*{_NUMBER_WORD})?|{_BIRTH}"
    r"|name|e-?mail|phone|mobile|address)\s*(?:is|was|[:#=\-])?\s*"
    rf"|\b{_LIVE_AT}\s+"
    rf"|\b(?:{_GREETING}\b[,!.]?\s+)?"
    r"(?:my\s+name'?s|(?:my\s+)?name\s+is|i\s+am\s+called|i'?m\s+called|this\s+is|it'?s|i'?m"
    r"|i\s+am)\s+(?=\[NAME\])"
    rf"|\b(?:{_THANKS}\s*[,!.\-]?|{_SENT_BY}\s*:?)\s*(?=\[NAME\])"
    r"|\b(?:the\s+)?name\s+on\s+(?:the|my|our|this|that)\s+(?:account|bill|card|contract|lease)"
    r"\s+(?:is|was)\s+(?=\[NAME\])|\bin\s+the\s+name\s+of\s+(?=\[NAME\])"
    r"|\b(?:(?:you\s+can|please|pls|can\s+you|could\s+you)\s+)?(?:call|reach|contact|text|ring"
    r"|phone|sms|e-?mail|message|write\s+to)\s+(?:me|us)(?:\s+back)?\s+(?:on|at|via)\s+"
    r"|\b(?:(?:my|our|his|her|their|the|your)\s+)?"
    rf"(?:{_CARD_CODE_LEAD_IN}(?=\[CARD_CODE\])|{_CARD_EXPIRY_LEAD_IN}(?=\[CARD_EXPIRY\]))"
    r"|\b(?:on|at|to|via|for|from|of|in)\s+)?"
    rf"(?:\bthe\s+(?=\[DOB\]))?{_PLACEHOLDER}(?:\s+(?:speaking|here|calling)\b)?",
    re.IGNORECASE,
)
_DANGLING = re.compile(
    r"^[\s,;:.\-]*(?:(?:and|but|also)\b[\s,]*)?|[\s,;:\-]*(?:\b(?:and|but))?[\s,;:\-]*$"
)


def without_personal_data(text: str) -> str:
    """What a question is searched with: ``text`` without any value :func:`redact` would
    replace, nor the words that give it ("my email is", "call me on", "I live at"), the spaces
    and commas around it closed up. A text with nothing to remove is returned in its plain forms
    (:func:`fold`: "ＬＡＴＥ ＦＥＥ" typed in full width is searched as "LATE FEE", as a value
    written so is redacted), and an ASCII one as it is."""
    folded = fold(text)  # once: the test below and the redaction read the same text
    # A question redacted already (a bot's, stored, opened again as an agent's hand-off) holds
    # placeholders for its values: they and their words go as the values would have.
    redacted_before = _PLACEHOLDERS.search(folded) is not None
    if not (
        redacted_before or _MAY_HOLD_PERSONAL_DATA.search(folded) or _SPOKEN_DIGITS.search(folded)
    ):
        return folded
    redacted = _redact_folded(folded)
    if not (redacted.changed or redacted_before):
        return folded
    # each value and the words giving it end a part; a topic noun stays, at the end of its part
    cut = _GIVEN.sub(lambda m: (m.group("topic") or "") + "\0", redacted.text)
    parts = (_DANGLING.sub("", part) for part in cut.split("\0"))
    searched = " ".join(" ".join(part for part in parts if part.strip(" ,;:.-")).split())
    # Nothing but personal data and the words giving it ("call me on ..."): search the words.
    return searched or " ".join(_PLACEHOLDERS.sub(" ", redacted.text).split())


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


MAX_LOGGED_TARGET = 4096
"""A longer path or query string is named by its length in logs, not redacted and written: no
request the service answers needs one (a question is at most 500 characters), and
redacting tens of kilobytes for a log line would hold the event loop."""


def redact_url(target: str) -> str:
    """A request target (path and query) with its path and every query value redacted, each
    as the service reads it (percent-decoded: ``%40`` is an ``@``)."""
    path, sep, query = target.partition("?")
    if len(path) > MAX_LOGGED_TARGET:
        return f"[a path of {len(path)} characters, not logged]"
    if len(query) > MAX_LOGGED_TARGET:
        return f"{_redact_path(path)}?[a query string of {len(query)} characters, not logged]"
    if not sep:
        return _redact_path(path)
    pairs = [(redact(k), _redact_value(k, v)) for k, v in parse_qsl(query, keep_blank_values=True)]
    return f"{_redact_path(path)}?{urlencode(pairs, safe='[]')}"


OPAQUE_PARAMETERS = frozenset({"conversation_id"})
"""Query parameters whose value is the caller's own id, which may name a customer in a form no
rule finds ("sarah.connor", "jane_doe_1985"): a log keeps that one was sent (``[ID]``), not
what. The answer log keeps it as a keyed pseudonym instead. Read in any case and with any
separators or none (``conversationId``, ``Conversation-ID``): a client that misspells it is
refused (400), and the id it sent must not reach the log either."""
_OPAQUE_NAMES = frozenset(re.sub(r"[\W_]", "", name).lower() for name in OPAQUE_PARAMETERS)


def _redact_value(name: str, value: str) -> str:
    opaque = re.sub(r"[\W_]", "", fold(name)).lower() in _OPAQUE_NAMES
    return str(Placeholder.ID) if opaque and value else redact(value)


def redact_path(path: str) -> str:
    """A request's path as the service read it (percent-decoded), each segment redacted, for
    what an error body echoes (a card number sent as an article id); a path longer than
    :data:`MAX_LOGGED_TARGET` is named by its length."""
    if len(path) > MAX_LOGGED_TARGET:
        return f"[a path of {len(path)} characters]"
    return "/".join(redact(segment) for segment in path.split("/"))


def _redact_path(path: str) -> str:
    """``path`` with each segment redacted as the service reads it (percent-decoded); a segment
    with nothing to redact is kept as sent, a redacted one is percent-encoded again (decoded, it
    could carry a line break into the log)."""
    return "/".join(_redact_segment(segment) for segment in path.split("/"))


def _redact_segment(segment: str) -> str:
    decoded = unquote(segment)
    redacted = redact(decoded)
    return segment if redacted == decoded else quote(redacted, safe="[]")


_ACCESS_LOGGERS = frozenset({"uvicorn.access", "knowledge_service.access"})
"""Loggers whose records carry a client address as their first argument and a request target
as their third."""


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def client_address(client: object) -> str:
    """An access line's client: ``host:port`` when the host is an IP address (and the port a
    number), else ``-``. Behind a proxy the host comes from ``X-Forwarded-For``, which a caller
    writes: anything in it that is not an address (a card number, a name) never reaches a log.
    Takes the ASGI ``client`` pair or uvicorn's ``"host:port"`` text."""
    if isinstance(client, str):
        if _is_ip(client.strip("[]")):
            return client
        host, sep, port = client.rpartition(":")
        client = (host, port) if sep else None
    if not isinstance(client, (tuple, list)) or len(client) != 2:
        return "-"
    host, port = str(client[0]), str(client[1])
    if not _is_ip(host.strip("[]")):
        return "-"
    return f"{host}:{port}" if port.isdigit() else host


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record before any handler formats it.

    An access record (uvicorn's, or the service's own ``knowledge_service.access``) passes the
    client address as its first argument (kept only if it is an IP address:
    :func:`client_address`) and the request target as its third: its query string is parsed and
    each value redacted.
    Other records are formatted once and redacted whole. If redaction itself fails, the record
    is dropped (never written raw).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if record.name in _ACCESS_LOGGERS and isinstance(record.args, tuple):
                record.args = tuple(
                    client_address(a)
                    if i == 0
                    else redact_url(a)
                    if isinstance(a, str) and i == 2
                    else a
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
