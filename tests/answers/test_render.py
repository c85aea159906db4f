"""Rendering an answer for a channel: plain, spoken, Markdown and sanitised HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from knowledge_service.answers.render import (
    EveryLinkMarkdownIt,
    markdown_to_markdown,
    markdown_to_plain,
    markdown_to_safe_html,
    markdown_to_speech,
    render_answer,
)
from knowledge_service.answers.sanitise import clean_html
from knowledge_service.content.schemas import Channel
from tests.answers.xss import PAYLOADS, REFUSED_ADDRESSES, plain_problems

RICH = (
    "Refunds take **10 business days**.\n\n"
    "1. Open the *app*.\n"
    "2. Check the [refund tracker](https://example.com/refunds).\n\n"
    "Call `13 22 55` if it is late"
)

# Raw HTML an author (or an attacker with write access) could put in an answer.
HOSTILE = [
    "Hello <script>alert(1)</script> world",
    "Hello <img src=x onerror=alert(1)> world",
    'Hello\n\n<div onclick="steal()">\nblock\n</div>\n\nworld',
    "Hello <scr<b>ipt>alert(1)</scr</b>ipt> world",
    "Hello <scr<scr<i>ipt>ipt>alert(1)</scr</i>ipt> world",
    'Hello <a href="javascript:alert(1)">click</a> world',
    'Hello <iframe src="https://evil.example"></iframe> world',
    "Hello <!-- <script>alert(1)</script> --> world",
]
# Not HTML to CommonMark (so Markdown renderers escape it), but a browser would parse a tag.
BROWSER_ONLY = ["Hello <svg/onload=alert(1)> world", "Hello <img/src=x/onerror=alert(1)> world"]
TAGS = ("<script", "<img", "<div", "<iframe", "<svg", "<a ", "<b>", "<i>", "onerror", "onload")


def test_plain_text_has_no_markup_and_spells_out_links() -> None:
    text = markdown_to_plain(RICH)
    assert text.splitlines() == [
        "Refunds take 10 business days.",
        "1. Open the app.",
        "2. Check the refund tracker (https://example.com/refunds).",
        "Call 13 22 55 if it is late",
    ]


def test_speech_is_one_paragraph_without_links_or_list_markers() -> None:
    spoken = markdown_to_speech(RICH)
    assert "\n" not in spoken
    assert "https://" not in spoken and "- " not in spoken and "*" not in spoken
    assert spoken == (
        "Refunds take 10 business days. Open the app. Check the refund tracker. "
        "Call 1 3, 2 2, 5 5 if it is late."
    )


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (Channel.CHAT, markdown_to_plain(RICH)),
        (Channel.EMAIL, markdown_to_plain(RICH)),
        (Channel.VOICE, markdown_to_speech(RICH)),
        (Channel.AGENT, RICH),
        (Channel.WEB, RICH),
    ],
)
def test_each_channel_gets_its_rendering(channel: Channel, expected: str) -> None:
    assert render_answer(RICH, channel) == expected


def test_markdown_channels_keep_markdown_verbatim() -> None:
    assert "**10 business days**" in render_answer(RICH, Channel.AGENT)
    assert "[refund tracker](https://example.com/refunds)" in render_answer(RICH, Channel.WEB)


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("markdown", HOSTILE)
def test_raw_html_never_reaches_any_channel(markdown: str, channel: Channel) -> None:
    rendered = render_answer(markdown, channel).lower()
    assert not any(tag in rendered for tag in TAGS), rendered
    assert rendered.startswith("hello") and rendered.rstrip(".").endswith("world")


@pytest.mark.parametrize("markdown", [*HOSTILE, RICH])
def test_rebuilt_markdown_is_a_fixed_point(markdown: str) -> None:
    once = markdown_to_markdown(markdown)
    assert markdown_to_markdown(once) == once


@pytest.mark.parametrize(
    "markdown",
    ["> Call us.\n\n> Or write.", "Note:\n\n> Call us.\n\n> Or write.\n\n- a\n\n  > q\n  >\n  > r"],
)
def test_two_quotes_stay_two(markdown: str) -> None:
    """Two quotes, one after the other, were rebuilt as one ("> Call us." / ">" / "> Or
    write.") on the agent and web channels."""
    assert markdown_to_markdown(markdown) == markdown
    html = markdown_to_safe_html(markdown_to_markdown(markdown))
    assert html == markdown_to_safe_html(markdown)


def test_an_underlined_heading_over_two_lines_stays_one_heading() -> None:
    """An underlined heading written over two lines became a one-line heading and a paragraph
    ("# Paying your" / "bill late") on the agent and web channels."""
    markdown = "Paying your\nbill late\\\ncosts\n===\n\nText"
    assert markdown_to_markdown(markdown) == "# Paying your bill late costs\n\nText"


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Rated \u2b50\u2b50 by customers", "Rated by customers."),
        ("Open the \u231a app, press \u23f8 then 1\ufe0f\u20e3", "Open the app, press then 1."),
        ("Account \u2192 Billing, \u00a9 2026", "Account, then Billing, \u00a9 2026."),
    ],
)
def test_voice_says_no_emoji_outside_the_emoji_blocks(markdown: str, spoken: str) -> None:
    """A star, a watch, a pause button and a keycap's mark were left in the speech (an engine
    reads their names: "star star"); an arrow of a menu path and a symbol stay."""
    assert markdown_to_speech(markdown) == spoken


def test_deeply_nested_tag_fragments_are_neutralised() -> None:
    nested = "x " + "<scr" * 20 + "ipt>" * 20 + "alert(1)"
    for channel in Channel:
        assert "<script" not in render_answer(nested, channel).lower()


def test_markdown_that_is_not_html_keeps_its_meaning() -> None:
    assert markdown_to_markdown(RICH) == RICH
    assert markdown_to_markdown("a < b and c > d") == "a \\< b and c \\> d"
    assert markdown_to_safe_html("a < b and c > d") == "<p>a &lt; b and c &gt; d</p>\n"


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.VOICE, Channel.EMAIL])
@pytest.mark.parametrize("markdown", BROWSER_ONLY)
def test_plain_text_has_nothing_shaped_like_a_tag(markdown: str, channel: Channel) -> None:
    rendered = render_answer(markdown, channel)
    assert "<" not in rendered and ">" not in rendered, rendered


