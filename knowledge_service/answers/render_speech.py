"""An answer for a voice channel (:func:`markdown_to_speech`): one paragraph of sentences,
no list markers, no address read out, numbers said as they are meant
(:mod:`~knowledge_service.answers.speech`, :mod:`~knowledge_service.answers.speech_numbers`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from knowledge_service.answers.render_links import _TEL
from knowledge_service.answers.sanitise import (
    clean_parsed_text,
)
from knowledge_service.answers.speech import (
    say_around_the_clock,
    say_literally,
    say_menu_paths,
    say_not_applicable,
    say_outside_literals,
    say_rates,
)
from knowledge_service.answers.speech_codes import say_reference_codes, say_zip_codes
from knowledge_service.answers.speech_numbers import (
    say_keypad_codes,
    say_numbers_to_call,
    say_numbers_to_text,
    say_phone_numbers,
)
from knowledge_service.answers.speech_ranges import (
    say_day_ranges,
    say_ranges,
    say_times,
    say_years_and_next,
)
from knowledge_service.answers.speech_sentences import verb_forms
from knowledge_service.content.plaintext import (
    Line,
    LineKind,
    Link,
    broken_lines,
    end_headings,
    join_sentences,
    plain_lines,
    runs_on,
)
from knowledge_service.privacy import TOP_LEVEL_DOMAINS, WORD_TOP_LEVEL_DOMAINS

# Voice: a web address written as plain text (``https://...``, ``www....``), without the
# punctuation that ends its sentence.
_URL_END = r"[^\s<>.,;:!?)\]}'\"]"
# A bracket in it only with the one that closes it (``https://x.example/Fees_(2026)``): one
# that closes none is the sentence's ("(see https://x.example/fees)").
_BARE_URL = re.compile(r"(?i)\b(?:https?://|www\.)(?:[^\s<>()]|\([^\s<>()]*\))+(?<![.,;:!?\]}'\"])")
# ... or a host name alone, as council sites write them ("harbourside.example.gov.au/report",
# "tio.com.au"): dotted names ending in a known top-level domain (written in lower case; the
# ``example`` of documentation addresses too), with the path, query or fragment that follows.
# Other dotted text is no address: "e.g.", "3.5", "Mr. Smith", "form.pdf", "1.2.3", a sentence
# run on ("weekly.It"). A name of only two parts whose ending is also an English word ("it",
# "me", "no") or a file's type ("notes.md", "setup.py") counts only with a path after it.
_FILE_TYPES = frozenset(
    {"ai", "app", "cc", "md", "mk", "ml", "pl", "pm", "ps", "py", "rs", "sh", "so", "tf"}
)
_HOST_TLDS = TOP_LEVEL_DOMAINS | {"example"}
_PLAIN_HOST_TLDS = _HOST_TLDS - WORD_TOP_LEVEL_DOMAINS - _FILE_TYPES


def _either(words: frozenset[str]) -> str:
    return "|".join(sorted(words, key=lambda w: (-len(w), w)))


_HOST_LABEL = r"[A-Za-z0-9][A-Za-z0-9\-]*"
_HOST_ENDS = r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
_BARE_HOST = re.compile(
    r"(?<![\w.@/\-])(?:"
    rf"(?:{_HOST_LABEL}\.){{2,}}(?:{_either(_HOST_TLDS)}){_HOST_ENDS}"
    rf"|{_HOST_LABEL}\.(?:{_either(_HOST_TLDS)})(?=[/?#]{_URL_END})"
    rf"|{_HOST_LABEL}\.(?:{_either(_PLAIN_HOST_TLDS)}){_HOST_ENDS}"
    rf")(?:[/?#](?:[^\s<>]*{_URL_END})?)?"
)
# An e-mail address written as plain text (``help@x.example``).
_BARE_EMAIL = re.compile(
    r"(?<![\w.+\-])[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*@"
    rf"(?:{_HOST_LABEL}\.)+[A-Za-z]{{2,}}{_HOST_ENDS}"
)
# Stand-ins for an address voice leaves out, replaced once the whole line is known (private
# use characters; any in the text itself are dropped first).
_WEB, _MAIL = "\ue000", "\ue001"
_STAND_INS = re.compile("[\ue000\ue001]")
_AFTER_PREPOSITION = re.compile(r"(?i)\b(?:at|on|via|from|through|in)\s+([\ue000\ue001])")
# ... and after "online or" ("pay online or at x.example" says "pay online", not "online or online")
_AFTER_ONLINE = re.compile(
    r"(?i)\bonline(?:,?\s+(?:or|and))?\s+(?:(?:at|on|via|from|through|in)\s+)?[\ue000\ue001]"
)
# ... and after an online thing named just before it ("through the online permit portal at
# x.example.gov.au/permits" says "through the online permit portal", not "... portal online").
_ONLINE_THING = re.compile(
    r"(?i)\b(online\s+(?:[a-z\-]+\s+){0,2}?(?:portal|form|system|service|services|tracker|"
    r"page|shop|store|account|booking|bookings|application|catalogue|map|register|directory|"
    r"chat|tool|calculator))\s+(?:at|on|via|from|through|in)\s+\ue000"
)
# After a verb's particle ("sign in", "log on", "opt out"), which is no preposition of the
# address, the particle stays: "Sign in https://x.example" is "Sign in online", not "Sign
# online"; an e-mail address there is left out.
_SIGN_IN = re.compile(
    rf"(?i)\b((?:{verb_forms('sign')}|{verb_forms('log')})[ \u00a0]+(?:in|on|up|out)"
    rf"|{verb_forms('check')}[ \u00a0]+in|{verb_forms('opt')}[ \u00a0]+(?:in|out))"
    r"[ \u00a0]+(?:(?:at|on|via|from|through|in)[ \u00a0]+)?([\ue000\ue001])"
)
# After a verb whose object is whom it addresses ("ask", "tell", "contact"), an e-mail address
# is whom: "Ask sales@x.example for a demo" is "Ask us by email for a demo", not "Ask the email
# address"; one to email or write to is an address ("Email help@x.example"), and so is one we
# address ("we'll contact help@x.example": not "we'll contact us").
_ADDRESSED = re.compile(
    r"(?i)(?<!\bwe )(?<!\bwe'll )(?<!\bwe've )(?<!\bwe'd )(?<!\bwe will )(?<!\bwe can )"
    rf"\b({verb_forms('ask')}|{verb_forms('tell', past='told')}|{verb_forms('contact')}"
    rf"|{verb_forms('notify')}|{verb_forms('inform')}|{verb_forms('message')})[ \u00a0]+\ue001"
)
_SAID_FOR = {_WEB: "the website", _MAIL: "the email address"}
_SAID_AFTER_PREPOSITION = {_WEB: "online", _MAIL: ""}
_SENTENCE_END = re.compile(r"[.!?](?=\s)")
_ONLINE_LABEL = re.compile(r"(?i)\bonline(?:[ \u00a0]+[\w'\u2019]+){0,2}[ \u00a0]*:")


def _under_an_online_label(line: str, at: int) -> bool:
    """Whether the sentence of ``at`` opens with a label that says "online" ("Online: sign in
    at x.example", "Online banking: log in at x.example"): a web address in it need not be
    said "online" again. An "online" of a clause of its own is not one ("Book online or pay
    at x.example" says "Book online or pay online")."""
    start = max((m.end() for m in _SENTENCE_END.finditer(line, max(0, at - 400), at)), default=0)
    return _ONLINE_LABEL.search(line, max(start, at - 400), at) is not None


def _said_after_particle(match: re.Match[str]) -> str:
    """A web address after a verb's particle ("sign in", "log on"): "online" ("Sign in
    online"), but after "on", "to the website" ("Log on to the website", not "Log on
    online"), and nothing under a label that says "online" ("Online: sign in")."""
    particle, address = match[1], match[2]
    if address == _MAIL or _under_an_online_label(match.string, match.start()):
        return particle
    if particle.lower().endswith("on"):
        return f"{particle} to the website"
    return f"{particle} online"


def _said_after_preposition(match: re.Match[str]) -> str:
    """An address after a preposition: a web one "online", but nothing under a label that says
    "online" ("Online: use the Contest button at x.example" says "Online: use the Contest
    button"); an e-mail one nothing."""
    address = match.group(1)
    if address == _WEB and _under_an_online_label(match.string, match.start()):
        return ""
    return _SAID_AFTER_PREPOSITION[address]


# The space an address left before a sentence's stop ("pay online ." -> "pay online."), not
# one before punctuation that starts something else (":)", "; -)").
_SPACE_BEFORE_STOP = re.compile(r"\s+(?=[.,;:!?](?:\s|$)|$)")

# Pictographs (emoji, with their presentation selector, joiner and a keycap's mark: "1️⃣" is
# "1"): a voice says none of them. Those outside the two emoji blocks too (a star, a watch, a
# stop button), but no arrow ("Account → Billing" is a menu path) and no symbol (©, ™).
_PICTOGRAPHS = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d\u20e3\u231a\u231b\u23e9-\u23f3"
    "\u23f8-\u23fa\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299]+"
)
_OUR_MARKS = re.compile("[\ue000-\ue01f]")
"""The private-use characters speech marks its own text with: an address's stand-in, code."""
_OUR_MARK_REFERENCES = re.compile(
    r"&#(?:[xX]0*[eE]0[01][0-9a-fA-F]|0*573(?:4[4-9]|[56]\d|7[0-5]));"
)
"""A character reference to one of them (``&#xE002;``, ``&#57344;``), which the parse decodes."""


def _spoken(link: Link) -> str:
    """A link in speech: its text; a stand-in for an address, which is never read out; a
    phone link's number (``<tel:+61298765432>``), which is."""
    if _TEL.match(link.href):
        return _TEL.sub("", link.text)
    if link.is_address:
        return _MAIL if link.href.lower().startswith("mailto:") else _WEB
    # "[harbourside.example.gov.au](https://...)"; its code already said (:func:`_said_as_code`),
    # with the stand-in of an address written as code ("[`x.example`](https://...)") kept.
    return _addresses_stood_in(link.text)


def _bare_addresses(text: str) -> str:
    """Text with each address written as plain text (a URL, an e-mail address, a host name)
    replaced by its stand-in."""
    return _addresses_stood_in(_STAND_INS.sub("", text))


def _addresses_stood_in(text: str) -> str:
    text = _BARE_URL.sub(_WEB, text)
    return _BARE_HOST.sub(_WEB, _BARE_EMAIL.sub(_MAIL, text))


def _say_addresses(line: str) -> str:
    """A spoken line's left-out addresses in words: after "at", "on", "via", "from", "through"
    or "in", a web address is "online" and an e-mail address is left out with its preposition
    ("pay at https://x.example/pay" says "pay online", "write to us at <help@x.example>" says
    "write to us"); after "online", or an online thing named just before it ("the online
    permit portal at x.example"), a web address is left out ("the form is online
    <https://...>" says "the form is online"); elsewhere "the website" and "the email
    address" ("visit https://x.example" says "visit the website"). A verb's particle before
    an address ("sign in", "log on", "opt out") stays: "Sign in https://x.example" says "Sign
    in online", "Log on at https://x.example" "Log on to the website" (not "on online"). Under
    a label that says "online" ("Online: sign in at x.example") a web address after a
    preposition or a particle is left out, said already, and so is one after "online or"
    ("pay online or at x.example"). An e-mail address after a verb whose object is whom it
    addresses is "us by email" ("Ask sales@x.example for a demo" says "Ask us by email for a
    demo"). A line that was only an address says nothing."""
    if not _STAND_INS.sub("", line).strip(" .,;:!?-"):
        return ""
    line = _ADDRESSED.sub(r"\1 us by email", _SIGN_IN.sub(_said_after_particle, line))
    line = _AFTER_ONLINE.sub("online", _ONLINE_THING.sub(r"\1", line))
    line = _AFTER_PREPOSITION.sub(_said_after_preposition, line)
    return _SPACE_BEFORE_STOP.sub("", _STAND_INS.sub(lambda m: _SAID_FOR[m.group(0)], line))


_ENDS_IN_PREPOSITION = re.compile(r"(?i)\b(?:at|on|via|from|through)[ \u00a0]*:?[ \u00a0]*$")
"""A line that ends in a preposition whose object may be the address on the next line ("Email
us at" / "- help@x.example"); not "in", which ends a line as an adverb ("log in" / "-
https://x.example/login" is no "log online")."""


def _addresses_joined(lines: Sequence[Line]) -> list[Line]:
    """The lines, each that ends in a preposition ("Email us at", "Apply online at:") and is
    followed by a line (a list's item too) that is only an address, with that address's
    stand-in after it, to be said as it is within one line ("Email us at" / "-
    help@x.example" says "Email us", not "Email us at"; "Pay at" / "- https://x.example" says
    "Pay online"); the line of the address, alone, says nothing. A heading takes none."""
    joined = list(lines)
    for n, line in enumerate(lines[:-1]):
        address = _STAND_INS.fullmatch(lines[n + 1].text.strip(" .,;:!?-"))
        if address is None or line.kind == LineKind.HEADING:
            continue
        if lines[n + 1].kind == LineKind.HEADING or not _ENDS_IN_PREPOSITION.search(line.text):
            continue
        joined[n] = replace(line, text=line.text.rstrip(" :\u00a0") + " " + address.group(0))
    return joined


def _said_as_meant(text: str) -> str:
    said = say_reference_codes(say_around_the_clock(say_times(say_keypad_codes(text))))
    said = say_years_and_next(said)  # "2025/26": after a code's ("Case no. 2025/26")
    said = say_phone_numbers(say_numbers_to_call(say_zip_codes(said)))
    said = say_day_ranges(say_ranges(say_numbers_to_text(said)))
    return say_not_applicable(say_menu_paths(say_rates(said)))


_SPACES = re.compile(r"[ \t]{2,}")


@lru_cache(maxsize=256)  # a list's lead-in is said again before each of its items
def _said_line(text: str) -> str:
    """A line of plain text as it is spoken (its hard line breaks as sentences read them; code
    in it, marked by :func:`_said_as_code`, as written)."""
    # runs of spaces as one: the spoken text keeps one anyway, and no rule reads a run's length
    # (a long run cost time in its square, every rule trying each of its spaces)
    text = _SPACES.sub(" ", "\n".join(broken_lines(text)))
    return say_outside_literals(_say_addresses(_PICTOGRAPHS.sub("", text)), _said_as_meant)


def _runs_into(line: Line | None, next_line: Line) -> bool:
    """Whether ``line`` runs on into ``next_line`` (:func:`runs_on`: "Call us on:", "Call
    555-0134 or", "Call us on" before "1800 123 456"); a heading never does."""
    return line is not None and line.kind != LineKind.HEADING and runs_on(line.text, next_line.text)


def _lead_ins(lines: Sequence[Line]) -> list[str]:
    """For each line, the text that leads into it, whose words say what its numbers are: the
    line before when that one runs on into it ("Call 555-0134 or" / "555-1234"), or for a
    list's item the line before the list when that one runs on into the list ("Call us on:"
    / "- 555-1234" / "- 555-0134", "Text STOP to" / "- 12345" / "- 67890"); "" for any other
    line. A heading leads into nothing."""
    lead_ins: list[str] = []
    list_lead_ins: dict[int, str] = {}  # each open list's, by its depth
    for n, line in enumerate(lines):
        before = lines[n - 1] if n else None
        lead_in = before.text if before is not None and _runs_into(before, line) else ""
        if line.kind == LineKind.ITEM:
            in_the_list = before is not None and before.kind == LineKind.ITEM
            if not (in_the_list and before is not None and before.depth >= line.depth):
                list_lead_ins[line.depth] = lead_in  # the line before a new list
        lead_ins.append(
            lead_in or (list_lead_ins.get(line.depth, "") if line.kind == LineKind.ITEM else "")
        )
    return lead_ins


def _run_on(lines: Sequence[Line], said: Sequence[Line]) -> list[Line]:
    """The spoken lines, each whose line as written runs on into the next (:func:`_runs_into`)
    joined to the next: a line that ends in a preposition runs on only into a number, and the
    number said may no longer open with a digit ("Call us on" / "+61 2 9876 5432" is "Call us
    on plus 6 1, 2, ...")."""
    joined: list[Line] = []
    for n, line in enumerate(said):
        if n and _runs_into(lines[n - 1], lines[n]):
            before = joined.pop()  # what it is: a heading before it is before a list or not
            line = replace(before, text=f"{before.text} {line.text}")
        joined.append(line)
    return joined


def _said_after(lead_in: str, text: str) -> str:
    """A line as it is spoken after the line that leads into it (:func:`_lead_ins`), whose
    words may say what a number in it is ("Call us on:" / "555-1234" is "5 5 5, 1 2 3 4");
    alone where the two are not read apart (a number split over them)."""
    if not lead_in or not any(c.isdigit() for c in text):
        return _said_line(text)
    said_lead_in = _said_line(lead_in)
    said = _said_line(f"{lead_in} {text}")
    if said.startswith(f"{said_lead_in} "):
        return said[len(said_lead_in) + 1 :]
    return _said_line(text)


def _said_as_code(code: str) -> str:
    """A code span or block in speech: an address in it said in words as elsewhere, other
    code as written, a code of digits character by character (:func:`say_literally`)."""
    said = _bare_addresses(code)
    return said if _STAND_INS.search(said) else say_literally(code)


_DASH_CELL = re.compile(r"(?:^|, )(?:[^,:\n]+: )?[\-\u2013\u2014](?=, |$)")
"""A table's cell that holds only a dash, with its header ("Time to clear: \u2013")."""


def _without_dash_cells(row: Line) -> Line:
    """A table's row without its cells that hold only a dash, nothing to say in them, as an
    empty cell is left out ("Method: Card, Time to clear: \u2013" is "Method: Card"), where
    a speech engine would end the row on the header ("Time to clear:") or say "dash"."""
    return replace(row, text=_DASH_CELL.sub("", row.text).removeprefix(", "))


def markdown_to_speech(markdown: str) -> str:
    """Plain text for a voice channel: one paragraph of sentences (list items and table rows read
    as sentences, see :func:`~knowledge_service.content.plaintext.join_sentences`), no list
    markers and no addresses: a link's text is spoken, and an address (an autolink, a link whose
    text is its URL, a URL written as text) is said in words (:func:`_say_addresses`), one on
    a line of its own as the object of the line before it (:func:`_addresses_joined`); a phone
    number is read digit by digit in its groups
    (:mod:`~knowledge_service.answers.speech_numbers`), with the words of the line that leads
    into its line (:func:`_lead_ins`: "Call us on:" / "- 555-1234"), a reference code
    likewise, a path through menus ("Account > People") with "then"
    (:mod:`~knowledge_service.answers.speech` and the modules it names), but not in code
    ("`2-5`" is no range). The private-use characters that mark what is said in words or as
    code are taken out of the article's own text first, written as characters or as character
    references."""
    markdown = _OUR_MARK_REFERENCES.sub("", _OUR_MARKS.sub("", markdown))
    lines = _addresses_joined(plain_lines(markdown, _spoken, _bare_addresses, _said_as_code))
    lines = [_without_dash_cells(line) if line.kind == LineKind.ROW else line for line in lines]
    lead_ins = _lead_ins(lines)
    said = [
        replace(line, text=_said_after(lead_in, line.text))
        for line, lead_in in zip(lines, lead_ins, strict=True)
    ]
    said = end_headings([line for line in _run_on(lines, said) if line.text])
    # Cleaned before spaces are joined: what it drops (a flag's tag characters once the flag
    # is left out) leaves no double space.
    joined = clean_parsed_text("\n".join(line.text for line in said))
    text = re.sub(r"[ \t]+", " ", joined).strip()
    return join_sentences(text.splitlines())
