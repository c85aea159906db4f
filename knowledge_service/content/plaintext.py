"""The one Markdown parse every rendering starts from, and its plain-text lines.

An article's Markdown is parsed here (markdown-it, CommonMark with GFM tables, raw HTML left
out) for every channel's rendering (:mod:`~knowledge_service.answers.render`) and for search
snippets (:mod:`~knowledge_service.index.ranking`). :func:`plain_lines` turns the parse into
lines of plain text: no markup, one line per paragraph, list item and table row, a link as
whatever the caller's ``link`` function makes of it. :func:`join_sentences` reads such lines as
one paragraph, and :func:`plain_snippet` is the text a search result shows.

Nothing here sanitises: callers clean the text for the client they serve.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

SNIPPET_CACHE_SIZE = 4096


class EveryLinkMarkdownIt(MarkdownIt):
    """CommonMark that parses every link and image as one, whatever its address: markdown-it's
    own check would leave a ``javascript:`` link as literal text, so a renderer could not
    reduce it to its text. Which addresses are kept is the renderer's decision alone."""

    def validateLink(self, url: str) -> bool:
        return True


KEYPAD_CODE = r"[*#]{1,8}\d[\d*#]{0,40}#"
"""A code keyed on a phone's keypad, by its shape: a star or a hash, keys, a hash ("*100#",
"*#06#", "##002#", "*123*1#", "**21*0412345678#"). Bounded (up to 8 signs before the first
digit, 41 keys from it to the closing hash, longer than any network's code): an unbounded
run of keys made each try quadratic in the run, so a star before tens of thousands of
digits held every channel's rendering for minutes."""
_KEYPAD_CODE_AT = re.compile(rf"(?<![^\W_])(?<![*#]){KEYPAD_CODE}(?![^\W_]|#)")


def _keypad_code(state: StateInline, silent: bool) -> bool:
    """A code keyed on a phone's keypad (:data:`KEYPAD_CODE`) as text: CommonMark reads the
    stars of "*123*1#" as emphasis ("<em>123</em>1#"), which loses them on every channel. Not
    inside a word or a longer run of keys; emphasis around the code stays ("**dial *123#**")."""
    code = _KEYPAD_CODE_AT.match(state.src, state.pos, state.posMax)
    if code is None:
        return False
    if not silent:
        state.pending += code.group(0)
    state.pos = code.end()
    return True


MARKDOWN = EveryLinkMarkdownIt("commonmark").enable(["table", "strikethrough"])
"""CommonMark with GFM tables and strikethrough (``~~$15~~ $20``): what articles are written
in. Struck text is no longer true: plain text and speech leave it out. A code keyed on a
phone's keypad ("*123*1#") is text, never emphasis."""
MARKDOWN.inline.ruler.before("emphasis", "keypad_code", _keypad_code)
_HTML_TYPES = frozenset({"html_block", "html_inline"})
_ALIGN = re.compile(r"text-align:\s*(left|center|right)")

LinkText = Callable[["Link"], str]
"""What a link becomes in plain text, given the link."""


@dataclass(frozen=True)
class Link:
    """A link as written: its address (as parsed, not checked), its text, and whether it was an
    autolink (``<https://...>``), whose text is its address."""

    href: str
    text: str
    autolink: bool

    @property
    def is_address(self) -> bool:
        """Whether the link's text is only its address: an autolink, or a link whose text is
        its URL (``[https://x.example](https://x.example)``)."""
        text = self.text.strip()
        return self.autolink or text in (self.href, self.href.removeprefix("mailto:"))


class LineKind(StrEnum):
    TEXT = "text"  # a paragraph
    HEADING = "heading"
    ITEM = "item"  # a list item's paragraph
    ROW = "row"  # a table row
    CODE = "code"  # a code block


@dataclass(frozen=True)
class Line:
    kind: LineKind
    text: str
    depth: int = 0  # how many lists the line is in (a nested list's item: 2)
    opens_item: bool = False  # a list item's first paragraph (not a further one)
    number: str = ""  # that item's number in a numbered list, as written ("3"), else ""