def test_plain_text_keeps_angle_brackets_that_are_not_tags() -> None:
    assert markdown_to_plain("if the balance is < $20 or > $5") == "if the balance is < $20 or > $5"


@pytest.mark.parametrize("channel", list(Channel))
def test_a_sign_that_closes_no_tag_is_kept(channel: Channel) -> None:
    """ "5>3" was shown "53" and "Settings>Billing" "SettingsBilling" on every channel but
    the voice: a ``>`` was dropped after any letter or digit, though only one that closes a
    tag whose ``<`` was dropped is markup."""
    rendered = render_answer("Pay if 5>3, then go to Settings>Billing or x->y.", channel)
    menu = "Settings, then Billing" if channel == Channel.VOICE else "Settings>Billing"
    for shown in ("5>3", menu, "x->y"):
        assert shown in rendered.replace("\\>", ">"), rendered


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
def test_markdown_channels_show_code_as_written(channel: Channel) -> None:
    """ "type `<your account number>`" was "type `your account number`" on the Markdown
    channels and the assist page (and a fenced block lost its ``<`` and ``>`` too): code is
    shown literally by every Markdown renderer, so it keeps them."""
    markdown = "Type `<your account number>`, `a>b` or `&amp;`.\n\n```\nif a<b:\n  <id>\n```"
    rendered = render_answer(markdown, channel)
    assert rendered == markdown
    html = markdown_to_safe_html(rendered)
    assert "<code>&lt;your account number&gt;</code>" in html
    assert "<code>a&gt;b</code>" in html and "<code>&amp;amp;</code>" in html
    assert "<pre><code>if a&lt;b:\n  &lt;id&gt;\n</code></pre>" in html


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
def test_code_keeps_no_script_scheme_or_control_character(channel: Channel) -> None:
    rendered = render_answer("Run `jav&#x61;script:alert(1)` or `a\x1bb`.", channel)
    assert rendered == "Run `blocked:alert(1)` or `ab`."


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_shows_code_s_character_references_as_written(channel: Channel) -> None:
    """ "type `&amp;`" showed "type &" in chat and email (the code's reference decoded, as
    the parser decodes the text's own); code is literal, in a span, a table's cell or a
    block, while the text around it still shows the characters its references stand for."""
    markdown = (
        "Type `&amp;` or `&lt;`, not &copy;.\n\n| Enter | For |\n|--|--|\n"
        "| `&nbsp;` | a space |\n\n```\nx &amp; y\n```\n\nNot `&lt;b&gt;`."
    )
    assert render_answer(markdown, channel).splitlines() == [
        "Type &amp; or &lt;, not \u00a9.",
        "Enter: &nbsp;, For: a space",
        "x &amp; y",
        "Not b.",  # references that write a tag are read, and the tag loses its brackets
    ]


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
@pytest.mark.parametrize(
    "markdown",
    [
        "Run `jav&#x61;script:alert(1)`.",
        "Run java`script:alert(1)`.",
        "Run `&#106;avascript:`alert(1).",
        "See \\<`script>alert(1)</script>`.",
        "See `<scr`ipt>alert(1).",
        "Run \ue004`&#106;avascript:`\ue005 or \ue005`&lt;` `&gt;`.",
        "See `&lt;img src=x onerror=alert(1)&gt;`.",
        "See \\&`lt;img src=x onerror=alert(1)>`.",
        "See \\&`#106;avascript:alert(1)`.",
        *(f"`{payload}`" for payload in PAYLOADS),
    ],
)
def test_plain_code_never_keeps_a_script_scheme_or_tag(markdown: str, channel: Channel) -> None:
    """Code is shown as written, but never so that a client decoding its references would
    find a tag or a script scheme (nor one begun in the text and ended in code)."""
    rendered = render_answer(markdown, channel)
    assert plain_problems(rendered) == [], rendered
    assert "\ue004" not in rendered and "\ue005" not in rendered


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_keeps_a_code_block_s_indentation(channel: Channel) -> None:
    """A code block's lines lost their indentation in chat and email (``    pay`` was
    `` pay``); spaces between words are still one space."""
    markdown = "Run:\n\n```\nif late:\n    pay  now\n```\n\nok  then"
    assert render_answer(markdown, channel) == "Run:\nif late:\n    pay now\nok then"


HARD_BREAKS = (
    "**Your backup plan**\\\nKnow how long\n\n- **Step 1**  \n  Do it\n\nCall us on  \n1800 123 456"
)


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_keeps_a_hard_line_break(channel: Channel) -> None:
    """A hard line break (``\\`` or two spaces at a line's end) was a space: "Your backup plan
    Know how long". It is a new line, indented in a list item."""
    assert render_answer(HARD_BREAKS, channel).splitlines() == [
        "Your backup plan",
        "Know how long",
        "- Step 1",
        "  Do it",
        "Call us on",
        "1800 123 456",
    ]


def test_voice_reads_a_hard_line_break_before_a_capital_as_a_sentence_s_end() -> None:
    assert render_answer(HARD_BREAKS, Channel.VOICE) == (
        "Your backup plan. Know how long. Step 1. Do it. Call us on 1 8 0 0, 1 2 3, 4 5 6."
    )


