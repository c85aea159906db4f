"""E-mail addresses: typed, percent-encoded and read out."""

from __future__ import annotations

import re

from knowledge_service.privacy.text import _word_list

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

# An address at a well-known mail provider typed without its top-level domain
# ("j.smith@hotmail", "jane@gmail": written in a hurry, the provider's name says it is an
# address): the mailbox straight before the "@" and the provider's whole name after it, in any
# case. A handle alone ("@support") or an address at another name ("team@acme", a domain no
# one can tell from a word) stays.
_MAIL_PROVIDERS = _word_list(
    """gmail googlemail hotmail outlook live msn yahoo ymail rocketmail icloud aol bigpond
    optusnet iinet tpg internode westnet ozemail protonmail gmx yandex zoho fastmail btinternet
    virginmedia talktalk comcast verizon sbcglobal xtra"""
)
_PROVIDER_EMAIL = re.compile(
    rf"{_LOCAL}@(?:{'|'.join(_MAIL_PROVIDERS)})(?![\w\-@])",
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
