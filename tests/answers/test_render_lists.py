"""Lists and blocks rebuilt for the Markdown channels (agent, web) and read as plain text:
what a CommonMark renderer makes of the rebuilt Markdown is what the article's HTML shows."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge_service.answers.render import (
    format_for,
    markdown_to_markdown,
    markdown_to_safe_html,
    render_answer,
)
from knowledge_service.answers.schemas import AnswerFormat
from knowledge_service.content.schemas import Channel
from tests.answers.xss import PAYLOADS, markdown_problems, plain_problems

MARKDOWN_CHANNELS = [Channel.AGENT, Channel.WEB]
PLAIN_CHANNELS = [Channel.CHAT, Channel.EMAIL]


def _same_page(markdown: str, rendered: str) -> None:
    """The rebuilt Markdown renders as the article does, and rebuilding it changes nothing."""
    assert markdown_to_safe_html(rendered) == markdown_to_safe_html(markdown), rendered
    assert markdown_to_markdown(rendered) == rendered


@pytest.mark.parametrize("channel", MARKDOWN_CHANNELS)
@pytest.mark.parametrize(
    "markdown",
    [
        "1. Open the app\n2.\n3. Pay the bill",
        "1. a\n1.\n1. c",
        "- a\n-\n- c",
        "- Steps:\n  1. one\n  2.\n- Done",
        "> 1. one\n> 2.\n> 3. three",
    ],
)
def test_an_empty_list_item_is_kept(markdown: str, channel: Channel) -> None:
    """An empty item ("2." alone) was left out on the agent and web channels: their renderer
    numbered "Pay the bill" as step 2 where the article's page shows it as step 3 after an
    empty one (CommonMark keeps an empty item, ``<li></li>``)."""
    rendered = render_answer(markdown, channel)
    assert rendered == markdown
    _same_page(markdown, rendered)


@pytest.mark.parametrize("channel", MARKDOWN_CHANNELS)
@pytest.mark.parametrize("markdown", ["-\n  -\n    -", "*\n  *\n    *\n      *", "- * *\n  * *"])
def test_empty_items_one_in_another_are_no_rule(markdown: str, channel: Channel) -> None:
    """Empty items one in another, written on one line ("- - -"), would be a rule: each
    marker goes on a line of its own, under the item before."""
    rendered = render_answer(markdown, channel)
    _same_page(markdown, rendered)
    assert "<hr>" not in markdown_to_safe_html(rendered)


@pytest.mark.parametrize("channel", MARKDOWN_CHANNELS)
def test_an_empty_first_item_after_a_paragraph_underlines_nothing(channel: Channel) -> None:
    """An empty first item right after a paragraph ("a" / "-", the two once kept apart by raw
    HTML, which is left out) would underline the paragraph as a heading: a blank line keeps
    them apart."""
    rendered = render_answer("1. a\n   <!-- -->\n   -\n   - b", channel)
    assert rendered == "1. a\n\n   -\n   - b"
    html = markdown_to_safe_html(rendered)
    assert "<h2>" not in html and "<li></li>\n<li>b</li>" in html


@pytest.mark.parametrize("channel", PLAIN_CHANNELS)
def test_plain_text_keeps_an_empty_step_s_number(channel: Channel) -> None:
    """A numbered item with nothing in it keeps its number ("2."), as the other channels show
    it, so "Pay the bill" is still step 3 after it; an item that holds only a nested list
    shows its marker above it (its number was lost: "- a" under nothing); an empty bullet,
    which says nothing, is still left out."""
    markdown = "1. Open the app\n2.\n3. Pay the bill\n4. - by card\n   - by cheque\n\n- a\n-\n- c"
    assert render_answer(markdown, channel).splitlines() == [
        "1. Open the app",
        "2.",
        "3. Pay the bill",
        "4.",
        "  - by card",
        "  - by cheque",
        "- a",
        "- c",
    ]


def test_voice_says_nothing_for_an_empty_item() -> None:
    assert render_answer("1. Open the app\n2.\n3. Pay the bill", Channel.VOICE) == (
        "Open the app. Pay the bill."
    )


@pytest.mark.parametrize("channel", MARKDOWN_CHANNELS)
@pytest.mark.parametrize("markdown", ["* one\n* ___\n* three", "- * ___\n  * two"])
def test_a_rule_that_opens_a_star_item_stays_in_it(markdown: str, channel: Channel) -> None:
    """A rule that opened a ``*`` item was rebuilt ``* ***``, a rule of its own: the list was
    cut in two around a rule. It is written ``___`` there."""
    rendered = render_answer(markdown, channel)
    _same_page(markdown, rendered)


@pytest.mark.parametrize("channel", MARKDOWN_CHANNELS)
@pytest.mark.parametrize(
    "markdown",
    [
        # A paragraph after a nested list or a quote that ends with code, a rule, a heading, a
        # table or an empty item: nothing it could be read as part of.
        "- Check:\n  - ```\n    *21#\n    ```\n  Then hang up.\n- Done",
        "1. Dial:\n   > ```\n   > *21#\n   > ```\n   Then hang up.\n2. Done",
        "- a\n  - b\n    ***\n  c\n- d",
        "- a\n  - # Fees\n  c\n- d",
        "- a\n  - | x |\n    | --- |\n    | 1 |\n  c\n- d",
        "- a\n  - b\n  -\n  c\n- d",
        "- a\n  - ```\n    x\n    ```\n  | x |\n  | --- |\n  | 1 |\n- d",
        # A list whose first number is not 1, after a quote: a list, not the quote's text.
        "- > Note: fees apply\n  2. Pay the fee\n  3. Wait\n- Done",
        # Two lists in one item of a tight list, one of them loose.
        "- Options:\n  - by card\n\n  - by cheque\n  1. then wait\n- Done",
        # Nested lists of every kind, with code spans, links and emphasis.
        "1. Open *Settings*:\n   - `Account` \\> [Billing](https://x.example/b)\n"
        "     1) **Pay** now\n     2) later\n   - Help\n2. Done",
    ],
)
def test_a_nested_tight_list_stays_tight(markdown: str, channel: Channel) -> None:
    """A tight list whose item went on after a nested list or a quote (a paragraph after one
    that ended in code, a list numbered from 2 after a quote, a second list after a loose
    one) was rebuilt with a blank line there, so the agent's and the web's renderer showed
    the whole list loose, each item a paragraph spaced apart, where the article's page shows
    it tight."""
    rendered = render_answer(markdown, channel)
    assert rendered == markdown
    _same_page(markdown, rendered)


@pytest.mark.parametrize("channel", MARKDOWN_CHANNELS)
@pytest.mark.parametrize(
    "markdown",
    [
        "- a\n  - b\n  c\n- d",  # "c" goes on b's paragraph: one paragraph, in the source too
        "- a\n  > q\n  c\n- d",
        "- a\n  - b\n\n  c\n- d",  # loose: stays loose
    ],
)
def test_a_paragraph_that_would_run_on_is_not_moved_into_the_block_before(
    markdown: str, channel: Channel
) -> None:
    _same_page(markdown, render_answer(markdown, channel))


@pytest.mark.parametrize("channel", MARKDOWN_CHANNELS)
@pytest.mark.parametrize("markdown", ["Type `  OK  ` to confirm", "Press ` ` then `  `` x ``  `"])
def test_a_code_span_keeps_the_spaces_at_its_ends(markdown: str, channel: Channel) -> None:
    """A code span with a space at each end ("`  OK  `", shown " OK ") was rebuilt with one
    space less at each end, which CommonMark takes off too: the agent saw "OK"."""
    rendered = render_answer(markdown, channel)
    _same_page(markdown, rendered)


@pytest.mark.parametrize("channel", MARKDOWN_CHANNELS)
def test_an_empty_code_block_stays_empty(channel: Channel) -> None:
    """An empty code block was rebuilt with an empty line in it."""
    markdown = "Before\n\n```\n```\n\nAfter"
    rendered = render_answer(markdown, channel)
    assert rendered == markdown
    _same_page(markdown, rendered)


# Tight lists of every kind, one in another: items of nothing, of text (code spans, links,
# emphasis), code, a quote, a rule or a list, written as an author would.
_TEXT = st.sampled_from(
    [
        "Pay the bill",
        "Open `Settings`",
        "See [fees](https://x.example/fees)",
        "*Only* on **weekdays**",
        "Dial `*21#` then [call us](https://x.example/c) *now*",
    ]
)


def _tight_list(blocks: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    marker = st.sampled_from(["-", "*", "+", "1.", "1)", "3.", "10)"])
    items = st.lists(st.lists(blocks, max_size=2), min_size=1, max_size=3)
    return st.builds(_list_lines, marker, items)


def _list_lines(marker: str, items: list[list[list[str]]]) -> list[str]:
    lines: list[str] = []
    for n, item in enumerate(items):
        mark = f"{int(marker[:-1]) + n}{marker[-1]} " if marker[0].isdigit() else f"{marker} "
        body = [line for block in item for line in block] or [""]
        lines.append((mark + body[0]).rstrip())
        lines.extend(" " * len(mark) + line if line else "" for line in body[1:])
    return lines


_LEAF = st.one_of(
    _TEXT.map(lambda text: [text]),
    _TEXT.map(lambda text: [f"> {text}"]),
    st.just(["```", "*21#", "```"]),
    st.just(["***"]),
)
_BLOCKS = st.recursive(_LEAF, _tight_list, max_leaves=8)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(lines=_tight_list(_BLOCKS))
def test_nested_tight_lists_render_as_the_article_s_page(lines: list[str]) -> None:
    """Whatever tight lists an article nests, the Markdown channels' renderer shows what the
    article's page shows: no item spaced apart as a paragraph, no item lost or renumbered."""
    markdown = "\n".join(lines)
    rendered = markdown_to_markdown(markdown)
    assert _shown(rendered) == _shown(markdown), rendered


