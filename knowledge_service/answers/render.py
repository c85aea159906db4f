"""Render an article's Markdown answer for a channel: plain text for chat, voice and email,
Markdown for agents and the web, and sanitised HTML where a page shows it. Pure functions."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from knowledge_service.answers.schemas import AnswerFormat
from knowledge_service.content.schemas import Channel

MARKDOWN_CHANNELS = frozenset({Channel.AGENT, Channel.WEB})

_MD = MarkdownIt("commonmark")
_MD_NO_HTML = MarkdownIt("commonmark", {"html": False})
_MAX_STRIP_PASSES = 8
_TAG_SHAPED = re.compile(r"<(/?[A-Za-z!?][^<>]*)>")
_PLAIN_CHANNELS = frozenset({Channel.CHAT, Channel.VOICE, Channel.EMAIL})
_SAFE_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip


def _inline_text(token: Token, *, keep_links: bool) -> str:
    parts: list[str] = []
    href: str | None = None
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_open":
            href = str(child.attrs.get("href", "")) or None
        elif child.type == "link_close" and href and keep_links:
            parts.append(f" ({href})")
            href = None
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def markdown_to_plain(markdown: str, *, keep_links: bool = True) -> str:
    """Markdown to plain text: no markup, list items on their own lines, links spelled out.

    Raw HTML is removed first; anything still shaped like a tag loses its angle brackets, so
    a client that shows the text as HTML shows text.
    """
    lines: list[str] = []
    list_depth = 0
    for token in _MD.parse(strip_raw_html(markdown)):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "inline":
            text = _inline_text(token, keep_links=keep_links).strip()
            if text:
                lines.append(("- " if list_depth else "") + text)
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.strip())
    return _drop_angle_brackets(re.sub(r"[ \t]+", " ", "\n".join(lines)).strip())


def _drop_angle_brackets(text: str) -> str:
    while True:
        unbracketed = _TAG_SHAPED.sub(r"\1", text)
        if unbracketed == text:
            return text
        text = unbracketed


def markdown_to_speech(markdown: str) -> str:
    """Plain text for a voice channel: one paragraph, no links, no list markers."""
    text = markdown_to_plain(markdown, keep_links=False)
    sentences = [line.removeprefix("- ").strip() for line in text.splitlines() if line.strip()]
    return " ".join(s if s.endswith((".", "!", "?", ":")) else s + "." for s in sentences)


def markdown_to_safe_html(markdown: str) -> str:
    """Markdown to HTML with every tag and attribute outside a small allow-list removed."""
    html = _MD_NO_HTML.render(markdown)
    return nh3.clean(
        html, tags=_SAFE_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener"
    )


def strip_raw_html(markdown: str) -> str:
    """Remove raw HTML blocks and inline tags from Markdown, keeping everything else verbatim.

    Removing a tag can join the pieces around it into a new one (``<scr<b>ipt>``), so the pass
    repeats until nothing changes; past a few passes whatever ``<`` is left is escaped.
    """
    text = markdown
    for _ in range(_MAX_STRIP_PASSES):
        stripped = _strip_raw_html_once(text)
        if stripped == text:
            return stripped
        text = stripped
    return text.replace("<", "&lt;")


def _strip_raw_html_once(markdown: str) -> str:
    lines = markdown.splitlines(keepends=True)
    drop: set[int] = set()
    inline_tags: set[str] = set()
    for token in _MD.parse(markdown):
        if token.type == "html_block" and token.map:
            drop.update(range(token.map[0], token.map[1]))
        for child in token.children or []:
            if child.type == "html_inline":
                inline_tags.add(child.content)
    kept = "".join(line for i, line in enumerate(lines) if i not in drop)
    for tag in inline_tags:
        kept = kept.replace(tag, "")
    return re.sub(r"\n{3,}", "\n\n", kept)


_SCRIPT_SCHEME = re.compile(r"(?i)\b(?:javascript|vbscript|livescript)\s*:")


def neutralise_script_links(text: str) -> str:
    """Defuse ``javascript:``-style URLs, whatever renderer the channel hands the text to."""
    return _SCRIPT_SCHEME.sub("blocked:", text)


def render_answer(markdown: str, channel: Channel) -> str:
    """The answer text as the channel receives it."""
    if channel == Channel.VOICE:
        return markdown_to_speech(markdown)
    if channel in _PLAIN_CHANNELS:
        return neutralise_script_links(markdown_to_plain(markdown))
    return neutralise_script_links(strip_raw_html(markdown).strip())


def format_for(channel: Channel) -> AnswerFormat:
    """Markdown for the agent and web channels, plain text for chat, voice and email."""
    return AnswerFormat.MARKDOWN if channel in MARKDOWN_CHANNELS else AnswerFormat.TEXT
