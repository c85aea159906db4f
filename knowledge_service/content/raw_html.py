"""The raw HTML a document's Markdown holds: kept in the stored text, never shown.

Every rendering leaves raw HTML out (:func:`~knowledge_service.content.plaintext.parse`), and an
HTML block (a line that starts with ``<div>``, say, up to the next blank line) takes the text
inside it along. So an owner who writes HTML is told which, and where (:func:`find_raw_html`),
rather than finding it silently missing from every channel. Pure: text in, spans out.
"""

from __future__ import annotations

import re

from markdown_it.token import Token
from pydantic import BaseModel, Field

from knowledge_service.content.parser import split_front_matter
from knowledge_service.content.plaintext import MARKDOWN

_TAG = re.compile(r"<!--.*?(?:-->|$)|<[^>]*>?", re.S)
_HIDING = re.compile(r"<(script|style|textarea|title|iframe|noscript|template)\b", re.I)
MAX_SHOWN_CHARS = 80
"""A tag longer than this is shown cut, with an ellipsis."""


class RawHtml(BaseModel):
    """Raw HTML at one place of a document's text, which no channel shows."""

    line: int = Field(description="The line of the whole text (front matter included).")
    tags: list[str] = Field(description="The tags as written (a long one cut at 80 characters).")
    hides_text: bool = Field(
        description="The text inside is not shown either: an HTML block (up to the next blank "
        "line) or a `<script>`, `<style>` and the like."
    )


def _shown(tag: str) -> str:
    tag = " ".join(tag.split())
    return tag if len(tag) <= MAX_SHOWN_CHARS else tag[: MAX_SHOWN_CHARS - 1] + "…"


def _is_comment(html: str) -> bool:
    """An HTML comment: a note to other authors, never meant to be shown."""
    return html.strip().startswith("<!--")


def _block(token: Token, first_line: int) -> RawHtml | None:
    start = first_line + (token.map[0] if token.map else 0)
    tags = [_shown(t) for t in _TAG.findall(token.content) if not _is_comment(t)]
    text = _TAG.sub("", token.content).strip()
    return RawHtml(line=start, tags=tags, hides_text=bool(text)) if tags or text else None


def _inline(token: Token, first_line: int) -> list[RawHtml]:
    found: list[RawHtml] = []
    line = first_line + (token.map[0] if token.map else 0)
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "html_inline" and not _is_comment(child.content):
            hides = bool(_HIDING.match(child.content)) and not child.content.endswith("/>")
            if found and found[-1].line == line and not hides and not found[-1].hides_text:
                found[-1].tags.append(_shown(child.content))
            else:
                found.append(RawHtml(line=line, tags=[_shown(child.content)], hides_text=hides))
    return found


def find_raw_html(text: str, source: str = "<document>") -> list[RawHtml]:
    """The raw HTML in ``text`` (a whole document: front matter and Markdown body), in order,
    each with the line of the whole text it is on; inline tags on one line are one entry.
    HTML comments, notes never meant to be shown, are left out.

    Raises:
        InvalidContentError: ``text`` has no front matter.
    """
    front = split_front_matter(text, source)
    found: list[RawHtml] = []
    for token in MARKDOWN.parse(front.body):
        if token.type == "html_block" and (block := _block(token, front.body_line)):
            found.append(block)
        elif token.type == "inline":
            found.extend(_inline(token, front.body_line))
    return found


def describe_raw_html(found: list[RawHtml]) -> str:
    """One sentence for a person: which HTML is not shown, and where."""
    places = []
    for html in found:
        hidden = " (with the text inside it)" if html.hides_text else ""
        places.append(f"line {html.line}: {', '.join(html.tags) or 'an HTML block'}{hidden}")
    return (
        "Raw HTML is not shown on any channel, so it was left out of what customers and "
        f"agents see: {'; '.join(places)}. Everything else is saved; write it in Markdown instead."
    )
