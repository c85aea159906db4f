"""One sanitising path for everything a response carries, whatever the channel.

Plain-text fields (a title, a search snippet, a finding's message, a chat or voice answer) get
:func:`clean_text`: entities decoded, control characters dropped, nothing shaped like a tag and
no script-style link scheme left. Markdown answers are rebuilt from their parse
(:mod:`~knowledge_service.answers.render`), their text escaped with :func:`escape_markdown`,
their code kept as written (:func:`clean_code`) and their links kept only when :func:`safe_url`
allows them. HTML goes through the nh3 allow-list (:func:`clean_html`). Every function is linear
in its input and pure.
"""

from __future__ import annotations

import html
import re

import nh3

from knowledge_service.answers.customer_notes import customer_message
from knowledge_service.answers.schemas import AnswerResult
from knowledge_service.content.plaintext import plain_title
from knowledge_service.content.schemas import CUSTOMER_CHANNELS
from knowledge_service.freshness.schemas import FreshnessNote, SearchResponse
from knowledge_service.privacy import INVISIBLE_FORMAT, redact

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
SAFE_TAGS = frozenset({
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr", "s",
})  # fmt: skip

# Characters no reader sees: C0 and C1 controls and DEL (but tab and newline), line and
# paragraph separators, and the invisible format characters the redaction drops too.
_INVISIBLE = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029" + INVISIBLE_FORMAT
# ... but two emoji written with some of them (Unicode's UTS #51), kept whole: a subdivision
# flag (the black flag, a subdivision's code in tag characters, 3 to 7 lower-case letters and
# digits as CLDR writes them, and the cancel tag: Scotland's, Wales's, England's) and a
# zero-width joiner between two pictographs (a woman and a laptop as one technologist, the
# rainbow flag). A tag character or a joiner anywhere else is dropped (tag characters copy
# ASCII invisibly: hidden text).
_PICTOGRAPH = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
_EMOJI_SEQUENCE = (
    "\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{3,7}\U000e007f"
    f"|(?<=[{_PICTOGRAPH}\ufe0f])\u200d(?=[{_PICTOGRAPH}])"
)
_INVISIBLE_CHARS = re.compile(f"({_EMOJI_SEQUENCE})|[{_INVISIBLE}]")
# Plain text keeps its lines; tabs become spaces.
_CONTROL = re.compile(f"({_EMOJI_SEQUENCE})|[\t{_INVISIBLE}]")
_CONTROL_OR_SPACE = re.compile(f"[\\s{_INVISIBLE}]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# A script-style scheme, letters possibly split by white space (``java script:``), and data
# URLs of any media type.
_SPLIT = r"\s*"
_SCRIPT_WORDS = ("javascript", "vbscript", "livescript")
_SCRIPT_SCHEME = re.compile(
    r"(?i)(?:"
    + "|".join(_SPLIT.join(word) for word in _SCRIPT_WORDS)
    + r")\s*:|data\s*:\s*[a-z]+/[a-z0-9.+\-]+"
)
# A ``<`` that opens something a browser could read as a tag, and a ``>`` (never one right
# after a ``<`` that stays, which would make ``<`` and a letter of what follows a tag again).
_TAG_BRACKET = re.compile(r"<+(?=[A-Za-z/!?])|(?<!<)>+")
# ... but an underscore within a word (``snake_case``, ``utm_source`` in an address), which
# CommonMark never reads as emphasis, a ``#`` after a word (``page#fees``: only one at a line's
# start or after a space can open or close a heading) and a ``!`` but before a ``[`` or at the
# end (where a link may follow: an image): escaped, each would be part of the address a
# renderer that links bare addresses (GFM's autolinks) makes of it, a backslash that a browser
# reads as ``/``.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|~]|(?<![^\W_])_|_(?![^\W_])|(?<!\S)#|!(?=\[|\Z))")
_ENTITY_SHAPED = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")
_LINE_START = re.compile(r"(?m)^([ \t]*)([>+\-=])")
_LINE_START_NUMBER = re.compile(r"(?m)^([ \t]*\d+)([.)])")
# Any character one of clean_text's steps before the scheme check acts on: ``&`` (entities),
# ``<`` and ``>`` (tags), and every character ``_CONTROL`` may drop (tab and carriage return
# too; built from its class, so the two cannot drift apart). Text without one is left as it is
# by those steps (most titles, snippets and messages).
_NEEDS_CLEANING = re.compile("[&<>" + _CONTROL.pattern.rpartition("|[")[2])
_MAX_DECODES = 4
_ADDRESS_ATTRIBUTES = frozenset({"href", "src"})
# A table cell's column alignment: the one presentational attribute kept, and only with these
# values (no ``style``, which could hold anything).
CELL_ALIGNMENTS = frozenset({"left", "center", "right"})
# A numbered list's first number (``4.`` starts at 4): digits only, as CommonMark writes them.
_LIST_START = re.compile(r"[0-9]{1,9}")


_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;)")
"""A character reference: numeric with or without its ``;`` (browsers decode ``&#106avascript``),
named only with it. A legacy name without ``;`` is left alone: ``?a=1&section=2`` is a query, not
``§ion=2``, and undecoded it can only ever show as text."""


