"""The Markdown channels' answer (agent, web): Markdown rebuilt from the article's parse
(:func:`markdown_to_markdown`), never passed on as written, so that a CommonMark renderer shows
what the article's HTML shows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from knowledge_service.answers.render_links import _link_text, _without_phone_links
from knowledge_service.answers.sanitise import (
    clean_code,
    clean_parsed_text,
    escape_markdown,
    neutralise_schemes,
)
from knowledge_service.content.plaintext import (
    PLAIN_MARKDOWN,
    Table,
    alt_text,
    parse,
    read_table,
)

_MD = PLAIN_MARKDOWN  # the parse every channel starts from (render's)
_BACKTICKS = re.compile(r"`+")
# A line break in rebuilt inline Markdown, hard (``\\`` and a new line) or soft: a space in an
# ATX heading, which is one line (an underlined heading may run over several).
_INLINE_BREAK = re.compile(r"\\?\n")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+.\-]{1,30}")


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
