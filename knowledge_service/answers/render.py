"""Render an article's Markdown answer for a channel: plain text for chat, voice and email,
Markdown for agents and the web, and sanitised HTML where a page shows it.

Every rendering comes from one parse (markdown-it, CommonMark with GFM tables and
strikethrough: :mod:`~knowledge_service.content.plaintext`; plain text and speech also read
footnotes) whose raw HTML is dropped and
whose text and links go through :mod:`~knowledge_service.answers.sanitise`: Markdown is rebuilt
from the parse, never passed on as written, so what a client's own renderer makes of it is what
this one made of it. Rendering is linear in the input; a version's renderings are cached by its
content hash (:func:`render_answer`). Plain text and the HTML are made here; the Markdown in
:mod:`~knowledge_service.answers.render_markdown`, speech in
:mod:`~knowledge_service.answers.render_speech`, and links as every channel shows them in
:mod:`~knowledge_service.answers.render_links`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it.token import Token

from knowledge_service.answers.render_links import _spelled_out, _without_phone_links
from knowledge_service.answers.render_markdown import markdown_to_markdown
from knowledge_service.answers.render_speech import markdown_to_speech
from knowledge_service.answers.sanitise import (
    CODE_MARKS,
    clean_html,
    clean_text_with_code,
)
from knowledge_service.answers.schemas import AnswerFormat
from knowledge_service.content.plaintext import (
    PLAIN_MARKDOWN,
    EveryLinkMarkdownIt,
    Line,
    alt_text,
    parse,
    plain_lines,
)
from knowledge_service.content.schemas import Channel
from knowledge_service.index.cache import LruCache

MARKDOWN_CHANNELS = frozenset({Channel.AGENT, Channel.WEB})
RENDER_CACHE_SIZE = 4096
HTML_CACHE_SIZE = 256
# Also used from here by tests and callers.
__all__ = ["EveryLinkMarkdownIt", "markdown_to_markdown", "markdown_to_speech", "parse"]

_MD = PLAIN_MARKDOWN
"""The parse every channel starts from: a footnote's note is a paragraph where it is written
and its mark is left out (plain CommonMark would read a note as a link's definition and drop
it, and show its mark as a link), on the Markdown channels and pages as in plain text."""

_CACHE: LruCache[tuple[str, Channel], str] = LruCache(RENDER_CACHE_SIZE)


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