def _decode_once(text: str) -> str:
    return _REFERENCE.sub(lambda m: html.unescape(m.group(0)), text)


def decode_entities(text: str) -> str:
    """HTML character references decoded until nothing changes (``&amp;#x61;`` is ``a`` too),
    at most a few rounds."""
    for _ in range(_MAX_DECODES):
        decoded = _decode_once(text)
        if decoded == text:
            return text
        text = decoded
    return text


def neutralise_schemes(text: str) -> str:
    """``javascript:``-style schemes (also spelled with spaces) and ``data:`` URLs defused."""
    return _SCRIPT_SCHEME.sub(lambda m: "blocked:" if m.group(0).endswith(":") else "blocked", text)


def strip_invisible(text: str) -> str:
    """``text`` without the characters no reader sees (a NUL, a zero-width space, a direction
    override that would show a comment reversed); its lines and tabs kept, and a flag's or a
    joined emoji's characters kept with it (:data:`_EMOJI_SEQUENCE`)."""
    return _INVISIBLE_CHARS.sub(_kept_emoji, text)


def _kept_emoji(match: re.Match[str]) -> str:
    return match.group(1) or ""


def is_blank(text: str) -> bool:
    """Whether ``text`` holds nothing visible: only white space, control, zero-width and
    direction characters (a question of them is empty, not one to answer and count)."""
    return not _CONTROL_OR_SPACE.sub("", text).strip()


def clean_text(text: str) -> str:
    """Plain text safe for any client: no markup, no script scheme, no control characters.

    Entities are decoded first, so an encoded tag or scheme is caught too; a ``<`` that would
    open a tag and the ``>`` that would close it are dropped, while ``a < b`` and ``5>3`` keep
    their signs.
    """
    if _NEEDS_CLEANING.search(text) is None:  # the other steps would leave it unchanged
        return neutralise_schemes(text) if ":" in text else text  # every script scheme has ":"
    return _clean_every_step(text)


def clean_title(title: str) -> str:
    """A document's title as every response gives it: the words of its Markdown
    (:func:`~knowledge_service.content.plaintext.plain_title`), cleaned as plain text whose
    character references the parse has read (:func:`clean_parsed_text`)."""
    return clean_parsed_text(plain_title(title))


def _drop_controls(text: str) -> str:
    """Tabs as spaces, every other character ``_CONTROL`` names dropped (but those of an emoji
    sequence)."""
    return _CONTROL.sub(_kept_emoji, text.replace("\t", " "))


