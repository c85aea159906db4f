"""Where a word stands in its sentence, for the rules of
:mod:`~knowledge_service.answers.speech` that read a word by the words before it: the word
just before a place, whether a word opens its sentence, and a verb in any of its forms."""

from __future__ import annotations

import re

WORD_BEFORE = re.compile(r"(?P<word>[\w'\u2019]+)[ \u00a0]+$")
LOOK_BACK = 80
"""How far back the words before a match are looked for: a few words, never the whole text
(each match looking back to the start of its text would make reading a text quadratic)."""


def opens_a_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` is a sentence's first: nothing before it but spaces, quotes
    or a bracket, after the text's start or a sentence's end."""
    before = text[max(0, at - LOOK_BACK) : at].rstrip(" \u00a0\"'\u201c\u2018(")
    return before[-1:] in ".!?:;\n" if before else at <= LOOK_BACK


def verb_forms(stem: str, *, past: str = "", third: str = "", doubled: bool = False) -> str:
    """A pattern of a verb's forms, made from its stem by the rules of English spelling: "s",
    "ed" and "ing" after it ("text": "texts", "texted", "texting"), "es" after a hiss ("sms":
    "smses"), a silent "e" dropped ("message": "messaged", "messaging"; not that of "ee":
    "seeing"), a "y" after a consonant as "ie" ("reply": "replies", "replied", "replying"), a
    last "l" doubled or not ("dial": "dialled", "dialed"), the last consonant of a word of one
    short vowel doubled ("get": "getting", "scan": "scanned"; of a longer word, ``doubled``:
    "submit": "submitted"), and the forms of no rule given: a past or participle in place of
    the rule's ("send": "sent", "write": "wrote|written"), a third person's ("have": "has")."""
    if re.search(r"[^aeiou]y$", stem):
        forms = [stem, f"{stem[:-1]}ies", f"{stem[:-1]}ied", f"{stem}ing"]
    elif stem.endswith("e") and not stem.endswith("ee"):
        forms = [stem, f"{stem}s", f"{stem}d", f"{stem[:-1]}ing"]
    else:
        hissed = re.search(r"(?:s|x|z|sh|ch)$", stem) is not None
        if doubled or re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", stem):
            doubled_stem = stem + stem[-1]  # "getting", "scanned", "submitted"
        elif re.search(r"[aeiou]l$", stem):
            doubled_stem = f"{stem}l?"  # "dial(l)ed"
        else:
            doubled_stem = stem
        forms = [stem, stem + ("es" if hissed else "s"), f"{doubled_stem}ed", f"{doubled_stem}ing"]
    if past:
        forms = [form for form in forms if not form.endswith("ed")] + past.split("|")
    if third:
        forms = [forms[0], third, *forms[2:]]
    return "(?:" + "|".join(forms) + ")"


_OPENS_A_CLAUSE = frozenset(
    {
        # a conjunction, or a word before a verb that gives an order ("Just text STOP to ...")
        "and", "or", "but", "nor", "then", "so", "just", "simply", "please", "now", "first",
        "try", "if", "when", "whenever", "once", "after", "before", "until", "while", "by",
        "instead", "otherwise",
        # a relative pronoun: "anyone who texts HELP to 12345 gets a reply"
        "who", "that", "which", "whoever",
        # a determiner, before the verb's noun: "an SMS to 12345 costs 25c"
        "a", "an", "the", "each", "every", "any", "one", "your", "our", "their", "this", "no",
    }
)  # fmt: skip
_BE = frozenset({"am", "is", "are", "was", "were", "be", "been", "being"})


def has_a_subject(text: str, at: int) -> bool:
    """Whether the verb at ``at`` has a subject or an auxiliary right before it, so that what
    follows its object is no verb of a sentence it opens: "We text 2000 campers your ...",
    "staff call 200 golfers you ...", "we'll text 500 ...", "we're texting 500 ...", not
    "Texting PAUSE to 12345 holds your ..." (a gerund), "Text MENU to 12345 lists ..." (the
    clause's first word: after punctuation, "and", "just", ...; but after "and", "or" or
    "then" in a sentence a pronoun opens, with no comma between, the verb shares the
    pronoun: "We text 2000 campers ... and call 300 golfers you ..."), "anyone who texts HELP to
    12345 gets ..." (after a relative pronoun) or "an SMS to 12345 costs ..." (a noun)."""
    before = WORD_BEFORE.search(text, max(0, at - LOOK_BACK), at)
    if before is None:
        return False
    word = before["word"].lower().replace("\u2019", "'")
    verb = re.match(r"\w+", text[at:])
    if verb is not None and verb.group(0).lower().endswith("ing"):  # a gerund, but "we're texting"
        return word in _BE or word.endswith(("'re", "'m", "'s"))
    if word in _JOINS and _SHARES_A_SUBJECT.search(text, max(0, at - LOOK_BACK * 2), at):
        return True  # "We text 2000 campers your time and call 300 golfers you nominate"
    return word not in _OPENS_A_CLAUSE


_JOINS = frozenset({"and", "or", "then"})
_SHARES_A_SUBJECT = re.compile(
    r"(?:^|[.!?;:]\s+)(?i:we|i|you|they|he|she)\b[^.!?;:,\n]*\b(?:and|or|then)[ \u00a0]+$"
)
"""A sentence that opens with a pronoun, its subject, and goes on with no comma to "and",
"or" or "then" before a verb: the verb after it shares the subject."""
