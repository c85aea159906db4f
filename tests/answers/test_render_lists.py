"""Lists and blocks rebuilt for the Markdown channels (agent, web) and read as plain text:
what a CommonMark renderer makes of the rebuilt Markdown is what the article's HTML shows."""

from __future__ import annotations

import pytest

from knowledge_service.answers.render import (
    markdown_to_markdown,
    markdown_to_safe_html,
    render_answer,
)
from knowledge_service.content.schemas import Channel

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