def _shown(markdown: str) -> str:
    """The article's HTML as a page shows it: but for a line break that ends a code block,
    which no page shows (a code block left open at the end of a list has none in the
    article, and gets one once it is closed), and with a heading's soft line break as a space
    (an underlined heading over two lines, "Pay\\n3. -" / "-", is rebuilt on one line)."""
    html = markdown_to_safe_html(markdown).replace("\n</code></pre>", "</code></pre>")
    return _HEADING.sub(lambda m: m.group(0).replace("\n", " "), html)


_HEADING = re.compile(r"<h([1-6])>.*?</h\1>", re.S)


_IN_LISTS = [
    "- {p}\n-\n- {p}",
    "* ___\n  {p}\n  - ```\n    {p}\n    ```\n  {p}",
    "- > {p}\n  2. `  {p}  `\n  -\n    -",
]


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_empty_items_rules_and_nested_lists_stays_safe(
    payload: str, channel: Channel
) -> None:
    """What these lists are rebuilt with (an empty item's marker, a rule written ``___``, a
    paragraph on the line after a nested list, a code span's padding) lets no payload through
    on any channel."""
    for shape in _IN_LISTS:
        rendered = render_answer(shape.format(p=payload), channel)
        if format_for(channel) == AnswerFormat.MARKDOWN:
            assert markdown_problems(rendered) == [], rendered
        else:
            assert plain_problems(rendered) == [], rendered