# Two marks of GitHub's Markdown that plain text and speech read for what they say: a footnote
# (its mark "[^1]" in the text, its note "[^1]: ..." on a line of its own) and a task list's
# box ("- [ ] item", "- [x] item").
_FOOTNOTE_NOTE = re.compile(r"\[\^[^\]\[\s]{1,100}\]:[ \t]*")
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\[\s]{1,100}\]")
_TASK_BOX = re.compile(r"\[[ xX]\](?:[ \t]+|$)")


def _footnote_note(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A footnote's note ("[^1]: Waived for card holders.", with the lines that run on from
    it) as a paragraph of its own, without its label; else a note of one word or an address
    would be read as a link's definition and left out."""
    if state.is_code_block(start):
        return False
    begin = state.bMarks[start] + state.tShift[start]
    note = _FOOTNOTE_NOTE.match(state.src, begin, state.eMarks[start])
    if note is None:
        return False
    if silent:
        return True
    line = start + 1
    while (
        line < end
        and not state.isEmpty(line)
        and state.sCount[line] >= state.blkIndent
        and not _FOOTNOTE_NOTE.match(state.src, state.bMarks[line] + state.tShift[line])
    ):
        line += 1
    first = state.src[note.end() : state.eMarks[start]]
    rest = state.getLines(start + 1, line, state.blkIndent, False)
    state.push("paragraph_open", "p", 1).map = [start, line]
    inline = state.push("inline", "", 0)
    inline.content = "\n".join(part.strip() for part in (first, rest) if part.strip())
    inline.map = [start, line]
    inline.children = []
    state.push("paragraph_close", "p", -1)
    state.line = line
    return True


def _footnote_mark(state: StateInline, silent: bool) -> bool:
    """A footnote's mark ("fee[^1]") left out, with the space before it when a stop follows
    ("fee [^1]." is "fee."): the note is read where it is written."""
    mark = _FOOTNOTE_MARK.match(state.src, state.pos, state.posMax)
    if mark is None:
        return False
    if not silent and state.src[mark.end() : mark.end() + 1] in ("", *".,;:!?)"):
        state.pending = state.pending.rstrip(" \t")
    state.pos = mark.end()
    return True


PLAIN_MARKDOWN = EveryLinkMarkdownIt("commonmark").enable(["table", "strikethrough"])
"""The parse plain text and speech start from: :data:`MARKDOWN` (a keypad's code text too),
reading a footnote's mark and note for what they say."""
PLAIN_MARKDOWN.block.ruler.before(
    "reference", "footnote_note", _footnote_note, {"alt": ["paragraph", "reference"]}
)
PLAIN_MARKDOWN.inline.ruler.before("link", "footnote_mark", _footnote_mark)
PLAIN_MARKDOWN.inline.ruler.before("emphasis", "keypad_code", _keypad_code)

_HIDDEN_OPEN = re.compile(r"<(script|style|textarea|title|iframe|noscript|template)\b", re.I)
# A line break written as HTML ("$5<br>per bin", common in a table's cell): a space once the
# tag is left out, so the words on either side stay apart ("$5 per bin", not "$5per bin").
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.I)


def parse(markdown: str, md: MarkdownIt = MARKDOWN) -> list[Token]:
    """The Markdown's tokens with every raw HTML block and inline tag left out, and with them
    what an inline ``<script>``, ``<style>`` (and the like) holds: never text to show."""
    tokens = [t for t in md.parse(markdown) if t.type not in _HTML_TYPES]
    for token in tokens:
        if token.children:
            token.children = _without_html(token.children)
    return tokens


def _without_html(children: list[Token]) -> list[Token]:
    kept: list[Token] = []
    hidden: str | None = None  # the tag whose content is being left out
    for child in children:
        if child.type == "html_inline":
            if hidden is None and _LINE_BREAK_TAG.fullmatch(child.content.strip()):
                space = Token("text", "", 0)
                space.content = " "
                kept.append(space)
                continue
            opened = _HIDDEN_OPEN.match(child.content)
            if hidden is None and opened and not child.content.rstrip().endswith("/>"):
                hidden = opened.group(1).lower()
            elif hidden is not None and child.content.lower().startswith(f"</{hidden}"):
                hidden = None
        elif hidden is None:
            kept.append(child)
    return kept


def alt_text(image: Token) -> str:
    """An image's alt text as its words, as CommonMark writes it in ``alt``: no emphasis or
    code marks, raw HTML left out (``![Map of **zones**](...)`` is "Map of zones")."""
    parts: list[str] = []
    for child in _without_html(image.children or []):
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(alt_text(child))
    return "".join(parts)