@pytest.mark.parametrize(
    ("channel", "shown"),
    [
        (Channel.CHAT, "See Map of zones 3 now."),
        (Channel.EMAIL, "See Map of zones 3 now."),
        (Channel.VOICE, "See Map of zones 3 now."),
        (Channel.AGENT, "See ![Map of zones 3 now](https://x.example/m.png)."),
        (Channel.WEB, "See ![Map of zones 3 now](https://x.example/m.png)."),
    ],
)
def test_an_image_s_alt_text_is_its_words(channel: Channel, shown: str) -> None:
    """An image's alt text was passed on as written: "Map of **zones** `3` <b>now</b>" in chat,
    and with its marks escaped (shown) on the Markdown channels."""
    markdown = "See ![Map of **zones** `3` <b>now</b>](https://x.example/m.png)."
    assert render_answer(markdown, channel) == shown


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_keeps_a_nested_list_under_its_item(channel: Channel) -> None:
    """A nested list's items were shown as items of the list around them, and an item's
    second paragraph as an item of its own: "- Pay by card", "- Visa", "- Mastercard"."""
    markdown = (
        "- Pay by card:\n  - Visa\n    - debit too\n  - Mastercard\n- Pay by BPAY\n\n"
        "  Allow a day.\n\n      biller 1234\n      ref 99"
    )
    assert render_answer(markdown, channel).splitlines() == [
        "- Pay by card:",
        "  - Visa",
        "    - debit too",
        "  - Mastercard",
        "- Pay by BPAY",
        "  Allow a day.",
        "  biller 1234",
        "  ref 99",
    ]


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_keeps_a_numbered_list_s_numbers(channel: Channel) -> None:
    """A numbered list's items were shown as bullets ("- Log in", "- Choose Pay"), so a
    customer told "go back to step 2" had no step 2; each keeps its number as written (a list
    may start anywhere), a bullet list inside it still bullets."""
    markdown = (
        "To pay:\n\n1. Log in\n2. Choose **Pay**\n   - by card\n3. Confirm\n\n"
        "Then:\n\n7) Check the receipt\n8) Keep it\n"
    )
    assert render_answer(markdown, channel).splitlines() == [
        "To pay:",
        "1. Log in",
        "2. Choose Pay",
        "  - by card",
        "3. Confirm",
        "Then:",
        "7. Check the receipt",
        "8. Keep it",
    ]


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_numbers_steps_as_the_other_channels_show_them(channel: Channel) -> None:
    """A list written "1." on every item (Markdown's usual way, shown 1, 2, 3 on the agent
    and web channels and the article's page) was "1.", "1.", "1." in chat and email, so
    "step 2" named nothing there; and "1. 2. 5." showed a step 5 no other channel shows.
    Steps count from the list's first number, as every renderer counts them."""
    markdown = (
        "1. Log in\n1. Choose Pay\n   1. by card\n   1. or cash\n1. Confirm\n\nThen:\n\n4. a\n4. b"
    )
    assert render_answer(markdown, channel).splitlines() == [
        "1. Log in",
        "2. Choose Pay",
        "  1. by card",
        "  2. or cash",
        "3. Confirm",
        "Then:",
        "4. a",
        "5. b",
    ]


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_numbers_a_step_that_starts_with_a_quote_code_or_table(
    channel: Channel,
) -> None:
    """A step whose first block is no paragraph (a quote, a code block, a table) lost its
    number in chat and email ("  code first" under "Steps:", no "2."), so "step 2" named
    nothing; its first line opens it, as a paragraph would. An empty item opens nothing."""
    markdown = (
        "Steps:\n\n1. > Check the meter\n2. ```\n   dial *21#\n   ```\n"
        "3. | Day | Time |\n   |---|---|\n   | Mon | 9am |\n4. Done\n- > Tip\n-\n\nAfter."
    )
    assert render_answer(markdown, channel).splitlines() == [
        "Steps:",
        "1. Check the meter",
        "2. dial *21#",
        "3. Day: Mon, Time: 9am",
        "4. Done",
        "- Tip",
        "After.",
    ]


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
def test_a_tight_list_with_code_in_its_steps_stays_tight(channel: Channel) -> None:
    """A tight list whose step held a code block was rebuilt with blank lines around it, so
    the agent and web channels (and the assist page) showed every step as a paragraph, spaced
    apart, where the article's page shows a tight list; the block goes on its step's lines."""
    markdown = "1. Dial:\n   ```\n   *21#\n   ```\n2. Wait\n3. ```\n   ##002#\n   ```\n4. Done"
    rendered = render_answer(markdown, channel)
    assert rendered == markdown
    assert "<p>" not in markdown_to_safe_html(rendered)
    loose = "- a\n\n  ```\n  x\n  ```\n\n- b"  # a loose list stays loose
    assert render_answer(loose, channel) == loose


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
@pytest.mark.parametrize(
    "markdown",
    [
        "- one\n- | Fee | Amount |\n  |---|--:|\n  | Late | $5 |\n- three",
        "1. first\n   | a | b |\n   |---|---|\n   | 1 | 2 |\n2. second",
        "- one\n- > quoted\n- three",
        "- one\n  > quoted\n  >\n  > again\n- three",
        "- | a |\n  |---|\n  | 1 |\n  > q\n- two",
        "- # Fees\n- two",
        "- one\n  ***\n- two",
    ],
)
def test_a_tight_list_with_a_table_or_a_quote_stays_tight(markdown: str, channel: Channel) -> None:
    """A tight list whose item held a table, a quote, a heading or a rule was rebuilt with
    blank lines around it: the agent's and the web's renderer then showed a loose list, each
    item's text a paragraph spaced apart, where the article's page shows a tight one."""
    rendered = render_answer(markdown, channel)
    assert markdown_to_safe_html(rendered) == markdown_to_safe_html(markdown), rendered
    assert "\n\n" not in rendered


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
def test_a_quote_s_paragraphs_in_a_quoted_list_stay_in_their_item(channel: Channel) -> None:
    """In a quote, a list item holding a quote of two paragraphs was rebuilt with the line
    between them one column short (``>  >``): the second paragraph fell out of the item and
    the list, and the agent's and the web's renderer showed two lists and a stray quote."""
    markdown = "> - > Note one\n>   >\n>   > Note two\n> - b"
    rendered = render_answer(markdown, channel)
    assert rendered == markdown
    assert markdown_to_safe_html(rendered) == markdown_to_safe_html(markdown)


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
def test_an_underscore_within_a_word_is_not_escaped(channel: Channel) -> None:
    """A bare address's underscores were escaped ("https://x.example/a\\_b?utm\\_source=x"),
    and a renderer that links bare addresses (GFM's autolinks, as many chat widgets and
    GitHub-style renderers do) linked to an address with backslashes in it. CommonMark never
    reads an underscore within a word as emphasis, so it needs no escape; one that could open
    or close emphasis still has one."""
    markdown = "Go to https://x.example/a_b?utm_source=x_y, snake_case, _em_ or a\\_\\_b."
    rendered = render_answer(markdown, channel)
    assert rendered == "Go to https://x.example/a_b?utm_source=x_y, snake_case, _em_ or a\\_\\_b."
    assert markdown_to_safe_html(rendered) == markdown_to_safe_html(markdown)


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
def test_an_address_s_fragment_is_not_escaped(channel: Channel) -> None:
    """A bare address's fragment was escaped ("https://x.example/help\\#fees"), and a renderer
    that links bare addresses linked to "help\\#fees", which a browser reads as "help/#fees":
    another page. Only a ``#`` that could open or close a heading, and a ``!`` that could
    make a link an image, are escaped."""
    markdown = (
        "See https://x.example/help#fees now! Learn C# at #1.\n\nWow\\![x](https://x.example)"
    )
    rendered = render_answer(markdown, channel)
    assert rendered == (
        "See https://x.example/help#fees now! Learn C# at \\#1.\n\nWow\\![x](https://x.example)"
    )
    assert markdown_to_safe_html(rendered) == markdown_to_safe_html(markdown)


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
@pytest.mark.parametrize("markdown", ["- > Note\n  ***\n- two", "- one\n  - sub\n  > Note\n- two"])
def test_a_tight_list_stays_tight_after_a_quote_or_a_nested_list(
    markdown: str, channel: Channel
) -> None:
    """After a quote or a nested list in a tight list's item, a rule, or a quote after the
    nested list, was rebuilt after a blank line, which made the list loose (its items spaced
    apart as paragraphs) where the article's is tight: neither can be read as part of what
    ended before it."""
    rendered = render_answer(markdown, channel)
    assert rendered == markdown
    assert markdown_to_safe_html(rendered) == markdown_to_safe_html(markdown)


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
def test_two_lists_kept_apart_by_raw_html_stay_two(channel: Channel) -> None:
    """Two lists an author kept apart with an HTML comment were rebuilt as one, the comment
    being left out: "10. ten" and "1. one" became steps 10 and 11, two bullet lists one. The
    second takes another marker, which starts a list of its own."""
    markdown = "10. ten\n<!-- -->\n1. one\n\n- a\n<!-- -->\n- b\n<!-- -->\n- c"
    rendered = render_answer(markdown, channel)
    assert rendered == "10. ten\n1) one\n- a\n* b\n- c"
    assert markdown_to_safe_html(rendered) == markdown_to_safe_html(markdown)
    assert markdown_to_markdown(rendered) == rendered


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("markdown", [*HOSTILE, *BROWSER_ONLY, RICH])
def test_safe_html_has_only_allowed_tags_and_attributes(markdown: str) -> None:
    collector = _TagCollector()
    collector.feed(markdown_to_safe_html(markdown))
    allowed = {"p", "strong", "em", "ol", "ul", "li", "a", "code"}
    for tag, attrs in collector.tags:
        assert tag in allowed, tag
        assert {name for name, _ in attrs} <= ({"href", "rel"} if tag == "a" else set())
        assert all(not (value or "").lower().startswith("javascript") for _, value in attrs)


