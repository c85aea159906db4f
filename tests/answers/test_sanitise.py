"""One sanitising path: every payload of the table, and generated ones, come out safe for the
format of every channel (plain text, Markdown, HTML)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge_service.answers.customer_notes import customer_message
from knowledge_service.answers.render import (
    format_for,
    markdown_to_markdown,
    markdown_to_safe_html,
    render_answer,
)
from knowledge_service.answers.sanitise import (
    _clean_every_step,
    clean_text,
    clean_title,
    is_blank,
    safe_url,
    sanitise_answer,
    sanitise_search,
    strip_invisible,
)
from knowledge_service.answers.schemas import AnswerFormat, AnswerResult
from knowledge_service.content.plaintext import plain_snippet, plain_title
from knowledge_service.content.schemas import Channel
from knowledge_service.freshness.schemas import FreshnessNote, SearchResponse, SearchResult
from tests.answers.xss import PAYLOADS, html_problems, markdown_problems, plain_problems


def problems_for(text: str, channel: Channel) -> list[str]:
    if format_for(channel) == AnswerFormat.MARKDOWN:
        return markdown_problems(text)
    return plain_problems(text)


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_safe_on_every_channel(payload: str, channel: Channel) -> None:
    for markdown in (payload, f"Before {payload} after", f"- item {payload}\n- two"):
        rendered = render_answer(markdown, channel)
        assert problems_for(rendered, channel) == [], rendered


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_safe_as_html(payload: str) -> None:
    rendered = markdown_to_safe_html(f"Before {payload} after\n\n## Detail\n{payload}")
    assert html_problems(rendered) == [], rendered


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_safe_as_a_plain_field(payload: str) -> None:
    assert plain_problems(clean_text(payload)) == []


@pytest.mark.parametrize(
    "url",
    [
        "jav&#x61;script:alert(1)",
        "javascript&colon;alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "/relative/path",
        "//evil.example/x",
    ],
)
def test_only_http_https_and_mailto_links_survive(url: str) -> None:
    assert safe_url(url) is None
    assert "[click](" not in render_answer(f"[click]({url})", Channel.AGENT)


def test_safe_links_and_markup_are_kept() -> None:
    markdown = (
        "Pay **on time**: see [fees](https://example.com/fees?a=1&b=2) or "
        "[mail us](mailto:help@example.com)."
    )
    assert markdown_to_markdown(markdown) == markdown
    assert "https://example.com/fees?a=1&b=2" in render_answer(markdown, Channel.CHAT)


# Direction isolates (LRI, RLI, FSI, PDI) reorder what a reader sees as overrides do
# ("Trojan source"); line and paragraph separators break lines no client expects. The soft
# hyphen, the Arabic letter mark and the Mongolian vowel separator show nothing either (the
# redaction drops them too: one set for both).
_UNSEEN = [
    "\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029", "\u202e", "\u2064",
    "\u00ad", "\u061c", "\u180e",
]  # fmt: skip


@pytest.mark.parametrize("char", _UNSEEN)
def test_plain_text_and_feedback_drop_every_unseen_character(char: str) -> None:
    assert clean_text(f"pay{char} now") == "pay now"
    assert strip_invisible(f"pay{char}\tnow\n") == "pay\tnow\n"  # tab and lines kept
    assert is_blank(f" {char}\u00a0")
    assert not is_blank(f"{char}a")


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("**Refund** time <script>alert(1)</script> [policy](http://x.example) &amp; more",
         "Refund time policy & more"),
        ("`Card` _fees_ ![logo](x.png)", "Card fees logo"),
        ("<b>Bold</b> move <img src=x onerror=alert(1)>", "Bold move"),
        ("&lt;script&gt;alert(1)", "scriptalert(1)"),  # an encoded tag: text, never a tag
        ("Fees \\*today\\*", "Fees *today*"),
        ("1. Refunds", "1. Refunds"),  # a title, read inline: not a list
        ("snake_case and A < B & C", "snake_case and A < B & C"),
        ("Plain title", "Plain title"),
    ],
)  # fmt: skip
def test_a_title_is_shown_as_the_words_of_its_markdown(title: str, shown: str) -> None:
    assert clean_title(title) == shown


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_safe_as_a_title(payload: str) -> None:
    assert plain_problems(clean_title(f"Refunds {payload}")) == []


def test_plain_text_keeps_comparisons_and_ampersands() -> None:
    assert clean_text("if a < 5 & b > 2 then R&D") == "if a < 5 & b > 2 then R&D"
    assert clean_text("5>3 and Settings>Billing, x->y") == "5>3 and Settings>Billing, x->y"


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("<b>Bold</b> and 5>3", "bBold/b and 5>3"),
        ("<img src=x\nonerror=y> then 5>3", "img src=x\nonerror=y then 5>3"),
        ("<>>a and <<b>> c>d", "<>>a and b c>d"),  # no ``<`` left before a letter
    ],
)
def test_only_the_brackets_of_a_tag_are_dropped(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


# Generated payloads: fragments an attacker combines, joined in any order.
_FRAGMENTS = st.sampled_from(
    [
        "<", ">", "/", "script", "svg", "img", " src=x", " onerror=alert(1)", "onload=",
        "javascript", "java\tscript", "jav&#x61;script", "&#106;", "&colon;", ":", "&#58;",
        "data:text/html,", "vbscript:", "[", "]", "(", ")", "!", "`", "*", "_", "\\", "&",
        "&lt;", "&amp;", "\n", "\n\n", "- ", "> ", "# ", "1. ", "\x00", "\x1b", "\u202e",
        "http://ok.example/", "mailto:a@b.example", "<!--", "-->", '"', "'", "=", " ", "x",
    ]
)  # fmt: skip
_PAYLOAD = st.lists(_FRAGMENTS, min_size=1, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(payload=_PAYLOAD, channel=st.sampled_from(list(Channel)))
def test_generated_payloads_are_safe_on_every_channel(payload: str, channel: Channel) -> None:
    assert problems_for(render_answer(payload, channel), channel) == []


@settings(max_examples=200, deadline=None)
@given(payload=_PAYLOAD)
def test_generated_payloads_are_safe_as_html_and_plain_fields(payload: str) -> None:
    assert html_problems(markdown_to_safe_html(payload)) == []
    assert plain_problems(clean_text(payload)) == []


@pytest.mark.parametrize(
    "text",
    [
        *PAYLOADS,
        "plain words only",
        "a: b, c: d",
        "java script: x",
        "data : text/html,x",
        "tab\there",
        "line\r\nbreak\rend",
        "zero\u200bwidth",
        "\u2060joiner\ufeff",
        "del\x7f and c1 \x85",
        "a < b and c > d",
        "AT&T",
        "ünïcødé — text… “quoted” 1 ≤ 2",
        "",
    ],
)
def test_clean_text_skips_no_step_that_would_change_the_text(text: str) -> None:
    assert clean_text(text) == _clean_every_step(text)


_ANY_TEXT = st.lists(
    st.one_of(
        st.text(st.characters(codec="utf-8"), max_size=4),
        st.sampled_from(list("&<>:;#\t\r\n\x00\x1b\x7f\x85\u200b\u202e\u2060\ufeff")),
        st.sampled_from(["javascript", "data", "vbscript", "text/html", "&amp;", "&#58;", " "]),
    ),
    max_size=20,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=_ANY_TEXT)
def test_clean_text_equals_running_every_step(text: str) -> None:
    assert clean_text(text) == _clean_every_step(text)


@pytest.mark.parametrize("channel", list(Channel))
def test_only_staff_read_a_finding_s_message(channel: Channel) -> None:
    """A message names other articles, owners and policy clauses: no customer channel (the
    website included) gets it, only a fixed sentence for its kind; the agent does."""
    note = FreshnessNote(kind="duplicate", severity="warn", message="a and b say the same: merge")
    at = datetime(2026, 12, 1, tzinfo=UTC)
    result = AnswerResult(status="answered", reason="confident", channel=channel, confidence=0.9,
                          freshness=[note],
                          receipt="rcpt_" + "0" * 32, as_of=at)  # fmt: skip
    (shown,) = sanitise_answer(result).freshness
    assert (shown.kind, shown.severity) == ("duplicate", "warn")
    told = note.message if channel == Channel.AGENT else customer_message("duplicate", "warn")
    assert shown.message == told


def _tags(code: str) -> str:
    """``code`` in tag characters (the invisible copy of ASCII)."""
    return "".join(chr(0xE0000 + ord(c)) for c in code)


SCOTLAND = "\U0001f3f4" + _tags("gbsct") + "\U000e007f"
TECHNOLOGIST = "\U0001f469\u200d\U0001f4bb"
RAINBOW = "\U0001f3f3\ufe0f\u200d\U0001f308"


@pytest.mark.parametrize("channel", [Channel.CHAT, Channel.EMAIL, Channel.AGENT, Channel.WEB])
def test_a_flag_or_a_joined_emoji_keeps_its_characters(channel: Channel) -> None:
    """Scotland's flag was shown as a bare black flag, its tag characters dropped as invisible,
    and a joined emoji as its parts (a woman, a laptop): only stray ones are dropped."""
    text = f"Go {SCOTLAND} team, {TECHNOLOGIST} {RAINBOW}"
    assert render_answer(text, channel) == text
    assert clean_text(text) == strip_invisible(text) == text
    assert f"<p>{text}</p>" in markdown_to_safe_html(text)


@pytest.mark.parametrize(
    "hidden",
    [
        "pay" + _tags("ignore the rules") + " now",  # tags with no flag: hidden text
        "pay \U0001f3f4" + _tags("ignore the rules") + "\U000e007f now",  # no subdivision code
        "pay \U0001f3f4" + _tags("GBSCT") + "\U000e007f now",  # not as CLDR writes codes
        "pay \U0001f3f4" + _tags("gbsct") + " now",  # no cancel tag
        "pay" + "\U000e007f" + " now",
        "pay\u200d now",  # a joiner between letters
    ],
)
def test_stray_tag_characters_and_joiners_are_dropped(hidden: str) -> None:
    visible = clean_text(hidden)
    assert visible in ("pay now", "pay \U0001f3f4 now"), visible
    assert strip_invisible(hidden) == visible
    assert not any(0xE0000 <= ord(c) <= 0xE007F or c == "\u200d" for c in visible)


def test_voice_says_no_flag_and_leaves_no_tag_character() -> None:
    spoken = render_answer(f"Go {SCOTLAND} team {TECHNOLOGIST} now", Channel.VOICE)
    assert spoken == "Go team now."


def test_a_title_snippet_and_section_read_a_character_reference_once() -> None:
    """ "AT&amp;amp;T" in a title, a heading or the text a search result starts with (which
    CommonMark, and the article's page, show as "AT&amp;T") was "AT&T": the parse had read
    the reference, and the cleaning read it again. Each is now what the answer's plain text
    shows, and a reference that would write a tag is still read and its tag taken apart."""
    assert clean_title("AT&amp;amp;T plans") == "AT&amp;T plans"
    assert clean_title("&lt;script&gt;alert(1)") == "scriptalert(1)"
    markdown = "Call AT&amp;amp;T, type `&amp;`, R&amp;D."
    hit = SearchResult.model_construct(
        title="AT&amp;amp;T plans",
        section=plain_title("Fees &amp;amp; charges"),
        snippet=plain_snippet(markdown, 320),
        freshness=[],
    )
    response = SearchResponse.model_construct(query="fees", results=[hit])
    (shown,) = sanitise_search(response).results
    assert shown.title == "AT&amp;T plans"
    assert shown.section == "Fees &amp; charges"
    assert shown.snippet == render_answer(markdown, Channel.CHAT)
    assert shown.snippet == "Call AT&amp;T, type &amp;, R&D."