def link_text_only(link: Link) -> str:
    """A link as its text alone (an autolink's text is its address)."""
    return link.text


def inline_plain(
    token: Token,
    link: LinkText,
    text: Callable[[str], str] = lambda s: s,
    code: Callable[[str], str] | None = None,
) -> str:
    """An inline token's text without markup; each link as ``link`` makes it, text outside
    links through ``text`` (a code span, in a link's text too, through ``code``, when given:
    code is read as code wherever it is written, and ``link`` is given it so read); struck
    text (``~~$15~~``), no longer true, left out; a hard line break a new line, a soft one a
    space."""
    parts: list[str] = []
    opened: list[tuple[Token, int]] = []  # each open link and where its text starts
    struck = 0  # how many strikethroughs are open (the parser nests them within links)
    for child in token.children or []:
        if child.type in ("s_open", "s_close"):
            struck = max(0, struck + (1 if child.type == "s_open" else -1))
        elif struck:
            continue
        elif child.type == "code_inline" and code is not None:  # in a link's text too
            parts.append(code(child.content))
        elif child.type in ("text", "code_inline"):
            parts.append(child.content if opened else text(child.content))
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":  # a line break the writer asked for ("**Plan**\\")
            parts.append("\n")
        elif child.type == "image":  # its alt text: what the picture says, in words
            parts.append(alt_text(child))
        elif child.type == "link_open":
            opened.append((child, len(parts)))
        elif child.type == "link_close" and opened:
            start, at = opened.pop()
            inner = "".join(parts[at:])
            del parts[at:]
            href = str(start.attrs.get("href", ""))
            parts.append(link(Link(href, inner, start.markup == "autolink")))
    return "".join(parts)


_INLINE_MARKUP = re.compile(r"[\\`*_~!\[\]<>&]")
"""A character that may begin inline Markdown or HTML; a title without one is its own text."""


@lru_cache(maxsize=SNIPPET_CACHE_SIZE)
def plain_title(title: str) -> str:
    """A one-line Markdown title as its words: emphasis and code marks dropped, each link as
    its text, an image as its alt text, raw HTML left out (with what a ``<script>`` holds),
    entities and backslash escapes read. Parsed inline only: ``1. Refunds`` stays a title,
    not a list."""
    if _INLINE_MARKUP.search(title) is None:
        return title
    tokens = MARKDOWN.parseInline(title)
    for token in tokens:
        if token.children:
            token.children = _without_html(token.children)
    words = " ".join(inline_plain(token, link_text_only) for token in tokens)
    return " ".join(words.split())  # what a left-out tag stood between: one space


@dataclass
class Table:
    """A table's cells as inline tokens: the header row, the body rows, each column's
    alignment (``left``, ``center``, ``right`` or ``""``)."""

    header: list[Token]
    rows: list[list[Token]]
    aligns: list[str]


def read_table(tokens: Sequence[Token], start: int) -> tuple[Table, int]:
    """The table opened at ``tokens[start]`` and the position of its ``table_close``."""
    table = Table([], [], [])
    row: list[Token] = []
    in_head = False
    n = start
    for n in range(start + 1, len(tokens)):
        token = tokens[n]
        if token.type == "table_close":
            break
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
        elif token.type == "th_open" and in_head:
            match = _ALIGN.search(str(token.attrs.get("style", "")))
            table.aligns.append(match.group(1) if match else "")
        elif token.type == "inline":
            row.append(token)
        elif token.type == "tr_close":
            if in_head:
                table.header = row
            else:
                table.rows.append(row)
    return table, n


def row_text(headers: Sequence[str], cells: Sequence[str]) -> str:
    """A table row in words: ``Method: Card, How: online, Fee: none`` (an empty cell left out,
    a cell under an empty header by itself)."""
    said = [
        f"{header}: {cell}" if header else cell
        for header, cell in zip(headers, cells, strict=False)
        if cell
    ]
    return ", ".join(said)