def test_safe_html_renders_markdown_and_drops_unsafe_links() -> None:
    html = markdown_to_safe_html(RICH + "\n\n[bad](javascript:alert(1))")
    assert "<strong>10 business days</strong>" in html
    assert '<a href="https://example.com/refunds" rel="noopener">refund tracker</a>' in html
    assert "<ol>" in html and "<code>13 22 55</code>" in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB, Channel.CHAT, Channel.EMAIL])
@pytest.mark.parametrize(
    "markdown",
    [
        "See [help](javascript:alert(1)).",
        "See [help](JavaScript :alert(1)).",
        "See <javascript:alert(1)>.",
        "See [help](vbscript:msgbox(1)).",
    ],
)
def test_script_scheme_links_never_reach_a_channel(markdown: str, channel: Channel) -> None:
    rendered = render_answer(markdown, channel).lower().replace(" ", "")
    assert "javascript:" not in rendered and "vbscript:" not in rendered


AUDITED = "Pay [here](javascript:alert(1)) and ![i](javascript:x). See <https://a.example>."


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (Channel.CHAT, "Pay here and i. See https://a.example."),
        (Channel.EMAIL, "Pay here and i. See https://a.example."),
        (Channel.VOICE, "Pay here and i. See the website."),
        (Channel.AGENT, "Pay here and i. See [https://a.example](https://a.example)."),
        (Channel.WEB, "Pay here and i. See [https://a.example](https://a.example)."),
    ],
)
def test_a_script_link_keeps_its_text_and_voice_speaks_no_address(
    channel: Channel, expected: str
) -> None:
    assert render_answer(AUDITED, channel) == expected


@pytest.mark.parametrize("channel", list(Channel))
def test_what_a_script_or_style_tag_holds_never_reaches_a_channel(channel: Channel) -> None:
    written = (
        "It stays owing. <script>alert('ans')</script> Pay <style>p{}</style>now."
        "\n\nThen <script>alert(1)</script> <b>call</b> <textarea>x</textarea>us."
    )
    rendered = render_answer(written, channel)
    assert "alert" not in rendered and "p{}" not in rendered and " x" not in rendered
    assert "It stays owing." in rendered and "Pay" in rendered and "us" in rendered
    html = markdown_to_safe_html(written)
    assert "alert" not in html and "p{}" not in html and "It stays owing." in html


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_a_link_or_image_with_a_refused_address_keeps_only_its_text(
    address: str, channel: Channel
) -> None:
    rendered = render_answer(f"Pay [here]({address}) or see ![the form]({address})", channel)
    assert rendered == "Pay here or see the form" + ("." if channel == Channel.VOICE else "")


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_safe_html_keeps_no_refused_address(address: str) -> None:
    html = markdown_to_safe_html(f"Pay [here]({address}) or see ![the form]({address})")
    assert html == '<p>Pay <a rel="noopener">here</a> or see the form</p>\n'


def test_voice_speaks_a_link_s_text_but_no_address() -> None:
    spoken = render_answer(
        "The form is online <https://example.com/form>. Or mail "
        "[the help desk](mailto:help@example.com) at <mailto:help@example.com>",
        Channel.VOICE,
    )
    assert spoken == "The form is online. Or mail the help desk."


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ('<a href="//xss.example/x">n</a>', '<a rel="noopener">n</a>'),
        ('<a href=" //xss.example/x">n</a>', '<a rel="noopener">n</a>'),
        ('<a href="/relative">n</a>', '<a rel="noopener">n</a>'),
        ('<a href="jav&#x61;script:x">n</a>', '<a rel="noopener">n</a>'),
        (
            '<a href="HTTPS://ok.example/?a=1&amp;b=2" title="t">n</a>',
            '<a href="HTTPS://ok.example/?a=1&amp;b=2" title="t" rel="noopener">n</a>',
        ),
        (
            '<a href="mailto:help@example.com">n</a>',
            '<a href="mailto:help@example.com" rel="noopener">n</a>',
        ),
    ],
)
def test_html_keeps_links_as_the_markdown_channels_do(fragment: str, expected: str) -> None:
    assert clean_html(fragment) == expected


