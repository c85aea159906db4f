"""A code keyed on a phone's keypad written as text ("*123*1#"): its stars are no emphasis on
any channel, and voice reads it key by key."""

from __future__ import annotations

import pytest

from knowledge_service.answers.render import markdown_to_safe_html, render_answer
from knowledge_service.content.schemas import Channel

_ARTICLE = "Dial *123*1# to recharge, *or* **21*0412345678# to forward; **dial *100#** now."


@pytest.mark.parametrize(
    ("channel", "rendered"),
    [
        (Channel.VOICE,
         "Dial star 1 2 3 star 1 hash to recharge, or star star 2 1 star 0 4 1 2 3 4 5 6 7 8"
         " hash to forward; dial star 1 0 0 hash now."),
        (Channel.CHAT,
         "Dial *123*1# to recharge, or **21*0412345678# to forward; dial *100# now."),
        (Channel.EMAIL,
         "Dial *123*1# to recharge, or **21*0412345678# to forward; dial *100# now."),
        (Channel.AGENT,
         "Dial \\*123\\*1# to recharge, *or* \\*\\*21\\*0412345678# to forward; **dial \\*100#**"
         " now."),
        (Channel.WEB,
         "Dial \\*123\\*1# to recharge, *or* \\*\\*21\\*0412345678# to forward; **dial \\*100#**"
         " now."),
    ],
)  # fmt: skip
def test_a_keypad_code_keeps_its_stars_on_every_channel(channel: Channel, rendered: str) -> None:
    """ "Dial *123*1#" was read as "Dial" and "123" in italics before "1#": voice said "Dial
    1 2 3 1 hash", chat "Dial 1231#", and the agent's Markdown kept the stars as emphasis."""
    assert render_answer(_ARTICLE, channel) == rendered


def test_a_keypad_code_keeps_its_stars_on_the_article_s_page() -> None:
    assert markdown_to_safe_html(_ARTICLE) == (
        "<p>Dial *123*1# to recharge, <em>or</em> **21*0412345678# to forward; <strong>dial"
        " *100#</strong> now.</p>\n"
    )


def test_stars_in_a_word_or_around_a_number_are_still_emphasis() -> None:
    """Only a keypad code's shape is text: a star, keys and a hash, not in a word."""
    assert markdown_to_safe_html("x*123*1#, *2*, *10%* and **3** off") == (
        "<p>x<em>123</em>1#, <em>2</em>, <em>10%</em> and <strong>3</strong> off</p>\n"
    )


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        ("- **From your phone:** dial #DATA (#3282). We'll text you your usage.",
         "From your phone: dial hash DATA (hash 3 2 8 2). We'll text you your usage."),
        ("Dial *BAL# to check your balance, or press *225# or #3282.",
         "Dial star BAL hash to check your balance, or press star 2 2 5 hash or hash 3 2 8 2."),
        ("Dial *100#, *101# and *#06#.",
         "Dial star 1 0 0 hash, star 1 0 1 hash and star hash 0 6 hash."),
        # a sign alone, a number after other words, a name in brackets, a count: as written
        ("Press # to finish. See issue #3282 or #3283. Dial *225 (Optus), press #3282 and 1500"
         " more.",
         "Press # to finish. See issue #3282 or #3283. Dial star 2 2 5 (Optus), press hash"
         " 3 2 8 2 and 1500 more."),
    ],
)  # fmt: skip
def test_voice_reads_a_keypad_code_spelled_in_capitals_or_listed_after_one_key_by_key(
    markdown: str, spoken: str
) -> None:
    """ "dial #DATA (#3282)" (freshness_kb_mobile's check-data-usage) was read as written, a
    speech engine's "number data (number three thousand two hundred ...)", and "press *225# or
    #3282" read only the first code key by key: keys were digits only, and a code listed after
    one was no code."""
    assert render_answer(markdown, Channel.VOICE) == spoken