def plain_lines(
    markdown: str,
    link: LinkText,
    text: Callable[[str], str] = lambda s: s,
    code: Callable[[str], str] | None = None,
    *,
    empty_items: bool = False,
) -> list[Line]:
    """The Markdown as lines of plain text: one per paragraph, heading, list item, table row
    (each cell with its column's header) and code block (a paragraph's hard line breaks kept
    in its text as new lines); links as ``link`` makes them, text outside links through
    ``text``, and a code span or block through ``code`` when given (else as text). A
    footnote's mark is left out and its note is a line
    where it is written (:data:`PLAIN_MARKDOWN`); a task list's box (``[ ]``, ``[x]``) is
    left out. With ``empty_items``, an item with no text of its own before a nested list
    (``1. - a``), and a numbered item with nothing at all in it (``2.`` alone), is a line of
    no text that opens it, so its marker and number are still shown (an empty bullet, which
    says nothing and counts nothing, is left out)."""
    lines: list[Line] = []
    tokens = parse(markdown, PLAIN_MARKDOWN)
    list_depth = 0
    # The item opened last whose first line is still to come: its number in a numbered list
    # ("3"), "" in a bullet list. That line opens it, whatever it is (a paragraph, a quote's,
    # a code block, a table's first row), so a step that starts with code keeps its number.
    opening: str | None = None

    def add(kind: LineKind, said: str) -> None:
        nonlocal opening
        number, opening = opening, None
        lines.append(Line(kind, said, list_depth, number is not None, number or ""))

    # Each open list's next item number (None in a bullet list): a numbered list counts from
    # its first number, as every renderer numbers it ("1." on every item is 1, 2, 3).
    numbers: list[int | None] = []
    n = 0
    while n < len(tokens):
        token = tokens[n]
        if token.type in ("bullet_list_open", "ordered_list_open"):
            if empty_items and opening is not None:  # an item that opens with a nested list
                add(LineKind.ITEM, "")
            list_depth += 1
            start = token.attrs.get("start", 1) if token.type == "ordered_list_open" else None
            numbers.append(None if start is None else int(start))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            if numbers:
                numbers.pop()
        elif token.type == "list_item_open":
            number = numbers[-1] if numbers else None
            opening = "" if number is None else str(number)  # a numbered list's "3", else ""
            if number is not None:
                numbers[-1] = number + 1
        elif token.type == "list_item_close":
            if empty_items and opening and tokens[n - 1].type == "list_item_open":
                add(LineKind.ITEM, "")  # a numbered item with nothing in it: its number
            opening = None  # an empty item opens nothing after it
        elif token.type == "table_open":
            table, n = read_table(tokens, n)
            headers = [inline_plain(cell, link, text, code).strip() for cell in table.header]
            for row in table.rows or [[]]:
                cells = [inline_plain(cell, link, text, code).strip() for cell in row]
                said = row_text(headers, cells) if row else ", ".join(h for h in headers if h)
                if said:
                    add(LineKind.ROW, said)
        elif token.type == "inline":
            said = inline_plain(token, link, text, code).strip()
            if list_depth and _is_task(tokens, n):
                said = _TASK_BOX.sub("", said, count=1)
            if said:
                add(_line_kind(tokens, n, list_depth), said)
        elif token.type in ("fence", "code_block") and token.content.strip():
            block = token.content.strip()
            add(LineKind.CODE, code(block) if code is not None else block)
        n += 1
    return lines


def _line_kind(tokens: Sequence[Token], n: int, list_depth: int) -> LineKind:
    if n and tokens[n - 1].type == "heading_open":
        return LineKind.HEADING
    return LineKind.ITEM if list_depth else LineKind.TEXT


def _is_task(tokens: Sequence[Token], n: int) -> bool:
    """Whether ``tokens[n]`` is a list item's first text and starts with a task's box."""
    children = tokens[n].children or []
    first = children[0] if children else None
    return (
        n >= 2
        and tokens[n - 2].type == "list_item_open"
        and first is not None
        and first.type == "text"
        and _TASK_BOX.match(first.content) is not None
    )


# A line that ends in a comma, semicolon, colon or a joining word runs on into the next.
_RUNS_ON = re.compile(r"(?:[,;:]|\b(?:and|or|but|nor|then|plus))$", re.IGNORECASE)
# So does one that ends in a preposition, when the next opens with a number, what the
# preposition is followed by ("Call us on" / "1800 123 456", "Open until" / "5pm"); a line
# that ends in a preposition before words is often whole ("Who it was made out to", "What we
# look at", "Turn it on": the preposition's object said before it, or a verb's particle).
_ENDS_IN_A_PREPOSITION = re.compile(
    r"\b(?:about|after|at|before|between|by|during|for|from|in|into|of|on|onto|over|per|than"
    r"|through|till|to|under|until|via|with|within)$",
    re.IGNORECASE,
)
_OPENS_WITH_A_NUMBER = re.compile(r"[(\[]?[+$\u20ac\u00a3\u00a5]?\d")
_CLOSERS = "\"')]}\u201d\u2019"