def test_html_shows_an_image_as_its_alt_text() -> None:
    """The HTML (article pages, ``answer_html``) has no images, and lost what one says too:
    "See the map: ." for "See the map: ![Zones 1 to 3](...)"."""
    html = markdown_to_safe_html(
        "See the map: ![Zones **1** to 3 <b>x</b>](https://x.example/m.png). "
        "[![Logo](https://x.example/l.png)](https://x.example) ![5 &lt; 6](javascript:x)"
    )
    assert html == (
        '<p>See the map: Zones 1 to 3 x. <a href="https://x.example" rel="noopener">Logo</a> '
        "5 &lt; 6</p>\n"
    )


def test_html_has_no_control_characters() -> None:
    assert markdown_to_safe_html("a\x07b\x1bc\u202ed\x85e") == "<p>abcde</p>\n"
    assert clean_html('<a title="t&#7;">x&#x1b;y</a>') == '<a title="t" rel="noopener">xy</a>'
    assert markdown_to_safe_html("    a\tb") == "<pre><code>a b\n</code></pre>\n"
    assert markdown_to_markdown("    a\tb") == "```\na b\n```"


@pytest.mark.parametrize("channel", list(Channel))
def test_a_query_string_is_never_read_as_entities(channel: Channel) -> None:
    """``&copy=2`` and ``&section=3`` are a query's parameters, not © and §ion."""
    url = "https://x.example/form?a=1&copy=2&section=3"
    out = render_answer(f"See [the form]({url}) or R&amp;D.", channel)
    assert "©" not in out and "§" not in out and "R&D" in out
    assert (url in out) is (channel != Channel.VOICE)  # voice speaks no address


_REFERENCE_MARKDOWN = EveryLinkMarkdownIt("commonmark")


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("Write AT&amp;amp;T, not AT&amp;T.", "Write AT&amp;T, not AT&T."),
        ('See [R&amp;amp;D](https://x.example "R&amp;amp;D").', "See R&amp;D (https://x.example)."),
    ],
)
@pytest.mark.parametrize("channel", list(Channel))
def test_a_character_reference_is_decoded_once(markdown: str, plain: str, channel: Channel) -> None:
    """ "AT&amp;amp;T" in an article, which CommonMark reads as the text "AT&amp;T" (as its
    HTML shows it), was "AT&T" on every channel: the parser's decoded text was decoded again.
    Plain text and speech now show what the HTML shows, and the Markdown channels' text
    renders as the article's does."""
    html = markdown_to_safe_html(markdown)
    rendered = render_answer(markdown, channel)
    if channel in (Channel.AGENT, Channel.WEB):
        ours = _REFERENCE_MARKDOWN.render(rendered)
        assert ours == _REFERENCE_MARKDOWN.render(markdown), rendered
        assert clean_html(ours) == html
    elif channel == Channel.VOICE:
        assert rendered == plain.replace(" (https://x.example)", "")  # no address said
    else:
        assert rendered == plain


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_shows_a_link_s_address_as_written(channel: Channel) -> None:
    """Chat and email showed "form (https://x.example/a%5B1%5D?q=%5Bx%5D)" for a link the
    author wrote "https://x.example/a[1]?q=[x]" (and "https://x.example/a[1]" twice when the
    link's text was its address): the parser's percent-encoded ``href``, which the HTML needs,
    not the address as written, which CommonMark shows as an autolink's text. What would
    break the address in text (a space, a bracket, an invisible character) stays encoded."""
    markdown = (
        "See [form](https://x.example/a[1]?q=[x]), "
        "[https://x.example/b[2]](https://x.example/b[2]), "
        "[café](https://bücher.example/café?q=a%20b) or [z](https://x.example/%E2%80%AE(1))."
    )
    assert render_answer(markdown, channel) == (
        "See form (https://x.example/a[1]?q=[x]), https://x.example/b[2], "
        "café (https://bücher.example/café?q=a%20b) or z (https://x.example/%E2%80%AE%281%29)."
    )
    html = markdown_to_safe_html(markdown)  # the HTML's address as the parser encoded it
    assert 'href="https://x.example/a%5B1%5D?q=%5Bx%5D"' in html
    assert 'href="https://xn--bcher-kva.example/caf%C3%A9?q=a%20b"' in html


def test_html_keeps_a_query_string_as_it_is() -> None:
    html = clean_html('<a href="https://x.example/form?a=1&amp;copy=2&amp;section=3">form</a>')
    assert 'href="https://x.example/form?a=1&amp;copy=2&amp;section=3"' in html


# The audit's dishonoured-payment answer: a list whose first item ends with "and", an autolink.
BOUNCED = (
    "If your payment was dishonoured:\n\n"
    "- pay the amount owing another way, and\n"
    "- check your bank details at <https://x.example/portal>.\n"
)


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_writes_an_address_once(channel: Channel) -> None:
    assert render_answer(BOUNCED, channel).splitlines() == [
        "If your payment was dishonoured:",
        "- pay the amount owing another way, and",
        "- check your bank details at https://x.example/portal.",
    ]
    same = render_answer("See [https://x.example/a](https://x.example/a).", channel)
    assert same == "See https://x.example/a."
    other = render_answer("See [https://x.example/a](https://evil.example/b).", channel)
    assert other == "See https://x.example/a (https://evil.example/b)."  # the real address


def test_a_line_break_written_as_html_keeps_the_words_apart() -> None:
    """ "Costs:<br>$5<br/>per bin" was spoken and shown "Costs:$5per bin"."""
    markdown = (
        "Costs:<br>$5<br/>per bin<BR />each.\n\n| Bin | Fee |\n|---|---|\n| Red | $5<br>each |"
    )
    assert (
        render_answer(markdown, Channel.VOICE) == "Costs: $5 per bin each. Bin: Red, Fee: $5 each."
    )
    assert render_answer(markdown, Channel.CHAT).splitlines() == [
        "Costs: $5 per bin each.",
        "Bin: Red, Fee: $5 each",
    ]
    assert "| Red | $5 each |" in render_answer(markdown, Channel.AGENT)