def _clean_every_step(text: str) -> str:
    """:func:`clean_text`, every step run whatever the text holds."""
    text = decode_entities(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _drop_controls(text)
    return neutralise_schemes(_drop_tag_brackets(text))


def _drop_tag_brackets(text: str) -> str:
    """``text`` without a ``<`` that opens a tag, nor the ``>`` that closes it; a ``>`` that
    closes no tag is text and stays (``5>3``, ``Settings>Billing``, ``x->y``)."""
    in_tag = False

    def dropped(match: re.Match[str]) -> str:
        nonlocal in_tag
        closes = match.group(0)[0] == ">"
        if closes and not in_tag:
            return match.group(0)
        in_tag = not closes
        return ""

    return _TAG_BRACKET.sub(dropped, text)


CODE_MARKS = ("\ue004", "\ue005")
"""Private-use characters around code in plain text given to :func:`clean_text_with_code`
(a writer's own are dropped before they are put in)."""
_MARKED_CODE = re.compile("\ue004([^\ue004\ue005]*)\ue005")
_MARKS = re.compile("[\ue004\ue005]")
# What decoded text must not hold: a ``<`` that opens a tag, or a script scheme.
_WRITES_MARKUP = re.compile(f"<[A-Za-z/!?]|{_SCRIPT_SCHEME.pattern.removeprefix('(?i)')}", re.I)


def clean_text_with_code(text: str) -> str:
    """:func:`clean_text` of plain text from a Markdown parse, its code marked with
    :data:`CODE_MARKS`: the parser has decoded the text's character references already, and
    code has none, so what is left is shown as it is, not decoded again (``AT&amp;amp;T`` in
    an article is ``AT&amp;T``, as its HTML shows it; a code span shows ``&amp;`` or
    ``&copy;`` as written). Text or code whose references would write a tag or a script
    scheme (``&lt;b&gt;``, ``&#106;avascript:``) is decoded and cleaned as any text is, and
    every other step (controls, tag brackets, schemes) runs on
    the whole text with the marks gone; should the result still read as a tag or a script
    scheme once decoded (a reference begun in the text and ended in code), the whole text is
    cleaned as :func:`clean_text` cleans it. A client that decodes references never finds a
    tag or a scheme."""
    unmarked = _MARKS.sub("", text)
    parts: list[str] = []
    at = 0
    for match in _MARKED_CODE.finditer(text):
        parts.append(_as_written(text[at : match.start()]))
        parts.append(_as_written(match.group(1)))
        at = match.end()
    parts.append(_as_written(text[at:]))
    return _cleaned_as_written(_MARKS.sub("", "".join(parts)), unmarked)


def _cleaned_as_written(text: str, written: str) -> str:
    """``text`` (``written`` with only references that would write markup decoded) with every
    other step of :func:`clean_text` run; ``written`` cleaned as :func:`clean_text` cleans it
    should the result still read as a tag or a script scheme once decoded."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = neutralise_schemes(_drop_tag_brackets(_drop_controls(text)))
    if _WRITES_MARKUP.search(decode_entities(cleaned)):
        return _clean_every_step(written)
    return cleaned


def _as_written(text: str) -> str:
    """Parsed text (or code) as it is, or decoded when its references would write a tag or a
    script scheme (which the cleaning then takes apart)."""
    decoded = decode_entities(text)
    return decoded if _WRITES_MARKUP.search(decoded) else text


def clean_parsed_text(text: str) -> str:
    """:func:`clean_text` of text a Markdown parser has decoded already (a text run, an image's
    alt text, a link's title): its character references are not decoded again, so
    ``AT&amp;amp;T`` in an article, which CommonMark reads as the text ``AT&amp;T``, stays
    ``AT&amp;T`` and is never ``AT&T``; but should decoding them write a tag or a script
    scheme (``&amp;lt;b&amp;gt;``), the text is cleaned as :func:`clean_text` cleans it."""
    return _cleaned_as_written(_as_written(text), text)


def clean_code(code: str) -> str:
    """Code for a Markdown code span or block, as written: a Markdown renderer shows code
    literally, so ``<your account number>``, ``a > b`` and ``&amp;`` stay as they are. Control
    characters are dropped (tabs as spaces), and a script scheme, also one written with
    character references, is defused."""
    code = _drop_controls(code.replace("\r\n", "\n").replace("\r", "\n"))
    decoded = decode_entities(code)
    return neutralise_schemes(decoded) if _SCRIPT_SCHEME.search(decoded) else code


def clean_optional(text: str | None) -> str | None:
    """:func:`clean_text` of a field that may be absent."""
    return None if text is None else clean_text(text)


def safe_url(url: str) -> str | None:
    """``url`` (control characters and white space dropped) if its scheme is http, https or
    mailto once entities are decoded, as a client would decode them; None otherwise (relative
    links included). The address itself is not decoded again: it comes decoded from the
    Markdown or HTML parser, and a query such as ``?a=1&section=2`` would become ``§ion=2``."""
    decoded = _CONTROL_OR_SPACE.sub("", decode_entities(url))
    match = _SCHEME.match(decoded)
    if match is None or match.group(1).lower() not in ALLOWED_SCHEMES:
        return None
    compact = _CONTROL_OR_SPACE.sub("", url)
    return compact.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def escape_markdown(text: str) -> str:
    """Parsed text (:func:`clean_parsed_text`) that a Markdown renderer shows as the same text:
    markup characters, entity-shaped ``&`` and block markers at a line's start are
    backslash-escaped."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", clean_parsed_text(text))
    text = _ENTITY_SHAPED.sub(r"\\&", text)
    text = _LINE_START.sub(r"\1\\\2", text)
    return _LINE_START_NUMBER.sub(r"\1\\\2", text)


def _safe_address(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: an address kept only when :func:`safe_url` allows it (so no
    relative or scheme-relative ``//host`` link), a cell's ``align`` only when it is one of
    :data:`CELL_ALIGNMENTS`, a list's ``start`` only when it is a number, any other attribute
    as it is."""
    if attribute in _ADDRESS_ATTRIBUTES and safe_url(value) is None:
        return None
    if attribute == "align" and value not in CELL_ALIGNMENTS:
        return None
    if attribute == "start" and _LIST_START.fullmatch(value) is None:
        return None
    return value


def clean_html(fragment: str) -> str:
    """HTML with every tag, attribute and link scheme outside the allow-list removed (nh3), links
    kept as the Markdown channels keep them (:func:`safe_url`), a table cell's alignment as
    its ``align`` attribute, a numbered list's first number as its ``start``, and no control
    characters."""
    cleaned = nh3.clean(
        fragment,
        tags=set(SAFE_TAGS),
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}},
        attribute_filter=_safe_address,
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener",
    )
    return _drop_controls(cleaned)  # after nh3, which decodes ``&#27;`` to the character


def sanitise_notes(notes: list[FreshnessNote], *, with_text: bool) -> list[FreshnessNote]:
    """Findings as a response shows them: messages cleaned, or (``with_text=False``, customer
    channels) the fixed customer-safe sentence of each finding's kind and severity: a finding's
    own message names other articles and quotes policy clauses."""
    return [
        note.model_copy(
            update={
                "message": clean_optional(note.message)
                if with_text
                else customer_message(note.kind, note.severity)
            }
        )
        for note in notes
    ]


def sanitise_answer(result: AnswerResult) -> AnswerResult:
    """Every free-text field of an answer cleaned for its channel (the answer text itself is
    rendered clean by :func:`~knowledge_service.answers.render.render_answer`); customer bot
    channels get no finding's own text, only a fixed sentence for its kind."""
    handoff = result.handoff
    if handoff is not None:
        candidates = [
            c.model_copy(update={"title": clean_title(c.title)}) for c in handoff.candidates
        ]
        handoff = handoff.model_copy(update={"candidates": candidates})
    return result.model_copy(
        update={
            "title": clean_title(result.title) if result.title is not None else None,
            "freshness": sanitise_notes(
                result.freshness, with_text=result.channel not in CUSTOMER_CHANNELS
            ),
            "handoff": handoff,
            "alternatives": [
                a.model_copy(update={"title": clean_title(a.title)}) for a in result.alternatives
            ],
        }
    )


def sanitise_search(response: SearchResponse) -> SearchResponse:
    """Every free-text field of a search response cleaned: titles, sections, snippets and
    finding messages (search is for agents and editors, who keep the messages); the query it
    echoes is redacted (no response echoes a customer's personal data)."""
    results = [
        hit.model_copy(
            update={
                "title": clean_title(hit.title),
                # Both the words of the article's parsed Markdown, as the answer's plain text.
                "section": None if hit.section is None else clean_parsed_text(hit.section),
                "snippet": clean_parsed_text(hit.snippet),
                "freshness": sanitise_notes(hit.freshness, with_text=True),
            }
        )
        for hit in response.results
    ]
    return response.model_copy(update={"query": redact(response.query), "results": results})
