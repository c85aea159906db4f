"""Render an article's Markdown answer for a channel: plain text for chat, voice and email,
Markdown for agents and the web, and sanitised HTML where a page shows it.

Every rendering comes from one parse (markdown-it, CommonMark) whose raw HTML is dropped and
whose text and links go through :mod:`~knowledge_service.answers.sanitise`: Markdown is rebuilt
from the parse, never passed on as written, so what a client's own renderer makes of it is what
this one made of it. Rendering is linear in the input; a version's renderings are cached by its
content hash (:func:`render_answer`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from knowledge_service.answers.sanitise import (
    clean_html,
    clean_text,
    escape_markdown,
    neutralise_schemes,
    safe_url,
)
from knowledge_service.answers.schemas import AnswerFormat
from knowledge_service.content.schemas import Channel
from knowledge_service.index.cache import LruCache

MARKDOWN_CHANNELS = frozenset({Channel.AGENT, Channel.WEB})
RENDER_CACHE_SIZE = 4096
HTML_CACHE_SIZE = 256


class EveryLinkMarkdownIt(MarkdownIt):
    """CommonMark that parses every link and image as one, whatever its address: markdown-it's
    own check would leave a ``javascript:`` link as literal text, so :func:`safe_url` could not
    reduce it to its text. Which addresses are kept is decided by :func:`safe_url` alone."""

    def validateLink(self, url: str) -> bool:
        return True


_MD = EveryLinkMarkdownIt("commonmark")
_HTML_TYPES = frozenset({"html_block", "html_inline"})
_BACKTICKS = re.compile(r"`+")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+.\-]{1,30}")
_CACHE: LruCache[tuple[str, Channel], str] = LruCache(RENDER_CACHE_SIZE)


def parse(markdown: str) -> list[Token]:
    """The Markdown's tokens with every raw HTML block and inline tag left out."""
    tokens = [t for t in _MD.parse(markdown) if t.type not in _HTML_TYPES]
    for token in tokens:
        if token.children:
            token.children = [c for c in token.children if c.type not in _HTML_TYPES]
    return tokens


def _link_text(child: Token, attr: str) -> str | None:
    return safe_url(str(child.attrs.get(attr, "")))


def _inline_plain(token: Token, *, keep_links: bool) -> str:
    parts: list[str] = []
    hrefs: list[str | None] = []
    in_address = False  # inside an autolink, whose text is its address
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            if keep_links or not in_address:
                parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_open":
            hrefs.append(_link_text(child, "href"))
            in_address = child.markup == "autolink"
            if in_address and not keep_links and parts:  # "See <https://...>." says "See."
                parts[-1] = parts[-1].rstrip()
        elif child.type == "link_close":
            in_address = False
            href = hrefs.pop() if hrefs else None
            if href and keep_links:
                parts.append(f" ({href})")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def markdown_to_plain(markdown: str, *, keep_links: bool = True) -> str:
    """Markdown to plain text: no markup, list items on their own lines, safe links spelled
    out, and the whole passed through :func:`~knowledge_service.answers.sanitise.clean_text`."""
    lines: list[str] = []
    list_depth = 0
    for token in parse(markdown):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "inline":
            text = _inline_plain(token, keep_links=keep_links).strip()
            if text:
                lines.append(("- " if list_depth else "") + text)
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.strip())
    return clean_text(re.sub(r"[ \t]+", " ", "\n".join(lines))).strip()


def markdown_to_speech(markdown: str) -> str:
    """Plain text for a voice channel: one paragraph, no links (a link's text is kept, an
    autolink, being only its address, is left out), no list markers."""
    text = markdown_to_plain(markdown, keep_links=False)
    sentences = [line.removeprefix("- ").strip() for line in text.splitlines() if line.strip()]
    return " ".join(s if s.endswith((".", "!", "?", ":")) else s + "." for s in sentences)


@lru_cache(maxsize=HTML_CACHE_SIZE)
def markdown_to_safe_html(markdown: str) -> str:
    """Markdown to HTML (raw HTML left out) through the nh3 allow-list; an article's pages and
    API reads render the same text again and again, so recent renderings are kept."""
    return clean_html(_MD.renderer.render(parse(markdown), _MD.options, {}))


def _code_span(content: str) -> str:
    text = clean_text(content).replace("\n", " ")
    if not text.strip():
        return text
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _inline_markdown(token: Token) -> str:
    parts: list[str] = []
    hrefs: list[str | None] = []
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            parts.append(escape_markdown(child.content))
        elif kind == "code_inline":
            parts.append(_code_span(child.content))
        elif kind == "softbreak":
            parts.append("\n")
        elif kind == "hardbreak":
            parts.append("\\\n")
        elif kind in ("em_open", "em_close", "strong_open", "strong_close"):
            parts.append(child.markup)
        elif kind == "link_open":
            hrefs.append(_link_text(child, "href"))
            parts.append("[" if hrefs[-1] else "")
        elif kind == "link_close":
            href = hrefs.pop() if hrefs else None
            parts.append(f"]({href})" if href else "")
        elif kind == "image":
            alt, src = escape_markdown(child.content), _link_text(child, "src")
            parts.append(f"![{alt}]({src})" if src else alt)
    return "".join(parts)


@dataclass
class _Container:
    marker: str  # "> " for a quote, "- " or "3. " for a list item
    is_item: bool
    marked: bool = False


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


def _blank_line(stack: Sequence[_Container]) -> str:
    """The line between two blocks in the same containers: a quote keeps its ``>``."""
    return "".join(">" if not box.is_item else " " * len(box.marker) for box in stack).rstrip()


def _leaf_markdown(token: Token, heading: int) -> str | None:
    if token.type == "inline":
        text = _inline_markdown(token)
        return f"{'#' * heading} {text}" if heading else text
    if token.type in ("fence", "code_block"):
        body = clean_text(token.content).rstrip("\n")
        fence = "`" * max([3, *(len(run) + 1 for run in _BACKTICKS.findall(body))])
        language = token.info.strip().split(" ")[0]
        info = language if _LANGUAGE.fullmatch(language) else ""
        return f"{fence}{info}\n{body}\n{fence}"
    if token.type == "hr":
        return "---"
    return None


def markdown_to_markdown(markdown: str) -> str:
    """The Markdown rebuilt from its parse: raw HTML gone, text escaped, only http, https and
    mailto links and images kept (a dropped link keeps its text)."""
    blocks: list[str] = []
    stack: list[_Container] = []
    tight = tight_before = False
    heading = 0
    for token in parse(markdown):
        if token.type == "blockquote_open":
            stack.append(_Container("> ", is_item=False))
        elif token.type == "list_item_open":
            number = token.info if token.info.isdigit() else ""
            stack.append(_Container(f"{number}{token.markup} ", is_item=True))
        elif token.type in ("blockquote_close", "list_item_close"):
            stack.pop()
        elif token.type == "heading_open":
            heading = int(token.tag[1:])
        elif token.type == "heading_close":
            heading = 0
        elif token.type == "paragraph_open":
            tight = token.hidden
        else:
            text = _leaf_markdown(token, heading)
            if text is None or not text.strip():
                continue
            is_tight = token.type == "inline" and tight
            separator = "\n" if is_tight and tight_before else f"\n{_blank_line(stack)}\n"
            blocks.append((separator if blocks else "") + _prefixed(text, stack))
            tight_before = is_tight
            tight = False
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