def test_voice_adds_no_full_stop_after_an_ellipsis() -> None:
    """A list item ending "…" was read "Done…." (an ellipsis ends a sentence too)."""
    spoken = render_answer("- Wait for it…\n- Then pay (online…)\n- Done", Channel.VOICE)
    assert spoken == "Wait for it… Then pay (online…) Done."


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_writes_an_e_mail_link_as_its_address(channel: Channel) -> None:
    """A chat customer was shown "write to us (mailto:help@x.example?subject=Rates)"."""
    text = render_answer(
        "[Write to us](mailto:help@x.example.com?subject=Rates), "
        "<mailto:help@x.example.com>, [help@x.example.com](mailto:help@x.example.com?subject=R) "
        "or [help@x.example.com](mailto:other@evil.example).",
        channel,
    )
    assert text == (
        "Write to us (help@x.example.com), help@x.example.com, help@x.example.com "
        "or help@x.example.com (other@evil.example)."
    )


def test_voice_reads_a_list_as_sentences_and_says_a_left_out_address_in_words() -> None:
    assert render_answer(BOUNCED, Channel.VOICE) == (
        "If your payment was dishonoured: pay the amount owing another way, and check your "
        "bank details online."
    )


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Pay at https://x.example/pay today.", "Pay online today."),
        ("Visit www.x.example/help for help.", "Visit the website for help."),
        ("See https://x.example/help.", "See the website."),
        ("Write to us at <help@x.example>.", "Write to us."),
        ("- items:\n- <https://x.example>\n- more", "items: more."),
        ("Pay by card,\n\n- or\n- by BPAY;", "Pay by card, or by BPAY."),
    ],
)
def test_voice_never_reads_an_address(markdown: str, spoken: str) -> None:
    assert render_answer(markdown, Channel.VOICE) == spoken


# The audit's council answers write their addresses without a scheme, as council sites do.
@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        (
            "Report it online at harbourside.example.gov.au/report or on 1300 000 422.",
            "Report it online or on 1 3 0 0, 0 0 0, 4 2 2.",
        ),
        (
            "Book at least 5 business days ahead at harbourside.example.gov.au/bulky.",
            "Book at least 5 business days ahead online.",
        ),
        ("Pay online at https://x.example/pay today.", "Pay online today."),
        ("Apply online via www.x.example.", "Apply online."),
        ("Visit example.gov.au for more.", "Visit the website for more."),
        ("Call 1800 062 058 or go to tio.com.au.",
         "Call 1 8 0 0, 0 6 2, 0 5 8 or go to the website."),
        ("See harbourside-power.example.com.au/streetlights.", "See the website."),
        ("Details are at northwind.com/cis?plan=2#fees.", "Details are online."),
        ("Use the form at brightwater.example/privacy.", "Use the form online."),
        ("Email it to accounts@northwind.example.com.au.", "Email it to the email address."),
        ("Or write to us at help@harbourside.example.gov.au.", "Or write to us."),
        ("Server: mail.nwmail.example.com.au, port 993.", "Server: the website, port 993."),
        # an online thing named just before the address is not said "online" twice (2026-12-06)
        (
            "Buy permits through the online permit portal at harbourside.example.gov.au/permits.",
            "Buy permits through the online permit portal.",
        ),
        ("Use our online booking system at https://x.example/book or call.",
         "Use our online booking system or call."),
        ("Book online or pay at https://x.example/pay.", "Book online or pay online."),
    ],
)  # fmt: skip
def test_voice_never_reads_an_address_written_without_a_scheme(markdown: str, spoken: str) -> None:
    assert render_answer(markdown, Channel.VOICE) == spoken


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Sign in https://x.example/login to pay.", "Sign in online to pay."),
        ("Log on <https://x.example>, or sign up x.example.gov.au/join.",
         "Log on to the website, or sign up online."),
        ("Signing in www.x.example takes a minute; opt out https://x.example/opt.",
         "Signing in online takes a minute; opt out online."),
        ("Sign in help@x.example to join.", "Sign in to join."),
        # the address's own preposition, as before
        ("Sign in at https://x.example.", "Sign in online."),
        ("Find it in https://x.example/guide.", "Find it online."),
        ("Look up https://x.example.", "Look up the website."),
    ],
)  # fmt: skip
def test_voice_keeps_a_verbs_particle_before_an_address(markdown: str, spoken: str) -> None:
    """ "Sign in https://x.example" said "Sign online", which means something else: the "in"
    of "sign in" was read as the address's preposition, said "online" with it."""
    assert render_answer(markdown, Channel.VOICE) == spoken


@pytest.mark.parametrize(
    "text",
    [
        "Bring the form.pdf, e.g. a printed copy, to Mr. Smith at the desk.",
        "Version 3.5 costs $2.50, i.e. less than 1.2.3 did.",
        "Save it as notes.md or setup.py, not report.doc.",
        "Bins go out weekly.It is free.So is the app.",
        "We opened in 2026.Call us.",
        "Dr. Jones said No. 4 is closed (see clause 4.1.2).",
        "Mention the U.S. or the U.K. office.",
    ],
)
def test_voice_keeps_ordinary_text_with_dots(text: str) -> None:
    assert render_answer(text, Channel.VOICE) == text


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL, Channel.AGENT, Channel.WEB])
def test_other_channels_keep_an_address_written_without_a_scheme(channel: Channel) -> None:
    text = "Report it online at harbourside.example.gov.au/report or email waste@x.example.gov.au."
    assert render_answer(text, channel) == text


TABLE = (
    "Ways to pay:\n\n"
    "| Method | How | Fee |\n"
    "|:---|:---:|---:|\n"
    "| Card | [online](https://x.example/pay) | none |\n"
    "| BPAY | biller code 4455 | |\n"
)


def test_a_table_is_html_in_pages() -> None:
    html = markdown_to_safe_html(TABLE)
    assert "| Method" not in html
    for tag in ("<table>", "<thead>", "<tbody>", "<tr>", '<th align="left">Method</th>'):
        assert tag in html
    assert '<td align="left">Card</td>' in html
    assert '<a href="https://x.example/pay" rel="noopener">online</a>' in html


