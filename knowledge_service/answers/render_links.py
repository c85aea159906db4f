"""Links as every channel shows them: an address as its author wrote it (not the
percent-encoded ``href`` of its HTML), a phone link (``tel:``, never a link) as its number, and
a link spelled out in plain text; shared by :mod:`~knowledge_service.answers.render` and the
Markdown rebuild (:mod:`~knowledge_service.answers.render_markdown`)."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from markdown_it.token import Token

from knowledge_service.answers.sanitise import (
    safe_url,
)
from knowledge_service.content.plaintext import (
    PLAIN_MARKDOWN,
    Link,
)

_MD = PLAIN_MARKDOWN  # the parse every channel starts from (render's)
# A phone link's scheme ("tel:+61298765432").
_TEL = re.compile(r"(?i)^\s*tel:\s*")


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
