"""Render an article's Markdown answer for a channel: plain text for chat, voice and email,
Markdown for agents and the web, and sanitised HTML where a page shows it.

Every rendering comes from one parse (markdown-it, CommonMark with GFM tables and
strikethrough: :mod:`~knowledge_service.content.plaintext`; plain text and speech also read
footnotes) whose raw HTML is dropped and
whose text and links go through :mod:`~knowledge_service.answers.sanitise`: Markdown is rebuilt
from the parse, never passed on as written, so what a client's own renderer makes of it is what
this one made of it. Rendering is linear in the input; a version's renderings are cached by its
content hash (:func:`render_answer`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import quote, unquote

from markdown_it.token import Token

from knowledge_service.answers.sanitise import (
    CODE_MARKS,
    clean_code,
    clean_html,
    clean_parsed_text,
    clean_text_with_code,
    escape_markdown,
    neutralise_schemes,
    safe_url,
)
from knowledge_service.answers.schemas import AnswerFormat
from knowledge_service.answers.speech import (
    say_around_the_clock,
    say_literally,
    say_menu_paths,
    say_outside_literals,
    say_rates,
)
from knowledge_service.answers.speech_codes import say_reference_codes
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
from knowledge_service.content.plaintext import (
    PLAIN_MARKDOWN,
    EveryLinkMarkdownIt,
    Line,
    LineKind,
    Link,
    Table,
    alt_text,
    broken_lines,
    end_headings,
    join_sentences,
    parse,
    plain_lines,
    read_table,
    runs_on,
)
from knowledge_service.content.schemas import Channel
from knowledge_service.index.cache import LruCache
from knowledge_service.privacy import TOP_LEVEL_DOMAINS, WORD_TOP_LEVEL_DOMAINS

MARKDOWN_CHANNELS = frozenset({Channel.AGENT, Channel.WEB})
RENDER_CACHE_SIZE = 4096
HTML_CACHE_SIZE = 256
__all__ = ["EveryLinkMarkdownIt", "parse"]  # also used from here by tests and callers

_MD = PLAIN_MARKDOWN
"""The parse every channel starts from: a footnote's note is a paragraph where it is written
and its mark is left out (plain CommonMark would read a note as a link's definition and drop
it, and show its mark as a link), on the Markdown channels and pages as in plain text."""
_BACKTICKS = re.compile(r"`+")
# A line break in rebuilt inline Markdown, hard (``\\`` and a new line) or soft: a space in an
# ATX heading, which is one line (an underlined heading may run over several).
_INLINE_BREAK = re.compile(r"\\?\n")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+.\-]{1,30}")
_CACHE: LruCache[tuple[str, Channel], str] = LruCache(RENDER_CACHE_SIZE)

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
_AFTER_ONLINE = re.compile(r"(?i)\bonline\s+(?:(?:at|on|via|from|through|in)\s+)?[\ue000\ue001]")
# ... and after an online thing named just before it ("through the online permit portal at
# x.example.gov.au/permits" says "through the online permit portal", not "... portal online").
_ONLINE_THING = re.compile(
    r"(?i)\b(online\s+(?:[a-z\-]+\s+){0,2}?(?:portal|form|system|service|services|tracker|"
    r"page|shop|store|account|booking|bookings|application|catalogue|map|register|directory|"
    r"chat|tool|calculator))\s+(?:at|on|via|from|through|in)\s+\ue000"
)
_SAID_FOR = {_WEB: "the website", _MAIL: "the email address"}
_SAID_AFTER_PREPOSITION = {_WEB: "online", _MAIL: ""}
# The space an address left before a sentence's stop ("pay online ." -> "pay online."), not
# one before punctuation that starts something else (":)", "; -)").
_SPACE_BEFORE_STOP = re.compile(r"\s+(?=[.,;:!?](?:\s|$)|$)")
# A phone link's scheme ("tel:+61298765432").
_TEL = re.compile(r"(?i)^\s*tel:\s*")
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


def _link_text(child: Token, attr: str) -> str | None:
    return safe_url(str(child.attrs.get(attr, "")))


# A character of an address that plain text shows percent-encoded, as the parser wrote it:
# white space and what no reader sees (which would end or hide the address), a bracket (``(``
# and ``)`` are the brackets ``text (url)`` puts the address in), quotes and backslashes.
_KEPT_ENCODED = frozenset("<>()\"'`\\")


def _as_written_url(href: str) -> str:
    """An address as its author wrote it, as CommonMark shows an autolink's text
    (markdown-it's ``normalizeLinkText``): the parser percent-encodes a link's address
    (``https://x.example/a[1]`` is ``https://x.example/a%5B1%5D``, a host name in Unicode is
    in punycode), as its HTML ``href`` must be, but a reader of plain text is shown what was
    written; what would break the address in text stays encoded (:data:`_KEPT_ENCODED`)."""
    if "%" not in href and "xn--" not in href.lower():
        return href
    written = _MD.normalizeLinkText(href)
    return "".join(
        quote(c, safe="") if c.isspace() or not c.isprintable() or c in _KEPT_ENCODED else c
        for c in written
    )


def _shown(address: str) -> str:
    """An address as a reader is shown it (:func:`_as_written_url`): a ``mailto:`` link's
    e-mail address without its scheme or its query (``mailto:help@x.example?subject=Rates``
    is ``help@x.example``)."""
    address = _as_written_url(address)
    if address[:7].lower() == "mailto:":
        return address[7:].split("?", 1)[0]
    return address


def _phone_number(href: str) -> str:
    """A phone link's number as written: ``tel:+61298765432`` is ``+61298765432``,
    ``tel:1800%20123%20456`` is ``1800 123 456``."""
    return " ".join(unquote(_TEL.sub("", href)).split())


_NOT_DIGITS = re.compile(r"\D+")


def _phone_text(text: str, href: str) -> str:
    """A phone link's text as every channel shows it (no channel links to a phone): without
    ``tel:`` (an autolink's text is its address), and with the number after it in brackets
    when the text does not show it (``[call us](tel:132255)`` is ``call us (132255)``)."""
    text = _TEL.sub("", text)
    number = _phone_number(href)
    shown = _NOT_DIGITS.sub("", number)[-8:] in _NOT_DIGITS.sub("", text)
    return text if shown or not _PHONE_SHAPED.fullmatch(number) else f"{text} ({number})"


_PHONE_SHAPED = re.compile(r"\+?\(?\d[\d ().\-]*(?:(?:;ext=|,|;|#|ext\.? ?|x)\d+)?", re.I)
"""A phone link's number: digits, maybe a ``+`` and groups apart with spaces, dots, dashes or
brackets, maybe an extension; an address of anything else is not shown as a number."""


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _without_phone_links(children: list[Token]) -> list[Token]:
    """An inline token's children with each phone link (``<tel:+61298765432>``,
    ``[call us](tel:132255)``) as its text (:func:`_phone_text`): ``tel`` is no allowed
    scheme, and a refused link's text alone would show ``tel:`` or lose the number."""
    kept: list[Token] = []
    phone: tuple[str, int] | None = None  # the open phone link's address, where its text starts
    for child in children:
        href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
        if child.type == "link_open" and _TEL.match(href):
            phone = (href, len(kept))
        elif child.type == "link_close" and phone is not None:  # links do not nest
            href, at = phone
            text = "".join(t.content for t in kept[at:] if t.type in ("text", "code_inline"))
            said = _phone_text(text, href)
            if kept[at:] and kept[at].type == "text":
                kept[at].content = _TEL.sub("", kept[at].content)
            if said != _TEL.sub("", text):
                kept.append(_text_token(said[len(_TEL.sub("", text)) :]))
            phone = None
        else:
            kept.append(child)
    return _joined_text(kept) if len(kept) < len(children) else kept


def _joined_text(children: list[Token]) -> list[Token]:
    """Each run of text tokens as one (a phone link's number is text of its line, not a new
    text that starts with ``+``, which the Markdown channels would escape as a line's start)."""
    joined: list[Token] = []
    for child in children:
        if child.type == "text" and joined and joined[-1].type == "text":
            joined[-1] = _text_token(joined[-1].content + child.content)
        else:
            joined.append(child)
    return joined


def _spelled_out(link: Link) -> str:
    """A link in plain text: ``text (url)``, an e-mail link's address without ``mailto:``; an
    address only once (an autolink, or a link whose text is its URL or its e-mail address);
    only its text when its address is refused; a phone link (``<tel:+61298765432>``) as its
    number, without ``tel:`` (:func:`_phone_text`)."""
    href = safe_url(link.href)
    if _TEL.match(link.href):
        return _phone_text(link.text, link.href)
    if href is None:
        return link.text
    if link.is_address or link.text.strip() == _shown(href):
        return _shown(link.text.strip()) if link.is_address else link.text
    return f"{link.text} ({_shown(href)})"


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
    address" ("visit https://x.example" says "visit the website"). A line that was only an
    address says nothing."""
    if not _STAND_INS.sub("", line).strip(" .,;:!?-"):
        return ""
    line = _AFTER_ONLINE.sub("online", _ONLINE_THING.sub(r"\1", line))
    line = _AFTER_PREPOSITION.sub(lambda m: _SAID_AFTER_PREPOSITION[m.group(1)], line)
    return _SPACE_BEFORE_STOP.sub("", _STAND_INS.sub(lambda m: _SAID_FOR[m.group(0)], line))


# Spaces between words, not a line's indentation (a code block's: ``if late:`` / ``    pay``).
_SPACES_IN_LINE = re.compile(r"(?<=\S)[ \t]+")


def _plain_line(line: Line) -> str:
    """A line of plain text: a list item after ``- `` (a numbered list's after its number,
    ``3. ``: steps keep their order's numbers), indented two spaces for each list it is
    nested in; what else a list holds (an item's further paragraphs, the lines its hard line
    breaks begin, a code block, a table's rows) indented under its item's text."""
    indent = "  " * line.depth
    bullet = f"{line.number}. " if line.number else "- "
    marker = indent[2:] + bullet if line.opens_item else indent
    return (marker + line.text.replace("\n", "\n" + indent)).rstrip(" ")


def _plain(lines: list[Line]) -> str:
    text = "\n".join(_plain_line(line) for line in lines)
    return clean_text_with_code(_SPACES_IN_LINE.sub(" ", text)).strip()


_CODE_MARK = re.compile(f"[{''.join(CODE_MARKS)}]")


def _marked_code(code: str) -> str:
    return f"{CODE_MARKS[0]}{code}{CODE_MARKS[1]}"


def markdown_to_plain(markdown: str) -> str:
    """Markdown to plain text: no markup, list items on their own lines, a table one line per
    row (``Method: Card, Fee: none``), safe links spelled out (an address once), and the whole
    passed through :func:`~knowledge_service.answers.sanitise.clean_text_with_code` (code as
    written: ``&amp;`` in a code span is those five characters)."""
    lines = plain_lines(
        _CODE_MARK.sub("", markdown), _spelled_out, code=_marked_code, empty_items=True
    )
    return _plain(lines)


def _said_as_meant(text: str) -> str:
    said = say_reference_codes(say_around_the_clock(say_times(say_keypad_codes(text))))
    said = say_years_and_next(said)  # "2025/26": after a code's ("Case no. 2025/26")
    said = say_phone_numbers(say_numbers_to_call(said))
    said = say_day_ranges(say_ranges(say_numbers_to_text(said)))
    return say_menu_paths(say_rates(said))


@lru_cache(maxsize=256)  # a list's lead-in is said again before each of its items
def _said_line(text: str) -> str:
    """A line of plain text as it is spoken (its hard line breaks as sentences read them; code
    in it, marked by :func:`_said_as_code`, as written)."""
    text = "\n".join(broken_lines(text))
    return say_outside_literals(_say_addresses(_PICTOGRAPHS.sub("", text)), _said_as_meant)


def _lead_ins(lines: Sequence[Line]) -> list[str]:
    """For each line, the text that leads into it, whose words say what its numbers are: the
    line before when that one runs on into it ("Call 555-0134 or" / "555-1234"), or for a
    list's item the line before the list when that one runs on ("Call us on:" / "- 555-1234"
    / "- 555-0134"); "" for any other line. A heading leads into nothing."""

    def leads_in(line: Line | None) -> str:
        is_lead_in = line is not None and line.kind != LineKind.HEADING and runs_on(line.text)
        return line.text if line is not None and is_lead_in else ""

    lead_ins: list[str] = []
    list_lead_ins: dict[int, str] = {}  # each open list's, by its depth
    for n, line in enumerate(lines):
        before = lines[n - 1] if n else None
        if line.kind == LineKind.ITEM:
            in_the_list = before is not None and before.kind == LineKind.ITEM
            if not (in_the_list and before is not None and before.depth >= line.depth):
                list_lead_ins[line.depth] = leads_in(before)  # the line before a new list
        lead_ins.append(
            leads_in(before)
            or (list_lead_ins.get(line.depth, "") if line.kind == LineKind.ITEM else "")
        )
    return lead_ins


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


def markdown_to_speech(markdown: str) -> str:
    """Plain text for a voice channel: one paragraph of sentences (list items and table rows read
    as sentences, see :func:`~knowledge_service.content.plaintext.join_sentences`), no list
    markers and no addresses: a link's text is spoken, and an address (an autolink, a link whose
    text is its URL, a URL written as text) is said in words (:func:`_say_addresses`); a phone
    number is read digit by digit in its groups
    (:mod:`~knowledge_service.answers.speech_numbers`), with the words of the line that leads
    into its line (:func:`_lead_ins`: "Call us on:" / "- 555-1234"), a reference code
    likewise, a path through menus ("Account > People") with "then"
    (:mod:`~knowledge_service.answers.speech` and the modules it names), but not in code
    ("`2-5`" is no range). The private-use characters that mark what is said in words or as
    code are taken out of the article's own text first, written as characters or as character
    references."""
    markdown = _OUR_MARK_REFERENCES.sub("", _OUR_MARKS.sub("", markdown))
    lines = plain_lines(markdown, _spoken, _bare_addresses, _said_as_code)
    lead_ins = _lead_ins(lines)
    said = [
        replace(line, text=_said_after(lead_in, line.text))
        for line, lead_in in zip(lines, lead_ins, strict=True)
    ]
    said = end_headings([line for line in said if line.text])
    # Cleaned before spaces are joined: what it drops (a flag's tag characters once the flag
    # is left out) leaves no double space.
    joined = clean_parsed_text("\n".join(line.text for line in said))
    text = re.sub(r"[ \t]+", " ", joined).strip()
    return join_sentences(text.splitlines())


@lru_cache(maxsize=HTML_CACHE_SIZE)
def markdown_to_safe_html(markdown: str) -> str:
    """Markdown to HTML (raw HTML left out, an image as its alt text) through the nh3
    allow-list; an article's pages and API reads render the same text again and again, so
    recent renderings are kept."""
    tokens = parse(markdown, _MD)
    for token in tokens:
        if token.children:
            token.children = [_as_alt_text(child) for child in _without_phone_links(token.children)]
        elif token.type in ("th_open", "td_open"):
            _align_attribute(token)
    return clean_html(_MD.renderer.render(tokens, _MD.options, {}))


def _align_attribute(cell: Token) -> None:
    """A table cell's column alignment as its ``align`` attribute, which the allow-list keeps
    (``left``, ``center`` or ``right`` only), in place of the ``style`` the parser writes,
    which it drops: a right-aligned column of amounts stays right-aligned."""
    style = str(cell.attrs.pop("style", ""))
    match = _CELL_ALIGN.fullmatch(style.strip())
    if match:
        cell.attrs["align"] = match.group(1)


_CELL_ALIGN = re.compile(r"text-align:\s*(left|center|right)")


def _as_alt_text(child: Token) -> Token:
    """An image as its alt text (the HTML has no images, and the allow-list would drop an
    ``<img>`` with what it says: "see the map: ." for "see the map: ![Zones 1 to 3](...)."),
    any other token as it is."""
    if child.type != "image":
        return child
    text = Token("text", "", 0)
    text.content = alt_text(child)
    return text


def _code_span(content: str) -> str:
    """A code span as CommonMark reads it back: a fence longer than any run of backticks in
    it, and a space inside each end where the code starts or ends with a backtick, or starts
    and ends with a space (one CommonMark takes off again: "`  OK  `" keeps its spaces); a span
    of spaces only is kept as it is (`` ` ` ``), and one of nothing is nothing."""
    text = clean_code(content).replace("\n", " ")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    ends = (text[:1], text[-1:])
    spaced = ends == (" ", " ") and text.strip(" ")
    pad = " " if "`" in ends or spaced else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _inline_markdown(token: Token) -> str:
    parts: list[str] = []
    hrefs: list[str | None] = []
    for child in _without_phone_links(token.children or []):
        kind = child.type
        if kind == "text":
            parts.append(escape_markdown(child.content))
        elif kind == "code_inline":
            parts.append(_code_span(child.content))
        elif kind == "softbreak":
            parts.append("\n")
        elif kind == "hardbreak":
            parts.append("\\\n")
        elif kind in ("em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"):
            parts.append(child.markup)
        elif kind == "link_open":
            href = _link_text(child, "href")
            hrefs.append(f"{href}{_link_title(child)}" if href else None)
            parts.append("[" if hrefs[-1] else "")
        elif kind == "link_close":
            href = hrefs.pop() if hrefs else None
            parts.append(f"]({href})" if href else "")
        elif kind == "image":
            alt, src = escape_markdown(alt_text(child)), _link_text(child, "src")
            parts.append(f"![{alt}]({src}{_link_title(child)})" if src else alt)
    return "".join(parts)


def _link_title(child: Token) -> str:
    """A link's or an image's title (``[text](url "title")``) as its rebuilt Markdown writes it
    after the address: cleaned as text, on one line, escaped within its double quotes; ""
    when it has none. The HTML keeps it as the ``title`` attribute, so the Markdown does too."""
    title = " ".join(clean_parsed_text(str(child.attrs.get("title", ""))).split())
    if not title:
        return ""
    return ' "' + escape_markdown(title).replace('"', '\\"') + '"'


@dataclass
class _Container:
    marker: str  # "> " for a quote, "- " or "3. " for a list item
    is_item: bool
    marked: bool = False
    tight: bool = False  # an item's: whether its list is tight
    of: int = -1  # an item's: where its list opens (which list it is in)


_KIND = {"fence": "code", "code_block": "code", "hr": "hr"}


# A line that is a rule (a thematic break): three or more ``*``, ``-`` or ``_``, spaces apart.
_THEMATIC_BREAK = re.compile(r"(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}")


def _makes_a_rule(block: str, stack: Sequence[_Container]) -> bool:
    """Whether the markers :func:`_prefixed` would write before a block's first line, with
    the block, make a rule (a thematic break) from one of them on: ``* ***`` is a rule, not
    an item holding one, and so is ``- - -``, not three items one in another."""
    pieces = [box.marker if not box.is_item or not box.marked else "" for box in stack]
    return any(
        _THEMATIC_BREAK.fullmatch(("".join(pieces[n:]) + block).strip())
        for n, piece in enumerate(pieces)
        if piece
    )


def _opening_lines(block: str, kind: str, stack: Sequence[_Container]) -> str:
    """A block as written after the markers of the items (and quotes) it opens, but where
    those markers and the block would make a rule (:func:`_makes_a_rule`): a rule is then
    written ``___`` (``- * ___``), and an empty item's markers each on a line of its own,
    under the text of the item before (``-`` / ``  -`` / ``    -``: an item may start with
    an empty line)."""
    if kind not in ("hr", "empty") or not _makes_a_rule(block, stack):
        return _prefixed(block, stack)  # no other block starts with "*", "-" or "_"
    if kind == "hr":
        return _prefixed("___", stack)
    return "\n".join(
        _prefixed("", stack[: n + 1])
        for n in range(len(stack))
        if not (stack[n].is_item and stack[n].marked)
    )


def _prefixed(text: str, stack: Sequence[_Container]) -> str:
    lines = []
    for line in text.split("\n"):
        prefix = ""
        for box in stack:
            if not box.is_item or not box.marked:
                prefix += box.marker
                box.marked = True
            else:
                prefix += " " * len(box.marker)
        lines.append((prefix + line).rstrip())
    return "\n".join(lines)


def _blank_line(stack: Sequence[_Container], before: Sequence[_Container]) -> str:
    """The line between a block in ``before``'s containers and the next one, in ``stack``'s:
    the ``>`` of each quote both blocks are in, and of no other (a quote after another stays a
    quote of its own, not the first one's next paragraph)."""
    shared = 0
    while shared < min(len(stack), len(before)) and stack[shared] is before[shared]:
        shared += 1
    boxes = stack[:shared]
    # Each quote's ``> `` in full: a quote's ``>`` then a list item's spaces would leave what
    # follows one column short of the item's text, out of the item.
    return "".join(
        box.marker if not box.is_item else " " * len(box.marker) for box in boxes
    ).rstrip()


def _leaf_markdown(token: Token, heading: int) -> str | None:
    if token.type == "inline":
        text = _inline_markdown(token)
        if not heading:
            return text
        return f"{'#' * heading} {_INLINE_BREAK.sub(' ', text)}"
    if token.type in ("fence", "code_block"):
        body = clean_code(token.content).rstrip("\n")
        fence = "`" * max([3, *(len(run) + 1 for run in _BACKTICKS.findall(body))])
        language = token.info.strip().split(" ")[0]
        info = language if _LANGUAGE.fullmatch(language) else ""
        return "\n".join([f"{fence}{info}", *([body] if body else []), fence])  # "" has no line
    if token.type == "hr":
        return "***"  # after a paragraph, "---" would underline it as a heading
    return None


_DELIMITER = {"left": ":---", "center": ":---:", "right": "---:", "": "---"}
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _cell_markdown(cell: Token) -> str:
    """A table cell's Markdown; a ``|`` in a code span escaped too (GFM splits cells before it
    reads code spans)."""
    return _UNESCAPED_PIPE.sub(r"\\|", _inline_markdown(cell).replace("\n", " ")).strip()


def _table_markdown(table: Table) -> str:
    """A GFM table rebuilt: header, delimiter row (with each column's alignment), body rows."""
    width = len(table.aligns)

    def row(cells: list[Token]) -> str:
        said = [_cell_markdown(cell) for cell in cells][:width]
        said += [""] * (width - len(said))
        return "| " + " | ".join(said) + " |"

    delimiter = "| " + " | ".join(_DELIMITER[align] for align in table.aligns) + " |"
    return "\n".join([row(table.header), delimiter, *(row(r) for r in table.rows)])


_OTHER_MARKER = {"-": "*", "*": "-", "+": "-", ".": ")", ")": "."}


def _list_marker(tokens: Sequence[Token], n: int, closed: str) -> str:
    """The item marker of the list opened at ``tokens[n]``: its own, but for a list right
    after another of the same kind (the two kept apart by raw HTML, ``<!-- -->``, which is
    left out), which takes another marker so that it stays a list of its own (one list would
    number "1. one" after "10. ten" as 11)."""
    own = tokens[n].markup
    follows = n and tokens[n - 1].type == tokens[n].type.replace("_open", "_close")
    return _OTHER_MARKER[own] if follows and own == closed else own


def _list_is_tight(tokens: Sequence[Token], n: int) -> bool:
    """Whether the list opened at ``tokens[n]`` is tight, as the parser marks its items'
    paragraphs (hidden); a list with no paragraph of its own (each item a table, a quote, code)
    looks the same tight or loose, and is rebuilt tight."""
    level = tokens[n].level
    for token in tokens[n + 1 :]:
        if token.level == level and token.nesting == -1:
            break
        if token.type == "paragraph_open" and token.level == level + 2:
            return token.hidden
    return True


# What may follow a block on the next line, in the same list item and not in a new one, without
# being read as part of it: no paragraph after a paragraph (one paragraph) or a table (a row),
# no table after a table.
_AFTER = {
    "paragraph": frozenset({"table", "code", "heading", "quote", "hr"}),
    "table": frozenset({"code", "heading", "quote", "hr"}),
    "code": frozenset({"paragraph", "table", "code", "heading", "quote", "hr"}),
    "heading": frozenset({"paragraph", "table", "code", "heading", "quote", "hr"}),
    "hr": frozenset({"paragraph", "table", "code", "heading", "quote", "hr"}),
}


def _on_next_line(
    stack: Sequence[_Container], before: Sequence[_Container], kind: str, kind_before: str
) -> bool:
    """Whether a block goes on the line after the one before, with no blank line between: in
    a tight list, where a blank line between two items, or between two blocks of an item,
    would make the list loose (each item a paragraph, spaced apart) where the article's is
    tight; only when the block cannot be read as part of the one before (an item's marker
    always starts a new item; a quote, a table or a paragraph after the end of a quote or a
    nested list would run on into it)."""
    shared = 0
    while shared < min(len(stack), len(before)) and stack[shared] is before[shared]:
        shared += 1
    two_items = shared < min(len(stack), len(before))
    two_items = two_items and stack[shared].is_item and before[shared].is_item
    if two_items and stack[shared].of == before[shared].of:
        tight = stack[shared].tight  # two items of one list
    elif two_items and not (shared and stack[shared - 1].is_item):
        tight = stack[shared].tight and before[shared].tight  # two lists, in no item
    elif shared and stack[shared - 1].is_item:
        tight = stack[shared - 1].tight  # two blocks in one item (two lists in it, maybe)
    else:
        return False  # a blank line in a quote, or outside any list, loosens no list
    if not tight:
        return False
    ended = len(before) > shared  # the block before ended a quote or a list this one is not in
    if len(stack) > shared:
        if stack[shared].is_item:  # it opens an item, whose marker starts it (after a quote
            # too, whatever its number: "> q" / "2. b" is a quote and a list), but for an empty
            # first item right after a paragraph ("-" would underline it as a heading)
            return not (
                kind == "empty"
                and not ended
                and kind_before == "paragraph"
                and shared + 1 == len(stack)
            )
        kind = "quote"  # it opens a quote
    if ended:  # a block that starts as none of the ended one's can go on (a rule: "***"), and
        # a quote after a nested list (its marker ends the list's item), not after a quote;
        # a paragraph or a table only when what ended ended with no paragraph it would go on
        return (
            kind in ("code", "heading", "hr")
            or (kind == "quote" and before[shared].is_item)
            or (kind in ("paragraph", "table") and kind_before in _NOTHING_TO_GO_ON)
        )
    return kind in _AFTER.get(kind_before, frozenset())


# What a quote or a nested list may end with for a paragraph or a table after it, in the item
# it is in, to go on the next line: none that the line would be read as part of (a paragraph's
# lazy line, a table's row).
_NOTHING_TO_GO_ON = frozenset({"code", "heading", "hr", "table", "empty"})


def markdown_to_markdown(markdown: str) -> str:
    """The Markdown rebuilt from its parse: raw HTML gone, text escaped, only http, https and
    mailto links and images kept (a dropped link keeps its text); an empty list item kept,
    and a tight list tight (:func:`_on_next_line`), as the article's HTML shows them."""
    blocks: list[str] = []
    stack: list[_Container] = []
    before: list[_Container] = []  # the containers of the block before
    kind_before = ""  # what the block before was: "paragraph", "table", "code", ...
    # Each open list's item marker as rebuilt ("-", "*", ".", ")") and whether it is tight.
    lists: list[tuple[str, bool, int]] = []
    markers_closed = ""  # the marker of the list closed last
    heading = 0
    tokens = parse(markdown, _MD)

    def add(block: str, kind: str) -> None:
        nonlocal before, kind_before
        if blocks:
            on_next = _on_next_line(stack, before, kind, kind_before)
            blocks.append("\n" if on_next else f"\n{_blank_line(stack, before)}\n")
        blocks.append(_opening_lines(block, kind, stack))
        before, kind_before = list(stack), kind

    n = -1
    while n + 1 < len(tokens):
        n += 1
        token = tokens[n]
        if token.type == "table_open":
            table, n = read_table(tokens, n)
            add(_table_markdown(table), "table")
        elif token.type == "blockquote_open":
            stack.append(_Container("> ", is_item=False))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append((_list_marker(tokens, n, markers_closed), _list_is_tight(tokens, n), n))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            markers_closed = lists.pop()[0] if lists else ""
        elif token.type == "list_item_open":
            number = token.info if token.info.isdigit() else ""
            marker, tight, of = lists[-1] if lists else (token.markup, False, n)
            stack.append(_Container(f"{number}{marker} ", is_item=True, tight=tight, of=of))
        elif token.type == "list_item_close":
            if not stack[-1].marked:  # an empty item ("2." alone), kept as CommonMark keeps it:
                add("", "empty")  # the next is still step 3
            stack.pop()
        elif token.type == "blockquote_close":
            stack.pop()
        elif token.type == "heading_open":
            heading = int(token.tag[1:])
        elif token.type == "heading_close":
            heading = 0
        else:
            leaf = _leaf_markdown(token, heading)
            if leaf is None or not leaf.strip():
                continue
            add(leaf, _KIND.get(token.type, "heading" if heading else "paragraph"))
    # A scheme split over two text runs (``javascript`` and a line break and ``:``) is caught
    # on the whole text.
    return neutralise_schemes("".join(blocks).strip())


def _render(markdown: str, channel: Channel) -> str:
    if channel == Channel.VOICE:
        return markdown_to_speech(markdown)
    if channel in MARKDOWN_CHANNELS:
        return markdown_to_markdown(markdown)
    return markdown_to_plain(markdown)


def render_answer(markdown: str, channel: Channel, *, content_hash: str | None = None) -> str:
    """The answer text as the channel receives it; with ``content_hash`` (a stored version's),
    rendered once per version and channel and then served from a bounded cache."""
    if content_hash is None:
        return _render(markdown, channel)
    key = (content_hash, channel)
    cached = _CACHE.get(key)
    if cached is None:
        cached = _render(markdown, channel)
        _CACHE.put(key, cached)
    return cached


def format_for(channel: Channel) -> AnswerFormat:
    """Markdown for the agent and web channels, plain text for chat, voice and email."""
    return AnswerFormat.MARKDOWN if channel in MARKDOWN_CHANNELS else AnswerFormat.TEXT