TITLED = (
    'See [the fees](https://x.example/fees "Fees, \\"2026\\" & *all*") or '
    "[write](mailto:help@x.example 'Email us') or [run](javascript:alert(1) \"t\").\n\n"
    '![Zones](https://x.example/z.png "Zones 1 to 3")'
)


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
def test_markdown_channels_keep_a_link_s_title(channel: Channel) -> None:
    """A link's title (``[text](url "title")``) was dropped from the Markdown answer, though
    the article's HTML keeps it as the link's ``title``; it is rebuilt too, escaped so that
    the answer reads back the same, and only on a link whose address is kept."""
    rendered = render_answer(TITLED, channel)
    assert rendered == (
        'See [the fees](https://x.example/fees "Fees, \\"2026\\" & \\*all\\*") or '
        '[write](mailto:help@x.example "Email us") or run.\n\n'
        '![Zones](https://x.example/z.png "Zones 1 to 3")'
    )
    assert markdown_to_markdown(rendered) == rendered
    hostile = render_answer('[x](https://x.example "<script>alert(1)</script>\x1b")', channel)
    assert "<script" not in hostile and "\x1b" not in hostile
    html = markdown_to_safe_html(rendered)
    assert 'title="Fees, &quot;2026&quot; &amp; *all*"' in html and 'title="Email us"' in html


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_spells_out_a_titled_link_as_text_and_address(channel: Channel) -> None:
    """Plain text keeps a link's text and address, as for any link; its title (a tooltip,
    which plain text cannot show) is left out, the same in chat and email."""
    assert render_answer(TITLED, channel).splitlines() == [
        "See the fees (https://x.example/fees) or write (help@x.example) or run.",
        "Zones",
    ]


def test_html_keeps_a_table_s_column_alignment_and_no_style() -> None:
    """Right-aligned amounts (``---:``) lost their alignment in the HTML (the parser writes it
    as ``style``, which the allow-list drops); it is each cell's ``align`` now."""
    html = markdown_to_safe_html("| a | b | c | d |\n|:--|:-:|--:|--|\n| 1 | 2 | $3.00 | 4 |")
    assert '<th align="left">a</th>\n<th align="center">b</th>\n<th align="right">c</th>' in html
    assert '<td align="right">$3.00</td>\n<td>4</td>' in html and "<th>d</th>" in html
    assert "style" not in html


def test_html_keeps_a_numbered_list_s_first_number() -> None:
    """A list starting at 4 ("4. Pay", after steps in another list) was numbered from 1 in the
    HTML (the allow-list dropped ``start``), though every other channel says 4; a number is
    kept, nothing else."""
    html = markdown_to_safe_html("Then:\n\n4. Pay\n5. Confirm")
    assert '<ol start="4">\n<li>Pay</li>' in html
    assert clean_html('<ol start="x" onclick="y()"><li>a</li></ol>') == "<ol><li>a</li></ol>"


@pytest.mark.parametrize(
    "cell",
    [
        '<td align="right" style="color:red" onclick="x()">1</td>',
        '<td align="javascript:alert(1)">1</td>',
        '<td align="justify">1</td>',
        '<p align="right">1</p>',
    ],
)
def test_the_allow_list_keeps_only_a_cell_s_alignment(cell: str) -> None:
    html = clean_html(f"<table><tbody><tr>{cell}</tr></tbody></table>")
    assert "style" not in html and "onclick" not in html and "javascript" not in html
    assert "justify" not in html and "<p align" not in html


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("Great news 🎉 your refund is on its way 👍🏽.", "Great news your refund is on its way."),
        ("Family 👨‍👩‍👧 plans start at $40.", "Family plans start at $40."),
        ("Call us :) any time.", "Call us :) any time."),  # it read "Call us:) any time."
        ("Keep it at 25°C.", "Keep it at 25°C."),  # a symbol a voice says stays
    ],
)
def test_voice_says_no_emoji_and_keeps_the_space_before_other_punctuation(
    markdown: str, spoken: str
) -> None:
    """A speech engine reads an emoji's name aloud ("party popper"), or a pause; and the
    space closed before a stop (where an address was left out) was closed before ":)" too."""
    assert render_answer(markdown, Channel.VOICE) == spoken


def test_a_table_is_one_line_a_row_in_plain_text_and_a_sentence_a_row_in_speech() -> None:
    assert markdown_to_plain(TABLE).splitlines() == [
        "Ways to pay:",
        "Method: Card, How: online (https://x.example/pay), Fee: none",
        "Method: BPAY, How: biller code 4455",
    ]
    assert markdown_to_speech(TABLE) == (
        "Ways to pay: Method: Card, How: online, Fee: none. Method: BPAY, How: biller code 4 4 5 5."
    )


def test_a_table_is_rebuilt_as_a_gfm_table_for_markdown_channels() -> None:
    rebuilt = markdown_to_markdown(TABLE)
    assert rebuilt.splitlines()[2:] == [
        "| Method | How | Fee |",
        "| :--- | :---: | ---: |",
        "| Card | [online](https://x.example/pay) | none |",
        "| BPAY | biller code 4455 |  |",
    ]
    assert markdown_to_markdown(rebuilt) == rebuilt
    hostile = markdown_to_markdown("| a |\n|---|\n| <script>x</script> `p|q` |\n")
    assert "<script>" not in hostile


STRUCK = "The late fee was ~~$15~~ $20 from 1 July. See [~~old~~ new fees](https://x.example/fees)."


def test_struck_text_is_left_out_of_plain_text_and_speech() -> None:
    """An author strikes out what is no longer true: a customer must not be told "$15 $20"."""
    assert markdown_to_plain(STRUCK) == (
        "The late fee was $20 from 1 July. See new fees (https://x.example/fees)."
    )
    said = markdown_to_speech(STRUCK)
    assert said.startswith("The late fee was $20 from 1 July.") and "15" not in said
    assert "~" not in said and "old" not in said


def test_struck_text_stays_struck_in_markdown_and_html() -> None:
    assert markdown_to_markdown(STRUCK).startswith("The late fee was ~~$15~~ $20")
    assert "~~old~~ new fees" in markdown_to_markdown(STRUCK)
    assert "<s>$15</s> $20" in markdown_to_safe_html(STRUCK)