def runs_on(line: str, next_line: str = "") -> bool:
    """Whether a line runs on into the next, ``next_line``, when lines are read as sentences
    (:func:`join_sentences`): it ends in a comma, semicolon, colon or a joining word, or in a
    preposition before a number ("Call us on" / "1800 123 456")."""
    line = line.strip()
    if _RUNS_ON.search(line) is not None:
        return True
    return bool(
        _ENDS_IN_A_PREPOSITION.search(line) and _OPENS_WITH_A_NUMBER.match(next_line.lstrip())
    )


def join_sentences(lines: Sequence[str]) -> str:
    """Lines read as one paragraph: each line a sentence (a full stop added where it has no
    ``.``, ``!``, ``?`` or ellipsis ``…``), except that a line ending in a comma, semicolon,
    colon or a joining word ("and", "or", "but", "nor", "then", "plus") runs on into the next
    line, so a list written "pay another way, and" / "check your details" reads as one
    sentence, and so does one ending in a preposition before a line that opens with a number
    ("Call us on" / "1800 123 456" is "Call us on 1800 123 456.", not "Call us on. 1800 ...")."""
    said = [line.strip() for line in lines if line.strip()]
    out: list[str] = []
    for n, line in enumerate(said):
        last = n == len(said) - 1
        if not last and runs_on(line, said[n + 1]):
            out.append(line)
            continue
        if line[-1] in ",;:":
            line = line[:-1].rstrip()
        if not line.rstrip(_CLOSERS).endswith((".", "!", "?", "\u2026")):
            line += "."
        out.append(line)
    return " ".join(out)


_OPENERS = "\"'([\u201c\u2018"


def broken_lines(text: str) -> list[str]:
    """A paragraph's lines at its hard line breaks as sentences read them: a line that starts
    with a capital letter is a sentence of its own ("**Your backup plan**" / "Know how long
    ..."), any other goes on from the line before ("Call us on" / "1800 123 456")."""
    lines: list[str] = []
    for part in text.split("\n"):
        if lines and not part.lstrip(_OPENERS)[:1].isupper():
            lines[-1] = f"{lines[-1]} {part}"
        else:
            lines.append(part)
    return lines


_ENDED = re.compile(r"[.!?:;,\u2026][\"')\]}\u201d\u2019]*$")


def end_headings(lines: list[Line]) -> list[Line]:
    """Each heading said as a sentence of its own, so that it never runs on into what follows
    ("If you can't pay by then" is not "... by then Contact us"): a colon before a list ("You're
    also protected if:") unless it has a colon of its own, else a full stop; a heading's own
    punctuation at its end kept."""
    ended: list[Line] = []
    for n, line in enumerate(lines):
        if line.kind == LineKind.HEADING and not _ENDED.search(line.text):
            before_list = n + 1 < len(lines) and lines[n + 1].kind == LineKind.ITEM
            before_list = before_list and ":" not in line.text  # not "Page 2: the details:"
            line = replace(line, text=line.text + (":" if before_list else "."))
        ended.append(line)
    return ended


@lru_cache(maxsize=SNIPPET_CACHE_SIZE)
def plain_snippet(markdown: str, limit: int) -> str:
    """The Markdown as a search result shows it: plain text in one paragraph (as
    :func:`join_sentences` reads lines), each link as its text without its address, at most
    ``limit`` characters, cut at a word where one is near; a heading ends as a sentence of
    its own (:func:`end_headings`), never run on into what follows, and so does each line of a
    paragraph broken with hard line breaks."""
    lines = end_headings(plain_lines(markdown, link_text_only))
    sentences = [part for line in lines for part in broken_lines(line.text)]
    return shorten(join_sentences(sentences), limit)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line (runs of white space as one space), at most ``limit`` characters:
    a longer one is cut at a word where one is near and ends with an ellipsis."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "\u2026"
