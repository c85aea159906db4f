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