def test_a_single_tilde_is_no_strikethrough() -> None:
    assert markdown_to_plain("It takes ~3 days, ~2 by card.") == "It takes ~3 days, ~2 by card."


FOOTNOTED = (
    "The paper bill fee is $1.75[^fee] a bill, and we post it within 2 days [^post].\n\n"
    "[^fee]: Waived for concession card holders.\n"
    "[^post]: Business days.\n"
)


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (Channel.CHAT, "The paper bill fee is $1.75 a bill, and we post it within 2 days.\n"
                       "Waived for concession card holders.\nBusiness days."),
        (Channel.EMAIL, "The paper bill fee is $1.75 a bill, and we post it within 2 days.\n"
                        "Waived for concession card holders.\nBusiness days."),
        (Channel.VOICE, "The paper bill fee is $1.75 a bill, and we post it within 2 days. "
                        "Waived for concession card holders. Business days."),
    ],
)  # fmt: skip
def test_plain_text_and_speech_read_a_footnote_for_what_it_says(
    channel: Channel, expected: str
) -> None:
    """A chat customer was shown "$1.75[^fee] a bill" and "[^fee]: Waived ..."; a voice read
    the marks out. The mark is left out and the note is kept, where it is written."""
    assert render_answer(FOOTNOTED, channel) == expected


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.VOICE])
def test_a_footnote_of_one_word_is_kept_not_read_as_a_link_definition(channel: Channel) -> None:
    """ "[^1]: Weekdays" is, to CommonMark, a link's definition: the note was lost, and the
    mark became a link ("^1")."""
    rendered = render_answer("Open 9 to 5.[^1]\n\n[^1]: Weekdays", channel)
    assert "^" not in rendered and "Weekdays" in rendered and "Open 9 to 5." in rendered


@pytest.mark.parametrize("channel", [Channel.AGENT, Channel.WEB])
def test_the_markdown_channels_and_pages_keep_a_footnote_s_note(channel: Channel) -> None:
    """An agent was shown "$1.75^fee" (the mark read as a link) and never the note, which
    CommonMark takes for a link's definition; the page showed the same."""
    rendered = render_answer(FOOTNOTED, channel)
    assert rendered == (
        "The paper bill fee is $1.75 a bill, and we post it within 2 days.\n\n"
        "Waived for concession card holders.\n\nBusiness days."
    )
    page = markdown_to_safe_html(FOOTNOTED)
    assert "Waived for concession card holders." in page and "^" not in page


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.VOICE])
def test_footnote_marks_in_code_stay_as_written(channel: Channel) -> None:
    rendered = render_answer("Type `[^note]` in the box.", channel)
    assert rendered.startswith("Type [^note] in the box.")


TASKS = "Before you call:\n\n- [ ] find your last bill\n- [x] check the meter\n* [X] note the read"


def test_plain_text_and_speech_leave_a_task_list_s_boxes_out() -> None:
    """ "- [ ] find your last bill" was shown "- [ ] find ..." and read "bracket bracket"."""
    assert render_answer(TASKS, Channel.CHAT).splitlines() == [
        "Before you call:",
        "- find your last bill",
        "- check the meter",
        "- note the read",
    ]
    assert render_answer(TASKS, Channel.VOICE) == (
        "Before you call: find your last bill. check the meter. note the read."
    )
    ordinary = render_answer("- [the form](https://x.example) [ ] is blank", Channel.CHAT)
    assert ordinary == "- the form (https://x.example) [ ] is blank"


def test_voice_reads_a_heading_as_a_sentence_of_its_own() -> None:
    """A heading ending in "then" ran on ("If you can't pay by then Contact us"), and one that
    leads into a list was read "You're also protected if. someone ..."."""
    markdown = (
        "Pay by the due date.\n\n## If you can't pay by then\nContact us first.\n\n"
        "## You're also protected if\n- you're on a plan;\n- you have a complaint open.\n\n"
        "## Ready?\nPay now.\n\n## Page 2: the details\n- Supply charge: daily."
    )
    assert render_answer(markdown, Channel.VOICE) == (
        "Pay by the due date. If you can't pay by then. Contact us first. You're also protected "
        "if: you're on a plan; you have a complaint open. Ready? Pay now. Page 2: the details. "
        "Supply charge: daily."
    )
    assert render_answer(markdown, Channel.CHAT).splitlines()[1:3] == [
        "If you can't pay by then",
        "Contact us first.",
    ]


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL, Channel.AGENT, Channel.WEB])
def test_every_channel_shows_a_phone_link_as_its_number(channel: Channel) -> None:
    """A phone autolink was "+61298765432" in chat and email but "tel:+61298765432" on the
    agent and web channels and the article's page, and a phone link whose text is no number
    ("[call us](tel:132255)") lost its number everywhere: the link refused, its text alone
    kept. No channel links to a phone; each shows the number, once."""
    markdown = "Call <tel:+61298765432>, [13 22 55](tel:132255) or [**us**](tel:1800%20123%20456)."
    rendered = render_answer(markdown, channel)
    bold = "**us**" if channel in (Channel.AGENT, Channel.WEB) else "us"
    assert rendered == f"Call +61298765432, 13 22 55 or {bold} (1800 123 456)."
    html = markdown_to_safe_html(markdown)
    assert html == "<p>Call +61298765432, 13 22 55 or <strong>us</strong> (1800 123 456).</p>\n"


@pytest.mark.parametrize("channel", list(Channel))
def test_a_phone_link_to_no_number_shows_only_its_text(channel: Channel) -> None:
    """A ``tel:`` link whose address is no phone number ("[x](tel:javascript:alert(1))") was
    shown with that address after its text, "x (javascript:alert(1))" in the article's HTML:
    only a number is shown."""
    markdown = "See [x](tel:javascript:alert(1)) or [y](tel:%3Cb%3E)."
    assert render_answer(markdown, channel) == "See x or y."
    assert markdown_to_safe_html(markdown) == "<p>See x or y.</p>\n"


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL])
def test_plain_text_shows_a_phone_link_s_number_without_its_scheme(channel: Channel) -> None:
    """A chat customer was shown "Call tel:+61298765432"."""
    text = render_answer("Call <tel:+61298765432> or [13 22 55](tel:132255).", channel)
    assert text == "Call +61298765432 or 13 22 55."
